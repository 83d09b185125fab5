// close-resp-body: the *http.Response of http.Get/Head/Post/PostForm or of an
// *http.Client's Get/Head/Post/PostForm/Do must have its Body closed, or the
// connection is neither reused nor released (a goroutine pair and a socket per leaked
// response until the server gives up). Fix: `defer resp.Body.Close()` right after the
// `if err != nil { ... }` check; vet's httpresponse shape (the defer before the check)
// is moved after it. No fix when the response or its body changes hands, the call is in
// a loop, the error is not checked right away, or the client is not provably net/http's.
import type { Node } from 'web-tree-sitter';
import { operandType } from '../../src/go/exprtype.js';
import { PathAnalysis } from '../../src/go/flow.js';
import { twoValueCallOf } from '../../src/go/lexical.js';
import type { PackageFile } from '../../src/go/package.js';
import type { Binding } from '../../src/go/scope.js';
import { insertionDisturbsAlignment, removalDisturbsAlignment, removeStatement } from '../../src/go/stmtedit.js';
import { classifyUse, escapeReason, type Use } from '../../src/go/uses.js';
import {
  contains,
  descendants,
  enclosingFunction,
  field,
  indentAt,
  insideLoop,
  lineEnd,
  named,
  nextLineStart,
  restOfLineIsEmpty,
  statementsOf,
  unparen,
} from '../../src/go/syntax.js';
import type { Rule, RuleContext, JsonSchema } from '../../src/rules/api.js';
import { defineRule, type OptionsOf } from '../../src/rules/define.js';

const PKG_FUNCS = ['Get', 'Head', 'Post', 'PostForm'];
const CLIENT_METHODS = ['Get', 'Head', 'Post', 'PostForm', 'Do'];

/** Functions that read their source reader to EOF (or to a read error). */
const DRAINERS: Record<string, Record<string, number>> = {
  io: { ReadAll: 0, Copy: 1, CopyBuffer: 1 },
  'io/ioutil': { ReadAll: 0 },
};

/** Functions that read a reader to the end (or a prefix) and keep nothing of it. */
const CONSUMERS: Record<string, string[]> = {
  io: ['ReadAll', 'Copy', 'CopyN', 'CopyBuffer', 'ReadFull', 'ReadAtLeast'],
  'io/ioutil': ['ReadAll'],
};
/** Constructors whose result wraps the reader: the body escapes when the wrapper does. */
const WRAPPERS: Record<string, string[]> = {
  'encoding/json': ['NewDecoder'],
  'encoding/xml': ['NewDecoder'],
  'encoding/csv': ['NewReader'],
  'encoding/gob': ['NewDecoder'],
  bufio: ['NewReader', 'NewReaderSize', 'NewScanner'],
  io: ['LimitReader', 'TeeReader', 'MultiReader'],
};

/** What a reference to the response variable does to the body's ownership. */
type Effect =
  | { kind: 'none' }
  | { kind: 'close' } // closes the body here (or hands it to a deferred cleanup call)
  | { kind: 'guard' } // resp == nil / resp != nil: the author's own handling
  | { kind: 'drain' } // reads the body to EOF: net/http releases the connection then
  | { kind: 'handoff'; why: string }; // someone else may close or keep it

const NONE: Effect = { kind: 'none' };

interface Site {
  call: Node;
  stmt: Node;
  resp: Node;
  err: Node;
  owner: Node;
  binding: Binding;
  callee: string;
}

/** Whether `call` is a call this rule knows returns a fresh *http.Response, and how it is written. */
function isResponseCall(ctx: RuleContext, call: Node): boolean {
  const fn = unparen(field(call, 'function')!);
  // Both shapes are selectors (isCallTo needs one too): the syntax first, so a file
  // without such a call builds no scopes.
  if (fn.type !== 'selector_expression') return false;
  const name = field(fn, 'field')?.text ?? '';
  if (PKG_FUNCS.includes(name) && ctx.sem.isCallTo(call, 'net/http', PKG_FUNCS)) return true;
  if (!CLIENT_METHODS.includes(name)) return false;
  return isHttpClient(ctx, field(fn, 'operand')!);
}

function isClientRef(t: { pkgPath: string | null; name: string; pointer: number } | null): boolean {
  return !!t && t.pkgPath === 'net/http' && t.name === 'Client' && t.pointer <= 1;
}

const importsHttp = new WeakMap<PackageFile, boolean>();

/**
 * Whether a file of the package may import "net/http": a type proven to be net/http's
 * Client comes from such an import (the qualifier of a declared type resolves to one), so
 * without any, operandType cannot prove a client and siblings need not be parsed for it.
 */
function mayImportHttp(ctx: RuleContext): boolean {
  const has = (src: string) => src.includes('"net/http"') || src.includes('`net/http`');
  if (has(ctx.source)) return true;
  try {
    return ctx.package().files.some((f) => {
      if (f.current) return has(f.source);
      let v = importsHttp.get(f);
      if (v === undefined) importsHttp.set(f, (v = (f.mayMention?.('http') ?? true) && has(f.source)));
      return v;
    });
  } catch {
    return true; // the full check decides
  }
}

/** Functions known to return an *http.Client. */
const CLIENT_FUNCS: Record<string, string[]> = {
  'github.com/hashicorp/go-cleanhttp': ['DefaultClient', 'DefaultPooledClient'],
};
const TEST_SERVER_FUNCS = ['NewServer', 'NewTLSServer', 'NewUnstartedServer'];

/**
 * Whether the expression is provably an http.Client or *http.Client: http.DefaultClient
 * (or *http.DefaultClient), a variable or this package's struct field declared as one, a
 * client literal, an httptest server's Client(), or a local initialized from one of these
 * (a Go variable's type never changes, so later assignments do not matter).
 */
function isHttpClient(ctx: RuleContext, operand: Node, depth = 0): boolean {
  if (depth > 6) return false;
  const op = unparen(operand);
  const q = ctx.sem.qualified(op);
  if (q) return q.path === 'net/http' && q.name === 'DefaultClient';
  if (mayImportHttp(ctx) && isClientRef(operandType(ctx, op))) return true;
  switch (op.type) {
    case 'unary_expression': {
      const inner = field(op, 'operand');
      return op.child(0)?.type === '*' && !!inner && isHttpClient(ctx, inner, depth + 1);
    }
    case 'call_expression': {
      const fn = unparen(field(op, 'function')!);
      const args = named(field(op, 'arguments')!).filter((c) => c.type !== 'comment');
      if (inList(ctx, op, CLIENT_FUNCS)) return true;
      // srv.Client() on an *httptest.Server.
      if (fn.type === 'selector_expression' && field(fn, 'field')?.text === 'Client' && args.length === 0) {
        return isTestServer(ctx, field(fn, 'operand')!, depth + 1);
      }
      return false;
    }
    case 'identifier': {
      const b = ctx.sem.resolve(op);
      if (b && b.kind === 'var' && !b.typeNode && b.value && b.valueIndex < 0) return isHttpClient(ctx, b.value, depth + 1);
      return false;
    }
    default:
      return false;
  }
}

/** Whether the expression is an *httptest.Server (a declared one, or a local from httptest.NewServer & co.). */
function isTestServer(ctx: RuleContext, expr: Node, depth: number): boolean {
  if (depth > 6) return false;
  const e = unparen(expr);
  const t = operandType(ctx, e);
  if (t && t.pkgPath === 'net/http/httptest' && t.name === 'Server' && t.pointer === 1) return true;
  if (e.type === 'call_expression') return ctx.sem.isCallTo(e, 'net/http/httptest', TEST_SERVER_FUNCS);
  if (e.type === 'identifier') {
    const b = ctx.sem.resolve(e);
    if (b && b.kind === 'var' && !b.typeNode && b.value && b.valueIndex < 0) return isTestServer(ctx, b.value, depth + 1);
  }
  return false;
}

/** `a, b := call` or `a, b = call` (the call the sole value, maybe parenthesized): its statement and operands. */
function siteShape(call: Node): { stmt: Node; resp: Node; err: Node } | null {
  let n = call;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const list = n.parent;
  if (!list || list.type !== 'expression_list') return null;
  if (named(list).filter((c) => c.type !== 'comment').length !== 1) return null;
  const stmt = list.parent;
  if (!stmt || (stmt.type !== 'short_var_declaration' && stmt.type !== 'assignment_statement')) return null;
  if (!field(stmt, 'right')?.equals(list)) return null;
  if (stmt.type === 'assignment_statement' && stmt.childForFieldName('operator')?.text !== '=') return null;
  const left = named(field(stmt, 'left')!).filter((c) => c.type !== 'comment');
  if (left.length !== 2) return null;
  return { stmt, resp: left[0], err: left[1] };
}

function findSite(ctx: RuleContext, call: Node): Site | 'other' | null {
  const shape = siteShape(call);
  if (!shape) return 'other';
  const { stmt, resp, err } = shape;
  const owner = enclosingFunction(call);
  if (!owner || resp.type !== 'identifier' || resp.text === '_') return null;
  const binding = ctx.sem.declaredAt(resp) ?? ctx.sem.resolve(resp);
  if (!binding || binding.kind !== 'var' || !contains(owner, binding.id)) return null; // owned outside this function
  return { call, stmt, resp, err, owner, binding, callee: field(call, 'function')!.text };
}

function selectorField(n: Node | null, name: string): boolean {
  return !!n && n.type === 'selector_expression' && field(n, 'field')?.text === name;
}

function calleeText(call: Node): string {
  return field(call, 'function')?.text ?? 'a function';
}

function inList(ctx: RuleContext, call: Node, table: Record<string, string[]>): boolean {
  const q = ctx.sem.qualified(field(call, 'function')!);
  return !!q && !!table[q.path]?.includes(q.name);
}

const ESCAPES: Partial<Record<Use['kind'], string>> = {
  returned: 'is returned (the caller owns it)',
  stored: 'is stored in a struct, map, slice or field',
  assigned: 'is assigned to another variable',
  goroutine: 'is handed to a goroutine',
  captured: 'is captured by a closure that may outlive the function',
  sent: 'is sent on a channel',
  address: 'has its address taken',
  lhs: 'is replaced',
};

/** What the use of the body expression `resp.Body` (node `body`) does. */
function bodyEffect(ctx: RuleContext, body: Node, owner: Node, name: string): Effect {
  const u = classifyUse(body, owner);
  const what = `${name}.Body`;
  if (u.kind === 'method') {
    const sel = body.parent!;
    return field(sel, 'field')?.text === 'Close' ? { kind: 'close' } : NONE;
  }
  if (u.kind === 'passed') {
    const call = u.call!;
    if (call.parent?.type === 'defer_statement') return { kind: 'close' };
    if (isDrain(ctx, call, body)) return { kind: 'drain' };
    if (inList(ctx, call, CONSUMERS)) return NONE;
    if (inList(ctx, call, WRAPPERS)) {
      const why = escapeReason(ctx.sem, call, owner);
      return why ? { kind: 'handoff', why: `${what} is wrapped by ${calleeText(call)}, whose result ${why}` } : NONE;
    }
    return { kind: 'handoff', why: `${what} is passed to ${calleeText(call)}, which may close or keep it` };
  }
  const esc = ESCAPES[u.kind];
  if (esc) return { kind: 'handoff', why: `${what} ${esc}` };
  if (u.kind === 'other' && isNilComparison(u.node)) return { kind: 'guard' }; // `if resp.Body != nil { defer ... }`
  if (u.kind === 'other' && !isComparison(u.node)) {
    // A type assertion (`resp.Body.(io.ReadWriteCloser)` after a protocol upgrade), a
    // range, a conversion: gopitfix does not follow where the body goes from there.
    return { kind: 'handoff', why: `${what} is used as ${u.node.parent?.type.replace(/_/g, ' ') ?? 'a value'}, which gopitfix does not follow` };
  }
  return NONE;
}

function isComparison(n: Node): boolean {
  const p = n.parent;
  return !!p && p.type === 'binary_expression' && ['==', '!='].includes(p.childForFieldName('operator')?.text ?? '');
}

/** What the reference `ref` of the response variable does to the body. */
function refEffect(ctx: RuleContext, ref: Node, owner: Node, name: string): Effect {
  const u = classifyUse(ref, owner);
  switch (u.kind) {
    case 'field':
      return selectorField(u.node, 'Body') ? bodyEffect(ctx, u.node, owner, name) : NONE;
    case 'method': {
      const m = field(ref.parent!, 'field')?.text;
      // Response.Write sends and closes the body.
      return m === 'Write' ? { kind: 'close' } : NONE;
    }
    case 'passed':
      if (u.call!.parent?.type === 'defer_statement') return { kind: 'close' };
      if (isFormatting(u.call!)) return NONE;
      return { kind: 'handoff', why: `${name} is passed to ${calleeText(u.call!)}, which may close or keep its body` };
    case 'lhs':
      return NONE; // a later response in the same variable: its own site
    case 'other':
      // `resp == nil` / `resp != nil`: the author guards the response; what follows the
      // guard is theirs to judge (a deferred close before it would change what a nil does).
      if (isNilComparison(u.node)) return { kind: 'guard' };
      if (isComparison(u.node)) return NONE;
      return { kind: 'handoff', why: `${name} is used as ${u.node.parent?.type.replace(/_/g, ' ') ?? 'a value'}, which gopitfix does not follow` };
    default: {
      const esc = ESCAPES[u.kind];
      return esc ? { kind: 'handoff', why: `${name} ${esc}` } : NONE;
    }
  }
}

/** Printing and test-failure calls (fmt.Sprintf, t.Fatalf, log.Printf, ...) only format their arguments. */
function isFormatting(call: Node): boolean {
  const fn = unparen(field(call, 'function')!);
  const name = fn.type === 'selector_expression' ? field(fn, 'field')?.text ?? '' : '';
  return /^(?:Fatal|Error|Log|Skip|Print|Sprint|Fprint|Errorf|Panic|Info|Warn|Debug)(?:f|ln)?$/.test(name);
}

/** `io.ReadAll(resp.Body)`, `io.Copy(w, resp.Body)`: the body is the reader read to EOF. */
function isDrain(ctx: RuleContext, call: Node, body: Node): boolean {
  const q = ctx.sem.qualified(field(call, 'function')!);
  const idx = q ? DRAINERS[q.path]?.[q.name] : undefined;
  if (idx === undefined) return false;
  const args = named(field(call, 'arguments')!).filter((c) => c.type !== 'comment');
  return !!args[idx] && unparen(args[idx]).equals(body);
}

function isNilComparison(n: Node): boolean {
  const p = n.parent;
  if (!p || p.type !== 'binary_expression') return false;
  const op = p.childForFieldName('operator')?.text;
  if (op !== '==' && op !== '!=') return false;
  const l = field(p, 'left');
  const r = field(p, 'right');
  const other = l && l.equals(n) ? r : l;
  return !!other && unparen(other).text === 'nil';
}

/** `if err != nil { ...; return }` testing the site's error, with a consequence that cannot fall through. */
function isErrCheck(ctx: RuleContext, stmt: Node | null, err: Node): 'exits' | 'falls' | null {
  if (stmt?.type === 'expression_statement' && isRequireNoError(ctx, stmt, err)) return 'exits';
  if (!stmt || stmt.type !== 'if_statement' || field(stmt, 'initializer')) return null;
  const cond = unparen(field(stmt, 'condition')!);
  if (cond.type !== 'binary_expression' || cond.childForFieldName('operator')?.text !== '!=') return null;
  const l = unparen(field(cond, 'left')!);
  const r = unparen(field(cond, 'right')!);
  const id = l.type === 'nil' || l.text === 'nil' ? r : r.type === 'nil' || r.text === 'nil' ? l : null;
  if (!id || id.type !== 'identifier' || id.text !== err.text) return null;
  const eb = ctx.sem.resolve(err) ?? ctx.sem.declaredAt(err);
  if (eb && ctx.sem.resolve(id) !== eb) return null;
  const cons = field(stmt, 'consequence');
  if (!cons) return null;
  return new PathAnalysis(() => false).fallsThrough(statementsOf(cons)) ? 'falls' : 'exits';
}

/** testify's `require.NoError(t, err)` / `require.Nil(t, err)`: the test stops (FailNow) when err is not nil. */
function isRequireNoError(ctx: RuleContext, stmt: Node, err: Node): boolean {
  const call = named(stmt).find((c) => c.type !== 'comment');
  if (!call || call.type !== 'call_expression' || !ctx.sem.isCallTo(call, 'github.com/stretchr/testify/require', ['NoError', 'Nil'])) return false;
  const args = named(field(call, 'arguments')!).filter((c) => c.type !== 'comment');
  const e = args[1] ? unparen(args[1]) : null;
  if (!e || e.type !== 'identifier' || e.text !== err.text) return false;
  const eb = ctx.sem.resolve(err) ?? ctx.sem.declaredAt(err);
  return !eb || ctx.sem.resolve(e) === eb;
}

/** `defer <name>.Body.Close()` exactly. */
function isDeferClose(stmt: Node | null, name: string): boolean {
  if (!stmt || stmt.type !== 'defer_statement') return false;
  const call = named(stmt).find((c) => c.type !== 'comment');
  if (!call || call.type !== 'call_expression') return false;
  const args = named(field(call, 'arguments')!).filter((c) => c.type !== 'comment');
  return args.length === 0 && unparen(field(call, 'function')!).text.replace(/\s+/g, '') === `${name}.Body.Close`;
}

function nextStmt(stmt: Node): Node | null {
  for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) if (s.type !== 'comment') return s;
  return null;
}

/** The rule's options (gopitfix.json `rules.close-resp-body`); ctx.options is typed from this schema. */
const OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reportReadToEOF: {
      type: 'boolean',
      default: true,
      description:
        'Report (never fix) bodies read to EOF on every path but never closed: net/http has released the connection, but the documented contract is to close the body.',
    },
  },
} as const satisfies JsonSchema;
type Ctx = RuleContext<OptionsOf<typeof OPTIONS>>;

export const rule: Rule = defineRule({
  meta: {
    id: 'close-resp-body',
    summary:
      'Defer resp.Body.Close() after the error check of net/http Get/Post/PostForm/Do responses whose body is not closed (or read to EOF) on every path; move vet httpresponse-shaped defers after the check',
    defaultOn: true,
    // Its fixes yield to stop-ticker's on overlap (the order fixes have always been preferred in).
    after: ['stop-ticker'],
    // Every call it matches is a call of one of these names (package function or method),
    // the sole value assigned to two operands (`resp, err :=` or `=`: findSite).
    triggers: [/\b(?:Get|Head|Post|PostForm|Do)\s*\(/],
    requires: [twoValueCallOf(...CLIENT_METHODS)],
    docPath: 'transforms/close-resp-body/README.md',
    options: OPTIONS,
  },
  run(ctx) {
    for (const call of descendants(ctx.root, 'call_expression')) {
      // The syntax first: typing a receiver may parse sibling files.
      if (!siteShape(call) || !isResponseCall(ctx, call)) continue;
      const site = findSite(ctx, call);
      if (!site || site === 'other') continue;
      check(ctx, site);
    }
  },
});

function check(ctx: Ctx, site: Site): void {
  const name = site.resp.text;
  const refs = site.binding.refs.filter((r) => r.startIndex >= site.stmt.endIndex && contains(site.owner, r));
  const effects = refs.map((r) => ({ ref: r, effect: refEffect(ctx, r, site.owner, name) }));
  const handled = effects.filter((e) => e.effect.kind !== 'none').map((e) => e.ref);
  const handledNoDrain = effects.filter((e) => e.effect.kind !== 'none' && e.effect.kind !== 'drain').map((e) => e.ref);
  const handoff = effects.find((e) => e.effect.kind === 'handoff')?.effect as { kind: 'handoff'; why: string } | undefined;
  const flow = new PathAnalysis((n) => handled.some((r) => contains(n, r)));
  const base = `the body of ${name} (from ${site.callee}) is not closed on every path: the connection is neither reused nor released`;
  const report = (why: string) => ctx.report({ node: site.call, message: base, noFix: why });

  const inStmtList = site.stmt.parent?.type === 'statement_list';
  let next = inStmtList ? nextStmt(site.stmt) : null;
  // vet's httpresponse shape: `defer resp.Body.Close()` between the call and the error check.
  const early = isDeferClose(next, name) ? next : null;
  if (early) next = nextStmt(early);
  const errIsBlank = site.err.type === 'identifier' && site.err.text === '_';
  const checkKind = errIsBlank ? null : isErrCheck(ctx, next, site.err);

  if (early) {
    const msg = `${name}.Body is closed before the error is checked: when the request fails ${name} is nil and the defer statement dereferences it and panics`;
    if (checkKind !== 'exits') {
      ctx.report({
        node: early,
        message: msg,
        noFix: errIsBlank ? 'the error is discarded; check it first' : 'no `if err != nil` check that leaves the function follows',
      });
      return;
    }
    const fix = moveAfter(ctx, early, next!);
    if (!fix) {
      ctx.report({ node: early, message: msg, noFix: 'a comment or another statement shares its line' });
      return;
    }
    ctx.report({ node: early, message: `${msg}; move the defer after the check`, fix: { description: `Move defer ${name}.Body.Close() after the error check`, edits: fix } });
    return;
  }

  // net/http gives a HEAD response http.NoBody: nothing holds the connection.
  const fn = unparen(field(site.call, 'function')!);
  if (fn.type === 'selector_expression' && field(fn, 'field')?.text === 'Head') return;

  if (checkKind !== 'exits') {
    // Without a plain error check we cannot tell where the response is non-nil: report only a body never touched.
    if (handled.length === 0 && !refs.some((r) => classifyUse(r, site.owner).kind === 'lhs')) {
      const why = errIsBlank
        ? 'the error is discarded, so the response may be nil; check the error, then defer the close'
        : !inStmtList
          ? 'the call is in a statement header; move it to its own statement first'
          : checkKind === 'falls'
            ? 'the error check does not leave the function, so the response may be nil after it'
            : 'no `if err != nil` check that leaves the function follows the call';
      if (insideLoop(site.stmt, site.owner)) {
        report(`the call is inside a loop, where a deferred close runs only when the function returns; close the body at the end of each iteration (and ${why.replace(/^the /, 'note: the ')})`);
      } else report(why);
    }
    return;
  }

  const check = next!;
  if (!flow.leaksAfter(check)) {
    // Read to EOF on every path but never closed: net/http has already released the
    // connection, so nothing leaks; closing is still the documented contract.
    const strict = new PathAnalysis((n) => handledNoDrain.some((r) => contains(n, r)));
    if (ctx.options.reportReadToEOF && handled.length !== handledNoDrain.length && strict.leaksAfter(check) && !handoff && !effects.some((e) => e.effect.kind === 'close')) {
      ctx.report({
        node: site.call,
        message: `the body of ${name} (from ${site.callee}) is read to the end but never closed: net/http releases the connection at EOF, so nothing leaks here, but the documented contract is to close it`,
        noFix: `not a leak; add defer ${name}.Body.Close() after the error check if you want it`,
      });
    }
    return;
  }
  if (handoff) {
    report(`${handoff.why}; close the body on the other paths`);
    return;
  }
  if (insideLoop(site.stmt, site.owner)) {
    const edit = effects.some((e) => e.effect.kind === 'close') ? null : iterationClose(ctx, site, check);
    if (edit) {
      ctx.report({
        node: site.call,
        message: `${base}; close it at the end of the loop iteration (a deferred close would run only when the function returns)`,
        fix: { description: `Close ${name}.Body at the end of the loop iteration`, edits: [edit] },
      });
      return;
    }
    report('the call is inside a loop, where a deferred close would run only when the function returns; close the body at the end of each iteration, or move the loop body into a function');
    return;
  }
  if (field(check, 'alternative')) {
    report('the error check has an else branch; add the close where the response is used');
    return;
  }
  if (!restOfLineIsEmpty(ctx.source, check.endIndex)) {
    report('another statement follows the error check on the same line');
    return;
  }
  // A later `defer resp.Body.Close()` in the same block, with no other defer before it, moves up.
  let later: Node | null = null;
  for (let s = nextStmt(check); s; s = nextStmt(s)) {
    if (isDeferClose(s, name)) {
      later = s;
      break;
    }
    if (s.type === 'defer_statement') break;
  }
  // Any other close would run as well as a new deferred one: net/http's HTTP/1 body ignores a
  // second Close, its HTTP/2 body returns flow-control credit for unread bytes again.
  const other = effects.find((e) => e.effect.kind === 'close' && !(later && contains(later, e.ref)));
  if (other) {
    const line = other.ref.startPosition.row + 1;
    report(`the body is closed on some paths (line ${line}); close it on the others too (a deferred close would close it a second time there)`);
    return;
  }
  if (later) {
    const fix = moveAfter(ctx, later, check);
    if (fix) {
      ctx.report({
        node: site.call,
        message: `${base} (some paths return before the deferred close); move defer ${name}.Body.Close() up to right after the error check`,
        fix: { description: `Move defer ${name}.Body.Close() up to right after the error check`, edits: fix },
      });
      return;
    }
  }
  const at = lineEnd(ctx.source, check.endIndex);
  const indent = indentAt(ctx.source, site.stmt.startIndex);
  ctx.report({
    node: site.call,
    message: `${base}; add defer ${name}.Body.Close() after the error check`,
    fix: {
      description: `Add defer ${name}.Body.Close() after the error check`,
      edits: [{ start: at, end: at, text: `${ctx.eol}${indent}defer ${name}.Body.Close()` }],
    },
  });
}

const LEAVES = ['return_statement', 'break_statement', 'continue_statement', 'goto_statement', 'fallthrough_statement', 'labeled_statement', 'defer_statement', 'go_statement', 'func_literal'];

/**
 * `resp.Body.Close()` as the last statement of the loop body, when that is provably the
 * end of every iteration that got a response: the response is declared by the call
 * directly in the loop body, and the statements after the error check are straight-line
 * code (nothing in them returns, breaks, continues, jumps, defers, starts a goroutine or
 * builds a closure). Otherwise null.
 */
function iterationClose(ctx: RuleContext, site: Site, check: Node) {
  if (site.stmt.type !== 'short_var_declaration' || !site.binding.decl.equals(site.stmt)) return null;
  const list = site.stmt.parent;
  const block = list?.parent;
  if (!list || list.type !== 'statement_list' || !block || block.type !== 'block' || block.parent?.type !== 'for_statement') return null;
  const rest: Node[] = [];
  for (let s = nextStmt(check); s; s = nextStmt(s)) rest.push(s);
  if (rest.length === 0) return null;
  if (rest.some((s) => LEAVES.includes(s.type) || s.descendantsOfType(LEAVES).length > 0)) return null;
  // Another response in the same variable before the end would be the one closed.
  if (site.binding.refs.some((r) => contains(block, r) && r.startIndex > check.endIndex && classifyUse(r, site.owner).kind === 'lhs')) return null;
  const last = rest[rest.length - 1];
  if (!restOfLineIsEmpty(ctx.source, last.endIndex)) return null;
  const at = lineEnd(ctx.source, last.endIndex);
  const indent = indentAt(ctx.source, site.stmt.startIndex);
  return { start: at, end: at, text: `${ctx.eol}${indent}${site.resp.text}.Body.Close()` };
}

/** Edits moving the line of statement `stmt` (its trailing `//` comment included) to right after `after`. */
function moveAfter(ctx: RuleContext, stmt: Node, after: Node) {
  const src = ctx.source;
  if (!restOfLineIsEmpty(src, after.endIndex) || !restOfLineIsEmpty(src, stmt.endIndex)) return null;
  const lineText = src.slice(stmt.startIndex, lineEnd(src, stmt.endIndex));
  if (/\/\*/.test(lineText)) return null;
  const commented = /\/\//.test(lineText);
  const del = removeStatement(src, stmt, { withTrailing: true });
  if (!del || (commented && removalDisturbsAlignment(src, del))) return null;
  const at = lineEnd(src, after.endIndex);
  if (commented && insertionDisturbsAlignment(src, nextLineStart(src, at), true)) return null;
  const indent = indentAt(src, after.startIndex);
  const ins = { start: at, end: at, text: `${ctx.eol}${indent}${lineText}` };
  // removeStatement may take a blank line with it; keep edits disjoint.
  if (del.end > at && del.start < at) return null;
  return [del, ins];
}
