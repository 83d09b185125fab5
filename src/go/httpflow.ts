// Where an http.Transport or http.Client value goes, for the HTTP rules: whether a
// constructed value outlives the function that builds it (returned, stored in a field,
// a package variable, a longer-lived literal), every place in the package where a
// client is used (through locals, package variables and struct fields), and how each
// request's response is consumed (read in full and closed, or streamed: returned,
// stored, passed on, copied to a writer, read line by line), and whether the request
// carries a context with a deadline.
import type { Node } from 'web-tree-sitter';
import { fileMentions, type PackageInfo } from './package.js';
import type { Binding, Semantics } from './scope.js';
import { contains, enclosingFunction, field, named, unparen } from './syntax.js';

const noComment = (n: Node) => n.type !== 'comment';

/** The outermost expression holding `n` unchanged: parentheses, and `&` over a literal. */
function outer(n: Node): Node {
  let e = n;
  for (;;) {
    const p = e.parent;
    if (!p) return e;
    if (p.type === 'parenthesized_expression') e = p;
    else if (p.type === 'unary_expression' && p.child(0)?.type === '&' && e.type === 'composite_literal') e = p;
    else return e;
  }
}

/** The composite literal whose element value `n` is (`T{K: n}`, `T{n}`), with the key; else null. */
function elementOf(n: Node): { lit: Node; key: string | null } | null {
  let p = n.parent;
  if (p && p.type === 'literal_element') p = p.parent;
  if (!p) return null;
  if (p.type === 'keyed_element') {
    const parts = named(p).filter(noComment);
    if (parts.length !== 2 || !(parts[1].equals(n) || (parts[1].type === 'literal_element' && named(parts[1])[0]?.equals(n)))) return null;
    const body = p.parent;
    const lit = body?.parent;
    if (!body || body.type !== 'literal_value' || !lit || lit.type !== 'composite_literal') return null;
    const keyNode = parts[0].type === 'literal_element' ? named(parts[0])[0] : parts[0];
    return { lit, key: keyNode ? keyNode.text : null };
  }
  if (p.type === 'literal_value') {
    const lit = p.parent;
    return lit && lit.type === 'composite_literal' ? { lit, key: null } : null;
  }
  return null;
}

/** Calls that configure a transport in place and keep no reference to it. */
const CONFIGURING_CALLS = /(^|\.)(ConfigureTransport|ConfigureTransports)$/;

type Lifetime = { kind: 'long'; why: string } | { kind: 'local' } | { kind: 'unknown'; why: string };

/**
 * Whether the value of `expr` (a constructed transport or client) outlives the function
 * that builds it: 'long' when it is returned, stored in a field, map, slice or package
 * variable, sent, or held by a literal that does; 'local' when every use stays in the
 * function; 'unknown' when it is handed to code gopitfix does not follow.
 */
interface FlowTrace {
  seen: Set<Binding>;
  /** Composite literals the value became an element of (`&http.Client{Transport: v}`). */
  via: Node[];
  /** Selector targets it was assigned to (`p.Transport = v`). */
  stores: Node[];
}

export function newTrace(): FlowTrace {
  return { seen: new Set(), via: [], stores: [] };
}

export function lifetime(sem: Semantics, expr: Node, depth = 0, trace: FlowTrace = newTrace()): Lifetime {
  const seen = trace;
  if (depth > 12) return { kind: 'unknown', why: 'it flows further than gopitfix follows' };
  const e = outer(expr);
  const el = elementOf(e);
  if (el) {
    trace.via.push(el.lit);
    return lifetime(sem, el.lit, depth + 1, trace);
  }
  const owner = enclosingFunction(e);
  if (!owner) return { kind: 'long', why: 'it is declared at package level' };
  const p = e.parent;
  if (!p) return { kind: 'unknown', why: 'no context' };
  switch (p.type) {
    case 'return_statement':
      return { kind: 'long', why: 'it is returned' };
    case 'selector_expression':
      // (&http.Client{...}).Get(u): used in place.
      return field(p, 'operand')?.equals(e) ? { kind: 'local' } : { kind: 'unknown', why: 'it is used in a selector' };
    case 'send_statement':
      return { kind: 'long', why: 'it is sent on a channel' };
    case 'argument_list': {
      const call = p.parent!;
      const fn = unparen(field(call, 'function')!);
      if (CONFIGURING_CALLS.test(fn.text)) return { kind: 'local' };
      if (fn.type === 'identifier' && fn.text === 'append' && !sem.resolve(fn)) return { kind: 'long', why: 'it is appended to a slice' };
      if (call.parent?.type === 'go_statement') return { kind: 'long', why: 'it is handed to a goroutine' };
      const r = lifetime(sem, call, depth + 1, seen);
      if (r.kind === 'local') {
        // The call's result stays here, but the callee may keep the argument.
        return { kind: 'unknown', why: `it is passed to ${fn.text}` };
      }
      return r.kind === 'long' ? { kind: 'long', why: `it is passed to ${fn.text}, whose result ${r.why.replace(/^it /, '')}` } : r;
    }
    case 'expression_list': {
      const g = p.parent!;
      if (g.type === 'return_statement') return { kind: 'long', why: 'it is returned' };
      const items = named(p).filter(noComment);
      const idx = items.findIndex((c) => c.equals(e));
      let targets: Node[] = [];
      if (g.type === 'assignment_statement' || g.type === 'short_var_declaration') {
        const left = field(g, 'left');
        if (!left || left.equals(p)) return { kind: 'unknown', why: 'it is assigned to' };
        const l = named(left).filter(noComment);
        if (l.length !== items.length) return { kind: 'unknown', why: 'it is part of a tuple assignment' };
        targets = [l[idx]];
      } else if (g.type === 'var_spec') {
        const names = g.childrenForFieldName('name').filter((n): n is Node => !!n);
        if (names.length !== items.length) return { kind: 'unknown', why: 'it is part of a tuple declaration' };
        targets = [names[idx]];
      } else return { kind: 'unknown', why: 'it is used in a list' };
      const t = unparen(targets[0]);
      if (t.type === 'selector_expression') {
        trace.stores.push(t);
        return { kind: 'long', why: `it is stored in the field ${field(t, 'field')?.text}` };
      }
      if (t.type === 'index_expression') return { kind: 'long', why: 'it is stored in a map or slice' };
      if (t.type !== 'identifier') return { kind: 'unknown', why: 'it is assigned to an expression' };
      if (t.text === '_') return { kind: 'local' };
      const b = sem.declaredAt(t) ?? sem.resolve(t);
      if (!b) return { kind: 'long', why: `it is assigned to ${t.text}, declared in another file` };
      if (b.scope.kind === 'package') return { kind: 'long', why: `it is assigned to the package variable ${t.text}` };
      if (!contains(owner, b.id) || b.kind === 'result') return { kind: 'long', why: `it is assigned to ${t.text}, which outlives the function` };
      return varLifetime(sem, b, owner, depth, seen);
    }
    default:
      return { kind: 'unknown', why: `it is used in a ${p.type.replace(/_/g, ' ')}` };
  }
}

function varLifetime(sem: Semantics, b: Binding, owner: Node, depth: number, seen: FlowTrace): Lifetime {
  if (seen.seen.has(b)) return { kind: 'local' };
  seen.seen.add(b);
  let unknown: Lifetime | null = null;
  for (const ref of b.refs) {
    if (!contains(owner, ref)) continue;
    const e = outer(ref);
    const p = e.parent;
    if (!p) continue;
    // x.F, x.M(...), x.F = v: configuration and use in place.
    if (p.type === 'selector_expression' && field(p, 'operand')?.equals(e)) continue;
    // Being assigned (x = other) or compared.
    if (p.type === 'expression_list' && p.parent && field(p.parent, 'left')?.equals(p)) continue;
    if (p.type === 'binary_expression') continue;
    if (p.type === 'unary_expression' && p.child(0)?.type === '&') return { kind: 'long', why: `the address of ${b.name} is taken` };
    const r = lifetime(sem, e, depth + 1, seen);
    if (r.kind === 'long') return { kind: 'long', why: r.why.replace(/^it /, `${b.name} `).replace(/^(\w+) is/, '$1 is') };
    if (r.kind === 'unknown' && !unknown) unknown = { kind: 'unknown', why: r.why.replace(/^it /, `${b.name} `) };
  }
  return unknown ?? { kind: 'local' };
}

// ---- client uses ------------------------------------------------------------------

/** Client methods that send a request and return a response. */
const SEND_METHODS = new Set(['Do', 'Get', 'Head', 'Post', 'PostForm']);
/** Client methods and fields that neither send nor let the client go. */
const INERT_MEMBERS = new Set(['CloseIdleConnections', 'Transport', 'Jar', 'Timeout', 'CheckRedirect']);

export interface ClientUse {
  /** `c.Do(req)`, `c.Get(url)`, ...: the call expression. */
  call: Node;
  method: string;
  /** The semantics of the file the call is in. */
  sem: Semantics;
}

type ClientUses = { ok: true; calls: ClientUse[] } | { ok: false; why: string };

interface Holder {
  kind: 'var' | 'field';
  name: string;
  binding?: Binding;
  owner?: Node | null;
}

/**
 * Every request sent with the client built by `expr`, across the package; or why not
 * all of them can be seen (the client is returned, passed to other code, stored in a
 * type of another package).
 */
export function clientUses(sem: Semantics, expr: Node, pkg: () => PackageInfo): ClientUses {
  const holders: Holder[] = [];
  const calls: ClientUse[] = [];
  const e = outer(expr);
  const why = holdersOf(sem, e, holders, pkg, calls);
  if (why) return { ok: false, why };
  const seenVars = new Set<Binding>();
  for (let i = 0; i < holders.length; i++) {
    const h = holders[i];
    if (h.kind === 'var' && h.binding) {
      if (seenVars.has(h.binding)) continue;
      seenVars.add(h.binding);
      const local = h.binding.scope.kind !== 'package';
      const refs: { node: Node; sem: Semantics }[] = h.binding.refs.map((r) => ({ node: r, sem }));
      if (!local) {
        // A package variable: its uses in the other files of the package too.
        for (const f of pkg().files) {
          if (f.current) continue;
          if (!fileMentions(f, h.name)) continue;
          for (const id of f.root.descendantsOfType('identifier')) {
            if (!id || id.text !== h.name) continue;
            if (f.sem.lookup(h.name, id)) continue; // shadowed, or declared there
            refs.push({ node: id, sem: f.sem });
          }
        }
      }
      for (const r of refs) {
        const w = classifyHolderUse(r.sem, r.node, holders, calls, pkg);
        if (w) return { ok: false, why: `${h.name} ${w}` };
      }
    } else if (h.kind === 'field') {
      for (const f of pkg().files) {
        if (!fileMentions(f, h.name)) continue;
        for (const sel of f.root.descendantsOfType('selector_expression')) {
          if (!sel || field(sel, 'field')?.text !== h.name) continue;
          // The store that made this field a holder is not a use.
          if (isAssignedTo(sel)) continue;
          const w = classifyHolderUse(f.sem, sel, holders, calls, pkg);
          if (w) return { ok: false, why: `the field ${h.name} ${w}` };
        }
      }
    }
    if (holders.length > 40) return { ok: false, why: 'it flows further than gopitfix follows' };
  }
  return { ok: true, calls };
}

function isAssignedTo(n: Node): boolean {
  const e = outer(n);
  const p = e.parent;
  return !!p && p.type === 'expression_list' && !!p.parent && (p.parent.type === 'assignment_statement' || p.parent.type === 'short_var_declaration') && !!field(p.parent, 'left')?.equals(p);
}

/** Where the value of `e` is held; a reason when it goes somewhere whose uses cannot be listed. */
function holdersOf(sem: Semantics, e: Node, holders: Holder[], pkg: () => PackageInfo, calls: ClientUse[]): string | null {
  const p = e.parent;
  if (!p) return 'has no context';
  // (&http.Client{...}).Get(u): used in place.
  if (p.type === 'selector_expression' && field(p, 'operand')?.equals(e)) return classifyHolderUse(sem, e, holders, calls, pkg);
  const el = elementOf(e);
  if (el) {
    // Stored in a struct of this package: its uses go through that field's selectors.
    const t = field(el.lit, 'type');
    if (!el.key || !t || t.type !== 'type_identifier' || !pkg().structFields(t.text)) {
      return `is stored in a ${t ? t.text : 'literal'} literal, whose uses gopitfix cannot list`;
    }
    holders.push({ kind: 'field', name: el.key });
    return null;
  }
  switch (p.type) {
    case 'return_statement':
      return 'is returned, so its callers decide how responses are read';
    case 'argument_list': {
      const fn = unparen(field(p.parent!, 'function')!);
      return `is passed to ${fn.text}, which may stream responses`;
    }
    case 'expression_list': {
      const g = p.parent!;
      if (g.type === 'return_statement') return 'is returned, so its callers decide how responses are read';
      const items = named(p).filter(noComment);
      const idx = items.findIndex((c) => c.equals(e));
      let target: Node | null = null;
      if (g.type === 'assignment_statement' || g.type === 'short_var_declaration') {
        const left = field(g, 'left');
        if (!left || left.equals(p)) return 'is assigned to';
        const l = named(left).filter(noComment);
        if (l.length === items.length) target = l[idx];
      } else if (g.type === 'var_spec') {
        const names = g.childrenForFieldName('name').filter((n): n is Node => !!n);
        if (names.length === items.length) target = names[idx];
      }
      if (!target) return 'is part of a tuple assignment';
      target = unparen(target);
      if (target.type === 'selector_expression') {
        holders.push({ kind: 'field', name: field(target, 'field')!.text });
        return null;
      }
      if (target.type !== 'identifier' || target.text === '_') return 'is assigned to an expression gopitfix does not follow';
      const b = sem.declaredAt(target) ?? sem.resolve(target);
      if (!b) return `is assigned to ${target.text}, declared in another file`;
      if (b.kind === 'result') return 'is returned, so its callers decide how responses are read';
      holders.push({ kind: 'var', name: b.name, binding: b });
      return null;
    }
    default:
      return `is used in a ${p.type.replace(/_/g, ' ')}`;
  }
}

/** One use of a holder: a request sent, an inert member, a copy into another holder; else why not followed. */
function classifyHolderUse(sem: Semantics, ref: Node, holders: Holder[], calls: ClientUse[], pkg: () => PackageInfo): string | null {
  const e = outer(ref);
  const p = e.parent;
  if (!p) return null;
  if (p.type === 'selector_expression' && field(p, 'operand')?.equals(e)) {
    const name = field(p, 'field')?.text ?? '';
    const gp = p.parent;
    const isCall = !!gp && gp.type === 'call_expression' && !!field(gp, 'function')?.equals(p);
    if (isCall && SEND_METHODS.has(name)) {
      calls.push({ call: gp, method: name, sem });
      return null;
    }
    if (INERT_MEMBERS.has(name)) return null;
    return `is used as ${p.text.slice(0, 60)}`;
  }
  if (p.type === 'expression_list' && p.parent && field(p.parent, 'left')?.equals(p)) return null; // reassigned
  if (p.type === 'binary_expression') return null; // c == nil
  if (p.type === 'expression_statement') return null;
  return holdersOf(sem, e, holders, pkg, calls);
}

// ---- responses ---------------------------------------------------------------------

/** Readers that consume a whole body and return (the response cannot be a stream). */
const READ_ALL = new Set(['io.ReadAll', 'io/ioutil.ReadAll']);
const DISCARD = new Set(['io.Discard', 'io/ioutil.Discard']);
const DECODERS = new Set(['encoding/json.NewDecoder', 'encoding/xml.NewDecoder']);

/** Long polls, server-sent events, WebSocket upgrades, watches, follows. */
const STREAM_WORDS = /text\/event-stream|websocket|upgrade|long.?poll|\bwatch|follow|[?&]wait=|stream|subscribe|\bevents\b/i;

/**
 * Why the response of a request sent by `call` may be a stream (the body escapes the
 * function, is copied to a writer, read incrementally, or the request looks like a long
 * poll, event stream or upgrade); null when it is read in full (or only closed).
 */
export function responseStreams(sem: Semantics, call: Node): string | null {
  const fn = enclosingFunction(call);
  if (fn) {
    for (const s of fn.descendantsOfType(['interpreted_string_literal', 'raw_string_literal'])) {
      if (s && STREAM_WORDS.test(s.text)) return `the request looks like a stream or long poll (${s.text.slice(0, 40)})`;
    }
  }
  const e = outer(call);
  const p = e.parent;
  if (!p) return null;
  if (p.type === 'expression_statement') return null;
  if (p.type !== 'expression_list') return 'the response is passed on';
  const g = p.parent!;
  if (g.type === 'return_statement') return 'the response is returned to the caller';
  if (g.type !== 'short_var_declaration' && g.type !== 'assignment_statement') return 'the response is passed on';
  const left = named(field(g, 'left')!).filter(noComment);
  const resp = left[0];
  if (!resp || resp.type !== 'identifier') return 'the response is stored';
  if (resp.text === '_') return null;
  const b = sem.declaredAt(resp) ?? sem.resolve(resp);
  if (!b) return 'the response is stored outside the function';
  if (b.scope.kind === 'package' || b.kind === 'result' || (fn && !contains(fn, b.id))) return 'the response outlives the function';
  for (const ref of b.refs) {
    if (ref.startIndex < g.endIndex && !(fn && contains(fn, ref))) continue;
    const w = respUse(sem, ref);
    if (w) return w;
  }
  return null;
}

function respUse(sem: Semantics, ref: Node): string | null {
  const e = outer(ref);
  const p = e.parent;
  if (!p) return null;
  if (p.type === 'binary_expression') return null; // resp != nil
  if (p.type === 'expression_list' && p.parent && field(p.parent, 'left')?.equals(p)) return null;
  if (p.type !== 'selector_expression' || !field(p, 'operand')?.equals(e)) return 'the response is passed on';
  const member = field(p, 'field')?.text;
  if (member !== 'Body') {
    const gp = p.parent;
    // resp.Write(w), resp.Location() ...: writing the response out streams it.
    if (gp && gp.type === 'call_expression' && field(gp, 'function')?.equals(p) && member === 'Write') return 'the response is written to a writer';
    return null;
  }
  return bodyUse(sem, p);
}

function bodyUse(sem: Semantics, body: Node): string | null {
  const e = outer(body);
  const p = e.parent;
  if (!p) return null;
  if (p.type === 'selector_expression' && field(p, 'operand')?.equals(e)) {
    const m = field(p, 'field')?.text;
    if (m === 'Close') return null;
    return `the body is read incrementally (resp.Body.${m})`;
  }
  if (p.type === 'binary_expression') return null;
  if (p.type === 'argument_list') {
    const call = p.parent!;
    const q = sem.qualified(field(call, 'function')!);
    const key = q ? `${q.path}.${q.name}` : '';
    if (READ_ALL.has(key)) return null;
    if (q && q.path === 'io' && (q.name === 'LimitReader') && readInFull(sem, call)) return null;
    if (q && q.path === 'io' && (q.name === 'Copy' || q.name === 'CopyN' || q.name === 'CopyBuffer')) {
      const dst = named(p).filter(noComment)[0];
      const dq = dst ? sem.qualified(dst) : null;
      if (dq && DISCARD.has(`${dq.path}.${dq.name}`)) return null;
      return 'the body is copied to a writer';
    }
    if (DECODERS.has(key)) {
      // json.NewDecoder(resp.Body).Decode(&v): one value, read in full.
      const sel = call.parent;
      if (sel?.type === 'selector_expression' && field(sel, 'field')?.text === 'Decode' && sel.parent?.type === 'call_expression') return null;
      return 'the body is decoded incrementally';
    }
    return `the body is passed to ${field(call, 'function')!.text}`;
  }
  return 'the body is passed on';
}

/** `io.ReadAll(io.LimitReader(body, n))`. */
function readInFull(sem: Semantics, call: Node): boolean {
  const p = outer(call).parent;
  if (!p || p.type !== 'argument_list') return false;
  const q = sem.qualified(field(p.parent!, 'function')!);
  return !!q && READ_ALL.has(`${q.path}.${q.name}`);
}

// ---- deadlines ---------------------------------------------------------------------

type Deadline = 'deadline' | 'none' | 'unknown';

/**
 * Whether the request sent by `use` (`c.Do(req)`) carries a context with a deadline:
 * 'deadline' when it is built with `http.NewRequestWithContext(ctx, ...)` or
 * `req.WithContext(ctx)` and ctx comes from context.WithTimeout/WithDeadline (through
 * WithCancel/WithValue); 'none' when it provably has none (`http.NewRequest`,
 * `context.Background()`, `c.Get(url)`); 'unknown' otherwise. A request or context that
 * is a parameter is followed to the function's call sites in the package (two levels):
 * 'none' if one of them passes none, 'deadline' if all pass one.
 */
export function requestDeadline(sem: Semantics, use: ClientUse, pkg?: () => PackageInfo): Deadline {
  if (use.method !== 'Do') return 'none';
  const args = named(field(use.call, 'arguments')!).filter(noComment);
  if (args.length !== 1) return 'unknown';
  return reqDeadline(sem, args[0], use.call, pkg, 0);
}

function firstArg(call: Node): Node | null {
  return named(field(call, 'arguments')!).filter(noComment)[0] ?? null;
}

function reqDeadline(sem: Semantics, expr: Node, at: Node, pkg: (() => PackageInfo) | undefined, depth: number): Deadline {
  const e = unparen(expr);
  if (e.type === 'call_expression') {
    if (sem.isCallTo(e, 'net/http', 'NewRequestWithContext')) return argCtxDeadline(sem, e, pkg, depth);
    if (sem.isCallTo(e, 'net/http', 'NewRequest')) return 'none';
    const f = unparen(field(e, 'function')!);
    if (f.type === 'selector_expression' && (field(f, 'field')?.text === 'WithContext' || field(f, 'field')?.text === 'Clone')) {
      return argCtxDeadline(sem, e, pkg, depth);
    }
    return 'unknown';
  }
  return identDeadline(sem, e, at, pkg, depth, 'req');
}

function ctxDeadline(sem: Semantics, expr: Node, at: Node, pkg: (() => PackageInfo) | undefined, depth: number): Deadline {
  const e = unparen(expr);
  if (e.type === 'call_expression') {
    if (sem.isCallTo(e, 'context', ['WithTimeout', 'WithDeadline', 'WithTimeoutCause', 'WithDeadlineCause'])) return 'deadline';
    if (sem.isCallTo(e, 'context', ['Background', 'TODO'])) return 'none';
    if (sem.isCallTo(e, 'context', ['WithCancel', 'WithValue', 'WithCancelCause', 'WithoutCancel'])) return argCtxDeadline(sem, e, pkg, depth);
    return 'unknown';
  }
  return identDeadline(sem, e, at, pkg, depth, 'ctx');
}

/** The deadline of the context passed as the call's first argument. */
function argCtxDeadline(sem: Semantics, call: Node, pkg: (() => PackageInfo) | undefined, depth: number): Deadline {
  const c = firstArg(call);
  return c ? ctxDeadline(sem, c, call, pkg, depth) : 'unknown';
}

/**
 * The deadline of a request or context named by an identifier: a parameter's through the
 * function's call sites, a local's through the value it last got before `at`.
 */
function identDeadline(sem: Semantics, e: Node, at: Node, pkg: (() => PackageInfo) | undefined, depth: number, kind: 'req' | 'ctx'): Deadline {
  if (e.type !== 'identifier') return 'unknown';
  const b = sem.resolve(e);
  if (!b) return 'unknown';
  if (b.kind === 'param') return viaCallers(sem, b, pkg, depth, kind);
  const v = lastValue(sem, e, at);
  if (!v || v.equals(e)) return 'unknown';
  return kind === 'req' ? reqDeadline(sem, v, v, pkg, depth) : ctxDeadline(sem, v, v, pkg, depth);
}

/** The deadline of what every call site of the function declaring parameter `b` passes. */
function viaCallers(sem: Semantics, b: Binding, pkg: (() => PackageInfo) | undefined, depth: number, kind: 'req' | 'ctx'): Deadline {
  if (!pkg || depth >= 2) return 'unknown';
  const fn = enclosingFunction(b.id);
  if (!fn || (fn.type !== 'function_declaration' && fn.type !== 'method_declaration')) return 'unknown';
  const name = field(fn, 'name')?.text;
  const params = field(fn, 'parameters');
  if (!name || !params) return 'unknown';
  let idx = -1;
  let i = 0;
  for (const pd of named(params)) {
    if (pd.type === 'variadic_parameter_declaration') return 'unknown';
    if (pd.type !== 'parameter_declaration') continue;
    const names = pd.childrenForFieldName('name').filter((n): n is Node => !!n);
    for (const n of names.length ? names : [null]) {
      if (n && n.equals(b.id)) idx = i;
      i++;
    }
  }
  if (idx < 0) return 'unknown';
  const results: Deadline[] = [];
  for (const f of pkg().files) {
    if (!fileMentions(f, name)) continue;
    for (const call of f.root.descendantsOfType('call_expression')) {
      if (!call) continue;
      const fe = unparen(field(call, 'function')!);
      const match =
        fn.type === 'function_declaration'
          ? fe.type === 'identifier' && fe.text === name && (f.sem.lookup(name, fe)?.kind ?? 'func') === 'func'
          : fe.type === 'selector_expression' && field(fe, 'field')?.text === name;
      if (!match) continue;
      const a = named(field(call, 'arguments')!).filter(noComment);
      if (a.length !== i || !a[idx]) return 'unknown';
      results.push(kind === 'req' ? reqDeadline(f.sem, a[idx], call, pkg, depth + 1) : ctxDeadline(f.sem, a[idx], call, pkg, depth + 1));
      if (results.length > 20) return 'unknown';
    }
  }
  if (results.length === 0) return 'unknown';
  if (results.includes('none')) return 'none';
  return results.every((r) => r === 'deadline') ? 'deadline' : 'unknown';
}

/**
 * The value last given to the variable `ident` names before `at`: its initializer or a
 * later `x = v` / `x, y := v` (a multi-value call for tuple assignments).
 */
function lastValue(sem: Semantics, ident: Node, at: Node): Node | null {
  const b = sem.resolve(ident);
  if (!b) return null;
  const values: Node[] = [];
  if (b.value && b.decl.startIndex < at.startIndex) values.push(b.value);
  for (const r of b.refs) {
    if (r.startIndex > at.startIndex) continue;
    const p = outer(r).parent;
    const g = p?.parent;
    if (!p || !g || p.type !== 'expression_list' || (g.type !== 'assignment_statement' && g.type !== 'short_var_declaration')) continue;
    if (!field(g, 'left')?.equals(p)) continue;
    const right = named(field(g, 'right')!).filter(noComment);
    const idx = named(p).filter(noComment).findIndex((c) => c.equals(outer(r)));
    values.push(right.length === 1 ? right[0] : right[idx]);
  }
  values.sort((a, c) => a.startIndex - c.startIndex);
  return values[values.length - 1] ?? null;
}
