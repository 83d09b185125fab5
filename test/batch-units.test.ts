// Batch pieces in-process: the progress line's terminal protocol, the changed-on-disk
// write guard, SARIF replacements from diffs, shard hashing, and the exported dirty-tree
// check that interactive mode calls.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Progress } from '../src/cli/progress.js';
import { dirtyFiles, writeIfUnchanged } from '../src/run/guard.js';
import { sha1 } from '../src/run/task.js';
import { replacementsOf } from '../src/cli/output/sarif.js';
import { diffHunks } from '../src/engine/fastdiff.js';
import { inShard, parseShard, pathHash } from '../src/run/select.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'gopitfix-units-'));
  temps.push(d);
  return d;
};

describe('Progress', () => {
  it('draws done/total, findings and elapsed with \\r, clears before notes and at the end', () => {
    let t = 1000;
    const out: string[] = [];
    const p = new Progress({ write: (s) => void out.push(s) }, 4, true, () => t);
    p.tick(1); // before the 300 ms delay: nothing drawn
    expect(out).toEqual([]);
    t = 2000;
    p.tick(2);
    // No ETA yet: less than 3 s elapsed.
    expect(out).toEqual(['\rgopitfix: 2/4 files (50%), 3 findings, 1s elapsed\x1b[K']);
    p.note('a.go:1:1: rule: message\n');
    expect(out.slice(1)).toEqual(['\r\x1b[K', 'a.go:1:1: rule: message\n']);
    t = 2050;
    p.tick(0); // redrawn at once after a note, even within 100 ms
    expect(out[3]).toBe('\rgopitfix: 3/4 files (75%), 3 findings, 1s elapsed\x1b[K');
    p.clear(); // before stdout text on the same terminal
    expect(out[4]).toBe('\r\x1b[K');
    p.clear(); // nothing shown: nothing to erase
    expect(out).toHaveLength(5);
    p.tick(0);
    p.finish();
    expect(out.slice(5)).toEqual(['\rgopitfix: 4/4 files (100%), 3 findings, 1s elapsed\x1b[K', '\r\x1b[K']);
  });

  it('shows an ETA only after a fifth of the files and 3 s, from the rate after start-up', () => {
    let t = 0;
    const out: string[] = [];
    const p = new Progress({ write: (s) => void out.push(s) }, 100, true, () => t);
    t = 5000; // slow start-up (workers, grammar): not part of the rate
    p.tick(0);
    for (let i = 2; i <= 19; i++) {
      t += 100;
      p.tick(0);
    }
    expect(out.at(-1)).toBe('\rgopitfix: 19/100 files (19%), 0 findings, 7s elapsed\x1b[K');
    t += 100;
    p.tick(0);
    // 19 files in 1.9 s after the first: 0.1 s a file, 80 to go.
    expect(out.at(-1)).toBe('\rgopitfix: 20/100 files (20%), 0 findings, 7s elapsed, ETA 8s\x1b[K');
  });

  it('cuts the line to one column less than the terminal width', () => {
    let t = 0;
    let cols: number | undefined = 20;
    const out: string[] = [];
    const p = new Progress({ write: (s) => void out.push(s), columns: () => cols }, 10, true, () => t);
    t = 1000;
    p.tick(0);
    expect(out.at(-1)).toBe('\rgopitfix: 1/10 file\x1b[K');
    cols = undefined; // unknown width: the whole line
    t = 2000;
    p.tick(0);
    expect(out.at(-1)).toBe('\rgopitfix: 2/10 files (20%), 0 findings, 2s elapsed\x1b[K');
  });

  it('writes nothing when disabled (not a terminal, or --quiet)', () => {
    const out: string[] = [];
    let t = 0;
    const p = new Progress({ write: (s) => void out.push(s) }, 2, false, () => (t += 1000));
    p.tick(1);
    p.tick(1);
    p.finish();
    expect(out).toEqual([]);
    p.note('x\n');
    expect(out).toEqual(['x\n']);
  });
});

describe('writeIfUnchanged', () => {
  it('writes when the file is as read, and refuses when it changed in between', () => {
    const dir = temp();
    const f = join(dir, 'a.go');
    writeFileSync(f, 'package a\n');
    const stamp = () => ({ size: statSync(f).size, mtimeMs: statSync(f).mtimeMs, sha1: sha1(readFileSync(f)) });
    const s1 = stamp();
    expect(writeIfUnchanged(f, 'package a // fixed\n', s1)).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('package a // fixed\n');

    const s2 = stamp();
    writeFileSync(f, 'package a // edited by someone\n');
    expect(writeIfUnchanged(f, 'package a // fixed again\n', s2)).toBe(false);
    expect(readFileSync(f, 'utf8')).toBe('package a // edited by someone\n');

    // Same size, mtime restored: the content hash still tells.
    const s3 = stamp();
    writeFileSync(f, 'package a // edited by someonE\n');
    utimesSync(f, statSync(f).atime, new Date(s3.mtimeMs));
    expect(writeIfUnchanged(f, 'x', s3)).toBe(false);
  });
});

describe('replacementsOf', () => {
  const apply = (before: string, patch: ReturnType<typeof diffHunks>) => {
    const lines = before.split(/(?<=\n)/);
    for (const r of replacementsOf(patch).reverse()) lines.splice(r.startLine - 1, r.endLine - r.startLine, r.inserted);
    return lines.join('');
  };
  it.each([
    ['insertion', 'a\nb\nc\n', 'a\nb\nX\nc\n'],
    ['replacement and deletion far apart', 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', 'a\nB\nc\nd\ne\nf\ng\nh\nj\n'],
    ['first line, CRLF', 'a\r\nb\r\n', 'Z\r\na\r\nb\r\n'],
    ['no final newline', 'a\nb', 'a\nc'],
  ])('%s: replacements reproduce the new text', (_n, before, after) => {
    expect(apply(before, diffHunks(before, after))).toBe(after);
  });
});

describe('shards', () => {
  it('FNV-1a is stable and every path lands in exactly one shard', () => {
    expect(pathHash('')).toBe(0x811c9dc5);
    expect(pathHash('a')).toBe(0xe40c292c);
    expect(parseShard('2/3')).toEqual({ k: 2, n: 3 });
    expect(parseShard('0/3')).toBeNull();
    for (const p of ['a.go', 'svc/x/y.go', 'ü/ß.go']) expect([1, 2, 3].filter((k) => inShard(p, k, 3))).toHaveLength(1);
  });
});

describe('dirtyFiles', () => {
  it('lists modified, staged and untracked files of a work tree; files outside git are clean', () => {
    const dir = temp();
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, env });
    for (const n of ['clean', 'mod', 'staged']) writeFileSync(join(dir, `${n}.go`), 'package p\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'x');
    writeFileSync(join(dir, 'mod.go'), 'package p // m\n');
    writeFileSync(join(dir, 'staged.go'), 'package p // s\n');
    git('add', 'staged.go');
    writeFileSync(join(dir, 'new.go'), 'package p\n');
    const all = ['clean', 'mod', 'staged', 'new'].map((n) => join(dir, `${n}.go`));
    expect(dirtyFiles(all)).toEqual(['mod', 'new', 'staged'].map((n) => join(dir, `${n}.go`)));
    const outside = temp();
    writeFileSync(join(outside, 'x.go'), 'package x\n');
    expect(dirtyFiles([join(outside, 'x.go')])).toEqual([]);
  });
});
