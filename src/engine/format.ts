// The engine's last stage: Go's own formatter (go/format, compiled to WebAssembly by
// @wasm-fmt/gofmt) on the fixed text of a changed file, limited to the regions the
// fixes touched. gofmt aligns columns over sections of lines (key/value elements,
// trailing comments, specs of a var/const block), so an edit that changes one line's
// length can change the padding of its neighbours; those changes are kept. Every other
// change gofmt would make is a pre-existing formatting issue of the user's file and is
// left alone: a file that was not gofmt-clean stays byte-identical outside the fixes'
// regions, a file that was gofmt-clean comes out gofmt-clean.
//
// The formatter parses before it prints, so it is also the second parser: a text it
// rejects is not Go (the engine drops the file's fixes when the input was accepted).
// Big files are formatted in parts (formatParts), and a fixed file of any size only in the
// parts that hold the fixes: gofmt's memory and time follow the fixes, not the file.
import { readFileSync } from 'node:fs';
import { format as formatWith } from '@wasm-fmt/gofmt/gofmt_binding.js';
import type { TextEdit } from '../rules/api.js';
import { topLevelBreaks } from '../go/lexical.js';
import { jsdiff } from './fastdiff.js';

// The package's default entry compiles the module when imported (~20 ms); most runs change
// few files or none, so it is compiled on the first changed file instead (per worker thread).
// The formatter's WebAssembly memory only grows (formatting a 200 KB file grew it by ~6 MB,
// never given back; repeated calls on a 450 KB file grew it 16, 32, 64, 128 MB): past
// FORMAT_MEMORY_LIMIT the instance is dropped after the call and the next call gets a fresh
// one from the compiled module (instantiating takes ~1 ms; a fresh instance formats a 450 KB
// file in 16 MB, and V8 frees a dropped one's memory promptly). At 48 MB, every call on
// such a file left 64 MB instances behind; at 8 MB each gets a fresh 16 MB one.
const FORMAT_MEMORY_LIMIT = 8 * 1024 * 1024;
let module: WebAssembly.Module | null = null;
let wasm: WebAssembly.Exports | null = null;

/**
 * Texts from this size on are formatted through the gate, when one is set: formatting a
 * 570 KB file takes a fresh instance ~64 MB, twice when the source is formatted too, and
 * every worker thread finishing a huge file at about the same moment added those up (the
 * peak RSS of a package of 300 files of 25k lines was set there).
 */
const BIG_FORMAT = 256 * 1024;

/**
 * What runs a big format (src/run/heap.ts sets it): it may wait for other threads' big
 * formats to end, and reclaims the dropped instance's memory after.
 */
export type FormatGate = <T>(format: () => T) => T;
let gate: FormatGate | null = null;

export function setFormatGate(g: FormatGate | null): void {
  gate = g;
}

/**
 * Drop this thread's formatter instance (the next format makes a fresh one, ~1 ms): called
 * between files, so a worker does not carry the up to FORMAT_MEMORY_LIMIT its parts grew.
 */
export function releaseFormatter(): void {
  wasm = null;
  lastSource = null;
}

function wasmFormat(text: string): string {
  return gate && text.length >= BIG_FORMAT ? gate(() => formatNow(text)) : formatNow(text);
}

function formatNow(text: string): string {
  if (!wasm) {
    module ??= new WebAssembly.Module(readFileSync(new URL(import.meta.resolve('@wasm-fmt/gofmt/wasm'))));
    const exports = new WebAssembly.Instance(module).exports;
    (exports._initialize as () => void)();
    wasm = exports;
  }
  try {
    return formatWith(wasm, text);
  } catch (e) {
    // The formatter's stack is small: a chain of ~100 operands (`"..." + "..." + ...`, a
    // long union) traps ("memory access out of bounds"), a far longer one overflows the
    // JavaScript stack. A trap leaves the instance broken for every later call.
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      wasm = null;
      throw new FormatterCrash(e.message);
    }
    throw e;
  } finally {
    if (wasm && (wasm.memory as WebAssembly.Memory).buffer.byteLength > FORMAT_MEMORY_LIMIT) wasm = null;
  }
}

/** The formatter itself failed: says nothing about whether Go accepts the text. */
class FormatterCrash extends Error {}

/** crashed: the formatter failed (a trap), not Go's parser: the text may well be Go. */
type GoFormatResult = { ok: true; text: string } | { ok: false; error: string; crashed: boolean };

/**
 * go/format.Source on text (a BOM and CR line endings are removed first: gofmt writes
 * neither). With `lines`, only the parts of the file (formatParts) holding or next to
 * those line indices need be formatted: the others may come back as they are.
 */
export function goFormat(text: string, lines?: ReadonlySet<number>): GoFormatResult {
  const lf = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n/g, '\n');
  try {
    return { ok: true, text: formatParts(lf, lines ?? null) };
  } catch (e) {
    return { ok: false, error: (e instanceof Error ? e.message : String(e)).split('\n')[0], crashed: e instanceof FormatterCrash };
  }
}

/**
 * Texts longer than this are formatted in parts of about this size (a fixed text of any
 * size, only in its parts near the fixes). gofmt's memory grows with the text it formats
 * (a fresh instance takes ~64 MB for a 570 KB file), and the fixes of a file usually lie
 * in a few of its declarations. GOPITFIX_FORMAT_PART sets it (internal: the fifth round's
 * corpus check ran every fix through small parts with it).
 */
const PART = Number(process.env.GOPITFIX_FORMAT_PART) || 64 * 1024;
const PART_HEADER = 'package p\n\n';

/**
 * gofmt's output for LF text, formatted in parts cut at topLevelBreaks: the first part as
 * it is (it holds the package clause and the imports), the others behind a package
 * clause of their own. Every part formats as it would inside the whole file, so with
 * every part formatted the output is the whole file's (test/format-parts.test.ts checks it
 * over the standard library). With `want`, a part none of whose lines, nor the blank lines
 * around it, is in `want` is left as it is. Any part that Go rejects alone (a declaration
 * cut by a blank line, `var x =` then `1`) sends the whole text through gofmt, which also
 * gives the real error.
 */
export function formatParts(lf: string, want: ReadonlySet<number> | null, part = PART): string {
  // With `want`, a text of any size is cut: a fix's own diff then formats the declarations
  // around the fix, not the whole file, once per fix.
  const breaks = want || lf.length > part ? topLevelBreaks(lf) : null;
  if (!breaks || breaks.length === 0) return wasmFormat(lf);
  // Part k spans [starts[k], ends[k]): from the line after a break to the break's empty line.
  const starts = [0, ...breaks.map((b) => b + 1)];
  const ends = [...breaks, lf.length];
  // Line indices of each part's first and last line (offsets only grow: one pass).
  let line = 0;
  let pos = 0;
  const lineAt = (offset: number) => {
    for (let i = lf.indexOf('\n', pos); i >= 0 && i < offset; i = lf.indexOf('\n', i + 1)) line++;
    pos = offset;
    return line;
  };
  const first: number[] = [];
  const last: number[] = [];
  for (let k = 0; k < starts.length; k++) {
    first.push(lineAt(starts[k]));
    last.push(lineAt(ends[k] - 1));
  }
  // A wanted line marks its part, and a blank line between two parts marks both.
  const marked = new Uint8Array(starts.length).fill(want ? 0 : 1);
  for (const l of want ?? []) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first[mid] - 1 <= l) lo = mid;
      else hi = mid - 1;
    }
    for (const k of [lo - 1, lo]) if (k >= 0 && l >= first[k] - 1 && l <= last[k] + 1) marked[k] = 1;
  }
  let out = '';
  try {
    for (let i = 0; i < starts.length; ) {
      // Neighbouring parts of the same kind go together: wanted ones up to `part` characters.
      const w = marked[i];
      let j = i;
      while (j + 1 < starts.length && marked[j + 1] === w && (!w || ends[j + 1] - starts[i] <= part)) j++;
      const text = lf.slice(starts[i], ends[j]);
      if (!w) out += text;
      else if (i === 0) out += wasmFormat(text);
      else {
        const f = wasmFormat(PART_HEADER + text);
        if (!f.startsWith(PART_HEADER)) return wasmFormat(lf);
        out += f.slice(PART_HEADER.length);
      }
      if (j + 1 < starts.length) out += '\n';
      i = j + 1;
    }
  } catch (e) {
    // The whole text would trap the formatter too: it holds the part that did.
    if (e instanceof FormatterCrash) throw e;
    return wasmFormat(lf);
  }
  return out;
}

/**
 * A text's lines (without the terminator, \r\n or \n, and without a BOM on the first line;
 * the last one is '' when the text ends with a newline), as offsets: a line's content is
 * sliced only when read. Each fix's own diff is formatted on the whole file but changes
 * only the lines near it: materialising every line for every fix made a big file's
 * formatting cost grow with fixes x lines.
 */
class Lines {
  /** Offset of each line's first character. */
  private readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [text.startsWith('\uFEFF') ? 1 : 0];
    for (let nl = text.indexOf('\n', starts[0]); nl >= 0; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
    this.starts = starts;
  }
  get length(): number {
    return this.starts.length;
  }
  start(i: number): number {
    return this.starts[i];
  }
  /** Offset just past line i's content (before \r\n or \n). */
  end(i: number): number {
    if (i + 1 === this.starts.length) return this.text.length;
    const stop = this.starts[i + 1] - 1;
    return stop > this.starts[i] && this.text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
  }
  line(i: number): string {
    linesRead++;
    return this.text.slice(this.starts[i], this.end(i));
  }
  slice(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(this.line(i));
    return out;
  }
  /** Index of the line holding offset. */
  index(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** How many lines, from the last, start past offset with their preceding newline at or after it. */
  after(offset: number): number {
    let lo = 1;
    let hi = this.starts.length;
    // The first line index k >= 1 with starts[k] - 1 >= offset.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] - 1 >= offset) hi = mid;
      else lo = mid + 1;
    }
    return this.starts.length - lo;
  }
}

let linesRead = 0;

/**
 * Lines of text the formatting stage has cut out in this thread so far: tests read from it
 * that a fix's own diff reads the lines near the fix, not the whole file (a count, where a
 * time would depend on the machine).
 */
export function formatLinesRead(): number {
  return linesRead;
}

/** Length of the longest common prefix of a and b (compared in chunks: a char loop over a big file per fix cost more). */
function commonPrefix(a: string, b: string, limit: number): number {
  let i = 0;
  for (const step of [65536, 4096, 256, 16, 1]) {
    while (i + step <= limit && a.slice(i, i + step) === b.slice(i, i + step)) i += step;
  }
  return i;
}

/** Length of the longest common suffix of a and b, at most limit. */
function commonSuffix(a: string, b: string, limit: number): number {
  let i = 0;
  for (const step of [65536, 4096, 256, 16, 1]) {
    while (i + step <= limit && a.slice(a.length - i - step, a.length - i) === b.slice(b.length - i - step, b.length - i)) i += step;
  }
  return i;
}

const indentOf = (s: string) => /^[ \t]*/.exec(s)![0];
const leading = (s: string) => /^\s*/.exec(s)![0];
const trailing = (s: string) => /\s*$/.exec(s)![0];
const squash = (s: string) => s.replace(/\s+/g, '');
const blank = (s: string) => s.trim() === '';

/**
 * Lines gofmt may re-align because of the touched ones: for each touched line, the
 * lines at the same indentation above and below it, up to a blank line or a line with
 * less indentation (lines with more indentation, e.g. the inside of a multi-line element,
 * are passed over without being included). That covers gofmt's alignment sections:
 * consecutive key/value elements, trailing-comment columns, the specs of a block.
 */
export function alignmentRegion(text: readonly string[] | Lines, touched: ReadonlySet<number>): Set<number> {
  const lines = Array.isArray(text) ? null : (text as Lines);
  const n = text.length;
  const at = lines ? (i: number) => lines.line(i) : (i: number) => (text as readonly string[])[i];
  const out = new Set(touched);
  for (const t of touched) {
    if (t >= n || blank(at(t))) continue;
    const ind = indentOf(at(t));
    for (const step of [-1, 1]) {
      for (let j = t + step; j >= 0 && j < n; j += step) {
        const l = at(j);
        if (blank(l)) break;
        const li = indentOf(l);
        if (li === ind) out.add(j);
        else if (!(li.length > ind.length && li.startsWith(ind))) break;
      }
    }
  }
  return out;
}

interface Hunk {
  /** First old line index. */
  at: number;
  old: string[];
  new: string[];
}

/**
 * gofmt's changes as hunks. Lines are paired by their text without whitespace (gofmt
 * mostly changes spacing), so a file whose every line gofmt would touch (trailing blanks,
 * spaces for tabs) still pairs each line with its own formatted form: such pairs are 1:1
 * hunks; lines gofmt adds, removes, joins or rewrites form the other hunks.
 *
 * `a` and `b` may be windows of the two texts, from line `at` on, with identical lines
 * before and after: the hunks are then the whole texts' ones, unless the common start
 * runs to the end of the shorter window (the whole texts' could run on into the lines
 * after it and pair them otherwise; windows of one length pair those lines with
 * themselves): null then, when `cut` says lines follow.
 */
function hunks(a: string[], b: string[], at = 0, cut = false): Hunk[] | null {
  const ka = a.map(squash);
  const kb = b.map(squash);
  const out: Hunk[] = [];
  const pairs = (i: number, j: number, n: number) => {
    for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) out.push({ at: at + i + k, old: [a[i + k]], new: [b[j + k]] });
  };
  // gofmt on a file that is mostly formatted changes few lines: trim the common ends first.
  let p = 0;
  while (p < a.length && p < b.length && ka[p] === kb[p]) p++;
  if (cut && a.length !== b.length && (p === a.length || p === b.length)) return null;
  let s = 0;
  while (s < a.length - p && s < b.length - p && ka[a.length - 1 - s] === kb[b.length - 1 - s]) s++;
  pairs(0, 0, p);
  let i = p;
  let j = p;
  let cur: Hunk | null = null;
  for (const c of jsdiff().diffArrays(ka.slice(p, a.length - s), kb.slice(p, b.length - s))) {
    const n = c.value.length;
    if (!c.added && !c.removed) {
      if (cur) out.push(cur);
      cur = null;
      pairs(i, j, n);
      i += n;
      j += n;
      continue;
    }
    cur ??= { at: at + i, old: [], new: [] };
    if (c.removed) {
      cur.old.push(...a.slice(i, i + n));
      i += n;
    } else {
      cur.new.push(...b.slice(j, j + n));
      j += n;
    }
  }
  if (cur) out.push(cur);
  pairs(a.length - s, b.length - s, s);
  return out;
}

/**
 * hunks() of `lines` against `formatted`, read only between the two texts' common start
 * and end: the formatter leaves most of a big file as it is (formatParts), and a fix's own
 * diff is formatted once per fix.
 */
function changedHunks(lines: Lines, formatted: string, whole = false): Hunk[] {
  const text = lines.text;
  if (text === formatted) return [];
  // A text with a carriage return is read whole: its lines lose a \r that gofmt's keep.
  if (!whole && !text.includes('\r')) {
    const limit = Math.min(text.length, formatted.length);
    const head = commonPrefix(text, formatted, limit);
    const tail = commonSuffix(text, formatted, limit - head);
    // Lines wholly inside the common start (newline included) and end are the same in
    // both; the window between holds at least one line of each (the ends never overlap).
    const before = lines.index(head);
    const after = lines.after(text.length - tail);
    const fFrom = before === 0 ? 0 : lines.start(before);
    const last = lines.length - after;
    const to = after === 0 ? text.length : lines.start(last) - 1;
    const fTo = formatted.length - (text.length - to);
    const fLines = formatted.slice(fFrom, fTo).split('\n');
    linesRead += fLines.length;
    const windowed = hunks(lines.slice(before, last), fLines, before, after > 0);
    if (windowed) return windowed;
  }
  const fLines = formatted.split('\n');
  linesRead += fLines.length;
  return hunks(lines.slice(0, lines.length), fLines)!;
}

/** For tests: hunks() of text against its formatted form, read in a window or whole. */
export function formatHunks(text: string, formatted: string, whole: boolean): Hunk[] {
  return changedHunks(new Lines(text), formatted, whole);
}

interface RegionFormat {
  /** The formatted text (=== text when nothing in the regions changes). */
  text: string;
  /** The changes as edits against the input text, sorted. */
  edits: TextEdit[];
  /** Whether the original source had to be formatted too (pre-existing issues near the fixes). */
  formattedSource: boolean;
}

interface RegionOptions {
  /** The fixed text. */
  text: string;
  /** Its gofmt'ed form (goFormat(text)). */
  formatted: string;
  /** Line indices of text whose content the fixes changed: they get gofmt's full form. */
  touched: ReadonlySet<number>;
  /** Lines next to the fixes' edits (an inserted line's neighbours): they anchor alignment sections too. */
  near?: ReadonlySet<number>;
  /**
   * The text before the fixes, and how an untouched line of `text` maps to its line in it
   * (by offset): used to tell a formatting change the fixes caused from one the file
   * already needed, for changes outside the alignment region.
   */
  source: string;
  toSource(offset: number): number;
}

/**
 * Keep gofmt's changes of `text` that lie on touched lines or in their alignment region,
 * and outside it those the fixes caused (the same line was gofmt-clean in the source);
 * drop the rest. Line endings: a replaced line keeps its own; new lines get the file's.
 */
export function formatRegions(o: RegionOptions): RegionFormat {
  return regionsOf(new Lines(o.text), o);
}

function regionsOf(lines: Lines, o: RegionOptions): RegionFormat {
  const hs = changedHunks(lines, o.formatted);
  if (hs.length === 0) return { text: o.text, edits: [], formattedSource: false };
  const region = alignmentRegion(lines, new Set([...o.touched, ...(o.near ?? [])]));
  const eol = o.text.includes('\r\n') ? '\r\n' : '\n';

  // Per old line: its replacement (1:1), or per hunk when the line count changes. In the
  // fixes' own lines and their sections every change of spacing is kept; a change of the
  // code itself (gofmt also sorts and de-duplicates imports, rewrites comments) only when the
  // whole source was gofmt-clean (below), since the fixed lines may hold the user's own code.
  type Pending = { at: number; count: number; lines: string[] };
  const keep: Pending[] = [];
  const doubtful: Pending[] = [];
  // Lines where gofmt would also change the indentation or trailing blanks: from a clean
  // source that is the fixes' doing (take gofmt's line), else the user's (keep theirs).
  const edges: { at: number; full: string; own: string }[] = [];
  for (const h of hs) {
    if (h.old.length === h.new.length) {
      h.old.forEach((line, k) => {
        const at = h.at + k;
        const n = h.new[k];
        const spacing = squash(line) === squash(n);
        if (spacing && line.trim() !== '' && (o.touched.has(at) || region.has(at))) {
          const own = leading(line) + n.trim() + trailing(line);
          if (own === n) keep.push({ at, count: 1, lines: [n] });
          else edges.push({ at, full: n, own });
        } else if (spacing && o.touched.has(at)) keep.push({ at, count: 1, lines: [n] });
        else doubtful.push({ at, count: 1, lines: [n] });
      });
    } else {
      const span = h.old.length ? h.old.map((_, k) => h.at + k) : [h.at - 1, h.at];
      const item = { at: h.at, count: h.old.length, lines: h.new };
      const spacing = squash(h.old.join('')) === squash(h.new.join(''));
      (spacing && span.some((k) => o.touched.has(k)) ? keep : doubtful).push(item);
    }
  }

  let formattedSource = false;
  if (doubtful.length || edges.length) {
    // When the source was gofmt-clean, every change is the fixes' doing (a section wider
    // than alignmentRegion's guess, a generated line's indentation): keep them all, the file
    // stays clean. Otherwise keep only padding inside lines, and outside the region only on
    // a line whose source line, and the lines around it, gofmt left alone; the file's own
    // formatting issues are not ours to fix.
    formattedSource = true;
    const src = sourceState(o.source);
    if (src.clean) {
      keep.push(...doubtful);
      for (const e of edges) keep.push({ at: e.at, count: 1, lines: [e.full] });
    } else {
      for (const e of edges) if (e.own !== lines.line(e.at)) keep.push({ at: e.at, count: 1, lines: [e.own] });
      if (src.dirty) {
        for (const d of doubtful) {
          const line = lines.line(d.at);
          if (d.count !== 1 || d.lines.length !== 1 || squash(line) !== squash(d.lines[0])) continue;
          const s = src.lines.index(o.toSource(lines.start(d.at)));
          if (src.lines.line(s) === line && !src.dirty.has(s)) keep.push(d);
        }
      }
    }
  }
  if (keep.length === 0) return { text: o.text, edits: [], formattedSource };

  // Insertions before a line come before that line's own replacement.
  keep.sort((a, b) => a.at - b.at || a.count - b.count);
  const edits: TextEdit[] = [];
  for (const k of keep) {
    let start: number;
    let end: number;
    let text: string;
    if (k.count > 0 && k.lines.length === 0) {
      // Lines removed (a blank line gofmt drops): their line terminators go too.
      const last = k.at + k.count - 1;
      if (last + 1 < lines.length) {
        start = lines.start(k.at);
        end = lines.start(last + 1);
      } else {
        start = k.at > 0 ? lines.end(k.at - 1) : lines.start(k.at);
        end = o.text.length;
      }
      text = '';
    } else if (k.count > 0) {
      start = lines.start(k.at);
      end = lines.end(k.at + k.count - 1);
      text = k.lines.join(eol);
    } else if (k.at < lines.length) {
      // Pure insertion before line k.at.
      start = end = lines.start(k.at);
      text = k.lines.map((l) => l + eol).join('');
    } else {
      start = end = o.text.length;
      text = k.lines.map((l) => eol + l).join('');
    }
    edits.push({ start, end, text });
  }
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += o.text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  out += o.text.slice(pos);
  return { text: out, edits, formattedSource };
}

interface SourceState {
  source: string;
  lines: Lines;
  /** gofmt changes nothing in the source. */
  clean: boolean;
  /** Lines gofmt changes in the source, and their neighbours (null: gofmt rejects it). */
  dirty: Set<number> | null;
}

/** The last source asked about: every fix of a pass asks about the same one (its own diff's formatting). */
let lastSource: SourceState | null = null;

/** What gofmt would change in the source before the fixes. */
function sourceState(source: string): SourceState {
  if (lastSource?.source === source) return lastSource;
  const lines = new Lines(source);
  const src = goFormat(source);
  const hs = src.ok ? changedHunks(lines, src.text) : null;
  let dirty: Set<number> | null = null;
  if (hs) {
    dirty = new Set();
    for (const h of hs) for (let k = h.at - 1; k <= h.at + Math.max(h.old.length, 1); k++) dirty.add(k);
  }
  const state = { source, lines, clean: !!hs && hs.length === 0, dirty };
  // A crash of the formatter is not kept: the next call gets a fresh instance.
  if (src.ok || !src.crashed) lastSource = state;
  return state;
}

type FixedFormat = { ok: true; text: string; edits: TextEdit[]; sourceFormatted: boolean } | { ok: false; error: string; crashed: boolean };

/**
 * The engine's formatting stage for one fixed text: `written` are the ranges of `text` the
 * fixes wrote (carried through every pass), `toSource` maps an offset of `text` to
 * `source`. Lines whose content a fix wrote or cut into get gofmt's full form; they and the
 * lines at the edges of the edits (an inserted line's neighbour, the line after a deleted
 * one) anchor the alignment sections. Fails with the parser's error when Go rejects `text`.
 */
export function formatFixed(source: string, text: string, written: readonly TextEdit[], toSource: (offset: number) => number): FixedFormat {
  const lines = new Lines(text);
  const touched = new Set<number>();
  const near = new Set<number>();
  for (const r of written) {
    const a = lines.index(r.start);
    const b = lines.index(Math.max(r.start, r.end - 1));
    for (let i = a; i <= b; i++) {
      near.add(i);
      const start = lines.start(i);
      const end = lines.end(i);
      if (r.start === r.end ? start < r.start && r.start < end : Math.max(r.start, start) < Math.min(r.end, end)) touched.add(i);
    }
    if (r.start === r.end && r.start > 0) near.add(lines.index(r.start - 1));
  }
  const fmt = goFormat(text, near);
  if (!fmt.ok) return fmt;
  const rf = regionsOf(lines, { text, formatted: fmt.text, touched, near, source, toSource });
  return { ok: true, text: rf.text, edits: rf.edits, sourceFormatted: rf.formattedSource };
}
