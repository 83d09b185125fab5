// propagate-ctx: context.Background() or context.TODO() in a function that was handed a
// context (a context.Context parameter, or an *http.Request whose Context() it is) cuts
// the work it starts off from the caller's cancellation, deadline and values. Fix: use
// the function's context. No fix where detaching is plausibly intended (goroutines,
// deferred and cleanup calls, after the context was checked for Done/Err, contexts that
// outlive the call) or where which context to use is not clear.
import type { Node } from 'web-tree-sitter';
import type { Binding } from '../../src/go/scope.js';
import { classifyUse, escapeReason } from '../../src/go/uses.js';
import { compareGoVersion, CURRENT_GO } from '../../src/go/version.js';
import { codeWords } from '../../src/go/lexical.js';
import { FUNC_TYPES, calleeName, contains, descendants, enclosingFunction, field, fields, named, selectorNamed, unparen } from '../../src/go/syntax.js';
import type { Rule, RuleContext } from '../../src/rules/api.js';
import { defineRule } from '../../src/rules/define.js';

const BACKGROUND = ['Background', 'TODO'];

/** A context the function was given. */
interface Source {
  fn: Node;
  /** The parameter's binding (null for `_` or unnamed). */
  binding: Binding | null;
  /** The parameter's name as written ("_" or "" when unnamed). */
  name: string;
  kind: 'context' | 'request';
  /** What replaces the call: "ctx" or "r.Context()". */
  expr: string;
}

/** The context.Context and *http.Request parameters of fn. */
function sourcesOf(ctx: RuleContext, fn: Node): Source[] {
  const params = field(fn, 'parameters');
  if (!params) return [];
  const out: Source[] = [];
  for (const decl of named(params)) {
    if (decl.type !== 'parameter_declaration') continue;
    const t = field(decl, 'type');
    if (!t) continue;
    const ref = ctx.sem.typeRef(t);
    let kind: Source['kind'] | null = null;
    if (ref.pkgPath === 'context' && ref.name === 'Context' && ref.pointer === 0) kind = 'context';
    else if (ref.pkgPath === 'net/http' && ref.name === 'Request' && ref.pointer === 1) kind = 'request';
    if (!kind) continue;
    const names = fields(decl, 'name');
    if (names.length === 0) out.push({ fn, binding: null, name: '', kind, expr: '' });
    for (const n of names) {
      const b = n.text === '_' ? null : ctx.sem.declaredAt(n);
      out.push({ fn, binding: b, name: n.text, kind, expr: kind === 'context' ? n.text : `${n.text}.Context()` });
    }
  }
  return out;
}

/** Words of names of calls (or functions) that release, undo or record something: they must work after cancellation. */
const CLEANUP = new Set(
  'close shutdown stop exit rollback release cleanup clean abort cancel unlock runlock unregister deregister teardown destroy kill remove delete terminate disconnect detach unsubscribe revoke drain undo compensate audit finalize'.split(' '),
);
/** Words of names of calls whose context may outlive them: constructors and starters of background work. */
const LONG_LIVED = new Set('start run serve listen watch monitor spawn launch subscribe loop poll keepalive background daemon worker enqueue schedule submit dispatch async'.split(' '));

/** camelCase / snake_case words of an identifier, lower-cased: "startSandboxExitMonitor" → start, sandbox, exit, monitor. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const isCleanupName = (name: string) => words(name).some((w) => CLEANUP.has(w));
const isLongLivedName = (name: string) => {
  const ws = words(name);
  return ws[0] === 'new' || ws.some((w) => LONG_LIVED.has(w));
};

/** The name of a function declaration or method, or null for literals. */
function funcName(fn: Node): string | null {
  return fn.type === 'func_literal' ? null : (field(fn, 'name')?.text ?? null);
}

/** The func literals between `node` and `outer` (exclusive), innermost first. */
function literalsBetween(node: Node, outer: Node): Node[] {
  const out: Node[] = [];
  for (let f = enclosingFunction(node); f && !f.equals(outer); f = enclosingFunction(f)) out.push(f);
  return out;
}

/** Why detaching from the function's context looks intended at `call`, or null. */
function detachReason(ctx: RuleContext, call: Node, src: Source): string | null {
  // Inside a go or defer statement (through calls, not through function literals: those are checked by the caller).
  for (let p = call.parent; p && !FUNC_TYPES.has(p.type); p = p.parent) {
    if (p.type === 'go_statement') return 'it is started in a goroutine, which may run after the function returns and its context is cancelled';
    if (p.type === 'defer_statement') return 'it is in a deferred call, which runs when the function returns, often after its context is cancelled';
    if (p.type === 'call_expression' && !p.equals(call) && !ctx.sem.qualified(field(p, 'function')!)?.path.startsWith('context')) {
      const name = calleeName(p) ?? '';
      if (isLongLivedName(name)) return `it is passed to ${name}, which may start work that outlives this call`;
      if (isCleanupName(name)) return `it is passed to ${name}, cleanup that should complete even after the function's context is cancelled`;
    }
  }
  for (let f: Node | null = enclosingFunction(call); f; f = enclosingFunction(f)) {
    const name = funcName(f);
    if (name && isCleanupName(name)) return `it is in ${name}, cleanup that should complete even after the caller's context is cancelled`;
    if (f.equals(src.fn)) break;
  }
  // The function looked at cancellation before: ctx.Err(), <-ctx.Done(), context.Canceled.
  const body = field(src.fn, 'body');
  if (body) {
    for (const sel of descendants(body, 'selector_expression')) {
      if (sel.startIndex >= call.startIndex) break;
      const f = field(sel, 'field')?.text;
      const q = ctx.sem.qualified(sel);
      if (q && q.path === 'context' && (q.name === 'Canceled' || q.name === 'DeadlineExceeded')) {
        return `the function checks for context.${q.name} before this call, so it may run after cancellation on purpose`;
      }
      if ((f === 'Err' || f === 'Done') && refersTo(ctx, field(sel, 'operand')!, src)) {
        return `the function checks ${field(sel, 'operand')!.text}.${f}() before this call, so it may run after cancellation on purpose`;
      }
    }
  }
  return null;
}

/** Whether expr is the source itself (`ctx`, or `r.Context()` for a request). */
function refersTo(ctx: RuleContext, expr: Node, src: Source): boolean {
  const e = unparen(expr);
  if (!src.binding) return false;
  if (src.kind === 'context') return e.type === 'identifier' && ctx.sem.resolve(e) === src.binding;
  if (e.type !== 'call_expression') return false;
  const fn = unparen(field(e, 'function')!);
  if (fn.type !== 'selector_expression' || field(fn, 'field')?.text !== 'Context') return false;
  const op = unparen(field(fn, 'operand')!);
  return op.type === 'identifier' && ctx.sem.resolve(op) === src.binding;
}

/** Whether `ref` (a reference to the source) is compared with nil: `ctx == nil`. */
function comparedWithNil(ref: Node): boolean {
  const p = ref.parent;
  if (p?.type !== 'binary_expression') return false;
  const op = p.childForFieldName('operator')?.text;
  return (op === '==' || op === '!=') && (field(p, 'left')?.text === 'nil' || field(p, 'right')?.text === 'nil');
}

/**
 * Why a separate context looks intended: the function compares its context with nil
 * (Background is the stand-in), or builds a new local context from Background and keeps
 * using its own context after the call (two contexts side by side).
 */
function separateContextReason(ctx: RuleContext, call: Node, src: Source, owner: Node): string | null {
  const b = src.binding;
  if (!b) return null;
  for (const r of b.refs) {
    if (contains(src.fn, r) && comparedWithNil(r)) return `the function checks ${b.name} against nil, and ${field(call, 'function')!.text}() may be its stand-in`;
  }
  // Follow the call's value through calls into an assignment.
  let n: Node = call;
  let u = classifyUse(n, owner);
  while (u.kind === 'passed') {
    n = u.call!;
    u = classifyUse(n, owner);
  }
  if (u.kind !== 'assigned') return null;
  // Only a new context (or a request carrying one): `ctx2, done := wrap(...)`, `req.WithContext(...)`, `context.With*`.
  const builder = n.type === 'call_expression' ? (calleeName(n) ?? '') : '';
  const isContextValue = u.targets!.some((t) => /ctx|context/i.test(t.text)) || builder === 'WithContext' || (n.type === 'call_expression' && !!ctx.sem.qualified(field(n, 'function')!) && ctx.sem.isCallTo(n, 'context', ['WithCancel', 'WithTimeout', 'WithDeadline', 'WithValue', 'WithCancelCause', 'WithTimeoutCause', 'WithDeadlineCause']));
  if (!isContextValue) return null;
  const otherUse = b.refs.some(
    (r) => !contains(n, r) && contains(src.fn, r) && classifyUse(r, src.fn).kind !== 'lhs' && (src.kind === 'context' || refersTo(ctx, r.parent!.parent!, src)),
  );
  if (!otherUse) return null;
  return `the function builds a separate value (${u.targets!.map((t) => t.text).join(', ')}) from it while it uses ${src.expr} elsewhere: two contexts look intended`;
}

/** Why the new context would outlive the call (so its owner should stay detached), or null. */
function outlivesReason(ctx: RuleContext, call: Node, owner: Node): string | null {
  const u = classifyUse(call, owner);
  if (u.kind === 'assigned') {
    for (const t of u.targets!) {
      const b = ctx.sem.declaredAt(t) ?? ctx.sem.resolve(t);
      if (!b || !contains(owner, b.id) || b.kind !== 'var') return `it is assigned to ${t.text}, which is not a local of this function`;
    }
  }
  if (u.kind === 'passed') {
    for (let c: Node | null = u.call!; c && c.type === 'call_expression'; ) {
      const name = ctx.sem.qualified(field(c, 'function')!)?.path === 'context' ? '' : (calleeName(c) ?? '');
      if (isLongLivedName(name)) return `it is passed to ${name}, which may keep it beyond this call`;
      if (name === 'WithContext') return `it is passed to ${name}, which gives a copy its context explicitly`;
      // context.WithTimeout(context.Background(), d): follow the derived context.
      const cu = classifyUse(c, owner);
      c = cu.kind === 'passed' ? cu.call! : null;
    }
  }
  const why = escapeReason(ctx.sem, call, owner);
  return why ? `the context ${why}` : null;
}

/** A local assigned the call's result that the function later reassigns or that shadows a source: unclear. */
function sourceProblem(ctx: RuleContext, call: Node, src: Source): string | null {
  if (src.kind === 'context' && !src.name) return 'the context parameter is unnamed: the function ignores it on purpose';
  if (src.name === '_') return `the ${src.kind === 'context' ? 'context parameter' : 'request'} is named _: the function ignores it on purpose`;
  const b = src.binding;
  if (!b) return 'the parameter could not be resolved';
  if (ctx.sem.lookup(b.name, call) !== b) return `${b.name} is shadowed here by another declaration`;
  // Reassigned before the call to something not derived from itself: which context is current is unclear.
  for (const r of b.refs) {
    if (r.startIndex >= call.startIndex || !contains(src.fn, r)) continue;
    const u = classifyUse(r, src.fn);
    if (u.kind !== 'lhs') {
      if (r.parent?.type === 'assignment_statement' || r.parent?.parent?.type === 'assignment_statement') {
        // `_ = ctx`: unused on purpose.
        const stmt = r.parent.type === 'assignment_statement' ? r.parent : r.parent.parent!;
        if (named(field(stmt, 'left')!).every((l) => l.text === '_')) return `${b.name} is discarded with _ = ${b.name}: the function ignores it on purpose`;
      }
      continue;
    }
    const stmt = r.parent?.parent;
    const right = stmt ? field(stmt, 'right') : null;
    const value = right ? named(right).find((c) => c.type !== 'comment') : null;
    const derived =
      value?.type === 'call_expression' &&
      named(field(value, 'arguments')!).some((a) => refersTo(ctx, a, src) || (a.type === 'identifier' && ctx.sem.resolve(a) === b));
    if (!derived) return `${b.name} is reassigned before this call`;
  }
  return null;
}

export const rule: Rule = defineRule({
  meta: {
    id: 'propagate-ctx',
    summary: "Use the function's context (a context.Context parameter, or r.Context() of an *http.Request) instead of context.Background()/TODO(); report without a fix where detaching looks intended",
    defaultOn: true,
    // Its fixes yield to http-client-timeout's on overlap (the order fixes have always been preferred in).
    after: ['http-client-timeout'],
    // The call's name as a token of the code: `// TODO(name):` comments do not count.
    triggers: [/\b(?:Background|TODO)\s*\(/],
    requires: [codeWords('Background', 'TODO')],
    docPath: 'transforms/propagate-ctx/README.md',
  },
  run(ctx) {
    const modern = compareGoVersion(ctx.goVersion ?? CURRENT_GO, { major: 1, minor: 21 }) >= 0;
    for (const call of descendants(ctx.root, 'call_expression')) {
      // The syntax first (x.Background / x.TODO), so a file without such a call never
      // builds scopes; then whether x is the context package.
      if (!selectorNamed(call, BACKGROUND) || !ctx.sem.isCallTo(call, 'context', BACKGROUND)) continue;
      const owner = enclosingFunction(call);
      if (!owner) continue;
      // The nearest enclosing function that was given a context.
      let sources: Source[] = [];
      let fn: Node | null = owner;
      for (; fn; fn = enclosingFunction(fn)) {
        sources = sourcesOf(ctx, fn);
        if (sources.length) break;
      }
      if (!fn || !sources.length) continue;
      const callee = field(call, 'function')!.text;
      const ctxSources = sources.filter((s) => s.kind === 'context');
      const candidates = ctxSources.length ? ctxSources : sources;
      const src = candidates[0];
      const what = src.kind === 'context' ? `${src.name || 'an unnamed'} (context.Context)` : `${src.name} (*http.Request)`;
      const base = `${callee}() in a function that has ${what}: the work it starts ignores the caller's cancellation, deadline and values`;
      const detachHint = modern && src.expr ? `; if detaching is intended but values should flow, use context.WithoutCancel(${src.expr})` : '';
      const noFix = (why: string, detach: boolean) => ctx.report({ node: call, message: base, noFix: `${why}${detach ? detachHint : ''}` });

      if (candidates.length > 1) {
        noFix(`the function has several ${src.kind === 'context' ? 'context parameters' : 'requests'} (${candidates.map((c) => c.name || '_').join(', ')})`, false);
        continue;
      }
      const lits = literalsBetween(call, fn);
      let litWhy: string | null = null;
      for (const lit of lits) {
        const up = enclosingFunction(lit)!;
        const u = classifyUse(lit, up);
        const why =
          u.kind === 'go-call' || u.kind === 'goroutine'
            ? 'it runs in a goroutine, which may outlive the function and its context'
            : u.kind === 'deferred-call'
              ? 'it is in a deferred function, which runs when the function returns, often after its context is cancelled'
              : u.kind === 'call'
                ? null
                : 'it is in a function literal that may run after the function returns (a callback, a cleanup, a task)';
        if (why) {
          litWhy = why;
          break;
        }
      }
      if (litWhy) {
        noFix(litWhy, true);
        continue;
      }
      const problem = sourceProblem(ctx, call, src);
      if (problem) {
        noFix(problem, false);
        continue;
      }
      const separate = separateContextReason(ctx, call, src, owner);
      if (separate) {
        noFix(separate, false);
        continue;
      }
      const detach = detachReason(ctx, call, src) ?? outlivesReason(ctx, call, owner);
      if (detach) {
        noFix(detach, true);
        continue;
      }
      ctx.report({
        node: call,
        message: base,
        fix: { description: `Use ${src.expr} instead of ${callee}()`, edits: [{ start: call.startIndex, end: call.endIndex, text: src.expr }] },
      });
    }
  },
});
