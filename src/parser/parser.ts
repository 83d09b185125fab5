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

export function parseGo(source: string): Tree {
  if (!parser) throw new Error('parser not initialized: call initParser() first');
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
