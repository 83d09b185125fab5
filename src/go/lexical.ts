// Facts read from a Go file's tokens without parsing it: prefilter checks that are
// stronger than a regular expression yet still necessary conditions (they may admit a file
// that has no such construct, never skip one that has). Comments and string, raw-string and
// rune literals are skipped as Go's scanner skips them; anything odd (an unterminated
// comment or raw string, braces that do not balance) admits the file.

const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;

/** `/`, `"`, `'` or a backquote: what may start a comment or a literal (a cheap test before skipNonCode). */
const startsNonCode = (c: number) => c === 47 || c === 34 || c === 39 || c === 96;

/**
 * Past the comment or the string, raw-string or rune literal that starts at `i`, as Go's
 * scanner skips it: the index after it; `i` itself when none starts there; -1 when a block
 * comment or a raw string never ends.
 */
function skipNonCode(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if (c === 47 /* / */) {
    const d = src.charCodeAt(i + 1);
    if (d === 47) {
      const e = src.indexOf('\n', i + 2);
      return e < 0 ? src.length : e + 1;
    }
    if (d === 42) {
      const e = src.indexOf('*/', i + 2);
      return e < 0 ? -1 : e + 2;
    }
    return i;
  }
  if (c === 34 /* " */ || c === 39 /* ' */) {
    // An interpreted string or rune literal ends at its quote or, unterminated, at the line's end.
    let j = i + 1;
    for (; j < src.length; j++) {
      const d = src.charCodeAt(j);
      if (d === 92 /* \ */) j++;
      else if (d === c || d === 10) break;
    }
    return j + 1;
  }
  if (c === 96 /* ` */) {
    const e = src.indexOf('`', i + 1);
    return e < 0 ? -1 : e + 1;
  }
  return i;
}

/**
 * Whether a `func` token occurs after a `for` token and before the block holding that
 * `for` closes. Every func literal in a for statement's body does (the body lies between
 * the `for` and the close of its enclosing block), so a file where this is false has no
 * closure inside a loop body. Linear, ~50-100 MB/s.
 */
export function funcAfterForInBlock(src: string): boolean {
  const n = src.length;
  let depth = 0;
  // Brace depth of the outermost `for` whose enclosing block is still open; -1: none.
  let forDepth = -1;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (startsNonCode(c)) {
      const k = skipNonCode(src, i);
      if (k < 0) return true;
      if (k !== i) {
        i = k;
        continue;
      }
    }
    if (c === 123 /* { */) {
      depth++;
      i++;
    } else if (c === 125 /* } */) {
      depth--;
      if (depth < 0) return true;
      if (depth < forDepth) forDepth = -1;
      i++;
    } else if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(src.charCodeAt(j))) j++;
      if (c === 102 /* f */) {
        if (j - i === 3 && src.startsWith('for', i)) {
          if (forDepth < 0) forDepth = depth;
        } else if (j - i === 4 && forDepth >= 0 && src.startsWith('func', i)) return true;
      }
      i = j;
    } else i++;
  }
  return depth !== 0;
}

/**
 * Whether one of `words` occurs as an identifier or keyword token of the code (not inside
 * a comment or a string, rune or raw-string literal, not part of a longer identifier).
 */
function wordInCode(src: string, words: ReadonlySet<string>): boolean {
  const n = src.length;
  let minLen = Infinity;
  let maxLen = 0;
  for (const w of words) {
    minLen = Math.min(minLen, w.length);
    maxLen = Math.max(maxLen, w.length);
  }
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (startsNonCode(c)) {
      const k = skipNonCode(src, i);
      if (k < 0) return true;
      if (k !== i) {
        i = k;
        continue;
      }
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(src.charCodeAt(j))) j++;
      if (j - i >= minLen && j - i <= maxLen && words.has(src.slice(i, j))) return true;
      i = j;
    } else i++;
  }
  return false;
}

/** A prefilter trigger: one of `words` is a token of the code (wordInCode). */
export function codeWords(...words: string[]): { test(text: string): boolean; toString(): string } {
  const set = new Set(words);
  return { test: (text) => wordInCode(text, set), toString: () => `lexical: a token of the code among ${words.join(', ')}` };
}

/** funcAfterForInBlock as a prefilter trigger (listed by --list-rules under this name). */
export const funcInLoopBody = {
  test: funcAfterForInBlock,
  toString: () => 'lexical: a func token after a for token, in the block holding it',
};
