// The stat index (src/run/stat-index.ts): a file is settled without being read only
// while its stat record, its directory's .go files, its go.mod and its profile are those
// of a trusted record; every other case takes the normal path. The normal path here is a
// stand-in whose result is a digest of everything a real result may depend on (the file's
// bytes, its siblings' bytes, go.mod, the profile), so a stale result served from the index
// shows as a mismatch with a fresh computation. The racy window is real time: a run passes
// `at` (its start) explicitly, later than the files' times where a test means "long after".
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearModuleCache } from '../src/go/version.js';
import { RACY_MS, runWithStatIndex, StatIndex, statIndexPath } from '../src/run/stat-index.js';
import { trimCache } from '../src/run/cache.js';
import { empty, type Profile, type Task, type TaskSettings, type WireResult } from '../src/run/task.js';
import { runCli, tempTrees } from './support/cli.js';

const tree = tempTrees('gopitfix-statix-');

const PROFILE: Profile = { ruleIds: ['hoist-wg-add'], ruleOptions: {}, go: null, tests: null };

function settings(cacheDir: string): TaskSettings & { cacheDir: string } {
  return { includeGenerated: false, prefilter: true, goVersion: null, fixDiffs: true, replacements: false, fileDiff: true, output: false, cacheDir };
}

function goFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${n}` : n;
    if (statSync(join(dir, p)).isDirectory()) out.push(...goFiles(dir, p));
    else if (n.endsWith('.go')) out.push(p);
  }
  return out;
}

function nearestGoMod(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'go.mod'))) return readFileSync(join(d, 'go.mod'), 'utf8');
    if (dirname(d) === d) return '';
  }
}

/** What the normal path "computes": a digest of every input a real result depends on. */
function fresh(task: Task, profile: Profile): WireResult {
  const dir = dirname(task.absPath);
  const h = createHash('sha256');
  h.update(readFileSync(task.absPath));
  for (const n of readdirSync(dir).filter((n) => n.endsWith('.go')).sort()) h.update(`\0${n}\0`).update(readFileSync(join(dir, n)));
  h.update(nearestGoMod(dir)).update(JSON.stringify(profile));
  const pos = { line: 1, column: 1 };
  return {
    ...empty(task.index, 'ok'),
    bytes: statSync(task.absPath).size,
    findings: [{ rule: 'digest', message: h.digest('hex'), file: task.displayPath, start: pos, end: pos, fix: null, noFixReason: null }],
  };
}

interface Outcome {
  /** Files the normal path ran. */
  ran: string[];
  /** Files settled from the index. */
  served: string[];
}

/** One run over every .go file of dir; checks each result against a fresh computation. */
async function run(dir: string, cache: string, opts: { at?: number; profile?: Profile } = {}): Promise<Outcome> {
  clearModuleCache();
  const profile = opts.profile ?? PROFILE;
  const files = goFiles(dir);
  const tasks: Task[] = files.map((rel, index) => ({ index, absPath: join(dir, rel), displayPath: rel, profile: 0 }));
  const ran: string[] = [];
  const got: WireResult[] = [];
  await runWithStatIndex(
    tasks,
    new Map([[0, profile]]),
    settings(cache),
    (r) => got.push(r),
    async (rest, cb) => {
      for (const t of rest) {
        ran.push(t.displayPath);
        cb(fresh(t, profile));
      }
    },
    opts.at,
  );
  expect(got.map((r) => r.index)).toEqual(tasks.map((t) => t.index));
  for (const t of tasks) expect(got[t.index].findings, t.displayPath).toEqual(fresh(t, profile).findings);
  const served = got.filter((r) => r.cache?.statIndex).map((r) => files[r.index]);
  expect([...ran, ...served].sort()).toEqual([...files].sort());
  return { ran, served };
}

/** A run start far enough after every file's times for records to be trusted. */
const later = () => Date.now() + RACY_MS + 1000;

function project() {
  return {
    dir: tree({
      'go.mod': 'module example.com/p\n\ngo 1.21\n',
      'a/main.go': 'package a\n\nfunc f() {}\n',
      'a/types.go': 'package a\n\ntype T struct{}\n',
      'b/b.go': 'package b\n\nfunc g() {}\n',
    }),
    cache: tree(),
  };
}

describe('stat index: an unchanged tree is settled without reading', () => {
  it('a second run serves every file; an index written by a racy run does not', async () => {
    const { dir, cache } = project();
    expect((await run(dir, cache, { at: later() })).ran).toHaveLength(3);
    expect(await run(dir, cache, { at: later() })).toEqual({ ran: [], served: ['a/main.go', 'a/types.go', 'b/b.go'] });
  });

  it('racy mtime: files changed within RACY_MS before the recording run are checked again, then trusted', async () => {
    const { dir, cache } = project();
    // Recorded by a run that started right after the files were written: untrusted.
    await run(dir, cache);
    expect((await run(dir, cache)).served).toEqual([]);
    // Recorded again by a run long after the files' times: trusted from then on.
    await run(dir, cache, { at: later() });
    expect((await run(dir, cache)).served).toHaveLength(3);
  });
});

describe('stat index: invalidation', () => {
  it('a file edited with the same size and its old mtime is run again, with its siblings', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    const p = join(dir, 'a/types.go');
    const { atime, mtime } = statSync(p);
    writeFileSync(p, 'package a\n\ntype U struct{}\n');
    utimesSync(p, atime, mtime);
    const r = await run(dir, cache, { at: later() });
    expect(r.ran).toEqual(['a/main.go', 'a/types.go']);
    expect(r.served).toEqual(['b/b.go']);
  });

  it('a file touched (same bytes, new times) is run again, then served', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    const t = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'b/b.go'), t, t);
    expect((await run(dir, cache, { at: later() + 5000 })).ran).toEqual(['b/b.go']);
    expect((await run(dir, cache, { at: later() + 5000 })).ran).toEqual([]);
  });

  it('a sibling added or removed reruns its package only', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    writeFileSync(join(dir, 'a/extra.go'), 'package a\n\nvar x int\n');
    let r = await run(dir, cache, { at: later() });
    expect(r.ran).toEqual(['a/extra.go', 'a/main.go', 'a/types.go']);
    expect(r.served).toEqual(['b/b.go']);
    rmSync(join(dir, 'a/extra.go'));
    r = await run(dir, cache, { at: later() });
    expect(r.ran).toEqual(['a/main.go', 'a/types.go']);
    // A non-Go file is not a sibling.
    writeFileSync(join(dir, 'a/notes.txt'), 'x');
    expect((await run(dir, cache, { at: later() })).ran).toEqual([]);
  });

  it("a changed go.mod `go` line, or a go.mod added below it, reruns the files it governs", async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/p\n\ngo 1.22\n');
    expect((await run(dir, cache, { at: later() })).ran).toHaveLength(3);
    writeFileSync(join(dir, 'b/go.mod'), 'module example.com/b\n\ngo 1.20\n');
    const r = await run(dir, cache, { at: later() });
    expect(r.ran).toEqual(['b/b.go']);
  });

  it('a changed profile (rule option, tests switch, config go) reruns', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    for (const profile of [
      { ...PROFILE, ruleOptions: { 'hoist-wg-add': { x: 1 } } },
      { ...PROFILE, tests: true },
      { ...PROFILE, go: { major: 1, minor: 20 } },
    ]) {
      expect((await run(dir, cache, { at: later(), profile })).ran).toHaveLength(3);
      expect((await run(dir, cache, { at: later(), profile })).ran).toHaveLength(0);
    }
  });

  it('a run with other settings uses another index', () => {
    const cache = tree();
    const a = statIndexPath(cache, settings(cache));
    expect(statIndexPath(cache, { ...settings(cache), context: 1 })).not.toBe(a);
    expect(statIndexPath(cache, { ...settings(cache), goVersion: { major: 1, minor: 21 } })).not.toBe(a);
    expect(statIndexPath(cache, { ...settings(cache), output: true })).not.toBe(a);
    expect(statIndexPath(cache, settings(cache))).toBe(a);
  });
});

describe('stat index: robustness', () => {
  it('a corrupt, truncated or foreign index is ignored and replaced', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    const p = statIndexPath(cache, settings(cache));
    const good = readFileSync(p, 'utf8');
    for (const bad of [good.slice(0, good.length >> 1), 'null', '{"format":"gopitfix-stat-index-2","id":"x","dirs":{}}', good.replace(/"bytes":\d+/g, '"bytes":"many"')]) {
      writeFileSync(p, bad);
      expect((await run(dir, cache, { at: later() })).ran).toHaveLength(3);
      JSON.parse(readFileSync(p, 'utf8'));
      expect((await run(dir, cache, { at: later() })).ran).toHaveLength(0);
    }
  });

  it('a stale index (every record of another tree state) serves nothing wrong', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    const p = statIndexPath(cache, settings(cache));
    const old = readFileSync(p);
    writeFileSync(join(dir, 'a/main.go'), 'package a\n\nfunc f() { println() }\n');
    writeFileSync(join(dir, 'b/b.go'), 'package b\n\nfunc g() { println() }\n');
    await run(dir, cache, { at: later() });
    // Another run puts the old index back (say, a concurrent run that read it earlier).
    writeFileSync(p, old);
    expect((await run(dir, cache, { at: later() })).ran).toEqual(['a/main.go', 'a/types.go', 'b/b.go']);
  });

  it('two runs saving at once leave one complete index', () => {
    const cache = tree();
    const s = settings(cache);
    const p = statIndexPath(cache, s);
    const dir = tree({ 'go.mod': 'module m\n\ngo 1.21\n', 'x.go': 'package x\n' });
    const t: Task = { index: 0, absPath: join(dir, 'x.go'), displayPath: 'x.go', profile: 0 };
    const a = new StatIndex(p, s);
    const b = new StatIndex(p, s);
    for (const ix of [a, b]) {
      const l = ix.lookup(t, PROFILE);
      expect('facts' in l).toBe(true);
      ix.record(t, 'facts' in l ? l.facts : null, fresh(t, PROFILE));
    }
    a.save();
    b.save();
    const data = JSON.parse(readFileSync(p, 'utf8'));
    expect(Object.keys(data.dirs)).toEqual([dir]);
    expect(Object.keys(data.dirs[dir].f)).toEqual(['x.go']);
    expect(readdirSync(dirname(p)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('stat index: bounded', () => {
  it('trimming counts index files with the entries and removes stale temp files', async () => {
    const { dir, cache } = project();
    await run(dir, cache, { at: later() });
    const p = statIndexPath(cache, settings(cache));
    const tmp = `${p}.tmp-1-0-abcd`;
    writeFileSync(tmp, 'x');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(tmp, old, old);
    expect(trimCache(cache, 1e9).entries).toBe(1);
    expect(existsSync(tmp)).toBe(false);
    expect(trimCache(cache, 10).removed).toBe(1);
    expect(existsSync(p)).toBe(false);
  });
});

describe('stat index: end to end', () => {
  it('a standard-library sample settled without reading prints the uncached bytes in every format', () => {
    const src = '/usr/share/go-1.19/src';
    const pick = (d: string, n: number) =>
      readdirSync(join(src, d))
        .filter((f) => f.endsWith('.go'))
        .sort()
        .slice(0, n)
        .map((f) => [`${d}/${f}`, readFileSync(join(src, d, f))] as const);
    const dir = tree({ 'go.mod': 'module std\n\ngo 1.19\n', ...Object.fromEntries([...pick('context', 6), ...pick('net/http', 14), ...pick('sync', 6)]) });
    const cache = tree();
    // Left alone for longer than the racy window before the run that records them.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RACY_MS + 100);
    for (const args of [['--json'], ['--format', 'sarif'], []]) {
      const plain = runCli(dir, ['--no-cache', ...args]);
      runCli(dir, ['--cache-dir', cache, ...args]);
      const warm = runCli(dir, ['--cache-dir', cache, '--stats', ...args]);
      // --json prints no summary on stderr; the other formats say every file was settled unread.
      if (args[0] !== '--json') expect(warm.stderr).toMatch(/cache +\d+ hits, 0 stored, 26 files not read \(stat index\)/);
      expect(warm.stdout).toBe(plain.stdout);
      expect(warm.code).toBe(plain.code);
    }
    expect(JSON.parse(runCli(dir, ['--cache-dir', cache, '--json']).stdout).findings.length).toBeGreaterThan(0);
  });
});
