// Which rules made each hunk of a file's diff: the text dry run appends `# rule-a, rule-b`
// to each `@@ ... @@` line, so a reviewer knows why a hunk is there (git apply and
// patch(1) ignore text after the closing `@@`, where git puts the function name).
//
// Positions are compared as line *boundaries* in the original source: boundary k is
// the point just before line k, so replacing lines a..b covers [a, b+1] and inserting
// before line k covers [k, k]. A hunk with old lines [a, a+n) covers [a, a+n] (n > 0) or,
// for a pure insertion before line a, [a, a]. Everything is read from structured hunks
// and edits; no diff text is parsed.
import { diffHunks, lineIndexOf, type Hunk } from '../engine/fastdiff.js';
import type { Finding, FindingFix } from '../engine/api.js';
import { lineStarts } from '../util/text.js';

type Span = [number, number];

/** For each of `hunks` (the file's change, against `source`), the rules whose fixes changed lines in it. */
export function hunkRules(fileHunks: readonly Hunk[], source: string, findings: readonly Finding[]): string[][] {
  const hunks = fileHunks.map((h) => ({ span: (h.oldLines > 0 ? [h.oldStart, h.oldStart + h.oldLines] : [h.oldStart, h.oldStart]) as Span, rules: [] as string[] }));
  if (hunks.length === 0) return [];

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
  // hunks, mapped back to the original's lines. Only when needed, as it costs a diff.
  const mappers = new Map<string, (s: Span) => Span>();
  const viaHunks = (f: Finding & { fix: FindingFix }, onlyEmpty: boolean) => {
    let map = mappers.get(f.fix.baseline);
    if (!map) mappers.set(f.fix.baseline, (map = f.fix.baseline === source ? (s) => s : spanMapper(source, f.fix.baseline)));
    attribute(f.rule, changedSpans(f.fix.hunks).map(map), onlyEmpty);
  };
  for (const f of fixed) if (f.fix.pass > 1) viaHunks(f, false);
  if (hunks.some((h) => h.rules.length === 0)) for (const f of fixed) if (f.fix.pass === 1) viaHunks(f, true);

  return hunks.map((h) => h.rules);
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

/** The changed (not context) regions of a fix's hunks, as boundary spans of their old side. */
export function changedSpans(hunks: readonly Hunk[]): Span[] {
  const out: Span[] = [];
  let runStart = -1;
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0) out.push([runStart, runEnd]);
    runStart = -1;
  };
  for (const h of hunks) {
    flush();
    let old = h.oldStart;
    for (const line of h.lines) {
      const kind = line[0];
      if (kind === '-') {
        if (runStart < 0) runStart = old;
        old++;
        runEnd = old;
      } else if (kind === '+') {
        if (runStart < 0) runStart = runEnd = old;
      } else if (kind === ' ') {
        flush();
        old++;
      }
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
