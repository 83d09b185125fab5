// npm run bench [-- dir] [--runs N] [--jobs N] [--no-ast-grep] [--no-warm] [--no-ladder] [--ladder-full] [--ladder-only]
// Scans a corpus with every rule through the CLI's own path (discovery with the same
// skips, the worker pool, read, engine, diff rendering; a dry run, nothing written)
// and reports: median wall time and CPU time over N cold runs (each with an empty result
// cache, which it fills), MB/s, peak RSS of the whole process (all worker threads
// included); then N warm runs of the CLI itself, end to end, over the same tree with the
// result cache filled; then the same files scanned by ast-grep with the five detection
// rules in bench/ast-grep/rules (same rule ids), and the cold and warm ratios; the
// end-to-end time of a single-file CLI run (node start-up and grammar load included);
// and the scale ladder: generated packages (bench/gen-corpus.ts) from 10 small files to
// 800 files of 1k lines and 50 files of 20k lines (--ladder-full adds 300 files of 25k
// lines, ~190 MB), each run uncached by the CLI, with CPU seconds per MB and peak RSS per rung
// (GOPITFIX_LADDER='[[files,lines],...]' replaces the rungs). Numbers are printed, never
// asserted. Last, one generated 2 MB file with 3,000 fixes (cost must stay linear in
// the number of fixes), one function of 400 then 1,600 blocks of goroutine code (cost
// per MB must not grow with a function's length), and --json on the same bytes in small
// and in big files (cost per MB must not grow with the file).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { discover } from '../src/run/discover.js';
import { allRules } from '../transforms/index.js';
import { defaultJobs } from '../src/run/pool.js';
import { scanBatch, type BatchSummary } from '../src/run/scan.js';
import { filePatch } from '../src/cli/output/diff.js';
import { initEngine } from '../src/engine/engine.js';
import { generateLongFunction, generatePackage } from './gen-corpus.js';

const DEFAULT_CORPUS = '/usr/share/go-1.19/src';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Args {
  dir: string;
  runs: number;
  jobs: number;
  astGrep: boolean;
  warm: boolean;
  ladder: boolean;
  ladderFull: boolean;
  ladderOnly: boolean;
}

function parse(argv: string[]): Args {
  let dir: string | undefined;
  let runs = 3;
  let jobs = defaultJobs();
  let astGrep = true;
  let warm = true;
  let ladder = true;
  let ladderFull = false;
  let ladderOnly = false;
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: want a positive integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--runs') runs = num(flag, inline ?? argv[++i]);
    else if (flag === '--jobs') jobs = num(flag, inline ?? argv[++i]);
    else if (flag === '--no-ast-grep') astGrep = false;
    else if (flag === '--no-warm') warm = false;
    else if (flag === '--no-ladder') ladder = false;
    else if (flag === '--ladder-full') ladderFull = true;
    else if (flag === '--ladder-only') ladderOnly = true;
    else if (a.startsWith('-'))
      throw new Error(`unknown flag ${a} (usage: npm run bench [-- dir] [--runs N] [--jobs N] [--no-ast-grep] [--no-warm] [--no-ladder] [--ladder-full] [--ladder-only])`);
    else dir = a;
  }
  if (!dir) {
    if (!existsSync(DEFAULT_CORPUS)) {
      throw new Error(`no corpus given and ${DEFAULT_CORPUS} is missing (apt-get install golang-1.19-src, or pass a dir)`);
    }
    dir = DEFAULT_CORPUS;
  }
  return { dir: resolve(dir), runs, jobs, astGrep, warm, ladder, ladderFull, ladderOnly };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The ast-grep binary shipped inside its registry package (@ast-grep/cli). */
function astGrepBinary(): string | null {
  const require = createRequire(import.meta.url);
  try {
    const dir = dirname(require.resolve('@ast-grep/cli/package.json'));
    const bin = join(dir, 'ast-grep');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Wall and CPU seconds of a child, via GNU time when present. */
function timed(cmd: string, args: string[], cwd: string): { wall: number; cpu: number | null; maxRssKb: number | null; stdout: string; status: number | null } {
  const useTime = existsSync('/usr/bin/time');
  const start = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - start) / 1000;
  let cpu: number | null = null;
  let maxRssKb: number | null = null;
  if (useTime) {
    const m = /(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/.exec(r.stderr ?? '');
    if (m) {
      cpu = Number(m[1]) + Number(m[2]);
      maxRssKb = Number(m[3]);
    }
  }
  return { wall, cpu, maxRssKb, stdout: r.stdout ?? '', status: r.status };
}

async function run(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const { dir, runs, jobs } = args;
  const cli = join(ROOT, 'bin', 'gopitfix.js');
  if (args.ladderOnly) {
    const scratch = mkdtempSync(join(tmpdir(), 'gopitfix-bench-'));
    ladder(cli, jobs, scratch, args.ladderFull);
    rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
  const t0 = performance.now();
  await initEngine();
  const initMs = performance.now() - t0;

  const times: number[] = [];
  const cpus: number[] = [];
  let last: BatchSummary | undefined;
  let files: ReturnType<typeof discover> = [];
  let diffBytes = 0;
  const scratch = mkdtempSync(join(tmpdir(), 'gopitfix-bench-'));
  for (let i = 0; i < runs; i++) {
    // A cold run as a user's first one: an empty result cache, filled as it goes.
    const cacheDir = join(scratch, `cold-cache-${i}`);
    const start = performance.now();
    const cpu0 = cpuSeconds();
    files = discover([dir], { cwd: dir });
    diffBytes = 0;
    last = await scanBatch(
      files,
      {
        rules: allRules,
        jobs,
        settings: {
          includeGenerated: false,
          prefilter: true,
          goVersion: null,
          fixDiffs: false,
          replacements: false,
          fileDiff: true,
          output: false,
          cacheDir,
        },
      },
      {
        onError: () => {},
        onResult: (file, result) => {
          if (result.fileDiff) diffBytes += filePatch(file, result.fileDiff).length;
        },
      },
    );
    times.push((performance.now() - start) / 1000);
    cpus.push(cpuSeconds() - cpu0);
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const s = last!;
  const mb = s.bytesScanned / 1e6;
  const med = median(times);
  const out = [
    `corpus     ${dir}`,
    `rules      ${allRules.map((r) => r.meta.id).join(', ') || '(none registered)'}`,
    `files      ${s.filesScanned} scanned, ${s.filesParsed} parsed (${files.length} discovered, ${s.filesSkippedNoTrigger} without any rule trigger, ${s.filesSkippedGenerated} generated skipped, ${s.errors.length} errors)`,
    `size       ${mb.toFixed(1)} MB`,
    `findings   ${s.findings} (${s.fixable} fixable) in ${s.filesWithFindings} files; ${s.filesChanged} files would change (${(diffBytes / 1024).toFixed(0)} KB of diff)`,
    `init       ${initMs.toFixed(0)} ms (grammar load in the main thread, once; each worker loads it once too)`,
    `jobs       ${jobs} worker threads`,
    `runs       ${runs}: ${times.map((t) => t.toFixed(2) + 's').join(' ')} (CPU ${cpus.map((t) => t.toFixed(1) + 's').join(' ')})`,
    `median     ${med.toFixed(2)} s wall, ${median(cpus).toFixed(1)} s CPU`,
    `throughput ${(mb / med).toFixed(1)} MB/s`,
    `peak RSS   ${peakRssMb.toFixed(0)} MB (whole process, workers included)`,
  ];
  process.stdout.write(out.join('\n') + '\n');

  // Warm: the CLI end to end (node start-up, discovery, workers), the cache filled by
  // one untimed run first; a dry run with diffs on stdout, as in the cold runs.
  let warmMed: number | null = null;
  let warmCpu: number | null = null;
  if (args.warm) {
    const cacheDir = join(scratch, 'warm-cache');
    const warmArgs = [cli, '--cache-dir', cacheDir, '--quiet', '--jobs', String(jobs), '.'];
    timed(process.execPath, warmArgs, dir);
    const wt: number[] = [];
    const wc: number[] = [];
    let wr = 0;
    for (let i = 0; i < runs; i++) {
      const r = timed(process.execPath, warmArgs, dir);
      wt.push(r.wall);
      if (r.cpu !== null) wc.push(r.cpu);
      if (r.maxRssKb !== null) wr = Math.max(wr, r.maxRssKb / 1024);
    }
    warmMed = median(wt);
    if (wc.length) warmCpu = median(wc);
    process.stdout.write(
      `warm       CLI end to end, result cache filled: ${wt.map((t) => t.toFixed(2) + 's').join(' ')}; median ${warmMed.toFixed(2)} s wall` +
        (wc.length ? `, ${median(wc).toFixed(2)} s CPU` : '') +
        (wr ? `, peak RSS ${wr.toFixed(0)} MB` : '') +
        `; ${(med / warmMed).toFixed(1)}x faster than cold\n`,
    );
  }

  if (args.astGrep) {
    const bin = astGrepBinary();
    if (!bin) {
      process.stdout.write('ast-grep   not installed (npm install: @ast-grep/cli is a devDependency); comparison skipped\n');
    } else {
      // Exactly the files gopitfix scanned, so both tools read the same tree.
      const list = files.filter((f) => !f.error).map((f) => relative(dir, f.absPath));
      const config = join(ROOT, 'bench', 'ast-grep', 'sgconfig.yml');
      const rulesDir = join(ROOT, 'bench', 'ast-grep', 'rules');
      const ids = readdirSync(rulesDir).filter((n) => n.endsWith('.yml')).map((n) => n.slice(0, -4)).sort();
      const agTimes: number[] = [];
      const agCpus: number[] = [];
      let agRss = 0;
      let matches = 0;
      for (let i = 0; i < runs; i++) {
        const r = timed(bin, ['scan', '-c', config, '--json=stream', ...list], dir);
        if (r.status !== 0 && r.status !== 1) throw new Error(`ast-grep exited with ${r.status}`);
        agTimes.push(r.wall);
        if (r.cpu !== null) agCpus.push(r.cpu);
        if (r.maxRssKb !== null) agRss = Math.max(agRss, r.maxRssKb / 1024);
        matches = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
      }
      const agMed = median(agTimes);
      const cpuText = agCpus.length ? `, ${median(agCpus).toFixed(1)} s CPU` : '';
      process.stdout.write(
        [
          `ast-grep   ${spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()}, rules ${ids.join(', ')}: ${matches} matches`,
          `  runs     ${agTimes.map((t) => t.toFixed(2) + 's').join(' ')}; median ${agMed.toFixed(2)} s wall${cpuText}, ${(mb / agMed).toFixed(1)} MB/s${agRss ? `, peak RSS ${agRss.toFixed(0)} MB` : ''}`,
          `ratio      cold: gopitfix is ${(agMed / med).toFixed(2)}x ast-grep's speed (wall)` +
            (agCpus.length ? `, ${(median(agCpus) / median(cpus)).toFixed(2)}x (CPU)` : ''),
          ...(warmMed !== null
            ? [
                `           warm: gopitfix is ${(agMed / warmMed).toFixed(2)}x ast-grep's speed (wall)` +
                  // CPU too: on a loaded machine the wall ratio flatters a one-thread warm run.
                  (warmCpu !== null && agCpus.length ? `, ${(median(agCpus) / warmCpu).toFixed(2)}x (CPU)` : ''),
              ]
            : []),
        ].join('\n') + '\n',
      );
    }
  }

  // A single-file run end to end, as a user (or an editor on save) runs it.
  const one = files.find((f) => !f.error && f.absPath.endsWith('/context/context.go')) ?? files.find((f) => !f.error);
  if (one) {
    const singles: number[] = [];
    for (let i = 0; i < Math.max(5, runs); i++) singles.push(timed(process.execPath, [cli, '--no-cache', one.absPath], dir).wall);
    process.stdout.write(`single     ${relative(dir, one.absPath)}: median ${(median(singles) * 1000).toFixed(0)} ms end to end (${singles.length} runs)\n`);
  }

  manyFixes();
  longFunction();
  jsonBySize(jobs);
  if (args.ladder) ladder(cli, jobs, scratch, args.ladderFull);
  rmSync(scratch, { recursive: true, force: true });
}

/** Package rungs: files x lines. Cost per MB and peak RSS should stay flat up the ladder. */
const RUNGS: [number, number][] = process.env.GOPITFIX_LADDER ? JSON.parse(process.env.GOPITFIX_LADDER) : [
  [10, 1000],
  [50, 1000],
  [200, 1000],
  // Many small files: what grows with the file count (questions asked of every sibling).
  [800, 1000],
  [20, 10000],
  [50, 20000],
];

function ladder(cli: string, jobs: number, scratch: string, full: boolean): void {
  const rungs = full ? [...RUNGS, [300, 25000] as [number, number]] : RUNGS;
  process.stdout.write(`ladder     one generated package per rung (bench/gen-corpus.ts), CLI run without cache, --jobs ${jobs}\n`);
  process.stdout.write(`  ${'files x lines'.padEnd(15)} ${'MB'.padStart(6)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(7)} ${'CPU s/MB'.padStart(9)} ${'peak RSS MB'.padStart(12)}\n`);
  // The issue's flatness bounds are read from 1 MB up: below it a run is mostly start-up.
  const perMbs: number[] = [];
  const rssMbs: number[] = [];
  for (const [n, l] of rungs) {
    const dir = join(scratch, `ladder-${n}x${l}`);
    const mb = generatePackage(dir, n, l) / 1e6;
    const r = timed(process.execPath, [cli, '--no-cache', '--quiet', '--jobs', String(jobs), '--check', '.'], dir);
    rmSync(dir, { recursive: true, force: true });
    if (mb >= 1 && r.cpu !== null) perMbs.push(r.cpu / mb);
    if (mb >= 1 && r.maxRssKb !== null) rssMbs.push(r.maxRssKb / 1024);
    const cpu = r.cpu !== null ? r.cpu.toFixed(1) : '?';
    const perMb = r.cpu !== null ? (r.cpu / mb).toFixed(3) : '?';
    const rss = r.maxRssKb !== null ? (r.maxRssKb / 1024).toFixed(0) : '?';
    process.stdout.write(
      `  ${`${n} x ${l}`.padEnd(15)} ${mb.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(7)} ${cpu.padStart(7)} ${perMb.padStart(9)} ${rss.padStart(12)}${r.status !== 0 && r.status !== 1 ? `  (exit ${r.status})` : ''}\n`,
    );
  }
  const spread = (xs: number[]) => (xs.length > 1 ? `${(Math.max(...xs) / Math.min(...xs)).toFixed(2)}x` : '?');
  process.stdout.write(`  from 1 MB up: CPU per MB ${spread(perMbs)}, peak RSS ${spread(rssMbs)} (dearest / cheapest rung; bound 1.5x)\n`);
}

run().then(
  () => process.exit(),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);

/**
 * One generated 2 MB file with 3,000 fixes (issue 16: such a file took 156 s and 1 GB when
 * the cost grew with fixes × file size): a dry run (the whole-file diff), --json (every
 * fix's own diff) and --write, each end to end through the CLI.
 */
function manyFixes(): void {
  const N = 3000;
  const pad = `// ${'padding '.repeat(22)}\n`;
  let src = 'package p\n\nimport (\n\t"context"\n\t"time"\n)\n\n';
  for (let i = 0; i < N; i++) {
    src += `// f${i} does things.\n${pad}${pad}${pad}func f${i}(parent context.Context) error {\n\tctx, _ := context.WithTimeout(parent, time.Second)\n\treturn ctx.Err()\n}\n\n`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-bench-'));
  try {
    writeFileSync(join(dir, 'many.go'), src);
    const cli = join(ROOT, 'bin', 'gopitfix.js');
    const parts: string[] = [];
    for (const [name, flags] of [['dry run', []], ['--json', ['--json']], ['--write', ['--write']]] as const) {
      const r = timed(process.execPath, [cli, '--no-cache', '--jobs', '1', '--rules', 'defer-cancel', ...flags, 'many.go'], dir);
      if (r.status !== 0) throw new Error(`many-fixes ${name}: exit ${r.status}`);
      parts.push(`${name} ${r.wall.toFixed(1)} s${r.cpu !== null ? ` (CPU ${r.cpu.toFixed(1)} s)` : ''}${r.maxRssKb !== null ? `, ${(r.maxRssKb / 1024).toFixed(0)} MB` : ''}`);
    }
    process.stdout.write(`many fixes ${(src.length / 1e6).toFixed(1)} MB, ${N} fixes in one file: ${parts.join('; ')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One function of 400, then of 1,600 blocks (~8k and ~34k lines), each file alone, CLI
 * uncached, `--jobs 1`: CPU per MB should not grow with the function (at ea942a0's rules,
 * 1,600 blocks took 85 s of CPU; asking every statement's siblings or every binding in
 * sight again for each fix or send made it quadratic).
 */
function longFunction(): void {
  const cli = join(ROOT, 'bin', 'gopitfix.js');
  const parts: string[] = [];
  const perMb: number[] = [];
  for (const blocks of [400, 1600]) {
    const dir = mkdtempSync(join(tmpdir(), 'gopitfix-bench-long-'));
    try {
      const mb = generateLongFunction(dir, blocks) / 1e6;
      const r = timed(process.execPath, [cli, '--no-cache', '--quiet', '--jobs', '1', '--check', '.'], dir);
      if (r.status !== 0 && r.status !== 1) throw new Error(`long function of ${blocks} blocks: exit ${r.status}`);
      if (r.cpu !== null) perMb.push(r.cpu / mb);
      parts.push(`${blocks} blocks ${mb.toFixed(2)} MB: ${r.wall.toFixed(1)} s${r.cpu !== null ? ` (CPU ${r.cpu.toFixed(1)} s, ${(r.cpu / mb).toFixed(1)} s/MB)` : ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ratio = perMb.length === 2 ? `; CPU per MB ${(perMb[1] / perMb[0]).toFixed(2)}x from the short to the long` : '';
  process.stdout.write(`long func  one function per file: ${parts.join('; ')}${ratio}\n`);
}

/**
 * --json (what CI runs: every fix with its own gofmt'ed diff) on the same bytes in small
 * and in big files: 200 files of 1k lines, then 20 of 10k, uncached, at --jobs. CPU per MB
 * should not grow with the file: each fix's own diff was formatted reading the whole file,
 * so 20 files of 25k lines took 93 s of CPU with --json against 35 s without.
 */
function jsonBySize(jobs: number): void {
  const cli = join(ROOT, 'bin', 'gopitfix.js');
  const parts: string[] = [];
  const perMb: number[] = [];
  for (const [n, l] of [
    [200, 1000],
    [20, 10000],
  ]) {
    const dir = mkdtempSync(join(tmpdir(), 'gopitfix-bench-json-'));
    try {
      const mb = generatePackage(dir, n, l) / 1e6;
      const r = timed(process.execPath, [cli, '--no-cache', '--json', '--jobs', String(jobs), '.'], dir);
      if (r.status !== 0 && r.status !== 1) throw new Error(`--json on ${n} x ${l}: exit ${r.status}`);
      if (r.cpu !== null) perMb.push(r.cpu / mb);
      parts.push(`${n} x ${l} ${mb.toFixed(1)} MB: ${r.wall.toFixed(1)} s${r.cpu !== null ? ` (CPU ${r.cpu.toFixed(1)} s, ${(r.cpu / mb).toFixed(2)} s/MB)` : ''}${r.maxRssKb !== null ? `, ${(r.maxRssKb / 1024).toFixed(0)} MB` : ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ratio = perMb.length === 2 ? `; CPU per MB ${(perMb[1] / perMb[0]).toFixed(2)}x from small to big files` : '';
  process.stdout.write(`json       --json, same bytes: ${parts.join('; ')}${ratio}\n`);
}
