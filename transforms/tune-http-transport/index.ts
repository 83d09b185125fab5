// tune-http-transport: an http.Transport built from a composite literal that lives as
// long as the program (returned, stored, package-level) has no idle-connection timeout,
// no TLS handshake timeout and keeps at most 2 idle connections per host (golang/go#13801;
// docs/pitfalls.md#http-transport-defaults). Fix: add the missing bounds to the literal.
// Nothing that changes how
// connections are made or routed is added unless the user opts in: no Proxy, no
// ForceAttemptHTTP2, no dialer, no clone of DefaultTransport (those switch HTTP/1.1 and
// HTTP/2 or the route requests take).
import type { Node } from 'web-tree-sitter';
import { DURATION_PATTERN, assignSite, durationExpr, fieldsAssignedLater, checksTestCode, literalOf, parseDuration, repeatedAt, timePackageName } from '../../src/go/construct.js';
import { clientUses, lifetime, newTrace, requestDeadline, responseStreams } from '../../src/go/httpflow.js';
import { addKeyedElements, keysOf, realignForExpansion, structLiteral } from '../../src/go/literal.js';
import { enclosingFunction, field } from '../../src/go/syntax.js';
import type { Rule, RuleContext, JsonSchema } from '../../src/rules/api.js';
import { codeWords } from '../../src/go/lexical.js';
import { defineRule, type OptionsOf } from '../../src/rules/define.js';

/** The bounds added by default, and the opt-in settings (off unless configured). */
const DEFAULTS = {
  tests: false,
  scope: 'proven',
  maxIdleConnsPerHost: 100,
  idleConnTimeout: '90s',
  tlsHandshakeTimeout: '10s',
  maxIdleConns: 0,
  expectContinueTimeout: '0',
  proxy: false,
  forceAttemptHTTP2: false,
};

// The fields are Go ints: a constant above MaxInt32 does not compile for 32-bit targets.
const MAX_GO_INT = 2147483647;
const DURATION = { type: 'string', pattern: DURATION_PATTERN, format: 'go-duration', title: 'a Go duration like "90s" or "1m30s"' } as const;

/** The rule's options (gopitfix.json `rules.tune-http-transport`); ctx.options is typed from this schema. */
const OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tests: { type: 'boolean', default: DEFAULTS.tests, description: 'Also check _test.go files (off: tests are not production).' },
    scope: {
      type: 'string',
      enum: ['proven', 'long-lived'],
      default: DEFAULTS.scope,
      description:
        'proven: add TLSHandshakeTimeout only where the handshake is otherwise unbounded (a client without Timeout whose requests carry no deadline), and the idle pool only for a ReverseProxy transport; long-lived: add every missing bound to every transport that outlives its function.',
    },
    maxIdleConnsPerHost: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_GO_INT,
      default: DEFAULTS.maxIdleConnsPerHost,
      description: 'MaxIdleConnsPerHost to add when neither it nor MaxIdleConns is set (0 = never add; net/http keeps 2).',
    },
    idleConnTimeout: { ...DURATION, default: DEFAULTS.idleConnTimeout, description: 'IdleConnTimeout to add ("0" = never add).' },
    tlsHandshakeTimeout: { ...DURATION, default: DEFAULTS.tlsHandshakeTimeout, description: 'TLSHandshakeTimeout to add ("0" = never add).' },
    maxIdleConns: { type: 'integer', minimum: 0, maximum: MAX_GO_INT, default: DEFAULTS.maxIdleConns, description: 'MaxIdleConns to add when the pool is tuned (0 = never add).' },
    expectContinueTimeout: { ...DURATION, default: DEFAULTS.expectContinueTimeout, description: 'ExpectContinueTimeout to add (opt-in, "0" = never add: it changes how bodies of Expect: 100-continue requests are sent).' },
    proxy: { type: 'boolean', default: DEFAULTS.proxy, description: 'Opt in: add Proxy: http.ProxyFromEnvironment (changes where requests go).' },
    forceAttemptHTTP2: { type: 'boolean', default: DEFAULTS.forceAttemptHTTP2, description: 'Opt in: add ForceAttemptHTTP2: true (switches HTTP/1.1 to HTTP/2 where the server offers it).' },
  },
} as const satisfies JsonSchema;
type Ctx = RuleContext<OptionsOf<typeof OPTIONS>>;

export const rule: Rule = defineRule({
  meta: {
    id: 'tune-http-transport',
    summary: 'Add the missing idle-connection and TLS-handshake timeouts and a per-host idle pool to long-lived http.Transport literals',
    defaultOn: true,
    // Its fixes yield to redundant-loopvar-copy's on overlap (the order fixes have always been preferred in).
    after: ['redundant-loopvar-copy'],
    // The fields it adds exist since Go 1.7; kept at 1.13 as before (ForceAttemptHTTP2 opt-in).
    goVersion: { min: '1.13' },
    // Every construct this rule matches needs the net/http import and a Transport literal.
    triggers: ['net/http'],
    requires: [codeWords('Transport')],
    docPath: 'transforms/tune-http-transport/README.md',
    options: OPTIONS,
  },
  run(ctx) {
    if (!checksTestCode(ctx)) return;
    for (const lit of ctx.root.descendantsOfType('composite_literal')) {
      if (lit) checkLiteral(ctx, lit);
    }
  },
});

interface Setting {
  key: string;
  value: string;
  why: string;
  duration: boolean;
}

function checkLiteral(ctx: Ctx, lit: Node): void {
  const t = field(lit, 'type');
  if (!t || t.type !== 'qualified_type') return;
  const ref = ctx.sem.typeRef(t);
  if (ref.pkgPath !== 'net/http' || ref.name !== 'Transport' || ref.pointer !== 0) return;
  const qual = field(t, 'package')!.text;
  const s = structLiteral(lit);
  if (!s) return;
  const parent = lit.parent;
  const pointer = !!parent && parent.type === 'unary_expression' && parent.child(0)?.type === '&';
  const expr = pointer ? parent! : lit;
  const site = assignSite(ctx.sem, expr);
  const set = keysOf(s);
  if (site?.binding) {
    const fn = site.packageLevel ? null : enclosingFunction(lit);
    for (const f of fieldsAssignedLater(site.binding, lit.endIndex, fn)) set.add(f);
  }
  const value = (k: string) => s.elements.find((e) => e.key === k)?.value.text.trim();
  // Keep-alives are on only when DisableKeepAlives is absent or literally false.
  // (assigned after the literal: its value is not known, so keep-alives count as off).
  const keepAlives = !set.has('DisableKeepAlives') || value('DisableKeepAlives') === 'false';
  const trace = newTrace();
  const life = lifetime(ctx.sem, expr, 0, trace);

  const where = repeatedAt(ctx.sem, lit);
  // Built per iteration or per request and kept (a transport per host in a map): tuned as any other.
  if (where && life.kind !== 'long') {
    // A transport per iteration or per request, used only there: its pool is thrown away.
    // Not when keep-alives are off or its idle connections are closed: then it is deliberate.
    const closes = !!site?.binding && site.binding.refs.some((r) => r.parent?.type === 'selector_expression' && field(r.parent, 'field')?.text === 'CloseIdleConnections');
    if (life.kind === 'local' && keepAlives && !closes) {
      ctx.report({
        node: lit,
        message: `http.Transport created ${where === 'loop' ? 'inside a loop' : 'per request (in an HTTP handler or RoundTrip method)'} and used only there: each one has its own connection pool, so connections are never reused and idle ones stay open; create it once and reuse it`,
        noFix: 'where it should live is a design choice',
      });
    }
    return;
  }
  // Only transports that outlive the function: a per-call transport's pool and idle
  // timeout matter little, and tuning it is churn.
  if (life.kind !== 'long') return;

  const o = ctx.options;
  // Durations are validated as Go durations when the config loads; "0" parses to 0.
  const dur = (v: string) => parseDuration(v) ?? 0n;
  const perHost = o.maxIdleConnsPerHost;
  const maxIdle = o.maxIdleConns;
  const idle = dur(o.idleConnTimeout);
  const tls = dur(o.tlsHandshakeTimeout);
  const expect = dur(o.expectContinueTimeout);
  const customDial = ['Dial', 'DialContext', 'DialTLS', 'DialTLSContext'].some((k) => set.has(k));
  const ownTLSDial = set.has('DialTLS') || set.has('DialTLSContext');
  // An explicit pool setting is the author's choice: the pool is left as written.
  const poolSet = set.has('MaxIdleConns') || set.has('MaxIdleConnsPerHost');

  // scope "proven": only where the problem is visible. The idle pool matters for a
  // ReverseProxy (concurrent requests to one backend); the handshake is unbounded when the
  // transport serves a client without Timeout that sends requests without a deadline.
  const proven = o.scope === 'proven';
  const tunePool = !proven || servesReverseProxy(ctx, trace.via, trace.stores);
  const unbounded = !proven || handshakeUnbounded(ctx, trace.via, trace.stores);
  const add: Setting[] = [];
  // In DefaultTransport's declaration order.
  if (o.proxy && !set.has('Proxy') && !customDial) {
    add.push({ key: 'Proxy', value: `${qual}.ProxyFromEnvironment`, why: 'option proxy', duration: false });
  }
  if (o.forceAttemptHTTP2 && !set.has('ForceAttemptHTTP2') && !set.has('TLSNextProto')) {
    add.push({ key: 'ForceAttemptHTTP2', value: 'true', why: 'option forceAttemptHTTP2', duration: false });
  }
  if (tunePool && keepAlives && !poolSet && maxIdle > 0) add.push({ key: 'MaxIdleConns', value: String(maxIdle), why: '', duration: false });
  if (tunePool && keepAlives && !poolSet && perHost > 0) {
    add.push({
      key: 'MaxIdleConnsPerHost',
      value: String(perHost),
      why: `it keeps at most 2 idle connections per host, so concurrent requests to one host redial${proven ? ' (it serves a ReverseProxy)' : ''}`,
      duration: false,
    });
  }
  if (tunePool && keepAlives && !(proven && poolSet) && !set.has('IdleConnTimeout') && idle > 0n) {
    add.push({ key: 'IdleConnTimeout', value: '', why: 'idle connections are never closed (no IdleConnTimeout), so it holds sockets to servers that went away', duration: true });
  }
  if (unbounded && !ownTLSDial && !set.has('TLSHandshakeTimeout') && tls > 0n) {
    add.push({
      key: 'TLSHandshakeTimeout',
      value: '',
      why: `a server that stalls the TLS handshake blocks the request (no TLSHandshakeTimeout${proven ? ', and its client has no Timeout, sends requests without a deadline and streams responses' : ''})`,
      duration: true,
    });
  }
  if (tunePool && keepAlives && !set.has('ExpectContinueTimeout') && expect > 0n) add.push({ key: 'ExpectContinueTimeout', value: '', why: '', duration: true });
  if (add.length === 0) return;

  const whys = add.map((a) => a.why).filter((w) => w && !w.startsWith('option'));
  const base = `long-lived http.Transport (${life.why}): ${whys.length ? whys.join('; ') : 'it lacks settings the configuration opts in to'}`;
  const needsTime = add.some((a) => a.duration);
  const time = needsTime ? timePackageName(ctx.sem, ctx.imports, lit, () => ctx.package()) : { name: 'time', imports: [] };
  if (!time) {
    ctx.report({ node: lit, message: base, noFix: 'the name "time" is bound to something else here' });
    return;
  }
  const durs: Record<string, bigint> = { IdleConnTimeout: idle, TLSHandshakeTimeout: tls, ExpectContinueTimeout: expect };
  const entries = add.map((a) => ({ key: a.key, value: a.duration ? durationExpr(durs[a.key], time.name) : a.value }));
  const edit = addKeyedElements(ctx.source, ctx.eol, s, entries);
  if ('reason' in edit) {
    ctx.report({ node: lit, message: base, noFix: edit.reason });
    return;
  }
  // A one-line literal broken over lines ends gofmt's alignment of the literal around it.
  const realign = s.body.startPosition.row === s.body.endPosition.row ? realignForExpansion(ctx.source, ctx.eol, lit) : [];
  if (!realign) {
    ctx.report({ node: lit, message: base, noFix: 'breaking it over lines would need realigning the code around it' });
    return;
  }
  ctx.report({
    node: lit,
    message: `${base}; add ${add.map((a) => a.key).join(', ')} (protocol, proxy and dialer stay as written)`,
    fix: {
      description: `Add ${add.map((a) => a.key).join(', ')} to the http.Transport literal`,
      edits: [edit, ...realign],
      imports: needsTime ? time.imports : [],
    },
  });
}

function isType(ctx: RuleContext, lit: Node, pkg: string, name: string): boolean {
  const t = field(lit, 'type');
  if (!t) return false;
  const r = ctx.sem.typeRef(t);
  return r.pkgPath === pkg && r.name === name && r.pointer === 0;
}

/** The literal a `x.Transport = v` store writes into: x's initializer, when a literal. */
function storeOwner(ctx: RuleContext, sel: Node): Node | null {
  const op = field(sel, 'operand');
  if (!op || op.type !== 'identifier' || field(sel, 'field')?.text !== 'Transport') return null;
  const b = ctx.sem.resolve(op);
  if (!b || !b.value || b.valueIndex >= 0) return null;
  return literalOf(b.value) ?? b.value;
}

/** Whether the transport serves an httputil.ReverseProxy: concurrent requests to one backend. */
function servesReverseProxy(ctx: RuleContext, via: Node[], stores: Node[]): boolean {
  if (via.some((l) => isType(ctx, l, 'net/http/httputil', 'ReverseProxy'))) return true;
  return stores.some((sel) => {
    const owner = storeOwner(ctx, sel);
    if (!owner) return false;
    if (owner.type === 'composite_literal') return isType(ctx, owner, 'net/http/httputil', 'ReverseProxy');
    return owner.type === 'call_expression' && ctx.sem.isCallTo(owner, 'net/http/httputil', 'NewSingleHostReverseProxy');
  });
}

/**
 * Whether nothing else bounds the TLS handshake: the transport serves an http.Client
 * without Timeout (in the literal or assigned later), whose every request can be seen,
 * and at least one of them carries no deadline.
 */
function handshakeUnbounded(ctx: RuleContext, via: Node[], stores: Node[]): boolean {
  const clients = [...via, ...stores.map((s) => storeOwner(ctx, s)).filter((n): n is Node => !!n && n.type === 'composite_literal')].filter((l) =>
    isType(ctx, l, 'net/http', 'Client'),
  );
  if (clients.length === 0) return false;
  return clients.every((c) => {
    const s = structLiteral(c);
    if (!s || keysOf(s).has('Timeout')) return false;
    const parent = c.parent;
    const expr = parent && parent.type === 'unary_expression' && parent.child(0)?.type === '&' ? parent : c;
    const site = assignSite(ctx.sem, expr);
    if (site?.binding && fieldsAssignedLater(site.binding, c.endIndex, site.packageLevel ? null : enclosingFunction(c)).has('Timeout')) return false;
    const uses = clientUses(ctx.sem, expr, () => ctx.package());
    // Only for a client whose responses stream: there no Timeout can be added (see
    // http-client-timeout, which adds one where every response is read in full), and the
    // handshake bound is the one that is safe.
    return (
      uses.ok &&
      uses.calls.some((u) => requestDeadline(u.sem, u, () => ctx.package()) === 'none') &&
      uses.calls.some((u) => responseStreams(u.sem, u.call) !== null)
    );
  });
}
