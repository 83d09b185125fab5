// The interactive decision loop (src/cli/interactive.ts) driven by a scripted prompt:
// the real engine, real files in a temp directory, a real editor process (a shell
// script standing in for the user's $EDITOR). Only the keypresses are scripted; the
// terminal itself is exercised in interactive-pty.test.ts.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { review, reviewSummary, type Key, type Prompter, type ReviewResult } from '../src/cli/interactive.js';
import { discover } from '../src/run/discover.js';
import { initEngine } from '../src/engine/engine.js';
import { parseGoVersion } from '../src/go/version.js';
import { findRule } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';
import { A_GO, B_GO } from './support/review-sources.js';

const RULES = ['defer-cancel', 'hoist-wg-add', 'waitgroup-go', 'http-client-timeout'].map((id) => {
  const r = findRule(id);
  if (!r) throw new Error(`rule ${id} is not registered`);
  return r;
}) as Rule[];

let dir: string;

beforeAll(async () => {
  await initEngine();
});

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(files: Record<string, string>): void {
  dir = mkdtempSync(join(tmpdir(), 'gopitfix-review-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

function scripted(keys: Key[]): Prompter & { left: () => number } {
  const queue = [...keys];
  return {
    left: () => queue.length,
    async ask() {
      const k = queue.shift();
      if (k === undefined) throw new Error('asked more often than the script expected');
      return k;
    },
  };
}

async function run(
  keys: Key[],
  env: NodeJS.ProcessEnv = {},
  context = 3,
  paths = ['.'],
): Promise<{ result: ReviewResult; out: string; err: string; left: number }> {
  let out = '';
  let err = '';
  const prompter = scripted(keys);
  const result = await review(
    discover(paths, { cwd: dir, gitignore: false }),
    { rules: RULES, goVersion: parseGoVersion('1.25'), includeGenerated: false, context, writeRoots: paths.map((p) => join(dir, p)) },
    { out: (t) => void (out += t), err: (t) => void (err += t), env, color: false },
    prompter,
  );
  return { result, out, err, left: prompter.left() };
}

const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const headers = (out: string) => out.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l));

describe('interactive review', () => {
  it('never writes through a symlink, as --write: the file is refused before any question', async () => {
    setup({});
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'a.go'), A_GO);
    symlinkSync(join(dir, 'real', 'a.go'), join(dir, 'link.go'));
    const { result, err, left } = await run(['y', 'y'], {}, 3, ['link.go']);
    expect(left).toBe(2);
    expect(err).toMatch(/link\.go: not written: it is a symlink/);
    expect(read('real/a.go')).toBe(A_GO);
    expect(result.errors.length).toBe(1);
  });

  it('walks path then position order, applies exactly the accepted set, and re-proposes pass-2 fixes after writing', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    // a.go: y, n; b.go round 1: hoist y, http n; round 2: waitgroup-go y.
    const { result, out, left } = await run(['y', 'n', 'y', 'n', 'y']);
    expect(left).toBe(0);
    expect(headers(out).map((h) => h.replace(/^\[\d+\/\d+\] /, ''))).toEqual([
      'defer-cancel  a.go:9',
      'defer-cancel  a.go:14',
      'hoist-wg-add  b.go:12',
      'http-client-timeout  b.go:20',
      'waitgroup-go  b.go:11',
    ]);
    expect(headers(out)[0]).toMatch(/^\[1\/\d+\]/);
    expect(headers(out)[4]).toMatch(/^\[5\/5\]/);
    // The import the engine adds for a fix is part of that fix's diff.
    const http = out.slice(out.indexOf('http-client-timeout  b.go:20'), out.indexOf('waitgroup-go  b.go:11'));
    expect(http).toContain('+\t"time"\n');

    const a = read('a.go');
    expect(a).toContain('ctx2, cancel := context.WithTimeout(ctx, time.Second)\n\tdefer cancel()');
    expect(a).toContain('ctx2, _ := context.WithTimeout(ctx, 2*time.Second)');
    const b = read('b.go');
    expect(b).toContain('wg.Go(func() {');
    expect(b).not.toContain('wg.Add(1)');
    expect(b).toContain('var client = &http.Client{}');
    expect(b).not.toContain('"time"');

    expect(result.end).toBe('done');
    expect(result.applied).toBe(3);
    expect(result.skipped).toBe(2);
    expect(result.filesWritten).toEqual(['a.go', 'b.go']);
    expect(result.rules['defer-cancel']).toEqual({ applied: 1, skipped: 1 });
    expect(result.rules['http-client-timeout']).toEqual({ applied: 0, skipped: 1 });
    expect(result.rules['waitgroup-go']).toEqual({ applied: 1, skipped: 0 });
    expect(reviewSummary(result)).toMatch(/^gopitfix: applied 3 fixes, skipped 2; wrote 2 files\n/);
  });

  it('shows the rule message and the diff of this change alone, with --context lines', async () => {
    setup({ 'a.go': A_GO });
    const { out } = await run(['n', 'q'], {}, 1);
    const first = out.slice(0, out.indexOf('[2/'));
    expect(first).toContain('the cancel function returned by context.WithTimeout is discarded');
    expect(first).toContain('--- a/a.go\n+++ b/a.go\n@@ -8,3 +8,4 @@\n func One(ctx context.Context) error {\n-\tctx2, _ :=');
    // The other change is not part of this one's diff.
    expect(first).not.toContain('2*time.Second');
  });

  it('declining a fix keeps a fix of the same rule elsewhere; d skips the rest of a rule, a accepts the rest of a rule', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    // d on the first defer-cancel skips the second silently; a on hoist accepts it; then
    // http: y; waitgroup-go is asked (another rule).
    const { result, out, left } = await run(['d', 'a', 'y', 'n']);
    expect(left).toBe(0);
    expect(headers(out)).toHaveLength(4);
    expect(read('a.go')).toBe(A_GO);
    expect(result.rules['defer-cancel']).toEqual({ applied: 0, skipped: 2 });
    expect(read('b.go')).toContain('Timeout: 30 * time.Second');
    expect(read('b.go')).toContain('\t\twg.Add(1)\n\t\tgo func() {');
    expect(result.filesWritten).toEqual(['b.go']);
  });

  it('A applies everything remaining without asking', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    const { result, left } = await run(['n', 'A']);
    expect(left).toBe(0);
    expect(result.applied).toBe(4);
    expect(result.skipped).toBe(1);
    expect(read('b.go')).toContain('wg.Go(func() {');
    expect(read('b.go')).toContain('Timeout: 30 * time.Second');
  });

  it('q writes what was accepted in the current file, leaves the rest untouched and counts the rest as not reviewed', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    const { result, left } = await run(['y', 'q']);
    expect(left).toBe(0);
    expect(result.end).toBe('quit');
    expect(read('a.go')).toContain('ctx2, cancel := context.WithTimeout(ctx, time.Second)');
    expect(read('a.go')).toContain('ctx2, _ := context.WithTimeout(ctx, 2*time.Second)');
    expect(read('b.go')).toBe(B_GO);
    expect(result.applied).toBe(1);
    expect(result.unreviewed).toBe(1 + 3);
    expect(reviewSummary(result)).toMatch(/^gopitfix: quit: applied 1 fix, skipped 0; 4 not reviewed; wrote 1 file\n/);
  });

  it('Ctrl-C behaves like q and says so', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    const { result } = await run(['y', 'y', '^C']);
    expect(result.end).toBe('interrupt');
    expect(read('a.go')).toContain('ctx2, cancel := context.WithTimeout(ctx, 2*time.Second)');
    expect(read('b.go')).toBe(B_GO);
    expect(reviewSummary(result)).toMatch(/^gopitfix: interrupted: applied 2 fixes/);
  });

  it('? prints the help and asks again', async () => {
    setup({ 'a.go': A_GO });
    const { out, left, result } = await run(['?', 'y', 'n']);
    expect(left).toBe(0);
    expect(out).toContain('d - do not apply this change nor any remaining change of this rule');
    expect(headers(out)).toHaveLength(2);
    expect(result.applied).toBe(1);
  });

  describe('e (edit in $EDITOR)', () => {
    function editor(script: string): NodeJS.ProcessEnv {
      const path = join(dir, 'editor.sh');
      writeFileSync(path, `#!/bin/sh\n${script}\n`);
      chmodSync(path, 0o755);
      return { EDITOR: path, PATH: process.env.PATH };
    }

    it('applies the edited text, then resumes the file on it (a declined fix stays declined)', async () => {
      setup({ 'a.go': A_GO });
      const env = editor(`sed -i 's/defer cancel()/defer cancel() \\/\\/ reviewed/' "$1"`);
      // n on the first, e on the second (the first stays declined after the rebase).
      const { result, left, out } = await run(['n', 'e'], env);
      expect(left).toBe(0);
      expect(out).toContain('Edited change accepted.');
      const a = read('a.go');
      expect(a).toContain('ctx2, cancel := context.WithTimeout(ctx, 2*time.Second)\n\tdefer cancel() // reviewed');
      expect(a).toContain('ctx2, _ := context.WithTimeout(ctx, time.Second)');
      expect(result.applied).toBe(1);
      expect(result.edited).toBe(1);
      expect(result.skipped).toBe(1);
      expect(reviewSummary(result)).toContain('applied 1 fix (1 edited), skipped 1');
    });

    it('the editor sees the change together with those accepted before it', async () => {
      setup({ 'a.go': A_GO });
      const env = editor(`grep -c 'defer cancel()' "$1" > "${'$'}{0%/*}/seen"`);
      const { result } = await run(['y', 'e'], env);
      // Saved unchanged: applied as proposed.
      expect(readFileSync(join(dir, 'seen'), 'utf8').trim()).toBe('2');
      expect(result.applied).toBe(2);
      expect(result.edited).toBe(0);
      expect(read('a.go').match(/defer cancel\(\)/g)).toHaveLength(2);
    });

    it('an edit that does not parse is refused and the question asked again', async () => {
      setup({ 'a.go': A_GO });
      const env = editor(`sed -i 's/defer cancel()/defer cancel(/' "$1"`);
      const { out, result, left } = await run(['e', 'n', 'n'], env);
      expect(left).toBe(0);
      expect(out).toMatch(/The edited text does not parse \(syntax error at line \d+\); not applied/);
      expect(read('a.go')).toBe(A_GO);
      expect(result.skipped).toBe(2);
    });

    it('an editor that fails changes nothing', async () => {
      setup({ 'a.go': A_GO });
      const env = editor('exit 3');
      const { out, result } = await run(['e', 'y', 'n'], env);
      expect(out).toMatch(/exited with status 3; nothing changed/);
      expect(result.applied).toBe(1);
      expect(result.edited).toBe(0);
    });
  });

  it('does not overwrite a file that changed on disk during the review', async () => {
    setup({ 'a.go': A_GO });
    let out = '';
    let err = '';
    const prompter: Prompter = {
      async ask() {
        writeFileSync(join(dir, 'a.go'), A_GO + '\n// edited elsewhere\n');
        return 'y';
      },
    };
    const result = await review(
      discover(['.'], { cwd: dir, gitignore: false }),
      { rules: RULES, goVersion: parseGoVersion('1.25'), includeGenerated: false, context: 3 },
      { out: (t) => void (out += t), err: (t) => void (err += t), env: {}, color: false },
      prompter,
    );
    expect(err).toContain('a.go: changed on disk during the review; not written');
    expect(read('a.go')).toBe(A_GO + '\n// edited elsewhere\n');
    expect(result.applied).toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(out).toContain('[1/2]');
  });
});

describe('the [k/N] counter and a/A decisions', () => {
  it('keeps N steady after a: the changes a decides count, k jumps over them', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO });
    const { out, left } = await run(['a', 'y', 'n', 'y']);
    expect(left).toBe(0);
    expect(headers(out)).toEqual([
      '[1/5] defer-cancel  a.go:9',
      '[3/5] hoist-wg-add  b.go:12',
      '[4/5] http-client-timeout  b.go:20',
      '[5/5] waitgroup-go  b.go:11',
    ]);
  });

  it('Ctrl-C: changes an a accepted in files not reached are reported as not written', async () => {
    setup({ 'a.go': A_GO, 'b.go': B_GO, 'c.go': A_GO });
    const { result, out } = await run(['a', '^C']);
    expect(headers(out)).toEqual(['[1/7] defer-cancel  a.go:9', '[3/7] hoist-wg-add  b.go:12']);
    expect(read('c.go')).toBe(A_GO);
    expect(result.acceptedNotWritten).toBe(2);
    expect(reviewSummary(result)).toMatch(
      /^gopitfix: interrupted: applied 2 fixes, skipped 0; 3 not reviewed; 2 accepted with a\/A in later files not written; wrote 1 file\n/,
    );
  });
});
