// A file's words without its text: the package loader keeps, for a sibling asked about
// more than a few names (or whose text it drops), a sorted array of 32-bit hashes of the distinct words in it (runs of ASCII letters, digits and
// underscores, read from the raw text: comments and literals included), about 4 bytes per
// distinct word instead of the whole text. "May the file mention this name?" is then
// answered before the text is read: no means the text cannot hold the name as a whole
// word (as `mentions` matches it), yes means it may (a hash can collide). A package of
// 300 files of 25k lines is 172 MB of text, more than a worker's heap; its index is a few
// hundred KB.

import { createHash } from 'node:crypto';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** An ASCII letter, digit or `_`: what a word is made of here, and in `mentions`. */
export const isWordCode = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/**
 * The sorted distinct hashes of a text's words, in one pass over its characters (what
 * WordQuestions looks names up in). A text repeats its words many
 * times over (a 570 KB file holds ~100k words, ~2.6k distinct): they are deduplicated as
 * they come, in an open-addressing table (0 marks a free slot, so a hash of 0 is kept aside).
 */
export function wordsOf(text: string): Uint32Array {
  let table = new Uint32Array(4096);
  let mask = table.length - 1;
  let size = 0;
  let zero = false;
  let word = FNV_OFFSET;
  let inWord = false;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    if (isWordCode(c)) {
      word = Math.imul(word ^ c, FNV_PRIME);
      inWord = true;
      continue;
    }
    if (!inWord) continue;
    const v = word >>> 0;
    word = FNV_OFFSET;
    inWord = false;
    if (v === 0) {
      zero = true;
      continue;
    }
    let j = (Math.imul(v, 0x9e3779b1) >>> 0) & mask;
    while (table[j] !== 0 && table[j] !== v) j = (j + 1) & mask;
    if (table[j] === v) continue;
    table[j] = v;
    if (++size * 2 <= table.length) continue;
    const old = table;
    table = new Uint32Array(old.length * 2);
    mask = table.length - 1;
    for (const u of old) {
      if (u === 0) continue;
      let k = (Math.imul(u, 0x9e3779b1) >>> 0) & mask;
      while (table[k] !== 0) k = (k + 1) & mask;
      table[k] = u;
    }
  }
  const words = new Uint32Array(size + (zero ? 1 : 0));
  let d = 0;
  if (zero) words[d++] = 0;
  for (const u of table) if (u !== 0) words[d++] = u;
  return words.sort();
}

/**
 * Whether `name` occurs in the text as a whole word (not inside a longer identifier): a
 * text without it cannot declare it. A plain substring test let `Server` in
 * `ServerConfig` make a rule parse sibling after sibling of a large package.
 */
export function mentions(source: string, name: string): boolean {
  if (!source.includes(name)) return false;
  let re = wordRes.get(name);
  if (!re) {
    if (wordRes.size > 1000) wordRes.clear();
    re = new RegExp(`(?:^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}(?![A-Za-z0-9_])`);
    wordRes.set(name, re);
  }
  return re.test(source);
}

const wordRes = new Map<string, RegExp>();

/**
 * Questions a text answers by a scan each before its word index is built: a scan of the
 * text (`includes`, then a regular expression when the name is there) costs a fraction of
 * indexing it, and most texts are asked about a few names (on the Go standard library,
 * indexing every sibling of every package read was 6 % of a cold run's CPU); a text asked
 * about many (every struct type of a big package) gets its index.
 */
const SCANS_BEFORE_INDEX = 8;

/**
 * "May the text hold this word?" for a text that may leave memory: scans of the text while
 * it is at hand, for the first SCANS_BEFORE_INDEX questions, then its word index. A scan
 * answers exactly, the index may say yes wrongly (rarely; never no wrongly): callers look
 * at the text or tree after a yes either way.
 */
export class WordQuestions {
  private words: Uint32Array | null = null;
  private scans = 0;

  /**
   * `kept`: the text if it is in memory now, without reading it; `read`: the text, read
   * again if need be (only when there is no index yet and the text was dropped).
   */
  constructor(
    private readonly kept: () => string | undefined,
    private readonly read: () => string,
  ) {}

  may(word: string): boolean {
    if (!this.words) {
      const text = this.kept();
      if (text !== undefined && this.scans < SCANS_BEFORE_INDEX) {
        this.scans++;
        return mentions(text, word);
      }
      this.words = wordsOf(text ?? this.read());
    }
    return mayHoldWord(this.words, word);
  }

  /** The text is leaving memory: index it now, so that no later question reads it again. */
  dropping(text: string): void {
    this.words ??= wordsOf(text);
  }
}

/** A hash of the whole text (with its length, what tells a changed file from the one read first). */
export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * Whether the indexed text may hold `name` as a whole word. A name with a character
 * outside the indexed ones (a Unicode letter) cannot be looked up: the answer is yes.
 */
function mayHoldWord(w: Uint32Array, name: string): boolean {
  if (name.length === 0) return true;
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isWordCode(c)) return true;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  h >>>= 0;
  let lo = 0;
  let hi = w.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = w[mid];
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
