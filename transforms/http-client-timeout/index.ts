// http-client-timeout: an http.Client without Timeout (and http.DefaultClient, which
// has none) lets a stuck server hold the calling goroutine forever (PITFALLS.md §5).
// Fix: add `Timeout: 30 * time.Second` (configurable) to Client literals. Uses of
// http.DefaultClient and of http.Get/Head/Post/PostForm are reported without a fix:
// which client to use instead is the caller's design decision.
import type { Node } from 'web-tree-sitter';
import {
  DURATION_PATTERN,
  assignSite,
  durationExpr,
  fieldsAssignedLater,
  literalOf,
  parseDuration,
  repeatedAt,
  timePackageName,
} from '../../src/go/construct.js';
import { addKeyedElements, keysOf, structLiteral, type StructLiteral } from '../../src/go/literal.js';
import { descendants, enclosingFunction, field, named, unparen } from '../../src/go/syntax.js';
import type { Rule, RuleContext } from '../../src/types.js';

const DEFAULT_TIMEOUT = '30s';
const DEFAULT_CLIENT_FUNCS = ['Get', 'Head', 'Post', 'PostForm'];

export const rule: Rule = {
  meta: {
    id: 'http-client-timeout',
    summary: 'Add a Timeout to http.Client literals; report http.DefaultClient and http.Get/Post/Head/PostForm (no timeout)',
    defaultOn: true,
    // Every construct this rule matches needs the net/http import.
    triggers: ['net/http'],
    docPath: 'transforms/http-client-timeout/README.md',
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
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
    },
  },
  run(ctx) {
    checkClientLiterals(ctx);
    if (ctx.options.reportDefaultClient !== false) checkDefaultClient(ctx);
  },
};

function isHttpType(ctx: RuleContext, lit: Node, name: string): boolean {
  const t = field(lit, 'type');
  if (!t || t.type !== 'qualified_type') return false;
  const ref = ctx.sem.typeRef(t);
  return ref.pkgPath === 'net/http' && ref.name === name && ref.pointer === 0;
}

function checkClientLiterals(ctx: RuleContext): void {
  const timeoutNs = parseDuration(String(ctx.options.timeout ?? DEFAULT_TIMEOUT)) ?? parseDuration(DEFAULT_TIMEOUT)!;
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
    const base = 'http.Client without Timeout: a slow or stuck server blocks the caller forever (the whole exchange, body included, is unbounded)';
    const where = repeatedAt(ctx.sem, lit);
    if (where) {
      ctx.report({
        node: lit,
        message: `${base}; it is built ${where === 'loop' ? 'inside a loop' : 'per request (in an HTTP handler)'}: create one client with a Timeout once and reuse it (no fix: where it should live is a design choice)`,
      });
      continue;
    }
    if (transportBoundsHeaders(ctx, s)) {
      ctx.report({
        node: lit,
        message: `${base} (no fix: its Transport sets ResponseHeaderTimeout, so long responses look intended; a Timeout would also cut off reading the body: decide on a bound)`,
      });
      continue;
    }
    const time = timePackageName(ctx.sem, ctx.imports, lit, () => ctx.package());
    if (!time) {
      ctx.report({ node: lit, message: `${base} (no fix: the name "time" is bound to something else here)` });
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
      ctx.report({ node: lit, message: `${base} (no fix: ${edit.reason})` });
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

function checkDefaultClient(ctx: RuleContext): void {
  // Tests talk to httptest servers, and `go test -timeout` bounds a hang there.
  if (ctx.path.endsWith('_test.go')) return;
  const { sem } = ctx;
  const uses: Node[] = [];
  let timeoutSet = false;
  for (const sel of descendants(ctx.root, 'selector_expression')) {
    const q = sem.qualified(sel);
    if (!q || q.path !== 'net/http' || q.name !== 'DefaultClient') continue;
    // `http.DefaultClient.Timeout = d` configures it: the file's uses then have a timeout.
    const outer = sel.parent;
    if (outer?.type === 'selector_expression' && field(outer, 'field')?.text === 'Timeout') {
      const stmt = outer.parent?.parent;
      if (stmt?.type === 'assignment_statement' && field(stmt, 'left')?.equals(outer.parent!)) {
        timeoutSet = true;
        continue;
      }
    }
    uses.push(sel);
  }
  if (!timeoutSet) {
    for (const u of uses) {
      ctx.report({
        node: u,
        message:
          'http.DefaultClient has no timeout: a slow or stuck server blocks the caller forever; use an *http.Client with a Timeout (no fix: which client to use is a design choice)',
      });
    }
  }
  for (const call of descendants(ctx.root, 'call_expression')) {
    if (!sem.isCallTo(call, 'net/http', DEFAULT_CLIENT_FUNCS)) continue;
    if (timeoutSet) continue;
    const fn = unparen(field(call, 'function')!);
    ctx.report({
      node: fn,
      message: `${fn.text} uses http.DefaultClient, which has no timeout: a slow or stuck server blocks the caller forever; use an *http.Client with a Timeout (no fix: which client to use is a design choice)`,
    });
  }
}
