// The Go grammar is loaded once per process (or worker) from the .wasm that the
// tree-sitter-go package ships: no download, no native build.
import { createRequire } from 'node:module';
// Types only: the runtime (~150 KB of JavaScript) is imported by initParser, so a run that
// parses nothing (all results from the cache) never loads it.
import type { Parser, Tree } from 'web-tree-sitter';

let parser: Parser | null = null;

export async function initParser(): Promise<void> {
  if (parser) return;
  const { Language, Parser } = await import('web-tree-sitter');
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-go/tree-sitter-go.wasm');
  const go = await Language.load(wasm);
  const p = new Parser();
  p.setLanguage(go);
  parser = p;
}

/**
 * The tree of `source`, or, given `ranges` (ordered, not overlapping), of those spans of
 * it alone, read as if they followed one another: the rest is never lexed, and nodes keep
 * their offsets and rows in the whole text.
 */
export function parseGo(source: string, ranges?: readonly { startIndex: number; endIndex: number }[]): Tree {
  if (!parser) throw new Error('parser not initialized: call initParser() first');
  const size = ranges ? ranges.reduce((n, r) => n + r.endIndex - r.startIndex, 0) : source.length;
  if (size > largest) largest = size;
  const tree = ranges ? parser.parse(source, null, { includedRanges: withPoints(source, ranges) }) : parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Ranges with the row and column of each end, as tree-sitter takes them. */
function withPoints(source: string, ranges: readonly { startIndex: number; endIndex: number }[]) {
  const out = [];
  // Ranges come in order: one forward scan for line breaks serves them all.
  let row = 0;
  let lineStart = 0;
  let next = source.indexOf('\n');
  const point = (i: number) => {
    while (next >= 0 && next < i) {
      row++;
      lineStart = next + 1;
      next = source.indexOf('\n', next + 1);
    }
    return { row, column: i - lineStart };
  };
  for (const r of ranges) {
    const startPosition = point(r.startIndex);
    const endPosition = point(r.endIndex);
    out.push({ startIndex: r.startIndex, endIndex: r.endIndex, startPosition, endPosition });
  }
  return out;
}

let largest = 0;

/**
 * The most characters one parse in this thread covered since the last call (which resets
 * it): how big the biggest tree was, counted, not measured (tests of big files read it).
 */
export function largestParse(): number {
  const n = largest;
  largest = 0;
  return n;
}
