// npm run bench [-- dir] [--runs N]
// Scans a corpus with every rule through the CLI's own path (discovery, read, engine,
// diff rendering; dry run, nothing written) and reports throughput. The engine's
// one-time grammar load is timed separately. Numbers are printed, never asserted.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { discover } from '../src/discover.js';
import { initEngine } from '../src/engine.js';
import { allRules } from '../src/rules.js';
import { scanFiles, type Summary } from '../src/cli/run.js';
import { fileDiff } from '../src/output/diff.js';

const DEFAULT_CORPUS = '/usr/share/go-1.19/src';

function parse(argv: string[]): { dir: string; runs: number } {
  let dir: string | undefined;
  let runs = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs' || a.startsWith('--runs=')) {
      const v = a === '--runs' ? argv[++i] : a.slice('--runs='.length);
      runs = Number(v);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: want a positive integer, got "${v}"`);
    } else if (a.startsWith('-')) {
      throw new Error(`unknown flag ${a} (usage: npm run bench [-- dir] [--runs N])`);
    } else {
      dir = a;
    }
  }
  if (!dir) {
    if (!existsSync(DEFAULT_CORPUS)) {
      throw new Error(`no corpus given and ${DEFAULT_CORPUS} is missing (apt-get install golang-1.19-src, or pass a dir)`);
    }
    dir = DEFAULT_CORPUS;
  }
  return { dir: resolve(dir), runs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function run(): Promise<void> {
  const { dir, runs } = parse(process.argv.slice(2));
  if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
  const t0 = performance.now();
  await initEngine();
  const initMs = performance.now() - t0;

  const times: number[] = [];
  let last: Summary | undefined;
  let discovered = 0;
  let diffBytes = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const files = discover([dir], { cwd: dir });
    discovered = files.length;
    diffBytes = 0;
    last = scanFiles(
      files,
      { rules: allRules, goVersion: null, includeGenerated: false },
      {
        onError: () => {},
        onResult: (file, result) => {
          if (result.changed) diffBytes += fileDiff(file.displayPath, result.source, result.output).length;
        },
      },
    );
    times.push(performance.now() - start);
  }
  const s = last!;
  const mb = s.bytesScanned / 1e6;
  const med = median(times) / 1000;
  const out = [
    `corpus     ${dir}`,
    `rules      ${allRules.map((r) => r.meta.id).join(', ') || '(none registered)'}`,
    `files      ${s.filesScanned} scanned (${discovered} discovered, ${s.filesSkippedGenerated} generated skipped, ${s.errors.length} errors)`,
    `size       ${mb.toFixed(1)} MB`,
    `findings   ${s.findings} (${s.fixable} fixable) in ${s.filesWithFindings} files; ${s.filesChanged} files would change (${(diffBytes / 1024).toFixed(0)} KB of diff)`,
    `init       ${initMs.toFixed(0)} ms (grammar load, once)`,
    `runs       ${runs}: ${times.map((t) => (t / 1000).toFixed(2) + 's').join(' ')}`,
    `median     ${med.toFixed(2)} s`,
    `throughput ${(mb / med).toFixed(1)} MB/s`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

run().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
