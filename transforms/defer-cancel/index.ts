// defer-cancel: a context's cancel function that is discarded, or not called on
// every path, leaks the context's timer and children until the parent is done
// (vet's lostcancel). Fix: `defer cancel()` right after the call — unless the
// cancel func or the derived context changes hands, or the call is in a loop.
import type { Node } from 'web-tree-sitter';
import { PathAnalysis } from '../../src/go/flow.js';
import { classifyUse, escapeReason } from '../../src/go/uses.js';
import {
  contains,
  descendants,
  enclosingFunction,
  field,
  fields,
  indentAt,
  insideLoop,
  lineEnd,
  named,
  restOfLineIsEmpty,
  selectorNamed,
} from '../../src/go/syntax.js';
import type { Rule, RuleContext } from '../../src/rules/api.js';
import { defineRule } from '../../src/rules/define.js';

const CONTEXT_FUNCS = ['WithCancel', 'WithTimeout', 'WithDeadline', 'WithCancelCause', 'WithTimeoutCause', 'WithDeadlineCause'];

const SITE_FUNCS = [...CONTEXT_FUNCS, 'NotifyContext'];

/** Escape kinds after which the cancel func belongs to someone else. */
const CANCEL_ESCAPES: Record<string, string> = {
  returned: 'is returned (the caller owns it)',
  assigned: 'is assigned to another variable',
  stored: 'is stored in a struct, map or field',
  goroutine: 'is handed to a goroutine',
  captured: 'is captured by a closure that may outlive the function',
  sent: 'is sent on a channel',
  address: 'has its address taken',
};

interface Site {
  call: Node;
  /** The statement to insert after: short_var_declaration, assignment_statement or var_declaration. */
  stmt: Node;
  op: ':=' | '=' | 'var';
  ctxNode: Node;
  cancelNode: Node;
  owner: Node;
  /** "context.WithTimeout" as written. */
  callee: string;
  takesCause: boolean;
}

function findSite(ctx: RuleContext, call: Node): Site | null {
  const list = call.parent;
  if (!list || list.type !== 'expression_list') return null;
  if (named(list).filter((n) => n.type !== 'comment').length !== 1) return null;
  const spec = list.parent;
  if (!spec) return null;
  let left: Node[];
  let op: Site['op'];
  let stmt: Node;
  if (spec.type === 'short_var_declaration' || spec.type === 'assignment_statement') {
    if (!field(spec, 'right')?.equals(list)) return null;
    left = named(field(spec, 'left')!).filter((n) => n.type !== 'comment');
    op = spec.type === 'short_var_declaration' ? ':=' : '=';
    if (op === '=' && spec.childForFieldName('operator')?.text !== '=') return null;
    stmt = spec;
  } else if (spec.type === 'var_spec') {
    left = fields(spec, 'name');
    op = 'var';
    stmt = spec.parent!;
    if (stmt.type === 'var_spec_list') {
      // A grouped `var (...)` with one spec is a statement we can still insert after.
      if (named(stmt).filter((n) => n.type === 'var_spec').length !== 1) return null;
      stmt = stmt.parent!;
    }
  } else return null;
  if (left.length !== 2) return null;
  const owner = enclosingFunction(call);
  if (!owner) return null;
  const q = ctx.sem.qualified(field(call, 'function')!)!;
  return {
    call,
    stmt,
    op,
    ctxNode: left[0],
    cancelNode: left[1],
    owner,
    callee: field(call, 'function')!.text,
    takesCause: q.path === 'context' && q.name === 'WithCancelCause',
  };
}

/** Why no `defer` may be inserted after the site, or null when it may. */
function placementProblem(ctx: RuleContext, site: Site): string | null {
  if (site.stmt.parent?.type !== 'statement_list') return 'the call is in a statement header (if/for/switch); move it to its own statement first';
  if (insideLoop(site.stmt, site.owner)) {
    return 'the call is inside a loop, where a deferred cancel would only run when the function returns; call cancel at the end of each iteration or move the loop body into a function';
  }
  if (!restOfLineIsEmpty(ctx.source, site.stmt.endIndex)) return 'another statement follows on the same line';
  if (site.ctxNode.type === 'identifier' && site.ctxNode.text !== '_') {
    const b = ctx.sem.declaredAt(site.ctxNode) ?? ctx.sem.resolve(site.ctxNode);
    if (!b || !contains(site.owner, b.id)) return `the derived context ${site.ctxNode.text} is declared outside this function, so it may be used after it returns`;
    for (const ref of b.refs) {
      if (ref.startIndex < site.stmt.endIndex || !contains(site.owner, ref)) continue;
      const why = escapeReason(ctx.sem, ref, site.owner);
      if (why) return `the derived context ${site.ctxNode.text} ${why}, so a deferred cancel would cancel it under its new owner`;
    }
  } else if (site.ctxNode.type !== 'identifier') {
    return `the derived context is stored in ${site.ctxNode.text}, so a deferred cancel would cancel it under its new owner`;
  }
  return null;
}

function deferEdit(ctx: RuleContext, site: Site, name: string) {
  const at = lineEnd(ctx.source, site.stmt.endIndex);
  const indent = indentAt(ctx.source, site.stmt.startIndex);
  return { start: at, end: at, text: `${ctx.eol}${indent}defer ${name}(${site.takesCause ? 'nil' : ''})` };
}

export const rule: Rule = defineRule({
  meta: {
    id: 'defer-cancel',
    summary: 'Defer the cancel func of context.WithCancel/WithTimeout/WithDeadline (and signal.NotifyContext) when it is discarded or not called on every path',
    defaultOn: true,
    // Every function it knows contains one of these names, whatever the import alias.
    triggers: ['WithCancel', 'WithTimeout', 'WithDeadline', 'NotifyContext'],
    docPath: 'transforms/defer-cancel/README.md',
  },
  run(ctx) {
    // Fresh names handed out in this run, per function, so two fixes never pick the same one.
    const allocated = new Map<number, Set<string>>();
    for (const call of descendants(ctx.root, 'call_expression')) {
      // The syntax first (x.WithCancel, ...), so a file without such a call builds no scopes.
      if (!selectorNamed(call, SITE_FUNCS)) continue;
      const sem = ctx.sem;
      if (!sem.isCallTo(call, 'context', CONTEXT_FUNCS) && !sem.isCallTo(call, 'os/signal', 'NotifyContext')) continue;
      const site = findSite(ctx, call);
      if (!site) continue;
      const isSignal = sem.isCallTo(call, 'os/signal', 'NotifyContext');
      const what = isSignal ? 'stop function' : 'cancel function';
      if (site.cancelNode.type !== 'identifier') continue; // stored in a field or element: owned elsewhere

      if (site.cancelNode.text === '_') {
        const message = `the ${what} returned by ${site.callee} is discarded: the context's timer and resources leak until its parent is done`;
        let problem = placementProblem(ctx, site);
        if (!problem && site.op === '=') problem = 'the call assigns with =; declare a cancel variable and defer it';
        if (!problem && (site.ctxNode.type !== 'identifier' || site.ctxNode.text === '_')) problem = 'the derived context is discarded too';
        if (problem) {
          ctx.report({ node: call, message, noFix: problem });
          continue;
        }
        const base = isSignal ? 'stop' : 'cancel';
        const taken = allocated.get(site.owner.id) ?? new Set<string>();
        allocated.set(site.owner.id, taken);
        let name = sem.freshName(base, site.stmt);
        for (let i = 2; taken.has(name); i++) name = sem.freshName(`${base}${i}`, site.stmt);
        taken.add(name);
        ctx.report({
          node: call,
          message,
          fix: {
            description: `Name the ${what} ${name} and defer it`,
            edits: [{ start: site.cancelNode.startIndex, end: site.cancelNode.endIndex, text: name }, deferEdit(ctx, site, name)],
          },
        });
        continue;
      }

      const b = sem.declaredAt(site.cancelNode) ?? sem.resolve(site.cancelNode);
      if (!b || !contains(site.owner, b.id) || b.kind === 'result') continue; // owned outside this function
      const uses = b.refs.filter(
        (r) => r.startIndex >= site.stmt.endIndex && contains(site.owner, r) && classifyUse(r, site.owner).kind !== 'lhs',
      );
      const flow = new PathAnalysis((n) => uses.some((r) => contains(n, r)));
      if (!flow.leaksAfter(site.stmt)) continue;

      const message = `${b.name}, the ${what} returned by ${site.callee}, is not called on every path: the context's timer and resources leak until its parent is done`;
      let problem: string | null = null;
      for (const r of uses) {
        const u = classifyUse(r, site.owner);
        if (u.kind === 'passed') {
          const callee = field(u.call!, 'function')!;
          const isCleanup = callee.type === 'selector_expression' && field(callee, 'field')?.text === 'Cleanup';
          if (!isCleanup) problem = `${b.name} is passed to ${callee.text}, which may call it later`;
        } else if (CANCEL_ESCAPES[u.kind]) problem = `${b.name} ${CANCEL_ESCAPES[u.kind]}`;
        if (problem) break;
      }
      problem ??= placementProblem(ctx, site);
      if (problem) {
        ctx.report({ node: call, message, noFix: problem });
        continue;
      }
      ctx.report({
        node: call,
        message,
        fix: { description: `Add defer ${b.name}() after the call`, edits: [deferEdit(ctx, site, b.name)] },
      });
    }
  },
});
