// npm run build && node dist/bench/format-cost.js [dir...]
// The cost of the engine's formatting stage per changed file: every file of each tree
// through every default rule; for each changed one, the stage is re-run 5 times on the
// same fixed text and its CPU time (process.cpuUsage, single thread: wall time on a
// shared machine counts other processes too) is taken as the median.
import { readFileSync } from 'node:fs';
import { initEngine, processFile } from '../src/engine/engine.js';
import { formatRegions, goFormat } from '../src/engine/format.js';
import { allRules } from '../transforms/index.js';
import { listGoFiles, notGoText } from '../src/verify/corpus.js';

const cpuMs = (f: () => void) => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) dirs.push('/usr/share/go-1.19/src');
  await initEngine();
  goFormat('package p\n'); // compile the module outside the measurement
  for (const dir of dirs) {
    const costs: number[] = [];
    let bytes = 0;
    for (const abs of listGoFiles(dir)) {
      const raw = readFileSync(abs);
      if (notGoText(raw)) continue;
      const r = processFile({ absPath: abs, displayPath: abs, source: raw.toString('utf8') }, { rules: allRules.filter((x) => x.meta.defaultOn) });
      if (!r.changed || !r.format) continue;
      const input = r.format.input;
      const all = new Set(input.split('\n').map((_, i) => i));
      bytes += input.length;
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        runs.push(
          cpuMs(() => {
            const f = goFormat(input);
            // Every line counts as touched here (the engine's own set is not kept): the same
            // formatter work, and the region bookkeeping on the whole file at worst.
            if (f.ok) formatRegions({ text: input, formatted: f.text, touched: all, source: r.source, toSource: (o) => o });
          }),
        );
      }
      costs.push(median(runs));
    }
    const total = costs.reduce((a, b) => a + b, 0);
    process.stdout.write(
      `${dir}: ${costs.length} changed files (${(bytes / 1024).toFixed(0)} KB), formatting stage CPU per changed file: ` +
        `median ${costs.length ? median(costs).toFixed(1) : 0} ms, mean ${costs.length ? (total / costs.length).toFixed(1) : 0} ms, ` +
        `max ${costs.length ? Math.max(...costs).toFixed(1) : 0} ms, total ${total.toFixed(0)} ms\n`,
    );
  }
}

run().catch((e: unknown) => {
  process.stderr.write(`format-cost: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
