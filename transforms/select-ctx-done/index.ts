// select-ctx-done: a goroutine blocked on `ch <- v` that nobody will receive is never
// collected (docs/pitfalls.md#send-leak). Give the send an exit:
//   select { case ch <- v: case <-ctx.Done(): return }
// using a context.Context (or a closed/selected done channel) proven to be in scope.
// Stays quiet on sends that cannot block (enough literal buffer) and on sends whose
// channel buffer-result-chan fixes (shared analysis in src/go/chanflow.ts).
import type { Node } from 'web-tree-sitter';
import { goStatementOf, isReceiveExpr, leavesFlow, receiveIgnoringExit, sendFixedByBuffering, sendOnSizedBuffer } from '../../src/go/chanflow.js';
import { CANNOT_BLOCK, NO_EXIT, exitChoiceProblem, exitSkips, existingExitProblem, receiverProblem } from '../../src/go/leakproof.js';
import type { Binding, Scope, Semantics } from '../../src/go/scope.js';
import { fileMentions, inCurrentFile, receiverTypeName, type PackageInfo } from '../../src/go/package.js';
import { sendStatement } from '../../src/go/lexical.js';
import {
  children,
  contains,
  descendants,
  enclosingFunction,
  field,
  indentAt,
  lineEnd,
  lineStart,
  named,
  statementsOf,
  tokensNamed,
  unparen,
} from '../../src/go/syntax.js';
import type { Rule, RuleContext, TextEdit } from '../../src/rules/api.js';
import { defineRule } from '../../src/rules/define.js';

const ID = 'select-ctx-done';

export const rule: Rule = defineRule({
  meta: {
    id: ID,
    summary: 'Give a goroutine\'s bare channel send an exit: select on it and on ctx.Done() (or a done channel)',
    defaultOn: true,
    // Its fixes yield to waitgroup-go's on overlap (the order fixes have always been preferred in).
    after: ['waitgroup-go'],
    // Every finding is a send statement (`ch <- v`): the arrow, then its lexical shape.
    triggers: ['<-'],
    requires: [sendStatement],
    docPath: 'transforms/select-ctx-done/README.md',
  },
  run(ctx) {
    const goroutineFuncs = new GoroutineFuncs(ctx);
    const exitNames = new ExitNames(ctx);
    for (const send of descendants(ctx.root, 'send_statement')) {
      const p = send.parent;
      if (!p || p.type === 'communication_case') continue; // already a select case
      const fn = enclosingFunction(send);
      if (!fn || !goroutineFuncs.isGoroutineBody(fn)) continue; // not a goroutine, or a nested func literal in one
      if (sendOnSizedBuffer(ctx.sem, send) || sendFixedByBuffering(ctx.sem, send)) continue;
      const ch = field(send, 'channel')?.text ?? 'the channel';
      const what = `goroutine send on ${ch} blocks forever if nobody receives it any more`;
      const exit = findExit(ctx, send, exitNames);
      // No exit in scope: stay quiet. Most goroutine sends are received (a stdlib scan
      // found ~400 such sends); buffer-result-chan reports the provable leaks.
      if (!exit) continue;
      const blocked = exit.binding ? receiveIgnoringExit(ctx.sem, send, exit.binding) : null;
      if (blocked) {
        ctx.report({
          node: send,
          message: what,
          noFix: `the receive on line ${blocked.startPosition.row + 1} keeps waiting when ${exit.label} fires, so giving up the send there would block that receiver instead`,
        });
        continue;
      }
      const during = exitAlreadyTaken(ctx.sem, send, exit);
      if (during) {
        ctx.report({
          node: send,
          message: what,
          noFix: `the goroutine already consults ${exit.label} before the send without leaving (line ${during.startPosition.row + 1}), so it may be ready there and a select would drop the value at random`,
        });
        continue;
      }
      const ref = exit.binding ? { binding: exit.binding, kind: exit.kind, base: exit.base } : null;
      const receivers = receiverProblem(ctx.sem, () => ctx.package(), send, fn, ref);
      if (receivers?.startsWith(CANNOT_BLOCK)) continue;
      const problem =
        (ref ? exitChoiceProblem(ctx.sem, send, fn, ref) : null) ??
        receivers ??
        (ref ? existingExitProblem(ctx.sem, send, fn, ref) : null) ??
        skipsWhy(ctx, send, fn);
      // An exit that can never fire (context.Background(), a done channel nobody else
      // closes) is no exit: stay quiet, as when none is in scope.
      if (problem?.startsWith(NO_EXIT)) continue;
      if (problem) {
        ctx.report({ node: send, message: what, noFix: problem });
        continue;
      }
      const edit = rewrite(ctx, send, exit);
      if (typeof edit === 'string') {
        ctx.report({ node: send, message: what, noFix: edit });
        continue;
      }
      ctx.report({
        node: send,
        message: `${what}; select on it and on ${exit.label} so the goroutine can return`,
        fix: { description: `Wrap the send in a select with ${exit.label}`, edits: [edit] },
      });
    }
  },
});

function skipsWhy(ctx: RuleContext, send: Node, fn: Node): string | null {
  const s = exitSkips(ctx.sem, send, fn);
  return s ? `a new exit at the send would skip ${s.what} (line ${s.node.startPosition.row + 1}), which others may wait for` : null;
}

// ---- which functions are goroutine bodies ----------------------------------

class GoroutineFuncs {
  private cache = new Map<number, boolean>();
  constructor(private readonly ctx: RuleContext) {}

  isGoroutineBody(fn: Node): boolean {
    let v = this.cache.get(fn.id);
    if (v === undefined) {
      v = this.compute(fn);
      this.cache.set(fn.id, v);
    }
    return v;
  }

  private compute(fn: Node): boolean {
    if (field(fn, 'result')) return false; // a bare `return` would not compile
    if (fn.type === 'func_literal') return goStatementOf(fn) !== null;
    if (!field(fn, 'body')) return false;
    const nameNode = field(fn, 'name');
    if (!nameNode) return false;
    const name = nameNode.text;
    // An exported name may be called from other packages, which we cannot see.
    if (!/^[a-z_]/.test(name) || name === 'main' || name === 'init' || field(fn, 'type_parameters')) return false;
    const method = fn.type === 'method_declaration';
    let pkg: PackageInfo;
    try {
      pkg = this.ctx.package();
    } catch {
      return false;
    }
    let starts = 0;
    // The file itself first: a reference there that starts no goroutine settles it before
    // any sibling is parsed.
    // (The windows of a file analysed a window at a time come first with it, in its order.)
    const files = [...pkg.files.filter(inCurrentFile), ...pkg.files.filter((f) => !inCurrentFile(f))];
    for (const file of files) {
      if (!fileMentions(file, name)) continue; // an identifier is a whole word: spares parsing the rest
      const refs = method
        ? tokensNamed(file.root, file.source, name, 'field_identifier').filter((n) => n.parent?.type === 'selector_expression')
        : tokensNamed(file.root, file.source, name, 'identifier');
      for (const ref of refs) {
        if (!method) {
          if (file.current && ref.equals(nameNode)) continue;
          const b = file.sem.resolve(ref);
          if (b && b.kind !== 'func') continue; // a local of the same name
        }
        const callee = method ? ref.parent! : ref;
        if (!isGoroutineStart(callee)) return false;
        starts++;
      }
    }
    return starts > 0;
  }
}

/**
 * `callee` is the function of a call that starts a goroutine: `go f(...)`, or the last
 * statement of a goroutine literal whose other statements are defers
 * (`go func() { defer wg.Done(); f(...) }()`): returning from f ends that goroutine.
 */
function isGoroutineStart(callee: Node): boolean {
  const call = callee.parent;
  if (!call || call.type !== 'call_expression' || !field(call, 'function')?.equals(callee)) return false;
  const p = call.parent;
  if (!p) return false;
  if (p.type === 'go_statement') return true;
  if (p.type !== 'expression_statement') return false;
  const list = p.parent;
  if (!list || list.type !== 'statement_list') return false;
  const lit = list.parent?.parent;
  if (!lit || lit.type !== 'func_literal' || !goStatementOf(lit)) return false;
  const stmts = statementsOf(list);
  if (!stmts[stmts.length - 1].equals(p)) return false;
  return stmts.slice(0, -1).every((s) => s.type === 'defer_statement');
}

// ---- the exit ----------------------------------------------------------------

interface Exit {
  /** The context, request, receiver or done-channel binding the exit reads. */
  binding: Binding | null;
  /** The receive operand: `ctx.Done()`, `r.Context().Done()`, `s.ctx.Done()`, `done`. */
  operand: string;
  /** For messages: "ctx.Done()". */
  label: string;
  /** What the exit reads: a context binding, a request's context, a receiver's ctx field, a done channel. */
  kind: 'ctx' | 'request' | 'field' | 'done';
  /** `ctx`, `r.Context()`, `s.ctx`, `done`. */
  base: string;
}

const VALUE_KINDS = new Set(['var', 'param', 'receiver']);

function depth(s: Scope): number {
  let d = 0;
  for (let p = s.parent; p; p = p.parent) d++;
  return d;
}

/**
 * The names of each local scope that may name an exit: a value binding that is a context,
 * an *http.Request or a done channel (what findExit looks for), in the scope's own order.
 * Worked out once per scope: a long function holds thousands of bindings, and going
 * through all of them again for each of its sends was quadratic.
 */
class ExitNames {
  private byScope = new Map<Scope, string[]>();
  constructor(private readonly ctx: RuleContext) {}

  of(s: Scope): string[] {
    let names = this.byScope.get(s);
    if (!names) {
      const sem = this.ctx.sem;
      names = [];
      for (const [name, list] of s.bindings) {
        if (list.some((b) => VALUE_KINDS.has(b.kind) && (isContextOrRequest(sem, b) || isDoneChannel(sem, b)))) names.push(name);
      }
      this.byScope.set(s, names);
    }
    return names;
  }
}

const isContextOrRequest = (sem: Semantics, b: Binding) => sem.isType(b, 'context', 'Context', 0) || sem.isType(b, 'net/http', 'Request', 1);

/**
 * The bindings visible at `at` (not shadowed) that may name an exit, innermost scope
 * first, later declarations first within a scope.
 */
function visibleExits(sem: Semantics, at: Node, exitNames: ExitNames): Binding[] {
  const out: Binding[] = [];
  const inner = sem.scopeAt(at);
  for (let s: Scope | null = inner; s && s.kind !== 'package'; s = s.parent) {
    const here: Binding[] = [];
    for (const name of exitNames.of(s)) {
      const b = sem.lookupIn(inner, name, at.startIndex);
      if (b && b.scope === s && VALUE_KINDS.has(b.kind)) here.push(b);
    }
    here.sort((a, b) => b.visibleFrom - a.visibleFrom);
    out.push(...here);
  }
  return out;
}

function findExit(ctx: RuleContext, send: Node, exitNames: ExitNames): Exit | null {
  const sem = ctx.sem;
  const visible = visibleExits(sem, send, exitNames);
  type Cand = { depth: number; rank: number; exit: Exit };
  const cands: Cand[] = [];
  for (const b of visible) {
    if (sem.isType(b, 'context', 'Context', 0)) {
      cands.push({ depth: depth(b.scope), rank: 0, exit: { binding: b, operand: `${b.name}.Done()`, label: `${b.name}.Done()`, kind: 'ctx', base: b.name } });
    } else if (sem.isType(b, 'net/http', 'Request', 1)) {
      const op = `${b.name}.Context().Done()`;
      cands.push({ depth: depth(b.scope), rank: 1, exit: { binding: b, operand: op, label: op, kind: 'request', base: `${b.name}.Context()` } });
    }
  }
  const field_ = receiverContextField(ctx, send);
  if (field_) cands.push({ depth: field_.depth, rank: 2, exit: { binding: field_.binding, operand: `${field_.expr}.Done()`, label: `${field_.expr}.Done()`, kind: 'field', base: field_.expr } });
  if (cands.length) {
    cands.sort((a, b) => b.depth - a.depth || a.rank - b.rank);
    return cands[0].exit;
  }
  const sendCh = field(send, 'channel');
  const sendB = sendCh && sendCh.type === 'identifier' ? sem.resolve(sendCh) : null;
  for (const b of visible) {
    if (b !== sendB && isDoneChannel(sem, b)) return { binding: b, operand: b.name, label: `<-${b.name}`, kind: 'done', base: b.name };
  }
  return null;
}

/** `s.ctx` when the enclosing method's receiver type declares exactly one context.Context field. */
function receiverContextField(ctx: RuleContext, send: Node): { expr: string; depth: number; binding: Binding } | null {
  let m: Node | null = send;
  while (m && m.type !== 'method_declaration') m = m.parent;
  if (!m) return null;
  const recvList = field(m, 'receiver');
  const decl = recvList ? named(recvList).find((c) => c.type === 'parameter_declaration') : null;
  const nameNode = decl ? field(decl, 'name') : null;
  const typeName = receiverTypeName(m);
  if (!nameNode || !typeName) return null;
  const b = ctx.sem.declaredAt(nameNode);
  if (!b || ctx.sem.lookup(b.name, send) !== b) return null;
  let pkg: PackageInfo;
  try {
    pkg = ctx.package();
  } catch {
    return null;
  }
  const fields = pkg.structFields(typeName);
  if (!fields) return null;
  const ctxFields: string[] = [];
  for (const name of fields.keys()) {
    const t = pkg.fieldType(typeName, name);
    if (t && t.pkgPath === 'context' && t.name === 'Context' && t.pointer === 0) ctxFields.push(name);
  }
  if (ctxFields.length !== 1 || ctxFields[0] === 'Context') return null; // embedded: s.Context is a method set, keep it simple
  return { expr: `${b.name}.${ctxFields[0]}`, depth: depth(b.scope), binding: b };
}

/** A `chan struct{}` / `<-chan struct{}` that some code closes, or selects on. */
function isDoneChannel(sem: Semantics, b: Binding): boolean {
  const t = sem.typeOf(b);
  const node = t?.node;
  if (!node || node.type !== 'channel_type') return false;
  const toks = children(node).map((c) => c.type);
  if (toks[0] !== '<-' && toks.includes('<-')) return false; // send-only
  const value = field(node, 'value');
  if (!value || value.type !== 'struct_type') return false;
  const list = named(value).find((c) => c.type === 'field_declaration_list');
  if (list && named(list).length) return false;
  // A done channel is closed, never sent on (one that is sent on is a semaphore or a signal).
  if (b.refs.some((ref) => ref.parent?.type === 'send_statement' && field(ref.parent, 'channel')?.equals(ref))) return false;
  return b.refs.some((ref) => {
    const p = ref.parent;
    if (!p) return false;
    if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
      const fn = unparen(field(p.parent, 'function')!);
      return fn.type === 'identifier' && fn.text === 'close' && !sem.resolve(fn);
    }
    if (isReceiveExpr(p)) {
      const rs = p.parent;
      return !!rs && rs.type === 'receive_statement' && rs.parent?.type === 'communication_case';
    }
    return false;
  });
}

// ---- the edit ----------------------------------------------------------------

/** The select replacing the send, or why it cannot be written safely. */
function rewrite(ctx: RuleContext, send: Node, exit: Exit): TextEdit | string {
  const src = ctx.source;
  const eol = ctx.eol;
  const list = send.parent!;
  if (list.type !== 'statement_list') return 'the send is not a plain statement (a statement header or a labeled statement)';
  const before = src.slice(lineStart(src, send.startIndex), send.startIndex);
  const restEnd = lineEnd(src, send.endIndex);
  const rest = src.slice(send.endIndex, restEnd);
  const sendText = send.text;

  if (/^[ \t]*$/.test(before)) {
    // The usual case: the send starts its line.
    const indent = indentAt(src, send.startIndex);
    let end = send.endIndex;
    let comment = '';
    if (!/^[ \t]*$/.test(rest)) {
      const m = /^[ \t]*(\/\/.*)$/.exec(rest);
      if (!m) return 'other code follows the send on its line';
      comment = ' ' + m[1];
      end = restEnd;
    }
    // The case clause sits at the send's indentation, so gofmt keeps the send's
    // continuation lines exactly as they are: the text moves byte for byte.
    const text =
      `select {${eol}` +
      `${indent}case ${sendText}:${comment}${eol}` +
      `${indent}case <-${exit.operand}:${eol}` +
      `${indent}\treturn${eol}` +
      `${indent}}`;
    return { start: send.startIndex, end, text };
  }

  // A one-line block holding only the send: `go func() { ch <- v }()`.
  const block = list.parent;
  if (!block || block.type !== 'block') return 'the send shares its line with other code';
  const stmts = named(list);
  if (stmts.length !== 1) return 'the send shares its line with other code';
  const row = send.startPosition.row;
  if (block.startPosition.row !== row || block.endPosition.row !== row || named(block).some((c) => c.type === 'comment')) {
    return 'the send shares its line with other code';
  }
  const indent = indentAt(src, block.startIndex);
  const text =
    `{${eol}` +
    `${indent}\tselect {${eol}` +
    `${indent}\tcase ${sendText}:${eol}` +
    `${indent}\tcase <-${exit.operand}:${eol}` +
    `${indent}\t\treturn${eol}` +
    `${indent}\t}${eol}` +
    `${indent}}`;
  return { start: block.startIndex, end: block.endIndex, text };
}

/**
 * Whether the goroutine already consulted the exit before this send without leaving:
 * inside `case <-ctx.Done():`, after a select whose ctx.Done() case falls through to
 * the send, in an `if ctx.Err() != nil` branch. There the exit may already be ready,
 * so a select on it would pick at random and drop a value someone still waits for.
 * Looks that return when the exit fires (`case <-ctx.Done(): return`) are fine.
 */
function exitAlreadyTaken(sem: Semantics, send: Node, exit: Exit): Node | null {
  if (!exit.binding) return null;
  const fn = enclosingFunction(send);
  const body = fn ? field(fn, 'body') : null;
  if (!body) return null;
  const base = exit.operand.replace(/\.Done\(\)$/, '');
  for (const id of descendants(body, 'identifier')) {
    if (id.startIndex >= send.startIndex) break;
    if (sem.resolve(id) !== exit.binding) continue;
    let top: Node = id;
    while (top.parent && ['selector_expression', 'call_expression', 'parenthesized_expression'].includes(top.parent.type)) top = top.parent;
    const t = top.text;
    const consults = t === `${base}.Done()` || t === `${base}.Err()` || (t === base && top.parent && isReceiveExpr(top.parent));
    if (!consults) continue;
    // `case <-ctx.Done(): return` and `if ctx.Err() != nil { return }` leave: harmless.
    let kase: Node | null = id;
    while (kase && kase.type !== 'communication_case' && kase.type !== 'if_statement' && !kase.equals(body)) kase = kase.parent;
    if (kase && kase.type === 'communication_case' && field(kase, 'communication') && contains(field(kase, 'communication')!, id)) {
      if (!contains(kase, send) && leavesFlow(sem, kase)) continue;
    }
    if (kase && kase.type === 'if_statement' && field(kase, 'condition') && contains(field(kase, 'condition')!, id)) {
      const cons = field(kase, 'consequence');
      if (cons && !contains(cons, send) && leavesFlow(sem, cons)) continue;
    }
    return top;
  }
  return null;
}
