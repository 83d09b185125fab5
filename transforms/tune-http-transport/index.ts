// tune-http-transport: an http.Transport built from a composite literal drops every
// setting of http.DefaultTransport (proxy from environment, dialer timeouts, HTTP/2,
// idle pool and handshake timeouts), and any transport keeps at most 2 idle connections
// per host unless MaxIdleConnsPerHost is raised (PITFALLS.md §5, golang/go#13801).
// Fix: `x := &http.Transport{...}` becomes a clone of DefaultTransport with the
// literal's fields assigned one by one; other literals get the missing settings added.
import type { Node } from 'web-tree-sitter';
import {
  DURATION_PATTERN,
  assignSite,
  durationExpr,
  fieldsAssignedLater,
  parseDuration,
  repeatedAt,
  timePackageName,
  type AssignSite,
} from '../../src/go/construct.js';
import { commentedLines } from '../../src/go/gofmt.js';
import { addKeyedElements, keysOf, structLiteral, type StructLiteral } from '../../src/go/literal.js';
import type { Semantics } from '../../src/go/scope.js';
import { containingList, enclosingFunction, field, indentAt, lineEnd, lineStart, named } from '../../src/go/syntax.js';
import type { FindingInput, Rule, RuleContext, TextEdit } from '../../src/types.js';

/** DefaultTransport's values (net/http, Go 1.13+), and this rule's defaults. */
const DEFAULTS = {
  maxIdleConns: 100,
  maxIdleConnsPerHost: 100,
  idleConnTimeout: '90s',
  tlsHandshakeTimeout: '10s',
  expectContinueTimeout: '1s',
};

// The fields are Go ints: a constant above MaxInt32 does not compile for 32-bit targets.
const MAX_GO_INT = 2147483647;
const DURATION = { type: 'string', pattern: DURATION_PATTERN, format: 'go-duration', title: 'a Go duration like "90s" or "1m30s"' } as const;

export const rule: Rule = {
  meta: {
    id: 'tune-http-transport',
    summary: "Rebuild http.Transport literals from DefaultTransport's settings and raise MaxIdleConnsPerHost (default 2)",
    defaultOn: true,
    // Transport.Clone and ForceAttemptHTTP2 appeared in Go 1.13.
    goVersion: { min: '1.13' },
    // Every construct this rule matches needs the net/http import.
    triggers: ['net/http'],
    docPath: 'transforms/tune-http-transport/README.md',
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxIdleConns: { type: 'integer', minimum: 0, maximum: MAX_GO_INT, default: DEFAULTS.maxIdleConns, description: 'MaxIdleConns to set (0 = no limit).' },
        maxIdleConnsPerHost: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_GO_INT,
          default: DEFAULTS.maxIdleConnsPerHost,
          description: 'MaxIdleConnsPerHost to set (DefaultTransport keeps 2).',
        },
        idleConnTimeout: { ...DURATION, default: DEFAULTS.idleConnTimeout, description: 'IdleConnTimeout to set ("0" = no limit).' },
        tlsHandshakeTimeout: { ...DURATION, default: DEFAULTS.tlsHandshakeTimeout, description: 'TLSHandshakeTimeout to set.' },
        expectContinueTimeout: { ...DURATION, default: DEFAULTS.expectContinueTimeout, description: 'ExpectContinueTimeout to set.' },
      },
    },
  },
  run(ctx) {
    for (const lit of ctx.root.descendantsOfType('composite_literal')) {
      if (lit) checkLiteral(ctx, lit);
    }
  },
};

const DROPPED =
  "drops DefaultTransport's settings (proxy from the environment, 30s dial timeout and keep-alive, HTTP/2, idle pool, TLS handshake and Expect-Continue timeouts) and keeps at most 2 idle connections per host, so concurrent requests to one host redial";

interface Setting {
  key: string;
  /** Go value text, given the time package's local name. */
  value: (time: string) => string;
  /** The value is written with the time package. */
  duration: boolean;
  /** http.DefaultTransport.(*http.Transport).Clone() already has this value. */
  cloneHas: boolean;
}

interface Settings {
  /** In DefaultTransport's declaration order. */
  all: Setting[];
}

function settings(ctx: RuleContext, qual: string): Settings {
  const o = ctx.options;
  const int = (v: unknown, d: number, min: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min ? v : d);
  const dur = (v: unknown, d: string) => (typeof v === 'string' && parseDuration(v) !== null ? parseDuration(v)! : parseDuration(d)!);
  const idle = dur(o.idleConnTimeout, DEFAULTS.idleConnTimeout);
  const tls = dur(o.tlsHandshakeTimeout, DEFAULTS.tlsHandshakeTimeout);
  const expect = dur(o.expectContinueTimeout, DEFAULTS.expectContinueTimeout);
  const maxIdle = int(o.maxIdleConns, DEFAULTS.maxIdleConns, 0);
  const perHost = int(o.maxIdleConnsPerHost, DEFAULTS.maxIdleConnsPerHost, 1);
  const same = (ns: bigint, d: string) => ns === parseDuration(d);
  return {
    all: [
      { key: 'Proxy', value: () => `${qual}.ProxyFromEnvironment`, duration: false, cloneHas: true },
      { key: 'ForceAttemptHTTP2', value: () => 'true', duration: false, cloneHas: true },
      { key: 'MaxIdleConns', value: () => String(maxIdle), duration: false, cloneHas: maxIdle === 100 },
      // DefaultTransport leaves it 0, which means DefaultMaxIdleConnsPerHost (2).
      { key: 'MaxIdleConnsPerHost', value: () => String(perHost), duration: false, cloneHas: false },
      { key: 'IdleConnTimeout', value: (t) => durationExpr(idle, t), duration: idle !== 0n, cloneHas: same(idle, '90s') },
      { key: 'TLSHandshakeTimeout', value: (t) => durationExpr(tls, t), duration: tls !== 0n, cloneHas: same(tls, '10s') },
      { key: 'ExpectContinueTimeout', value: (t) => durationExpr(expect, t), duration: expect !== 0n, cloneHas: same(expect, '1s') },
    ],
  };
}

function checkLiteral(ctx: RuleContext, lit: Node): void {
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

  const where = repeatedAt(ctx.sem, lit);
  if (where) {
    ctx.report({
      node: lit,
      message: `http.Transport created ${where === 'loop' ? 'inside a loop' : 'per request (in an HTTP handler or RoundTrip method)'}: each one has its own connection pool, so connections are never reused; create it once and reuse it (no fix: where it should live is a design choice)`,
    });
    return;
  }
  if (set.has('MaxIdleConnsPerHost')) return;

  // A custom dialer decides where connections go: a proxy from the environment would
  // change the address it is asked for, so Proxy is neither added nor cloned in.
  const customDial = ['Dial', 'DialContext', 'DialTLS', 'DialTLSContext'].some((k) => set.has(k)) && !set.has('Proxy');
  if (customDial) set.add('Proxy');
  const conf = settings(ctx, qual);
  const report = (f: Omit<FindingInput, 'node'>) => ctx.report({ node: lit, ...f });

  if (pointer && site && !customDial && cloneCandidate(ctx.sem, site)) {
    const selfRef = s.elements.some((e) => e.value.descendantsOfType('identifier').some((id) => id?.text === site.name.text));
    if (selfRef) {
      report({
        message: `http.Transport literal ${DROPPED} (no fix: a field value refers to ${site.name.text} itself, which the clone rewrite would change)`,
      });
      return;
    }
    const time = timePackageName(ctx.sem, ctx.imports, site.stmt, () => ctx.package());
    const clone = cloneEdit(ctx, site, s, qual, conf, set, time?.name ?? null);
    if (clone && 'edit' in clone) {
      report({
        message: `http.Transport literal ${DROPPED}; clone http.DefaultTransport and raise MaxIdleConnsPerHost`,
        fix: {
          description: 'Clone http.DefaultTransport, set the literal’s fields on it and raise MaxIdleConnsPerHost',
          edits: [clone.edit],
          imports: clone.usesTime ? time!.imports : [],
        },
      });
      return;
    }
    if (clone && 'noFix' in clone) {
      report({ message: `http.Transport literal ${DROPPED} (no fix: ${clone.noFix})` });
      return;
    }
    // Layout the clone rewrite cannot reproduce: add the settings to the literal instead.
  }

  const missing = conf.all.filter((c) => !set.has(c.key));
  const needsTime = missing.some((m) => m.duration);
  const time = needsTime ? timePackageName(ctx.sem, ctx.imports, lit, () => ctx.package()) : { name: 'time', imports: [] };
  if (!time) {
    report({ message: `http.Transport literal ${DROPPED} (no fix: the name "time" is bound to something else here)` });
    return;
  }
  const edit = addKeyedElements(
    ctx.source,
    ctx.eol,
    s,
    missing.map((m) => ({ key: m.key, value: m.value(time.name) })),
  );
  if ('reason' in edit) {
    report({ message: `http.Transport literal ${DROPPED} (no fix: ${edit.reason})` });
    return;
  }
  report({
    message: `http.Transport literal ${DROPPED}; set them explicitly (${
      customDial
        ? 'Proxy stays unset: the literal’s own dialer decides where connections go'
        : "the dialer's timeouts still differ: set DialContext if they matter"
    })`,
    fix: {
      description: `Add ${missing.map((m) => m.key).join(', ')} to the http.Transport literal`,
      edits: [edit],
      imports: needsTime ? time.imports : [],
    },
  });
}

/** Whether `x := &http.Transport{...}` can become `x := DefaultTransport.Clone()` plus assignments. */
function cloneCandidate(sem: Semantics, site: AssignSite): boolean {
  if (site.packageLevel || !containingList(site.stmt)) return false;
  if (site.op === ':=') return true;
  if (site.op === 'var') {
    // One spec, not a group; no declared type or exactly *http.Transport.
    if (named(site.stmt).filter((c) => c.type !== 'comment').length !== 1 || !site.spec || !site.spec.parent?.equals(site.stmt)) return false;
    const t = field(site.spec, 'type');
    if (!t) return true;
    const r = sem.typeRef(t);
    return r.pkgPath === 'net/http' && r.name === 'Transport' && r.pointer === 1;
  }
  // `x = &http.Transport{}`: a local variable proven to be *http.Transport (an interface
  // such as http.RoundTripper has no fields to assign; a shared variable would be
  // visible half-configured to other goroutines).
  const b = site.binding;
  if (!b || b.scope.kind === 'package' || !['var', 'param', 'result'].includes(b.kind)) return false;
  return sem.isType(b, 'net/http', 'Transport', 1);
}

interface OutLine {
  code?: string;
  comment?: string | null;
  multiline?: boolean;
  /** An own-line comment, or "" for a blank line. */
  raw?: string;
}

/**
 * The clone rewrite of the statement holding the literal; null when the layout is not
 * one it reproduces gofmt-clean (the caller then adds fields to the literal instead).
 */
function cloneEdit(
  ctx: RuleContext,
  site: AssignSite,
  s: StructLiteral,
  qual: string,
  conf: Settings,
  set: Set<string>,
  timeName: string | null,
): { edit: TextEdit; usesTime: boolean } | { noFix: string } | null {
  const src = ctx.source;
  const stmt = site.stmt;
  const keys = keysOf(s);
  // DefaultTransport sets DialContext, which takes priority over a Dial the literal sets.
  if (keys.has('Dial') && !keys.has('DialContext')) return null;
  if (src.slice(lineStart(src, stmt.startIndex), stmt.startIndex).trim() !== '') return null;
  if (!stmt.endIndex || stmt.endIndex !== s.lit.endIndex) return null;
  const S = indentAt(src, stmt.startIndex);
  const x = site.name.text;
  const body = s.body;
  const open = body.child(0)!;
  const close = body.child(body.childCount - 1)!;
  if (open.type !== '{' || close.type !== '}') return null;

  // The statement's own trailing comment, after the closing brace.
  const after = src.slice(stmt.endIndex, lineEnd(src, stmt.endIndex));
  let stmtComment: string | null = null;
  let end = stmt.endIndex;
  if (after.trim() !== '') {
    const m = /^([ \t]*)(\/\/.*|\/\*.*\*\/)[ \t]*$/.exec(after);
    if (!m || m[2].startsWith('/*')) return null;
    stmtComment = m[2];
    end = stmt.endIndex + m[1].length + m[2].length;
  }

  const lines: OutLine[] = [];
  const first: OutLine = { code: `${src.slice(stmt.startIndex, site.stmt.type === 'var_declaration' ? fieldValueStart(site) : exprStart(site))}${qual}.DefaultTransport.(*${qual}.Transport).Clone()`, comment: null };
  lines.push(first);
  const items = [...s.elements.map((e) => ({ kind: 'el' as const, node: e.node, e })), ...s.comments.map((c) => ({ kind: 'c' as const, node: c }))].sort(
    (a, b) => a.node.startIndex - b.node.startIndex,
  );
  let prevRow = open.startPosition.row;
  let last: OutLine = first;
  for (const it of items) {
    const row = it.node.startPosition.row;
    if (it.kind === 'c') {
      const c = it.node;
      if (c.startPosition.row !== c.endPosition.row) return null;
      const ownLine = src.slice(lineStart(src, c.startIndex), c.startIndex).trim() === '';
      if (ownLine) {
        if (row > prevRow + 1 && lines.length > 1) lines.push({ raw: '' });
        lines.push({ raw: c.text });
        last = lines[lines.length - 1];
      } else {
        // Trailing: after `{`, or after an element's comma on the same line.
        if (last.raw !== undefined || last.comment || c.text.startsWith('/*')) return null;
        if (last === first && row !== open.startPosition.row) return null;
        last.comment = c.text;
      }
      prevRow = c.endPosition.row;
      continue;
    }
    const e = it.e;
    if (e.node.children.some((ch) => ch?.type === 'comment')) return null;
    const E = indentAt(src, e.node.startIndex);
    if (src.slice(lineStart(src, e.node.startIndex), e.node.startIndex).trim() !== '' && s.body.startPosition.row !== s.body.endPosition.row) return null;
    let value = e.value.text;
    const multiline = e.value.startPosition.row !== e.value.endPosition.row;
    if (multiline) {
      if (e.value.descendantsOfType(['raw_string_literal', 'comment']).some((n) => !!n && n.startPosition.row !== n.endPosition.row)) return null;
      if (e.value.descendantsOfType('comment').some((n) => !!n && n.startPosition.row === e.value.startPosition.row)) return null;
      const parts = value.split('\n');
      for (let i = 1; i < parts.length; i++) {
        const p = parts[i];
        if (p.trim() === '') continue;
        if (!p.startsWith(E)) return null;
        parts[i] = S + p.slice(E.length);
      }
      value = parts.join('\n');
    }
    if (row > prevRow + 1 && lines.length > 1) lines.push({ raw: '' });
    const line: OutLine = { code: `${x}.${e.key} = ${value}`, comment: null, multiline };
    lines.push(line);
    last = line;
    prevRow = (e.comma ?? e.node).endPosition.row;
  }

  // Settings the clone lacks (MaxIdleConnsPerHost) or that the configuration changes.
  let usesTime = false;
  for (const c of conf.all) {
    if (set.has(c.key)) continue;
    if (c.cloneHas) continue;
    const v = c.value(timeName ?? 'time');
    if (c.duration) {
      if (!timeName) return { noFix: 'the name "time" is bound to something else here' };
      usesTime = true;
    }
    lines.push({ code: `${x}.${c.key} = ${v}`, comment: null });
  }
  const tail = lines[lines.length - 1];
  if (stmtComment) {
    if (tail.comment || tail.raw !== undefined) return null;
    tail.comment = stmtComment;
  }
  // Comments on the first or last line would join the alignment of a neighbour's comment.
  if (first.comment && hasTrailingComment(ctx, stmt.startPosition.row - 1)) return null;
  if (tail.comment && hasTrailingComment(ctx, stmt.endPosition.row + 1)) return null;

  // gofmt sections: comment-only and blank lines and multi-line statements break alignment.
  const out: string[] = [];
  let section: OutLine[] = [];
  const flush = () => {
    out.push(...commentedLines(S, section.map((l) => ({ code: l.code!, comment: l.comment }))));
    section = [];
  };
  for (const l of lines) {
    if (l.raw !== undefined) {
      flush();
      out.push(l.raw === '' ? '' : S + l.raw);
    } else if (l.multiline) {
      flush();
      out.push(S + l.code! + (l.comment ? ' ' + l.comment : ''));
    } else section.push(l);
  }
  flush();
  const text = out
    .map((l, i) => (i === 0 ? l.slice(S.length) : l))
    .join(ctx.eol)
    .replace(/\r?\n/g, ctx.eol);
  return { edit: { start: stmt.startIndex, end, text }, usesTime };
}

/** Offset where the value expression starts in `x := expr` / `x = expr`. */
function exprStart(site: AssignSite): number {
  return field(site.stmt, 'right')!.startIndex;
}

function fieldValueStart(site: AssignSite): number {
  return field(site.spec!, 'value')!.startIndex;
}

/** Whether line `row` ends with a comment that follows code. */
function hasTrailingComment(ctx: RuleContext, row: number): boolean {
  if (row < 0) return false;
  const src = ctx.source;
  let start = 0;
  for (let r = 0; r < row; r++) {
    const i = src.indexOf('\n', start);
    if (i < 0) return false;
    start = i + 1;
  }
  const end = lineEnd(src, start);
  const text = src.slice(start, end).trimEnd();
  if (text === '') return false;
  const n = ctx.root.descendantForIndex(start + text.length - 1);
  return !!n && n.type === 'comment' && src.slice(lineStart(src, n.startIndex), n.startIndex).trim() !== '';
}
