// http-client-timeout: an http.Client without Timeout (and http.DefaultClient, which
// has none) lets a stuck server hold the calling goroutine forever
// (docs/pitfalls.md#http-client-timeout).
// Fix: add `Timeout: 30 * time.Second` (configurable) to Client literals. Uses of
// http.DefaultClient and of http.Get/Head/Post/PostForm are reported without a fix:
// which client to use instead is the caller's design decision.
import type { Node } from 'web-tree-sitter';
import {
  DURATION_PATTERN,
  assignSite,
  durationExpr,
  fieldsAssignedLater,
  checksTestCode,
  isTestPath,
  literalOf,
  parseDuration,
  timePackageName,
} from '../../src/go/construct.js';
import { addKeyedElements, keysOf, structLiteral, type StructLiteral } from '../../src/go/literal.js';
import { clientUses, requestDeadline, responseStreams, type ClientUse } from '../../src/go/httpflow.js';
import { descendants, enclosingFunction, field, named, unparen } from '../../src/go/syntax.js';
import type { Rule, RuleContext, JsonSchema } from '../../src/rules/api.js';
import { codeWords } from '../../src/go/lexical.js';
import { fileMentions } from '../../src/go/package.js';
import { defineRule, type OptionsOf } from '../../src/rules/define.js';

const DEFAULT_TIMEOUT = '30s';
const DEFAULT_CLIENT_FUNCS = ['Get', 'Head', 'Post', 'PostForm'];

/** The rule's options (gopitfix.json `rules.http-client-timeout`); ctx.options is typed from this schema. */
const OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tests: { type: 'boolean', default: false, description: 'Also check http.Client literals in _test.go files (off: tests are not production).' },
    timeout: {
      type: 'string',
      pattern: DURATION_PATTERN,
      format: 'go-duration',
      title: 'a Go duration like "30s" or "1m30s"',
      default: DEFAULT_TIMEOUT,
      description: 'The Timeout added to http.Client literals.',
    },
    reportDefaultClient: {
      type: 'boolean',
      default: true,
      description: 'Report uses of http.DefaultClient and http.Get/Head/Post/PostForm (never fixed).',
    },
  },
} as const satisfies JsonSchema;
type Ctx = RuleContext<OptionsOf<typeof OPTIONS>>;

export const rule: Rule = defineRule({
  meta: {
    id: 'http-client-timeout',
    summary: 'Add a Timeout to http.Client literals whose requests are all visible, unbounded and read in full; report such requests on http.DefaultClient',
    defaultOn: true,
    // Its fixes yield to tune-http-transport's on overlap (the order fixes have always been preferred in).
    after: ['tune-http-transport'],
    // Every construct this rule matches needs the net/http import, and names a Client
    // literal, DefaultClient or one of the package's request functions.
    triggers: ['net/http'],
    requires: [codeWords('Client', 'DefaultClient', ...DEFAULT_CLIENT_FUNCS)],
    docPath: 'transforms/http-client-timeout/README.md',
    options: OPTIONS,
  },
  run(ctx) {
    if (checksTestCode(ctx)) checkClientLiterals(ctx);
    if (ctx.options.reportDefaultClient) checkDefaultClient(ctx);
  },
});

function isHttpType(ctx: RuleContext, lit: Node, name: string): boolean {
  const t = field(lit, 'type');
  if (!t || t.type !== 'qualified_type') return false;
  const ref = ctx.sem.typeRef(t);
  return ref.pkgPath === 'net/http' && ref.name === name && ref.pointer === 0;
}

function checkClientLiterals(ctx: Ctx): void {
  const timeoutNs = parseDuration(ctx.options.timeout) ?? parseDuration(DEFAULT_TIMEOUT)!;
  for (const lit of descendants(ctx.root, 'composite_literal')) {
    if (!isHttpType(ctx, lit, 'Client')) continue;
    const s = structLiteral(lit);
    if (!s || keysOf(s).has('Timeout')) continue;
    const parent = lit.parent;
    const expr = parent && parent.type === 'unary_expression' && parent.child(0)?.type === '&' ? parent : lit;
    const site = assignSite(ctx.sem, expr);
    if (site?.binding) {
      const fn = site.packageLevel ? null : enclosingFunction(lit);
      if (fieldsAssignedLater(site.binding, lit.endIndex, fn).has('Timeout')) continue;
    }
    // A mock RoundTripper talks to no server: nothing can hang.
    if (mockTransport(ctx, s)) continue;
    // The author bounded the wait for headers and left the body open: long bodies are intended.
    if (transportBoundsHeaders(ctx, s)) continue;
    // A transport gopitfix cannot see (a parameter, a constructor's result such as
    // NewTimeoutTransport) may bound every read with connection deadlines.
    if (!visibleTransport(ctx, s)) continue;
    // Every request the client sends must be visible and read in full; a client whose
    // responses stream (or whose uses cannot all be seen) must not get a whole-exchange
    // Timeout, which would cut the stream off (and breaks protocol upgrades).
    const uses = clientUses(ctx.sem, expr, () => ctx.package());
    if (!uses.ok || uses.calls.length === 0) continue;
    if (uses.calls.some((c) => responseStreams(c.sem, c.call))) continue;
    // Only requests proven to carry no deadline count: a context with a deadline, or one
    // gopitfix cannot trace (from a caller outside the package), may bound them already.
    const unbounded = uses.calls.filter((c) => requestDeadline(c.sem, c, () => ctx.package()) === 'none');
    if (unbounded.length === 0) continue;
    const first = unbounded[0];
    const at = first.sem === ctx.sem ? `line ${first.call.startPosition.row + 1}` : 'another file of the package';
    const base = `http.Client without Timeout: its requests (${unbounded.length} without a deadline, e.g. ${field(first.call, 'function')!.text}(...) at ${at}) block forever on a slow or stuck server, and every response is read in full`;
    const time = timePackageName(ctx.sem, ctx.imports, lit, () => ctx.package());
    if (!time) {
      ctx.report({ node: lit, message: base, noFix: 'the name "time" is bound to something else here' });
      continue;
    }
    const value = durationExpr(timeoutNs, time.name);
    // Put Timeout first when the last element holds a nested literal that another fix may
    // break over lines (`{Transport: &http.Transport{...}}`), else last.
    const last = s.elements[s.elements.length - 1];
    const nested = !!last && last.value.descendantsOfType('composite_literal').length > 0 && s.body.startPosition.row === s.body.endPosition.row;
    let edit = nested
      ? { start: s.body.child(0)!.endIndex, end: s.body.child(0)!.endIndex, text: `Timeout: ${value}, ` }
      : addKeyedElements(ctx.source, ctx.eol, s, [{ key: 'Timeout', value }], { inline: true });
    if ('reason' in edit) {
      ctx.report({ node: lit, message: base, noFix: edit.reason });
      continue;
    }
    ctx.report({
      node: lit,
      message: `${base}; add Timeout: ${value}`,
      fix: { description: `Add Timeout: ${value} to the http.Client`, edits: [edit], imports: time.imports },
    });
  }
}

/**
 * Whether the client's Transport is a RoundTripper of this package's own making (a
 * literal or conversion of a local type, or a variable of one): a mock, not a network.
 */
function mockTransport(ctx: RuleContext, s: StructLiteral): boolean {
  const el = s.elements.find((e) => e.key === 'Transport');
  if (!el) return false;
  let v = unparen(named(el.value)[0] ?? el.value);
  const local = (t: { pkgPath: string | null; name: string } | null) => !!t && t.pkgPath === '' ;
  if (v.type === 'identifier') {
    const b = ctx.sem.resolve(v);
    if (!b || (b.kind !== 'var' && b.kind !== 'param')) return false;
    return local(ctx.sem.typeOf(b));
  }
  const lit = literalOf(v);
  if (lit) {
    const t = field(lit, 'type');
    return !!t && local(ctx.sem.typeRef(t));
  }
  // roundTripFunc(func(...) ...): a conversion to a local type.
  if (v.type === 'call_expression') {
    const f = unparen(field(v, 'function')!);
    if (f.type === 'identifier') {
      const b = ctx.sem.resolve(f);
      if (b && b.kind === 'type') return true;
      if (!b) return declaresType(ctx, f.text);
    }
    if (f.type === 'parenthesized_type' || f.type === 'type_identifier') return true;
  }
  return false;
}

/**
 * Whether the client's transport is one whose bounds are visible: none (DefaultTransport),
 * http.DefaultTransport, an http.Transport literal, or a variable initialized with one
 * of these or with `http.DefaultTransport.(*http.Transport).Clone()`.
 */
function visibleTransport(ctx: RuleContext, s: StructLiteral): boolean {
  const el = s.elements.find((e) => e.key === 'Transport');
  if (!el) return true;
  const known = (v: Node, depth: number): boolean => {
    v = unparen(v);
    if (v.type === 'identifier' && depth < 3) {
      const b = ctx.sem.resolve(v);
      if (!b || b.kind !== 'var' || !b.value || b.valueIndex >= 0) return false;
      return known(b.value, depth + 1);
    }
    const q = ctx.sem.qualified(v);
    if (q && q.path === 'net/http' && q.name === 'DefaultTransport') return true;
    const lit = literalOf(v);
    if (lit) return isHttpType(ctx, lit, 'Transport');
    // http.DefaultTransport.(*http.Transport).Clone()
    if (v.type === 'call_expression') {
      const f = unparen(field(v, 'function')!);
      if (f.type === 'selector_expression' && field(f, 'field')?.text === 'Clone') {
        const op = unparen(field(f, 'operand')!);
        return op.type === 'type_assertion_expression' && known(field(op, 'operand')!, depth + 1);
      }
    }
    return false;
  };
  return known(named(el.value)[0] ?? el.value, 0);
}

/** Whether a file of the package declares the type `name`. */
function declaresType(ctx: RuleContext, name: string): boolean {
  return ctx.package().files.some(
    (f) => fileMentions(f, name) && f.root.descendantsOfType('type_spec').some((t) => !!t && t.parent?.parent?.type !== 'function_declaration' && field(t, 'name')?.text === name),
  );
}

/**
 * Whether the client's Transport is a literal (inline, or the initializer of a variable
 * used there) that sets ResponseHeaderTimeout: the author bounded the wait for headers
 * but not the body, which a whole-exchange Timeout would change.
 */
function transportBoundsHeaders(ctx: RuleContext, s: StructLiteral): boolean {
  const el = s.elements.find((e) => e.key === 'Transport');
  if (!el) return false;
  let v = unparen(named(el.value)[0] ?? el.value);
  if (v.type === 'identifier') {
    const b = ctx.sem.resolve(v);
    if (!b) return false;
    // `tr.ResponseHeaderTimeout = d` (as tune-http-transport writes on a clone of
    // http.DefaultTransport) bounds the headers just as well: without this a second run
    // would add a Timeout the first one declined.
    if (b.refs.some((r) => assignsField(r, 'ResponseHeaderTimeout'))) return true;
    if (!b.value || b.valueIndex >= 0) return false;
    v = b.value;
  }
  const lit = literalOf(v);
  const tl = lit ? structLiteral(lit) : null;
  return !!tl && keysOf(tl).has('ResponseHeaderTimeout');
}

/** Whether `ref` is the operand of `ref.field = ...` (the left side of an assignment). */
function assignsField(ref: Node, fieldName: string): boolean {
  const sel = ref.parent;
  if (!sel || sel.type !== 'selector_expression' || sel.childForFieldName('field')?.text !== fieldName) return false;
  const list = sel.parent;
  const stmt = list?.parent;
  return !!list && list.type === 'expression_list' && !!stmt && stmt.type === 'assignment_statement' && !!stmt.childForFieldName('left')?.equals(list);
}

/** Whether `x` can be `http.DefaultClient` by its syntax (parentheses aside): a selector of that name. */
function namesDefaultClient(x: Node): boolean {
  const u = unparen(x);
  if (u.type === 'qualified_type') return field(u, 'name')?.text === 'DefaultClient';
  return u.type === 'selector_expression' && field(u, 'field')?.text === 'DefaultClient';
}

function checkDefaultClient(ctx: RuleContext): void {
  // Tests talk to httptest servers, and `go test -timeout` bounds a hang there: never
  // reported in test code, whatever the tests switch says.
  if (isTestPath(ctx.path)) return;
  const { sem } = ctx;
  // `http.DefaultClient.Timeout = d` configures it: the file's uses then have a timeout.
  for (const sel of descendants(ctx.root, 'selector_expression')) {
    // The name from the syntax before resolving the qualifier (which builds scopes).
    if (field(sel, 'field')?.text !== 'DefaultClient') continue;
    const q = sem.qualified(sel);
    if (!q || q.path !== 'net/http' || q.name !== 'DefaultClient') continue;
    const outer = sel.parent;
    if (outer?.type === 'selector_expression' && field(outer, 'field')?.text === 'Timeout') {
      const stmt = outer.parent?.parent;
      if (stmt?.type === 'assignment_statement' && field(stmt, 'left')?.equals(outer.parent!)) return;
    }
  }
  // Only requests whose response is read in full and that carry no deadline: a stream
  // (a download copied to a file, an event stream) has no timeout on purpose, and other
  // uses of DefaultClient (a fallback `if c == nil { c = http.DefaultClient }`) leave the
  // choice to the caller.
  for (const call of descendants(ctx.root, 'call_expression')) {
    const fn = unparen(field(call, 'function')!);
    let use: ClientUse | null = null;
    if (sem.isCallTo(call, 'net/http', DEFAULT_CLIENT_FUNCS)) use = { call, method: field(fn, 'field')!.text, sem };
    else if (fn.type === 'selector_expression' && namesDefaultClient(field(fn, 'operand')!)) {
      const q = sem.qualified(field(fn, 'operand')!);
      const m = field(fn, 'field')!.text;
      if (q && q.path === 'net/http' && q.name === 'DefaultClient' && ['Do', ...DEFAULT_CLIENT_FUNCS].includes(m)) use = { call, method: m, sem };
    }
    if (!use || responseStreams(sem, call) || requestDeadline(sem, use, () => ctx.package()) !== 'none') continue;
    ctx.report({
      node: fn,
      message: `${fn.text} uses http.DefaultClient, which has no timeout: a slow or stuck server blocks the caller forever, and the response is read in full; use an *http.Client with a Timeout or a request context with a deadline`,
      noFix: 'which client to use is a design choice',
    });
  }
}
