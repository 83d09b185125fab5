// Where a value is constructed, for rules about objects that should be built once and
// configured (http.Transport, http.Client): the variable a composite literal is
// assigned to, the fields of that variable assigned later in the same function,
// whether the construction runs per loop iteration or per HTTP request, and Go
// duration expressions (`90 * time.Second`) with the `time` package's local name.
import type { Node } from 'web-tree-sitter';
import type { Imports } from './imports.js';
import { fileMentions, type PackageInfo } from './package.js';
import type { Binding, Semantics } from './scope.js';
import { FUNC_TYPES, contains, field, fields, named, unparen } from './syntax.js';

interface AssignSite {
  /** short_var_declaration, assignment_statement or var_declaration (the statement). */
  stmt: Node;
  op: ':=' | '=' | 'var';
  /** The assigned identifier (left side). */
  name: Node;
  /** The variable (declared here for := and var, resolved for =); null when unknown. */
  binding: Binding | null;
  /** var_spec for `var`, else null. */
  spec: Node | null;
  /** Whether the statement is at package level. */
  packageLevel: boolean;
}

/**
 * When `expr` is the whole right-hand side of a one-name assignment (`x := expr`,
 * `x = expr`, `var x = expr`, `var x T = expr`), where it goes; else null.
 */
export function assignSite(sem: Semantics, expr: Node): AssignSite | null {
  let list = expr.parent;
  while (list && list.type === 'parenthesized_expression') list = list.parent;
  if (!list || list.type !== 'expression_list') return null;
  if (named(list).filter((n) => n.type !== 'comment').length !== 1) return null;
  const parent = list.parent;
  if (!parent) return null;
  if (parent.type === 'short_var_declaration' || parent.type === 'assignment_statement') {
    if (!field(parent, 'right')?.equals(list)) return null;
    const left = named(field(parent, 'left')!).filter((n) => n.type !== 'comment');
    if (left.length !== 1 || left[0].type !== 'identifier') return null;
    const isDecl = parent.type === 'short_var_declaration';
    if (!isDecl && parent.child(1)?.type !== '=') return null;
    const b = isDecl ? sem.declaredAt(left[0]) ?? sem.resolve(left[0]) : sem.resolve(left[0]);
    return { stmt: parent, op: isDecl ? ':=' : '=', name: left[0], binding: b, spec: null, packageLevel: false };
  }
  if (parent.type === 'var_spec') {
    if (!field(parent, 'value')?.equals(list)) return null;
    const names = fields(parent, 'name');
    if (names.length !== 1) return null;
    let decl: Node | null = parent.parent;
    if (decl && decl.type === 'var_spec_list') decl = decl.parent;
    if (!decl || decl.type !== 'var_declaration') return null;
    return {
      stmt: decl,
      op: 'var',
      name: names[0],
      binding: sem.declaredAt(names[0]),
      spec: parent,
      packageLevel: decl.parent?.type === 'source_file',
    };
  }
  return null;
}

/**
 * Fields F of variable b assigned as `x.F = ...` (or in a tuple assignment) after
 * offset `after` and inside `within` (the enclosing function).
 */
export function fieldsAssignedLater(b: Binding, after: number, within: Node | null): Set<string> {
  const out = new Set<string>();
  for (const ref of b.refs) {
    if (ref.startIndex < after || (within && !contains(within, ref))) continue;
    const sel = ref.parent;
    if (!sel || sel.type !== 'selector_expression' || !field(sel, 'operand')?.equals(ref)) continue;
    const list = sel.parent;
    const stmt = list?.parent;
    if (!list || !stmt || list.type !== 'expression_list' || stmt.type !== 'assignment_statement') continue;
    if (!field(stmt, 'left')?.equals(list)) continue;
    const f = field(sel, 'field');
    if (f) out.add(f.text);
  }
  return out;
}

/** Whether `fn` (a function declaration, method or literal) takes (http.ResponseWriter, *http.Request). */
function isHandlerFunc(sem: Semantics, fn: Node): boolean {
  const params = field(fn, 'parameters');
  if (!params) return false;
  let writer = false;
  let request = false;
  for (const p of named(params)) {
    if (p.type !== 'parameter_declaration') continue;
    const t = field(p, 'type');
    if (!t) continue;
    const ref = sem.typeRef(t);
    if (ref.pkgPath !== 'net/http') continue;
    if (ref.name === 'ResponseWriter' && ref.pointer === 0) writer = true;
    if (ref.name === 'Request' && ref.pointer === 1) request = true;
  }
  return writer && request;
}

/** Whether `fn` is a RoundTrip method (`RoundTrip(*http.Request)`): it runs once per request too. */
function isRoundTripMethod(sem: Semantics, fn: Node): boolean {
  if (fn.type !== 'method_declaration' || field(fn, 'name')?.text !== 'RoundTrip') return false;
  const params = field(fn, 'parameters');
  const ps = params ? named(params).filter((p) => p.type === 'parameter_declaration') : [];
  if (ps.length !== 1) return false;
  const t = field(ps[0], 'type');
  const ref = t ? sem.typeRef(t) : null;
  return !!ref && ref.pkgPath === 'net/http' && ref.name === 'Request' && ref.pointer === 1;
}

/**
 * Why code at `node` runs repeatedly: "loop" when it sits in a for body (also through
 * func literals defined there), "handler" when an enclosing function is an HTTP handler
 * or a RoundTrip method; null otherwise.
 */
export function repeatedAt(sem: Semantics, node: Node): 'loop' | 'handler' | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'for_statement') {
      const body = field(p, 'body');
      if (body && contains(body, node)) return 'loop';
    }
    if (FUNC_TYPES.has(p.type) && (isHandlerFunc(sem, p) || isRoundTripMethod(sem, p))) return 'handler';
  }
  return null;
}

// ---- durations -------------------------------------------------------------------

const UNITS: [string, bigint][] = [
  ['ns', 1n],
  ['us', 1000n],
  ['µs', 1000n],
  ['μs', 1000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
];

/** JSON-schema pattern of the duration strings parseDuration accepts ("90s", "1m30s", "0"). */
export const DURATION_PATTERN = '^(0|([0-9]+(ns|us|µs|μs|ms|s|m|h))+)$';

/** Nanoseconds of a Go duration string of whole units ("90s", "1m30s", "500ms", "0"); null if invalid. */
export function parseDuration(s: string): bigint | null {
  if (s === '0') return 0n;
  const re = /([0-9]+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0n;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += BigInt(m[1]) * UNITS.find(([u]) => u === m![2])![1];
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : null;
}

const EXPR_UNITS: [string, bigint][] = [
  ['Hour', 3_600_000_000_000n],
  ['Minute', 60_000_000_000n],
  ['Second', 1_000_000_000n],
  ['Millisecond', 1_000_000n],
  ['Microsecond', 1000n],
  ['Nanosecond', 1n],
];

/** `90 * time.Second` for 90s (the largest unit dividing the value), `0` for zero. */
export function durationExpr(ns: bigint, timeName: string): string {
  if (ns === 0n) return '0';
  for (const [unit, size] of EXPR_UNITS) if (ns % size === 0n) return `${ns / size} * ${timeName}.${unit}`;
  return `${ns} * ${timeName}.Nanosecond`;
}

/**
 * The name to write for package `time` at `at`: its local import name, or "time" with
 * the import to add; null when that name is bound to something else there.
 */
export function timePackageName(
  sem: Semantics,
  imports: Imports,
  at: Node,
  pkg?: () => PackageInfo,
): { name: string; imports: string[] } | null {
  const { name, needsImport } = imports.nameFor('time');
  const b = sem.lookup(name, at);
  if (needsImport) {
    if (b) return null;
    // A package-level `time` declared in another file of the package would clash with the import.
    // (A file whose text lacks the name cannot declare it: spares parsing every sibling.)
    const clash = pkg?.().files.some(
      (f) => !f.current && fileMentions(f, name) && (f.sem.fileScope.bindings.get(name) ?? []).some((x) => x.kind !== 'import'),
    );
    return clash ? null : { name, imports: ['time'] };
  }
  return b && b.kind === 'import' && b.importPath === 'time' ? { name, imports: [] } : null;
}

/** The expression with parentheses and a leading & stripped: the composite literal of `&T{...}`. */
export function literalOf(expr: Node): Node | null {
  let e = unparen(expr);
  if (e.type === 'unary_expression' && e.child(0)?.type === '&') e = unparen(field(e, 'operand')!);
  return e.type === 'composite_literal' ? e : null;
}

/**
 * The sign of a constant duration expression when the syntax proves it: 1 (> 0), 0
 * (zero or negative), null (not a constant gopitfix can evaluate). Understands numeric
 * literals, the time unit constants, `*`, `+`, `/` by a literal, conversions
 * `time.Duration(...)`, and local or package constants with such values.
 */
export function durationSign(sem: Semantics, expr: Node, depth = 0): 1 | 0 | null {
  const v = constValue(sem, expr, depth);
  return v === null ? null : v > 0 ? 1 : 0;
}

function constValue(sem: Semantics, expr: Node, depth: number): number | null {
  if (depth > 8) return null;
  const e = unparen(expr);
  switch (e.type) {
    case 'int_literal':
    case 'float_literal': {
      const n = Number(e.text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : null;
    }
    case 'selector_expression': {
      const q = sem.qualified(e);
      if (!q || q.path !== 'time') return null;
      const u = EXPR_UNITS.find(([name]) => name === q.name);
      return u ? Number(u[1]) : null;
    }
    case 'unary_expression': {
      const op = e.child(0)?.type;
      const v = constValue(sem, field(e, 'operand')!, depth + 1);
      if (v === null) return null;
      return op === '-' ? -v : op === '+' ? v : null;
    }
    case 'binary_expression': {
      const op = e.childForFieldName('operator')?.text;
      const l = constValue(sem, field(e, 'left')!, depth + 1);
      const r = constValue(sem, field(e, 'right')!, depth + 1);
      if (l === null || r === null) return null;
      if (op === '*') return l * r;
      if (op === '+') return l + r;
      if (op === '-') return l - r;
      if (op === '/') return r === 0 ? null : l / r;
      return null;
    }
    case 'call_expression': {
      // time.Duration(x): a conversion.
      const q = sem.qualified(field(e, 'function')!);
      const args = named(field(e, 'arguments')!).filter((a) => a.type !== 'comment');
      if (q && q.path === 'time' && q.name === 'Duration' && args.length === 1) return constValue(sem, args[0], depth + 1);
      return null;
    }
    case 'identifier': {
      const b = sem.resolve(e);
      if (!b || b.kind !== 'const' || !b.value || b.valueIndex >= 0) return null;
      return constValue(sem, b.value, depth + 1);
    }
    default:
      return null;
  }
}

/**
 * Whether a rule that leaves test code alone by default checks this file: every file but
 * test code (isTestPath), which only with the rule's option `"tests": true` or an explicit
 * `--tests=true` / gopitfix.json `tests: true` (RuleContext.tests). The one place both are read.
 */
export function checksTestCode(ctx: { path: string; options: { tests?: unknown }; tests?: boolean | null }): boolean {
  return !isTestPath(ctx.path) || ctx.options.tests === true || ctx.tests === true;
}

/**
 * Whether a file is test code: a `_test.go` file, or a file of a test-support package
 * (a directory named e2e, testutil(s), testing, test(s), or ending in "test" such as
 * httptest, caddytest or networkdb-test; not words like "latest"). Such code talks to local test servers and `go test
 * -timeout` bounds a hang there.
 */
const NOT_TEST = new Set(['latest', 'greatest', 'fastest', 'smallest', 'biggest', 'shortest', 'longest', 'contest', 'attest', 'protest', 'detest']);

export function isTestPath(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  if (p.endsWith('_test.go')) return true;
  const dirs = p.split('/').slice(0, -1);
  return dirs.some(
    (d) => /^(e2e|testutils?|testing|tests?|testhelpers?)$/i.test(d) || /[-_]test$/i.test(d) || (/^[a-z0-9]+test$/.test(d) && !NOT_TEST.has(d)),
  );
}
