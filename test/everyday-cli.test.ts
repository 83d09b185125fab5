// Everyday use of the built CLI (issue 19): pipes that close early, CI gating with
// --fail-on, the test-file switch, files the grammar cannot parse, and the smaller
// papercuts. Terminal behaviour is in test/terminal-pty.test.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, tempTrees } from './support/cli.js';
import { docLinks } from '../src/cli/output/sarif.js';
import { stripExpectations } from '../src/testing/want.js';

const tree = tempTrees('gopitfix-everyday-');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');

const LOST = (i: number) =>
  `func F${i}(ctx context.Context) error {\n\tctx2, _ := context.WithTimeout(ctx, time.Second)\n\treturn ctx2.Err()\n}\n`;
const HEAD = 'package p\n\nimport (\n\t"context"\n\t"time"\n)\n\n';

/** n files with one fixable defer-cancel finding each. */
function fixableTree(n: number): string {
  const files: Record<string, string> = { 'go.mod': 'module example.com/p\n\ngo 1.21\n' };
  for (let i = 0; i < n; i++) files[`f${String(i).padStart(3, '0')}.go`] = HEAD + LOST(i);
  return tree(files);
}

/** Runs `node gopitfix <args> | head <headArgs>` in bash; the CLI's own exit status and both outputs. */
function piped(cwd: string, args: string, headArgs = '-1', redirect = '') {
  const r = spawnSync('bash', ['-c', `node '${BIN}' ${args} ${redirect} | head ${headArgs}; echo "status=\${PIPESTATUS[0]}" >&2`], {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  const m = /status=(\d+)\n$/.exec(r.stderr);
  return { code: m ? Number(m[1]) : -1, stdout: r.stdout, stderr: r.stderr.replace(/status=\d+\n$/, '') };
}

describe('a reader that goes away (| head)', () => {
  it('ends quietly with the exit code the run would have had, in every format', () => {
    // Enough output to overflow the pipe's buffer after head has gone in every case.
    const dir = fixableTree(400);
    const cases: [string, number][] = [
      ['.', 0],
      ['--check .', 1],
      ['--format github .', 0],
      ['--format sarif --check .', 1],
      ['--list-rules --json', 0],
    ];
    for (const [args, code] of cases) {
      const r = piped(dir, args);
      expect(r.stdout.split('\n').length, args).toBe(2);
      expect(r.stderr, args).not.toMatch(/EPIPE|Error|at .*\.js/);
      expect(r.code, args).toBe(code);
    }
  });

  it('with stderr in the pipe too, the exit code still counts every file', () => {
    const dir = fixableTree(50);
    const r = spawnSync('bash', ['-c', `ln -s missing zz.go; node '${BIN}' . 2>&1 | head -1; echo "status=\${PIPESTATUS[0]}"`], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^--- a\/f000\.go\nstatus=3\n$/);
    expect(r.stderr).toBe('');
  });
});

describe('before a build', () => {
  it('says to run npm install instead of a stack trace', () => {
    const dir = tree({ 'bin/': '' });
    copyFileSync(BIN, join(dir, 'bin', 'gopitfix.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'gopitfix.js'), '.'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gopitfix: not built yet: run `npm install` (or `npm run build`) in the gopitfix directory first\n');
  });
});

describe('SARIF links from package.json repository', () => {
  it('point at the rule READMEs in the repository, for every npm spelling of it', () => {
    const doc = 'transforms/defer-cancel/README.md';
    for (const repo of [
      'git+https://github.com/acme/gopitfix.git',
      { type: 'git', url: 'https://github.com/acme/gopitfix' },
      'git@github.com:acme/gopitfix.git',
      'github:acme/gopitfix',
      'acme/gopitfix',
    ]) {
      const l = docLinks(repo)!;
      expect(l.information, JSON.stringify(repo)).toBe('https://github.com/acme/gopitfix');
      expect(l.doc(doc)).toBe('https://github.com/acme/gopitfix/blob/HEAD/transforms/defer-cancel/README.md');
    }
    expect(docLinks('https://gitlab.com/acme/tools/gopitfix.git')!.doc(doc)).toBe(
      'https://gitlab.com/acme/tools/gopitfix/-/blob/HEAD/transforms/defer-cancel/README.md',
    );
    // An unknown host: the project page, but no guessed file URL.
    const own = docLinks('https://git.acme.dev/tools/gopitfix.git')!;
    expect(own.information).toBe('https://git.acme.dev/tools/gopitfix');
    expect(own.doc(doc)).toBeNull();
    // No links rather than dead or local ones.
    for (const repo of [undefined, '', 'git+https://example.invalid/gopitfix/gopitfix.git', 'file:///home/me/gopitfix', { url: 42 }]) {
      expect(docLinks(repo), JSON.stringify(repo)).toBeNull();
    }
  });
});

const UNFIXABLE = HEAD + 'func Loop(ctx context.Context, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tctx2, _ := context.WithTimeout(ctx, time.Second)\n\t\t_ = ctx2\n\t}\n}\n';

describe('--fail-on', () => {
  it('fixable (the --check default), any or none, the same for every format', () => {
    const onlyUnfixable = tree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'a.go': UNFIXABLE });
    const fixable = fixableTree(1);
    const clean = tree({ 'a.go': 'package p\n' });
    const cases: [string[], number, number, number][] = [
      // args, exit on [unfixable only, fixable, clean]
      [['--check'], 0, 1, 0],
      [['--check', '--fail-on', 'any'], 1, 1, 0],
      [['--check', '--fail-on=none'], 0, 0, 0],
      [[], 0, 0, 0],
      [['--format', 'github'], 0, 0, 0],
      [['--format', 'github', '--fail-on', 'any'], 1, 1, 0],
      [['--format', 'sarif', '--fail-on', 'any'], 1, 1, 0],
      [['--json', '--check'], 0, 1, 0],
    ];
    for (const [args, u, f, c] of cases) {
      expect([runCli(onlyUnfixable, [...args, '.']).code, runCli(fixable, [...args, '.']).code, runCli(clean, [...args, '.']).code], args.join(' ')).toEqual([u, f, c]);
    }
  });

  it('with --write counts what the run found (a fixed file still fails --fail-on fixable), and 3 wins', () => {
    const dir = fixableTree(1);
    expect(runCli(dir, ['--write', '--fail-on', 'fixable', '.']).code).toBe(1);
    expect(runCli(dir, ['--write', '--fail-on', 'fixable', '.']).code).toBe(0);
    const broken = tree({ 'a.go': UNFIXABLE, 'b.go': Buffer.from([0, 1, 2]) });
    expect(runCli(broken, ['--fail-on', 'any', '.']).code).toBe(3);
  });

  it('rejects other values and -i', () => {
    const dir = fixableTree(1);
    const r = runCli(dir, ['--fail-on', 'warning', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: --fail-on: expected fixable, any or none, got "warning"\n');
    expect(runCli(dir, ['-i', '--fail-on', 'any', '.']).stderr).toBe('gopitfix: --fail-on cannot be combined with --interactive\n');
  });

  it('SARIF and github runs do not say "dry run, use --write"; a text dry run does', () => {
    const dir = fixableTree(1);
    expect(runCli(dir, ['--format', 'sarif', '.']).stderr).toBe('gopitfix: 1 finding (1 fixable) in 1 of 1 file\n');
    expect(runCli(dir, ['--format', 'github', '.']).stderr).toBe('gopitfix: 1 finding (1 fixable) in 1 of 1 file\n');
    expect(runCli(dir, ['.']).stderr).toBe('gopitfix: 1 finding (1 fixable) in 1 of 1 file; dry run, use --write to apply\n');
  });
});

describe('--tests and gopitfix.json tests', () => {
  const GO_MOD = 'module example.com/p\n\ngo 1.21\n';
  const testTree = (extra: Record<string, string> = {}) =>
    tree({ 'go.mod': GO_MOD, 'a.go': HEAD + LOST(1), 'a_test.go': HEAD + LOST(2), 'sub/b_test.go': HEAD.replace('package p', 'package sub') + LOST(3), ...extra });

  it('counts findings in test files and hints at the switch when they dominate', () => {
    const r = runCli(testTree(), ['--check', '.']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stderr).toBe('gopitfix: 3 findings (3 fixable) in 3 of 3 files; 2 of them in _test.go files (--tests=false skips them)\n');
    const doc = JSON.parse(runCli(testTree(), ['--json', '.']).stdout);
    expect(doc.summary).toMatchObject({ findings: 3, findingsInTests: 2, filesSkippedTests: 0 });
    // Not dominating: counted, no hint.
    const few = runCli(testTree({ 'c.go': HEAD + LOST(4), 'd.go': HEAD + LOST(5) }), ['--check', '.']);
    expect(few.stderr).toBe('gopitfix: 5 findings (5 fixable) in 5 of 5 files; 2 of them in _test.go files\n');
  });

  it('--tests=false skips _test.go files (not those named on the command line); --tests includes them', () => {
    const dir = testTree();
    const off = runCli(dir, ['--check', '--tests=false', '--stats', '.']);
    expect(off.stdout).toMatch(/^a\.go:9:13: defer-cancel: /);
    expect(off.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(off.stderr).toContain('gopitfix: 1 finding (1 fixable) in 1 of 1 file\n');
    expect(off.stderr).toMatch(/^ {2}files {5}1 found: 1 scanned/m);
    expect(off.stderr).toMatch(/^ {2}skipped {3}2 test files \(--tests=false\)$/m);
    expect(JSON.parse(runCli(dir, ['--json', '--tests=false', '.']).stdout).summary).toMatchObject({ findings: 1, filesSkippedTests: 2, findingsInTests: 0 });
    expect(runCli(dir, ['--check', '--tests=false', 'a_test.go']).stdout).toMatch(/^a_test\.go:9:13: /);
    const on = runCli(dir, ['--check', '--tests', '.']);
    expect(on.stderr).toBe('gopitfix: 3 findings (3 fixable) in 3 of 3 files; 2 of them in _test.go files\n');
    expect(runCli(dir, ['--tests=maybe', '.']).stderr).toBe('gopitfix: --tests: expected --tests, --tests=true or --tests=false, got "maybe"\n');
  });

  it('gopitfix.json tests: false skips them per directory; the flag wins', () => {
    const dir = testTree({ 'sub/gopitfix.json': '{"tests": false}' });
    const r = runCli(dir, ['--check', '.']);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(['a.go', 'a_test.go']);
    expect(runCli(dir, ['--check', '--tests=true', '.']).stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const bad = runCli(tree({ 'gopitfix.json': '{"tests": "no"}', 'a.go': 'package p\n' }), ['.']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^gopitfix: gopitfix\.json: \$\.tests: expected true or false, got "no"$/m);
  });

  it('an explicit --tests=true (or config tests: true) also turns on the HTTP rules, which leave test code alone by default', () => {
    const client = stripExpectations(readFileSync(join(FIXTURES, 'http-client-timeout/value.input.go'), 'utf8'));
    const dir = tree({ 'go.mod': GO_MOD, 'api_test.go': client });
    const args = ['--json', '--rules', 'http-client-timeout', '.'];
    expect(JSON.parse(runCli(dir, args).stdout).summary.fixable).toBe(0);
    expect(JSON.parse(runCli(dir, [...args, '--tests=true']).stdout).summary.fixable).toBe(1);
    writeFileSync(join(dir, 'gopitfix.json'), '{"tests": true}');
    expect(JSON.parse(runCli(dir, args).stdout).summary.fixable).toBe(1);
  });
});

describe('files the grammar cannot parse', () => {
  it('are listed with where the first error is: --stats and JSON summary.syntaxErrors (filesWithSyntaxErrors stays the count)', () => {
    const dir = tree({
      // Go 1.26's new(expr): builds with Go 1.26, unknown to tree-sitter-go 0.25.
      'new.go': 'package p\n\nimport "context"\n\nfunc f(ctx context.Context, port int) *uint16 {\n\t_, _ = context.WithCancel(ctx)\n\treturn new(uint16(port))\n}\n',
      'ok.go': HEAD + LOST(1),
    });
    const r = runCli(dir, ['--stats', '.']);
    expect(r.stderr).toContain(
      '  syntax    1 file the grammar could not parse (fixes elsewhere in it still apply);\n' +
        "            code that builds may use Go syntax newer than tree-sitter-go 0.25 knows (Go 1.25), e.g. Go 1.26's new(expr):\n" +
        '              new.go:7:13\n',
    );
    const s = JSON.parse(runCli(dir, ['--json', '.']).stdout).summary;
    expect(s.filesWithSyntaxErrors).toBe(1);
    expect(s.syntaxErrors).toEqual([{ file: 'new.go', line: 7, column: 13 }]);
    // The fix in the other file still applies.
    expect(s.fixable).toBe(1);
  });
});

describe('smaller papercuts', () => {
  it('a rule inactive for the Go version is not blamed on "no rule trigger"', () => {
    const dir = tree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'a.go': HEAD + LOST(1) });
    const r = runCli(dir, ['--stats', '--rules', 'waitgroup-go', '.']);
    expect(r.stderr).toMatch(/^ {2}skipped {3}1 no rule for their Go version$/m);
    expect(r.stderr).toMatch(/^ {4}waitgroup-go {2}0 findings, 0 fixable \(not run on 1 file: Go version out of its range\)$/m);
    const s = JSON.parse(runCli(dir, ['--json', '--rules', 'waitgroup-go,defer-cancel', '.']).stdout).summary;
    expect(s).toMatchObject({ filesSkippedGoVersion: 0, filesSkippedNoTrigger: 0, filesParsed: 1, rulesOutOfVersion: { 'waitgroup-go': 1 } });
  });

  it('--list-rules --json prints regular-expression triggers as strings', () => {
    const rules = JSON.parse(runCli(tree(), ['--list-rules', '--json']).stdout) as { triggers?: unknown[] }[];
    const triggers = rules.flatMap((r) => r.triggers ?? []);
    expect(triggers.some((t) => typeof t === 'string' && t.startsWith('/'))).toBe(true);
    expect(triggers.every((t) => typeof t === 'string')).toBe(true);
  });

  it('--help mentions the config file, suppression comments, the rule docs and exit codes 130/143', () => {
    const h = runCli(tree(), ['--help']).stdout;
    expect(h).toContain('gopitfix.json');
    expect(h).toContain('//gopitfix:ignore');
    expect(h).toMatch(/Rule docs: \/.*\/transforms\/<rule>\/README\.md/);
    expect(h).toContain('130/143');
    expect(h).toContain('--fail-on');
    expect(h).toContain('--tests[=true|false]');
  });
});

describe('git-relative selection and paths', () => {
  const git = (cwd: string, ...args: string[]) =>
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });

  function repo(): string {
    const dir = tree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'sub/a.go': HEAD + LOST(1), 'sub/b.go': HEAD + LOST(2) });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    writeFileSync(join(dir, 'sub', 'b.go'), HEAD + LOST(2) + '\n// changed\n');
    return dir;
  }

  it('--format github and sarif from a subdirectory use paths from the repository top', () => {
    const dir = repo();
    const sub = join(dir, 'sub');
    expect(runCli(sub, ['--format', 'github', 'a.go']).stdout).toMatch(/^::warning file=sub\/a\.go,line=9,/);
    const doc = JSON.parse(runCli(sub, ['--format', 'sarif', 'a.go']).stdout);
    expect(doc.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('sub/a.go');
    expect(doc.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(pathToFileURL(dir + '/').href);
    // Text and JSON keep paths relative to the current directory.
    expect(runCli(sub, ['--check', 'a.go']).stdout).toMatch(/^a\.go:9:13: /);
  });

  it('--changed-since reads the repository of the given paths, not the current directory', () => {
    const dir = repo();
    const outside = tree();
    const r = runCli(outside, ['--check', '--changed-since', 'HEAD', join(dir, 'sub')]);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/:.*/, '').replace(/.*\//, ''))).toEqual(['b.go']);
    expect(r.code).toBe(1);
  });
});

describe('a path with no Go files', () => {
  it('is a usage error for a directory (like go vet), a warning for a dir/... pattern', () => {
    const dir = tree({ 'docs/README.md': 'hi', 'vendor/x/x.go': 'package x\n', 'pkg/a.go': 'package a\n' });
    const r = runCli(dir, ['docs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: docs: no Go files (vendor/, testdata/ and directories starting with . or _ are not walked)\n');
    expect(runCli(join(dir, 'docs'), []).code).toBe(2);
    const p = runCli(dir, ['./docs/...', './pkg/...']);
    expect(p.code).toBe(0);
    expect(p.stderr).toBe('gopitfix: warning: "./docs/..." matched no Go files\ngopitfix: no findings in 1 file\n');
  });
});

describe('suppression comments', () => {
  it('a typo in a //gopitfix:ignore rule id is reported (the finding stays); //nolint lists are not checked', () => {
    const src = (c: string) => HEAD + `func F(ctx context.Context) error {\n\tctx2, _ := context.WithTimeout(ctx, time.Second) ${c}\n\treturn ctx2.Err()\n}\n`;
    const dir = tree({ 'a.go': src('//gopitfix:ignore defer-cancle'), 'b.go': src('//nolint:errcheck'), 'c.go': src('//gopitfix:ignore defer-cancel') });
    const r = runCli(dir, ['--check', '.']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(0, 5))).toEqual(['a.go:', 'b.go:']);
    expect(r.stderr).toBe(
      'gopitfix: warning: a.go:9: //gopitfix:ignore names unknown rule "defer-cancle" (see --list-rules)\n' +
        'gopitfix: 2 findings (2 fixable) in 2 of 3 files\n',
    );
  });
});

describe('a file outside the current directory', () => {
  it('gets patch headers from the filesystem root, which git apply --directory=/ accepts (never a/../)', () => {
    const dir = tree({ 'cwd/': '', 'other/a.go': HEAD + LOST(1) });
    const r = runCli(join(dir, 'cwd'), ['../other/a.go']);
    const abs = join(dir, 'other', 'a.go').replace(/^\/+/, '');
    expect(r.stdout.startsWith(`--- a/${abs}\n+++ b/${abs}\n`)).toBe(true);
    writeFileSync(join(dir, 'cwd', 'fix.patch'), r.stdout);
    const apply = spawnSync('git', ['apply', '--unsafe-paths', '--directory=/', 'fix.patch'], { cwd: join(dir, 'cwd'), encoding: 'utf8' });
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    expect(runCli(join(dir, 'cwd'), ['--check', '../other/a.go']).code).toBe(0);
    // Finding lines keep the path relative to the current directory.
    expect(r.stderr).toBe('gopitfix: 1 finding (1 fixable) in 1 of 1 file; dry run, use --write to apply\n');
  });
});
