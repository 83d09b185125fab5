// A worker thread that runs out of its heap limit (src/run/heap.ts) must not lose a file
// or hang the run: the file goes back to the queue, the dead worker's replacement (and
// every later worker of the run) gets a larger limit, and only a file that runs out of
// that too gets an error of its own. The test makes a
// worker run out on purpose and deterministically (GOPITFIX_TEST_OOM: the worker exhausts
// its heap when it starts on the named file, only below a given limit); no timing involved.
import { describe, expect, it } from 'vitest';
import { goFile } from '../bench/gen-corpus.js';
import { runCli, tempTrees } from './support/cli.js';

const tree = tempTrees('gopitfix-oom-');

/** Two batches' worth of small files of one package (the pool uses 2 workers only for 2+ batches). */
function corpus(): string {
  const files: Record<string, string> = { 'go.mod': 'module example.com/scale\n\ngo 1.21\n' };
  const n = 40;
  for (let i = 0; i < n; i++) files[`file${String(i).padStart(3, '0')}.go`] = goFile(i, n, 60);
  return tree(files);
}

const run = (dir: string, env: Record<string, string> = {}) => runCli(dir, ['--no-cache', '--json', '--jobs', '2', '.'], { env });

/** `file` runs out of the first limit only: the retry gives the reference run's output. */
function expectRetried(dir: string, base: ReturnType<typeof run>, file: string): void {
  const r = run(dir, { GOPITFIX_TEST_OOM: file, GOPITFIX_WORKER_HEAP_MB: '64' });
  expect(r.stderr).toBe(base.stderr);
  expect(r.code).toBe(base.code);
  expect(r.stdout).toBe(base.stdout);
}

/** `file` runs out of the raised limit too: an error of its own, the other files as in the reference run. */
function expectFailedAlone(dir: string, base: ReturnType<typeof run>, file: string): ReturnType<typeof run> {
  const r = run(dir, { GOPITFIX_TEST_OOM: file, GOPITFIX_TEST_OOM_BELOW_MB: '100000', GOPITFIX_WORKER_HEAP_MB: '32' });
  expect(r.code).toBe(3);
  expect(r.stderr).toContain(`${file}: out of memory: processing this file needed more than a 256 MB heap`);
  const want = JSON.parse(base.stdout);
  expect(JSON.parse(r.stdout).findings).toEqual(want.findings.filter((f: { file: string }) => f.file !== file));
  return r;
}

describe('worker out of memory', () => {
  const dir = corpus();
  const base = run(dir);

  it('the reference run has findings', () => {
    expect(base.code).toBe(0);
    expect(JSON.parse(base.stdout).findings.length).toBeGreaterThan(0);
  });

  it('retries the file in a worker with a larger limit: same output as without the failure', () => {
    expectRetried(dir, base, 'file003.go');
  });

  it('a file that runs out of the raised limit too gets an error of its own; the others are unchanged', () => {
    expectFailedAlone(dir, base, 'file003.go');
  });
});

// Results without findings are posted in groups (src/run/worker.ts): files a worker had done
// but not yet posted when it died are run again, and the file in flight is the one retried
// or reported, not the first unposted one.
describe('worker out of memory after files whose results were not posted yet', () => {
  const files: Record<string, string> = { 'go.mod': 'module example.com/scale\n\ngo 1.21\n' };
  const n = 40;
  for (let i = 0; i < n; i++) {
    const name = `file${String(i).padStart(3, '0')}.go`;
    // The first ten have nothing any rule looks for: their results wait for the batch's end.
    files[name] = i < 10 ? `package scale\n\nfunc quiet${i}() int { return ${i} }\n` : goFile(i, n, 60);
  }
  const dir = tree(files);
  const base = run(dir);

  it('retries with a larger limit: same output', () => {
    expectRetried(dir, base, 'file010.go');
  });

  it('reports the file in flight, not a quiet one before it', () => {
    const r = expectFailedAlone(dir, base, 'file010.go');
    expect(r.stderr).not.toMatch(/file00\d\.go: out of memory/);
    expect(JSON.parse(r.stdout).summary.errors).toHaveLength(1);
  });
});
