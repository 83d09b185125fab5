// Channel and goroutine facts shared by the goroutine-leak rules (select-ctx-done,
// buffer-result-chan; docs/pitfalls.md#send-leak). One analysis decides whether a local channel
// gets buffered, so select-ctx-done can stay quiet on exactly the sends that
// buffer-result-chan fixes, whatever order the rules run in.
import type { Node } from 'web-tree-sitter';
import type { Binding, Semantics } from './scope.js';
import { FUNC_TYPES, children, contains, descendants, enclosingFunction, field, named, ownDescendants, statementsOf, unparen } from './syntax.js';

// ---- goroutine starts ------------------------------------------------------

/** The go_statement that starts func literal `fn` directly (`go func(){...}(...)`), else null. */
export function goStatementOf(fn: Node): Node | null {
  if (fn.type !== 'func_literal') return null;
  let p = fn.parent;
  let callee: Node = fn;
  while (p && p.type === 'parenthesized_expression') {
    callee = p;
    p = p.parent;
  }
  if (!p || p.type !== 'call_expression' || !field(p, 'function')?.equals(callee)) return null;
  return p.parent && p.parent.type === 'go_statement' ? p.parent : null;
}

/** Whether `stmt` sits inside the body of a for statement, below `stop` (exclusive) and in the same function. */
export function loopBetween(stmt: Node, stop: Node): boolean {
  for (let p = stmt.parent; p && !p.equals(stop); p = p.parent) {
    if (p.type === 'for_statement') {
      const body = field(p, 'body');
      if (body && contains(body, stmt)) return true;
    }
    if (FUNC_TYPES.has(p.type)) return false;
  }
  return false;
}

function isBuiltinCall(sem: Semantics, call: Node, name: string): boolean {
  if (call.type !== 'call_expression') return false;
  const fn = unparen(field(call, 'function')!);
  return fn.type === 'identifier' && fn.text === name && !sem.resolve(fn);
}

function argsOf(call: Node): Node[] {
  const a = field(call, 'arguments');
  return a ? named(a).filter((c) => c.type !== 'comment') : [];
}

/** `<-x` */
export function isReceiveExpr(n: Node): boolean {
  return n.type === 'unary_expression' && field(n, 'operator')?.type === '<-';
}

// ---- path analysis: how many sends can one execution of a body perform ----

const NONE = -Infinity;
interface Flow {
  /** Max sends on paths that fall through to the next statement (NONE: no such path). */
  cont: number;
  /** Max sends on paths that leave the function. */
  term: number;
  /** Max sends on paths that `break` out of the innermost switch/select (or loop). */
  brk: number;
  /** Max sends on paths that `continue` the innermost loop. */
  cnt: number;
}
class GiveUp extends Error {}

/**
 * The largest number of sends (statements for which `isSend` holds) that one run of
 * `body` can perform; Infinity when a send sits in a loop or the flow is too irregular
 * to count (goto, fallthrough, labeled break). Nested func literals are not entered.
 */
function maxSends(sem: Semantics, body: Node, isSend: (send: Node) => boolean): number {
  const hasSend = (n: Node) => ownDescendants(n, ['send_statement']).some(isSend);
  const seq = (stmts: Node[]): Flow => {
    let acc: Flow = { cont: 0, term: NONE, brk: NONE, cnt: NONE };
    for (const s of stmts) {
      if (acc.cont === NONE) break;
      acc = seqFlows(acc, stmt(s));
    }
    return acc;
  };
  const plain = (n = 0): Flow => ({ cont: n, term: NONE, brk: NONE, cnt: NONE });
  const cases = (node: Node, select: boolean): Flow => {
    let cont = NONE;
    let term = NONE;
    let cnt = NONE;
    let hasDefault = false;
    let count = 0;
    for (const c of named(node)) {
      if (!['expression_case', 'type_case', 'default_case', 'communication_case'].includes(c.type)) continue;
      count++;
      if (c.type === 'default_case') hasDefault = true;
      const stmts = statementsOf(c);
      if (stmts.some((s) => s.type === 'fallthrough_statement')) throw new GiveUp();
      const comm = c.type === 'communication_case' ? field(c, 'communication') : null;
      const f = seq(comm ? [comm, ...stmts] : stmts);
      cont = Math.max(cont, f.cont, f.brk);
      term = Math.max(term, f.term);
      cnt = Math.max(cnt, f.cnt);
    }
    // A switch with no default may match no case; a select always runs one (or blocks forever).
    if (!select && !hasDefault) cont = Math.max(cont, 0);
    if (select && count === 0) return { cont: NONE, term: NONE, brk: NONE, cnt: NONE };
    return { cont, term, brk: NONE, cnt };
  };
  const stmt = (s: Node): Flow => {
    switch (s.type) {
      case 'comment':
      case 'empty_statement':
        return plain();
      case 'send_statement':
        return plain(isSend(s) ? 1 : 0);
      case 'return_statement':
        return { cont: NONE, term: 0, brk: NONE, cnt: NONE };
      case 'expression_statement': {
        const e = named(s)[0];
        if (e && isBuiltinCall(sem, unparen(e), 'panic')) return { cont: NONE, term: 0, brk: NONE, cnt: NONE };
        return plain();
      }
      case 'block':
        return seq(statementsOf(s));
      case 'labeled_statement': {
        const inner = named(s).find((c) => c.type !== 'label_name' && c.type !== 'comment');
        return inner ? stmt(inner) : plain();
      }
      case 'break_statement':
        if (named(s).some((c) => c.type === 'label_name')) throw new GiveUp();
        return { cont: NONE, term: NONE, brk: 0, cnt: NONE };
      case 'continue_statement':
        if (named(s).some((c) => c.type === 'label_name')) throw new GiveUp();
        return { cont: NONE, term: NONE, brk: NONE, cnt: 0 };
      case 'goto_statement':
      case 'fallthrough_statement':
        throw new GiveUp();
      case 'if_statement': {
        const init = field(s, 'initializer');
        const cons = field(s, 'consequence');
        const alt = field(s, 'alternative');
        const a = cons ? stmt(cons) : plain();
        const b = alt ? stmt(alt) : plain();
        const branch: Flow = { cont: Math.max(a.cont, b.cont), term: Math.max(a.term, b.term), brk: Math.max(a.brk, b.brk), cnt: Math.max(a.cnt, b.cnt) };
        return init ? seqFlows(stmt(init), branch) : branch;
      }
      case 'expression_switch_statement':
      case 'type_switch_statement': {
        const init = field(s, 'initializer');
        const f = cases(s, false);
        return init ? seqFlows(stmt(init), f) : f;
      }
      case 'select_statement':
        return cases(s, true);
      case 'for_statement': {
        const returns = ownDescendants(s, ['return_statement']).length > 0;
        if (!hasSend(s)) return { cont: 0, term: returns ? 0 : NONE, brk: NONE, cnt: NONE };
        // A loop whose sends all sit on paths that leave it (`ch <- err; return`, or a
        // send then `break`) sends at most once per run: count its body once.
        const body = field(s, 'body');
        const header = named(s).filter((c) => !c.equals(body!));
        if (!body || header.some(hasSend)) throw new GiveUp();
        const f = seq(statementsOf(body));
        if (f.cont > 0 || f.cnt > 0) throw new GiveUp();
        return { cont: Math.max(0, f.brk), term: f.term, brk: NONE, cnt: NONE };
      }
      default:
        if (hasSend(s)) throw new GiveUp();
        return plain();
    }
  };
  try {
    const f = seq(statementsOf(body));
    return Math.max(0, f.cont, f.term);
  } catch (e) {
    if (e instanceof GiveUp) return Infinity;
    throw e;
  }
}

function seqFlows(a: Flow, b: Flow): Flow {
  return {
    cont: a.cont + b.cont,
    term: Math.max(a.term, a.cont + b.term),
    brk: Math.max(a.brk, a.cont + b.brk),
    cnt: Math.max(a.cnt, a.cont + b.cnt),
  };
}

// ---- facts about a local channel ------------------------------------------

interface ChanFacts {
  binding: Binding;
  /** The `make(chan T[, n])` call. */
  make: Node;
  /** Buffer size when written as a literal (0 when absent); null otherwise. */
  buffer: number | null;
  /** The function that declares the channel. */
  owner: Node;
  /** The statement list holding the declaration: one channel per run of it. */
  declList: Node;
  /** Why the channel's uses are not all understood (escapes, reassigned, other closures); null when they are. */
  escape: string | null;
  /** Goroutine literals started directly in `owner` that send on the channel, with their go statements. */
  senders: { lit: Node; go: Node; max: number; inLoop: boolean }[];
  /** Sends performed by `owner` itself. */
  directSends: Node[];
  /** Receives (`<-ch`, `range ch`) performed by `owner` itself. */
  receives: Node[];
  /** Every receive, in `owner` or in any closure. */
  allReceives: Node[];
  /** Like `escape`, ignoring receives in other closures: null when every sender is known. */
  sendEscape: string | null;
  /** close(ch) calls outside the sender goroutines. */
  foreignCloses: Node[];
  /** Upper bound of the sends one instance of the channel can receive (Infinity: unknown). */
  totalSends: number;
}

const factsCache = new WeakMap<Semantics, Map<Binding, ChanFacts | null>>();

function lineOf(n: Node): number {
  return n.startPosition.row + 1;
}

/** Facts about `b` when it is a local channel initialized with make(chan T[, n]); null otherwise. */
export function chanFacts(sem: Semantics, b: Binding): ChanFacts | null {
  let cache = factsCache.get(sem);
  if (!cache) factsCache.set(sem, (cache = new Map()));
  if (cache.has(b)) return cache.get(b)!;
  const f = computeFacts(sem, b);
  cache.set(b, f);
  return f;
}

function computeFacts(sem: Semantics, b: Binding): ChanFacts | null {
  if (b.kind !== 'var' || b.scope.kind === 'package' || !b.value || b.valueIndex >= 0) return null;
  const make = unparen(b.value);
  if (!isBuiltinCall(sem, make, 'make')) return null;
  const args = argsOf(make);
  if (args.length < 1 || args.length > 2 || args[0].type !== 'channel_type') return null;
  if (children(args[0])[0]?.type !== 'chan' || children(args[0]).some((c) => c.type === '<-')) return null;
  let buffer: number | null = 0;
  if (args.length === 2) buffer = args[1].type === 'int_literal' && /^[0-9_]+$/.test(args[1].text) ? Number(args[1].text.replace(/_/g, '')) : null;
  const owner = enclosingFunction(b.id);
  if (!owner) return null;
  const declStmt = b.decl.type === 'var_spec' ? b.decl.parent : b.decl;
  const declList = declStmt?.parent ?? owner;

  const facts: ChanFacts = {
    binding: b,
    make,
    buffer,
    owner,
    declList,
    escape: null,
    senders: [],
    directSends: [],
    receives: [],
    allReceives: [],
    sendEscape: null,
    foreignCloses: [],
    totalSends: Infinity,
  };
  const escape = (why: string, at: Node, sendsToo = true) => {
    if (!facts.escape) facts.escape = `${why} (line ${lineOf(at)})`;
    if (sendsToo && !facts.sendEscape) facts.sendEscape = `${why} (line ${lineOf(at)})`;
  };
  const closes: { call: Node; fn: Node | null }[] = [];
  const senderOf = new Map<number, { lit: Node; go: Node; max: number; inLoop: boolean }>();

  for (const ref of b.refs) {
    const p = ref.parent!;
    const fn = enclosingFunction(ref);
    const go = fn && fn.type === 'func_literal' ? goStatementOf(fn) : null;
    const inOwner = !!fn && fn.equals(owner);
    const inGoLiteral = !!fn && !!go && enclosingFunction(fn)?.equals(owner) === true;
    if (p.type === 'send_statement' && field(p, 'channel')?.equals(ref)) {
      if (inOwner) facts.directSends.push(p);
      else if (inGoLiteral) {
        if (!senderOf.has(fn!.id)) senderOf.set(fn!.id, { lit: fn!, go: go!, max: 0, inLoop: false });
      } else escape(`it is sent on from a nested closure`, ref);
      continue;
    }
    if (isReceiveExpr(p) && field(p, 'operand')?.equals(ref)) {
      facts.allReceives.push(p);
      if (inOwner) facts.receives.push(p);
      else escape('it is received from in another closure', ref, false);
      continue;
    }
    if (p.type === 'range_clause' && field(p, 'right')?.equals(ref)) {
      facts.allReceives.push(p);
      if (inOwner) facts.receives.push(p);
      else escape('it is ranged over in another closure', ref, false);
      continue;
    }
    if (p.type === 'argument_list' && p.parent && isBuiltinCall(sem, p.parent, 'close')) {
      closes.push({ call: p.parent, fn });
      continue;
    }
    if (p.type === 'argument_list' && p.parent && (isBuiltinCall(sem, p.parent, 'len') || isBuiltinCall(sem, p.parent, 'cap'))) continue;
    // Any other use: the channel (or a copy of it) may reach code we cannot see.
    const g = p.type === 'expression_list' ? p.parent : p;
    if (g?.type === 'return_statement') escape('it is returned', ref);
    else if (g?.type === 'assignment_statement' && field(g, 'left') && contains(field(g, 'left')!, ref)) escape('it is reassigned', ref);
    else if (g?.type === 'assignment_statement' || g?.type === 'short_var_declaration' || g?.type === 'var_spec')
      escape('it is copied to another variable', ref);
    else if (p.type === 'argument_list') escape('it is passed to a function', ref);
    else if (p.type === 'send_statement') escape('it is sent on another channel', ref);
    else escape('it is stored or used as a value', ref);
  }
  for (const s of senderOf.values()) {
    const lit = s.lit;
    s.inLoop = loopBetween(s.go, declList);
    const body = field(lit, 'body');
    s.max = body ? maxSends(sem, body, (send) => isSendOn(sem, send, b)) : 0;
    facts.senders.push(s);
  }
  facts.senders.sort((x, y) => x.go.startIndex - y.go.startIndex);
  for (const c of closes) {
    if (!c.fn || !facts.senders.some((s) => s.lit.equals(c.fn!))) facts.foreignCloses.push(c.call);
  }
  let total = 0;
  for (const s of facts.senders) total += s.inLoop ? Infinity : s.max;
  for (const d of facts.directSends) total += loopBetween(d, declList) ? Infinity : 1;
  facts.totalSends = total;
  return facts;
}

/** Whether send_statement `send` sends on binding b (`b <- v`). */
function isSendOn(sem: Semantics, send: Node, b: Binding): boolean {
  const ch = field(send, 'channel');
  return !!ch && ch.type === 'identifier' && sem.resolve(ch) === b;
}

// ---- buffer-result-chan's verdict ------------------------------------------

interface BufferVerdict {
  facts: ChanFacts;
  /** Why a sender can block forever. */
  leak: string;
  /** The buffer size that fixes it, or null when no fix is provably safe. */
  size: number | null;
  /** Why there is no fix (when size is null). */
  noFix: string | null;
}

const verdictCache = new WeakMap<Semantics, Map<Binding, BufferVerdict | null>>();

/**
 * buffer-result-chan's decision for a channel binding: null when it is not the
 * "result channel + parent that can stop listening" shape; else why it leaks and
 * the buffer that fixes it (or why none is safe).
 */
export function bufferVerdict(sem: Semantics, b: Binding): BufferVerdict | null {
  let cache = verdictCache.get(sem);
  if (!cache) verdictCache.set(sem, (cache = new Map()));
  if (cache.has(b)) return cache.get(b)!;
  const v = computeVerdict(sem, b);
  cache.set(b, v);
  return v;
}

function computeVerdict(sem: Semantics, b: Binding): BufferVerdict | null {
  const f = chanFacts(sem, b);
  if (!f || f.buffer !== 0 || f.senders.length === 0) return null;
  // A send that is already a select case next to another case (an exit with or without
  // cleanup, a default) does not block forever; a buffer would only strand the value,
  // which that other case may have been written to clean up (conn.Close()).
  if (f.senders.some((s) => sendsIn(sem, s.lit, b).some((send) => send.parent?.type === 'communication_case'))) return null;
  const leak = leakReason(sem, f);
  if (!leak) return null;
  const name = b.name;
  let noFix: string | null = null;
  if (f.escape) noFix = `${name} escapes the function: ${f.escape}`;
  else if (f.directSends.length) noFix = `the function itself also sends on ${name} (line ${lineOf(f.directSends[0])})`;
  else if (f.senders.some((s) => s.inLoop)) noFix = `a goroutine sending on ${name} is started in a loop (line ${lineOf(f.senders.find((s) => s.inLoop)!.go)})`;
  else if (f.senders.some((s) => s.max === Infinity))
    noFix = `a goroutine may send on ${name} more than once (a send in a loop, or flow too irregular to count; line ${lineOf(f.senders.find((s) => s.max === Infinity)!.go)})`;
  else if (f.foreignCloses.length) noFix = `${name} is closed outside the sending goroutine (line ${lineOf(f.foreignCloses[0])})`;
  else {
    const busy = f.senders.flatMap((s) => sendsIn(sem, s.lit, b)).find((send) => !inTailPosition(sem, send, b));
    if (busy) noFix = `the goroutine keeps working after its send on ${name} (line ${lineOf(busy)}); with a buffer it would no longer wait for the receiver first`;
  }
  const size = noFix ? null : f.totalSends;
  if (size !== null && size < 1) return null;
  return { facts: f, leak, size, noFix };
}

/** Why the owner may stop listening before every sender has sent; null when it always receives. */
function leakReason(sem: Semantics, f: ChanFacts): string | null {
  const name = f.binding.name;
  if (f.receives.length === 0 && !f.escape) return `nothing receives from ${name}, so its sender blocks forever`;
  for (const r of f.receives) {
    const sel = receiveSelect(r);
    if (!sel) continue;
    const { select, kase } = sel;
    const inLoop = loopBetween(select, f.declList);
    for (const other of named(select)) {
      if (other.equals(kase) || (other.type !== 'communication_case' && other.type !== 'default_case')) continue;
      // `case <-ctx.Done(): conn.Close(); <-errc` or a receive right after the select:
      // the function still receives, so the sender is not stranded.
      if (receivesAfter(sem, other, select, f.binding)) continue;
      if (sameSoleSender(sem, f, other)) continue;
      if (!inLoop || leavesFlow(sem, other)) {
        return `the receive from ${name} (line ${lineOf(r)}) is in a select that can take another case (line ${lineOf(other)}) and stop listening`;
      }
    }
  }
  const first = f.senders[0].go;
  const after = f.receives.filter((r) => r.startIndex > first.endIndex).sort((x, y) => x.startIndex - y.startIndex)[0];
  if (after) {
    // Returns in the other cases of the receive's own select were judged above.
    const ownSelect = receiveSelect(after)?.select ?? null;
    for (const ret of ownDescendants(f.owner, ['return_statement'])) {
      if (ownSelect && contains(ownSelect, ret)) continue;
      if (ret.startIndex > first.endIndex && ret.startIndex < after.startIndex && !contains(ret, after)) {
        return `the function can return (line ${lineOf(ret)}) before it receives from ${name} (line ${lineOf(after)})`;
      }
    }
  }
  // More sends than receives: each receive outside a loop happens at most once.
  const sends = f.senders.reduce((n, s) => n + (s.inLoop ? Infinity : s.max), 0);
  // (Only when the go statements run in sequence: goroutines started in different
  // branches of an if/switch need not all run.)
  const sequential = f.senders.every((s) => s.go.parent?.equals(f.senders[0].go.parent!) === true);
  if (!f.escape && sequential && Number.isFinite(sends) && f.receives.every((r) => r.type !== 'range_clause' && !loopBetween(r, f.declList))) {
    if (sends > f.receives.length) {
      return `${sends} sends on ${name} can happen but at most ${f.receives.length} receive${f.receives.length === 1 ? '' : 's'}, so a sender blocks forever`;
    }
  }
  return null;
}

/**
 * `case <-done: ... case err := <-errs:` where one goroutine literal is the only sender
 * of both channels and sends at most once in all on every path: when the other case
 * fires, that goroutine has made its one send and will never send on this channel.
 */
function sameSoleSender(sem: Semantics, f: ChanFacts, other: Node): boolean {
  if (f.senders.length !== 1 || f.directSends.length || f.escape) return false;
  const comm = other.type === 'communication_case' ? field(other, 'communication') : null;
  const recv = comm ? descendants(comm, 'unary_expression').find(isReceiveExpr) : null;
  const op = recv ? field(recv, 'operand') : null;
  const ob = op && op.type === 'identifier' ? sem.resolve(op) : null;
  if (!ob || ob === f.binding) return false;
  const g = chanFacts(sem, ob);
  const s = f.senders[0];
  const body = field(s.lit, 'body');
  if (!g || g.escape || g.directSends.length || s.inLoop || !body) return false;
  if (g.senders.length === 0) {
    // `case <-done:` where the sender closes done and returns right away, and sends on
    // this channel at most once.
    const closes = ownDescendants(body, ['call_expression']).filter(
      (c) => isBuiltinCall(sem, c, 'close') && argsOf(c).some((a) => a.type === 'identifier' && sem.resolve(a) === ob),
    );
    if (closes.length === 0 || g.foreignCloses.some((c) => !contains(s.lit, c))) return false;
    const thenReturns = (c: Node) => {
      const st = c.parent;
      if (!st || st.type !== 'expression_statement' || st.parent?.type !== 'statement_list') return false;
      const stmts = statementsOf(st.parent);
      const next = stmts[stmts.findIndex((x) => x.equals(st)) + 1];
      return next ? next.type === 'return_statement' : st.parent.parent?.equals(body) === true;
    };
    return closes.every(thenReturns) && maxSends(sem, body, (send) => isSendOn(sem, send, f.binding)) <= 1;
  }
  if (g.senders.length !== 1 || !g.senders[0].lit.equals(s.lit)) return false;
  return maxSends(sem, body, (send) => isSendOn(sem, send, f.binding) || isSendOn(sem, send, ob)) <= 1;
}

const LEAVING_CALLS = new Set(['Fatal', 'Fatalf', 'FailNow', 'Skip', 'Skipf', 'SkipNow', 'Exit', 'Goexit', 'panic', 'Panic', 'Panicf']);

/** Whether statement s may leave the function (or the test goroutine) or jump: return, goto, a labeled break/continue, t.Fatal, panic, os.Exit. */
function mayLeave(s: Node): boolean {
  if (['return_statement', 'goto_statement', 'break_statement', 'continue_statement', 'fallthrough_statement'].includes(s.type)) return true;
  for (const n of ownDescendants(s, ['return_statement', 'goto_statement', 'call_expression', 'break_statement', 'continue_statement'])) {
    if (n.type === 'call_expression') {
      const fn = unparen(field(n, 'function')!);
      const name = fn.type === 'selector_expression' ? field(fn, 'field')?.text : fn.text;
      if (name && LEAVING_CALLS.has(name)) return true;
      continue;
    }
    if (n.type === 'break_statement' || n.type === 'continue_statement') {
      if (named(n).some((c) => c.type === 'label_name')) return true;
      continue;
    }
    return true;
  }
  return false;
}

const SIMPLE = new Set(['expression_statement', 'assignment_statement', 'short_var_declaration', 'return_statement', 'var_declaration']);

/**
 * Whether, after select case `kase` is taken, the function still receives from `b` on
 * every path: a simple statement holding `<-b` in the case body, or (when the body falls
 * through) after the select in the same statement list, before anything that may leave.
 */
function receivesAfter(sem: Semantics, kase: Node, select: Node, b: Binding): boolean {
  const receives = (s: Node) =>
    SIMPLE.has(s.type) &&
    ownDescendants(s, ['unary_expression']).some((u) => isReceiveExpr(u) && field(u, 'operand')?.type === 'identifier' && sem.resolve(field(u, 'operand')!) === b);
  for (const s of statementsOf(kase)) {
    if (receives(s)) return true;
    if (mayLeave(s)) return false;
  }
  const list = select.parent;
  if (!list || list.type !== 'statement_list') return false;
  const stmts = statementsOf(list);
  for (const s of stmts.slice(stmts.findIndex((x) => x.equals(select)) + 1)) {
    if (receives(s)) return true;
    if (mayLeave(s)) return false;
  }
  return false;
}

/** The select and its case when receive `r` is a select case's communication. */
export function receiveSelect(r: Node): { select: Node; kase: Node } | null {
  let p = r.parent;
  if (p && p.type === 'receive_statement') p = p.parent;
  if (!p || p.type !== 'communication_case' || !field(p, 'communication')) return null;
  const comm = field(p, 'communication')!;
  if (!contains(comm, r)) return null;
  return p.parent && p.parent.type === 'select_statement' ? { select: p.parent, kase: p } : null;
}

/** Whether a case body leaves the surrounding loop: return, panic, goto, labeled break/continue. */
export function leavesFlow(sem: Semantics, kase: Node): boolean {
  for (const n of ownDescendants(kase, ['return_statement', 'goto_statement', 'break_statement', 'continue_statement', 'call_expression'])) {
    if (n.type === 'return_statement' || n.type === 'goto_statement') return true;
    if (n.type === 'call_expression') {
      if (isBuiltinCall(sem, n, 'panic')) return true;
      continue;
    }
    if (named(n).some((c) => c.type === 'label_name')) return true;
  }
  return false;
}

/** buffer-result-chan fixes the channel that send_statement `send` sends on (select-ctx-done then stays quiet). */
export function sendFixedByBuffering(sem: Semantics, send: Node): boolean {
  const ch = field(send, 'channel');
  if (!ch || ch.type !== 'identifier') return false;
  const b = sem.resolve(ch);
  if (!b) return false;
  const v = bufferVerdict(sem, b);
  return !!v && v.size !== null;
}

/**
 * For a send on a local channel: a receive of that channel that would keep waiting if
 * the sender gave up when `exit` fired (so wrapping the send in a select on the exit
 * would move the leak to the receiver, or deadlock it). A receive is safe when it is a
 * case of a select that also has a case on the same exit binding which stops
 * listening; a `range` is safe when the sender closes the channel in a defer.
 * null when every receive is safe, or the channel is not a local one (receivers unknown).
 */
export function receiveIgnoringExit(sem: Semantics, send: Node, exit: Binding): Node | null {
  const ch = field(send, 'channel');
  if (!ch || ch.type !== 'identifier') return null;
  const b = sem.resolve(ch);
  const f = b ? chanFacts(sem, b) : null;
  if (!f || !b) return null;
  const sender = enclosingFunction(send);
  for (const r of f.allReceives) {
    if (r.type === 'range_clause') {
      const closesInDefer =
        !!sender &&
        ownDescendants(sender, ['defer_statement']).some((d) =>
          descendants(d, 'call_expression').some((c) => isBuiltinCall(sem, c, 'close') && argsOf(c).some((a) => a.type === 'identifier' && sem.resolve(a) === b)),
        );
      if (!closesInDefer) return r;
      continue;
    }
    const sel = receiveSelect(r);
    if (!sel) return r;
    const inLoop = loopBetween(sel.select, f.declList);
    const guarded = named(sel.select).some((c) => {
      if (c.type !== 'communication_case' || c.equals(sel.kase)) return false;
      const comm = field(c, 'communication');
      if (!comm || !descendants(comm, 'identifier').some((id) => sem.resolve(id) === exit)) return false;
      return !inLoop || leavesFlow(sem, c);
    });
    if (!guarded) return r;
  }
  return null;
}

/**
 * The send is on a local channel made with a buffer that holds every visible send (a
 * literal capacity), or with a computed capacity (`make(chan T, len(xs))`): its author
 * sized it so sends do not block, and receivers may count on every value.
 */
export function sendOnSizedBuffer(sem: Semantics, send: Node): boolean {
  const ch = field(send, 'channel');
  if (!ch || ch.type !== 'identifier') return false;
  const b = sem.resolve(ch);
  const f = b ? chanFacts(sem, b) : null;
  if (!f) return false;
  if (f.buffer === null) return true;
  return f.buffer > 0 && f.totalSends <= f.buffer;
}

function sendsIn(sem: Semantics, lit: Node, b: Binding): Node[] {
  const body = field(lit, 'body');
  return body ? ownDescendants(body, ['send_statement']).filter((s) => isSendOn(sem, s, b)) : [];
}

/**
 * Whether nothing but `close(ch)` and `return` can run in the goroutine after `send`:
 * then buffering only lets it finish earlier, it cannot run ahead of its receiver.
 */
function inTailPosition(sem: Semantics, send: Node, b: Binding): boolean {
  const fn = enclosingFunction(send);
  let stmt: Node = send.parent?.type === 'communication_case' ? send.parent.parent! : send;
  for (;;) {
    const list = stmt.parent;
    if (!list) return false;
    if (fn && list.equals(fn)) return true;
    if (list.type === 'statement_list') {
      const stmts = statementsOf(list);
      const rest = stmts.slice(stmts.findIndex((x) => x.equals(stmt)) + 1);
      for (const r of rest) {
        if (r.type === 'return_statement') return true;
        const call = r.type === 'expression_statement' ? unparen(named(r)[0]) : null;
        const isClose = !!call && isBuiltinCall(sem, call, 'close') && argsOf(call).some((a) => a.type === 'identifier' && sem.resolve(a) === b);
        if (!isClose) return false;
      }
    } else if (list.type === 'for_statement') return false;
    stmt = list;
  }
}
