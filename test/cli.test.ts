// End-to-end tests of the built CLI (`node bin/gopitfix.js`, as users run it), each in
// a fresh temp directory. `npm test` builds dist/ first.
import { spawnSync, execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, LOST, LOST_FIXED, ROOT, runCli, tempTrees, type Run } from './support/cli.js';

const RULE = 'defer-cancel';

// A discarded cancel: fixable.
// Inside a loop body a defer would pile up: reported without a fix.
const LOOP = `package p

import (
	"context"
	"time"
)

func work(ctx context.Context) error { return ctx.Err() }

func poll(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		if err := work(ctx); err != nil {
			cancel()
			continue
		}
	}
}
`;
const CLEAN = `package p

import "context"

func g(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	return ctx.Err()
}
`;

const tempDir = tempTrees('gopitfix-cli-');
const run = (cwd: string, args: string[], env: Record<string, string> = {}): Run => runCli(cwd, args, { env });

interface JsonDoc {
  version: number;
  findings: {
    rule: string;
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    fix: { description: string; diff: string } | null;
    noFixReason: string | null;
  }[];
  summary: Record<string, unknown> & {
    filesScanned: number;
    filesSkippedGenerated: number;
    filesIgnored: number;
    filesWithFindings: number;
    filesChanged: number;
    filesWritten: number;
    filesWithSyntaxErrors: number;
    findings: number;
    fixable: number;
    fixesApplied: number;
    fixesRejected: number;
    rules: Record<string, { findings: number; fixable: number }>;
    errors: { file: string; message: string }[];
  };
}

function runJson(cwd: string, args: string[]): JsonDoc & { code: number; stderr: string } {
  const r = run(cwd, ['--json', ...args]);
  let doc: JsonDoc;
  try {
    doc = JSON.parse(r.stdout) as JsonDoc;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { ...doc, code: r.code, stderr: r.stderr };
}

/** The files (display paths) the run looked at and had findings in. */
function filesWithFindings(doc: JsonDoc): string[] {
  return [...new Set(doc.findings.map((f) => f.file))].sort();
}

/** Expect exactly one stderr line `gopitfix: ...` matching re, nothing on stdout, exit 2. */
function expectUsageError(r: Run, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gopitfix: /);
  expect(lines[0]).toMatch(re);
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it) before these tests');
  }
});

describe('flags and usage errors', () => {
  it('--help and -h print usage listing every flag, exit 0', () => {
    const dir = tempDir();
    for (const flag of ['--help', '-h']) {
      const r = run(dir, [flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: gopitfix \[options\] \[paths\.\.\.\]/);
      for (const f of ['--write', '--check', '--json', '--rules', '--disable', '--list-rules', '--go', '--color', '--no-color', '--include-generated', '--version']) {
        expect(r.stdout).toContain(f);
      }
    }
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = run(tempDir(), ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`gopitfix ${pkg.version}\n`);
  });

  it.each([
    [['--bogus'], /unknown flag --bogus/],
    [['--bogus=1'], /unknown flag --bogus/],
    [['--write', '--check'], /--write and --check cannot be combined/],
    [['--rules', 'nope'], /--rules: unknown rule "nope"/],
    [[`--rules=${RULE},nope`], /unknown rule "nope"/],
    [['--disable', 'nope'], /--disable: unknown rule "nope"/],
    [['--rules='], /--rules: expected a comma-separated list/],
    [['--rules'], /--rules needs a value/],
    [['--go', 'latest'], /--go: invalid Go version "latest"/],
    [['--go=2.1'], /--go: invalid Go version "2.1"/],
    [['--check=yes'], /--check takes no value/],
  ])('%j is a usage error (exit 2, one line)', (args, re) => {
    expectUsageError(run(tempDir({ 'a.go': LOST }), args), re);
  });

  it('disabling every rule leaves nothing to run: exit 2', () => {
    const dir = tempDir({ 'a.go': LOST });
    const ids = (JSON.parse(run(dir, ['--list-rules', '--json']).stdout) as { id: string }[]).map((m) => m.id);
    expectUsageError(run(dir, ['--disable', ids.join(',')]), /no rules enabled/);
  });

  it('--list-rules shows id, default, Go range and summary; --json gives the metadata', () => {
    const dir = tempDir();
    const r = run(dir, ['--list-rules']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RULE\s+DEFAULT\s+GO\s+SUMMARY$/);
    const row = lines.find((l) => l.startsWith(RULE + ' '));
    expect(row).toMatch(new RegExp(`^${RULE}\\s+on\\s+\\S+.*\\S`));
    const metas = JSON.parse(run(dir, ['--list-rules', '--json']).stdout) as { id: string; summary: string; defaultOn: boolean }[];
    const meta = metas.find((m) => m.id === RULE);
    expect(meta?.defaultOn).toBe(true);
    expect(row).toContain(meta!.summary);
  });

  it('a nonexistent path is exit 2 naming it, and nothing is processed', () => {
    const dir = tempDir({ 'a.go': LOST });
    expectUsageError(run(dir, ['a.go', 'missing.go']), /^gopitfix: missing\.go: no such file or directory$/);
    expectUsageError(run(dir, ['nope/...']), /nope\/\.\.\.: no such file or directory/);
    expectUsageError(run(dir, ['a.go/...']), /a\.go\/\.\.\.: a\.go is not a directory/);
  });
});

describe('dry run (default)', () => {
  it('prints a git-style patch on stdout and a summary on stderr, writes nothing', () => {
    const dir = tempDir({ 'a.go': LOST, 'clean.go': CLEAN });
    const r = run(dir, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- a\/a\.go\n\+\+\+ b\/a\.go\n@@ -6,6 \+6,7 @@ # defer-cancel\n/);
    expect(r.stdout).toContain('+\tdefer cancel()\n');
    expect(r.stdout).not.toContain('clean.go');
    expect(r.stdout).not.toContain('\x1b[');
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST);
    expect(r.stderr).toBe('gopitfix: 1 finding (1 fixable) in 1 of 2 files; dry run, use --write to apply\n');
  });

  it('the patch applies with git apply and gives exactly what --write writes', () => {
    const files = { 'a.go': LOST, 'sub/b.go': LOST.replace('package p', 'package sub') };
    const dry = tempDir(files);
    const patch = run(dry, ['./...']).stdout;
    execFileSync('git', ['apply', '-'], { cwd: dry, input: patch });
    const wrote = tempDir(files);
    expect(run(wrote, ['--write', './...']).code).toBe(0);
    for (const f of Object.keys(files)) {
      expect(readFileSync(join(dry, f), 'utf8')).toBe(readFileSync(join(wrote, f), 'utf8'));
    }
    expect(readFileSync(join(wrote, 'a.go'), 'utf8')).toBe(LOST_FIXED);
  });

  it('lists findings without a fix on stderr as path:line:col: rule: message', () => {
    const dir = tempDir({ 'loop.go': LOOP });
    const r = run(dir, ['.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^loop\\.go:12:\\d+: ${RULE}: .*loop`, 'm'));
    expect(r.stderr).toMatch(/gopitfix: 1 finding \(0 fixable\) in 1 of 1 file\n$/);
  });

  it('reports no findings on a clean tree', () => {
    const r = run(tempDir({ 'clean.go': CLEAN }), []);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'gopitfix: no findings in 1 file\n' });
  });
});

describe('color', () => {
  const cases: [string, string[], Record<string, string>, boolean][] = [
    ['not a TTY', [], {}, false],
    ['--color', ['--color'], {}, true],
    ['FORCE_COLOR=1', [], { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0', [], { FORCE_COLOR: '0' }, false],
    ['NO_COLOR=1 and not a TTY', [], { NO_COLOR: '1' }, false],
    ['FORCE_COLOR=1 wins over NO_COLOR=1', [], { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
    ['FORCE_COLOR=1 and --no-color', ['--no-color'], { FORCE_COLOR: '1' }, false],
    ['NO_COLOR=1 and --color', ['--color'], { NO_COLOR: '1' }, true],
    ['the last of --color/--no-color wins', ['--color', '--no-color'], {}, false],
  ];
  it.each(cases)('%s', (_name, args, env, colored) => {
    const r = run(tempDir({ 'a.go': LOST }), args, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('defer cancel()');
    if (colored) {
      expect(r.stdout).toContain('\x1b[32m+\tdefer cancel()\x1b[0m');
      expect(r.stdout).toMatch(/\x1b\[36m@@ /);
    } else {
      expect(r.stdout).not.toContain('\x1b[');
    }
  });

  it('colors on a terminal unless NO_COLOR is set', () => {
    // script(1) (util-linux, always on Debian) gives the CLI a pseudo-terminal stdout.
    const dir = tempDir({ 'a.go': LOST });
    const onTty = (env: Record<string, string>) => {
      const base = { ...process.env };
      delete base.FORCE_COLOR;
      delete base.NO_COLOR;
      const cmd = `'${process.execPath}' '${BIN}' a.go`;
      return execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, env: { ...base, ...env }, encoding: 'utf8' });
    };
    expect(onTty({})).toContain('\x1b[32m+\tdefer cancel()');
    const plain = onTty({ NO_COLOR: '1' });
    expect(plain).toContain('+\tdefer cancel()');
    expect(plain).not.toContain('\x1b[');
  });
});

describe('--write', () => {
  it('rewrites atomically (new inode), keeps the mode, leaves no temp files', () => {
    const dir = tempDir({ 'a.go': LOST, 'clean.go': CLEAN });
    chmodSync(join(dir, 'a.go'), 0o640);
    const before = statSync(join(dir, 'a.go'));
    const cleanBefore = statSync(join(dir, 'clean.go'));
    const r = run(dir, ['--write']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('gopitfix: 1 finding (1 fixed) in 1 of 2 files; wrote 1 file\n');
    const after = statSync(join(dir, 'a.go'));
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
    expect(after.mode & 0o7777).toBe(0o640);
    expect(after.ino).not.toBe(before.ino);
    expect(statSync(join(dir, 'clean.go')).ino).toBe(cleanBefore.ino);
    expect(statSync(join(dir, 'clean.go')).mtimeMs).toBe(cleanBefore.mtimeMs);
    expect(readdirSync(dir).sort()).toEqual(['a.go', 'clean.go']);
    // Idempotent: a second run finds nothing to do.
    expect(run(dir, ['--write']).stderr).toBe('gopitfix: no findings in 2 files\n');
  });

  it('never writes through an explicitly named symlink (issue 9): reported, exit 3, link and target kept', () => {
    const dir = tempDir({ 'real/a.go': LOST });
    symlinkSync('real/a.go', join(dir, 'link.go'));
    const r = run(dir, ['--write', 'link.go']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('gopitfix: link.go: not written: it is a symlink (to real/a.go)');
    expect(lstatSync(join(dir, 'link.go')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.go'))).toBe('real/a.go');
    expect(readFileSync(join(dir, 'real/a.go'), 'utf8')).toBe(LOST);
  });
});

describe('--check', () => {
  it('prints every finding, writes nothing, exits 1 when one is fixable', () => {
    const dir = tempDir({ 'a.go': LOST, 'loop.go': LOOP });
    const r = run(dir, ['--check']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^a\\.go:9:\\d+: ${RULE}: \\S`));
    expect(lines[1]).toMatch(new RegExp(`^loop\\.go:12:\\d+: ${RULE}: \\S`));
    expect(r.stdout).not.toContain('+++');
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST);
    expect(r.stderr).toBe('gopitfix: 2 findings (1 fixable) in 2 of 2 files\n');
  });

  it('exits 0 when findings have no fix, or there are none', () => {
    expect(run(tempDir({ 'loop.go': LOOP }), ['--check']).code).toBe(0);
    expect(run(tempDir({ 'clean.go': CLEAN }), ['--check'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'gopitfix: no findings in 1 file\n',
    });
  });
});

describe('--json', () => {
  it('emits one document with 1-based positions, cwd-relative paths, fixes and a summary', () => {
    const dir = tempDir({ 'pkg/a.go': LOST, 'pkg/loop.go': LOOP, 'clean.go': CLEAN });
    const doc = runJson(join(dir, 'pkg'), ['--rules', RULE, '..']);
    expect(doc.code).toBe(0);
    expect(doc.stderr).toBe('');
    expect(Object.keys(doc).filter((k) => !['code', 'stderr'].includes(k)).sort()).toEqual(['findings', 'summary', 'version']);
    expect(doc.version).toBe(1);
    expect(doc.findings.map((f) => f.file)).toEqual(['a.go', 'loop.go']);
    for (const f of doc.findings) {
      expect(Object.keys(f).sort()).toEqual(['column', 'endColumn', 'endLine', 'file', 'fix', 'line', 'message', 'noFixReason', 'rule']);
      expect(f.rule).toBe(RULE);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(f.endLine * 1e6 + f.endColumn).toBeGreaterThan(f.line * 1e6 + f.column);
      expect(f.message.length).toBeGreaterThan(0);
    }
    const [fixable, unfixable] = doc.findings;
    expect(fixable.line).toBe(9);
    expect(Object.keys(fixable.fix!).sort()).toEqual(['description', 'diff']);
    expect(fixable.fix!.diff).toContain('+\tdefer cancel()');
    expect(fixable.fix!.description.length).toBeGreaterThan(0);
    expect(fixable.noFixReason).toBeNull();
    expect(unfixable.line).toBe(12);
    expect(unfixable.fix).toBeNull();
    // The reason has a field of its own; the message still ends with it, as text output prints it.
    expect(unfixable.noFixReason).toMatch(/^the call is inside a loop/);
    expect(unfixable.message.endsWith(` (no fix: ${unfixable.noFixReason})`)).toBe(true);
    expect(doc.summary).toMatchObject({
      filesScanned: 3,
      filesSkippedGenerated: 0,
      filesIgnored: 0,
      filesWithFindings: 2,
      filesChanged: 1,
      filesWritten: 0,
      filesWithSyntaxErrors: 0,
      findings: 2,
      fixable: 1,
      fixesApplied: 0,
      fixesRejected: 0,
      rules: { [RULE]: { findings: 2, fixable: 1 } },
      errors: [],
    });
    expect(readFileSync(join(dir, 'pkg/a.go'), 'utf8')).toBe(LOST);
  });

  it('combines with --check (exit 1) and --write (counts what was written)', () => {
    const dir = tempDir({ 'a.go': LOST });
    expect(runJson(dir, ['--check']).code).toBe(1);
    const w = runJson(dir, ['--write']);
    expect(w.code).toBe(0);
    expect(w.summary).toMatchObject({ filesWritten: 1, fixesApplied: 1, filesChanged: 1 });
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
  });
});

describe('--rules, --disable, --go', () => {
  it('--rules runs only the named rules; --disable removes one', () => {
    const dir = tempDir({ 'a.go': LOST });
    expect(runJson(dir, ['--rules', RULE]).summary.findings).toBe(1);
    const ids = (JSON.parse(run(dir, ['--list-rules', '--json']).stdout) as { id: string; defaultOn: boolean }[])
      .filter((m) => m.defaultOn)
      .map((m) => m.id);
    if (ids.length > 1) {
      const doc = runJson(dir, ['--disable', RULE]);
      expect(doc.summary.rules[RULE]).toBeUndefined();
      expect(doc.findings.filter((f) => f.rule === RULE)).toEqual([]);
    }
  });

  it('--go accepts 1.N and go1.N', () => {
    const dir = tempDir({ 'a.go': LOST });
    for (const v of ['1.21', 'go1.22', '--go=1.19']) {
      const args = v.startsWith('--') ? [v] : ['--go', v];
      expect(runJson(dir, args).summary.findings).toBe(1);
    }
  });
});

describe('discovery', () => {
  const tree = {
    'a.go': LOST,
    'sub/deep/b.go': LOST,
    'vendor/v/v.go': LOST,
    'testdata/t.go': LOST,
    'node_modules/m/m.go': LOST,
    '_hidden/h.go': LOST,
    '.dot/d.go': LOST,
    '_x.go': LOST,
    'notgo.txt': LOST,
    'dir.go/inner.go': LOST,
  };

  it('walks recursively, skipping vendor, testdata, node_modules, _ and . names', () => {
    const dir = tempDir(tree);
    symlinkSync(join(dir, 'sub'), join(dir, 'linked'));
    symlinkSync(join(dir, 'a.go'), join(dir, 'alias.go'));
    const doc = runJson(dir, []);
    expect(doc.code).toBe(0);
    // dir.go/ is a directory: walked, never read as a file.
    expect(filesWithFindings(doc)).toEqual(['a.go', 'dir.go/inner.go', 'sub/deep/b.go']);
    expect(doc.summary.filesScanned).toBe(3);
  });

  it('explicitly named files and roots are always processed', () => {
    const dir = tempDir(tree);
    const doc = runJson(dir, ['vendor/v/v.go', '_hidden', 'notgo.txt', '.dot/']);
    expect(filesWithFindings(doc)).toEqual(['.dot/d.go', '_hidden/h.go', 'notgo.txt', 'vendor/v/v.go']);
  });

  it('understands ./..., ./dir/... and dir/..., and deduplicates', () => {
    const dir = tempDir(tree);
    expect(filesWithFindings(runJson(dir, ['./...']))).toEqual(['a.go', 'dir.go/inner.go', 'sub/deep/b.go']);
    expect(filesWithFindings(runJson(dir, ['./sub/...']))).toEqual(['sub/deep/b.go']);
    const sub = runJson(join(dir, 'sub'), ['deep/...', '../a.go']);
    expect(filesWithFindings(sub)).toEqual(['../a.go', 'deep/b.go']);
    const twice = runJson(dir, ['.', './...', 'a.go', 'sub']);
    expect(twice.summary.filesScanned).toBe(3);
    expect(twice.findings.map((f) => f.file)).toEqual(['a.go', 'dir.go/inner.go', 'sub/deep/b.go']);
  });

  it('honors .gitignore files (nested) inside a git work tree', () => {
    const dir = tempDir({
      'a.go': LOST,
      'build/out.go': LOST,
      'pkg/keep.go': LOST,
      'pkg/skip.go': LOST,
      'pkg/gen_x.go': LOST,
      'tracked.go': LOST,
      '.gitignore': 'build/\n*_x.go\ntracked.go\n',
      'pkg/.gitignore': 'skip.go\n',
    });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '-f', 'tracked.go'], { cwd: dir });
    expect(filesWithFindings(runJson(dir, []))).toEqual(['a.go', 'pkg/keep.go', 'tracked.go']);
    expect(filesWithFindings(runJson(join(dir, 'pkg'), ['.']))).toEqual(['keep.go']);
    // Named explicitly: processed although ignored.
    expect(filesWithFindings(runJson(dir, ['pkg/skip.go']))).toEqual(['pkg/skip.go']);
  });

  it('outside a git work tree .gitignore has no effect', () => {
    const dir = tempDir({ 'a.go': LOST, 'b.go': LOST, '.gitignore': 'b.go\n' });
    expect(filesWithFindings(runJson(dir, []))).toEqual(['a.go', 'b.go']);
  });
});

describe('generated files', () => {
  const GEN = '// Code generated by stringer; DO NOT EDIT.\n\n' + LOST;
  const NOT_GEN = LOST.replace('package p\n', 'package p\n\n// Code generated by hand; DO NOT EDIT.\n');

  it('skips files marked before the package clause, counting them; --include-generated processes them', () => {
    const dir = tempDir({ 'gen.go': GEN, 'late.go': NOT_GEN, 'crlf.go': GEN.replace(/\n/g, '\r\n') });
    const r = run(dir, ['--check']);
    expect(r.stdout).toMatch(/^late\.go:/);
    expect(r.stdout).not.toContain('gen.go');
    expect(r.stderr).toContain('2 generated files skipped (--include-generated to process)');
    const doc = runJson(dir, []);
    expect(doc.summary.filesSkippedGenerated).toBe(2);
    expect(doc.summary.filesScanned).toBe(1);
    const all = runJson(dir, ['--include-generated']);
    expect(filesWithFindings(all)).toEqual(['crlf.go', 'gen.go', 'late.go']);
    expect(all.summary.filesSkippedGenerated).toBe(0);
  });
});

describe('files that cannot be processed', () => {
  it('a dangling symlink named explicitly: exit 3 with one line, the others still fixed', () => {
    // chmod 000 does not stop root (tests run as root in CI); a dangling symlink fails
    // to open for everyone, with ENOENT, while the path itself exists.
    const dir = tempDir({ 'a.go': LOST });
    symlinkSync('gone.go', join(dir, 'broken.go'));
    const r = run(dir, ['--write', 'broken.go', '.']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('gopitfix: broken.go: cannot read: no such file or directory\n');
    expect(r.stderr).toMatch(/1 file could not be processed\n$/);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST_FIXED);
  });

  it('a symlink loop and a FIFO are reported, not hung on', () => {
    const dir = tempDir({ 'a.go': LOST });
    symlinkSync('loop2.go', join(dir, 'loop1.go'));
    symlinkSync('loop1.go', join(dir, 'loop2.go'));
    execFileSync('mkfifo', [join(dir, 'pipe.go')]);
    const doc = runJson(dir, ['loop1.go', 'pipe.go', 'a.go']);
    expect(doc.code).toBe(3);
    expect(doc.summary.errors).toEqual([
      { file: 'loop1.go', message: 'cannot read: too many levels of symbolic links' },
      { file: 'pipe.go', message: 'not a regular file' },
    ]);
    expect(doc.summary.findings).toBe(1);
    // In a walk a FIFO is simply not a Go file; looping *.go symlinks are reported (issue 9).
    const walked = run(dir, ['--check', '.']);
    expect(walked.code).toBe(3);
    expect(walked.stderr).toContain('gopitfix: loop1.go: skipped: symlink loop\n');
    expect(walked.stderr).not.toContain('pipe.go');
  });

  it('--check with an unreadable file still exits 3', () => {
    const dir = tempDir({ 'a.go': LOST });
    symlinkSync('gone.go', join(dir, 'broken.go'));
    const r = run(dir, ['--check', 'broken.go', 'a.go']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^a\.go:9:/);
  });

  it('a file with syntax errors elsewhere still gets its fixes; others are fixed too', () => {
    const broken = LOST + '\nfunc broken( {\n\treturn )\n}\n';
    const dir = tempDir({ 'broken.go': broken, 'a.go': LOST });
    const doc = runJson(dir, ['--write']);
    expect(doc.code).toBe(0);
    expect(doc.summary.filesWithSyntaxErrors).toBe(1);
    expect(doc.summary.filesWritten).toBe(2);
    const out = readFileSync(join(dir, 'broken.go'), 'utf8');
    expect(out).toContain('ctx, cancel := context.WithTimeout(parent, time.Second)\n\tdefer cancel()\n');
    expect(out.endsWith('\nfunc broken( {\n\treturn )\n}\n')).toBe(true);
  });
});

describe('suppression comments', () => {
  const at = (comment: string, sameLine: boolean) =>
    sameLine
      ? LOST.replace('time.Second)\n', `time.Second) ${comment}\n`)
      : LOST.replace('\tctx, _ :=', `\t${comment}\n\tctx, _ :=`);

  it.each([
    ['//gopitfix:ignore', false],
    ['//gopitfix:ignore', true],
    [`//gopitfix:ignore ${RULE}`, false],
    [`//gopitfix:ignore hoist-wg-add,${RULE}`, true],
    ['//nolint', true],
    ['//nolint:gopitfix', false],
  ])('%s (same line: %s) suppresses the finding', (comment, sameLine) => {
    const dir = tempDir({ 'a.go': at(comment, sameLine) });
    const r = run(dir, ['--check']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'gopitfix: no findings in 1 file\n' });
  });

  it.each([['//gopitfix:ignore hoist-wg-add'], ['//nolint:errcheck']])('%s does not suppress this rule', (comment) => {
    expect(run(tempDir({ 'a.go': at(comment, false) }), ['--check']).code).toBe(1);
  });

  it('//gopitfix:ignore-file in the header skips the whole file', () => {
    const dir = tempDir({ 'a.go': '//gopitfix:ignore-file\n\n' + LOST, 'b.go': LOST });
    const doc = runJson(dir, ['--write']);
    expect(filesWithFindings(doc)).toEqual(['b.go']);
    expect(doc.summary.filesIgnored).toBe(1);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe('//gopitfix:ignore-file\n\n' + LOST);
  });
});

describe('examples/service', () => {
  it('fixes what it can, builds afterwards, and every lost cancel vet still sees is one gopitfix explained', () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'examples', 'service'), dir, { recursive: true });
    const before = runJson(dir, ['--check', './...']);
    expect(before.code).toBe(1);
    expect(before.findings.some((f) => f.file.startsWith('internal/gen/'))).toBe(false);
    expect(before.summary.filesSkippedGenerated).toBe(1);
    const fixed = before.findings.filter((f) => f.fix && f.rule === RULE).map((f) => f.file);
    expect(fixed).toContain('main.go');
    const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GO111MODULE: 'on' };
    const vetLeaks = () =>
      spawnSync('go', ['vet', '-lostcancel', './...'], { cwd: dir, env, encoding: 'utf8' })
        .stderr.split('\n')
        .filter((l) => /the cancel function/.test(l))
        .map((l) => l.replace(/^\.\//, '').split(':').slice(0, 2).join(':'))
        .filter((l) => !l.startsWith('internal/gen/'));
    const leaksBefore = vetLeaks();
    const gen = readFileSync(join(dir, 'internal/gen/zz_generated.go'), 'utf8');

    expect(run(dir, ['--write', './...']).code).toBe(0);
    expect(readFileSync(join(dir, 'internal/gen/zz_generated.go'), 'utf8')).toBe(gen);
    const after = runJson(dir, ['--check', './...']);
    expect(after.code).toBe(0);
    expect(after.summary.fixable).toBe(0);

    execFileSync('go', ['build', './...'], { cwd: dir, env, stdio: 'pipe' });
    const leaks = vetLeaks();
    expect(leaks.length).toBe(leaksBefore.length - fixed.length);
    const explained = new Set(after.findings.filter((f) => f.rule === RULE).map((f) => `${f.file}:${f.line}`));
    for (const leak of leaks) expect(explained, `vet reports ${leak} but gopitfix does not`).toContain(leak);
  });
});
