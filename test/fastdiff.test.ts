// Issue 16 #6 and #10: diffs cost time linear in the file, not in fixes × file size, and
// are the ones jsdiff's whole-file diff gives; paths are quoted as git quotes them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';
import { diffHeaders, diffWork, unifiedDiff } from '../src/engine/fastdiff.js';
import { fileDiff } from '../src/cli/output/diff.js';
import { mutate } from '../src/verify/mutate.js';
import { stripExpectations } from '../src/testing/want.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function pairs(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.input.go')) {
        try {
          out.push([stripExpectations(readFileSync(p, 'utf8')), readFileSync(p.replace(/\.input\.go$/, '.output.go'), 'utf8')]);
        } catch {
          // no output: unchanged case
        }
      }
    }
  };
  walk(FIXTURES);
  return out;
}

beforeAll(async () => {
  await initEngine();
});

describe('windowed diffs', () => {
  it('equal jsdiff’s whole-file diff on every fixture pair and seeded mutations of them', () => {
    const all = pairs();
    expect(all.length).toBeGreaterThan(50);
    const cases = [...all];
    all.forEach(([a, b], i) => {
      for (let s = 0; s < 5; s++) cases.push([a, mutate(b, i * 31 + s).text]);
      cases.push([a.replace(/\n/g, '\r\n'), b.replace(/\n/g, '\r\n').replace(/\r\n$/, '')]);
    });
    const bad: string[] = [];
    for (const [a, b] of cases) {
      for (const context of [0, 3]) {
        const want = createTwoFilesPatch('a/x.go', 'b/x.go', a, b, undefined, undefined, { context, headerOptions: FILE_HEADERS_ONLY });
        if (unifiedDiff('x.go', a, b, context) !== want) bad.push(want);
      }
    }
    expect(bad.slice(0, 2)).toEqual([]);
  });

  it('a file with 1,000 fixes: the diffs read lines in proportion to the fixes, not fixes × file', () => {
    const pad = `// ${'padding '.repeat(22)}\n`;
    let src = 'package p\n\nimport (\n\t"context"\n\t"time"\n)\n\n';
    for (let i = 0; i < 1000; i++) {
      src += `// f${i} does things.\n${pad}${pad}func f${i}(parent context.Context) error {\n\tctx, _ := context.WithTimeout(parent, time.Second)\n\treturn ctx.Err()\n}\n\n`;
    }
    const lines = src.split('\n').length;
    const r = processFile({ absPath: '/tmp/many.go', displayPath: 'many.go', source: src }, { rules: [findRule('defer-cancel')!], goVersion: null });
    expect(r.findings.filter((f) => f.fix)).toHaveLength(1000);
    diffWork.lines = 0;
    const whole = fileDiff('many.go', r.source, r.output);
    for (const f of r.findings) expect(f.fix!.diff).toContain('+\tdefer cancel()');
    expect(whole.match(/^@@ /gm)).toHaveLength(1000);
    // Whole-file diffs would hand jsdiff ~lines × (1 + fixes) lines; windows, ~30 per fix.
    expect(diffWork.lines).toBeLessThan(60 * 1000);
    expect(lines).toBeGreaterThan(8000);
  });
});

describe('paths in diff headers (git’s quoting)', () => {
  it('a space gets git’s trailing tab; control characters, quotes, backslashes and non-ASCII are C-quoted', () => {
    expect(diffHeaders('dir/my file.go')).toBe('--- a/dir/my file.go\t\n+++ b/dir/my file.go\t\n');
    expect(diffHeaders('plain.go')).toBe('--- a/plain.go\n+++ b/plain.go\n');
    expect(diffHeaders('tab\there.go')).toBe('--- "a/tab\\there.go"\n+++ "b/tab\\there.go"\n');
    expect(diffHeaders('q"uote.go')).toBe('--- "a/q\\"uote.go"\n+++ "b/q\\"uote.go"\n');
    expect(diffHeaders('é.go')).toBe('--- "a/\\303\\251.go"\n+++ "b/\\303\\251.go"\n');
  });
});
