// Loop variables and writes to variables: what the loop-variable rules
// (capture-loop-var, redundant-loopvar-copy) need, and any rule that must know
// whether a variable is modified in place (assigned, incremented, address taken,
// or the receiver of a possibly pointer-receiver method call).
import type { Node } from 'web-tree-sitter';
import type { Binding, Semantics } from './scope.js';
import { PREDECLARED, children, contains, field, named } from './syntax.js';

interface LoopVar {
  binding: Binding;
  /** 'range': `for k, v := range x`; 'clause': `for i := 0; ...; ...` (3-clause init). */
  kind: 'range' | 'clause';
}

/** The variables a `for` statement declares with `:=` (range key/value, or 3-clause init). */
export function loopVars(sem: Semantics, loop: Node): LoopVar[] {
  const out: LoopVar[] = [];
  for (const { id, kind } of loopVarIdents(loop)) {
    const b = sem.declaredAt(id);
    if (b) out.push({ binding: b, kind });
  }
  return out;
}

/**
 * The identifiers loopVars resolves, read from the syntax alone: a rule can tell from their
 * names whether the loop's variables matter before building the function's scopes.
 */
export function loopVarIdents(loop: Node): { id: Node; kind: LoopVar['kind'] }[] {
  const out: { id: Node; kind: LoopVar['kind'] }[] = [];
  for (const c of named(loop)) {
    if (c.type === 'range_clause') {
      if (!children(c).some((t) => t.type === ':=')) return out;
      const left = field(c, 'left');
      for (const id of left ? named(left) : []) if (id.type === 'identifier') out.push({ id, kind: 'range' });
      return out;
    }
    if (c.type === 'for_clause') {
      const init = field(c, 'initializer');
      if (!init || init.type !== 'short_var_declaration') return out;
      const left = field(init, 'left');
      for (const id of left ? named(left) : []) if (id.type === 'identifier') out.push({ id, kind: 'clause' });
      return out;
    }
  }
  return out;
}

/**
 * Whether the identifier `ref` (a use of a variable) may modify the variable itself:
 * the target of an assignment, ++/--, a redeclaring `:=`, a `for x = range`, a
 * `case x = <-ch`; its address taken (`&x`, `&x.f`, `x[:]` of an array); an assignment
 * to one of its fields or elements (a struct or array value); or the receiver of a method
 * call (`x.M()` may have a pointer receiver). Conservative: unknown types count as writable.
 */
export function isWriteRef(ref: Node): boolean {
  let n = ref;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'parenthesized_expression') {
      n = p;
      continue;
    }
    if ((p.type === 'selector_expression' || p.type === 'index_expression') && field(p, 'operand')?.equals(n)) {
      // x.f / x[i]: a write when the whole selector/index is written; x.M(...) may mutate x.
      if (p.type === 'selector_expression') {
        const gp = p.parent;
        if (gp && gp.type === 'call_expression' && field(gp, 'function')?.equals(p)) return true;
      }
      n = p;
      continue;
    }
    if (p.type === 'slice_expression' && field(p, 'operand')?.equals(n)) return true;
    break;
  }
  const p = n.parent!;
  switch (p.type) {
    case 'inc_statement':
    case 'dec_statement':
      return true;
    case 'unary_expression':
      return p.child(0)?.type === '&';
    case 'expression_list': {
      const gp = p.parent;
      if (!gp) return false;
      const left = field(gp, 'left');
      if (!left || !left.equals(p)) return false;
      return (
        gp.type === 'assignment_statement' ||
        gp.type === 'short_var_declaration' ||
        gp.type === 'range_clause' ||
        gp.type === 'receive_statement'
      );
    }
    case 'assignment_statement':
    case 'receive_statement':
    case 'range_clause':
      return !!field(p, 'left')?.equals(n);
    default:
      return false;
  }
}

/**
 * Whether `ref` assigns the variable itself: the target of an assignment, ++/--, a
 * redeclaring `:=`, a `for x = range`, a `case x = <-ch`, or its address taken (`&x`).
 * Unlike isWriteRef, writes to its fields or elements and method calls do not count.
 */
export function isDirectWriteRef(ref: Node): boolean {
  let n = ref;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'unary_expression') return p.child(0)?.type === '&';
  if (p.type === 'selector_expression' || p.type === 'index_expression' || p.type === 'slice_expression') return false;
  return isWriteRef(ref);
}

/** References of binding b inside node (the declaration excluded). */
export function refsIn(b: Binding, node: Node): Node[] {
  return b.refs.filter((r) => contains(node, r));
}

/**
 * A variable the loop assigns but does not declare: `for k, v = range x`, `for i = 0; ...`,
 * `for ...; ...; p = p.next`. All iterations share it in every Go version (Go 1.22's
 * per-iteration semantics cover only variables the loop declares). binding is null for a
 * package-level variable declared in another file of the package (refs: outerRefsIn).
 */
interface OuterLoopVar {
  binding: Binding | null;
  name: string;
}

export function outerLoopVars(sem: Semantics | (() => Semantics), loop: Node): OuterLoopVar[] {
  const ids: Node[] = [];
  const declaredByInit = new Set<string>();
  const lhs = (list: Node | null) => {
    if (!list) return;
    for (const id of list.type === 'expression_list' ? named(list) : [list]) if (id.type === 'identifier') ids.push(id);
  };
  for (const c of named(loop)) {
    if (c.type === 'range_clause') {
      if (children(c).some((t) => t.type === ':=')) break;
      lhs(field(c, 'left'));
      break;
    }
    if (c.type === 'for_clause') {
      const init = field(c, 'initializer');
      if (init?.type === 'short_var_declaration') for (const id of named(field(init, 'left')!)) declaredByInit.add(id.text);
      for (const part of [init, field(c, 'update')]) {
        if (!part) continue;
        if (part.type === 'assignment_statement') lhs(field(part, 'left'));
        else if (part.type === 'inc_statement' || part.type === 'dec_statement') lhs(named(part)[0] ?? null);
      }
      break;
    }
  }
  // Decided from the syntax first, so that most loops never need the scopes built.
  const candidates = ids.filter((id) => id.text !== '_' && !declaredByInit.has(id.text));
  if (candidates.length === 0) return [];
  if (typeof sem === 'function') sem = sem();
  const out: OuterLoopVar[] = [];
  for (const id of candidates) {
    const b = sem.resolve(id);
    if (b && (contains(loop, b.id) || (b.kind !== 'var' && b.kind !== 'param' && b.kind !== 'result'))) continue;
    if (!b && PREDECLARED.has(id.text)) continue;
    if (out.some((o) => o.name === id.text && o.binding === b)) continue;
    out.push({ binding: b, name: id.text });
  }
  return out;
}

/** References of an outer loop variable inside node (for a binding in another file: unresolved identifiers of that name). */
export function outerRefsIn(sem: Semantics, v: OuterLoopVar, node: Node): Node[] {
  if (v.binding) return refsIn(v.binding, node);
  return node.descendantsOfType('identifier').filter((id): id is Node => !!id && id.text === v.name && !sem.resolve(id) && !isFieldKey(id));
}

/** `T{name: ...}`: a key that may be a struct field name rather than a variable. */
function isFieldKey(id: Node): boolean {
  const p = id.parent;
  return !!p && p.type === 'literal_element' && p.parent?.type === 'keyed_element' && named(p.parent)[0]?.equals(p);
}
