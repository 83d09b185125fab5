// The leak proof and fix policy select-ctx-done relies on (issue 12): before a goroutine's
// bare send gets `select { case ch <- v: case <-exit: return }`, prove that
//  - the new `return` strands no work others observe (exitSkips),
//  - the exit is a real one: not a context the starter cancels before (or as soon as) the
//    goroutine runs, not the reason the value exists, not a stop channel only the sender
//    closes (exitChoiceProblem),
//  - the channel's receivers can stop listening and none waits for this exact value
//    (receiverProblem, following parameters to the package's call sites and fields to
//    their receives in the package).
// Each check returns a precise reason to withhold the fix, or null.
import type { Node } from 'web-tree-sitter';
import { Semantics, type Binding } from './scope.js';
import { Imports } from './imports.js';
import { parseGo } from '../parser/parser.js';
import { fileMentions, inCurrentFile, type PackageFile, type PackageInfo } from './package.js';
import { detached } from '../util/text.js';
import { keptRanges } from './lexical.js';
import { textHash } from './wordindex.js';
import { chanFacts, goStatementOf, isReceiveExpr, leavesFlow, loopBetween, receiveSelect } from './chanflow.js';
import { FUNC_TYPES, contains, descendants, enclosingFunction, field, named, ownDescendants, statementsOf, tokensNamed, unparen, calleeName } from './syntax.js';

/** Prefix of a receiverProblem answer meaning the send cannot block at all: no finding. */
export const CANNOT_BLOCK = 'cannot block: ';

/** Prefix of an exitChoiceProblem answer meaning the candidate can never fire: as if no exit were in scope, no finding. */
export const NO_EXIT = 'no exit: ';

function line(n: Node): number {
  return n.startPosition.row + 1;
}

function isBuiltin(sem: Semantics, call: Node, name: string): boolean {
  if (call.type !== 'call_expression') return false;
  const fn = unparen(field(call, 'function')!);
  return fn.type === 'identifier' && fn.text === name && !sem.resolve(fn);
}

const CLEANUP_NAMES = new Set(['Done', 'Unlock', 'RUnlock', 'Close', 'close', 'Stop', 'stop', 'Release', 'release', 'Signal', 'Broadcast', 'Finish', 'Shutdown', 'Leave']);

/** A call others wait for or rely on: wg.Done(), mu.Unlock(), close(c), x.Close(), cancel(), t.Stop(), ... */
function cleanupCall(call: Node): string | null {
  const name = calleeName(call);
  if (!name) return null;
  if (CLEANUP_NAMES.has(name) || /cancel|cleanup|unlock|release/i.test(name)) {
    const text = call.text.split('\n')[0];
    return text.length > 40 ? `${unparen(field(call, 'function')!).text}(...)` : text;
  }
  return null;
}

/** The first effect in `stmts` (not entering func literals) that others observe: a cleanup call, a send, a defer, a go statement. */
function observableIn(stmts: Node[], send: Node): { node: Node; what: string } | null {
  for (const s of stmts) {
    const nodes = [s, ...ownDescendants(s, ['call_expression', 'send_statement', 'defer_statement', 'go_statement'])];
    for (const n of nodes) {
      if (n.type === 'call_expression') {
        const c = cleanupCall(n);
        if (c) return { node: n, what: `non-deferred ${c}` };
      } else if (n.type === 'send_statement' && !n.equals(send)) {
        return { node: n, what: `the send on ${field(n, 'channel')?.text ?? 'another channel'}` };
      } else if (n.type === 'defer_statement') {
        return { node: n, what: 'a defer registered after the send' };
      }
    }
  }
  return null;
}

/**
 * What a `return` in place of `send` would skip that others can observe, or null. Inside a
 * loop, the rest of the iteration may only do private work (no cleanup call, no other send);
 * after the outermost loop (the goroutine's epilogue) nothing but `return` may follow.
 */
export function exitSkips(sem: Semantics, send: Node, fn: Node): { node: Node; what: string } | null {
  void sem;
  let stmt: Node = send;
  for (;;) {
    const list = stmt.parent;
    if (!list || FUNC_TYPES.has(list.type)) return null;
    if (list.type === 'statement_list') {
      const stmts = statementsOf(list);
      const rest = stmts.slice(stmts.findIndex((x) => x.equals(stmt)) + 1);
      const inLoop = loopBetween(stmt, fn);
      if (inLoop) {
        const o = observableIn(rest, send);
        if (o) return o;
      } else {
        for (const r of rest) {
          if (r.type === 'return_statement' && named(r).length === 0) return null;
          if (r.type === 'empty_statement') continue;
          const o = observableIn([r], send);
          return o ?? { node: r, what: `the statement after the send (${r.text.split('\n')[0].slice(0, 40)})` };
        }
      }
    }
    if (list.equals(field(fn, 'body') ?? list) && list.type === 'block') return null;
    stmt = list;
  }
}

// ---- exit choice -------------------------------------------------------------

interface ExitRef {
  /** The context / request / receiver / done-channel binding. */
  binding: Binding;
  /** How the exit is read: 'ctx' (a context binding), 'request' (r.Context()), 'field' (s.ctx), 'done' (a done channel). */
  kind: 'ctx' | 'request' | 'field' | 'done';
  /** `ctx`, `r`, `s.ctx`, `done`. */
  base: string;
}

/** Whether node mentions the exit (its binding, or for a field exit `s.ctx`). */
function mentionsExit(sem: Semantics, node: Node, exit: ExitRef): boolean {
  for (const id of descendants(node, 'identifier')) {
    if (sem.resolve(id) !== exit.binding) continue;
    if (exit.kind !== 'field' && exit.kind !== 'request') return true;
    const p = id.parent;
    const want = exit.kind === 'field' ? exit.base : `${exit.binding.name}.Context`;
    if (p && p.type === 'selector_expression' && p.text.replace(/\s+/g, '') === want) return true;
  }
  if (node.type === 'identifier' && sem.resolve(node) === exit.binding && exit.kind !== 'field' && exit.kind !== 'request') return true;
  return false;
}

/** A context binding whose value is `X.Context()` for a request X: the request's context. */
function isRequestContext(sem: Semantics, b: Binding): boolean {
  const v = b.value ? unparen(b.value) : null;
  if (!v || v.type !== 'call_expression' || b.valueIndex > 0) return false;
  const fn = unparen(field(v, 'function')!);
  if (fn.type !== 'selector_expression' || field(fn, 'field')?.text !== 'Context') return false;
  const operand = unparen(field(fn, 'operand')!);
  if (operand.type !== 'identifier') return false;
  const rb = sem.resolve(operand);
  return !!rb && sem.isType(rb, 'net/http', 'Request', 1);
}

/** The cancel function declared with ctx (`ctx, cancel := context.WithX(...)`), or null. */
function cancelOf(sem: Semantics, b: Binding): Binding | null {
  const decl = b.decl;
  if (decl.type !== 'short_var_declaration' && decl.type !== 'assignment_statement' && decl.type !== 'var_spec') return null;
  const left = field(decl, 'left') ?? decl;
  const ids = named(left).filter((c) => c.type === 'identifier');
  if (ids.length !== 2 || ids[0].text !== b.name) return null;
  const right = field(decl, 'right') ?? field(decl, 'value');
  const call = right ? named(right)[0] : null;
  if (!call || call.type !== 'call_expression') return null;
  if (!sem.isCallTo(call, 'context', ['WithCancel', 'WithTimeout', 'WithDeadline', 'WithCancelCause'])) return null;
  const cb = sem.declaredAt(ids[1]) ?? sem.resolve(ids[1]);
  return cb && cb.name !== '_' ? cb : null;
}

/** Whether the function starting the goroutine waits for it after `go`: receives on `chanB`, or calls .Wait(). */
function starterWaits(sem: Semantics, starter: Node, go: Node, chanB: Binding | null): boolean {
  const body = field(starter, 'body');
  if (!body) return false;
  for (const n of ownDescendants(body, ['unary_expression', 'range_clause', 'call_expression'])) {
    if (n.startIndex < go.endIndex) continue;
    if (n.type === 'call_expression') {
      if (calleeName(n) === 'Wait') return true;
      continue;
    }
    const operand = n.type === 'range_clause' ? field(n, 'right') : isReceiveExpr(n) ? field(n, 'operand') : null;
    if (operand && operand.type === 'identifier' && chanB && sem.resolve(operand) === chanB) return true;
  }
  return false;
}

/**
 * Why `exit` is a wrong exit for this send, or null:
 *  - a request's context (or a context the starter cancels with `defer cancel()`) in a
 *    goroutine the starter does not wait for: it is cancelled as soon as the starter
 *    returns, right after starting the goroutine, and the select would drop the value;
 *  - a context cancelled before the goroutine starts;
 *  - a value computed from the exit (`v, err := f(ctx)`; `errc <- ctx.Err()`): when the
 *    send runs, both cases may be ready;
 *  - a done channel closed only by the sender itself (never by anyone else).
 */
export function exitChoiceProblem(sem: Semantics, send: Node, goFn: Node, exit: ExitRef): string | null {
  const value = field(send, 'value');
  const go = goStatementOf(goFn);
  const starter = go ? enclosingFunction(go) : null;
  const chanNode = field(send, 'channel');
  const chanB = chanNode && chanNode.type === 'identifier' ? sem.resolve(chanNode) : null;

  // The value exists because the exit fired.
  if (value) {
    if (mentionsExit(sem, value, exit)) return `the sent value is computed from ${exit.base}, so it may exist because ${exit.base} is done and the select would drop it at random`;
    const body = field(goFn, 'body');
    for (const id of descendants(value, 'identifier')) {
      const b = sem.resolve(id);
      if (!b || !body || !contains(body, b.id) || (b.kind !== 'var' && b.kind !== 'param')) continue;
      const sources: Node[] = [b.decl];
      for (const ref of b.refs) {
        // `v = f(ctx)`, `v.Err = f(ctx)`, `v[i] = ...`: any assignment whose left side holds v.
        let a: Node | null = ref.parent;
        while (a && (a.type === 'selector_expression' || a.type === 'index_expression' || a.type === 'expression_list' || a.type === 'parenthesized_expression')) a = a.parent;
        if (a && a.type === 'assignment_statement' && field(a, 'left') && contains(field(a, 'left')!, ref)) sources.push(a);
      }
      for (const s of sources) {
        if (mentionsExit(sem, s, exit)) {
          return `${b.name} (line ${line(s)}) is computed from ${exit.base}, so the value may exist because ${exit.base} is done and the select would drop it at random`;
        }
      }
    }
  }

  if (exit.kind === 'ctx' && exit.binding.value && exit.binding.valueIndex <= 0) {
    const v = unparen(exit.binding.value);
    if (v.type === 'call_expression' && sem.isCallTo(v, 'context', ['Background', 'TODO'])) {
      return `${NO_EXIT}${exit.base} is ${v.text}, which is never done`;
    }
  }

  if (exit.kind === 'request' || (exit.kind === 'ctx' && isRequestContext(sem, exit.binding))) {
    if (!go || !starter) return `${exit.base} is a request's context, cancelled when the handler returns; the goroutine's starter cannot be seen to wait for it`;
    if (!starterWaits(sem, starter, go, chanB)) {
      return `the request's context is cancelled as soon as the handler returns, and the handler does not wait for this goroutine (line ${line(go)}): the select would drop the value`;
    }
  }

  if (exit.kind === 'ctx') {
    const cancel = cancelOf(sem, exit.binding);
    if (cancel && go) {
      const declFn = enclosingFunction(exit.binding.id);
      for (const ref of cancel.refs) {
        const call = ref.parent;
        if (!call || call.type !== 'call_expression' || !field(call, 'function')?.equals(ref)) continue;
        const deferred = call.parent?.type === 'defer_statement';
        const inFn = enclosingFunction(call);
        if (!deferred && inFn && declFn && inFn.equals(declFn) && call.startIndex < go.startIndex && call.startIndex > exit.binding.id.startIndex) {
          return `${exit.base} is cancelled (${cancel.name}() on line ${line(call)}) before the goroutine starts, so every send would race a ready Done`;
        }
        if (deferred && inFn && starter && inFn.equals(starter) && !starterWaits(sem, starter, go, chanB)) {
          return `${exit.base} is cancelled by the deferred ${cancel.name}() (line ${line(call)}) as soon as the function starting the goroutine returns, and it does not wait for the goroutine: the select would drop the value`;
        }
      }
    }
  }

  if (exit.kind === 'done') {
    const closers = exit.binding.refs.filter((ref) => {
      const p = ref.parent;
      return !!p && p.type === 'argument_list' && !!p.parent && isBuiltin(sem, p.parent, 'close');
    });
    const foreign = closers.filter((ref) => !contains(goFn, ref));
    if (closers.length > 0 && foreign.length === 0) return `${NO_EXIT}${exit.base} is closed only by the sending goroutine itself, so it never fires while the send waits`;
    if (closers.length === 0 && exit.binding.kind === 'var') return `${NO_EXIT}nothing closes ${exit.base}, so it never fires`;
  }
  return null;
}

const LOG_CALL = /^(Debug|Debugf|Info|Infof|Warn|Warnf|Warning|Warningf|Error|Errorf|Trace|Tracef|Print|Printf|Println|Log|Logf|V)$/;

/** Whether a statement is a bare `return` or a logging call (skipping it changes nothing others wait for). */
function trivialExitStatement(s: Node): boolean {
  if (s.type === 'return_statement') return named(s).length === 0;
  if (s.type === 'empty_statement') return true;
  if (s.type !== 'expression_statement') return false;
  const call = unparen(named(s)[0]);
  if (call.type !== 'call_expression') return false;
  const fn = unparen(field(call, 'function')!);
  if (fn.type !== 'selector_expression') return false;
  const name = field(fn, 'field')?.text ?? '';
  const recv = field(fn, 'operand')!.text;
  return LOG_CALL.test(name) && /(^|\.)(log|logger|lg|l|t|b|L\(\)|Logger\(\)|klog|glog|logrus|zap)$|log/i.test(recv);
}

/**
 * The goroutine already leaves on the same exit elsewhere and does more there than
 * return (`case <-ctx.Done(): close(ch); return`, errors sent to waiters, a final
 * result sent): a bare `return` at the send would skip that work. Returns the reason, or null.
 */
export function existingExitProblem(sem: Semantics, send: Node, goFn: Node, exit: ExitRef): string | null {
  const body = field(goFn, 'body');
  if (!body) return null;
  for (const kase of ownDescendants(body, ['communication_case'])) {
    const comm = field(kase, 'communication');
    if (!comm || !mentionsExitSignal(sem, comm, exit)) continue;
    const stmts = statementsOf(kase);
    const extra = stmts.find((s) => !trivialExitStatement(s));
    if (extra && stmts.some((s) => s.type === 'return_statement' || (s.type === 'expression_statement' && leavesFlow(sem, s))) ) {
      return `the goroutine's existing exit on ${exit.base} (line ${line(kase)}) also runs ${extra.text.split('\n')[0].slice(0, 40)}: a bare return at the send would skip it`;
    }
    if (extra && !contains(kase, send)) {
      return `the goroutine's existing case on ${exit.base} (line ${line(kase)}) does more than return (${extra.text.split('\n')[0].slice(0, 40)}), so a bare return at the send would not match it`;
    }
  }
  return null;
}

/** Whether a select case's communication receives from the exit signal: `<-ctx.Done()`, `<-s.ctx.Done()`, `<-done`, `<-r.Context().Done()`. */
function mentionsExitSignal(sem: Semantics, comm: Node, exit: ExitRef): boolean {
  const text = comm.text.replace(/\s+/g, '');
  const want = exit.kind === 'done' ? `<-${exit.base}` : `<-${exit.base}.Done()`;
  if (!text.endsWith(want)) return false;
  const root = descendants(comm, 'identifier')[0];
  return !!root && sem.resolve(root) === exit.binding;
}

// ---- receivers -------------------------------------------------------------------

/** How a receive use behaves when its owner may stop: null when it can stop listening (a select case next to a leaving case). */
function receiveWaits(sem: Semantics, r: Node, strict = false): string | null {
  if (r.type === 'range_clause') return 'drains it with range';
  const sel = receiveSelect(r);
  if (!sel && strict) return 'receives from it unconditionally';
  if (!sel) {
    // One plain receive per call of a function (`func (t *T) Next() int { return <-t.out }`):
    // its callers stop by not calling. In a loop it is a consumer that keeps listening;
    // after a cancel in the same function it waits for the value the exit would drop.
    const fn = enclosingFunction(r);
    if (!fn || loopBetween(r, fn)) return 'receives from it in a loop';
    const body = field(fn, 'body');
    const cancel = body ? ownDescendants(body, ['call_expression']).find((c) => c.startIndex < r.startIndex && /cancel|^(Stop|Close|stop|close)$/i.test(calleeName(c) ?? '')) : null;
    if (cancel) return `receives from it after ${unparen(field(cancel, 'function')!).text}() on line ${line(cancel)}`;
    return null;
  }
  const inLoop = loopBetween(sel.select, enclosingFunction(sel.select) ?? sel.select);
  for (const c of named(sel.select)) {
    if (c.equals(sel.kase) || (c.type !== 'communication_case' && c.type !== 'default_case')) continue;
    if (!inLoop || leavesFlow(sem, c)) return null;
  }
  return 'receives from it in a select that never stops listening';
}

type Use = { kind: 'send' | 'recv' | 'close' | 'len' | 'other'; node: Node };

/** A file's Semantics, or a getter for it (built only when a use needs it). */
type SemOf = Semantics | (() => Semantics);
const semOf = (s: SemOf): Semantics => (typeof s === 'function' ? s() : s);

function classify(semArg: SemOf, ref: Node): Use {
  let e: Node = ref;
  while (e.parent && e.parent.type === 'parenthesized_expression') e = e.parent;
  const p = e.parent;
  if (!p) return { kind: 'other', node: e };
  if (p.type === 'send_statement' && field(p, 'channel')?.equals(e)) return { kind: 'send', node: p };
  if (isReceiveExpr(p) && field(p, 'operand')?.equals(e)) return { kind: 'recv', node: p };
  if (p.type === 'range_clause' && field(p, 'right')?.equals(e)) return { kind: 'recv', node: p };
  if (p.type === 'argument_list' && p.parent) {
    const sem = semOf(semArg);
    if (isBuiltin(sem, p.parent, 'close')) return { kind: 'close', node: p.parent };
    if (isBuiltin(sem, p.parent, 'len') || isBuiltin(sem, p.parent, 'cap')) return { kind: 'len', node: p.parent };
  }
  return { kind: 'other', node: e };
}

function where(file: PackageFile, n: Node): string {
  const base = file.absPath.split('/').pop();
  return inCurrentFile(file) ? `line ${line(n)}` : `${base}:${line(n)}`;
}

/** The exit's last name as receivers would spell it: `ctx` for ctx and s.ctx, `done` for done. */
function exitName(exit: ExitRef): string {
  const parts = exit.base.replace(/\(\)$/, '').split('.');
  return exit.kind === 'request' ? 'Context' : parts[parts.length - 1];
}

/** For a receive that is a select case: whether another case of that select leaves on a signal named like the exit. */
function leavesOnExit(sem: Semantics, r: Node, exit: ExitRef): boolean {
  const sel = receiveSelect(r);
  if (!sel) return true; // a plain one-off receive: its caller stops by not calling
  const name = exitName(exit);
  const inLoop = loopBetween(sel.select, enclosingFunction(sel.select) ?? sel.select);
  for (const c of named(sel.select)) {
    if (c.equals(sel.kase) || c.type !== 'communication_case') continue;
    if (inLoop && !leavesFlow(sem, c)) continue;
    const comm = field(c, 'communication');
    if (comm && [...descendants(comm, 'identifier'), ...descendants(comm, 'field_identifier')].some((id) => id.text === name)) return true;
  }
  return false;
}

/** How a channel expression initializes a field: a `make(chan T)` (unbuffered), a buffered make, nil, or something else. */
function initKind(v: Node | null | undefined): 'unbuffered' | 'buffered' | 'other' {
  const e = v ? unparen(v) : null;
  if (!e) return 'other';
  if (e.type === 'nil') return 'unbuffered';
  if (e.type === 'call_expression' && unparen(field(e, 'function')!).text === 'make') {
    const args = named(field(e, 'arguments')!).filter((c) => c.type !== 'comment');
    if (args[0]?.type !== 'channel_type') return 'other';
    if (args.length === 1 || args[1].text === '0') return 'unbuffered';
    return 'buffered';
  }
  return 'other';
}

/** Judge the uses of a field or package channel against the exit: a reason to withhold the fix, or null. */
function judgeShared(semArg: SemOf, file: PackageFile, label: string, uses: Use[], exit: ExitRef | null): string | null {
  for (const u of uses) {
    if (u.kind === 'recv') {
      const sem = semOf(semArg);
      const w = receiveWaits(sem, u.node);
      if (w) return `${label} is received where the receiver keeps waiting (${w}, ${where(file, u.node)}): a dropped value would hang it, and the send cannot leak while it listens`;
      if (!exit || !leavesOnExit(sem, u.node, exit)) {
        return `the receiver of ${label} (${where(file, u.node)}) stops listening on a signal that cannot be tied to ${exit ? exit.base : 'the exit'}`;
      }
    } else if (u.kind === 'other') {
      // An initialization: `x.f = make(chan T)`.
      const list = u.node.parent;
      const a = list?.type === 'expression_list' ? list.parent : null;
      if (a && a.type === 'assignment_statement' && field(a, 'left')?.equals(list!)) {
        const i = named(list!).findIndex((c) => c.equals(u.node));
        const k = initKind(named(field(a, 'right')!)[i]);
        if (k === 'unbuffered') continue;
        if (k === 'buffered') return `${label} is made with a buffer (${where(file, a)}): whether a send can block depends on how many values each channel gets`;
      }
      return `${label} is also used at ${where(file, u.node)} (${u.node.parent?.text.split('\n')[0].slice(0, 50)}), so its receivers cannot all be seen`;
    }
  }
  return null;
}

/**
 * Per-file facts about a name, kept as long as the file's tree: a sibling's PackageFile
 * (and its tree) lives across the files of its package in the loader, so a package-wide
 * question asked once per send (every send of a big package's files) walks each sibling
 * once per name instead of once per send. The current file's PackageFile is made anew
 * for every pass, so its facts never outlive its text.
 */
const fileFacts = new WeakMap<PackageFile, Map<string, unknown>>();

function factOf<T>(file: PackageFile, key: string, make: () => T): T {
  let m = fileFacts.get(file);
  if (!m) fileFacts.set(file, (m = new Map()));
  if (m.has(key)) return m.get(key) as T;
  const v = make();
  m.set(key, v);
  return v;
}

/**
 * Facts that hold no tree node (names, kinds, message text), kept per sibling text for
 * the whole directory: they outlive the sibling's tree, which the loader drops past its
 * budget in a big package, so a sibling whose answer is known is not parsed again for
 * every file of the package. Keyed by path and checked against the text's stamp; a
 * sibling is never the current file, whose facts stay with its PackageFile (messages
 * name a sibling's line as file:line, the current file's as line N). Strings kept here
 * are `detached`: a slice of a sibling's text would keep all of it alive.
 */
let durableDir = '';
const durable = new Map<string, { stamp: string; facts: Map<string, unknown> }>();

function durableFactOf<T>(file: PackageFile, key: string, make: () => T): T {
  if (file.current) return factOf(file, key, make);
  const dir = file.absPath.slice(0, file.absPath.lastIndexOf('/') + 1);
  if (dir !== durableDir) {
    durable.clear();
    durableDir = dir;
  }
  const stamp = file.stamp ?? file.source;
  const filed = file.factKey ?? file.absPath;
  let e = durable.get(filed);
  if (!e || e.stamp !== stamp) durable.set(filed, (e = { stamp, facts: new Map() }));
  if (e.facts.has(key)) return e.facts.get(key) as T;
  const v = make();
  e.facts.set(key, v);
  return v;
}

/**
 * Runs `use` on a sibling parsed on its own and deleted right after: a durable fact about
 * every file of a package must not keep (or make the loader keep) every sibling's tree at
 * once (its WebAssembly memory grew with the package and never shrinks). What `use`
 * returns must hold no node. The current file, and a sibling whose tree the loader
 * holds, are used as they are.
 *
 * `use` looks only at the uses of the words in `keep`: the parse leaves out the inside of
 * the top-level function bodies that mention none of them (lexical.ts, `keptRanges`).
 * Package-level declarations, offsets and line numbers stay as they are, and a huge
 * file's tree is the size of the functions that matter (the WebAssembly heap grows to the
 * largest trees alive at once). A partial tree with a syntax error gives way to a tree
 * of the whole text.
 */
function onOwnTree<T>(file: PackageFile, keep: readonly string[], use: (f: PackageFile) => T): T {
  if (file.current || file.isParsed?.()) return use(file);
  const source = file.source;
  const ranges = file.keptSpans ? file.keptSpans(keep) : keptRanges(source, keep);
  let tree = parseGo(source, ranges ?? file.spans);
  if (ranges && tree.rootNode.hasError) {
    tree.delete();
    tree = parseGo(source, file.spans);
  }
  try {
    const root = tree.rootNode;
    let imports: Imports | null = null;
    let sem: Semantics | null = null;
    return use({
      absPath: file.absPath,
      source,
      current: false,
      mayMention: file.mayMention,
      stamp: file.stamp,
      factKey: file.factKey,
      sameFile: file.sameFile,
      ownText: file.ownText,
      spans: file.spans,
      root,
      get imports() {
        return (imports ??= new Imports(root, source));
      },
      get sem() {
        return (sem ??= new Semantics(root, this.imports));
      },
    });
  } finally {
    tree.delete();
  }
}

/** `at`: the literal's offset and the element's index, the order a walk of the file meets them in. */
type LiteralInit = { at: [number, number] } & (
  | { kind: 'buffered' | 'other'; where: string; valueText: string | undefined }
  | { kind: 'positional'; typeName: string; typeText: string; where: string }
);

/**
 * The elements of a file's composite literals that may set a field, in order (what
 * firstLiteralInit judges): keyed elements `f: v` (for f given), and the first element
 * of each positional literal of one of `types` (when given).
 */
function literalInitsOf(file: PackageFile, f: string | null, types: ReadonlySet<string> | null): LiteralInit[] {
  const out: LiteralInit[] = [];
  // Walked directly: on a tree parsed for this fact alone, the shared per-tree index
  // (descendants) would materialise every indexed node type for one of them.
  for (const lit of file.root.descendantsOfType('composite_literal')) {
    if (!lit) continue;
    const t = field(lit, 'type');
    const body = field(lit, 'body');
    if (!body) continue;
    const typeName = t?.text.replace(/^\*/, '');
    let positional = false;
    const els = named(body);
    for (let i = 0; i < els.length; i++) {
      const el = els[i];
      const at: [number, number] = [lit.startIndex, i];
      if (el.type === 'keyed_element') {
        if (f === null) continue;
        const key = field(el, 'key') ?? named(el)[0];
        if (key?.text !== f) continue;
        const value = field(el, 'value') ?? named(el)[1];
        const k = initKind(value && value.type === 'literal_element' ? named(value)[0] : value);
        if (k !== 'unbuffered') out.push({ at, kind: k, where: where(file, el), valueText: value && detached(value.text.slice(0, 40)) });
      } else if (el.type === 'literal_element' && t && typeName && !positional && types?.has(typeName)) {
        positional = true;
        out.push({ at, kind: 'positional', typeName: detached(typeName), typeText: detached(t.text), where: where(file, lit) });
      }
    }
  }
  return out;
}

/**
 * The first composite literal in a file that sets field `f` in a way that hides its
 * receivers: keyed `f: v` (judged by v), or a positional literal of a struct type with
 * that field. A file that names neither f nor any of those types has none (a positional
 * literal names its type, not its fields).
 */
function firstLiteralInit(file: PackageFile, f: string, structsWithF: Set<string>): LiteralInit | null {
  const keyed = fileMentions(file, f) ? fieldFacts(file, f).inits : [];
  const types = [...structsWithF].filter((s) => fileMentions(file, s)).sort();
  const positional = types.length
    ? durableFactOf(file, `positional-inits:${types.join(',')}`, () => onOwnTree(file, types, (pf) => literalInitsOf(pf, null, new Set(types))))
    : [];
  const inits = positional.length ? [...keyed, ...positional].sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]) : keyed;
  return inits.find((c) => c.kind !== 'positional' || structsWithF.has(c.typeName)) ?? null;
}

function literalInitReason(c: LiteralInit, label: string): string {
  if (c.kind === 'positional') return `${label} is set positionally in a ${c.typeText} literal (${c.where}), so its receivers cannot all be seen`;
  if (c.kind === 'buffered') return `${label} is made with a buffer (${c.where}): whether a send can block depends on how many values each channel gets`;
  return `${label} is set from ${c.valueText} (${c.where}), so its receivers cannot all be seen`;
}

/**
 * What every send on a field named f asks of the package again, kept for the package as
 * loaded for the file being processed: the struct types that declare f, and each file's
 * first literal that may set it (a file of 25k lines holds dozens of such sends, and each
 * asked every file of a 300-file package about each of its struct types).
 */
const fieldQuestions = new WeakMap<PackageInfo, Map<string, FieldQuestion>>();

interface FieldQuestion {
  structs: Set<string>;
  /** Names the struct set in durable keys: a sibling's first literal depends on it, not on the file processed. */
  structsKey: string;
  firstInit: Map<PackageFile, LiteralInit | null>;
}

function questionsOf(info: PackageInfo, f: string): FieldQuestion {
  let m = fieldQuestions.get(info);
  if (!m) fieldQuestions.set(info, (m = new Map()));
  let q = m.get(f);
  if (!q) {
    const structs = structsDeclaring(info, f);
    m.set(f, (q = { structs, structsKey: textHash([...structs].sort().join(',')), firstInit: new Map() }));
  }
  return q;
}

/**
 * What receiverProblem asks of a file that names field f, from one parse of it: the
 * struct types declaring f, whether any use of f needs judging (sends, close, len and
 * cap never give judgeShared a reason: a file with only those needs no judging, nor its
 * tree, once that is known), and the keyed elements that set f (positional literals, which
 * do not name f, are looked for by type in firstLiteralInit).
 */
function fieldFacts(file: PackageFile, f: string): { structs: string[]; judged: boolean; inits: LiteralInit[] } {
  return durableFactOf(file, `field-facts:${f}`, () =>
    onOwnTree(file, [f], (pf) => ({ structs: structsDeclaringIn(pf, f), judged: fieldUses(pf, f)!.some(judged), inits: literalInitsOf(pf, f, null) })),
  );
}

/** Names of the package's struct types that declare a field named f. */
function structsDeclaring(info: PackageInfo, f: string): Set<string> {
  const out = new Set<string>();
  for (const file of info.files) {
    if (!fileMentions(file, f)) continue;
    for (const name of fieldFacts(file, f).structs) out.add(name);
  }
  return out;
}

/** The type specs whose struct type declares a field f (in a nested struct too), from f's tokens. */
function structsDeclaringIn(file: PackageFile, f: string): string[] {
  const out: string[] = [];
  let last: Node | null = null;
  for (const id of tokensNamed(file.root, file.source, f, 'field_identifier')) {
    if (id.parent?.type !== 'field_declaration') continue;
    let spec = id.parent.parent;
    while (spec && spec.type !== 'type_spec') spec = spec.parent;
    const st = spec && field(spec, 'type');
    if (!spec || !st || st.type !== 'struct_type' || !contains(st, id) || last?.equals(spec)) continue;
    last = spec;
    out.push(detached(field(spec, 'name')!.text));
  }
  return out;
}

/** Whether judgeShared looks at a use (it passes over sends, close, len and cap). */
const judged = (u: Use): boolean => u.kind === 'recv' || u.kind === 'other';

/** The uses of field `f` in a file (selector expressions naming it); null when the file does not mention f. */
function fieldUses(file: PackageFile, f: string): Use[] | null {
  return factOf(file, `field-uses:${f}`, () => {
    if (!fileMentions(file, f)) return null;
    const uses: Use[] = [];
    for (const fi of tokensNamed(file.root, file.source, f, 'field_identifier')) {
      const sel = fi.parent;
      if (!sel || sel.type !== 'selector_expression' || !field(sel, 'field')?.equals(fi)) continue;
      uses.push(classify(() => file.sem, sel));
    }
    return uses;
  });
}

/** The uses of package-level `name` in a file (other than its declaration); null when the file does not mention it. */
function packageVarUses(file: PackageFile, name: string): Use[] | null {
  return factOf(file, `package-var-uses:${name}`, () => {
    if (!fileMentions(file, name)) return null;
    const uses: Use[] = [];
    for (const id of tokensNamed(file.root, file.source, name, 'identifier')) {
      const rb = file.sem.resolve(id);
      if (!rb || rb.scope.kind !== 'package') continue;
      if (rb.id.equals(id)) continue;
      uses.push(classify(file.sem, id));
    }
    return uses;
  });
}

/**
 * For a send on a channel that is not local to the goroutine's starter: why its receivers
 * may wait for this very value (or cannot be seen); null when every receiver found can
 * stop listening on the same signal as the exit (or nobody in the package receives, for
 * an unexported channel). Answers starting with CANNOT_BLOCK mean no finding at all.
 */
export function receiverProblem(sem: Semantics, pkg: () => PackageInfo, send: Node, goFn: Node, exit: ExitRef | null): string | null {
  const ch = unparen(field(send, 'channel')!);
  if (ch.type === 'selector_expression') {
    const f = field(ch, 'field')?.text;
    if (!f) return `the channel ${ch.text} cannot be followed`;
    if (/^[A-Z]/.test(f)) return `${ch.text} is an exported field: its receivers may be in other packages`;
    let info: PackageInfo;
    try {
      info = pkg();
    } catch {
      return `the package of ${ch.text} could not be read`;
    }
    const q = questionsOf(info, f);
    // File by file, its uses before its literals; the windows of a file analysed a window
    // at a time count as one file (so the reason named is the one the whole file gives).
    for (const files of fileGroups(info.files)) {
      for (const file of files) {
        if (fileMentions(file, f) && fieldFacts(file, f).judged) {
          const why = judgeShared(() => file.sem, file, ch.text, fieldUses(file, f)!, exit);
          if (why) return why;
        }
      }
      for (const file of files) {
        let init = q.firstInit.get(file);
        // Kept per sibling for the directory, not per package load: each file of a package
        // with hundreds of struct types declaring f asked every sibling about every one of
        // them again (800 files of 1k lines: 46 % of the run's CPU).
        if (init === undefined) q.firstInit.set(file, (init = durableFactOf(file, `first-literal-init:${f}:${q.structsKey}`, () => firstLiteralInit(file, f, q.structs))));
        if (init) return literalInitReason(init, ch.text);
      }
    }
    return null;
  }
  if (ch.type !== 'identifier') return `the channel ${ch.text} cannot be followed`;
  const b = sem.resolve(ch);
  if (!b) return `${ch.text} is not declared in the package`;
  if (b.scope.kind === 'package') {
    if (/^[A-Z]/.test(b.name)) return `${b.name} is an exported package variable: its receivers may be in other packages`;
    if (b.value && initKind(b.value) === 'buffered') return `${b.name} is made with a buffer (line ${line(b.value)}): whether a send can block depends on how many values it gets`;
    let info: PackageInfo;
    try {
      info = pkg();
    } catch {
      return `the package of ${b.name} could not be read`;
    }
    for (const file of info.files) {
      if (!fileMentions(file, b.name)) continue;
      if (!durableFactOf(file, `package-var-judged:${b.name}`, () => onOwnTree(file, [b.name], (pf) => packageVarUses(pf, b.name)!.some(judged)))) continue;
      const why = judgeShared(file.sem, file, b.name, packageVarUses(file, b.name)!, exit);
      if (why) return why;
    }
    return null;
  }
  const f = chanFacts(sem, b);
  if (f) return localProblem(sem, b, exit);
  if (b.kind === 'param') return paramProblem(sem, pkg, b, goFn, exit);
  if (b.kind === 'var') {
    // A local channel not made here (received from a call, a field copy, ...).
    return `${b.name} is not made in this function (line ${line(b.id)}), so its receivers cannot be seen`;
  }
  return `${b.name} cannot be followed to its receivers`;
}

/** The package's files, each alone, but the windows of the file being processed together. */
function fileGroups(files: readonly PackageFile[]): PackageFile[][] {
  const out: PackageFile[][] = [];
  for (const f of files) {
    const last = out.at(-1);
    if (last && inCurrentFile(f) && inCurrentFile(last[0])) last.push(f);
    else out.push([f]);
  }
  return out;
}

/**
 * A returned channel is a generator's: its callers stop it through the exit, so the exit
 * must be the generator's own (a parameter or a local of the function that returns the
 * channel), not a field some Stop method cancels before draining.
 */
function generatorExitOk(owner: Node, exit: ExitRef | null): boolean {
  if (!exit || exit.kind === 'field' || exit.kind === 'request') return false;
  const declFn = enclosingFunction(exit.binding.id);
  return !!declFn && (declFn.equals(owner) || contains(owner, declFn) || contains(declFn, owner)) && (exit.binding.kind === 'param' || exit.binding.kind === 'var');
}

/** A channel made in the starter: the uses other than sends, receives and close must be none (or a return: the generator contract). */
function localProblem(sem: Semantics, b: Binding, exit: ExitRef | null): string | null {
  const owner = enclosingFunction(b.id);
  for (const ref of b.refs) {
    const u = classify(sem, ref);
    if (u.kind !== 'other') continue;
    const g = u.node.parent?.type === 'expression_list' ? u.node.parent.parent : u.node.parent;
    if (g?.type === 'return_statement' && owner) {
      if (generatorExitOk(owner, exit)) continue;
      return `${b.name} is returned (line ${line(g)}) and ${exit ? exit.base : 'the exit'} is not the returning function's own parameter or local, so its callers may cancel it and still receive`;
    }
    return `${b.name} is also used on line ${line(u.node)} (${u.node.parent?.text.split('\n')[0].slice(0, 50)}), so its receivers cannot all be seen`;
  }
  return null;
}

/** The index of parameter `b` in its function's parameter list, or -1 (variadic: -1). */
function paramIndex(fn: Node, b: Binding): number {
  const params = field(fn, 'parameters');
  if (!params) return -1;
  let i = 0;
  for (const d of named(params)) {
    if (d.type === 'variadic_parameter_declaration') return -1;
    if (d.type !== 'parameter_declaration') continue;
    const names = named(d).filter((c) => c.type === 'identifier');
    if (names.length === 0) {
      i++;
      continue;
    }
    for (const n of names) {
      if (n.equals(b.id)) return i;
      i++;
    }
  }
  return -1;
}

/** A channel parameter: follow the package's calls of its (unexported) function to the argument and its receivers. */
function paramProblem(sem: Semantics, pkg: () => PackageInfo, b: Binding, goFn: Node, exit: ExitRef | null, depth = 0): string | null {
  void goFn;
  if (depth > 3) return `${b.name} is passed down too many calls to follow`;
  const fn = enclosingFunction(b.id);
  if (!fn || fn.type === 'func_literal') return `${b.name} is a parameter of a func literal whose callers cannot be followed`;
  const nameNode = field(fn, 'name');
  if (!nameNode) return `${b.name} cannot be followed to its callers`;
  const name = nameNode.text;
  if (/^[A-Z]/.test(name)) return `${b.name} is a parameter of exported ${name}: callers in other packages (and their receivers) cannot be seen`;
  const idx = paramIndex(fn, b);
  if (idx < 0) return `${b.name} cannot be matched to its callers' arguments`;
  let info: PackageInfo;
  try {
    info = pkg();
  } catch {
    return `the package of ${name} could not be read`;
  }
  const method = fn.type === 'method_declaration';
  for (const file of info.files) {
    if (!fileMentions(file, name)) continue;
    const refs = method
      ? tokensNamed(file.root, file.source, name, 'field_identifier').filter((n) => n.parent?.type === 'selector_expression')
      : tokensNamed(file.root, file.source, name, 'identifier');
    for (const ref of refs) {
      if ((file.current && ref.equals(nameNode)) || (ref.parent?.type === 'function_declaration' && field(ref.parent, 'name')?.equals(ref))) continue;
      const callee = method ? ref.parent! : ref;
      if (!method) {
        const rb = file.sem.resolve(ref);
        if (rb && rb.kind !== 'func') continue;
      }
      const call = callee.parent;
      if (!call || call.type !== 'call_expression' || !field(call, 'function')?.equals(callee)) {
        return `${name} is used as a value (${where(file, ref)}), so its callers cannot be followed`;
      }
      const args = named(field(call, 'arguments')!).filter((c) => c.type !== 'comment');
      const arg = args[idx] ? unparen(args[idx]) : null;
      if (!arg) return `a call of ${name} (${where(file, call)}) cannot be matched to ${b.name}`;
      const why = argumentProblem(file, pkg, arg, b.name, name, goFn, exit, fn, call, depth);
      if (why) return why;
    }
  }
  return null;
}

function argumentProblem(
  file: PackageFile,
  pkg: () => PackageInfo,
  arg: Node,
  param: string,
  fname: string,
  goFn: Node,
  exit: ExitRef | null,
  callee: Node,
  call: Node,
  depth: number,
): string | null {
  const sem = file.sem;
  const args = named(field(call, 'arguments')!).filter((c) => c.type !== 'comment');
  // The exit as this caller spells it: the argument passed for the exit parameter.
  let callerExit: ExitRef | null = null;
  if (exit && exit.binding.kind === 'param' && enclosingFunction(exit.binding.id)?.equals(callee)) {
    const ei = paramIndex(callee, exit.binding);
    const ea = ei >= 0 && args[ei] ? unparen(args[ei]) : null;
    const root = ea ? rootIdentOf(ea) : null;
    const eb = root ? sem.resolve(root) : null;
    if (ea && eb) callerExit = { binding: eb, kind: ea.type === 'identifier' ? exit.kind : 'field', base: ea.text };
  } else if (exit && exit.kind === 'field') callerExit = exit;
  if (arg.type !== 'identifier') return `the caller of ${fname} (${where(file, arg)}) passes ${arg.text.slice(0, 40)}, which cannot be followed to its receivers`;
  const ab = sem.resolve(arg);
  if (!ab) return `the caller of ${fname} (${where(file, arg)}) passes ${arg.text}, which cannot be followed`;
  if (ab.kind === 'param') return paramProblem(sem, pkg, ab, goFn, callerExit, depth + 1);
  const facts = ab.kind === 'var' && ab.scope.kind !== 'package' ? chanFacts(sem, ab) : null;
  if (!facts) return `the caller of ${fname} (${where(file, arg)}) passes ${arg.text}, which is not made there, so its receivers cannot be seen`;
  const uses: Use[] = ab.refs.map((r) => classify(sem, r));
  // Made with a computed capacity (`make(chan error, len(items))`) and received without
  // an exit: sized by its author so that no send blocks; the receiver counts on each value.
  if (facts.buffer === null && uses.every((u) => u.kind !== 'recv' || receiveWaits(sem, u.node, true))) {
    return `${CANNOT_BLOCK}the caller of ${fname} (${where(file, arg)}) sizes ${arg.text} with a computed capacity and receives every value`;
  }
  const caller = enclosingFunction(arg);
  for (const u of uses) {
    if (u.kind === 'recv') {
      const w = receiveWaits(sem, u.node, true);
      if (w) return `the caller of ${fname} (${where(file, arg)}) ${w} (${where(file, u.node)}), waiting for the value ${param} carries`;
      if (!callerExit || !leavesOnExit(sem, u.node, callerExit)) {
        return `the caller of ${fname} (${where(file, arg)}) stops receiving from ${arg.text} on a signal (${where(file, u.node)}) that cannot be tied to the exit`;
      }
    } else if (u.kind === 'other') {
      const p = u.node.parent;
      const c = p?.type === 'argument_list' ? p.parent : null;
      if (c && c.type === 'call_expression' && calleeName(c) === fname) continue; // this call, or another start of the same sender
      const g = p?.type === 'expression_list' ? p.parent : p;
      if (g?.type === 'return_statement' && caller && generatorExitOk(caller, callerExit)) continue;
      if (g && (g.type === 'short_var_declaration' || g.type === 'var_spec') && ab.decl.equals(g)) continue;
      return `the caller of ${fname} also uses ${arg.text} at ${where(file, u.node)} (${p?.text.split('\n')[0].slice(0, 50)}), so its receivers cannot all be seen`;
    }
  }
  return null;
}

/** The identifier at the base of `x`, `s.ctx`, `a.b.c`. */
function rootIdentOf(e: Node): Node | null {
  let x = unparen(e);
  while (x.type === 'selector_expression') x = unparen(field(x, 'operand')!);
  return x.type === 'identifier' ? x : null;
}
