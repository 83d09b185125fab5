// Issue 16 #9: --jobs never changes results, even for code nested deeply enough to
// exhaust the main thread's smaller stack (such a file is run again on a worker thread);
// and the summary counts files that failed, not failures.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempTrees } from './support/cli.js';
import { batches } from '../src/run/pool.js';
import type { Task } from '../src/run/task.js';
import { generatePackage } from '../bench/gen-corpus.js';

const temp = tempTrees('gopitfix-jobs-');
const deep = (d: number, extra = '') =>
  `package p\n\nimport (\n\t"context"\n\t"sync"\n\t"time"\n)\n\nfunc g(parent context.Context, wg *sync.WaitGroup) int {\n\tctx, _ := context.WithTimeout(parent, time.Second)\n\t_ = ctx\n${extra}\treturn ${'('.repeat(d)}1${')'.repeat(d)}\n}\n`;

describe('deep nesting and --jobs', () => {
  it('a 6,000-deep expression gives the same result with --jobs 1 and --jobs 2', () => {
    // Two directories: the pool runs them on two workers with --jobs 2.
    const dir = temp({ 'x/c.go': deep(6000), 'y/b.go': 'package p\n' });
    const one = runCli(dir, ['--jobs', '1', '--json', '.']);
    const two = runCli(dir, ['--jobs', '2', '--json', '.']);
    expect(one.stdout).toBe(two.stdout);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(JSON.parse(one.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual(['defer-cancel']);
  });

  it('a file on which two rules fail counts as one failed file', () => {
    const dir = temp({ 'x/c.go': deep(40000, '\tgo func() {\n\t\twg.Add(1)\n\t\tdefer wg.Done()\n\t}()\n'), 'y/b.go': 'package p\n' });
    const r = runCli(dir, ['--jobs', '1', '.']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/x\/c\.go: internal error in rule defer-cancel: .*; internal error in rule hoist-wg-add: /);
    expect(r.stderr).toMatch(/; 1 file could not be processed\n$/);
    const json = runCli(dir, ['--jobs', '2', '--json', '.']);
    expect(JSON.parse(json.stdout).summary.errors).toHaveLength(1);
  });
});

describe('one package on every core', () => {
  const tasks = (dir: string, files: Record<string, number>): Task[] =>
    Object.entries(files).map(([name, size], index) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), 'x'.repeat(size));
      return { index, absPath: join(dir, name), displayPath: name, profile: 0 };
    });
  const shape = (b: Task[][]) => b.map((x) => x.map((t) => t.displayPath).join(' '));

  it('halves the biggest batches until each worker has one, when the files hold 512 KB or more', () => {
    const t = tasks(temp(), { 'p/a.go': 200_000, 'p/b.go': 200_000, 'p/c.go': 200_000, 'q/d.go': 10 });
    expect(shape(batches(t, 1))).toEqual(['p/a.go p/b.go p/c.go', 'q/d.go']);
    expect(shape(batches(t, 2))).toEqual(['p/a.go p/b.go p/c.go', 'q/d.go']);
    expect(shape(batches(t, 3))).toEqual(['p/a.go p/b.go', 'p/c.go', 'q/d.go']);
    expect(shape(batches(t, 8))).toEqual(['p/a.go', 'p/b.go', 'p/c.go', 'q/d.go']);
  });

  it('leaves a small package whole: the main thread finishes it before workers would start', () => {
    const t = tasks(temp(), { 'p/a.go': 200_000, 'p/b.go': 200_000 });
    expect(shape(batches(t, 4))).toEqual(['p/a.go p/b.go']);
    expect(shape(batches(t.slice(0, 1), 4))).toEqual(['p/a.go']);
  });

  it('a package split over two workers gives the results of --jobs 1', () => {
    const dir = temp();
    expect(generatePackage(dir, 12, 2200)).toBeGreaterThan(512 * 1024); // split in two
    const one = runCli(dir, ['--jobs', '1', '--json', '--no-cache', '.']);
    const two = runCli(dir, ['--jobs', '2', '--json', '--no-cache', '.']);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(one.stdout).findings.length).toBeGreaterThan(40);
  });
});
