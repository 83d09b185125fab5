// Small text helpers shared by the engine, the run layer and the front ends. This module
// imports nothing, so any layer may use it.

/** `1 file`, `2 files`: a count and its word, with an `s` unless the count is 1. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Offset where each line of `src` starts. A text that ends with a newline gets one more,
 * empty, last line (its start is src.length), so every offset up to src.length has a line.
 * (output/fastdiff.ts keeps its own variant without that last line: a diff has no such line.)
 */
export function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/**
 * A copy of `s` that holds no reference to a longer string. V8 makes a slice of 13
 * characters or more (a node's text, a regular expression's match) a view into the whole
 * text it came from: a short name kept across files would keep that file's text alive.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}
