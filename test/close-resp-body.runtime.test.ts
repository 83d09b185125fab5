// Runtime proof for close-resp-body (issue 20): test/testdata/respbody makes 20 calls
// against an httptest server through functions that never close the response body, and
// counts the connections the server still sees open and the goroutines left behind.
// Before the fix `go test` fails (20 connections open, ~3 goroutines each); after the
// real CLI's `--write` it passes (0 open, no growth). One `go test` per phase, well under
// a second each. Skipped without Go.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, haveGo } from './harness.js';
import { CLI, ensureCli, goTest } from './support/gotest.js';

const SRC = join(REPO, 'test', 'testdata', 'respbody');

function cli(dir: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
}

describe.runIf(haveGo())('close-resp-body, proven at run time', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('open connections and goroutines grow before gopitfix --write and not after', () => {
    dir = mkdtempSync(join(tmpdir(), 'gopitfix-respbody-'));
    cpSync(SRC, dir, { recursive: true });

    const before = goTest(dir);
    expect(before.status, before.out).not.toBe(0);
    expect(before.out).not.toMatch(/\[build failed\]|\[setup failed\]/);
    for (const t of ['TestStatus', 'TestDecode']) expect(before.out).toMatch(new RegExp(`--- FAIL: ${t}\\b`));
    expect(before.out).toMatch(/20 calls: (1\d|20) connections open/);

    ensureCli('close-resp-body');
    const fix = cli(dir, ['--write', '--rules', 'close-resp-body', '.']);
    expect(fix.status, fix.stdout + fix.stderr).toBe(0);
    expect(fix.stderr).toMatch(/2 fixed/);

    const after = goTest(dir);
    expect(after.status, after.out).toBe(0);
    for (const t of ['TestStatus', 'TestDecode']) expect(after.out).toMatch(new RegExp(`--- PASS: ${t}\\b`));

    // A second run finds nothing left to fix.
    const again = cli(dir, ['--check', '--rules', 'close-resp-body', '.']);
    expect(again.status, again.stdout + again.stderr).toBe(0);
  }, 180_000);
});
