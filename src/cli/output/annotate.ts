// Hunk annotation for dry-run patches: each `@@ ... @@` line of a file's diff gets a
// trailing `# rule-a, rule-b` naming the rules whose fixes changed lines in that hunk,
// so a reviewer knows why a hunk is there. git apply and patch(1) ignore text after
// the closing `@@` (git puts the function name there), so the patch still applies.
//
// Positions are compared as line *boundaries* in the original source: boundary k is
// the point just before line k, so replacing lines a..b covers [a, b+1] and inserting
// before line k covers [k, k]. A hunk with old range `-a,n` covers [a, a+n] (n > 0) or,
// for a pure insertion after line a, [a+1, a+1].
import { diffHunks, lineIndexOf } from '../../engine/fastdiff.js';
import type { Finding, FindingFix } from '../../engine/api.js';

type Span = [number, number];

/** Append `# rules` to the hunk headers of `patch` (a diff of `source` against the engine's output). */
export function annotateHunks(patch: string, source: string, findings: readonly Finding[]): string {
  const lines = patch.split('\n');
  const hunks: { index: number; span: Span; rules: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(lines[i]);
    if (!m) continue;
    const a = Number(m[1]);
    const n = m[2] === undefined ? 1 : Number(m[2]);
    hunks.push({ index: i, span: n > 0 ? [a, a + n] : [a + 1, a + 1], rules: [] });
  }
  if (hunks.length === 0) return patch;

  const fixed = findings.filter((f): f is Finding & { fix: FindingFix } => f.fix !== null);
  const starts = lineStarts(source);
  // Hunks are in order and do not overlap: each span finds its hunks by binary search, so
  // a file with thousands of fixes and hunks costs fixes × log(hunks), not fixes × hunks.
  const attribute = (rule: string, spans: Span[], onlyEmpty: boolean) => {
    for (const s of spans) {
      let lo = 0;
      let hi = hunks.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (hunks[mid].span[1] < s[0]) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < hunks.length && hunks[i].span[0] <= s[1]; i++) {
        const h = hunks[i];
        if (onlyEmpty && h.rules.length) continue;
        if (h.span[1] >= s[0] && !h.rules.includes(rule)) h.rules.push(rule);
      }
    }
  };
  // Fast path: a first-pass fix's edits are offsets into the original source.
  for (const f of fixed) {
    if (f.fix.pass === 1) attribute(f.rule, f.fix.edits.map((e) => editSpan(starts, e.start, e.end)), false);
  }
  // Later-pass fixes were computed on an intermediate text, and the import declaration
  // a fix needs is added by the engine outside fix.edits: read those from the fix's own
  // diff, mapped back to the original's lines. Only when needed, as it costs a diff.
  const mappers = new Map<string, (s: Span) => Span>();
  const viaDiff = (f: Finding & { fix: FindingFix }, onlyEmpty: boolean) => {
    let map = mappers.get(f.fix.baseline);
    if (!map) mappers.set(f.fix.baseline, (map = f.fix.baseline === source ? (s) => s : spanMapper(source, f.fix.baseline)));
    attribute(f.rule, changedSpans(f.fix.diff).map(map), onlyEmpty);
  };
  for (const f of fixed) if (f.fix.pass > 1) viaDiff(f, false);
  if (hunks.some((h) => h.rules.length === 0)) for (const f of fixed) if (f.fix.pass === 1) viaDiff(f, true);

  for (const h of hunks) if (h.rules.length) lines[h.index] += ` # ${h.rules.join(', ')}`;
  return lines.join('\n');
}

function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** 1-based line containing offset. */
function lineOf(starts: number[], offset: number): number {
  return lineIndexOf(starts, offset) + 1;
}

function editSpan(starts: number[], start: number, end: number): Span {
  const first = lineOf(starts, start);
  if (start === end) return starts[first - 1] === start ? [first, first] : [first, first + 1];
  return [first, lineOf(starts, end - 1) + 1];
}

/** The changed (not context) regions of a unified diff, as boundary spans of its old side. */
export function changedSpans(patch: string): Span[] {
  const out: Span[] = [];
  let old = 0;
  let runStart = -1;
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0) out.push([runStart, runEnd]);
    runStart = -1;
  };
  for (const line of patch.split('\n')) {
    const m = /^@@ -(\d+)(?:,(\d+))? /.exec(line);
    if (m) {
      flush();
      old = m[2] === '0' ? Number(m[1]) + 1 : Number(m[1]);
      continue;
    }
    if (line.startsWith('---') || line.startsWith('+++')) continue;
    if (line.startsWith('-')) {
      if (runStart < 0) runStart = old;
      old++;
      runEnd = old;
    } else if (line.startsWith('+')) {
      if (runStart < 0) runStart = runEnd = old;
    } else if (line.startsWith(' ')) {
      flush();
      old++;
    }
  }
  flush();
  return out;
}

/** Maps boundary spans of `after` to those of `before`; a span inside a changed region maps to that region. */
function spanMapper(before: string, after: string): (s: Span) => Span {
  const regions = diffHunks(before, after, 0).map((h) => {
    // In structuredPatch's objects (unlike the text headers) an empty side's start is
    // already the line the gap precedes.
    const o = h.oldStart;
    const n = h.newStart;
    return { old: [o, o + h.oldLines] as Span, neu: [n, n + h.newLines] as Span };
  });
  const point = (x: number, low: boolean): number => {
    let delta = 0;
    for (const r of regions) {
      if (x < r.neu[0]) break;
      if (x <= r.neu[1]) return low ? r.old[0] : r.old[1];
      delta = r.old[1] - r.neu[1];
    }
    return x + delta;
  };
  return (s) => [point(s[0], true), point(s[1], false)];
}
