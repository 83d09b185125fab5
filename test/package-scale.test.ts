// How work grows with the size of what is analysed, counted, not timed (issue 17).
// Package-wide questions: processing every file of a package asks each file about its
// siblings, so the total may grow with the square of the file count, but no faster; a
// question asked of every sibling about every struct type of the package (46 % of the CPU
// of a run over 800 files of 1k lines) made it grow with the cube. Counted in fileMentions
// calls. Long functions: the steps the Go layer takes over statements and bindings
// (src/go/meter.ts) grow with the function, not with its square (one function of 1,600
// blocks took 120 s when each send, cancel or fix walked the whole function again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLongFunction, generatePackage } from '../bench/gen-corpus.js';
import { initEngine, processFile } from '../src/engine/engine.js';
import { formatLinesRead } from '../src/engine/format.js';
import { fileMentionsAsked } from '../src/go/package.js';
import { stepsTaken } from '../src/go/meter.js';
import { allRules } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';

let root: string;
beforeAll(async () => {
  await initEngine();
  root = mkdtempSync(join(tmpdir(), 'gopitfix-scale-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Process every .go file of `dir` (sorted) with all rules at Go 1.21; how far `counter`
 * moved meanwhile, and the findings and fixes.
 */
function processAll(dir: string, counter: () => number): { count: number; findings: number; fixes: number } {
  const before = counter();
  let findings = 0;
  let fixes = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.go')).sort()) {
    const absPath = join(dir, name);
    const r = processFile({ absPath, displayPath: name, source: readFileSync(absPath, 'utf8') }, { rules: allRules, goVersion: { major: 1, minor: 21 } });
    findings += r.findings.length;
    fixes += r.findings.filter((f) => f.fix).length;
  }
  return { count: counter() - before, findings, fixes };
}

describe('package-wide questions', () => {
  it('grow with the square of the file count at most', () => {
    const questions = (n: number) => {
      const dir = join(root, `p${n}`);
      generatePackage(dir, n, 120);
      return processAll(dir, fileMentionsAsked);
    };
    const small = questions(20);
    const big = questions(40);
    // The generated files hold the pitfalls whose fixes ask about the package.
    expect(small.findings).toBeGreaterThan(0);
    expect(big.findings).toBe(2 * small.findings);
    expect(big.count / small.count).toBeLessThan(4.6);
  });
});

describe('long functions', () => {
  it('take steps in proportion to their length', () => {
    const steps = (blocks: number) => {
      const dir = join(root, `long${blocks}`);
      generateLongFunction(dir, blocks);
      return processAll(dir, stepsTaken);
    };
    const short = steps(60);
    const long = steps(120);
    // Every block holds findings with fixes, so every walk the rules make runs.
    expect(short.fixes).toBeGreaterThan(60);
    expect(long.findings).toBe(2 * short.findings);
    expect(long.count / short.count).toBeLessThan(2.6);
  });
});

describe("a fix's own diff", () => {
  it('is formatted reading the lines near the fix, not the whole file', () => {
    // --json and -i show each fix's diff as the engine would write it alone, gofmt'ed: one
    // format per fix. Reading every line of the file for each one made 20 files of 25k
    // lines take 93 s of CPU with --json, against 35 s without. Each fix here re-aligns a
    // trailing comment, so gofmt changes the text and its changes are read.
    const realign: Rule = {
      meta: { id: 'realign', summary: 'test', defaultOn: true, docPath: '' },
      run(ctx) {
        for (let i = ctx.source.indexOf('g(1)'); i >= 0; i = ctx.source.indexOf('g(1)', i + 1)) {
          ctx.report({ node: ctx.root.descendantForIndex(i) ?? ctx.root, message: 'widen', fix: { description: 'widen', edits: [{ start: i, end: i + 4, text: 'g(1000)' }] } });
        }
      },
    };
    const perFix = (filler: number) => {
      const fixed = Array.from({ length: 20 }, (_, k) => `func f${k}() {\n\ta := g(1) // one\n\tbb := 2   // two\n\t_, _ = a, bb\n}\n`);
      const plain = Array.from({ length: filler }, (_, k) => `func h${k}() int {\n\tx := ${k}\n\treturn x * 2\n}\n`);
      const source = ['package p\n', ...fixed.slice(0, 10), ...plain, ...fixed.slice(10), 'func g(int) int { return 0 }\n'].join('\n');
      const r = processFile({ absPath: join(root, `own${filler}.go`), displayPath: 'own.go', source }, { rules: [realign] });
      const fixes = r.findings.filter((f) => f.fix);
      const before = formatLinesRead();
      const formatted = fixes.filter((f) => f.fix!.after !== f.fix!.baseline.replace('g(1)', 'g(1000)')).length;
      return { fixes: fixes.length, formatted, read: (formatLinesRead() - before) / fixes.length };
    };
    const small = perFix(500);
    const big = perFix(4000);
    expect(big.fixes).toBe(20);
    expect(big.formatted).toBe(20);
    expect(small.read).toBeGreaterThan(0);
    expect(big.read / small.read).toBeLessThan(1.5);
  });
});
