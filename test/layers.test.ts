// The layer rule of docs/ARCHITECTURE.md, checked on the sources: every relative import
// (type-only ones too) goes down the layer order or stays in its layer, rules import only
// the Go layer and the rule API, and the folder import graph has no cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layers from the bottom up: a file may import its own layer and the ones below. */
export const LAYERS: { name: string; folders: string[] }[] = [
  { name: 'util', folders: ['src/util'] },
  { name: 'parser', folders: ['src/parser'] },
  { name: 'go', folders: ['src/go'] },
  { name: 'rules', folders: ['src/rules', 'transforms'] },
  { name: 'engine', folders: ['src/engine'] },
  { name: 'run', folders: ['src/run', 'src/verify', 'src/testing'] },
  { name: 'front', folders: ['src/cli'] },
  // The package's public entry (`import { defineRule } from 'gopitfix'`): re-exports only.
  { name: 'entry', folders: ['src/index.ts'] },
];

/** What a rule (transforms/<id>/) may import besides its own folder (transforms/index.ts, the registry, imports the rules). */
const RULE_IMPORTS = [/^src\/go\//, /^src\/rules\/(api|define)\.ts$/];

export type Edge = { from: string; to: string };

function layerOf(file: string): number {
  for (let i = 0; i < LAYERS.length; i++) if (LAYERS[i].folders.some((f) => file === f || file.startsWith(f + '/'))) return i;
  return -1;
}

/** Relative imports of every .ts file under src/ and transforms/, as repo-relative paths. */
export function importEdges(root = ROOT): Edge[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'transforms'));
  const edges: Edge[] = [];
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.\.?\/[^'"]+)\1/gm;
  for (const f of files) {
    // Lines of comments (an import shown in a doc comment) are not imports.
    const text = readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l))
      .join('\n');
    for (const m of text.matchAll(spec)) {
      const target = resolve(dirname(f), m[2].replace(/\.js$/, '.ts'));
      edges.push({ from: relative(root, f).split('\\').join('/'), to: relative(root, target).split('\\').join('/') });
    }
  }
  return edges;
}

/** Imports against the layer order, and rule imports outside the Go layer and the rule API. */
export function layerViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a < 0) out.push(`${e.from}: not in any layer (add its folder to LAYERS and docs/ARCHITECTURE.md)`);
    else if (b < 0) out.push(`${e.from} -> ${e.to}: target not in any layer`);
    else if (b > a) out.push(`${e.from} -> ${e.to}: ${LAYERS[a].name} imports ${LAYERS[b].name}, a layer above it`);
    if (/^transforms\/[^/]+\//.test(e.from)) {
      const own = e.from.split('/').slice(0, 2).join('/') + '/';
      if (!e.to.startsWith(own) && !RULE_IMPORTS.some((r) => r.test(e.to))) {
        out.push(`${e.from} -> ${e.to}: a rule imports only the Go layer (src/go/) and the rule API (src/rules/api.ts, src/rules/define.ts)`);
      }
    }
  }
  return [...new Set(out)];
}

/** Cycles of the folder graph (a folder = a file's directory), as strongly connected components. */
export function folderCycles(edges: readonly Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = dirname(e.from);
    const b = dirname(e.to);
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  // Tarjan's algorithm.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

describe('layers', () => {
  const edges = importEdges();

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'src/cli/main.ts', to: 'src/cli/args.ts' });
  });

  it('every import goes down the layer order (front -> run -> engine -> rules -> go -> parser -> util)', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('the folder import graph has no cycle', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('the checks catch a back-edge and a cycle', () => {
    const bad: Edge[] = [
      { from: 'src/engine/engine.ts', to: 'src/run/task.ts' },
      { from: 'src/run/task.ts', to: 'src/engine/engine.ts' },
      { from: 'transforms/x/index.ts', to: 'transforms/index.ts' },
    ];
    expect(layerViolations(bad)).toHaveLength(2);
    expect(folderCycles(bad)).toEqual([['src/engine', 'src/run']]);
  });
});
