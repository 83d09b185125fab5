// The domain background lives in docs/pitfalls.md: every `docs/pitfalls.md#<anchor>` that
// code, tests or docs cite must exist there, every rule's README must link its section, and
// nothing may cite the old catalogue file that is not part of this repository.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

const DOC = readFileSync(join(REPO, 'docs', 'pitfalls.md'), 'utf8');
const ANCHORS = new Set([...DOC.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]));

function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|go|md)$/.test(n)) out.push(p);
  }
  return out;
}

const SOURCES = [...['src', 'transforms', 'test', 'bench', 'docs', 'examples'].flatMap((d) => files(join(REPO, d))), join(REPO, 'README.md')];

describe('docs/pitfalls.md', () => {
  it('has every anchor that is cited, and its own links resolve', () => {
    expect(ANCHORS.size).toBeGreaterThanOrEqual(10);
    const missing: string[] = [];
    for (const f of SOURCES) {
      for (const m of readFileSync(f, 'utf8').matchAll(/docs\/pitfalls\.md#([a-z0-9-]+)/g)) {
        if (!ANCHORS.has(m[1])) missing.push(`${relative(REPO, f)}: #${m[1]}`);
      }
    }
    for (const m of DOC.matchAll(/\]\(#([a-z0-9-]+)\)/g)) if (!ANCHORS.has(m[1])) missing.push(`docs/pitfalls.md: #${m[1]}`);
    expect(missing).toEqual([]);
  });

  it('is linked from every rule README', () => {
    const rules = readdirSync(join(REPO, 'transforms')).filter((n) => statSync(join(REPO, 'transforms', n)).isDirectory());
    const unlinked = rules.filter((id) => !/\]\(\.\.\/\.\.\/docs\/pitfalls\.md#[a-z0-9-]+\)/.test(readFileSync(join(REPO, 'transforms', id, 'README.md'), 'utf8')));
    expect(unlinked).toEqual([]);
  });

  it('replaces the external catalogue: nothing cites it', () => {
    const old = ['PITFALLS', 'md'].join('.');
    const citing = SOURCES.filter((f) => readFileSync(f, 'utf8').includes(old)).map((f) => relative(REPO, f));
    expect(citing).toEqual([]);
  });
});
