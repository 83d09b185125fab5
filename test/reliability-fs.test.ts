// Issue 9, filesystem guarantees, end to end through the built CLI (npm test builds
// dist/ first). Tests run as root in CI, where chmod 000 stops nobody: unreadable files
// are tested by running the CLI as an unprivileged user (uid 65534) when we are root,
// read-only files by their mode (rename() would happily replace them).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, LOST, LOST_FIXED, runCli, tempTrees, type Run } from './support/cli.js';

// Reported without a fix: gives one stderr line per file in a --write run.
const LOOP = `
func poll(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		if ctx.Err() != nil {
			cancel()
			continue
		}
	}
}
`;

const tempDir = tempTrees('gopitfix-rel-');
const run = (cwd: string, args: string[], ids: { uid?: number; gid?: number } = {}): Run => runCli(cwd, args, ids);

/** Every name in the tree (recursively) that looks like a temp file of ours. */
function litter(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.name.includes('.gopitfix-') || e.name.endsWith('.tmp')) out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(['filesystem figures:', ...figures.map((f) => `  ${f}`)].join('\n'));
});

describe('bytes outside the fixes stay as they were', () => {
  it.each([
    ['CRLF', (s: string) => s.replace(/\n/g, '\r\n')],
    ['UTF-8 BOM', (s: string) => '\uFEFF' + s],
    ['BOM + CRLF', (s: string) => '\uFEFF' + s.replace(/\n/g, '\r\n')],
    ['trailing whitespace', (s: string) => s.replace(/\n/g, ' \t\n')],
    ['no final newline', (s: string) => s.replace(/\n$/, '')],
    ['spaces for indentation elsewhere', (s: string) => s + '\n// keep\n//    four spaces\n  \n'],
    ['non-ASCII text', (s: string) => s.replace('package p\n', 'package p\n\n// héllo wörld 😀 — 日本\n')],
  ])('%s', (_name, variant) => {
    const input = variant(LOST);
    const dir = tempDir({ 'a.go': input });
    const r = run(dir, ['--write']);
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, 'a.go'));
    // The fix inserts one line, using the file's line ending, and changes `_` to `cancel`.
    const eol = input.includes('\r\n') ? '\r\n' : '\n';
    const trailing = input.includes(' \t\n') ? ' \t' : '';
    const expected = input
      .replace('ctx, _ :=', 'ctx, cancel :=')
      .replace(`time.Second)${trailing}${eol}`, `time.Second)${trailing}${eol}\tdefer cancel()${eol}`);
    expect(out.toString('utf8')).toBe(expected);
    expect(out.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(input.startsWith('\uFEFF'));
    expect(run(dir, ['--write']).stderr).toMatch(/no findings/);
  });
});

describe('files that cannot be processed: one line each, the run goes on, exit 3', () => {
  it('binary, non-UTF-8, too large, broken and outside symlinks, a read-only file; x.go directories are walked', () => {
    const outside = tempDir({ 'elsewhere.go': LOST });
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    big.write('package p\n');
    const dir = tempDir({
      'a.go': LOST,
      'bin.go': Buffer.from('package p\n\x00\x01\x02', 'latin1'),
      'latin1.go': Buffer.from('package p\n\n// caf\xe9\n' + LOST.slice('package p\n'.length), 'latin1'),
      'big.go': big,
      'ro.go': LOST,
      'dir.go/inner.go': LOST,
    });
    chmodSync(join(dir, 'ro.go'), 0o444);
    symlinkSync(join(outside, 'elsewhere.go'), join(dir, 'out.go'));
    symlinkSync('loop2.go', join(dir, 'loop1.go'));
    symlinkSync('loop1.go', join(dir, 'loop2.go'));
    symlinkSync('gone.go', join(dir, 'dangling.go'));
    symlinkSync('a.go', join(dir, 'alias.go')); // inside the root: a.go itself is processed
    const r = run(dir, ['--write']);
    expect(r.code).toBe(3);
    const lines = r.stderr.trimEnd().split('\n');
    const expected = [
      'gopitfix: big.go: skipped: 10 MB is over the size limit of 10 MB (--max-file-size)',
      'gopitfix: bin.go: skipped: binary content (NUL bytes), not Go source',
      'gopitfix: dangling.go: skipped: dangling symlink (to gone.go)',
      'gopitfix: latin1.go: skipped: not valid UTF-8 (at byte 17); gopitfix does not re-encode files',
      'gopitfix: loop1.go: skipped: symlink loop',
      'gopitfix: loop2.go: skipped: symlink loop',
      `gopitfix: out.go: skipped: symlink to ${join(outside, 'elsewhere.go')}, outside ${dir}; not followed`,
      'gopitfix: ro.go: not written: the file is read-only (make it writable to apply the fixes)',
    ];
    for (const e of expected) expect(lines.filter((l) => l === e), e).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('gopitfix: ') && !/ findings? /.test(l))).toHaveLength(expected.length);
    expect(r.stderr).toMatch(/8 files could not be processed\n$/);
    // The others were processed and written.
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
    expect(readFileSync(join(dir, 'dir.go/inner.go'), 'utf8')).toBe(LOST_FIXED);
    // Nothing refused was touched.
    expect(readFileSync(join(dir, 'ro.go'), 'utf8')).toBe(LOST);
    expect(statSync(join(dir, 'ro.go')).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(dir, 'latin1.go'))).toEqual(Buffer.from('package p\n\n// caf\xe9\n' + LOST.slice('package p\n'.length), 'latin1'));
    expect(readFileSync(join(outside, 'elsewhere.go'), 'utf8')).toBe(LOST);
    expect(readlinkSync(join(dir, 'alias.go'))).toBe('a.go');
    expect(litter(dir)).toEqual([]);
    figures.push(`hostile tree: ${expected.length} warnings, one each; 2 files written; exit ${r.code}`);
  });

  it('--max-file-size sets the limit; a bad value is a usage error', () => {
    const dir = tempDir({ 'a.go': LOST, 'b.go': LOST + '\n// ' + 'x'.repeat(3000) + '\n' });
    const small = run(dir, ['--check', '--max-file-size', '2K']);
    expect(small.code).toBe(3);
    expect(small.stderr).toContain('gopitfix: b.go: skipped: 3.1 KB is over the size limit of 2 KB (--max-file-size)\n');
    expect(small.stdout).toMatch(/^a\.go:9:/);
    expect(run(dir, ['--check', '--max-file-size=1M']).code).toBe(1);
    const bad = run(dir, ['--max-file-size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('gopitfix: --max-file-size: invalid size "lots" (want bytes or a number with K, M or G, e.g. 10M)\n');
  });

  it('a file the user cannot read (a real permission error, as an unprivileged user)', () => {
    const dir = tempDir({ 'a.go': LOST, 'secret.go': LOST });
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'a.go'), 0o666);
    chmodSync(join(dir, 'secret.go'), 0o000);
    // Root reads mode-000 files: drop to nobody for the run when we are root.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // a.go is that user's own (replacing root's file would give it away: issue 16).
    if (asUser.uid !== undefined) chownSync(join(dir, 'a.go'), asUser.uid, asUser.gid);
    const r = run(dir, ['--write'], asUser);
    expect(r.stderr).toContain('gopitfix: secret.go: cannot read: permission denied\n');
    expect(r.code).toBe(3);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
    chmodSync(join(dir, 'secret.go'), 0o644);
    expect(readFileSync(join(dir, 'secret.go'), 'utf8')).toBe(LOST);
  });
});

describe('never written through a symlink, never outside the roots', () => {
  it('an explicitly named symlink is read (dry run shows the diff) but never written through', () => {
    const dir = tempDir({ 'real/a.go': LOST });
    symlinkSync('real/a.go', join(dir, 'link.go'));
    const dry = run(dir, ['link.go']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+\tdefer cancel()');
    const w = run(dir, ['--write', 'link.go']);
    expect(w.code).toBe(3);
    expect(w.stderr).toContain(
      'gopitfix: link.go: not written: it is a symlink (to real/a.go); gopitfix never writes through symlinks (run it on the target)\n',
    );
    expect(lstatSync(join(dir, 'link.go')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real/a.go'), 'utf8')).toBe(LOST);
    expect(litter(dir)).toEqual([]);
  });

  it('a symlink in a walked root that leads to a sibling tree is reported, the sibling untouched', () => {
    const dir = tempDir({ 'sub/a.go': LOST, 'other/b.go': LOST });
    symlinkSync('../other/b.go', join(dir, 'sub', 'b.go'));
    const r = run(dir, ['--write', 'sub']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`gopitfix: sub/b.go: skipped: symlink to ${join(dir, 'other/b.go')}, outside ${join(dir, 'sub')}; not followed\n`);
    expect(readFileSync(join(dir, 'sub/a.go'), 'utf8')).toBe(LOST_FIXED);
    expect(readFileSync(join(dir, 'other/b.go'), 'utf8')).toBe(LOST);
  });
});

describe('interrupted --write runs', () => {
  // A tree large enough that the run is still going when the signal arrives: every file
  // has one fixable finding and one reported without a fix (a stderr line per file).
  const N = 1500;
  const ORIGINAL = LOST + LOOP;
  const FIXED = LOST_FIXED + LOOP;

  function bigTree(): string {
    const dir = tempDir();
    for (let i = 0; i < N; i++) {
      const sub = join(dir, `pkg${Math.floor(i / 100)}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${i}.go`), ORIGINAL);
    }
    return dir;
  }

  it.each([
    ['SIGINT', [] as string[], 130],
    ['SIGTERM', ['--jobs', '1'], 143],
  ] as const)('%s mid-run (%j): each file is either untouched or fully fixed, no temp files', async (signal, extra, wantCode) => {
    const dir = bigTree();
    const child = spawn(process.execPath, [BIN, '--write', ...extra, '.'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    const done = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((res) => child.on('close', (code, sig) => res({ code, sig })));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      // Some files reported (so some written): interrupt now.
      if (!sent && (stderr.match(/\n/g)?.length ?? 0) >= 40) {
        sent = true;
        child.kill(signal);
      }
    });
    const { code } = await done;
    expect(sent).toBe(true);
    expect(code).toBe(wantCode);
    const m = new RegExp(`gopitfix: interrupted by ${signal}: (\\d+) files? written; no file was left half written\\n`).exec(stderr);
    expect(m, stderr.slice(-500)).not.toBeNull();
    let fixed = 0;
    let untouched = 0;
    const other: string[] = [];
    for (const sub of readdirSync(dir)) {
      for (const f of readdirSync(join(dir, sub))) {
        const text = readFileSync(join(dir, sub, f), 'utf8');
        if (text === FIXED) fixed++;
        else if (text === ORIGINAL) untouched++;
        else other.push(`${sub}/${f}`);
      }
    }
    expect(other).toEqual([]);
    expect(litter(dir)).toEqual([]);
    expect(fixed).toBe(Number(m![1]));
    expect(fixed).toBeGreaterThan(0);
    expect(untouched).toBeGreaterThan(0);
    expect(fixed + untouched).toBe(N);
    figures.push(`${signal} during --write ${extra.join(' ')}: ${N} files, ${fixed} fully fixed, ${untouched} untouched, 0 torn, 0 temp files; exit ${code}`);
  });
});
