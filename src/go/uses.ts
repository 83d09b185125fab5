// How a value is used at one reference, and whether it escapes the function that
// owns it: returned, stored, handed to a goroutine, captured by a closure that may
// outlive the function, or passed to a call whose result does any of these.
// Rules decide which kinds matter to them (a cancel func passed to any function has
// changed hands; a context passed to a call has only if the call keeps it).
import type { Node } from 'web-tree-sitter';
import type { Binding, Semantics } from './scope.js';
import { contains, enclosingFunction, field, fields, named } from './syntax.js';

type UseKind =
  | 'call' // x(...)
  | 'deferred-call' // defer x(...)
  | 'go-call' // go x(...)
  | 'method' // x.M(...)
  | 'field' // x.f (not called)
  | 'returned'
  | 'assigned' // to a plain identifier: see `target`
  | 'stored' // into a struct/map/slice element, a composite literal, or a non-identifier target
  | 'passed' // argument of a call: see `call`
  | 'goroutine' // argument of a go statement's call, or captured by a go func literal
  | 'captured' // referenced in a func literal that is not called on the spot
  | 'sent' // value of a send statement
  | 'address' // &x
  | 'lhs' // being assigned
  | 'other';

export interface Use {
  kind: UseKind;
  node: Node;
  /** For 'passed': the call expression. */
  call?: Node;
  /** For 'assigned': the identifiers assigned to (several for `a, b := f(x)`). */
  targets?: Node[];
  /** For 'captured'/'goroutine' through a literal: the func literal. */
  literal?: Node;
}

const noComment = (n: Node) => n.type !== 'comment';

/** How the expression `expr` (usually an identifier) is used, seen from function `owner`. */
export function classifyUse(expr: Node, owner: Node): Use {
  let n = expr;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const fn = enclosingFunction(n);
  if (fn && !fn.equals(owner) && contains(owner, fn)) {
    let lit = fn;
    for (let up = enclosingFunction(lit); up && !up.equals(owner); up = enclosingFunction(up)) lit = up;
    const litUse = classifyUse(lit, owner);
    if (litUse.kind === 'call' || litUse.kind === 'deferred-call') {
      const inner = classifyUse(n, lit);
      return inner.kind === 'returned' ? { kind: 'captured', node: n, literal: lit } : inner;
    }
    if (litUse.kind === 'go-call' || litUse.kind === 'goroutine') return { kind: 'goroutine', node: n, literal: lit };
    return { kind: 'captured', node: n, literal: lit };
  }
  const p = n.parent;
  if (!p) return { kind: 'other', node: n };
  switch (p.type) {
    case 'call_expression': {
      if (field(p, 'function')?.equals(n)) {
        const s = p.parent;
        if (s?.type === 'defer_statement') return { kind: 'deferred-call', node: n };
        if (s?.type === 'go_statement') return { kind: 'go-call', node: n };
        return { kind: 'call', node: n };
      }
      break;
    }
    case 'argument_list': {
      const call = p.parent!;
      if (call.parent?.type === 'go_statement') return { kind: 'goroutine', node: n, call };
      return { kind: 'passed', node: n, call };
    }
    case 'expression_list': {
      const g = p.parent!;
      const items = named(p).filter(noComment);
      const idx = items.findIndex((c) => c.equals(n));
      if (g.type === 'return_statement') return { kind: 'returned', node: n };
      if (g.type === 'assignment_statement' || g.type === 'short_var_declaration') {
        const left = field(g, 'left');
        if (left && left.equals(p)) return { kind: 'lhs', node: n };
        const op = g.type === 'assignment_statement' ? g.childForFieldName('operator')?.text ?? '=' : ':=';
        if (op !== '=' && op !== ':=') return { kind: 'other', node: n };
        return assignedTo(n, left ? named(left).filter(noComment) : [], items.length, idx);
      }
      if (g.type === 'var_spec' || g.type === 'const_spec') return assignedTo(n, fields(g, 'name'), items.length, idx);
      if (g.type === 'range_clause') return { kind: 'other', node: n };
      break;
    }
    case 'literal_element':
    case 'keyed_element':
      return { kind: 'stored', node: n };
    case 'send_statement':
      return field(p, 'value')?.equals(n) ? { kind: 'sent', node: n } : { kind: 'other', node: n };
    case 'unary_expression':
      if (p.child(0)?.type === '&') return { kind: 'address', node: n };
      break;
    case 'selector_expression': {
      if (!field(p, 'operand')?.equals(n)) break;
      const gp = p.parent;
      if (gp?.type === 'call_expression' && field(gp, 'function')?.equals(p)) return { kind: 'method', node: n };
      return { kind: 'field', node: p };
    }
    case 'return_statement':
      return { kind: 'returned', node: n };
    default:
      break;
  }
  return { kind: 'other', node: n };
}

const BASIC = new Set(['error', 'bool', 'string', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr', 'float32', 'float64', 'byte', 'rune']);

/** Whether a value of this type can hold a reference to another value (a context, a request). */
function isInertType(t: Node | null): boolean {
  if (!t) return false;
  if (t.type === 'type_identifier') return BASIC.has(t.text);
  if (t.type === 'slice_type' || t.type === 'array_type' || t.type === 'pointer_type' || t.type === 'channel_type') {
    return isInertType(field(t, 'element') ?? named(t).find((c) => c.type !== 'comment' && c.type !== 'int_literal') ?? null);
  }
  if (t.type === 'map_type') return isInertType(field(t, 'key')) && isInertType(field(t, 'value'));
  return false;
}

/** Whether the function returning `n` declares only result types that cannot carry a value. */
function returnsOnlyBasicTypes(n: Node): boolean {
  const fn = enclosingFunction(n);
  const result = fn ? field(fn, 'result') : null;
  if (!result) return false;
  const types = result.type === 'parameter_list' ? named(result).map((p) => field(p, 'type')) : [result];
  return types.length > 0 && types.every(isInertType);
}

/** `targets[idx] = n`, or every target for a tuple `a, b := f(n)`. */
function assignedTo(n: Node, all: Node[], count: number, idx: number): Use {
  const targets = all.length === count ? [all[idx]] : count === 1 ? all : [];
  if (targets.length === 0 || targets.some((t) => !t || t.type !== 'identifier')) return { kind: 'stored', node: n };
  const live = targets.filter((t) => t.text !== '_');
  return live.length ? { kind: 'assigned', node: n, targets: live } : { kind: 'other', node: n };
}

// Deep enough for ctx → request → response → body → parsed value chains; `seen` stops cycles.
const MAX_DEPTH = 16;

/**
 * Why the value of `expr` may outlive `owner`, or null when it provably does not.
 * A value passed to a call escapes when the call's result does (a request built from a
 * context and returned carries the context); values flowing into locals are followed.
 */
export function escapeReason(
  sem: Semantics,
  expr: Node,
  owner: Node,
  depth = 0,
  seen: Set<Binding> = new Set(),
): string | null {
  if (depth > MAX_DEPTH) return 'flows further than gopitfix follows';
  const u = classifyUse(expr, owner);
  switch (u.kind) {
    case 'returned':
      // A call's result that can only be a basic value (error, string, ...) carries nothing.
      if (depth > 0 && returnsOnlyBasicTypes(u.node)) return null;
      return 'is returned';
    case 'stored':
      return 'is stored in a struct, map, slice or field';
    case 'address':
      return 'has its address taken';
    case 'goroutine':
      return 'is handed to a goroutine';
    case 'captured':
      return 'is captured by a closure that may outlive the function';
    case 'sent':
      return 'is sent on a channel';
    case 'field':
      return escapeReason(sem, u.node, owner, depth + 1, seen);
    case 'passed': {
      const r = escapeReason(sem, u.call!, owner, depth + 1, seen);
      return r ? `is passed to ${field(u.call!, 'function')!.text}, whose result ${r}` : null;
    }
    case 'assigned': {
      for (const target of u.targets!) {
        const b = sem.declaredAt(target) ?? sem.resolve(target);
        if (!b) return `is assigned to ${target.text}, declared outside this file's view`;
        if (!contains(owner, b.id) || b.kind === 'result') return `is assigned to ${target.text}, which outlives the function`;
        if (seen.has(b)) continue;
        seen.add(b);
        for (const ref of b.refs) {
          if (!contains(owner, ref) || ref.startIndex < u.node.startIndex) continue;
          const r = escapeReason(sem, ref, owner, depth + 1, seen);
          if (r) return `flows into ${b.name}, which ${r}`;
        }
      }
      return null;
    }
    default:
      return null;
  }
}
