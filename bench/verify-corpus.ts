// npm run verify:corpus [-- dir] [--sample N]
// Runs every registered rule over every Go file of a tree and checks the safety
// properties (see src/verify/properties.ts); prints a report. Exit 1 on any failure.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { initEngine } from '../src/engine/engine.js';
import { formatReport, listGoFiles, sampleFiles, verifyFiles } from '../src/verify/corpus.js';
import { gofmtAvailable } from '../src/verify/gofmt.js';

const DEFAULT_CORPUS = '/usr/share/go-1.19/src';

async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  let dir: string | undefined;
  let sample = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sample' || a.startsWith('--sample=')) {
      const v = a === '--sample' ? argv[++i] : a.slice('--sample='.length);
      sample = Number(v);
      if (!Number.isInteger(sample) || sample < 1) throw new Error(`--sample: want a positive integer, got "${v}"`);
    } else if (a.startsWith('-')) {
      throw new Error(`unknown flag ${a} (usage: npm run verify:corpus [-- dir] [--sample N])`);
    } else dir = a;
  }
  dir = resolve(dir ?? DEFAULT_CORPUS);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${dir}: no such directory${dir === DEFAULT_CORPUS ? ' (apt-get install golang-1.19-src, or pass a dir)' : ''}`);
  }
  if (!gofmtAvailable()) process.stderr.write('verify-corpus: gofmt not found; the gofmt checks are skipped\n');
  await initEngine();
  const all = listGoFiles(dir);
  const files = sample ? sampleFiles(all, sample) : all;
  const tty = process.stderr.isTTY;
  const report = verifyFiles(files, {
    root: dir,
    onProgress: (done, total) => {
      if (tty && (done % 100 === 0 || done === total)) process.stderr.write(`\r${done}/${total}`);
    },
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(formatReport(report));
  process.exitCode = report.failures.length ? 1 : 0;
}

run().catch((e: unknown) => {
  process.stderr.write(`verify-corpus: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
