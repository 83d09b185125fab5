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
import { fileMentionsAsked } from '../src/go/package.js';
import { stepsTaken } from '../src/go/meter.js';
import { allRules } from '../transforms/index.js';

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
