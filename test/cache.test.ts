// The result cache (src/run/cache.ts): whatever a file's result depends on invalidates
// its entry (its bytes, a sibling's bytes, a rule option, the go.mod `go` line), corrupt
// and foreign entries are ignored, and every output is byte-identical with and without
// the cache. Each check compares a cached run with a --no-cache run of the same tree and
// with the run before the change (so a stale entry cannot pass unnoticed).
import { cpSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryFingerprint, forgetDirectories, trimCache } from '../src/run/cache.js';
import { runCli, tempTrees, writeTree } from './support/cli.js';
import { stripExpectations } from '../src/testing/want.js';

const ROOT = join(import.meta.dirname, '..');

const tree = tempTrees('gopitfix-cache-');

const MAIN = `package p

func (s *Server) start() {
	go func() {
		s.wg.Add(1)
		defer s.wg.Done()
	}()
}

func f(xs []int) {
	for _, x := range xs {
		go func() { println(x) }()
	}
}
`;
const TYPES_PROVEN = 'package p\n\nimport "sync"\n\ntype Server struct{ wg sync.WaitGroup }\n';
const TYPES_EMBEDDED = 'package p\n\nimport "sync"\n\ntype base struct{ wg sync.WaitGroup }\n\ntype Server struct{ base }\n';
// A client whose one request is visible, has no deadline and is read in full: http-client-timeout fixes it.
const CLIENT =
  'package p\n\nimport "net/http"\n\nvar c = &http.Client{}\n\nfunc status(u string) (int, error) {\n\tresp, err := c.Get(u)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tresp.Body.Close()\n\treturn resp.StatusCode, nil\n}\n';

function project(): { dir: string; cache: string } {
  const dir = tree({
    'go.mod': 'module example.com/p\n\ngo 1.21\n',
    'main.go': MAIN,
    'types.go': TYPES_PROVEN,
    'client.go': CLIENT,
  });
  return { dir, cache: tree() };
}

/** Result entry files of a cache directory (not the directory stat records). */
function entries(cache: string, kind: 'result' | 'directory' = 'result'): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.json')) {
        let isDir = false;
        try {
          isDir = JSON.parse(readFileSync(p, 'utf8')).value?.kind === 'directory';
        } catch {
          // a corrupted entry counts as a result entry
        }
        if (isDir === (kind === 'directory')) out.push(p);
      }
    }
  };
  walk(cache);
  return out;
}

/** Entry path -> inode: a hit leaves an entry's inode alone, a store renames a new file in. */
function inodes(cache: string): Map<string, number> {
  return new Map(entries(cache).map((f) => [f, statSync(f).ino]));
}

/** A run with the cache and one without: same exit code and stdout. Returns the cached run and its cache use. */
function both(dir: string, cache: string, args: string[]) {
  const before = inodes(cache);
  const cached = runCli(dir, ['--cache-dir', cache, ...args]);
  const after = inodes(cache);
  const plain = runCli(dir, ['--no-cache', ...args]);
  expect(cached.stdout).toBe(plain.stdout);
  expect(cached.code).toBe(plain.code);
  let hits = 0;
  let stored = 0;
  for (const [f, ino] of after) {
    if (before.get(f) === ino) hits++;
    else stored++;
  }
  return { ...cached, hits, stored };
}

describe('result cache: invalidation', () => {
  it('an unchanged tree is served from the cache; a changed file is run again', () => {
    const { dir, cache } = project();
    const first = both(dir, cache, ['--json']);
    expect(first.hits).toBe(0);
    expect(first.stored).toBe(3);
    const again = both(dir, cache, ['--json']);
    expect(again.hits).toBe(3);
    expect(again.stored).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    writeFileSync(join(dir, 'main.go'), MAIN.replace('println(x)', 'println(x, 1)'));
    const changed = both(dir, cache, ['--json']);
    expect(changed.stdout).not.toBe(first.stdout);
    // main.go changed, and its siblings see a changed package: three new entries.
    expect(changed.stored).toBe(3);
  });

  it('a changed sibling file invalidates the files of its package', () => {
    const { dir, cache } = project();
    const before = both(dir, cache, ['--check']);
    expect(before.stdout).toMatch(/main\.go:5:3: hoist-wg-add: .*runs Add\n/);
    writeFileSync(join(dir, 'types.go'), TYPES_EMBEDDED);
    const after = both(dir, cache, ['--check']);
    expect(after.stdout).toMatch(/main\.go:5:3: hoist-wg-add: .*could not be proven/);
  });

  it('a changed rule option invalidates', () => {
    const { dir, cache } = project();
    writeFileSync(join(dir, 'gopitfix.json'), '{"rules":{"http-client-timeout":{"timeout":"10s"}}}');
    const ten = both(dir, cache, []);
    expect(ten.stdout).toContain('Timeout: 10 * time.Second');
    writeFileSync(join(dir, 'gopitfix.json'), '{"rules":{"http-client-timeout":{"timeout":"20s"}}}');
    const twenty = both(dir, cache, []);
    expect(twenty.stdout).toContain('Timeout: 20 * time.Second');
    // --context changes the rendered diff: another entry, not the dry run's.
    const wide = both(dir, cache, ['--context', '0']);
    expect(wide.stdout).not.toBe(twenty.stdout);
  });

  it('the tests switch invalidates (it turns the HTTP rules on in test code)', () => {
    const { dir, cache } = project();
    writeFileSync(join(dir, 'api_test.go'), stripExpectations(readFileSync(join(ROOT, 'fixtures/http-client-timeout/value.input.go'), 'utf8')));
    const args = ['--json', '--rules', 'http-client-timeout'];
    // client.go's client is fixed either way; api_test.go's only with --tests=true.
    expect(JSON.parse(both(dir, cache, args).stdout).summary.fixable).toBe(1);
    expect(JSON.parse(both(dir, cache, [...args, '--tests=true']).stdout).summary.fixable).toBe(2);
  });

  it("a changed go.mod `go` line invalidates (and so does --go)", () => {
    const { dir, cache } = project();
    const old = both(dir, cache, ['--check']);
    expect(old.stdout).toContain('capture-loop-var');
    writeFileSync(join(dir, 'go.mod'), 'module example.com/p\n\ngo 1.22\n');
    const modern = both(dir, cache, ['--check']);
    expect(modern.stdout).not.toContain('capture-loop-var');
    const forced = both(dir, cache, ['--check', '--go', '1.20']);
    expect(forced.stdout).toContain('capture-loop-var');
  });
});

describe('result cache: directory records', () => {
  it('a warm run trusts the stat record of settled files; a same-size edit with the old mtime still invalidates', () => {
    const { dir, cache } = project();
    // Records are trusted only for files left alone for 2 s before they were hashed.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    const first = both(dir, cache, ['--check']);
    const [record] = entries(cache, 'directory');
    expect(record).toBeDefined();
    const recordIno = statSync(record).ino;
    const again = both(dir, cache, ['--check']);
    expect(entries(cache, 'directory')).toEqual([record]);
    expect(statSync(record).ino).toBe(recordIno);
    // Nothing stored again: neither the results nor the directory's record.
    expect(again.stored).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    // The stat index (src/run/stat-index.ts) settles all three without reading them.
    expect(runCli(dir, ['--cache-dir', cache, '--check', '--stats']).stderr).toMatch(/cache +3 hits, 0 stored, 3 files not read \(stat index\)/);
    const types = join(dir, 'types.go');
    const { mtime, atime } = statSync(types);
    const edited = TYPES_PROVEN.replace('WaitGroup', 'WaitGroap');
    expect(edited.length).toBe(TYPES_PROVEN.length);
    writeFileSync(types, edited);
    utimesSync(types, atime, mtime);
    const after = both(dir, cache, ['--check']);
    expect(after.stdout).not.toBe(first.stdout);
  });
});

describe('result cache: robustness', () => {
  it('corrupt and foreign entries are ignored and replaced', () => {
    const { dir, cache } = project();
    const first = both(dir, cache, ['--json']);
    const files = entries(cache);
    expect(files).toHaveLength(3);
    // One truncated, one a valid entry of another key (a foreign file), one not JSON at all.
    const text = files.map((f) => readFileSync(f, 'utf8'));
    writeFileSync(files[0], text[0].slice(0, text[0].length >> 1));
    writeFileSync(files[1], text[2]);
    writeFileSync(files[2], Buffer.from([0, 159, 146, 150]));
    // Without the stat index, which could settle the files without reading an entry.
    rmSync(join(cache, 'v1', 'stat'), { recursive: true, force: true });
    const again = both(dir, cache, ['--json']);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stored).toBe(3);
    expect(entries(cache).map((f) => JSON.parse(readFileSync(f, 'utf8')).format)).toEqual(Array(3).fill('gopitfix-result-cache-1'));
    expect(both(dir, cache, ['--json']).hits).toBe(3);
  });

  it('--write from the cache writes exactly what an uncached run writes', () => {
    const { dir, cache } = project();
    const copy = tree();
    cpSync(dir, copy, { recursive: true });
    // Fill the cache in write mode on a third copy, then write both trees.
    const warm = tree();
    cpSync(dir, warm, { recursive: true });
    runCli(warm, ['--cache-dir', cache, '--write', '--allow-dirty', '-q']);
    const a = runCli(dir, ['--cache-dir', cache, '--write', '--allow-dirty', '--stats']);
    const b = runCli(copy, ['--no-cache', '--write', '--allow-dirty']);
    expect(a.code).toBe(b.code);
    expect(a.stderr).toMatch(/cache +3 hits/);
    for (const f of ['main.go', 'types.go', 'client.go']) expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(copy, f), 'utf8'));
    expect(readFileSync(join(dir, 'main.go'), 'utf8')).not.toBe(MAIN);
  });

  it('trimming removes the least recently used entries first and leaves other files alone', () => {
    const cache = tree();
    const name = (i: number) => join(cache, 'v1', 'ab', `${String(i).padStart(62, '0')}.json`);
    const files: Record<string, string> = { 'v1/ab/notes.txt': 'x'.repeat(5000), 'README': 'mine' };
    for (let i = 0; i < 10; i++) files[`v1/ab/${String(i).padStart(62, '0')}.json`] = 'y'.repeat(1000);
    writeTree(cache, files);
    for (let i = 0; i < 10; i++) utimesSync(name(i), new Date(1e12 + i * 1000), new Date(1e12 + i * 1000));
    const r = trimCache(cache, 5000);
    // Down to 80 % of the bound: the four newest stay.
    expect(r).toEqual({ entries: 4, bytes: 4000, removed: 6 });
    const left = readdirSync(join(cache, 'v1', 'ab')).sort();
    expect(left).toEqual([...[6, 7, 8, 9].map((i) => `${String(i).padStart(62, '0')}.json`), 'notes.txt']);
    expect(readFileSync(join(cache, 'README'), 'utf8')).toBe('mine');
  });

  it("a directory's fingerprint covers every .go file's bytes", () => {
    const dir = tree({ 'a.go': 'package p\n', 'b.go': 'package p\n', 'notes.txt': '1' });
    forgetDirectories();
    const h1 = directoryFingerprint(dir);
    writeFileSync(join(dir, 'notes.txt'), '2');
    forgetDirectories();
    expect(directoryFingerprint(dir)).toBe(h1);
    writeFileSync(join(dir, 'b.go'), 'package q\n');
    forgetDirectories();
    expect(directoryFingerprint(dir)).not.toBe(h1);
  });
});

describe('result cache: identical output', () => {
  it('over a standard-library sample, cold, warm and uncached runs print the same bytes', () => {
    const src = '/usr/share/go-1.19/src';
    const pick = (d: string, n: number) =>
      readdirSync(join(src, d))
        .filter((f) => f.endsWith('.go'))
        .sort()
        .slice(0, n)
        .map((f) => [`${d}/${f}`, readFileSync(join(src, d, f))] as const);
    const files = [...pick('net/http', 34), ...pick('context', 6)];
    expect(files).toHaveLength(40);
    const dir = tree({ 'go.mod': 'module std\n\ngo 1.19\n', ...Object.fromEntries(files) });
    const cache = tree();
    for (const args of [['--json'], ['--format', 'sarif'], []]) {
      const plain = runCli(dir, ['--no-cache', ...args]);
      const cold = runCli(dir, ['--cache-dir', cache, ...args]);
      const stored = inodes(cache);
      const warm = runCli(dir, ['--cache-dir', cache, ...args]);
      // Served from the cache: no entry was stored again.
      expect(inodes(cache)).toEqual(stored);
      expect(stored.size).toBeGreaterThan(0);
      expect(cold.stdout).toBe(plain.stdout);
      expect(warm.stdout).toBe(plain.stdout);
      expect(warm.code).toBe(plain.code);
    }
    // The sample has findings, so the comparison means something.
    expect(JSON.parse(runCli(dir, ['--cache-dir', cache, '--json']).stdout).findings.length).toBeGreaterThan(0);
  });
});

describe('result cache: warm runs settle hits before starting workers', () => {
  // A run whose files all hit spawns no worker and loads no grammar; a partly warm run
  // settles its hits in the main thread and sends only the misses to the pool. Either
  // way the output must be the bytes of an uncached run, in the same order, for every --jobs.
  const src = '/usr/share/go-1.19/src';
  const pick = (d: string, n: number) =>
    readdirSync(join(src, d))
      .filter((f) => f.endsWith('.go'))
      .sort()
      .slice(0, n)
      .map((f) => [`${d}/${f}`, readFileSync(join(src, d, f))] as const);
  const sample = () => tree({ 'go.mod': 'module std\n\ngo 1.19\n', ...Object.fromEntries([...pick('context', 6), ...pick('net/http', 20), ...pick('sync', 8)]) });

  it('a fully warm run prints the uncached bytes with --jobs 1 and --jobs 2', () => {
    const dir = sample();
    const cache = tree();
    for (const args of [['--json'], []]) {
      const plain = runCli(dir, ['--no-cache', '--jobs', '2', ...args]);
      runCli(dir, ['--cache-dir', cache, '--jobs', '2', ...args]);
      const stored = inodes(cache);
      for (const jobs of ['1', '2']) {
        const warm = runCli(dir, ['--cache-dir', cache, '--jobs', jobs, ...args]);
        expect(inodes(cache)).toEqual(stored);
        expect(warm.stdout).toBe(plain.stdout);
        expect(warm.code).toBe(plain.code);
      }
    }
    expect(JSON.parse(runCli(dir, ['--cache-dir', cache, '--json']).stdout).findings.length).toBeGreaterThan(0);
  });

  it('a partly warm run (one package changed between warm ones) prints the uncached bytes', () => {
    const dir = sample();
    const cache = tree();
    runCli(dir, ['--cache-dir', cache, '--jobs', '2', '--json']);
    runCli(dir, ['--cache-dir', cache, '--jobs', '2']);
    // Every file of net/http misses (its directory fingerprint changed); context before it
    // and sync after it hit, so results are handed out around the pool's.
    const edited = join(dir, 'net/http', readdirSync(join(dir, 'net/http')).sort()[3]);
    writeFileSync(edited, readFileSync(edited, 'utf8') + '\n// edited\n');
    for (const args of [['--json'], []]) {
      const plain = runCli(dir, ['--no-cache', '--jobs', '2', ...args]);
      for (const jobs of ['2', '1']) {
        const partial = runCli(dir, ['--cache-dir', cache, '--jobs', jobs, ...args, '--stats']);
        const plainJobs = runCli(dir, ['--no-cache', '--jobs', jobs, ...args]);
        expect(plainJobs.stdout).toBe(plain.stdout);
        expect(partial.stdout).toBe(plain.stdout);
        expect(partial.code).toBe(plain.code);
        if (args.length === 0 && jobs === '2') {
          // Really partly warm: some files hit, the edited package was run again.
          const use = /cache\s+(\d+) hits, (\d+) stored/.exec(partial.stderr);
          expect(Number(use?.[1])).toBeGreaterThan(0);
          expect(Number(use?.[2])).toBeGreaterThan(0);
        }
      }
    }
  });
});
