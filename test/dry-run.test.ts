// Dry-run output: hunk headers annotated with the rules that produced each hunk,
// --context N, paths relative to the current directory, no color off a terminal, and a
// patch that git apply still accepts. The annotation is checked against the engine's
// real results (first-pass edits, a second-pass fix, an import the engine adds).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { parseGoVersion } from '../src/go/version.js';
import { changedSpans, hunkRules } from '../src/run/hunk-rules.js';
import { diffHunks } from '../src/engine/fastdiff.js';
import { filePatch } from '../src/cli/output/diff.js';
import { findRule } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';
import { A_GO, B_GO } from './support/review-sources.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'gopitfix.js');
const RULE_IDS = ['defer-cancel', 'hoist-wg-add', 'waitgroup-go', 'http-client-timeout'];
const RULES = RULE_IDS.map((id) => findRule(id)) as Rule[];


let dir = '';
beforeAll(async () => {
  await initEngine();
});
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(): void {
  dir = mkdtempSync(join(tmpdir(), 'gopitfix-dry-'));
  writeFileSync(join(dir, 'go.mod'), 'module example.com/a\n\ngo 1.25\n');
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', 'a.go'), A_GO);
  writeFileSync(join(dir, 'pkg', 'b.go'), B_GO);
}

function engineDiff(source: string, context: number): string {
  const r = processFile(
    { absPath: join(dir, 'pkg', 'b.go'), displayPath: 'pkg/b.go', source },
    { rules: RULES, goVersion: parseGoVersion('1.25') },
  );
  const hunks = diffHunks(r.source, r.output, context);
  return filePatch({ displayPath: 'pkg/b.go', absPath: join(dir, 'pkg', 'b.go') }, { hunks, rules: hunkRules(hunks, r.source, r.findings) });
}

const hunkHeaders = (patch: string) => patch.split('\n').filter((l) => l.startsWith('@@'));

describe('hunk annotation', () => {
  it('names the rules of each hunk, including a second-pass fix and an import added by the engine', () => {
    setup();
    expect(hunkHeaders(engineDiff(B_GO, 0))).toEqual([
      '@@ -5,0 +6,1 @@ # http-client-timeout',
      '@@ -11,3 +12,1 @@ # hoist-wg-add, waitgroup-go',
      '@@ -15,1 +14,1 @@ # waitgroup-go',
      '@@ -20,1 +19,1 @@ # http-client-timeout',
    ]);
    expect(hunkHeaders(engineDiff(B_GO, 3))).toEqual(['@@ -3,21 +3,20 @@ # hoist-wg-add, http-client-timeout, waitgroup-go']);
  });

  it('reads the changed lines, not the context, of a fix diff', () => {
    const hunks = [
      { oldStart: 3, oldLines: 5, newStart: 3, newLines: 5, lines: [' a', ' b', '-c', '+C', ' d', ' e'] },
      // "@@ -20,0 +21,1 @@": an insertion before line 21.
      { oldStart: 21, oldLines: 0, newStart: 21, newLines: 1, lines: ['+new'] },
    ];
    expect(changedSpans(hunks)).toEqual([
      [5, 6],
      [21, 21],
    ]);
  });

  it('has nothing to say about a change without hunks', () => {
    expect(hunkRules([], 'x', [])).toEqual([]);
  });
});

describe('dry run from the CLI', () => {
  // Without the runner's color variables, so that only the (absent) terminal decides.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR' && k !== 'NO_COLOR'));
  const cli = (args: string[], cwd = dir) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env });

  it('--context N sets the context lines; paths are relative to the current directory; git apply accepts the annotated patch', () => {
    setup();
    const r = cli(['--rules', RULE_IDS.join(','), '--context', '1', 'pkg']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--- a/pkg/a.go\n+++ b/pkg/a.go\n@@ -8,3 +8,4 @@ # defer-cancel\n func One(ctx context.Context) error {\n');
    expect(hunkHeaders(r.stdout)).toEqual([
      '@@ -8,3 +8,4 @@ # defer-cancel',
      '@@ -13,3 +14,4 @@ # defer-cancel',
      '@@ -5,2 +5,3 @@ # http-client-timeout',
      '@@ -10,7 +11,5 @@ # hoist-wg-add, waitgroup-go',
      '@@ -19,3 +18,3 @@ # http-client-timeout',
    ]);
    expect(r.stdout).not.toContain('\x1b[');

    writeFileSync(join(dir, 'fix.patch'), r.stdout);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['apply', 'fix.patch'], { cwd: dir });
    // The applied patch leaves nothing to change.
    expect(cli(['--rules', RULE_IDS.join(','), 'pkg']).stdout).toBe('');
    expect(readFileSync(join(dir, 'pkg', 'b.go'), 'utf8')).toContain('wg.Go(func() {');
  });

  it('from a subdirectory, a file outside it is named from the filesystem root (git apply refuses a/../)', () => {
    setup();
    mkdirSync(join(dir, 'sub'));
    const r = cli(['--rules', 'defer-cancel', '../pkg/a.go'], join(dir, 'sub'));
    const abs = join(dir, 'pkg', 'a.go').replace(/^\/+/, '');
    expect(r.stdout.startsWith(`--- a/${abs}\n+++ b/${abs}\n@@ `)).toBe(true);
    expect(r.stdout.split('\n')[2]).toMatch(/ @@ # defer-cancel$/);
  });

  it('rejects a --context that is not a number of lines', () => {
    setup();
    const r = cli(['--context', 'x', 'pkg']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gopitfix: --context: expected a number of lines, got "x"\n');
  });

  it('the JSON diff of a fix that needs an import contains the import', () => {
    setup();
    const r = cli(['--rules', 'http-client-timeout', '--json', 'pkg']);
    const doc = JSON.parse(r.stdout) as { findings: { rule: string; fix: { diff: string } | null }[] };
    const fix = doc.findings.find((f) => f.rule === 'http-client-timeout')!.fix!;
    expect(fix.diff).toContain('+\t"time"\n');
  });
});
