// sync.WaitGroup facts shared by hoist-wg-add and waitgroup-go: whether an operand is
// proven to be a WaitGroup (or a pointer to one), method-call shapes (`X.Add(n)`,
// `defer X.Done()`), and which statements are "plain" (cannot leave the function,
// branch, block or start a goroutine), so that code after them is reached whenever
// they are.
import type { Node } from 'web-tree-sitter';
import { operandType, type TypeEnv } from './exprtype.js';
import type { Semantics, TypeRef } from './scope.js';
import { descendants, enclosingFunction, field, named, unparen } from './syntax.js';

export type WgKind = 'value' | 'pointer' | 'other' | 'unknown';

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

/** Nodes of the given types in `root` that belong to the same function as `root` (not nested literals). */
export function ownDescendants(root: Node, types: string | string[]): Node[] {
  const owner = root.type === 'func_literal' || root.type === 'function_declaration' || root.type === 'method_declaration' ? root : enclosingFunction(root);
  return descendants(root, types).filter((n) => {
    const fn = enclosingFunction(n);
    return !!fn && !!owner && fn.equals(owner);
  });
}
