// npm run fuzz [-- --n N] [--base SEED] [--report FILE]
// The long mutation-fuzzing run (issue 16; not part of npm test, whose
// test/reliability-fuzz.test.ts runs 1,200 cases). Each seed mutates one fixture input or
// stdlib file (src/verify/mutate.ts), runs every registered rule over it and checks:
//  - the engine's properties (src/verify/properties.ts): no exception, no rule error, no
//    new syntax error for tree-sitter, no edit outside the fixes or in an ERROR region,
//    line endings and BOM kept, idempotent (a second run changes nothing);
//  - Go's own parser (`gofmt -e`, in batches): every changed output whose input Go parses
//    must parse too, and stay gofmt-clean when its input was.
// Prints a progress line every 5,000 seeds and a report at the end; exit 1 on any failure.
// A failure prints its seed: `GOPITFIX_FUZZ_SEED=<seed> npx vitest run test/reliability-fuzz.test.ts`
// replays it when the seed range is the test's (the file choice depends only on the seed).
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initEngine, processFile } from '../src/engine/engine.js';
import type { EngineOptions } from '../src/engine/api.js';
import { allRules } from '../transforms/index.js';
import { fuzzCase, fuzzInputs } from '../src/verify/mutate.js';
import { checkResult } from '../src/verify/properties.js';
import { gofmtAvailable, gofmtBatch } from '../src/verify/gofmt.js';


function findRoot(): string {
  let dir = resolve(import.meta.dirname);
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'fixtures'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

interface Pending {
  tag: string;
  input: string;
  output: string;
}

async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  let n = 100_000;
  let base = 0x9e3779b9;
  let reportFile: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    const v = inline ?? argv[++i];
    if (k === '--n') n = Number(v);
    else if (k === '--base') base = Number(v);
    else if (k === '--report') reportFile = v;
    else throw new Error(`unknown flag ${k} (usage: npm run fuzz [-- --n N] [--base SEED] [--report FILE])`);
  }
  await initEngine();
  const root = findRoot();
  const files = fuzzInputs(root);
  const engine: EngineOptions = { rules: allRules, prefilter: false };
  const useGofmt = gofmtAvailable();
  const started = Date.now();
  const failures: string[] = [];
  let done = 0;
  let withErrors = 0;
  let changed = 0;
  let fixes = 0;
  let judged = 0;
  let goRejectsInput = 0;
  let pending: Pending[] = [];
  const flush = () => {
    if (!useGofmt || pending.length === 0) return;
    const verdicts = gofmtBatch(pending.flatMap((p) => [p.input, p.output]));
    pending.forEach((p, i) => {
      const vin = verdicts[2 * i];
      const vout = verdicts[2 * i + 1];
      if (!vin.parses) {
        goRejectsInput++;
        return;
      }
      judged++;
      if (!vout.parses) failures.push(`FAIL ${p.tag}: gofmt-rejects: ${vout.error}`);
      else if (vin.formatted && !vout.formatted) failures.push(`FAIL ${p.tag}: gofmt-unformatted`);
    });
    pending = [];
  };
  const line = () =>
    `fuzz: ${done} mutations (seeds ${base}..${base + done - 1}) over ${files.length} files in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
    `${withErrors} inputs with syntax errors, ${changed} changed (${fixes} fixes), ${judged} changed outputs judged by gofmt ` +
    `(${goRejectsInput} more whose input gofmt rejects), failures: ${failures.length}`;
  for (let i = 0; i < n; i++) {
    const seed = base + i;
    const { file, text, tag } = fuzzCase(files, seed);
    try {
      const r = processFile({ absPath: file.absPath, displayPath: file.name, source: text }, engine);
      if (r.syntaxErrors) withErrors++;
      if (r.changed) {
        changed++;
        fixes += r.findings.filter((f) => f.fix).length;
        pending.push({ tag, input: text, output: r.output });
      }
      for (const p of checkResult(r, { engine })) failures.push(`FAIL ${tag}: ${p.kind}: ${p.detail}`);
    } catch (e) {
      failures.push(`FAIL ${tag}: exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    done++;
    if (pending.length >= 200) flush();
    if (done % 5000 === 0) {
      flush();
      const l = line();
      process.stderr.write(l + '\n');
      if (reportFile) writeFileSync(reportFile, [l, ...failures.slice(0, 100)].join('\n') + '\n');
    }
  }
  flush();
  const report = [line(), useGofmt ? '' : '(gofmt not found: the Go-parser checks were skipped)', ...failures.slice(0, 100)].filter(Boolean).join('\n') + '\n';
  process.stdout.write(report);
  if (reportFile) writeFileSync(reportFile, report);
  process.exitCode = failures.length ? 1 : 0;
}

run().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
