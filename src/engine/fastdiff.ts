// Unified diffs in time linear in the file size (issue 16: a 2 MB file with 3,000 fixes
// took minutes, most of it in one Myers diff over the whole file, O(N·D), plus one
// whole-file diff and one whole-file copy per fix).
//
// The texts are cut into windows that hold every difference with a margin of equal lines
// around it; jsdiff runs on each window alone and its hunks are renumbered. Between
// windows the lines are equal and paired one to one, and windows are merged when their
// margins meet, so the hunks are the ones a whole-file diff gives (same context, same
// merging of nearby changes). Windows come either from known edits (a fix's diff: no
// comparison of the rest of the file at all) or from a linear scan that resynchronises
// after each difference on a run of equal lines (a file's diff).
//
// Headers are git's: `--- a/path` / `+++ b/path`, the path C-quoted when it holds control
// characters, `"`, `\` or non-ASCII bytes, and a tab after it when it holds a space (so
// `patch -p1` and `git apply` find the file).
import { createRequire } from 'node:module';
import type { StructuredPatchHunk } from 'diff';
import type { TextEdit } from '../rules/api.js';

/**
 * jsdiff, loaded on first use (its CommonJS build, synchronously): a run whose results all
 * come from the cache renders no diff and pays nothing for it at start-up.
 */
let jsdiffModule: typeof import('diff') | null = null;
export function jsdiff(): typeof import('diff') {
  return (jsdiffModule ??= createRequire(import.meta.url)('diff') as typeof import('diff'));
}

export type Hunk = StructuredPatchHunk;

/** git's quoting of a path in diff headers (core.quotePath): C escapes, octal for other bytes. */
function quotePath(s: string): string {
  if (!/[\x00-\x1f\x7f"\\]|[^\x00-\x7e]/.test(s)) return s;
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x22: '\\"', 0x5c: '\\\\' };
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (esc[b]) out += esc[b];
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** `--- a/path` and `+++ b/path` lines as git writes them. */
export function diffHeaders(path: string): string {
  const tab = path.includes(' ') ? '\t' : '';
  return `--- ${quotePath(`a/${path}`)}${tab}\n+++ ${quotePath(`b/${path}`)}${tab}\n`;
}

/** Hunks as unified-diff text, without file headers; `notes[i]` follows hunk i's `@@` line. */
export function formatHunks(hunks: readonly Hunk[], notes?: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < hunks.length; i++) {
    const h = hunks[i];
    // Unified diff quirk: an empty side names the line before the gap.
    const os = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const ns = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out += `@@ -${os},${h.oldLines} +${ns},${h.newLines} @@${notes?.[i] ?? ''}\n`;
    for (const l of h.lines) out += l + '\n';
  }
  return out;
}

/** The whole unified diff (headers included; '' when the texts are equal). */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  const hunks = diffHunks(before, after, context);
  return hunks.length ? diffHeaders(path) + formatHunks(hunks) : diffHeaders(path);
}

/** A unified diff (git's headers for `path`) from its hunks. */
export function renderDiff(path: string, hunks: readonly Hunk[], notes?: readonly (string | undefined)[]): string {
  return diffHeaders(path) + formatHunks(hunks, notes);
}

/** Offsets where each line starts (a final line without newline included). */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** 0-based index of the line holding `offset`, given the lines' start offsets (binary search). */
export function lineIndexOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const out = text.split(/(?<=\n)/);
  return out;
}

interface Window {
  /** Old lines [o0, o1), new lines [n0, n1). */
  o0: number;
  o1: number;
  n0: number;
  n1: number;
}

/** Lines handed to jsdiff so far (old + new side): tests check the work stays proportional to the changes. */
export const diffWork = { lines: 0 };

/** jsdiff on each window, hunks renumbered to the whole texts. */
function windowsToHunks(
  oldText: (w: Window, i: number) => string,
  newText: (w: Window, i: number) => string,
  windows: readonly Window[],
  context: number,
): Hunk[] {
  const out: Hunk[] = [];
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    diffWork.lines += w.o1 - w.o0 + (w.n1 - w.n0);
    const p = jsdiff().structuredPatch('', '', oldText(w, i), newText(w, i), '', '', { context });
    for (const h of p.hunks) out.push({ ...h, oldStart: h.oldStart + w.o0, newStart: h.newStart + w.n0 });
  }
  return out;
}

/**
 * Hunks between two texts. Each differing block is diffed alone (jsdiff, no context) in a
 * window reaching into the equal lines around it, but never into the next block, so the
 * cost stays linear however dense the changes; the hunks are then assembled with their
 * context the way jsdiff does it (changes at most 2 × context equal lines apart share a hunk).
 */
export function diffHunks(before: string, after: string, context = 3): Hunk[] {
  if (before === after) return [];
  const A = splitLines(before);
  const B = splitLines(after);
  const blocks = differingBlocks(A, B);
  const M = context + 2;
  const changes: Hunk[] = [];
  for (let k = 0; k < blocks.length; k++) {
    const b = blocks[k];
    const prevEnd = k > 0 ? blocks[k - 1].o1 : 0;
    const nextStart = k + 1 < blocks.length ? blocks[k + 1].o0 : A.length;
    const pre = Math.min(M, b.o0 - prevEnd);
    const post = Math.min(M, nextStart - b.o1);
    const w = { o0: b.o0 - pre, o1: b.o1 + post, n0: b.n0 - pre, n1: b.n1 + post };
    changes.push(...windowsToHunks((x) => A.slice(x.o0, x.o1).join(''), (x) => B.slice(x.n0, x.n1).join(''), [w], 0));
  }
  return withContext(A, changes, context);
}

/** Change hunks (no context, in order) grouped and given `context` lines of context. */
function withContext(A: readonly string[], changes: readonly Hunk[], context: number): Hunk[] {
  const out: Hunk[] = [];
  const ctxLine = (i: number, lines: string[]) => {
    const l = A[i];
    if (l.endsWith('\n')) lines.push(' ' + l.slice(0, -1));
    else lines.push(' ' + l, '\\ No newline at end of file');
  };
  let k = 0;
  while (k < changes.length) {
    // 0-based first old/new line of the change (an empty side names the line the gap precedes).
    const first = changes[k];
    const o0 = first.oldStart - 1;
    const lead = Math.min(context, o0);
    const h: Hunk = { oldStart: o0 - lead + 1, oldLines: lead, newStart: first.newStart - 1 - lead + 1, newLines: lead, lines: [] };
    for (let i = o0 - lead; i < o0; i++) ctxLine(i, h.lines);
    let cur = first;
    for (;;) {
      h.lines.push(...cur.lines);
      h.oldLines += cur.oldLines;
      h.newLines += cur.newLines;
      const end = cur.oldStart - 1 + cur.oldLines;
      const next = changes[k + 1];
      if (next && next.oldStart - 1 - end <= 2 * context) {
        for (let i = end; i < next.oldStart - 1; i++) ctxLine(i, h.lines);
        h.oldLines += next.oldStart - 1 - end;
        h.newLines += next.oldStart - 1 - end;
        k++;
        cur = next;
        continue;
      }
      const trail = Math.min(context, A.length - end);
      for (let i = end; i < end + trail; i++) ctxLine(i, h.lines);
      h.oldLines += trail;
      h.newLines += trail;
      k++;
      break;
    }
    // jsdiff's objects: an empty side's start is the line the gap precedes.
    if (h.oldLines === 0) h.oldStart = first.oldStart;
    if (h.newLines === 0) h.newStart = first.newStart;
    out.push(h);
  }
  return out;
}

const SYNC = 3;
const MAX_LOOKAHEAD = 1 << 14;

/**
 * Old/new line ranges that differ, in order; the lines between them are equal and
 * paired one to one. After a difference, the scan looks for the nearest point where
 * SYNC lines agree (or both texts end), in a lookahead that grows as needed; past
 * MAX_LOOKAHEAD lines the rest is one block (jsdiff then sees it whole, as before).
 */
function differingBlocks(A: readonly string[], B: readonly string[]): Window[] {
  const out: Window[] = [];
  let i = 0;
  let j = 0;
  const n = A.length;
  const m = B.length;
  const agree = (x: number, y: number) => {
    for (let k = 0; k < SYNC; k++) {
      const xe = x + k >= n;
      const ye = y + k >= m;
      if (xe || ye) return xe && ye;
      if (A[x + k] !== B[y + k]) return false;
    }
    return true;
  };
  while (i < n || j < m) {
    while (i < n && j < m && A[i] === B[j]) {
      i++;
      j++;
    }
    if (i >= n && j >= m) break;
    let best: [number, number] | null = null;
    for (let L = 32; ; L *= 4) {
      if (L > MAX_LOOKAHEAD) {
        best = [n, m];
        break;
      }
      const at = new Map<string, number[]>();
      for (let y = j; y < Math.min(m, j + L); y++) {
        let list = at.get(B[y]);
        if (!list) at.set(B[y], (list = []));
        list.push(y);
      }
      let bestCost = Infinity;
      for (let x = i; x <= Math.min(n, i + L); x++) {
        if (x - i >= bestCost) break;
        if (x === n) {
          // The old text ends here: sync only if the new one can end too, within reach.
          if (m - j <= L && x - i + (m - j) < bestCost) {
            bestCost = x - i + (m - j);
            best = [n, m];
          }
          break;
        }
        const ys = at.get(A[x]);
        if (!ys) continue;
        for (const y of ys) {
          const cost = x - i + (y - j);
          if (cost >= bestCost) break;
          if ((x > i || y > j) && agree(x, y)) {
            bestCost = cost;
            best = [x, y];
            break;
          }
        }
      }
      if (best) break;
      if (L >= Math.max(n - i, m - j)) {
        best = [n, m];
        break;
      }
    }
    out.push({ o0: i, o1: best[0], n0: j, n1: best[1] });
    i = best[0];
    j = best[1];
  }
  return out;
}

/** Hunks of applying edits to `before`, without looking at the rest of the file. */
export function editHunks(before: string, edits: readonly TextEdit[], context = 3, starts = lineStarts(before)): Hunk[] {
  if (edits.length === 0) return [];
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const lineCount = before === '' ? 0 : starts.length;
  const M = context + 2;
  // Old line windows around each edit, merged when they meet.
  const spans: { o0: number; o1: number; edits: TextEdit[] }[] = [];
  for (const e of sorted) {
    const first = lineIndexOf(starts, e.start);
    const last = e.end > e.start ? lineIndexOf(starts, e.end - 1) : first;
    const o0 = Math.max(0, first - M);
    const o1 = Math.min(lineCount, last + 1 + M);
    const prev = spans[spans.length - 1];
    if (prev && o0 <= prev.o1) {
      prev.o1 = Math.max(prev.o1, o1);
      prev.edits.push(e);
    } else spans.push({ o0, o1, edits: [e] });
  }
  const offsetOf = (line: number) => (line >= lineCount ? before.length : starts[line]);
  const windows: Window[] = [];
  const newTexts: string[] = [];
  let delta = 0;
  for (const s of spans) {
    const S = offsetOf(s.o0);
    const E = offsetOf(s.o1);
    let text = '';
    let at = S;
    for (const e of s.edits) {
      text += before.slice(at, e.start) + e.text;
      at = Math.max(at, e.end);
    }
    text += before.slice(at, E);
    const oldLines = s.o1 - s.o0;
    const newLines = splitLines(text).length;
    windows.push({ o0: s.o0, o1: s.o1, n0: s.o0 + delta, n1: s.o0 + delta + newLines });
    newTexts.push(text);
    delta += newLines - oldLines;
  }
  return windowsToHunks(
    (w) => before.slice(offsetOf(w.o0), offsetOf(w.o1)),
    (_w, i) => newTexts[i],
    windows,
    context,
  );
}
