// How the work of package-wide questions grows with the package. Processing every file of
// a package asks each file about its siblings, so the total may grow with the square of
// the file count, but no faster: a question asked of every sibling about every struct type
// of the package (issue 17: 46 % of the CPU of a run over 800 files of 1k lines) made it
// grow with the cube. Counted in fileMentions calls, not timed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePackage } from '../bench/gen-corpus.js';
import { initEngine, processFile } from '../src/engine/engine.js';
import { fileMentionsAsked } from '../src/go/package.js';
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
