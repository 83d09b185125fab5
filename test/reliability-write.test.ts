// Issue 16, writes: no torn file on a full disk, no foreign file replaced, owner/group/mode
// kept exactly, hard links not broken silently, one file never processed twice, and a
// concurrent change never overwritten. Unit tests inject faults through fsOps; the
// end-to-end ones run the built CLI (npm test builds dist/ first). Some need root (a
// tmpfs mount, another uid): they say why when they skip. CI runs as root.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fsOps, lockPathOf, writeFileAtomic, WriteRefused } from '../src/run/atomic-write.js';
import { BIN, cleanEnv, LOST, LOST_FIXED, runCli, tempTrees } from './support/cli.js';

const temp = tempTrees('gopitfix-write-');
const isRoot = process.getuid?.() === 0;
const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');

/** Temp and lock files of ours left in a directory. */
const litter = (dir: string) => readdirSync(dir).filter((n) => n.includes('.gopitfix-') || n.endsWith('.gopitfix.lock'));

const saved = { ...fsOps };
afterEach(() => Object.assign(fsOps, saved));

describe('writes that cannot tear', () => {
  it('a short write (disk full) leaves the original untouched and no temp file', () => {
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    // The kernel accepts half, then the disk is full: the old code ignored the count.
    let calls = 0;
    fsOps.writeSync = (fd, buf, off, len) => (calls++ === 0 ? saved.writeSync(fd, buf, off, Math.floor(len / 2)) : 0);
    expect(() => writeFileAtomic(f, LOST_FIXED)).toThrow(/short write/);
    expect(readFileSync(f, 'utf8')).toBe(LOST);
    expect(litter(dir)).toEqual([]);
  });

  it('an fsync failure leaves the original untouched', () => {
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    fsOps.fsyncSync = () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    };
    expect(() => writeFileAtomic(f, LOST_FIXED)).toThrow(/EIO/);
    expect(readFileSync(f, 'utf8')).toBe(LOST);
    expect(litter(dir)).toEqual([]);
  });

  it('writes that come back in pieces are completed', () => {
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    fsOps.writeSync = (fd, buf, off, len) => saved.writeSync(fd, buf, off, Math.min(len, 7));
    expect(writeFileAtomic(f, LOST_FIXED)).toBe('written');
    expect(readFileSync(f, 'utf8')).toBe(LOST_FIXED);
  });

  it('on a full tmpfs, --write reports the file, exits 3 and leaves it whole', (ctx) => {
    if (!isRoot) return ctx.skip(); // mounting a tmpfs needs root (CI runs as root)
    const dir = temp();
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) {
      console.log(`skipped the tmpfs test: cannot mount a tmpfs here (${(m.stderr || String(m.error)).trim()})`);
      return ctx.skip();
    }
    try {
      // A ~60 KB file with many fixes and less than half its size free.
      const body = Array.from({ length: 250 }, (_, i) => `func f${i}(parent context.Context) error {\n\tctx, _ := context.WithTimeout(parent, time.Second)\n\treturn ctx.Err()\n}\n`).join('\n');
      const src = `package p\n\nimport (\n\t"context"\n\t"time"\n)\n\n${body}`;
      writeFileSync(join(mnt, 'big.go'), src);
      const free = () => Number(spawnSync('df', ['-B1', '--output=avail', mnt], { encoding: 'utf8' }).stdout.split('\n')[1]);
      let fill = 0;
      // tmpfs counts pages: fill until about 20 KB are left.
      while (free() > 24 * 1024) writeFileSync(join(mnt, `.fill${fill++}`), Buffer.alloc(4096));
      expect(free()).toBeLessThan(src.length);
      const r = runCli(mnt, ['--write', '--rules', 'defer-cancel', 'big.go']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/big\.go: cannot write: .*(no space|short write|ENOSPC)/i);
      expect(r.stderr).not.toMatch(/wrote 1 file/);
      expect(readFileSync(join(mnt, 'big.go'), 'utf8')).toBe(src);
      expect(litter(mnt)).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('ownership and permissions', () => {
  it('keeps owner, group and setuid/setgid bits (mode set after chown)', (ctx) => {
    if (!isRoot) return ctx.skip(); // giving a file to another uid needs root
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    chownSync(f, 1234, 2345);
    chmodSync(f, 0o6755);
    expect(writeFileAtomic(f, LOST_FIXED)).toBe('written');
    const st = statSync(f);
    expect([st.uid, st.gid, (st.mode & 0o7777).toString(8)]).toEqual([1234, 2345, '6755']);
    expect(readFileSync(f, 'utf8')).toBe(LOST_FIXED);
  });

  it('another user’s 0644 file in a directory everyone may write is not replaced', (ctx) => {
    if (!isRoot) return ctx.skip(); // needs a file owned by someone else: run as root to test
    const dir = temp({ 'w/a.go': LOST, 'w/b.go': LOST });
    const w = join(dir, 'w');
    chmodSync(dir, 0o755);
    chmodSync(w, 0o777); // anyone may rename into it
    chmodSync(join(w, 'a.go'), 0o644); // root's, not writable by nobody
    chownSync(join(w, 'b.go'), 0, 65534);
    chmodSync(join(w, 'b.go'), 0o664); // writable by nobody through the group, but root's
    const r = runCli(w, ['--write', '--rules', 'defer-cancel', '.'], { uid: 65534, gid: 65534 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/a\.go: not written: you may not write this file/);
    expect(r.stderr).toMatch(/b\.go: not written: it belongs to uid 0 gid 65534/);
    for (const n of ['a.go', 'b.go']) {
      const st = statSync(join(w, n));
      expect([n, st.uid, readFileSync(join(w, n), 'utf8')]).toEqual([n, 0, LOST]);
    }
    expect(litter(w)).toEqual([]);
  });

  it('a file with other hard links is refused (exit 3) unless --break-hardlinks', () => {
    const dir = temp({ 'a.go': LOST });
    linkSync(join(dir, 'a.go'), join(dir, 'other.txt'));
    const r = runCli(dir, ['--write', '--rules', 'defer-cancel', 'a.go']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/a\.go: not written: it has 2 hard links/);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST);
    const r2 = runCli(dir, ['--write', '--break-hardlinks', '--rules', 'defer-cancel', 'a.go']);
    expect(r2.code).toBe(0);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
    expect(readFileSync(join(dir, 'other.txt'), 'utf8')).toBe(LOST);
  });

  it('a directory and a symlink to it: each file is processed once', () => {
    const dir = temp({ 'real/a.go': LOST });
    symlinkSync('real', join(dir, 'link'));
    const dry = runCli(dir, ['--rules', 'defer-cancel', 'real', 'link']);
    expect(dry.stdout.match(/^\+\+\+ /gm)).toHaveLength(1);
    const r = runCli(dir, ['--write', '--rules', 'defer-cancel', 'link', 'real']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 1 file\b/);
    expect(readFileSync(join(dir, 'real/a.go'), 'utf8')).toBe(LOST_FIXED);
  });
});

describe('concurrent runs', () => {
  it('a change made after the last check but before the rename is reported, not overwritten', () => {
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    fsOps.beforeRename = (t) => writeFileSync(t, LOST + '// edited meanwhile\n');
    expect(writeFileAtomic(f, LOST_FIXED, { expectSha1: sha1(LOST) })).toBe('changed-on-disk');
    expect(readFileSync(f, 'utf8')).toBe(LOST + '// edited meanwhile\n');
    expect(litter(dir)).toEqual([]);
  });

  it('a file locked by a live run is refused after a short wait', () => {
    const dir = temp({ 'a.go': LOST });
    const f = join(dir, 'a.go');
    writeFileSync(lockPathOf(f), `${process.pid}\n`);
    expect(() => writeFileAtomic(f, LOST_FIXED)).toThrow(WriteRefused);
    expect(readFileSync(f, 'utf8')).toBe(LOST);
    rmSync(lockPathOf(f));
    // A lock left by a dead process is taken over.
    writeFileSync(lockPathOf(f), '2147483646\n');
    expect(writeFileAtomic(f, LOST_FIXED)).toBe('written');
    expect(litter(dir)).toEqual([]);
  });

  it('two --write runs with different rules over one tree: every fix is written or reported', async () => {
    const N = 120;
    // A client whose one request is visible, has no deadline and is read in full: http-client-timeout fixes it.
    const CLIENT =
      '\nvar client = &http.Client{}\n\nfunc g(u string) (int, error) {\n\tresp, err := client.Get(u)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tresp.Body.Close()\n\treturn resp.StatusCode, nil\n}\n';
    const src = LOST.replace('"context"\n', '"context"\n\t"net/http"\n') + CLIENT;
    const files: Record<string, string> = {};
    for (let i = 0; i < N; i++) files[`d${i % 6}/f${i}.go`] = src;
    const dir = temp(files);
    const start = (rule: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, '--write', '--jobs', '1', '--rules', rule, '.'], { cwd: dir, env: cleanEnv() });
        let stderr = '';
        c.stderr.on('data', (d) => (stderr += d));
        c.on('close', (code) => resolve({ code: code ?? -1, stderr }));
      });
    const [a, b] = await Promise.all([start('defer-cancel'), start('http-client-timeout')]);
    const reported = (r: { stderr: string }, name: string) => new RegExp(`${name.replace('.', '\\.')}: (changed on disk|not written)`).test(r.stderr);
    let lost = 0;
    for (const rel of Object.keys(files)) {
      const text = readFileSync(join(dir, rel), 'utf8');
      if (!text.includes('defer cancel()') && !reported(a, rel)) lost++;
      if (!text.includes('Timeout:') && !reported(b, rel)) lost++;
    }
    expect(lost).toBe(0);
    for (const r of [a, b]) expect([0, 3]).toContain(r.code);
  });
});
