// Runtime proof for select-ctx-done and buffer-result-chan (issue 4, docs/pitfalls.md#send-leak):
// small Go programs in test/testdata/leaks leak a goroutine when the parent returns
// early; each package's test counts goroutines after the parent returns. Before the
// fix `go test` fails in every package; after the real CLI's `--write` it passes.
// One `go test ./...` per phase keeps this to a few seconds. Skipped without Go.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, haveGo } from './harness.js';
import { ensureCli as ensureBuiltCli, goTest as goTestIn } from './support/gotest.js';

const SRC = join(REPO, 'test', 'testdata', 'leaks');
const PACKAGES = readdirSync(SRC).filter((n) => n !== 'leakcheck' && statSync(join(SRC, n)).isDirectory());

const TRAPS = join(REPO, 'test', 'testdata', 'leaktraps');
const TRAP_PACKAGES = readdirSync(TRAPS).filter((n) => statSync(join(TRAPS, n)).isDirectory());

const goTest = (dir: string) => goTestIn(dir, ['-timeout=60s']);
const ensureCli = () => ensureBuiltCli('select-ctx-done', 'buffer-result-chan');

describe.runIf(haveGo())('goroutine-leak fixes, proven at run time', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('go test fails before gopitfix --write and passes after', () => {
    dir = mkdtempSync(join(tmpdir(), 'gopitfix-leaks-'));
    cpSync(SRC, dir, { recursive: true });
    expect(PACKAGES.length).toBeGreaterThanOrEqual(5);

    const before = goTest(dir);
    expect(before.status, before.out).not.toBe(0);
    for (const p of PACKAGES) {
      expect(before.out, `package ${p} should show the leak before the fix`).toMatch(new RegExp(`FAIL\\s+leaks/${p}\\b`));
      expect(before.out).not.toMatch(new RegExp(`\\[build failed\\]|leaks/${p} \\[setup failed\\]`));
    }

    ensureCli();
    const cli = spawnSync(process.execPath, [join(REPO, 'bin', 'gopitfix.js'), '--write', '--rules', 'select-ctx-done,buffer-result-chan', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(new RegExp(`wrote ${PACKAGES.length} files`));

    const after = goTest(dir);
    expect(after.status, after.out).toBe(0);
    for (const p of PACKAGES) expect(after.out).toMatch(new RegExp(`ok\\s+leaks/${p}\\b`));

    // A second run finds nothing left to fix.
    const again = spawnSync(process.execPath, [join(REPO, 'bin', 'gopitfix.js'), '--check', '--rules', 'select-ctx-done,buffer-result-chan', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(again.status, again.stdout + again.stderr).toBe(0);
  }, 180_000);

  // Issue 12: trap shapes where the old fixes hung a receiver, skipped wg.Done(), raced a
  // cancelled context, dropped a handler's notification or stranded connections in a
  // buffer. Each package runs its scenario a few hundred times under -timeout; it must
  // pass before and after --write (a fix that introduces a hang or a lost value fails).
  it('trap shapes never hang, before or after gopitfix --write', () => {
    const traps = mkdtempSync(join(tmpdir(), 'gopitfix-leaktraps-'));
    try {
      cpSync(TRAPS, traps, { recursive: true });
      expect(TRAP_PACKAGES.length).toBeGreaterThanOrEqual(6);
      const before = goTest(traps);
      expect(before.status, before.out).toBe(0);
      ensureCli();
      const cli = spawnSync(process.execPath, [join(REPO, 'bin', 'gopitfix.js'), '--write', '--rules', 'select-ctx-done,buffer-result-chan', '.'], {
        cwd: traps,
        encoding: 'utf8',
      });
      expect(cli.status, cli.stdout + cli.stderr).toBe(0);
      const after = goTest(traps);
      expect(after.status, after.out).toBe(0);
      for (const p of TRAP_PACKAGES) expect(after.out).toMatch(new RegExp(`ok\\s+leaktraps/${p}\\b`));
    } finally {
      rmSync(traps, { recursive: true, force: true });
    }
  }, 180_000);
});
