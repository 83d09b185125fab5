// Runtime proof for stop-ticker (issue 20): test/testdata/tickers holds two packages whose
// function returns at once and leaves an unstopped ticker behind (time.NewTicker,
// time.Tick), in a Go 1.19 module. Each package's test calls it 20,000 times and checks
// how much heap survives a GC: before the fix every ticker stays scheduled in the
// runtime's timer heap (it keeps firing for ever) and so is never collected, ~200 bytes
// a call; after the real CLI's `--write` (defer Stop) they are gone. Skipped without Go.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, haveGo } from './harness.js';
import { CLI, ensureCli, goTest } from './support/gotest.js';

const SRC = join(REPO, 'test', 'testdata', 'tickers');
const PACKAGES = ['newticker', 'tick'];

describe.runIf(haveGo())('stop-ticker, proven at run time', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('unstopped tickers outlive their function before gopitfix --write and not after', () => {
    dir = mkdtempSync(join(tmpdir(), 'gopitfix-tickers-'));
    cpSync(SRC, dir, { recursive: true });

    const before = goTest(dir);
    expect(before.status, before.out).not.toBe(0);
    for (const p of PACKAGES) expect(before.out, `package ${p} should leak before the fix`).toMatch(new RegExp(`FAIL\\s+tickers/${p}\\b`));
    expect(before.out).toMatch(/tickers leaked/);
    expect(before.out).not.toMatch(/build failed|setup failed/);

    ensureCli('stop-ticker');
    const cli = spawnSync(process.execPath, [CLI, '--write', '--rules', 'stop-ticker', '.'], { cwd: dir, encoding: 'utf8' });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/wrote 2 files/);

    const after = goTest(dir);
    expect(after.status, after.out).toBe(0);
    for (const p of PACKAGES) expect(after.out).toMatch(new RegExp(`ok\\s+tickers/${p}\\b`));

    const again = spawnSync(process.execPath, [CLI, '--check', '--rules', 'stop-ticker', '.'], { cwd: dir, encoding: 'utf8' });
    expect(again.status, again.stdout + again.stderr).toBe(0);
  }, 180_000);
});
