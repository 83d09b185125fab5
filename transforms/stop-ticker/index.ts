// stop-ticker: a *time.Ticker that is never stopped keeps its runtime timer (and, before
// Go 1.23, the ticker itself) alive forever, firing into a channel nobody reads once the
// function that made it has returned. Fix: `defer t.Stop()` right after time.NewTicker;
// time.Tick in a function that returns becomes `t := time.NewTicker(d); defer t.Stop()`
// with `t.C`. From Go 1.23 an unreachable ticker is collected, so the rule is silent
// there unless configured to report (style).
import type { Node } from 'web-tree-sitter';
import { escapeReason, classifyUse } from '../../src/go/uses.js';
import type { Binding } from '../../src/go/scope.js';
import { canReturnAfter } from '../../src/go/flow.js';
import { compareGoVersion, CURRENT_GO } from '../../src/go/version.js';
import {
  contains,
  descendants,
  enclosingFunction,
  field,
  fields,
  indentAt,
  insideLoop,
  lineEnd,
  lineStart,
  named,
  restOfLineIsEmpty,
  unparen,
} from '../../src/go/syntax.js';
import { durationSign } from '../../src/go/construct.js';
import { packageClause } from '../../src/go/package.js';
import type { Rule, RuleContext, JsonSchema } from '../../src/rules/api.js';
import { codeWords } from '../../src/go/lexical.js';
import { defineRule, type OptionsOf } from '../../src/rules/define.js';

const GO1_23 = { major: 1, minor: 23 };
const LOOP_REASON = 'the ticker is created inside a loop, where a deferred Stop would only run when the function returns; stop it at the end of each iteration or create it once before the loop';

/** Whether the ticker-bearing statement is in a function that is main/init (process-lifetime tickers). */
function isMainOrInit(fn: Node): boolean {
  if (fn.type !== 'function_declaration') return false;
  const name = field(fn, 'name')?.text;
  return name === 'main' || name === 'init';
}

/** The outermost function declaration holding node (through func literals). */
function topFunction(node: Node): Node | null {
  let top: Node | null = null;
  for (let f = enclosingFunction(node); f; f = enclosingFunction(f)) top = f;
  return top;
}

interface Decl {
  stmt: Node;
  nameNode: Node;
  op: ':=' | '=' | 'var';
}

/** `x := call`, `var x = call` or `x = call` with one name and one value; else null. */
function declOf(call: Node): Decl | null {
  let n = call;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const list = n.parent;
  if (!list || list.type !== 'expression_list') return null;
  if (named(list).filter((c) => c.type !== 'comment').length !== 1) return null;
  const spec = list.parent;
  if (!spec) return null;
  if (spec.type === 'short_var_declaration' || spec.type === 'assignment_statement') {
    if (!field(spec, 'right')?.equals(list)) return null;
    if (spec.type === 'assignment_statement' && spec.childForFieldName('operator')?.text !== '=') return null;
    const left = named(field(spec, 'left')!).filter((c) => c.type !== 'comment');
    if (left.length !== 1 || left[0].type !== 'identifier') return null;
    return { stmt: spec, nameNode: left[0], op: spec.type === 'short_var_declaration' ? ':=' : '=' };
  }
  if (spec.type === 'var_spec') {
    const names = fields(spec, 'name');
    if (names.length !== 1) return null;
    let stmt = spec.parent!;
    if (stmt.type === 'var_spec_list') {
      if (named(stmt).filter((c) => c.type === 'var_spec').length !== 1) return null;
      stmt = stmt.parent!;
    }
    return { stmt, nameNode: names[0], op: 'var' };
  }
  return null;
}

function placementProblem(ctx: RuleContext, stmt: Node, owner: Node): string | null {
  if (stmt.parent?.type !== 'statement_list') return 'the call is in a statement header (if/for/switch); move it to its own statement first';
  if (insideLoop(stmt, owner)) return LOOP_REASON;
  if (!restOfLineIsEmpty(ctx.source, stmt.endIndex)) return 'another statement follows on the same line';
  if (lineStart(ctx.source, stmt.startIndex) !== stmt.startIndex - indentAt(ctx.source, stmt.startIndex).length) {
    return 'another statement precedes it on the same line';
  }
  return null;
}

/** Whether any reference calls b.Stop (anywhere: deferred, in a closure, on some path). */
function stopped(b: Binding): boolean {
  return b.refs.some((r) => {
    const p = r.parent;
    return p?.type === 'selector_expression' && field(p, 'operand')?.equals(r) && field(p, 'field')?.text === 'Stop';
  });
}

/**
 * How the ticker (or its channel) leaves this function. `hard`: someone else may own it
 * now (returned, stored, handed to a goroutine or a closure, the ticker passed to a call
 * that may stop it): not a finding. `soft`: still ours, but a deferred Stop is not proven
 * safe (the channel passed to a call that may keep reading it, the variable reassigned).
 */
function escapeOf(ctx: RuleContext, b: Binding, owner: Node, after: number): { hard: string | null; soft: string | null } {
  let soft: string | null = null;
  for (const r of b.refs) {
    if (r.startIndex < after) continue;
    if (!contains(owner, r)) return { hard: `${b.name} is used outside this function`, soft };
    const u = classifyUse(r, owner);
    if (u.kind === 'lhs') {
      soft ??= `${b.name} is assigned again, so a deferred ${b.name}.Stop() would stop only the first ticker`;
      continue;
    }
    if (u.kind === 'method') continue; // t.Reset(d): still ours
    if (u.kind === 'passed') return { hard: `${b.name} is passed to ${field(u.call!, 'function')!.text}, which may stop it or keep it`, soft };
    if (u.kind === 'field') {
      const f = classifyUse(u.node, owner);
      if (f.kind === 'passed') {
        const callee = field(f.call!, 'function')!;
        const later = escapeReason(ctx.sem, f.call!, owner);
        if (later || callee.text === 'append') return { hard: `${u.node.text} is passed to ${callee.text}, whose result ${later ?? 'keeps it'}`, soft };
        soft ??= `${u.node.text} is passed to ${callee.text}, which may keep reading it after this function returns`;
        continue;
      }
    }
    // A receive or a range over the channel stays here; anything else that outlives the call does not.
    const why = escapeReason(ctx.sem, r, owner);
    if (why) return { hard: `${u.kind === 'field' ? u.node.text : b.name} ${why}`, soft };
  }
  return { hard: null, soft };
}

/** A range over a ticker's channel never ends by itself: time.Tick(d), x.C, or a local holding either. */
function tickerRange(ctx: RuleContext): (forStmt: Node) => boolean {
  const isTickerChan = (e: Node, depth: number): boolean => {
    e = unparen(e);
    if (e.type === 'call_expression') return ctx.sem.isCallTo(e, 'time', 'Tick');
    if (e.type === 'selector_expression') return field(e, 'field')?.text === 'C';
    if (e.type === 'identifier' && depth < 4) {
      const b = ctx.sem.resolve(e);
      return !!b && b.valueIndex < 0 && !!b.value && isTickerChan(b.value, depth + 1);
    }
    return false;
  };
  return (forStmt) => {
    const rc = named(forStmt).find((c) => c.type === 'range_clause');
    const right = rc ? field(rc, 'right') : null;
    return !!right && isTickerChan(right, 0);
  };
}

type Mode = 'fix' | 'report' | 'off';

function modeFor(ctx: Ctx): Mode {
  const v = ctx.goVersion ?? CURRENT_GO;
  if (compareGoVersion(v, GO1_23) < 0) return 'fix';
  return ctx.options.fromGo123;
}

const STYLE_NOTE = 'since Go 1.23 an unreachable ticker is garbage-collected, so this is style: stopping it says when it is no longer needed';

/** The rule's options (gopitfix.json `rules.stop-ticker`); ctx.options is typed from this schema. */
const OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fromGo123: {
      type: 'string',
      enum: ['off', 'report'],
      default: 'off',
      description:
        'Files at Go 1.23 or later, where an unreachable ticker is garbage-collected: "off" (nothing reported) or "report" (report as style, never fixed).',
    },
  },
} as const satisfies JsonSchema;
type Ctx = RuleContext<OptionsOf<typeof OPTIONS>>;

export const rule: Rule = defineRule({
  meta: {
    id: 'stop-ticker',
    summary: 'defer t.Stop() after a time.NewTicker that is never stopped, and replace time.Tick in functions that return (tickers leak before Go 1.23; off from 1.23 unless fromGo123 is "report")',
    defaultOn: true,
    // Its fixes yield to propagate-ctx's on overlap (the order fixes have always been preferred in).
    after: ['propagate-ctx'],
    // Every finding is a call of time.NewTicker or time.Tick (through the import of "time").
    triggers: ['Tick'],
    requires: [/["`]time["`]/, codeWords('NewTicker', 'Tick')],
    docPath: 'transforms/stop-ticker/README.md',
    options: OPTIONS,
  },
  run(ctx) {
    const mode = modeFor(ctx);
    if (mode === 'off') return;
    const isTest = /_test\.go$/.test(ctx.path);
    const isMainPkg = packageClause(ctx.root) === 'main';
    const allocated = new Map<number, Set<string>>();
    for (const call of descendants(ctx.root, 'call_expression')) {
      if (ctx.sem.isCallTo(call, 'time', 'NewTicker')) checkNewTicker(ctx, call, mode);
      else if (ctx.sem.isCallTo(call, 'time', 'Tick') && !isTest && !isMainPkg) checkTick(ctx, call, mode, allocated);
    }
  },
});

function checkNewTicker(ctx: RuleContext, call: Node, mode: Mode): void {
  const owner = enclosingFunction(call);
  if (!owner) return; // package level: lives as long as the program
  const top = topFunction(call)!;
  if (isMainOrInit(top) && owner.equals(top)) return;
  const callee = field(call, 'function')!.text;
  const d = declOf(call);
  if (!d) {
    // time.NewTicker(d).C, a field, an argument: the ticker is not a local we can follow.
    const p = unparen(call).parent;
    if (p?.type === 'selector_expression' && field(p, 'field')?.text === 'C') {
      if (insideLoop(call, owner) || canReturnAfter(call, owner, tickerRange(ctx))) {
        ctx.report({
          node: call,
          message: `the ticker made by ${callee} is never stopped: only its channel is kept, so it fires until the program exits${mode === 'report' ? ` (${STYLE_NOTE})` : ''}`,
          noFix: 'there is no ticker variable to stop; name the ticker and defer its Stop',
        });
      }
    }
    return;
  }
  const b = ctx.sem.declaredAt(d.nameNode) ?? ctx.sem.resolve(d.nameNode);
  if (!b || b.kind === 'result' || !contains(owner, b.id)) return; // owned outside this function
  if (stopped(b)) return;
  const inLoop = insideLoop(d.stmt, owner);
  if (!inLoop && !canReturnAfter(d.stmt, owner, tickerRange(ctx))) return; // never returns: the ticker lives as long as the function
  const esc = escapeOf(ctx, b, owner, d.stmt.endIndex);
  if (esc.hard) return; // someone else may stop it
  const escape = esc.soft;
  const message = `${b.name}, the ticker made by ${callee}, is never stopped${mode === 'report' ? '' : ': before Go 1.23 it is never garbage-collected and keeps firing after the function returns'}`;
  if (mode === 'report') {
    ctx.report({ node: call, message, noFix: STYLE_NOTE });
    return;
  }
  let problem = escape ?? placementProblem(ctx, d.stmt, owner);
  if (!problem && d.op === '=' && (b.value || b.refs.some((r) => !contains(d.stmt, r) && classifyUse(r, owner).kind === 'lhs'))) {
    problem = `${b.name} is assigned more than once`;
  }
  if (problem) {
    ctx.report({ node: call, message, noFix: problem });
    return;
  }
  const at = lineEnd(ctx.source, d.stmt.endIndex);
  const indent = indentAt(ctx.source, d.stmt.startIndex);
  ctx.report({
    node: call,
    message,
    fix: { description: `Add defer ${b.name}.Stop() after ${callee}`, edits: [{ start: at, end: at, text: `${ctx.eol}${indent}defer ${b.name}.Stop()` }] },
  });
}

function checkTick(ctx: RuleContext, call: Node, mode: Mode, allocated: Map<number, Set<string>>): void {
  const owner = enclosingFunction(call);
  if (!owner) return; // package level
  const top = topFunction(call)!;
  if (isMainOrInit(top) && owner.equals(top)) return;
  const callee = field(call, 'function')!;
  const args = named(field(call, 'arguments')!).filter((a) => a.type !== 'comment');
  if (args.length !== 1) return;
  const pkg = field(callee, 'operand')!.text;
  // time.Tick(d) with d <= 0 returns nil and starts no ticker: nothing leaks.
  const sign = durationSign(ctx.sem, args[0]);
  if (sign === 0) return;

  let outer = unparen(call);
  while (outer.parent?.type === 'parenthesized_expression') outer = outer.parent;
  const rangeClause = outer.parent?.type === 'range_clause' && field(outer.parent, 'right')?.equals(outer) ? outer.parent : null;
  const forStmt = rangeClause?.parent?.type === 'for_statement' ? rangeClause.parent : null;
  const d = forStmt ? null : declOf(call);
  const anchor = forStmt ?? d?.stmt ?? call;
  const inLoop = insideLoop(anchor, owner);
  if (!inLoop && !canReturnAfter(anchor, owner, tickerRange(ctx))) return; // endless: the ticker lives as long as the function

  const base = `${callee.text} starts a ticker that can never be stopped`;
  const message =
    mode === 'report'
      ? base
      : `${base}: before Go 1.23 it leaks (keeps firing, never garbage-collected) once this function returns`;
  if (mode === 'report') {
    ctx.report({ node: call, message, noFix: STYLE_NOTE });
    return;
  }
  const noFix = (why: string) => ctx.report({ node: call, message, noFix: why });
  if (inLoop) {
    noFix('it is called inside a loop, so a new ticker starts on every iteration and a deferred Stop would only run when the function returns; create one ticker before the loop');
    return;
  }
  if (sign === null) {
    return noFix(`the interval ${args[0].text} is not a constant gopitfix can prove positive: ${callee.text} returns nil for d <= 0 where NewTicker panics; if it is always positive, write ticker := ${pkg}.NewTicker(d); defer ticker.Stop() and use ticker.C`);
  }
  if (!forStmt && !d) {
    const u = classifyUse(outer, owner);
    if (u.kind === 'returned') noFix('the channel is returned, so no one can stop the ticker; return a *time.Ticker instead');
    else noFix('the channel is not kept in a local variable or ranged over directly');
    return;
  }
  // Where the new statements go: before the for statement (or its label), or in place of the declaration.
  let stmt = forStmt ?? d!.stmt;
  while (stmt.parent?.type === 'labeled_statement') stmt = stmt.parent;
  const problem = placementProblem(ctx, stmt, owner);
  if (problem) return noFix(problem);
  let chanName: string | null = null;
  if (d) {
    if (d.op !== ':=') return noFix('the channel is assigned to an existing variable; declare a *time.Ticker and defer its Stop');
    const b = ctx.sem.declaredAt(d.nameNode);
    if (!b) return noFix('the channel variable could not be resolved');
    const esc = escapeOf(ctx, b, owner, d.stmt.endIndex);
    if (esc.hard || esc.soft) return noFix(`${esc.hard ?? esc.soft}, so stopping the ticker when this function returns could cut off its reader`);
    chanName = b.name;
  }
  const taken = allocated.get(owner.id) ?? new Set<string>();
  allocated.set(owner.id, taken);
  // The new name lives in the block holding stmt (not in a for statement's own scope).
  const at = stmt.parent!;
  let name = ctx.sem.freshName('ticker', at);
  for (let i = 2; taken.has(name); i++) name = ctx.sem.freshName(`ticker${i}`, at);
  taken.add(name);
  const indent = indentAt(ctx.source, (forStmt ?? stmt).startIndex);
  const eol = ctx.eol;
  const lines = `${indent}${name} := ${pkg}.NewTicker(${args[0].text})${eol}${indent}defer ${name}.Stop()${eol}`;
  const head = lines.slice(indent.length) + indent;
  const lineAt = lineStart(ctx.source, stmt.startIndex);
  const edits = forStmt
    ? [
        { start: lineAt, end: lineAt, text: lines },
        { start: call.startIndex, end: call.endIndex, text: `${name}.C` },
      ]
    : [{ start: d!.stmt.startIndex, end: d!.stmt.endIndex, text: `${head}${chanName} := ${name}.C` }];
  if (args[0].text.includes('\n')) return noFix('the interval spans several lines');
  ctx.report({
    node: call,
    message,
    fix: { description: `Replace ${callee.text} with ${pkg}.NewTicker and defer its Stop`, edits },
  });
}
