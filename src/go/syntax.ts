// Small syntax helpers over tree-sitter-go nodes, shared by the semantics layer,
// the engine and the rules.
import type { Node } from 'web-tree-sitter';

export const FUNC_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/**
 * web-tree-sitter keeps the array a node's `children` / `namedChildren` getter builds on
 * the node's wrapper for as long as the wrapper lives, so one wrapper held (by the
 * per-tree index, a scope, a binding, the root) kept every wrapper ever materialised below
 * it: after the rules on a 25k-line file, 52k of the 100k live wrappers, ~12 MB of a
 * 45 MB live heap. These helpers copy the children out and drop the cache; all child
 * lists go through them. (The getters cache on fields that 0.25 declares; if a release
 * renamed them, nothing would be dropped and nothing would break: a test watches them.)
 */
interface ChildCaches {
  _children?: unknown;
  _namedChildren?: unknown;
}

export function named(node: Node): Node[] {
  const out: Node[] = [];
  for (const c of node.namedChildren) if (c) out.push(c);
  const cache = node as unknown as ChildCaches;
  if (cache._namedChildren) cache._namedChildren = undefined;
  return out;
}

export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const c of node.children) if (c) out.push(c);
  const cache = node as unknown as ChildCaches;
  if (cache._children) cache._children = undefined;
  return out;
}

export function field(node: Node, name: string): Node | null {
  return node.childForFieldName(name);
}

export function fields(node: Node, name: string): Node[] {
  const out: Node[] = [];
  for (const c of node.childrenForFieldName(name)) if (c) out.push(c);
  return out;
}

/** The statements of a block / case clause / statement list, comments excluded. */
export function statementsOf(node: Node): Node[] {
  if (node.type === 'statement_list') return named(node).filter((n) => n.type !== 'comment');
  for (const c of named(node)) if (c.type === 'statement_list') return statementsOf(c);
  return [];
}

/** The statement_list directly holding `stmt`, or null (e.g. an if initializer). */
export function containingList(stmt: Node): Node | null {
  const p = stmt.parent;
  return p && p.type === 'statement_list' ? p : null;
}

/** Nearest enclosing function declaration, method or func literal. */
export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (FUNC_TYPES.has(p.type)) return p;
  return null;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** Whether `node` sits inside a loop body (for statement) before reaching `stop`. */
export function insideLoop(node: Node, stop: Node | null): boolean {
  for (let p = node.parent; p && !(stop && p.equals(stop)); p = p.parent) {
    if (p.type === 'for_statement') {
      const body = field(p, 'body');
      if (body && contains(body, node)) return true;
    }
    if (FUNC_TYPES.has(p.type)) return false;
  }
  return false;
}

export function lineStart(src: string, offset: number): number {
  const i = src.lastIndexOf('\n', offset - 1);
  return i + 1;
}

export function lineEnd(src: string, offset: number): number {
  const i = src.indexOf('\n', offset);
  if (i < 0) return src.length;
  return i > 0 && src[i - 1] === '\r' ? i - 1 : i;
}

/** Leading whitespace of the line containing offset. */
export function indentAt(src: string, offset: number): string {
  const s = lineStart(src, offset);
  let e = s;
  while (e < src.length && (src[e] === '\t' || src[e] === ' ')) e++;
  return src.slice(s, e);
}

/** Offset just past the line terminator of the line containing offset. */
export function nextLineStart(src: string, offset: number): number {
  const i = src.indexOf('\n', offset);
  return i < 0 ? src.length : i + 1;
}

export function detectEol(src: string): string {
  const i = src.indexOf('\n');
  return i > 0 && src[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Text of a Go string literal node, unquoted (import paths). */
export function unquote(lit: string): string {
  if (lit.length >= 2 && (lit[0] === '"' || lit[0] === '`')) return lit.slice(1, -1);
  return lit;
}

/** Whether the statement ends its line alone (nothing but a comment after it). */
export function restOfLineIsEmpty(src: string, offset: number): boolean {
  const rest = src.slice(offset, lineEnd(src, offset));
  return /^\s*(\/\/.*)?$/.test(rest);
}

/**
 * Node types rules look for across a whole file. The first whole-file request collects
 * all of them in one walk, shared by every rule on that tree: each walk visits every node
 * of the tree inside WebAssembly, and nine rules asking separately cost more than parsing.
 * A rule that needs other types across whole files declares them in meta.nodeTypes (the
 * registry adds them here through indexNodeTypes); other requests walk the tree.
 */
const INDEXED_TYPES = [
  'call_expression',
  'composite_literal',
  'for_statement',
  'func_literal',
  'function_declaration',
  'go_statement',
  'method_declaration',
  'send_statement',
];
const INDEXED = new Set(INDEXED_TYPES);
const treeIndexes = new WeakMap<object, Map<string, Node[]>>();

/** The node types descendants(root, ...) serves from the shared per-tree index. */
export function indexedNodeTypes(): readonly string[] {
  return [...INDEXED_TYPES];
}

/** Add node types to the shared index (rules' meta.nodeTypes; called by the rule registry). */
export function indexNodeTypes(types: readonly string[]): void {
  for (const t of types) {
    if (INDEXED.has(t)) continue;
    INDEXED.add(t);
    INDEXED_TYPES.push(t);
  }
}

/**
 * Collect nodes of the given types under root (inclusive), in document order. For the
 * tree's root node and indexed types (indexedNodeTypes()) this reads a per-tree index
 * built by one walk; otherwise it walks the subtree.
 */
export function descendants(root: Node, types: string | string[]): Node[] {
  const list = typeof types === 'string' ? [types] : types;
  if (list.every((t) => INDEXED.has(t)) && root.parent === null) {
    let index = treeIndexes.get(root.tree);
    if (!index) {
      index = new Map(INDEXED_TYPES.map((t) => [t, [] as Node[]]));
      for (const n of root.descendantsOfType(INDEXED_TYPES)) if (n) index.get(n.type)!.push(n);
      treeIndexes.set(root.tree, index);
    }
    if (list.every((t) => index!.has(t))) {
      if (list.length === 1) return [...index.get(list[0])!];
      return list.flatMap((t) => index!.get(t)!).sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
    }
  }
  const out: Node[] = [];
  for (const n of root.descendantsOfType(types)) if (n) out.push(n);
  return out;
}

/**
 * The tokens of `type` (identifier, field_identifier, ...) under `root` whose text is
 * `name`, in document order: what descendants(root, type) filtered by text gives, found
 * from the name's occurrences in the file's text instead of materialising every token of
 * that type (comments, strings and longer names holding it are dropped by the check).
 */
export function tokensNamed(root: Node, source: string, name: string, type: string): Node[] {
  const out: Node[] = [];
  if (!name) return out;
  const lo = root.startIndex;
  const hi = root.endIndex;
  for (let i = source.indexOf(name, lo); i >= 0 && i + name.length <= hi; i = source.indexOf(name, i + 1)) {
    const n = root.descendantForIndex(i, i + name.length);
    if (n && n.type === type && n.startIndex === i && n.text === name) out.push(n);
  }
  return out;
}

/**
 * Descendants of `root` of the given types that belong to `root`'s own function, not to a
 * nested func literal (a func literal itself is listed when asked for), in source order.
 */
export function ownDescendants(root: Node, types: string | string[]): Node[] {
  const out: Node[] = [];
  const want = new Set(typeof types === 'string' ? [types] : types);
  const walk = (n: Node) => {
    for (const c of named(n)) {
      if (want.has(c.type)) out.push(c);
      if (c.type === 'func_literal') continue;
      walk(c);
    }
  };
  walk(root);
  return out;
}

/** Callee name of a call: `close`, `wg.Done` → "Done", `cancel` → "cancel"; null for other callees. */
export function calleeName(call: Node): string | null {
  const fn = unparen(field(call, 'function')!);
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'selector_expression') return field(fn, 'field')?.text ?? null;
  return null;
}

/** Ranges of ERROR and MISSING nodes. */
export function errorRanges(root: Node): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  if (!root.hasError) return out;
  const walk = (n: Node) => {
    if (n.isError || n.isMissing) {
      out.push({ start: n.startIndex, end: n.endIndex });
      return;
    }
    if (!n.hasError) return;
    for (const c of children(n)) walk(c);
  };
  walk(root);
  return out;
}

/** Strip parentheses around an expression. */
export function unparen(n: Node): Node {
  while (n.type === 'parenthesized_expression') {
    const inner = named(n).find((c) => c.type !== 'comment');
    if (!inner) break;
    n = inner;
  }
  return n;
}

/**
 * Whether a call's function is `x.name` (parenthesized or not) with name among `names`:
 * the syntax Semantics.isCallTo needs before it resolves x, so a rule can skip building
 * scopes for files without such a call.
 */
export function selectorNamed(call: Node, names: readonly string[]): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  const f = unparen(fn);
  if (f.type !== 'selector_expression') return false;
  const name = f.childForFieldName('field');
  return !!name && names.includes(name.text);
}

/** Whether an expression is free of side effects and cheap to duplicate or move. */
export function isSimpleExpr(n: Node): boolean {
  n = unparen(n);
  switch (n.type) {
    case 'identifier':
    case 'int_literal':
    case 'float_literal':
    case 'imaginary_literal':
    case 'rune_literal':
    case 'interpreted_string_literal':
    case 'raw_string_literal':
    case 'true':
    case 'false':
    case 'nil':
    case 'iota':
      return true;
    case 'selector_expression':
      return isSimpleExpr(field(n, 'operand')!);
    case 'unary_expression': {
      const op = n.child(0)?.type;
      return (op === '-' || op === '+' || op === '&' || op === '!' || op === '^') && isSimpleExpr(field(n, 'operand')!);
    }
    case 'binary_expression':
      return isSimpleExpr(field(n, 'left')!) && isSimpleExpr(field(n, 'right')!);
    case 'call_expression': {
      // len(x) and cap(x) only: other calls may have effects.
      const fn = field(n, 'function');
      const args = named(field(n, 'arguments')!).filter((a) => a.type !== 'comment');
      return !!fn && fn.type === 'identifier' && (fn.text === 'len' || fn.text === 'cap') && args.length === 1 && isSimpleExpr(args[0]);
    }
    default:
      return false;
  }
}

/** Go's predeclared identifiers: never safe as fresh names. */
export const PREDECLARED = new Set(
  (
    'any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string ' +
    'uint uint8 uint16 uint32 uint64 uintptr true false iota nil append cap clear close complex copy delete imag ' +
    'len make max min new panic print println real recover'
  ).split(' '),
);
