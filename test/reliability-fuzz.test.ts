// Issue 9: mutation fuzzing. Fixture inputs and stdlib files are mutated (truncated, a
// brace deleted, a line duplicated or deleted, a stray `<-`/brace/quote/rune inserted,
// tokens swapped or deleted) and run through every registered rule. Every result must
// pass the same checks as the corpus (no exception, no rule error, no new syntax error,
// no edit inside or across an ERROR region, bytes outside the fixes untouched,
// idempotent), and real gofmt judges every changed file (the output parses when the
// input did, and is gofmt-clean when the input was). Seeded: a failure prints its seed, and
//   GOPITFIX_FUZZ_SEED=<seed> npx vitest run test/reliability-fuzz.test.ts
// replays exactly that case. GOPITFIX_FUZZ_N=<n> runs more cases (default 1200),
// GOPITFIX_FUZZ_BASE=<seed> starts elsewhere (explore new cases).
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import type { EngineOptions } from '../src/engine/api.js';
import { allRules } from '../transforms/index.js';
import { fuzzCase, fuzzInputs, MUTATIONS } from '../src/verify/mutate.js';
import { checkResult } from '../src/verify/properties.js';
import { judgeWithGofmt } from '../src/verify/corpus.js';
import { gofmtAvailable } from '../src/verify/gofmt.js';

const ROOT = resolve(import.meta.dirname, '..');
const BASE_SEED = Number(process.env.GOPITFIX_FUZZ_BASE ?? 0x9e3779b9);
const N = Number(process.env.GOPITFIX_FUZZ_N ?? 1200);
const ONLY = process.env.GOPITFIX_FUZZ_SEED;

const engine: EngineOptions = { rules: allRules, prefilter: false };

beforeAll(async () => {
  await initEngine();
});

describe('mutation fuzzing', () => {
  it('no crash, no rule error, no edit in or across an ERROR region, no new syntax error, idempotent', () => {
    const files = fuzzInputs(ROOT);
    expect(files.length).toBeGreaterThan(20);
    const seeds = ONLY !== undefined ? [Number(ONLY)] : Array.from({ length: N }, (_, i) => BASE_SEED + i);
    const failures: string[] = [];
    const used = new Map<string, number>();
    let withErrors = 0;
    let changed = 0;
    let fixes = 0;
    const changedFiles: { file: string; input: string; output: string }[] = [];
    for (const seed of seeds) {
      const { file, text, steps, tag } = fuzzCase(files, seed);
      for (const s of steps) used.set(s, (used.get(s) ?? 0) + 1);
      try {
        const r = processFile({ absPath: file.absPath, displayPath: file.name, source: text }, engine);
        if (r.syntaxErrors) withErrors++;
        if (r.changed) {
          changed++;
          fixes += r.findings.filter((f) => f.fix).length;
          changedFiles.push({ file: tag, input: text, output: r.output });
        }
        for (const p of checkResult(r, { engine })) failures.push(`FAIL ${tag}: ${p.kind}: ${p.detail}`);
      } catch (e) {
        failures.push(`FAIL ${tag}: exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
    let gofmtLine = 'gofmt not installed: not judged';
    if (gofmtAvailable()) {
      const g = judgeWithGofmt(changedFiles);
      for (const p of g.problems) failures.push(`FAIL ${p.file}: ${p.kind}: ${p.detail}`);
      gofmtLine = `gofmt judged ${changedFiles.length} changed files (${g.uncleanInputs} inputs not gofmt-clean): ${g.problems.length} failures`;
    }
    console.log(
      [
        `fuzz: ${files.length} files (fixture inputs + stdlib), ${seeds.length} mutations tried (seeds ${seeds[0]}..${seeds[seeds.length - 1]})`,
        `      mutations used: ${[...used].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `      ${withErrors} mutated inputs with syntax errors, ${changed} changed (${fixes} fixes applied), failures: ${failures.length}`,
        `      ${gofmtLine}`,
        ...failures.slice(0, 30),
      ].join('\n'),
    );
    // Most mutations must break the syntax and many must still get fixes elsewhere,
    // or the run proves nothing about ERROR regions.
    if (ONLY === undefined) {
      expect(used.size).toBe(MUTATIONS.length);
      expect(withErrors).toBeGreaterThan(seeds.length / 2);
      expect(changed).toBeGreaterThan(seeds.length / 10);
    }
    expect(failures).toEqual([]);
  });
});
