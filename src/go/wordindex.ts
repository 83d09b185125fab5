// A file's words without its text: the package loader keeps, for each sibling, a sorted
// array of 32-bit hashes of the distinct words in it (runs of ASCII letters, digits and
// underscores, read from the raw text: comments and literals included), about 4 bytes per
// distinct word instead of the whole text. "May the file mention this name?" is then
// answered before the text is read: no means the text cannot hold the name as a whole
// word (as `mentions` matches it), yes means it may (a hash can collide). A package of
// 300 files of 25k lines is 172 MB of text, more than a worker's heap; its index is a few
// hundred KB.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const isWordCode = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

export interface WordIndex {
  /** Sorted distinct hashes of the text's words. */
  readonly words: Uint32Array;
  /** A hash of the whole text (with its length, what tells a changed file from the one indexed). */
  readonly hash: number;
  readonly length: number;
}

/** The index of a text: one pass over its characters. */
export function indexWords(text: string): WordIndex {
  let buf: Uint32Array = new Uint32Array(Math.min(1 << 16, (text.length >> 1) + 1));
  let n = 0;
  let whole = FNV_OFFSET;
  let word = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    whole = Math.imul(whole ^ c, FNV_PRIME);
    if (isWordCode(c)) {
      word = Math.imul(word ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      if (n === buf.length) buf = grow(buf);
      buf[n++] = word;
      word = FNV_OFFSET;
      inWord = false;
    }
  }
  if (inWord) {
    if (n === buf.length) buf = grow(buf);
    buf[n++] = word;
  }
  const sorted = buf.subarray(0, n).sort();
  let d = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[d++] = sorted[i];
  // A copy of its own size: the scratch buffer may be many times larger.
  return { words: sorted.slice(0, d), hash: whole >>> 0, length: text.length };
}

function grow(buf: Uint32Array): Uint32Array {
  const next = new Uint32Array(buf.length * 2);
  next.set(buf);
  return next;
}

/** The whole-text hash indexWords records, alone (to tell whether a text is the one indexed). */
export function textHash(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * Whether the indexed text may hold `name` as a whole word. A name with a character
 * outside the indexed ones (a Unicode letter) cannot be looked up: the answer is yes.
 */
export function mayHoldWord(index: WordIndex, name: string): boolean {
  if (name.length === 0) return true;
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isWordCode(c)) return true;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  h >>>= 0;
  const w = index.words;
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
