// The Go semantics layer: lexical scopes, bindings and references over a
// tree-sitter-go tree, with Go's visibility rules (a local is visible from the end
// of its declaration; `x := x` reads the outer x; `a, err := f()` reuses an err
// declared in the same block). Tree-sitter has no types, so each binding also
// records its declared type node and initializer, and `typeOf` derives a type
// where the syntax proves it.
import type { Node } from 'web-tree-sitter';
import type { Imports } from './imports.js';
import { step } from './meter.js';
import { FUNC_TYPES, PREDECLARED, children, field, fields, named, unparen } from './syntax.js';

export type BindingKind = 'var' | 'const' | 'type' | 'func' | 'param' | 'result' | 'receiver' | 'import' | 'typeparam';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The declaring identifier (the import_spec for imports without an alias). */
  id: Node;
  /** The declaring construct: short_var_declaration, var_spec, parameter_declaration, range_clause, ... */
  decl: Node;
  scope: Scope;
  /** Offset from which the binding is visible (Go: end of its declaration for locals). */
  visibleFrom: number;
  /** The declared type node, when written. */
  typeNode: Node | null;
  /** The initializer: the expression assigned to this name when 1:1, else the tuple call. */
  value: Node | null;
  /** Index into the tuple result when `value` is a multi-value call (a, b := f()), else -1. */
  valueIndex: number;
  /** Identifier nodes that refer to this binding (declaration excluded). */
  refs: Node[];
  /** Import path, for import bindings. */
  importPath?: string;
}

export type ScopeKind = 'package' | 'func' | 'block' | 'if' | 'for' | 'switch' | 'case';

export interface Scope {
  kind: ScopeKind;
  node: Node;
  parent: Scope | null;
  bindings: Map<string, Binding[]>;
  children: Scope[];
}

/** A resolved type: named (possibly qualified by an import path), with pointer depth. */
export interface TypeRef {
  /** Import path of the qualifier, "" for a type of this package, null for non-named types. */
  pkgPath: string | null;
  /** Type name for named types; the node type for others (chan_type, map_type, ...). */
  name: string;
  pointer: number;
  /** The type node itself (after stripping pointers). */
  node: Node | null;
}

const SCOPE_STMT: Record<string, ScopeKind> = {
  if_statement: 'if',
  for_statement: 'for',
  expression_switch_statement: 'switch',
  type_switch_statement: 'switch',
  select_statement: 'switch',
  expression_case: 'case',
  type_case: 'case',
  default_case: 'case',
  communication_case: 'case',
  block: 'block',
};

/** Known results of standard-library functions, for typeOf: [pkg, func] → result types. */
const STD_RESULTS: Record<string, (string | null)[]> = {
  'context.Background': ['context.Context'],
  'context.TODO': ['context.Context'],
  'context.WithValue': ['context.Context'],
  'context.WithoutCancel': ['context.Context'],
  'context.WithCancel': ['context.Context', 'context.CancelFunc'],
  'context.WithTimeout': ['context.Context', 'context.CancelFunc'],
  'context.WithDeadline': ['context.Context', 'context.CancelFunc'],
  'context.WithCancelCause': ['context.Context', 'context.CancelCauseFunc'],
  'context.WithTimeoutCause': ['context.Context', 'context.CancelFunc'],
  'context.WithDeadlineCause': ['context.Context', 'context.CancelFunc'],
  'os/signal.NotifyContext': ['context.Context', 'context.CancelFunc'],
  'golang.org/x/sync/errgroup.WithContext': ['*golang.org/x/sync/errgroup.Group', 'context.Context'],
};

/** A top-level declaration whose scopes and references are built on first need. */
interface Unit {
  node: Node;
  start: number;
  end: number;
  done: boolean;
  /** Bindings declared while visiting it, in declaration order. */
  bindings: Binding[];
}

/**
 * A package-level binding: its references can be in any declaration of the file, so
 * reading them visits the whole file first (a partial list would be a wrong answer).
 */
class PkgBinding implements Binding {
  importPath?: string;
  /** @internal References found so far. */
  _refs: Node[] = [];
  constructor(
    private readonly sem: Semantics,
    readonly name: string,
    readonly kind: BindingKind,
    readonly id: Node,
    readonly decl: Node,
    readonly scope: Scope,
    readonly visibleFrom: number,
    readonly typeNode: Node | null,
    readonly value: Node | null,
    readonly valueIndex: number,
  ) {}
  get refs(): Node[] {
    this.sem.ensureAll();
    return this._refs;
  }
}

const UNIT_TYPES = new Set(['function_declaration', 'method_declaration', 'var_declaration', 'const_declaration', 'type_declaration']);

/**
 * Scopes, bindings and references of one file. Package-level names are declared at
 * construction; the scopes and references inside each top-level declaration are built
 * the first time a query touches a node inside it (resolve, declaredAt, scopeAt, lookup,
 * freshName, typeOf through them). Whole-file views (allBindings, the refs of a
 * package-level binding, the file scope's children) visit every declaration first.
 * Answers are the same as with every declaration visited up front. A Semantics reads its
 * tree until every declaration has been visited: it must not outlive the tree (whoever
 * deletes a tree drops the Semantics built on it, or calls ensureAll first).
 */
export class Semantics {
  readonly fileScope: Scope;
  private readonly resolved = new Map<number, Binding>();
  private readonly scopeByNode = new Map<number, Scope>();
  private readonly units: Unit[] = [];
  /** The unit being visited (null while declaring package-level names). */
  private cur: Unit | null = null;
  private readonly pkgBindings: Binding[] = [];
  private fileChildren: Scope[] = [];
  private all: Binding[] | null = null;
  private pending: number;
  /** Index of the last unit visited; visits out of document order need a reordering in ensureAll. */
  private lastVisited = -1;
  private outOfOrder = false;
  /**
   * The error a visit threw (a stack overflow on code nested too deep): the scopes are
   * partial from then on, so every later query throws it too, as construction did when
   * it visited everything up front.
   */
  private broken: unknown = null;

  constructor(
    readonly root: Node,
    readonly imports: Imports,
  ) {
    const fileScope: Scope = { kind: 'package', node: root, parent: null, bindings: new Map(), children: [] };
    Object.defineProperty(fileScope, 'children', {
      enumerable: true,
      get: () => {
        this.ensureAll();
        return this.fileChildren;
      },
    });
    this.fileScope = fileScope;
    this.scopeByNode.set(root.id, fileScope);
    const tops = named(root);
    this.declarePackageLevel(tops);
    for (const d of tops) {
      if (UNIT_TYPES.has(d.type)) {
        this.units.push({ node: d, start: d.startIndex, end: d.endIndex, done: false, bindings: [] });
      }
    }
    this.pending = this.units.length;
  }

  /** Every binding of the file: package-level ones, then those of each declaration in order. */
  get allBindings(): Binding[] {
    if (this.all) return this.all;
    this.ensureAll();
    const out = this.pkgBindings.slice();
    for (const u of this.units) for (const b of u.bindings) out.push(b);
    return (this.all = out);
  }

  /**
   * The bindings whose declaring identifier lies within `node`, in allBindings order:
   * only the top-level declarations overlapping node are visited.
   */
  bindingsWithin(node: Node): Binding[] {
    if (this.broken) throw this.broken;
    const start = node.startIndex;
    const end = node.endIndex;
    const within = (b: Binding) => b.id.startIndex >= start && b.id.endIndex <= end;
    const out = this.pkgBindings.filter(within);
    const units = this.units;
    let lo = 0;
    let hi = units.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (units[mid].end < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < units.length && units[i].start <= end; i++) {
      this.visitUnit(i);
      for (const b of units[i].bindings) if (within(b)) out.push(b);
    }
    return out;
  }

  /** Visit every top-level declaration not visited yet (whole-file queries call it). */
  ensureAll(): void {
    if (this.broken) throw this.broken;
    if (this.pending === 0 && !this.outOfOrder) return;
    for (let i = 0; i < this.units.length; i++) this.visitUnit(i);
    if (this.outOfOrder) {
      // The order a front-to-back construction gives: declaration by declaration, each in
      // its visit order (a stable sort by declaration keeps the order within one).
      this.outOfOrder = false;
      const byUnit = (a: { startIndex: number }, b: { startIndex: number }) => this.unitIndex(a.startIndex) - this.unitIndex(b.startIndex);
      for (const b of this.pkgBindings) if ((b as PkgBinding)._refs.length > 1) (b as PkgBinding)._refs.sort(byUnit);
      this.fileChildren.sort((a, b) => byUnit(a.node, b.node));
    }
  }

  /** Index of the last top-level declaration starting at or before pos (-1 if none). */
  private unitIndex(pos: number): number {
    const units = this.units;
    let lo = 0;
    let hi = units.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (units[mid].start <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Visit the top-level declaration containing offset pos, if not visited yet. */
  private ensureAt(pos: number): void {
    if (this.broken) throw this.broken;
    if (this.pending === 0) return;
    const found = this.unitIndex(pos);
    if (found >= 0 && pos <= this.units[found].end) this.visitUnit(found);
  }

  private visitUnit(i: number): void {
    const u = this.units[i];
    if (u.done) return;
    u.done = true;
    this.pending--;
    if (i < this.lastVisited) this.outOfOrder = true;
    else this.lastVisited = i;
    this.cur = u;
    try {
      this.visitTopLevel(u.node);
    } catch (e) {
      this.broken = e;
      throw e;
    } finally {
      this.cur = null;
    }
  }

  // ---- queries -------------------------------------------------------------

  /** The binding an identifier (or package_identifier) refers to; null for predeclared or unknown names. */
  resolve(ident: Node): Binding | null {
    this.ensureAt(ident.startIndex);
    return this.resolved.get(ident.id) ?? this.declaredBy.get(ident.id) ?? null;
  }

  /** The binding a declaring identifier introduces, if it is one. */
  declaredAt(ident: Node): Binding | null {
    this.ensureAt(ident.startIndex);
    return this.declaredBy.get(ident.id) ?? null;
  }

  /** Innermost scope containing node. */
  scopeAt(node: Node): Scope {
    this.ensureAt(node.startIndex);
    for (let n: Node | null = node; n; n = n.parent) {
      const s = this.scopeByNode.get(n.id);
      if (s) return s;
    }
    return this.fileScope;
  }

  /** The binding named `name` visible at `node` (respecting declaration order). */
  lookup(name: string, node: Node): Binding | null {
    return this.lookupIn(this.scopeAt(node), name, node.startIndex);
  }

  /**
   * `lookup` from a scope already known to be scopeAt of a node at offset `pos`: a caller
   * looking up many names at one place finds the scope once (each step up a tree costs a
   * walk down from the root in tree-sitter, longer the wider the blocks on the way).
   */
  lookupIn(scope: Scope, name: string, pos: number): Binding | null {
    step();
    for (let s: Scope | null = scope; s; s = s.parent) {
      const list = s.bindings.get(name);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0; i--) if (list[i].visibleFrom <= pos) return list[i];
    }
    return null;
  }

  /** The import path `ident` denotes when it names an imported package there, else null. */
  packagePath(ident: Node): string | null {
    const b = this.resolve(ident);
    return b && b.kind === 'import' ? b.importPath! : null;
  }

  /**
   * For `pkg.Name` (a selector_expression or qualified_type), the import path and name
   * when pkg resolves to an import; null otherwise (a local var named like a package is not one).
   */
  qualified(node: Node): { path: string; name: string } | null {
    node = unparen(node);
    if (node.type === 'selector_expression') {
      const op = field(node, 'operand');
      const f = field(node, 'field');
      if (!op || !f || op.type !== 'identifier') return null;
      const path = this.packagePath(op);
      return path === null ? null : { path, name: f.text };
    }
    if (node.type === 'qualified_type') {
      const p = field(node, 'package');
      const n = field(node, 'name');
      if (!p || !n) return null;
      const path = this.packagePath(p);
      return path === null ? null : { path, name: n.text };
    }
    return null;
  }

  /** Whether `call` is a call of package function path.name (through any alias). */
  isCallTo(call: Node, path: string, names: string | string[]): boolean {
    if (call.type !== 'call_expression') return false;
    // The name first, from the syntax: resolving the qualifier builds the function's scopes.
    const fn = unparen(field(call, 'function')!);
    const nameNode = fn.type === 'selector_expression' ? field(fn, 'field') : fn.type === 'qualified_type' ? field(fn, 'name') : null;
    if (!nameNode) return false;
    const name = nameNode.text;
    if (typeof names === 'string' ? name !== names : !names.includes(name)) return false;
    const q = this.qualified(fn);
    return !!q && q.path === path;
  }

  /** Resolve a type node to a TypeRef (pointers stripped and counted). */
  typeRef(typeNode: Node): TypeRef {
    let pointer = 0;
    let n = typeNode;
    for (;;) {
      if (n.type === 'pointer_type') {
        pointer++;
        n = named(n).find((c) => c.type !== 'comment')!;
      } else if (n.type === 'parenthesized_type') {
        n = named(n).find((c) => c.type !== 'comment')!;
      } else break;
      if (!n) return { pkgPath: null, name: '?', pointer, node: null };
    }
    if (n.type === 'qualified_type') {
      const q = this.qualified(n);
      return { pkgPath: q ? q.path : null, name: q ? q.name : n.text, pointer, node: n };
    }
    if (n.type === 'type_identifier') return { pkgPath: PREDECLARED.has(n.text) ? null : '', name: n.text, pointer, node: n };
    if (n.type === 'generic_type') {
      const t = field(n, 'type');
      if (t) {
        const inner = this.typeRef(t);
        return { ...inner, pointer: inner.pointer + pointer };
      }
    }
    return { pkgPath: null, name: n.type, pointer, node: n };
  }

  /**
   * The type of a binding when the syntax proves it: a declared type, a composite
   * literal / &composite / new(T) initializer, a known std function result, or a
   * conversion-free copy of another proven binding. null when unknown.
   */
  typeOf(b: Binding, depth = 0): TypeRef | null {
    if (b.typeNode) return this.typeRef(b.typeNode);
    if (!b.value || depth > 8) return null;
    if (b.valueIndex >= 0) return this.callResultType(b.value, b.valueIndex);
    return this.typeOfExpr(b.value, depth + 1);
  }

  /** The type of an expression when provable from syntax alone. */
  typeOfExpr(expr: Node, depth = 0): TypeRef | null {
    const e = unparen(expr);
    switch (e.type) {
      case 'composite_literal': {
        const t = field(e, 'type');
        return t ? this.typeRef(t) : null;
      }
      case 'unary_expression': {
        if (e.child(0)?.type !== '&') return null;
        const inner = this.typeOfExpr(field(e, 'operand')!, depth + 1);
        return inner && unparen(field(e, 'operand')!).type === 'composite_literal' ? { ...inner, pointer: inner.pointer + 1 } : null;
      }
      case 'call_expression': {
        const fn = field(e, 'function')!;
        if (fn.type === 'identifier' && !this.resolve(fn)) {
          const args = named(field(e, 'arguments')!).filter((a) => a.type !== 'comment');
          if (fn.text === 'new' && args.length === 1) {
            const t = this.typeRef(args[0]);
            return { ...t, pointer: t.pointer + 1 };
          }
          if (fn.text === 'make' && args.length >= 1) return this.typeRef(args[0]);
        }
        return this.callResultType(e, 0);
      }
      case 'identifier': {
        const b = this.resolve(e);
        return b && depth < 8 && (b.kind === 'var' || b.kind === 'param' || b.kind === 'receiver') ? this.typeOf(b, depth + 1) : null;
      }
      default:
        return null;
    }
  }

  /** Result `index` of a call to a known std function (context.WithTimeout → CancelFunc, r.Context() → Context). */
  callResultType(call: Node, index: number): TypeRef | null {
    if (call.type !== 'call_expression') return null;
    const fn = unparen(field(call, 'function')!);
    const q = this.qualified(fn);
    if (q) {
      const res = STD_RESULTS[`${q.path}.${q.name}`];
      const t = res?.[index];
      return t ? parseTypeString(t) : null;
    }
    // r.Context() on an *http.Request.
    if (fn.type === 'selector_expression' && field(fn, 'field')?.text === 'Context' && index === 0) {
      const op = unparen(field(fn, 'operand')!);
      if (op.type === 'identifier') {
        const b = this.resolve(op);
        const t = b ? this.typeOf(b) : null;
        if (t && t.pkgPath === 'net/http' && t.name === 'Request') return parseTypeString('context.Context');
      }
    }
    return null;
  }

  /** Whether binding b is proven to have type pkgPath.name (pointer: undefined = either). */
  isType(b: Binding, pkgPath: string, name: string, pointer?: number): boolean {
    // Rules ask this of every binding in sight, for every send or call they look at: in a
    // long function, thousands of bindings times thousands of places. A binding's type is
    // worked out once (without the node typeOf returns, which would keep it alive).
    let t = this.typeNames.get(b);
    if (t === undefined) {
      const r = this.typeOf(b);
      this.typeNames.set(b, (t = r && { pkgPath: r.pkgPath, name: r.name, pointer: r.pointer }));
    }
    return !!t && t.pkgPath === pkgPath && t.name === name && (pointer === undefined || t.pointer === pointer);
  }

  private readonly typeNames = new Map<Binding, Pick<TypeRef, 'pkgPath' | 'name' | 'pointer'> | null>();

  /**
   * A name based on `base` that a new declaration at statement `at` can take without
   * changing any other identifier's meaning: not declared in the scope `at` sits in, not
   * written anywhere from `at` to the end of that scope (so no later reference to an outer
   * binding gets captured), not predeclared, not a package-level name or import.
   */
  freshName(base: string, at: Node): string {
    const scope = this.scopeAt(at);
    const used = new Set<string>();
    for (const id of scope.node.descendantsOfType(['identifier', 'package_identifier', 'type_identifier'])) {
      if (id && id.startIndex >= at.startIndex) used.add(id.text);
    }
    const taken = (n: string) =>
      used.has(n) || scope.bindings.has(n) || PREDECLARED.has(n) || this.fileScope.bindings.has(n) || !!this.imports.byLocalName(n);
    if (!taken(base)) return base;
    for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
  }

  // ---- construction ------------------------------------------------------

  private readonly declaredBy = new Map<number, Binding>();

  private newScope(kind: ScopeKind, node: Node, parent: Scope): Scope {
    const s: Scope = { kind, node, parent, bindings: new Map(), children: [] };
    // (The file scope's children getter would visit the whole file: its list is kept aside.)
    if (parent !== this.fileScope) parent.children.push(s);
    else this.fileChildren.push(s);
    this.scopeByNode.set(node.id, s);
    return s;
  }

  private declare(
    scope: Scope,
    name: string,
    kind: BindingKind,
    id: Node,
    decl: Node,
    visibleFrom: number,
    typeNode: Node | null = null,
    value: Node | null = null,
    valueIndex = -1,
  ): Binding | null {
    if (name === '_' || name === '') return null;
    let b: Binding;
    if (scope === this.fileScope) {
      b = new PkgBinding(this, name, kind, id, decl, scope, visibleFrom, typeNode, value, valueIndex);
      this.pkgBindings.push(b);
    } else {
      b = { name, kind, id, decl, scope, visibleFrom, typeNode, value, valueIndex, refs: [] };
      this.cur!.bindings.push(b);
    }
    const list = scope.bindings.get(name);
    if (list) list.push(b);
    else scope.bindings.set(name, [b]);
    this.declaredBy.set(id.id, b);
    return b;
  }

  private ref(ident: Node, scope: Scope): void {
    const name = ident.text;
    if (name === '_') return;
    const pos = ident.startIndex;
    for (let s: Scope | null = scope; s; s = s.parent) {
      const list = s.bindings.get(name);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].visibleFrom <= pos) {
          const b = list[i];
          this.resolved.set(ident.id, b);
          if (s === this.fileScope) (b as PkgBinding)._refs.push(ident);
          else b.refs.push(ident);
          return;
        }
      }
    }
  }

  private declarePackageLevel(tops: Node[]): void {
    const s = this.fileScope;
    for (const spec of this.imports.specs) {
      if (!spec.localName) continue;
      const nameNode = field(spec.node, 'name');
      const b = this.declare(s, spec.localName, 'import', nameNode ?? spec.node, spec.node, 0);
      if (b) b.importPath = spec.path;
    }
    for (const d of tops) {
      switch (d.type) {
        case 'function_declaration': {
          const n = field(d, 'name');
          if (n) this.declare(s, n.text, 'func', n, d, 0);
          break;
        }
        case 'var_declaration':
        case 'const_declaration':
          for (const spec of specsOf(d)) {
            const names = fields(spec, 'name');
            const type = field(spec, 'type');
            const values = valuesOf(spec);
            names.forEach((n, i) => {
              const [v, vi] = pairValue(values, names.length, i);
              this.declare(s, n.text, d.type === 'var_declaration' ? 'var' : 'const', n, spec, 0, type, v, vi);
            });
          }
          break;
        case 'type_declaration':
          for (const spec of named(d)) {
            const n = field(spec, 'name');
            if (n) this.declare(s, n.text, 'type', n, spec, 0, field(spec, 'type'));
          }
          break;
      }
    }
  }

  private visitTopLevel(d: Node): void {
    switch (d.type) {
      case 'function_declaration':
      case 'method_declaration':
        this.visitFunc(d, this.fileScope);
        break;
      case 'var_declaration':
      case 'const_declaration':
        for (const spec of specsOf(d)) for (const c of named(spec)) if (!isNameField(spec, c)) this.visit(c, this.fileScope);
        break;
      case 'type_declaration':
        for (const spec of named(d)) {
          const t = field(spec, 'type');
          if (t) this.visit(t, this.fileScope);
        }
        break;
      default:
        break;
    }
  }

  private visitFunc(fn: Node, parent: Scope): void {
    const scope = this.newScope('func', fn, parent);
    const start = fn.startIndex;
    const declareParams = (list: Node | null, kind: BindingKind) => {
      if (!list) return;
      if (list.type !== 'parameter_list') {
        this.visit(list, scope); // unnamed single result type
        return;
      }
      for (const p of named(list)) {
        if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
        const type = field(p, 'type');
        if (type) this.visit(type, parent);
        for (const n of fields(p, 'name')) this.declare(scope, n.text, kind, n, p, start, type);
      }
    };
    const tparams = field(fn, 'type_parameters');
    if (tparams) {
      for (const tp of named(tparams)) {
        for (const n of fields(tp, 'name')) this.declare(scope, n.text, 'typeparam', n, tp, start);
        const t = field(tp, 'type');
        if (t) this.visit(t, scope);
      }
    }
    declareParams(field(fn, 'receiver'), 'receiver');
    declareParams(field(fn, 'parameters'), 'param');
    declareParams(field(fn, 'result'), 'result');
    const body = field(fn, 'body');
    // The body's top level shares the parameters' block (Go: no redeclaring a param there).
    if (body) for (const c of named(body)) this.visit(c, scope);
  }

  private visit(node: Node, scope: Scope): void {
    const t = node.type;
    switch (t) {
      case 'identifier':
        this.ref(node, scope);
        return;
      case 'package_identifier':
        // The qualifier of a qualified_type.
        this.ref(node, scope);
        return;
      case 'func_literal':
        this.visitFunc(node, scope);
        return;
      case 'function_type':
        // Parameter names of a func type bind nothing; only qualifiers are references.
        for (const q of node.descendantsOfType('qualified_type')) {
          const p = q && field(q, 'package');
          if (p) this.ref(p, scope);
        }
        return;
      case 'selector_expression': {
        const op = field(node, 'operand');
        if (op) this.visit(op, scope);
        return;
      }
      case 'field_identifier':
      case 'type_identifier':
      case 'label_name':
      case 'comment':
      // Literals hold no names (only their content and escapes): not walked.
      case 'interpreted_string_literal':
      case 'raw_string_literal':
      case 'int_literal':
      case 'float_literal':
      case 'imaginary_literal':
      case 'rune_literal':
        return;
      case 'short_var_declaration':
        this.visitShortVar(node, scope);
        return;
      case 'var_declaration':
      case 'const_declaration':
        for (const spec of specsOf(node)) {
          const names = fields(spec, 'name');
          const type = field(spec, 'type');
          const values = valuesOf(spec);
          for (const c of named(spec)) if (!isNameField(spec, c)) this.visit(c, scope);
          names.forEach((n, i) => {
            const [v, vi] = pairValue(values, names.length, i);
            this.declare(scope, n.text, t === 'var_declaration' ? 'var' : 'const', n, spec, spec.endIndex, type, v, vi);
          });
        }
        return;
      case 'type_declaration':
        for (const spec of named(node)) {
          const n = field(spec, 'name');
          if (n) this.declare(scope, n.text, 'type', n, spec, spec.startIndex, field(spec, 'type'));
          const ty = field(spec, 'type');
          if (ty) this.visit(ty, scope);
        }
        return;
      case 'range_clause':
        this.visitRange(node, scope);
        return;
      case 'type_switch_statement':
        this.visitTypeSwitch(node, scope);
        return;
      case 'communication_case':
        this.visitCommCase(node, scope);
        return;
      case 'composite_literal': {
        // The body's keys are field names unless the literal's type is a map: decided here,
        // where the literal is at hand (a parent walk per literal_value cost O(depth x width)
        // in web-tree-sitter, quadratic on generated tables).
        const body = field(node, 'body');
        const type = field(node, 'type');
        const isMap = !!type && type.type === 'map_type';
        for (const c of named(node)) {
          if (body && c.type === 'literal_value' && c.equals(body)) this.visitLiteralValue(c, scope, isMap);
          else this.visit(c, scope);
        }
        return;
      }
      case 'literal_value':
        // An element's literal with its type elided (`[]T{{...}}`): an identifier key is
        // taken for a field name (only a composite literal's own body is known to be a map).
        this.visitLiteralValue(node, scope, false);
        return;
      case 'binary_expression': {
        // `a + b + c + ...` nests to the left; generated data (time/tzdata/zipdata.go) has
        // chains deep enough to overflow the stack: walk the left spine iteratively.
        const spine: Node[] = [];
        let cur: Node | null = node;
        while (cur && cur.type === 'binary_expression') {
          spine.push(cur);
          cur = field(cur, 'left');
        }
        if (cur) this.visit(cur, scope);
        for (let i = spine.length - 1; i >= 0; i--) {
          const left = field(spine[i], 'left');
          for (const c of named(spine[i])) if (!left || !c.equals(left)) this.visit(c, scope);
        }
        return;
      }
      case 'block': {
        const s = this.newScope('block', node, scope);
        for (const c of named(node)) this.visit(c, s);
        return;
      }
      default:
        break;
    }
    const kind = SCOPE_STMT[t];
    const s = kind ? this.newScope(kind, node, scope) : scope;
    for (const c of named(node)) this.visit(c, s);
  }

  private visitShortVar(node: Node, scope: Scope): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (right) this.visit(right, scope);
    if (!left) return;
    const names = named(left).filter((c) => c.type !== 'comment');
    const values = right ? named(right).filter((c) => c.type !== 'comment') : [];
    names.forEach((n, i) => {
      if (n.type !== 'identifier') return this.visit(n, scope);
      // Redeclaration in the same scope is an assignment to the existing variable.
      const existing = scope.bindings.get(n.text);
      if (existing && existing.length) {
        this.ref(n, scope);
        return;
      }
      const [v, vi] = pairValue(values, names.length, i);
      this.declare(scope, n.text, 'var', n, node, node.endIndex, null, v, vi);
    });
  }

  private visitRange(node: Node, scope: Scope): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (right) this.visit(right, scope);
    if (!left) return;
    const isDecl = children(node).some((c) => c.type === ':=');
    const body = node.parent ? field(node.parent, 'body') : null;
    for (const n of named(left)) {
      if (isDecl && n.type === 'identifier') this.declare(scope, n.text, 'var', n, node, body ? body.startIndex : node.endIndex);
      else this.visit(n, scope);
    }
  }

  private visitTypeSwitch(node: Node, parent: Scope): void {
    const scope = this.newScope('switch', node, parent);
    const init = field(node, 'initializer');
    if (init) this.visit(init, scope);
    const value = field(node, 'value');
    if (value) this.visit(value, scope);
    const alias = field(node, 'alias');
    const aliasIdent = alias ? named(alias).find((c) => c.type === 'identifier') ?? null : null;
    for (const clause of named(node)) {
      if (clause.type !== 'type_case' && clause.type !== 'default_case') continue;
      const cs = this.newScope('case', clause, scope);
      const types = fields(clause, 'type');
      for (const ty of types) this.visit(ty, scope);
      if (aliasIdent) {
        // The alias takes the case's type when the case lists exactly one type.
        const ty = types.length === 1 && types[0].type !== 'nil' ? types[0] : null;
        this.declare(cs, aliasIdent.text, 'var', aliasIdent, clause, clause.startIndex, ty, ty ? null : value, -1);
      }
      for (const c of named(clause)) if (!types.some((ty) => ty.equals(c))) this.visit(c, cs);
    }
  }

  private visitCommCase(node: Node, parent: Scope): void {
    const scope = this.newScope('case', node, parent);
    const comm = field(node, 'communication');
    if (comm && comm.type === 'receive_statement' && children(comm).some((c) => c.type === ':=')) {
      const right = field(comm, 'right');
      if (right) this.visit(right, scope);
      const left = field(comm, 'left');
      if (left) for (const n of named(left)) if (n.type === 'identifier') this.declare(scope, n.text, 'var', n, comm, comm.endIndex);
    } else if (comm) this.visit(comm, scope);
    for (const c of named(node)) if (!comm || !c.equals(comm)) this.visit(c, scope);
  }

  private visitLiteralValue(node: Node, scope: Scope, isMap: boolean): void {
    // Keys of struct literals are field names, not references; map literal keys are expressions.
    for (const el of named(node)) {
      if (el.type === 'keyed_element') {
        const [key, value] = named(el).filter((c) => c.type !== 'comment');
        const keyExpr = key && key.type === 'literal_element' ? named(key)[0] : key;
        if (key && !(keyExpr && keyExpr.type === 'identifier' && !isMap)) this.visit(key, scope);
        if (value) this.visit(value, scope);
      } else this.visit(el, scope);
    }
  }
}

function specsOf(decl: Node): Node[] {
  const out: Node[] = [];
  for (const c of named(decl)) {
    if (c.type === 'var_spec' || c.type === 'const_spec') out.push(c);
    else if (c.type === 'var_spec_list' || c.type === 'const_spec_list') out.push(...specsOf(c));
  }
  return out;
}

function valuesOf(spec: Node): Node[] {
  const v = field(spec, 'value');
  if (!v) return [];
  return v.type === 'expression_list' ? named(v).filter((c) => c.type !== 'comment') : [v];
}

function isNameField(spec: Node, c: Node): boolean {
  return fields(spec, 'name').some((n) => n.equals(c));
}

/** The initializer for name i of n: 1:1 when counts match, else (the tuple call, i). */
function pairValue(values: Node[], n: number, i: number): [Node | null, number] {
  if (values.length === n) return [values[i] ?? null, -1];
  if (values.length === 1 && n > 1) return [values[0], i];
  return [null, -1];
}

/** "context.Context" / "*golang.org/x/sync/errgroup.Group" → TypeRef (no node). */
function parseTypeString(s: string): TypeRef {
  let pointer = 0;
  while (s.startsWith('*')) {
    pointer++;
    s = s.slice(1);
  }
  const dot = s.lastIndexOf('.');
  return { pkgPath: dot < 0 ? '' : s.slice(0, dot), name: s.slice(dot + 1), pointer, node: null };
}

export { FUNC_TYPES };
