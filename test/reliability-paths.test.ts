// Issue 16 #10: diffs name paths as git does (a space gets git's trailing tab, so
// `patch -p1` and `git apply` find the file), an unreadable go.mod is an error for its
// module's files (never "the newest Go"), and a file name that is not UTF-8 is reported
// as such.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOST, runCli, tempTrees } from './support/cli.js';

const WG = `package p

import "sync"

func f(work func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		work()
	}()
	wg.Wait()
}
`;
const temp = tempTrees('gopitfix-paths-');
const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;

describe('diff headers', () => {
  it('a path with a space: git’s trailing tab, and patch -p1 applies the dry run', (ctx) => {
    const dir = temp({ 'my dir/a b.go': LOST });
    const r = runCli(dir, ['.']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['--- a/my dir/a b.go\t', '+++ b/my dir/a b.go\t']);
    if (!has('patch')) return ctx.skip(); // patch(1) not installed
    writeFileSync(join(dir, 'fix.patch'), r.stdout);
    const p = spawnSync('patch', ['-p1', '-i', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    expect(p.status, p.stdout + p.stderr).toBe(0);
    expect(readFileSync(join(dir, 'my dir/a b.go'), 'utf8')).toContain('defer cancel()');
  });

  it('git apply accepts a dry run over names with spaces, quotes and non-ASCII', (ctx) => {
    if (!has('git')) return ctx.skip(); // git not installed
    const dir = temp({ 'sp ace.go': LOST, 'é.go': LOST, 'q"uote.go': LOST });
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const r = runCli(dir, ['.']);
    const a = spawnSync('git', ['apply', '--check', '-v', '-'], { cwd: dir, input: r.stdout, encoding: 'utf8' });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr.match(/Checking patch/g)).toHaveLength(3);
  });
});

describe('go.mod that cannot be read', () => {
  it('its files are reported (exit 3), never treated as the newest Go; --go decides instead', (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip(); // needs an unreadable file: root runs the CLI as uid 65534
    const dir = temp({ 'm/go.mod': 'module m\n\ngo 1.21\n', 'm/a.go': WG, 'n/go.mod': 'module n\n\ngo 1.25\n', 'n/b.go': WG });
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'm'), 65534, 65534);
    chownSync(join(dir, 'n'), 65534, 65534);
    chmodSync(join(dir, 'm/go.mod'), 0o000);
    const asNobody = { uid: 65534, gid: 65534 };
    const r = runCli(dir, ['--check', '.'], asNobody);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^gopitfix: m\/a\.go: cannot read .*m\/go\.mod: permission denied; its go line decides which rules apply/m);
    // The readable module still gets its wg.Go finding; the unreadable one none.
    expect(r.stdout).toMatch(/^n\/b\.go:\d+:\d+: waitgroup-go:/m);
    expect(r.stdout).not.toMatch(/^m\/a\.go/m);
    const forced = runCli(dir, ['--check', '--go', '1.21', '.'], asNobody);
    expect(forced.stderr).not.toMatch(/cannot read/);
  });
});

describe('file names that are not UTF-8', () => {
  it('are reported as such, with git’s octal escapes', () => {
    const dir = temp({ 'ok.go': LOST });
    const bad = Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from('.go')]);
    writeFileSync(bad, LOST);
    const r = runCli(dir, ['--check', '.']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('gopitfix: bad\\377.go: skipped: the file name is not valid UTF-8; rename it to process it\n');
    expect(r.stderr).not.toMatch(/no such file/);
    expect(r.stdout).toMatch(/^ok\.go:/m);
  });
});
