// sync.WaitGroup facts shared by hoist-wg-add and waitgroup-go: whether an operand is
// proven to be a WaitGroup (or a pointer to one), method-call shapes (`X.Add(n)`,
// `defer X.Done()`), and which statements are "plain" (cannot leave the function,
// branch, block or start a goroutine), so that code after them is reached whenever
// they are.
import type { Node } from 'web-tree-sitter';
import { operandType, type TypeEnv } from './exprtype.js';
import type { Semantics, TypeRef } from './scope.js';
import { field, named, unparen } from './syntax.js';

type WgKind = 'value' | 'pointer' | 'other' | 'unknown';

export function wgKindOf(t: TypeRef | null): WgKind {
  if (!t) return 'unknown';
  if (t.pkgPath === 'sync' && t.name === 'WaitGroup') return t.pointer === 0 ? 'value' : t.pointer === 1 ? 'pointer' : 'other';
  // `WaitGroup` unqualified: a dot import of sync, or a type of this package that says it is one.
  if (t.pkgPath === '' && t.name === 'WaitGroup' && t.pointer <= 1) return 'unknown';
  return 'other';
}

/** Whether operand `x` (the receiver of `x.Add`) is proven a sync.WaitGroup or *sync.WaitGroup. */
export function waitGroupKind(env: TypeEnv, x: Node): WgKind {
  return wgKindOf(operandType(env, x));
}

export interface MethodCall {
  call: Node;
  /** The receiver expression X of X.M(...). */
  recv: Node;
  method: string;
  args: Node[];
}

/** `X.M(args)` where M is one of names; `node` may be the call or an expression/defer statement around it. */
export function methodCall(node: Node, names: string[]): MethodCall | null {
  let call = node;
  if (node.type === 'expression_statement' || node.type === 'defer_statement') {
    const inner = named(node).find((c) => c.type !== 'comment');
    if (!inner) return null;
    call = unparen(inner);
  }
  if (call.type !== 'call_expression') return null;
  const fn = unparen(field(call, 'function')!);
  if (fn.type !== 'selector_expression') return null;
  const f = field(fn, 'field');
  const recv = field(fn, 'operand');
  if (!f || !recv || !names.includes(f.text)) return null;
  const argList = field(call, 'arguments');
  if (!argList || argList.type !== 'argument_list') return null;
  const args = named(argList).filter((a) => a.type !== 'comment');
  return { call, recv, method: f.text, args };
}

/** The identifier at the base of a selector chain (`s` in `s.a.wg`, `(*p).wg`), or null. */
export function rootIdent(expr: Node): Node | null {
  let e = unparen(expr);
  for (;;) {
    if (e.type === 'identifier') return e;
    if (e.type === 'selector_expression') e = unparen(field(e, 'operand')!);
    else if (e.type === 'unary_expression' && (e.child(0)?.type === '*' || e.child(0)?.type === '&')) e = unparen(field(e, 'operand')!);
    else return null;
  }
}

/** Whether expr is an operand chain: identifiers, field selections, `*p`, `&x`, parens. */
export function isOperandChain(expr: Node): boolean {
  return rootIdent(expr) !== null;
}

/** Same operand: identical text modulo blanks and the same binding at the root. */
export function sameOperand(sem: Semantics, a: Node, b: Node): boolean {
  const norm = (n: Node) => n.text.replace(/\s+/g, '');
  if (norm(a) !== norm(b)) return false;
  const ra = rootIdent(a);
  const rb = rootIdent(b);
  if (!ra || !rb) return false;
  const ba = sem.resolve(ra);
  const bb = sem.resolve(rb);
  return ba === bb;
}

const PLAIN = new Set([
  'expression_statement',
  'assignment_statement',
  'short_var_declaration',
  'var_declaration',
  'const_declaration',
  'type_declaration',
  'inc_statement',
  'dec_statement',
  'empty_statement',
]);

/**
 * A statement after which the next one always runs (barring a panic): no return, branch,
 * block, select, send, go or defer; func literals inside it are not run by it unless called,
 * which is fine (a call returns or panics).
 */
export function isPlainStatement(stmt: Node): boolean {
  return PLAIN.has(stmt.type);
}

const GOEXIT_METHODS = new Set(['FailNow', 'Fatal', 'Fatalf', 'SkipNow', 'Skip', 'Skipf']);
/** Assertion packages whose functions stop the test with t.FailNow (runtime.Goexit) when they fail. */
const FAILNOW_PACKAGES = new Set(['github.com/stretchr/testify/require', 'github.com/shoenig/test/must']);
const TESTING_TYPES = new Set(['T', 'B', 'F', 'TB']);

/**
 * Whether `call` may end the calling goroutine through runtime.Goexit, skipping the
 * statements after it: runtime.Goexit itself; a method named like testing's
 * Fatal/FailNow/Skip; a testify `require` or shoenig `must` assertion, as a package
 * function or a method of an object built by that package (`require.New(t)`); or any
 * call handed a *testing.T/B/F or testing.TB (a helper may call t.FailNow).
 */
export function mayGoexit(sem: Semantics, call: Node): boolean {
  if (sem.isCallTo(call, 'runtime', 'Goexit')) return true;
  const fn = unparen(field(call, 'function')!);
  if (fn.type === 'selector_expression') {
    if (GOEXIT_METHODS.has(field(fn, 'field')?.text ?? '')) return true;
    const q = sem.qualified(fn);
    if (q && FAILNOW_PACKAGES.has(q.path)) return true;
    const op = unparen(field(fn, 'operand')!);
    const b = op.type === 'identifier' ? sem.resolve(op) : null;
    if (b && b.kind !== 'import' && b.value && b.value.type === 'call_expression') {
      const made = sem.qualified(field(b.value, 'function')!);
      if (made && FAILNOW_PACKAGES.has(made.path)) return true;
    }
  }
  const args = field(call, 'arguments');
  for (const a of args ? named(args) : []) {
    const e = unparen(a);
    const b = e.type === 'identifier' ? sem.resolve(e) : null;
    const t = b ? sem.typeOf(b) : null;
    if (t && t.pkgPath === 'testing' && TESTING_TYPES.has(t.name)) return true;
  }
  return false;
}
