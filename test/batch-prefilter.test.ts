// The literal prefilter (RuleMeta.triggers) is an optimization only: over a
// deterministic sample of the Go standard library (every 12th file in path order, with
// every registered rule enabled, so default-off rules are covered too), prefilter on and
// off must give identical findings, fixes and output. README's Benchmark section reports
// the same comparison over the whole corpus (`gopitfix --no-prefilter`).
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { discover, isGenerated } from '../src/run/discover.js';
import { initEngine, processFile } from '../src/engine/engine.js';
import { allRules } from '../transforms/index.js';

const CORPUS = '/usr/share/go-1.19/src';

describe.skipIf(!existsSync(CORPUS))('prefilter on the Go standard library', () => {
  beforeAll(async () => {
    await initEngine();
  });

  it('gives the same results with and without it on a deterministic sample', () => {
    const files = discover([CORPUS], { cwd: CORPUS }).filter((f, i) => !f.error && i % 12 === 0);
    expect(files.length).toBeGreaterThan(300);
    let skipped = 0;
    let findings = 0;
    for (const f of files) {
      const source = readFileSync(f.absPath, 'utf8');
      if (isGenerated(source)) continue;
      const file = { absPath: f.absPath, displayPath: f.displayPath, source };
      const on = processFile(file, { rules: allRules, prefilter: true });
      const off = processFile(file, { rules: allRules, prefilter: false });
      const view = (r: typeof on) => ({
        output: r.output,
        ruleErrors: r.ruleErrors,
        findings: r.findings.map((x) => ({ ...x, fix: x.fix && { description: x.fix.description, diff: x.fix.diff } })),
      });
      expect(view(on), f.displayPath).toEqual(view(off));
      if (on.skippedByPrefilter) skipped++;
      findings += on.findings.length;
    }
    // The sample must exercise both sides: files the prefilter skips and files with findings.
    expect(skipped).toBeGreaterThan(50);
    expect(findings).toBeGreaterThan(0);
  });
});
