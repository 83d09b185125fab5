// How work grows with the size of what is analysed, counted, not timed (issue 17).
// Package-wide questions: processing every file of a package asks each file about its
// siblings, so the total may grow with the square of the file count, but no faster; a
// question asked of every sibling about every struct type of the package (46 % of the CPU
// of a run over 800 files of 1k lines) made it grow with the cube. Counted in fileMentions
// calls. Long functions: the steps the Go layer takes over statements and bindings
// (src/go/meter.ts) grow with the function, not with its square (one function of 1,600
// blocks took 120 s when each send, cancel or fix walked the whole function again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePackage } from '../bench/gen-corpus.js';
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

/** fileMentions calls for processing every file of a generated package of n files, and its findings. */
function questions(n: number): { asked: number; findings: number } {
  const dir = join(root, `p${n}`);
  generatePackage(dir, n, 120);
  const before = fileMentionsAsked();
  let findings = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.go')).sort()) {
    const absPath = join(dir, name);
    const r = processFile({ absPath, displayPath: name, source: readFileSync(absPath, 'utf8') }, { rules: allRules, goVersion: { major: 1, minor: 21 } });
    findings += r.findings.length;
  }
  return { asked: fileMentionsAsked() - before, findings };
}

describe('package-wide questions', () => {
  it('grow with the square of the file count at most', () => {
    const small = questions(20);
    const big = questions(40);
    // The generated files hold the pitfalls whose fixes ask about the package.
    expect(small.findings).toBeGreaterThan(0);
    expect(big.findings).toBe(2 * small.findings);
    expect(big.asked / small.asked).toBeLessThan(4.6);
  });
});

/**
 * One function of `blocks` blocks, each with a goroutine send the function's ctx can
 * guard (select-ctx-done), a loop variable captured by a goroutine (capture-loop-var), a
 * lost cancel (defer-cancel) and wg.Add inside a goroutine (hoist-wg-add, whose fix
 * removes a statement). No block declares a context: the exits in sight stay one.
 */
function longFunction(blocks: number): string {
  const parts = ['package long\n\nimport (\n\t"context"\n\t"sync"\n\t"time"\n)\n\nfunc long(ctx context.Context, items []int) int {\n\ttotal := 0\n\tvar wg sync.WaitGroup\n'];
  for (let k = 0; k < blocks; k++) {
    parts.push(`\tresults${k} := make(chan int)
\tfor _, it := range items {
\t\tgo func() {
\t\t\tresults${k} <- it * ${k}
\t\t}()
\t}
\tselect {
\tcase r := <-results${k}:
\t\ttotal += r
\tcase <-ctx.Done():
\t\treturn total
\t}
\t_, cancel${k} := context.WithTimeout(ctx, time.Second)
\tgo func() {
\t\twg.Add(1)
\t\tdefer wg.Done()
\t\ttotal++
\t}()
\tif total > ${k} {
\t\tcancel${k}()
\t}
`);
  }
  parts.push('\twg.Wait()\n\treturn total\n}\n');
  return parts.join('');
}

/** Steps for processing a function of `blocks` blocks, alone in its package, and its findings. */
function stepsFor(blocks: number): { steps: number; findings: number; fixes: number } {
  const dir = join(root, `long${blocks}`);
  mkdirSync(dir, { recursive: true });
  const absPath = join(dir, 'long.go');
  const source = longFunction(blocks);
  writeFileSync(absPath, source);
  const before = stepsTaken();
  const r = processFile({ absPath, displayPath: 'long.go', source }, { rules: allRules, goVersion: { major: 1, minor: 21 } });
  return { steps: stepsTaken() - before, findings: r.findings.length, fixes: r.findings.filter((f) => f.fix).length };
}

describe('long functions', () => {
  it('take steps in proportion to their length', () => {
    const short = stepsFor(60);
    const long = stepsFor(120);
    // Every block holds findings with fixes, so every walk the rules make runs.
    expect(short.fixes).toBeGreaterThan(60);
    expect(long.findings).toBe(2 * short.findings);
    expect(long.steps / short.steps).toBeLessThan(2.6);
  });
});
