// What the runtime proofs (test/*.runtime.test.ts) share: `go test` in a copied testdata
// module with the local toolchain and no network, and the check that the built CLI is there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from '../harness.js';

/** The local toolchain, offline: testdata modules need nothing from the network. */
export const goEnv = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' };

export const CLI = join(REPO, 'bin', 'gopitfix.js');

/** `go test -count=1 <flags> ./...` in dir; status and combined output. */
export function goTest(dir: string, flags: string[] = ['-v']): { status: number | null; out: string } {
  const r = spawnSync('go', ['test', '-count=1', ...flags, './...'], { cwd: dir, env: goEnv, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The CLI from dist/, never rebuilt here (npm test builds it first); it must list `rules`. */
export function ensureCli(...rules: string[]): void {
  const r = existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js'))
    ? spawnSync(process.execPath, [CLI, '--list-rules'], { cwd: REPO, encoding: 'utf8' })
    : null;
  if (!r || r.status !== 0 || !rules.every((id) => r.stdout.includes(id))) {
    // Never rebuild here: tsc rewriting dist/ while other test files run the CLI breaks them.
    throw new Error(`dist/ is missing or outdated: run \`npm run build\` (npm test does it) before these tests`);
  }
  expect(r.stdout).toContain(rules[0]);
}
