// capture-loop-var: a func literal that still runs after its loop iteration (a goroutine
// nothing in the iteration waits for, a deferred literal, an errgroup/WaitGroup task, a
// parallel subtest, a closure stored or sent outside the loop) reads the loop variable
// when it runs. The variable is shared by all iterations when the loop declares it in a
// file before Go 1.22, and in every Go version when it is declared outside the loop
// (`for A = range s`, `var i int; for i = 0; ...`). Fix: a per-iteration copy (`v := v`
// at the top of the body), an argument of the go/defer literal, or a fresh variable made
// just before the closure, whichever keeps the body's meaning.
import type { Node } from 'web-tree-sitter';
import { operandType } from '../../src/go/exprtype.js';
import { isDirectWriteRef, isWriteRef, loopVarIdents, loopVars, outerLoopVars, outerRefsIn, refsIn } from '../../src/go/loopvars.js';
import { mentions } from '../../src/go/package.js';
import type { Binding, Semantics } from '../../src/go/scope.js';
import {
  FUNC_TYPES,
  PREDECLARED,
  children,
  contains,
  descendants,
  enclosingFunction,
  field,
  indentAt,
  lineStart,
  named,
  unparen,
} from '../../src/go/syntax.js';
import { compareGoVersion, formatGoVersion } from '../../src/go/version.js';
import { escapingFuncInLoopBody } from '../../src/go/lexical.js';
import { step } from '../../src/go/meter.js';
import type { Rule, RuleContext, TextEdit } from '../../src/rules/api.js';
import { defineRule } from '../../src/rules/define.js';

type EscapeKind = 'go' | 'defer' | 'go-arg' | 'defer-arg' | 'task' | 'parallel' | 'store' | 'send';

interface Escape {
  lit: Node;
  kind: EscapeKind;
  /** The statement of the loop's function that makes the closure escape. */
  stmt: Node;
  /** For go/defer of the literal itself: the call `func(){...}(args)`. */
  call?: Node;
  /** Parallel subtests: only references after this offset run in parallel. */
  after?: number;
  /** What it is stored in / sent on, for the message; the method name for tasks. */
  target?: string;
  /**
   * Why the closure cannot observe a later value, or null: the iteration waits for it,
   * 'return' / 'break' (the loop is left right after), 'replaced' (stored in a variable or
   * field the next iteration overwrites: only a call during this iteration can reach it,
   * and a range variable keeps its last value after the loop).
   */
  harmless: string | null;
  /** Why no fix is offered even though the closure may run later (a send: the receiver is not visible). */
  noFix?: string;
}

interface Var {
  name: string;
  binding: Binding | null;
  /** 'range' / 'clause': declared by the loop (shared before Go 1.22); 'outer': declared outside (always shared). */
  kind: 'range' | 'clause' | 'outer';
  /** The loop's shape: a range loop assigns its variables only at the start of each iteration. */
  loop: 'range' | 'clause';
  refsIn(node: Node): Node[];
}

interface Capture {
  v: Var;
  first: Node;
  escapes: Escape[];
}

const GO_122 = { major: 1, minor: 22 };

export const rule: Rule = defineRule({
  meta: {
    id: 'capture-loop-var',
    summary:
      'Copy loop variables captured by goroutines, defers, errgroup tasks, parallel subtests and stored closures (loop-declared: files before Go 1.22; declared outside the loop: every version)',
    defaultOn: true,
    // Its fixes yield to buffer-result-chan's on overlap (the order fixes have always been preferred in).
    after: ['buffer-result-chan'],
    // A loop, and a func literal to capture its variable (comments may sit before the
    // parameters) inside the loop's body, in a statement that can make it escape (go,
    // defer, a task, t.Run, an assignment or a send): checked on the tokens, without parsing.
    triggers: [/\bfor\b/],
    requires: [/\bfunc(?:\s|\/\*[\s\S]*?\*\/)*\(/, escapingFuncInLoopBody],
    docPath: 'transforms/capture-loop-var/README.md',
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        reportJoined: {
          type: 'boolean',
          default: false,
          description:
            'Also report (without a fix) captures by goroutines the iteration waits for (wg.Wait(), <-done, a select) before the variable changes.',
        },
      },
    },
  },
  run(ctx) {
    // Only a loop whose body holds a func literal can capture: find those from offsets
    // before building scopes, which most files with loops then never need.
    const lits = descendants(ctx.root, 'func_literal');
    if (lits.length === 0) return;
    // In document order: each loop takes the literals starting inside its body by a binary
    // search, not a pass over every literal of the file (loops x literals in a long function).
    const litStart = lits.map((l) => l.startIndex);
    const litEnd = lits.map((l) => l.endIndex);
    const sharedDecl = !!ctx.goVersion && compareGoVersion(ctx.goVersion, GO_122) < 0;
    const reportJoined = ctx.options.reportJoined;
    for (const loop of descendants(ctx.root, 'for_statement')) {
      const body = field(loop, 'body');
      if (!body) continue;
      const bodyStart = body.startIndex;
      const bodyEnd = body.endIndex;
      const inBody: Node[] = [];
      const from = firstAtOrAfter(litStart, bodyStart);
      let i = from;
      for (; i < lits.length && litStart[i] <= bodyEnd; i++) if (litEnd[i] <= bodyEnd) inBody.push(lits[i]);
      step(i - from);
      // Literals only called on the spot or passed to a call cannot escape: decided from the
      // syntax, so most loops with closures (sort.Slice, callbacks) never build scopes.
      if (!inBody.some(mayEscape)) continue;
      const vars: Var[] = [];
      // A loop variable matters only if an escaping literal names it: decided from the text
      // before resolving the loop's variables (which builds the function's scopes).
      if (sharedDecl && namedIn(ctx.source, loopVarIdents(loop), inBody.filter(mayEscape))) {
        const sem = ctx.sem;
        for (const lv of loopVars(sem, loop)) {
          const b = lv.binding;
          vars.push({ name: b.name, binding: b, kind: lv.kind, loop: lv.kind, refsIn: (n) => refsIn(b, n) });
        }
      }
      const shape = named(loop).some((c) => c.type === 'range_clause') ? 'range' : 'clause';
      for (const ov of outerLoopVars(() => ctx.sem, loop)) {
        vars.push({ name: ov.name, binding: ov.binding, kind: 'outer', loop: shape, refsIn: (n) => outerRefsIn(ctx.sem, ov, n) });
      }
      if (vars.length === 0) continue;
      const escapes: Escape[] = [];
      for (const lit of inBody) {
        const e = escapeOf(ctx, lit, loop, body);
        if (e) escapes.push(e);
      }
      if (escapes.length === 0) continue;
      const captures: Capture[] = [];
      const joined: Capture[] = [];
      for (const v of vars) {
        const used: Escape[] = [];
        const waited: Escape[] = [];
        let first: Node | null = null;
        let firstWaited: Node | null = null;
        for (const e of escapes) {
          const refs = v.refsIn(e.lit).filter((r) => e.after === undefined || r.startIndex >= e.after);
          if (refs.length === 0) continue;
          // A `break` leaves the loop for good, but a variable declared outside lives on.
          let harmless = e.harmless;
          if (harmless === 'break' && v.kind === 'outer') harmless = null;
          // After the last iteration a 3-clause loop still runs its post statement (i++).
          if (harmless === 'replaced' && v.loop === 'clause') harmless = null;
          if (harmless) {
            waited.push({ ...e, harmless });
            if (!firstWaited || refs[0].startIndex < firstWaited.startIndex) firstWaited = refs[0];
            continue;
          }
          used.push(e);
          if (!first || refs[0].startIndex < first.startIndex) first = refs[0];
        }
        if (first) captures.push({ v, first, escapes: used });
        else if (firstWaited) joined.push({ v, first: firstWaited, escapes: waited });
      }
      if (captures.length > 0) reportLoop(ctx, loop, body, captures);
      if (reportJoined) for (const c of joined) for (const e of c.escapes) reportJoinedCapture(ctx, c.v, e);
    }
  },
});

/** Whether one of the identifiers' names occurs as a whole word in one of the literals. */
function namedIn(source: string, ids: { id: Node }[], lits: Node[]): boolean {
  return ids.some(({ id }) => lits.some((l) => mentions(source.slice(l.startIndex, l.endIndex), id.text)));
}

/**
 * False when escapeOf is null for the literal whatever the scopes say (a literal called on
 * the spot, or passed to a call that is neither go, defer, a method call statement nor
 * append): a necessary condition for an escape, read from the syntax alone.
 */
function mayEscape(lit: Node): boolean {
  let n = lit;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const par = n.parent;
  if (!par) return false;
  if (par.type === 'call_expression' && field(par, 'function')?.equals(n)) {
    const t = par.parent?.type;
    return t === 'go_statement' || t === 'defer_statement';
  }
  if (par.type === 'argument_list') {
    const c = par.parent!;
    const t = c.parent?.type;
    if (t === 'go_statement' || t === 'defer_statement') return true;
    const fn = unparen(field(c, 'function')!);
    if (fn.type === 'selector_expression' && t === 'expression_statement') {
      const m = field(fn, 'field')?.text;
      if (m === 'Go' || m === 'TryGo' || m === 'Run') return true;
    }
  }
  // storedOutside's walk, with `append` assumed to be the builtin (a superset of its escapes).
  const carried = carrierOf(n, () => true);
  if (!carried) return false;
  const p = carried.v.parent!;
  return (p.type === 'expression_list' && p.parent?.type === 'assignment_statement') || p.type === 'send_statement';
}

/**
 * How far a value at `start` travels unchanged: up through parentheses, composite literal
 * elements, `&` and the elements `append` adds. The outermost node that carries it and
 * whether an append did; null when it reaches the root or becomes an argument of any other
 * call. `isBuiltin(append)` tells whether an identifier `append` is the builtin.
 */
function carrierOf(start: Node, isBuiltin: (append: Node) => boolean): { v: Node; appended: boolean } | null {
  let v = start;
  let appended = false;
  for (;;) {
    const p = v.parent;
    if (!p) return null;
    if (
      p.type === 'parenthesized_expression' ||
      p.type === 'literal_element' ||
      p.type === 'literal_value' ||
      p.type === 'composite_literal' ||
      (p.type === 'keyed_element' && !named(p)[0]?.equals(v)) ||
      (p.type === 'unary_expression' && p.child(0)?.type === '&')
    ) {
      v = p;
      continue;
    }
    if (p.type === 'argument_list') {
      const call = p.parent!;
      const fn = field(call, 'function');
      const args = named(p).filter((a) => a.type !== 'comment');
      if (fn?.type === 'identifier' && fn.text === 'append' && isBuiltin(fn) && !args[0]?.equals(v)) {
        appended = true;
        v = call;
        continue;
      }
      return null;
    }
    return { v, appended };
  }
}

/** How a func literal inside the loop body outlives the iteration, or null if it does not (provably). */
function escapeOf(ctx: RuleContext, lit: Node, loop: Node, body: Node): Escape | null {
  const sem = ctx.sem;
  const loopFn = enclosingFunction(loop);
  const sameFunc = (node: Node) => {
    const a = enclosingFunction(node);
    return !!a && !!loopFn && a.equals(loopFn);
  };
  let n = lit;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const par = n.parent;
  if (!par) return null;
  let kind: EscapeKind | null = null;
  let call: Node | undefined;
  let after: number | undefined;
  let target: string | undefined;
  let holder: Node | null = null; // the go/defer/expression statement
  if (par.type === 'call_expression' && field(par, 'function')?.equals(n)) {
    const st = par.parent;
    if (st?.type === 'go_statement') [kind, call, holder] = ['go', par, st];
    // A defer inside a nested function runs when that function returns: not provably after the iteration.
    else if (st?.type === 'defer_statement' && sameFunc(st)) [kind, call, holder] = ['defer', par, st];
    else return null; // called on the spot
  } else if (par.type === 'argument_list') {
    const c = par.parent!;
    const st = c.parent;
    const fn = unparen(field(c, 'function')!);
    const args = named(par).filter((a) => a.type !== 'comment');
    if (st?.type === 'go_statement') [kind, holder] = ['go-arg', st];
    else if (st?.type === 'defer_statement' && sameFunc(st)) [kind, holder] = ['defer-arg', st];
    else if (fn.type === 'selector_expression' && st?.type === 'expression_statement') {
      const m = field(fn, 'field')?.text;
      const recv = field(fn, 'operand')!;
      if ((m === 'Go' || m === 'TryGo') && args.length === 1 && isTaskReceiver(ctx, recv, m)) [kind, target, holder] = ['task', m, st];
      else if (m === 'Run' && args.length === 2 && args[1].equals(n) && sameFunc(st) && isTestingT(ctx, recv)) {
        const at = parallelAt(sem, lit);
        if (at === null) return null;
        [kind, after, holder] = ['parallel', at, st];
      } else return storedOutside(sem, lit, n, loop, body);
    } else return storedOutside(sem, lit, n, loop, body);
  } else return storedOutside(sem, lit, n, loop, body);
  const e: Escape = { lit, kind, stmt: holder, call, after, target, harmless: null };
  if (kind === 'go' || kind === 'go-arg' || kind === 'task') e.harmless = joinedOrLeft(sem, holder, loop, body);
  else if (kind === 'defer' || kind === 'defer-arg') e.harmless = leavesLoop(holder, loop, body);
  return e;
}

/** errgroup.Group / *errgroup.Group (Go, TryGo) and sync.WaitGroup (Go, Go 1.25): tasks run on another goroutine. */
function isTaskReceiver(ctx: RuleContext, recv: Node, method: string): boolean {
  const t = operandType(ctx, recv);
  if (!t || t.pointer > 1) return false;
  if (t.pkgPath === 'golang.org/x/sync/errgroup' && t.name === 'Group') return true;
  return method === 'Go' && t.pkgPath === 'sync' && t.name === 'WaitGroup';
}

/** Whether expr is proven to be a *testing.T (a testing.T value works too: Run has a pointer receiver). */
function isTestingT(ctx: RuleContext, expr: Node): boolean {
  const t = operandType(ctx, expr);
  return !!t && t.pkgPath === 'testing' && t.name === 'T' && t.pointer <= 1;
}

/**
 * For `func(t *testing.T) { ...; t.Parallel(); ... }`: the end of the t.Parallel() statement
 * among the body's top-level statements after its last label (go vet's rule: a jump to a
 * label could skip either the call or the reference), or null when it is not parallel.
 */
function parallelAt(sem: Semantics, lit: Node): number | null {
  const params = field(lit, 'parameters');
  const decls = params ? named(params).filter((p) => p.type === 'parameter_declaration') : [];
  if (decls.length !== 1) return null;
  const type = field(decls[0], 'type');
  const name = field(decls[0], 'name');
  if (!type || !name) return null;
  const t = sem.typeRef(type);
  if (t.pkgPath !== 'testing' || t.name !== 'T' || t.pointer !== 1) return null;
  const tb = sem.declaredAt(name);
  if (!tb) return null;
  const block = field(lit, 'body');
  const list = block ? named(block).find((c) => c.type === 'statement_list') : null;
  let at: number | null = null;
  for (let s of list ? named(list) : []) {
    if (s.type === 'comment') continue;
    if (s.type === 'labeled_statement') {
      at = null;
      while (s.type === 'labeled_statement') {
        const inner = named(s).find((c) => c.type !== 'label_name' && c.type !== 'comment');
        if (!inner) break;
        s = inner;
      }
    }
    if (at !== null || s.type !== 'expression_statement') continue;
    const call = unparen(named(s)[0]);
    if (call?.type !== 'call_expression') continue;
    const sel = unparen(field(call, 'function')!);
    if (sel.type !== 'selector_expression' || field(sel, 'field')?.text !== 'Parallel') continue;
    const op = unparen(field(sel, 'operand')!);
    if (op.type === 'identifier' && sem.resolve(op) === tb) at = s.endIndex;
  }
  return at;
}

/**
 * A literal whose value flows (through composite literals, &, append) into an assignment
 * to, or a send on, something declared outside the loop.
 */
function storedOutside(sem: Semantics, lit: Node, start: Node, loop: Node, body: Node): Escape | null {
  const carried = carrierOf(start, (append) => !sem.resolve(append));
  if (!carried) return null;
  const { v, appended } = carried;
  const p = v.parent!;
  let e: Escape | null = null;
  if (p.type === 'expression_list' && p.parent?.type === 'assignment_statement') {
    const asg = p.parent;
    if (!field(asg, 'right')?.equals(p)) return null;
    if (!children(asg).some((c) => c.type === '=')) return null;
    const left = field(asg, 'left');
    const lefts = left ? named(left).filter((c) => c.type !== 'comment') : [];
    const rights = named(p).filter((c) => c.type !== 'comment');
    if (lefts.length !== rights.length) return null;
    const target = lefts[rights.findIndex((r) => r.equals(v))];
    if (!target || !declaredOutside(sem, target, loop)) return null;
    e = { lit, kind: 'store', stmt: asg, target: target.text, harmless: null };
    const t = unparen(target);
    if (!appended && (t.type === 'identifier' || t.type === 'selector_expression')) e.harmless = 'replaced';
  } else if (p.type === 'send_statement' && field(p, 'value')?.equals(v)) {
    const ch = field(p, 'channel');
    if (!ch || !declaredOutside(sem, ch, loop)) return null;
    e = {
      lit,
      kind: 'send',
      stmt: p,
      target: ch.text,
      harmless: null,
      noFix: `whether the receiver of ${ch.text} calls it before the iteration ends is not visible here`,
    };
  }
  if (!e) return null;
  if (!contains(body, e.stmt)) return null;
  const fn = enclosingFunction(e.stmt);
  if (!fn || !fn.equals(enclosingFunction(loop)!)) return null;
  e.harmless ??= leavesLoop(e.stmt, loop, body);
  return e;
}

/** Whether the variable at the root of expr (x in x.f[i]) is declared outside the loop. */
function declaredOutside(sem: Semantics, expr: Node, loop: Node): boolean {
  let n = unparen(expr);
  for (;;) {
    if (n.type === 'selector_expression' || n.type === 'index_expression') n = unparen(field(n, 'operand')!);
    else if (n.type === 'unary_expression' && n.child(0)?.type === '*') n = unparen(field(n, 'operand')!);
    else break;
  }
  if (n.type !== 'identifier' || n.text === '_') return false;
  const b = sem.resolve(n);
  if (!b) return true; // package-level in another file of the package
  return !contains(loop, b.id);
}

// ---- does the iteration wait for the closure, or leave the loop? -------------------

/**
 * The statements that run after `stmt` before the loop variable changes: the rest of each
 * enclosing block up to the loop body, and, when an inner loop lies between, that whole
 * inner loop body (its later iterations run first too). Nested func literals excluded.
 */
function restOfIteration(stmt: Node, body: Node): Node[] {
  const out: Node[] = [];
  let n = stmt;
  while (n.parent && !n.equals(body)) {
    const p = n.parent;
    if (p.type === 'statement_list') {
      for (const s of named(p)) if (s.startIndex >= n.endIndex && s.type !== 'comment') out.push(s);
    }
    if (p.type === 'for_statement' && !p.equals(body.parent!)) {
      const b = field(p, 'body');
      if (b) out.push(b);
    }
    if (FUNC_TYPES.has(p.type)) break;
    n = p;
  }
  return out;
}

/** Whether node (outside nested func literals) waits: a receive, a select without default, a .Wait() call. */
function waits(node: Node): boolean {
  if (node.type === 'func_literal') return false;
  if (node.type === 'unary_expression' && node.child(0)?.type === '<-') return true;
  if (node.type === 'receive_statement') return true;
  if (node.type === 'select_statement') {
    if (!named(node).some((c) => c.type === 'default_case')) return true;
    // With a default, the cases' receives do not block; their bodies may.
    return named(node).some((c) => named(c).some((b) => b.type === 'statement_list' && waits(b)));
  }
  if (node.type === 'call_expression') {
    const fn = unparen(field(node, 'function')!);
    if (fn.type === 'selector_expression' && field(fn, 'field')?.text === 'Wait') return true;
  }
  return named(node).some(waits);
}

function joinedOrLeft(sem: Semantics, holder: Node, loop: Node, body: Node): string | null {
  const rest = restOfIteration(holder, body);
  // Name an unconditional wait when there is one (a wait inside an if still counts: precision first).
  const compound = /^(if|for|expression_switch|type_switch|select)_statement$|^block$/;
  const w = rest.find((r) => !compound.test(r.type) && waits(r)) ?? rest.find(waits);
  if (w) return `the iteration waits for it (line ${w.startPosition.row + 1}) before the variable changes`;
  const p = pipeHandshake(sem, holder, rest, body);
  if (p) return p;
  return leavesLoop(holder, loop, body);
}

/**
 * `r, w := io.Pipe()` (or net.Pipe()) in the iteration, the goroutine closes one end and
 * the iteration then uses the other: reading to the end waits for the goroutine's Close.
 */
function pipeHandshake(sem: Semantics, holder: Node, rest: Node[], body: Node): string | null {
  const lit = holder.descendantsOfType('func_literal')[0];
  if (!lit) return null;
  for (const call of lit.descendantsOfType('call_expression')) {
    if (!call) continue;
    const fn = unparen(field(call, 'function')!);
    if (fn.type !== 'selector_expression' || field(fn, 'field')?.text !== 'Close') continue;
    const op = unparen(field(fn, 'operand')!);
    const b = op.type === 'identifier' ? sem.resolve(op) : null;
    if (!b || b.decl.type !== 'short_var_declaration' || !contains(body, b.decl) || b.valueIndex < 0 || !b.value) continue;
    if (!sem.isCallTo(b.value, 'io', 'Pipe') && !sem.isCallTo(b.value, 'net', 'Pipe')) continue;
    const other = sem.bindingsWithin(b.decl).find((o) => o !== b && o.decl.equals(b.decl));
    if (!other) continue;
    const use = other.refs.find((r) => rest.some((s) => contains(s, r)));
    if (use) return `the iteration reads the pipe (line ${use.startPosition.row + 1}) that the goroutine closes when done`;
  }
  return null;
}

/** 'return' / 'break' when the statements after holder's statement leave the loop unconditionally. */
function leavesLoop(holder: Node, loop: Node, body: Node): string | null {
  let n = holder;
  let breakable = true; // an unlabeled break here leaves `loop`
  while (n.parent && !n.equals(body)) {
    const p = n.parent;
    if (p.type === 'statement_list') {
      for (const s of named(p)) {
        if (s.startIndex < n.endIndex) continue;
        if (s.type === 'return_statement') return 'return';
        if (s.type === 'break_statement' && breakable && !named(s).some((c) => c.type === 'label_name')) return 'break';
        if (s.type === 'expression_statement' && isPanic(s)) return 'return';
      }
    }
    if (FUNC_TYPES.has(p.type)) return null;
    if (p.type === 'for_statement' && !p.equals(loop)) breakable = false;
    if (/switch_statement$|^select_statement$/.test(p.type)) breakable = false;
    n = p;
  }
  return null;
}

function isPanic(s: Node): boolean {
  const c = unparen(named(s)[0]);
  const fn = c?.type === 'call_expression' ? field(c, 'function') : null;
  return !!fn && fn.type === 'identifier' && fn.text === 'panic';
}

// ---- messages and fixes ------------------------------------------------------------

const KIND_TEXT: Record<EscapeKind, (e: Escape) => string> = {
  go: () => 'a goroutine (go func literal)',
  defer: () => 'a deferred func literal',
  'go-arg': () => 'a func literal passed to a go statement',
  'defer-arg': () => 'a func literal passed to a deferred call',
  task: (e) => `a func literal passed to .${e.target}() (it runs on another goroutine)`,
  parallel: () => 'a parallel subtest',
  store: (e) => `a func literal stored in ${e.target}`,
  send: (e) => `a func literal sent on ${e.target}`,
};

const WHY_LATER: Record<EscapeKind, string> = {
  go: 'nothing later in the iteration waits for the goroutine',
  'go-arg': 'nothing later in the iteration waits for the goroutine',
  task: 'nothing later in the iteration waits for the task',
  defer: 'the deferred call runs when the function returns',
  'defer-arg': 'the deferred call runs when the function returns',
  parallel: 'a parallel subtest runs after t.Parallel() only once the loop has moved on',
  store: 'the stored closure can be called after the iteration',
  send: 'the receiver may call the closure after the iteration',
};

function sharedText(ctx: RuleContext, v: Var): string {
  if (v.kind === 'outer') return `in every Go version: ${v.name} is declared outside the loop, so all iterations share it`;
  const version = ctx.goVersion ? `Go ${formatGoVersion(ctx.goVersion)}` : 'this Go version';
  return `before Go 1.22 (this file: ${version}) all iterations share one ${v.name}`;
}

function reportJoinedCapture(ctx: RuleContext, v: Var, e: Escape): void {
  const first = firstRef(v, e);
  if (!first) return;
  const why =
    e.harmless === 'return'
      ? 'the function returns right after'
      : e.harmless === 'break'
        ? 'the loop breaks right after'
        : e.harmless === 'replaced'
          ? `the next iteration replaces ${e.target}, so only a call during this iteration can reach this closure`
          : e.harmless;
  ctx.report({
    node: first,
    message: `loop variable ${v.name} is captured by ${KIND_TEXT[e.kind](e)}; ${sharedText(ctx, v)}, but ${why}, so it cannot see a later value`,
    noFix: 'none is needed',
  });
}

type Plan = { how: 'copy' } | { how: 'arg' } | { how: 'fresh'; name: string } | { how: 'none'; why: string };

function reportLoop(ctx: RuleContext, loop: Node, body: Node, captures: Capture[]): void {
  const src = ctx.source;
  const sem = ctx.sem;
  captures.sort((a, b) => a.first.startIndex - b.first.startIndex);
  const bodyScope = sem.scopeAt(body);
  const plans = new Map<Capture, Plan>();
  const freshTaken = new Set<string>();
  for (const c of captures) {
    const b = c.v.binding;
    const name = c.v.name;
    const sent = c.escapes.find((e) => e.noFix);
    if (sent) {
      plans.set(c, { how: 'none', why: sent.noFix! });
      continue;
    }
    // A range variable is assigned afresh by every iteration: only direct assignments to
    // it matter (a write to a field, or a method call, acts on the copy just as on a Go
    // 1.22 per-iteration variable). Other variables: anything that may modify them.
    const writes_ = c.v.kind === 'range' ? isDirectWriteRef : isWriteRef;
    if (c.escapes.some((e) => c.v.refsIn(e.lit).some(writes_))) {
      plans.set(c, { how: 'none', why: `the closure itself assigns ${name}, so a copy would hide its writes from the loop` });
      continue;
    }
    const writes = c.v.refsIn(body).filter((r) => writes_(r) && !c.escapes.some((e) => contains(e.lit, r)));
    const redeclared = bodyScope.node.equals(body) && !!bodyScope.bindings.get(name)?.length;
    const firstEscape = Math.min(...c.escapes.map((e) => e.stmt.startIndex));
    const writesBeforeOnly = writes.every((w) => w.endIndex <= firstEscape && !innerLoopAround(w, c.escapes, body));
    if (c.v.kind !== 'outer' && !redeclared && (writes.length === 0 || (c.v.kind === 'range' && writesBeforeOnly))) {
      plans.set(c, { how: 'copy' });
      continue;
    }
    // Declared outside, or the body changes it after the capture (or redeclares it):
    // hand the closure the value it would see at once.
    const lead =
      c.v.kind === 'outer'
        ? ''
        : redeclared
          ? `the loop body declares its own ${name}, so a copy cannot go at its top, and `
          : `the loop body assigns ${name} after the capture (a copy at the top would change what the closure sees), and `;
    if (argumentBlocker(ctx, c) === null) {
      plans.set(c, { how: 'arg' });
      continue;
    }
    const why = freshBlocker(ctx, c);
    if (why) {
      plans.set(c, { how: 'none', why: `${lead}${why}` });
      continue;
    }
    const stmt = c.escapes[0].stmt;
    let fresh = sem.freshName(freshBase(name), stmt);
    for (let i = 2; freshTaken.has(fresh) || (b && fresh === name); i++) fresh = sem.freshName(`${freshBase(name)}${i}`, stmt);
    freshTaken.add(fresh);
    plans.set(c, { how: 'fresh', name: fresh });
  }

  // One insertion for all copies, as the first statement of the body.
  const copies = captures.filter((c) => plans.get(c)!.how === 'copy');
  let copyEdit: TextEdit | null = null;
  let copyBlocker: string | null = null;
  if (copies.length) {
    const at = firstStatementLine(src, body);
    if (at === null) copyBlocker = 'the loop body shares a line with its braces; put it on its own lines first';
    else {
      const indent = indentAt(src, at.stmt.startIndex);
      const text = copies.map((c) => `${indent}${c.v.name} := ${c.v.name}${ctx.eol}`).join('');
      copyEdit = { start: at.line, end: at.line, text };
    }
  }

  // Argument passing: per literal, every arg-variable it captures.
  const argEdits = new Map<Capture, TextEdit[]>();
  const litVars = new Map<number, { e: Escape; vars: Capture[] }>();
  for (const c of captures) {
    if (plans.get(c)!.how !== 'arg') continue;
    for (const e of c.escapes) {
      const entry = litVars.get(e.lit.id) ?? { e, vars: [] };
      entry.vars.push(c);
      litVars.set(e.lit.id, entry);
    }
  }
  for (const { e, vars } of litVars.values()) {
    const edits = argumentEdits(ctx, e, vars);
    for (const c of vars) argEdits.set(c, [...(argEdits.get(c) ?? []), ...edits]);
  }

  for (const c of captures) {
    const name = c.v.name;
    const plan = plans.get(c)!;
    let noFix: string | undefined;
    let fix: { description: string; edits: TextEdit[] } | undefined;
    if (plan.how === 'none') noFix = plan.why;
    else if (plan.how === 'copy') {
      if (!copyEdit) noFix = copyBlocker ?? undefined;
      else fix = { description: `Copy ${name} per iteration (${name} := ${name})`, edits: [copyEdit] };
    } else if (plan.how === 'arg') {
      fix = { description: `Pass ${name} to the closure as an argument`, edits: argEdits.get(c) ?? [] };
    } else {
      const stmt = c.escapes[0].stmt;
      const indent = indentAt(src, stmt.startIndex);
      const at = lineStart(src, stmt.startIndex);
      const edits: TextEdit[] = [{ start: at, end: at, text: `${indent}${plan.name} := ${name}${ctx.eol}` }];
      for (const e of c.escapes) {
        for (const r of c.v.refsIn(e.lit)) edits.push({ start: r.startIndex, end: r.endIndex, text: plan.name });
      }
      fix = { description: `Give the closure its own copy ${plan.name} of ${name}, made just before it`, edits };
    }
    // One finding per closure, at its first reference (go vet's lines); all share the fix.
    for (const e of c.escapes) {
      const first = firstRef(c.v, e);
      if (!first) continue;
      const base = `loop variable ${name} is captured by ${KIND_TEXT[e.kind](e)}; ${sharedText(ctx, c.v)}, and ${WHY_LATER[e.kind]}, so it can see a later value`;
      ctx.report({ node: first, message: base, ...(fix ? { fix } : { noFix }) });
    }
  }
}

function firstRef(v: Var, e: Escape): Node | null {
  return v.refsIn(e.lit).find((r) => e.after === undefined || r.startIndex >= e.after) ?? null;
}

function freshBase(name: string): string {
  return `${name}Copy`;
}

/** Whether write w sits in a loop (inside the body) that also holds one of the escapes: it runs again after the capture. */
function innerLoopAround(w: Node, escapes: Escape[], body: Node): boolean {
  for (let p = w.parent; p && !p.equals(body); p = p.parent) {
    if (p.type === 'for_statement' && escapes.some((e) => contains(p!, e.stmt))) return true;
  }
  return false;
}

/** Why a fresh variable before the escaping statement cannot be used, or null. */
function freshBlocker(ctx: RuleContext, c: Capture): string | null {
  const stmt = c.escapes[0].stmt;
  if (c.escapes.some((e) => !e.stmt.equals(stmt))) return `${c.v.name} is captured by closures in several statements`;
  if (stmt.parent?.type !== 'statement_list') return 'the closure is not made by a statement of its own';
  if (ctx.source.slice(lineStart(ctx.source, stmt.startIndex), stmt.startIndex).trim() !== '') return 'the statement shares its line with other code';
  return null;
}

/** Where the body's first statement starts its line (the insertion point), or null for one-line bodies. */
function firstStatementLine(src: string, body: Node): { line: number; stmt: Node } | null {
  const braceRow = body.startPosition.row;
  const list = named(body).find((c) => c.type === 'statement_list');
  const nodes = [...named(body).filter((c) => c.type === 'comment'), ...(list ? named(list) : [])].sort(
    (a, b) => a.startIndex - b.startIndex,
  );
  const stmts = nodes.filter((n) => n.type !== 'comment');
  if (stmts.length === 0) return null;
  if (stmts[0].startPosition.row === braceRow) return null;
  const first = nodes.find((n) => n.startPosition.row > braceRow)!;
  return { line: lineStart(src, first.startIndex), stmt: stmts[0] };
}

/** Why the argument fix cannot be used for this capture, or null when it can. */
function argumentBlocker(ctx: RuleContext, c: Capture): string | null {
  const name = c.v.name;
  for (const e of c.escapes) {
    if (e.kind !== 'go' && e.kind !== 'defer') return `the closure is ${KIND_TEXT[e.kind](e)}, which cannot take it as an argument`;
    const params = field(e.lit, 'parameters')!;
    const decls = named(params).filter((p) => p.type !== 'comment');
    if (decls.some((d) => d.type === 'variadic_parameter_declaration')) return 'the closure is variadic';
    if (decls.some((d) => !field(d, 'name'))) return 'the closure has unnamed parameters';
    if (hasTrailingComma(params) || hasTrailingComma(field(e.call!, 'arguments')!)) return 'the parameter list is split over lines';
    if (children(field(e.call!, 'arguments')!).some((t) => t.type === '...')) return 'the call spreads a slice (...)';
  }
  if (!typeText(ctx, c.v)) return `the type of ${name} is not evident from the syntax`;
  return null;
}

function hasTrailingComma(list: Node): boolean {
  const toks = children(list).filter((t) => t.type !== 'comment');
  return toks.length >= 2 && toks[toks.length - 2].type === ',';
}

/** The type of the variable when its declaration or initializer proves it (as source text valid at the loop). */
function typeText(ctx: RuleContext, v: Var): string | null {
  const b = v.binding;
  if (!b) return null;
  if (b.typeNode) return portableType(ctx.sem, b.typeNode);
  if (b.valueIndex >= 0 || !b.value) return null;
  if (b.decl.type === 'range_clause') return null;
  return literalType(ctx.sem, unparen(b.value));
}

/** A declared type written only with predeclared names, imports and package-level types (visible anywhere in the file). */
function portableType(sem: Semantics, t: Node): string | null {
  for (const id of t.descendantsOfType(['type_identifier', 'package_identifier'])) {
    if (!id) continue;
    if (PREDECLARED.has(id.text) && !sem.lookup(id.text, id)) continue;
    const b = sem.resolve(id) ?? sem.lookup(id.text, id);
    if (!b) continue; // declared in another file of the package: package level
    if (b.kind === 'import') continue;
    if (b.scope !== sem.fileScope) return null;
  }
  return t.text.includes('\n') ? null : t.text;
}

function literalType(sem: Semantics, v: Node): string | null {
  switch (v.type) {
    case 'int_literal':
      return 'int';
    case 'float_literal':
      return 'float64';
    case 'rune_literal':
      return 'rune';
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return 'string';
    case 'true':
    case 'false':
      return 'bool';
    case 'call_expression': {
      const fn = field(v, 'function');
      if (!fn || fn.type !== 'identifier' || sem.resolve(fn)) return null;
      if (fn.text === 'len' || fn.text === 'cap') return 'int';
      const argc = named(field(v, 'arguments')!).filter((a) => a.type !== 'comment').length;
      if (argc === 1 && PREDECLARED.has(fn.text) && BASIC_TYPES.has(fn.text)) return fn.text;
      return null;
    }
    default:
      return null;
  }
}

const BASIC_TYPES = new Set(
  'bool byte complex64 complex128 float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr'.split(' '),
);

/** Edits adding `name type` parameters to the literal and `name` arguments to its call. */
function argumentEdits(ctx: RuleContext, e: Escape, vars: Capture[]): TextEdit[] {
  const params = field(e.lit, 'parameters')!;
  const argList = field(e.call!, 'arguments')!;
  const hasParams = named(params).some((p) => p.type !== 'comment');
  const hasArgs = named(argList).some((p) => p.type !== 'comment');
  const ps = vars.map((c) => `${c.v.name} ${typeText(ctx, c.v)}`).join(', ');
  const as = vars.map((c) => c.v.name).join(', ');
  const pEnd = params.endIndex - 1;
  const aEnd = argList.endIndex - 1;
  return [
    { start: pEnd, end: pEnd, text: hasParams ? `, ${ps}` : ps },
    { start: aEnd, end: aEnd, text: hasArgs ? `, ${as}` : as },
  ];
}

/** The first index of a non-decreasing array holding a value >= x (its length if none). */
function firstAtOrAfter(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
