// Batch mode end to end (the built CLI, as users and CI run it): --jobs determinism,
// output formats (SARIF validated against the vendored 2.1.0 schema), monorepo
// selection (--exclude, vendor, --changed-since, --shard, nested go.mod / go.work /
// gopitfix.json), and the write-safety rules.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempTrees, writeTree, type Run } from './support/cli.js';


const LOST = (fn: string) => `package p

import (
	"context"
	"time"
)

func ${fn}(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx.Err()
}
`;
// Fixable only before Go 1.22 (per-iteration loop variables after that).
const CAPTURE = `package q

func run(xs []int) {
	for _, x := range xs {
		go func() {
			println(x)
		}()
	}
}
`;
// In a loop: reported without a fix.
const LOOP = `package p

import (
	"context"
	"time"
)

func loop(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		_ = ctx
		if i > 3 {
			cancel()
		}
	}
}
`;

const tempDir = tempTrees('gopitfix-batch-');
const write = writeTree;
const run = (cwd: string, args: string[]): Run => runCli(cwd, args, { timeout: 120_000 });

function json(cwd: string, args: string[]) {
  const r = run(cwd, [...args, '--format', 'json']);
  return { ...r, doc: JSON.parse(r.stdout) as { findings: { rule: string; file: string; line: number; fix: unknown }[]; summary: Record<string, any> } };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

/** A monorepo-ish tree: two modules, several packages, fixable and unfixable findings. */
function monorepo(): string {
  const files: Record<string, string> = {
    'go.work': 'go 1.21\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n',
    'svc/a/go.mod': 'module example.com/a\n\ngo 1.21\n',
    'svc/b/go.mod': 'module example.com/b\n\ngo 1.22\n',
    'svc/a/loop/loop.go': CAPTURE,
    'svc/b/loop/loop.go': CAPTURE,
    'svc/a/lost/unfixable.go': LOOP,
  };
  for (let i = 0; i < 12; i++) {
    files[`svc/${i % 2 ? 'a' : 'b'}/pkg${i}/x.go`] = LOST(`f${i}`);
    files[`svc/${i % 2 ? 'a' : 'b'}/pkg${i}/y.go`] = `package p\n\nfunc y${i}() int { return ${i} }\n`;
  }
  return tempDir(files);
}

describe('--jobs', () => {
  it('gives byte-identical output for any number of workers, in every format', () => {
    const dir = monorepo();
    const formats = [[], ['--check'], ['--format', 'json'], ['--format', 'sarif'], ['--format', 'github'], ['--json', '--check']];
    for (const f of formats) {
      const one = run(dir, [...f, '--jobs', '1', './...']);
      expect(one.stdout.length).toBeGreaterThan(0);
      for (const jobs of ['2', '3']) {
        const many = run(dir, [...f, '--jobs', jobs, './...']);
        expect(many, `${f.join(' ')} --jobs ${jobs}`).toEqual(one);
      }
    }
  });

  it('rejects a bad value with exit 2', () => {
    const r = run(tempDir(), ['--jobs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: --jobs: expected a number from 1 to 256, got "0"\n');
  });
});

describe('monorepo behaviour', () => {
  it('uses each file\'s nearest go.mod inside a go.work tree', () => {
    const { doc } = json(monorepo(), ['--rules', 'capture-loop-var', './...']);
    expect(doc.findings.map((f) => f.file)).toEqual(['svc/a/loop/loop.go']);
  });

  it('applies the nearest gopitfix.json per directory, in every worker', () => {
    const dir = monorepo();
    write(dir, {
      'svc/a/gopitfix.json': JSON.stringify({ rules: { 'defer-cancel': 'off' } }),
      'svc/a/pkg1/gopitfix.json': JSON.stringify({ rules: { 'defer-cancel': 'on' } }),
    });
    for (const jobs of ['1', '2']) {
      const { doc } = json(dir, ['--jobs', jobs, './...']);
      const files = doc.findings.filter((f) => f.rule === 'defer-cancel').map((f) => f.file);
      expect(files).toContain('svc/a/pkg1/x.go');
      expect(files.some((f) => f.startsWith('svc/a/') && f !== 'svc/a/pkg1/x.go')).toBe(false);
      expect(files.filter((f) => f.startsWith('svc/b/')).length).toBe(6);
    }
  });

  it('--exclude skips matching files and directories (repeatable); explicit files stay', () => {
    const dir = monorepo();
    const { doc } = json(dir, ['--exclude', 'svc/b/**', '--exclude', 'pkg1', './...']);
    const files = new Set(doc.findings.map((f) => f.file));
    expect([...files].some((f) => f.startsWith('svc/b/') || f.startsWith('svc/a/pkg1/'))).toBe(false);
    expect(files.has('svc/a/pkg3/x.go')).toBe(true);
    expect(doc.summary.filesExcluded).toBe(6 * 2 + 1 + 2);
    const explicit = json(dir, ['--exclude', 'pkg1', 'svc/a/pkg1/x.go']).doc;
    expect(explicit.findings.length).toBe(1);
  });

  it('skips vendor/ unless --include-vendor, and counts what it skipped', () => {
    const dir = tempDir({ 'a.go': LOST('a'), 'vendor/v/v.go': LOST('v'), 'sub/vendor/w/w.go': LOST('w') });
    const skipped = json(dir, ['./...']).doc;
    expect(skipped.findings.map((f) => f.file)).toEqual(['a.go']);
    expect(skipped.summary.vendorDirsSkipped).toBe(2);
    const all = json(dir, ['--include-vendor', './...']).doc;
    expect(all.findings.map((f) => f.file)).toEqual(['a.go', 'sub/vendor/w/w.go', 'vendor/v/v.go']);
    expect(all.summary.vendorDirsSkipped).toBe(0);
  });

  it('--changed-since REF takes changed, staged and untracked files, never ignored ones', () => {
    const dir = tempDir({ 'a/a.go': LOST('a'), 'b/b.go': LOST('b'), 'c/c.go': LOST('c'), '.gitignore': 'ignored/\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(join(dir, 'a/a.go'), LOST('a2'));
    write(dir, { 'new/n.go': LOST('n'), 'ignored/i.go': LOST('i') });
    const { doc } = json(dir, ['--changed-since', 'HEAD', './...']);
    expect(doc.findings.map((f) => f.file)).toEqual(['a/a.go', 'new/n.go']);
    git(dir, 'add', 'new/n.go');
    git(dir, 'commit', '-qm', 'second');
    expect(json(dir, ['--changed-since', 'HEAD~1', './...']).doc.findings.map((f) => f.file)).toEqual(['a/a.go', 'new/n.go']);
    const bad = run(dir, ['--changed-since', 'no-such-ref', './...']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('gopitfix: --changed-since: unknown git revision "no-such-ref"\n');
    expect(run(tempDir({ 'a.go': LOST('a') }), ['--changed-since', 'HEAD']).stderr).toBe(
      'gopitfix: --changed-since: not inside a git work tree\n',
    );
  });

  it('--shard K/N partitions the files: disjoint, complete, stable', () => {
    const dir = monorepo();
    const all = json(dir, ['./...']).doc.findings.map((f) => f.file);
    const shards = ['1/3', '2/3', '3/3'].map((s) => json(dir, ['--shard', s, './...']).doc.findings.map((f) => f.file));
    expect(shards.flat().sort()).toEqual([...all].sort());
    for (const s of shards) expect(s.length).toBeLessThan(all.length);
    expect(json(dir, ['--shard', '2/3', './...']).doc.findings.map((f) => f.file)).toEqual(shards[1]);
    expect(run(dir, ['--shard', '4/3']).code).toBe(2);
  });
});

describe('write safety', () => {
  it('refuses --write on files with uncommitted changes in git, listing them; --allow-dirty writes', () => {
    const dir = tempDir({ 'a.go': LOST('a'), 'b.go': LOST('b'), 'c.go': LOST('c') });
    git(dir, 'init', '-q');
    git(dir, 'add', 'a.go', 'b.go');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(join(dir, 'b.go'), LOST('b2'));
    const r = run(dir, ['--write', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'gopitfix: refusing to write: 2 files have uncommitted changes (commit or stash them first, or pass --allow-dirty):\n  b.go\n  c.go\n',
    );
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOST('a'));
    // Dry runs and --check never write: no guard.
    expect(run(dir, ['--check', '.']).code).toBe(1);
    const ok = run(dir, ['--write', '--allow-dirty', '.']);
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'b.go'), 'utf8')).toContain('defer cancel()');
  });

  it('writes outside a git work tree without asking', () => {
    const dir = tempDir({ 'a.go': LOST('a') });
    expect(run(dir, ['--write', '.']).code).toBe(0);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toContain('defer cancel()');
  });

  it('a clean work tree is written', () => {
    const dir = tempDir({ 'a.go': LOST('a') });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    expect(run(dir, ['--write', '.']).code).toBe(0);
    expect(git(dir, 'status', '--porcelain')).toBe(' M a.go\n');
  });
});

describe('--format', () => {
  it('github prints one ::warning workflow command per finding, escaped', () => {
    const dir = tempDir({ 'a.go': LOST('a'), 'dir,x/l.go': LOOP });
    const r = run(dir, ['--format', 'github', './...']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::warning file=a\.go,line=9,col=\d+,endLine=9,endColumn=\d+,title=defer-cancel::.*\(fixable: .*run gopitfix --write\)$/);
    expect(lines[1]).toMatch(/^::warning file=dir%2Cx\/l\.go,line=10,col=\d+,endLine=10,endColumn=\d+,title=defer-cancel::[^\n]*loop/);
    expect(r.stderr).toMatch(/^gopitfix: 2 findings/);
  });

  it('--json stays an alias of --format json; an unknown format is a usage error', () => {
    const dir = tempDir({ 'a.go': LOST('a') });
    expect(run(dir, ['--json']).stdout).toBe(run(dir, ['--format', 'json']).stdout);
    const r = run(dir, ['--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: --format: unknown format "xml" (want text, json, sarif or github)\n');
  });

  it('sarif is valid SARIF 2.1.0 with rule metadata, regions, and fixes that reproduce --write', () => {
    const dir = monorepo();
    const r = run(dir, ['--format', 'sarif', './...']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);

    const require = createRequire(import.meta.url);
    // The vendored schema is draft-04 (as published); ajv's draft-04 class validates it.
    const Ajv = require('ajv-draft-04');
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // A document the schema rejects proves the validator is really checking.
    expect(validate({ ...doc, version: '2.0.0' })).toBe(false);

    const run0 = doc.runs[0];
    const rule = run0.tool.driver.rules.find((x: { id: string }) => x.id === 'defer-cancel');
    expect(rule.shortDescription.text.length).toBeGreaterThan(10);
    expect(rule.help.text).toBe(readFileSync(join(ROOT, 'transforms', 'defer-cancel', 'README.md'), 'utf8'));
    // Links come from package.json's repository; its placeholder (.invalid) gives none,
    // never a file:// path inside node_modules or a registry page.
    expect(rule.helpUri).toBeUndefined();
    expect(run0.tool.driver.informationUri).toBeUndefined();
    expect(r.stdout).not.toMatch(/file:\/\/[^"]*transforms|npmjs/);

    const results = run0.results as any[];
    const json = JSON.parse(run(dir, ['--json', './...']).stdout);
    expect(results.length).toBe(json.findings.length);
    const unfixable = results.find((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'svc/a/lost/unfixable.go');
    expect(unfixable.fixes).toBeUndefined();
    expect(unfixable.locations[0].physicalLocation.region).toMatchObject({ startLine: 10 });
    // The reason travels on its own too; the message reads as the text output's.
    expect(unfixable.properties.noFixReason.length).toBeGreaterThan(0);
    expect(unfixable.message.text.endsWith(` (no fix: ${unfixable.properties.noFixReason})`)).toBe(true);
    expect(results.filter((x) => x.fixes).every((x) => x.properties === undefined)).toBe(true);

    // Applying every fix's replacements to the original file gives what --write writes.
    const byFile = new Map<string, any[]>();
    for (const res of results) for (const fx of res.fixes ?? []) for (const ch of fx.artifactChanges) {
      const list = byFile.get(ch.artifactLocation.uri) ?? [];
      list.push(...ch.replacements);
      byFile.set(ch.artifactLocation.uri, list);
    }
    expect(byFile.size).toBe(13);
    const originals = new Map([...byFile.keys()].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(run(dir, ['--write', './...']).code).toBe(0);
    for (const [file, reps] of byFile) {
      const lines = originals.get(file)!.split(/(?<=\n)/);
      for (const rep of [...reps].sort((a, b) => b.deletedRegion.startLine - a.deletedRegion.startLine)) {
        const { startLine, endLine } = rep.deletedRegion;
        lines.splice(startLine - 1, endLine - startLine, rep.insertedContent.text);
      }
      expect(lines.join(''), file).toBe(readFileSync(join(dir, file), 'utf8'));
    }
  });
});

describe('progress and summary', () => {
  it('no progress line when stderr is not a terminal; --stats adds the detailed summary; --quiet drops it', () => {
    const dir = monorepo();
    // 15 parsed: capture-loop-var also reads the go 1.22 module's loop (variables declared
    // outside a loop are shared in every version).
    const r = run(dir, ['--stats', './...']);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^ {2}files {5}27 found: 27 scanned \(0\.0 MB\), 15 parsed, 0 with syntax errors$/m);
    expect(r.stderr).toMatch(/^ {2}skipped {3}12 no rule trigger$/m);
    expect(r.stderr).toMatch(/^ {4}defer-cancel +13 findings, 12 fixable$/m);
    expect(r.stderr).toMatch(/^ {4}capture-loop-var +1 finding, 1 fixable$/m);
    expect(r.stderr).toMatch(/^ {2}time {6}\d+\.\d\d s$/m);
    const q = run(dir, ['--quiet', './...']);
    expect(q.stderr.split('\n').filter(Boolean).every((l) => /^svc\/.*: defer-cancel: /.test(l))).toBe(true);
    expect(q.stdout).toBe(r.stdout);
  });
});
