// capture-loop-var: before Go 1.22 a `for` loop has one variable per loop, not per
// iteration, so a func literal that outlives the iteration (a goroutine, a deferred
// literal, an errgroup task, a parallel subtest, a closure stored or sent outside the
// loop) sees whatever value the variable has when it finally runs. Fix: a per-iteration
// copy (`v := v` at the top of the body), or, when the body itself assigns a 3-clause
// loop variable (a shadow would change the loop), pass the value as an argument.
import type { Node } from 'web-tree-sitter';
import { isWriteRef, loopVars, refsIn, type LoopVar } from '../../src/go/loopvars.js';
import type { Binding, Semantics } from '../../src/go/scope.js';
import { PREDECLARED, children, contains, descendants, enclosingFunction, field, indentAt, lineStart, named, unparen } from '../../src/go/syntax.js';
import { formatGoVersion } from '../../src/go/version.js';
import type { Rule, RuleContext, TextEdit } from '../../src/types.js';

type EscapeKind = 'go' | 'defer' | 'go-arg' | 'defer-arg' | 'task' | 'parallel' | 'store' | 'send';

interface Escape {
  lit: Node;
  kind: EscapeKind;
  /** For go/defer of the literal itself: the call `func(){...}(args)`. */
  call?: Node;
  /** Parallel subtests: only references after this offset run in parallel. */
  after?: number;
  /** What it is stored in / sent on, for the message. */
  target?: string;
  /** The method name for tasks (Go, TryGo). */
  method?: string;
}

interface Capture {
  lv: LoopVar;
  first: Node;
  escapes: Escape[];
}

export const rule: Rule = {
  meta: {
    id: 'capture-loop-var',
    summary: 'Copy loop variables captured by goroutines, defers and stored closures (files before Go 1.22)',
    defaultOn: true,
    goVersion: { max: '1.22' },
    // A loop, and a func literal to capture its variable (comments may sit before the parameters).
    triggers: [/\bfor\b/],
    requires: [/\bfunc(?:\s|\/\*[\s\S]*?\*\/)*\(/],
    docPath: 'transforms/capture-loop-var/README.md',
  },
  run(ctx) {
    // Only a loop whose body holds a func literal can capture: find those from offsets
    // before building scopes, which most files with loops then never need.
    const lits = descendants(ctx.root, 'func_literal');
    if (lits.length === 0) return;
    for (const loop of descendants(ctx.root, 'for_statement')) {
      const body = field(loop, 'body');
      if (!body) continue;
      const inBody = lits.filter((l) => l.startIndex >= body.startIndex && l.endIndex <= body.endIndex);
      if (inBody.length === 0) continue;
      const sem = ctx.sem;
      const vars = loopVars(sem, loop);
      if (vars.length === 0) continue;
      const escapes: Escape[] = [];
      for (const lit of inBody) {
        const e = escapeOf(sem, lit, loop);
        if (e) escapes.push(e);
      }
      if (escapes.length === 0) continue;
      const captures: Capture[] = [];
      for (const lv of vars) {
        let first: Node | null = null;
        const used: Escape[] = [];
        for (const e of escapes) {
          const refs = refsIn(lv.binding, e.lit).filter((r) => e.after === undefined || r.startIndex >= e.after);
          if (refs.length === 0) continue;
          used.push(e);
          if (!first || refs[0].startIndex < first.startIndex) first = refs[0];
        }
        if (first) captures.push({ lv, first, escapes: used });
      }
      if (captures.length > 0) reportLoop(ctx, loop, body, captures);
    }
  },
};

/** How a func literal inside the loop body outlives the iteration, or null if it does not (provably). */
function escapeOf(sem: Semantics, lit: Node, loop: Node): Escape | null {
  let n = lit;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const par = n.parent;
  if (!par) return null;
  const sameFunc = (stmt: Node) => {
    const a = enclosingFunction(stmt);
    const b = enclosingFunction(loop);
    return !!a && !!b && a.equals(b);
  };
  if (par.type === 'call_expression' && field(par, 'function')?.equals(n)) {
    const st = par.parent;
    if (st?.type === 'go_statement') return { lit, kind: 'go', call: par };
    // A defer inside a nested function runs when that function returns: not provably after the iteration.
    if (st?.type === 'defer_statement' && sameFunc(st)) return { lit, kind: 'defer', call: par };
    return null; // called on the spot
  }
  if (par.type === 'argument_list') {
    const call = par.parent!;
    const st = call.parent;
    if (st?.type === 'go_statement') return { lit, kind: 'go-arg' };
    if (st?.type === 'defer_statement' && sameFunc(st)) return { lit, kind: 'defer-arg' };
    const fn = unparen(field(call, 'function')!);
    const args = named(par).filter((a) => a.type !== 'comment');
    if (fn.type === 'selector_expression') {
      const m = field(fn, 'field')?.text;
      if ((m === 'Go' || m === 'TryGo') && args.length === 1) return { lit, kind: 'task', method: m };
      if (m === 'Run' && args.length === 2 && args[1].equals(n)) {
        const after = parallelAt(sem, lit);
        if (after !== null) return { lit, kind: 'parallel', after };
      }
    }
  }
  return storedOutside(sem, lit, n, loop);
}

/** For `func(t *testing.T) { ...; t.Parallel(); ... }`: the end of the first t.Parallel() call. */
function parallelAt(sem: Semantics, lit: Node): number | null {
  const params = field(lit, 'parameters');
  const decls = params ? named(params).filter((p) => p.type === 'parameter_declaration') : [];
  if (decls.length !== 1) return null;
  const type = field(decls[0], 'type');
  const name = field(decls[0], 'name');
  if (!type || !name) return null;
  const t = sem.typeRef(type);
  if (t.pkgPath !== 'testing' || t.name !== 'T' || t.pointer !== 1) return null;
  const tb = sem.declaredAt(name);
  if (!tb) return null;
  for (const r of tb.refs) {
    const sel = r.parent;
    if (sel?.type !== 'selector_expression' || field(sel, 'field')?.text !== 'Parallel') continue;
    const call = sel.parent;
    if (call?.type !== 'call_expression' || !field(call, 'function')?.equals(sel)) continue;
    if (!enclosingFunction(call)?.equals(lit)) continue;
    return call.endIndex;
  }
  return null;
}

/**
 * A literal whose value flows (through composite literals, &, append) into an assignment
 * to, or a send on, something declared outside the loop.
 */
function storedOutside(sem: Semantics, lit: Node, start: Node, loop: Node): Escape | null {
  let v = start;
  for (;;) {
    const p = v.parent;
    if (!p) return null;
    if (
      p.type === 'parenthesized_expression' ||
      p.type === 'literal_element' ||
      p.type === 'literal_value' ||
      p.type === 'composite_literal' ||
      (p.type === 'keyed_element' && !named(p)[0]?.equals(v)) ||
      (p.type === 'unary_expression' && p.child(0)?.type === '&')
    ) {
      v = p;
      continue;
    }
    if (p.type === 'argument_list') {
      const call = p.parent!;
      const fn = field(call, 'function');
      const args = named(p).filter((a) => a.type !== 'comment');
      if (fn?.type === 'identifier' && fn.text === 'append' && !sem.resolve(fn) && !args[0]?.equals(v)) {
        v = call;
        continue;
      }
      return null;
    }
    break;
  }
  const p = v.parent!;
  if (p.type === 'expression_list' && p.parent?.type === 'assignment_statement') {
    const asg = p.parent;
    if (!field(asg, 'right')?.equals(p)) return null;
    if (!children(asg).some((c) => c.type === '=')) return null;
    const left = field(asg, 'left');
    const lefts = left ? named(left).filter((c) => c.type !== 'comment') : [];
    const rights = named(p).filter((c) => c.type !== 'comment');
    if (lefts.length !== rights.length) return null;
    const target = lefts[rights.findIndex((r) => r.equals(v))];
    if (!target || !declaredOutside(sem, target, loop)) return null;
    return { lit, kind: 'store', target: target.text };
  }
  if (p.type === 'send_statement' && field(p, 'value')?.equals(v)) {
    const ch = field(p, 'channel');
    if (!ch || !declaredOutside(sem, ch, loop)) return null;
    return { lit, kind: 'send', target: ch.text };
  }
  return null;
}

/** Whether the variable at the root of expr (x in x.f[i]) is declared outside the loop. */
function declaredOutside(sem: Semantics, expr: Node, loop: Node): boolean {
  let n = unparen(expr);
  for (;;) {
    if (n.type === 'selector_expression' || n.type === 'index_expression') n = unparen(field(n, 'operand')!);
    else if (n.type === 'unary_expression' && n.child(0)?.type === '*') n = unparen(field(n, 'operand')!);
    else break;
  }
  if (n.type !== 'identifier' || n.text === '_') return false;
  const b = sem.resolve(n);
  if (!b) return true; // package-level in another file of the package
  return !contains(loop, b.id);
}

const KIND_TEXT: Record<EscapeKind, (e: Escape) => string> = {
  go: () => 'a goroutine (go func literal)',
  defer: () => 'a deferred func literal (it runs when the function returns, after the loop)',
  'go-arg': () => 'a func literal passed to a go statement',
  'defer-arg': () => 'a func literal passed to a deferred call',
  task: (e) => `a func literal passed to .${e.method}() (it runs on another goroutine)`,
  parallel: () => 'a parallel subtest (it runs after t.Parallel(), once the loop has finished)',
  store: (e) => `a func literal stored in ${e.target}, which outlives the iteration`,
  send: (e) => `a func literal sent on ${e.target}`,
};

function reportLoop(ctx: RuleContext, loop: Node, body: Node, captures: Capture[]): void {
  const src = ctx.source;
  const sem = ctx.sem;
  const version = ctx.goVersion ? `Go ${formatGoVersion(ctx.goVersion)}` : 'this Go version';
  captures.sort((a, b) => a.first.startIndex - b.first.startIndex);

  // Decide per variable: a shadow copy, an argument, or no fix.
  const copies: Capture[] = [];
  const args: Capture[] = [];
  const noFix = new Map<Capture, string>();
  const bodyScope = sem.scopeAt(body);
  for (const c of captures) {
    const b = c.lv.binding;
    const writes = refsIn(b, body).filter(isWriteRef);
    const redeclared = bodyScope.node.equals(body) && !!bodyScope.bindings.get(b.name)?.length;
    if (redeclared) {
      // `v := v` at the top would clash with (or turn into an assignment) the body's own `v :=`.
      const why = argumentBlocker(sem, c);
      if (why) noFix.set(c, `the loop body declares its own ${b.name}, so a copy cannot go at its top, and ${why}`);
      else args.push(c);
      continue;
    }
    if (c.lv.kind === 'range' || writes.length === 0) {
      copies.push(c);
      continue;
    }
    // A 3-clause variable the body modifies: a shadow copy would stop the loop seeing the change.
    const why = argumentBlocker(sem, c);
    if (why) noFix.set(c, `the loop body modifies ${b.name} (a copy would change the loop) and ${why}`);
    else args.push(c);
  }

  // One insertion for all copies, as the first statement of the body.
  let copyEdit: TextEdit | null = null;
  let copyBlocker: string | null = null;
  if (copies.length) {
    const at = firstStatementLine(src, body);
    if (at === null) copyBlocker = 'the loop body shares a line with its braces; put it on its own lines first';
    else {
      const indent = indentAt(src, at.stmt.startIndex);
      const text = copies.map((c) => `${indent}${c.lv.binding.name} := ${c.lv.binding.name}${ctx.eol}`).join('');
      copyEdit = { start: at.line, end: at.line, text };
    }
  }

  // Argument passing: per literal, every arg-variable it captures.
  const argEdits = new Map<Node, TextEdit[]>();
  const litVars = new Map<number, { e: Escape; vars: Capture[] }>();
  for (const c of args) {
    for (const e of c.escapes) {
      const entry = litVars.get(e.lit.id) ?? { e, vars: [] };
      entry.vars.push(c);
      litVars.set(e.lit.id, entry);
    }
  }
  for (const { e, vars } of litVars.values()) {
    const edits = argumentEdits(sem, e, vars);
    for (const c of vars) argEdits.set(c.first, [...(argEdits.get(c.first) ?? []), ...edits]);
  }

  for (const c of captures) {
    const name = c.lv.binding.name;
    const what = KIND_TEXT[c.escapes[0].kind](c.escapes[0]);
    const more = c.escapes.length > 1 ? ` (and ${c.escapes.length - 1} more closure${c.escapes.length > 2 ? 's' : ''})` : '';
    const sure = c.escapes.some((e) => runsAfterIteration(e, loop, body));
    const base =
      `loop variable ${name} is captured by ${what}${more}; before Go 1.22 (this file: ${version}) all iterations share one ${name}, ` +
      (sure
        ? `and the iteration does not wait for the closure, so it can see a later value`
        : `so unless the iteration waits for the closure, it can see a later value`);
    const harmless = sure ? '' : ' (a per-iteration copy is what Go 1.22 does: harmless if it does wait)';
    const blocked = noFix.get(c);
    if (blocked) {
      ctx.report({ node: c.first, message: `${base} (no fix: ${blocked})` });
      continue;
    }
    if (copies.includes(c)) {
      if (!copyEdit) {
        ctx.report({ node: c.first, message: `${base} (no fix: ${copyBlocker})` });
        continue;
      }
      ctx.report({
        node: c.first,
        message: base + harmless,
        fix: { description: `Copy ${name} per iteration (${name} := ${name})`, edits: [copyEdit] },
      });
      continue;
    }
    ctx.report({
      node: c.first,
      message: base,
      fix: { description: `Pass ${name} to the closure as an argument`, edits: argEdits.get(c.first) ?? [] },
    });
  }
}

/**
 * Whether the closure certainly runs after the iteration: deferred literals and parallel
 * subtests always do; a goroutine does when its statement ends the loop body (nothing in
 * the iteration can wait for it: go vet's loopclosure criterion). Stored or sent closures,
 * and goroutines followed by more statements, may be waited for.
 */
function runsAfterIteration(e: Escape, loop: Node, body: Node): boolean {
  if (e.kind === 'defer' || e.kind === 'defer-arg' || e.kind === 'parallel') return true;
  if (e.kind !== 'go' && e.kind !== 'go-arg' && e.kind !== 'task') return false;
  const fn = enclosingFunction(e.lit);
  if (!fn || !fn.equals(enclosingFunction(loop)!)) return false;
  let stmt: Node = e.lit;
  while (stmt.parent && stmt.parent.parent && !stmt.parent.parent.equals(body)) stmt = stmt.parent;
  const stmts = statementsOfBody(body);
  return stmts.length > 0 && stmts[stmts.length - 1].equals(stmt);
}

function statementsOfBody(body: Node): Node[] {
  const list = named(body).find((c) => c.type === 'statement_list');
  return list ? named(list).filter((c) => c.type !== 'comment') : [];
}

/** Where the body's first statement starts its line (the insertion point), or null for one-line bodies. */
function firstStatementLine(src: string, body: Node): { line: number; stmt: Node } | null {
  const braceRow = body.startPosition.row;
  const list = named(body).find((c) => c.type === 'statement_list');
  const nodes = [...named(body).filter((c) => c.type === 'comment'), ...(list ? named(list) : [])].sort(
    (a, b) => a.startIndex - b.startIndex,
  );
  const stmts = nodes.filter((n) => n.type !== 'comment');
  if (stmts.length === 0) return null;
  if (stmts[0].startPosition.row === braceRow) return null;
  const first = nodes.find((n) => n.startPosition.row > braceRow)!;
  return { line: lineStart(src, first.startIndex), stmt: stmts[0] };
}

/** Why the argument fix cannot be used for this capture, or null when it can. */
function argumentBlocker(sem: Semantics, c: Capture): string | null {
  const b = c.lv.binding;
  for (const e of c.escapes) {
    if (e.kind !== 'go' && e.kind !== 'defer') return `the closure is ${KIND_TEXT[e.kind](e)}, which cannot take it as an argument`;
    if (refsIn(b, e.lit).some(isWriteRef)) return `the closure itself modifies ${b.name}`;
    const params = field(e.lit, 'parameters')!;
    const decls = named(params).filter((p) => p.type !== 'comment');
    if (decls.some((d) => d.type === 'variadic_parameter_declaration')) return 'the closure is variadic';
    if (decls.some((d) => !field(d, 'name'))) return 'the closure has unnamed parameters';
    if (hasTrailingComma(params) || hasTrailingComma(field(e.call!, 'arguments')!)) return 'the parameter list is split over lines';
    if (children(field(e.call!, 'arguments')!).some((t) => t.type === '...')) return 'the call spreads a slice (...)';
  }
  if (!typeText(sem, b)) return `the type of ${b.name} is not evident from the syntax`;
  return null;
}

function hasTrailingComma(list: Node): boolean {
  const toks = children(list).filter((t) => t.type !== 'comment');
  return toks.length >= 2 && toks[toks.length - 2].type === ',';
}

/** The declared type of a 3-clause loop variable when its initializer proves it. */
function typeText(sem: Semantics, b: Binding): string | null {
  if (b.valueIndex >= 0 || !b.value) return null;
  const v = unparen(b.value);
  switch (v.type) {
    case 'int_literal':
      return 'int';
    case 'float_literal':
      return 'float64';
    case 'rune_literal':
      return 'rune';
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return 'string';
    case 'true':
    case 'false':
      return 'bool';
    case 'call_expression': {
      const fn = field(v, 'function');
      if (!fn || fn.type !== 'identifier' || sem.resolve(fn)) return null;
      if (fn.text === 'len' || fn.text === 'cap') return 'int';
      const argc = named(field(v, 'arguments')!).filter((a) => a.type !== 'comment').length;
      if (argc === 1 && PREDECLARED.has(fn.text) && BASIC_TYPES.has(fn.text)) return fn.text;
      return null;
    }
    default:
      return null;
  }
}

const BASIC_TYPES = new Set(
  'bool byte complex64 complex128 float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr'.split(' '),
);

/** Edits adding `name type` parameters to the literal and `name` arguments to its call. */
function argumentEdits(sem: Semantics, e: Escape, vars: Capture[]): TextEdit[] {
  const params = field(e.lit, 'parameters')!;
  const argList = field(e.call!, 'arguments')!;
  const hasParams = named(params).some((p) => p.type !== 'comment');
  const hasArgs = named(argList).some((p) => p.type !== 'comment');
  const ps = vars.map((c) => `${c.lv.binding.name} ${typeText(sem, c.lv.binding)}`).join(', ');
  const as = vars.map((c) => c.lv.binding.name).join(', ');
  const pEnd = params.endIndex - 1;
  const aEnd = argList.endIndex - 1;
  return [
    { start: pEnd, end: pEnd, text: hasParams ? `, ${ps}` : ps },
    { start: aEnd, end: aEnd, text: hasArgs ? `, ${as}` : as },
  ];
}

