// End-to-end tests of `gopitfix -i` in a real pseudo-terminal: the built CLI runs inside
// a detached tmux session (its own server socket), keys are typed with send-keys, the
// screen is read with capture-pane. Every key is sent only after the question it answers
// is on the screen (polled, with a bounded wait), because the prompt drops keystrokes
// typed before it is shown, as a terminal user would expect.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { A_GO, B_GO } from './support/review-sources.js';
import { shq, tmuxServer } from './support/tmux.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'gopitfix.js');
const RULES = '--rules=defer-cancel,hoist-wg-add,waitgroup-go,http-client-timeout';

const { Terminal: TmuxTerminal, tmux } = tmuxServer('test');
// The terminals' raw logs, apart from the Go trees under test (which git and gopitfix read).
const logs = mkdtempSync(join(tmpdir(), 'gopitfix-pty-logs-'));
let dir = '';

class Terminal extends TmuxTerminal {
  constructor(cwd: string, args: string[], env: Record<string, string> = {}) {
    // The terminal's environment, not the test runner's, decides colors (the base class
    // drops FORCE_COLOR and NO_COLOR), as for a user.
    const envs = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`);
    super(cwd, `env ${envs.join(' ')} node ${shq(BIN)} ${args.map(shq).join(' ')}`, logs, 160, 50, true);
  }

  /** Waits for proposal k's question to be the last line on the screen. */
  async question(k: number, header: RegExp): Promise<string> {
    return this.waitFor((s) => {
      const at = s.lastIndexOf(`[${k}/`);
      if (at < 0) return false;
      const tail = s.slice(at).trimEnd();
      return header.test(tail.split('\n')[0]) && /Apply this change \[y,n,a,d,A,e,q,\?\]\?$/.test(tail);
    }, `question ${k} (${header})`);
  }
}

const read = (name: string) => readFileSync(join(dir, name), 'utf8');

afterAll(() => {
  rmSync(logs, { recursive: true, force: true });
});

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(): void {
  dir = mkdtempSync(join(tmpdir(), 'gopitfix-pty-'));
  writeFileSync(join(dir, 'go.mod'), 'module example.com/a\n\ngo 1.25\n');
  writeFileSync(join(dir, 'a.go'), A_GO);
  writeFileSync(join(dir, 'b.go'), B_GO);
}

describe('gopitfix -i in a terminal', () => {
  it('y, n, a, e (scripted editor) and ? with single keypresses; writes exactly what was accepted', async () => {
    setup();
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/defer cancel()/defer cancel() \\/\\/ checked/' "$1"\n`);
    chmodSync(editor, 0o755);
    const t = new Terminal(dir, ['-i', RULES, '.'], { EDITOR: editor, VISUAL: '' });

    const first = await t.question(1, /^\[1\/5\] defer-cancel {2}a\.go:9$/);
    // (capture-pane renders tabs as spaces)
    expect(first).toMatch(/^\+\s+defer cancel\(\)$/m);
    t.key('?');
    await t.waitFor((s) => s.includes('e - edit the proposed result') && /\?\]\?$/.test(s.trimEnd()), 'help');
    t.key('e');
    await t.waitFor((s) => s.includes('Edited change accepted.'), 'the edit to be accepted');
    // The edit added a line above it.
    await t.question(2, /defer-cancel {2}a\.go:15$/);
    t.key('n');
    await t.question(3, /hoist-wg-add {2}b\.go:12$/);
    t.key('y');
    await t.question(4, /http-client-timeout {2}b\.go:20$/);
    t.key('a');
    // Proposed only after the hoist was written: waitgroup-go needs the Add before the go statement.
    await t.question(5, /waitgroup-go {2}b\.go:11$/);
    expect(read('b.go')).toContain('\t\twg.Add(1)\n\t\tgo func() {');
    t.key('y');

    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    expect(screen).toContain('gopitfix: applied 4 fixes (1 edited), skipped 1; wrote 2 files');
    expect(screen).toMatch(/^ {2}defer-cancel +applied 1, skipped 1$/m);
    expect(screen).toMatch(/^ {2}waitgroup-go +applied 1, skipped 0$/m);
    expect(screen).toMatch(/^ {2}wrote a\.go\n {2}wrote b\.go$/m);

    const a = read('a.go');
    expect(a).toContain('ctx2, cancel := context.WithTimeout(ctx, time.Second)\n\tdefer cancel() // checked\n');
    expect(a).toContain('ctx2, _ := context.WithTimeout(ctx, 2*time.Second)');
    const b = read('b.go');
    expect(b).toContain('wg.Go(func() {');
    expect(b).toContain('&http.Client{Timeout: 30 * time.Second}');
  }, 90_000);

  it('q keeps what was accepted in the current file and touches nothing else', async () => {
    setup();
    const t = new Terminal(dir, ['-i', RULES, '.']);
    await t.question(1, /defer-cancel {2}a\.go:9$/);
    t.key('y');
    await t.question(2, /defer-cancel {2}a\.go:14$/);
    t.key('q');
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    expect(screen).toContain('gopitfix: quit: applied 1 fix, skipped 0; 4 not reviewed; wrote 1 file');
    expect(read('a.go')).toContain('ctx2, cancel := context.WithTimeout(ctx, time.Second)\n\tdefer cancel()\n');
    expect(read('a.go')).toContain('ctx2, _ := context.WithTimeout(ctx, 2*time.Second)');
    expect(read('b.go')).toBe(B_GO);
  }, 60_000);

  it('Ctrl-C writes the accepted changes of the current file, no half-written file, exit 130', async () => {
    setup();
    const t = new Terminal(dir, ['-i', RULES, '.']);
    await t.question(1, /a\.go:9$/);
    t.key('y');
    await t.question(2, /a\.go:14$/);
    t.key('y');
    await t.question(3, /hoist-wg-add {2}b\.go:12$/);
    // a.go was written when the walk left it.
    expect(read('a.go').match(/defer cancel\(\)/g)).toHaveLength(2);
    t.key('y');
    await t.question(4, /b\.go:20$/);
    t.key('C-c');
    const { code, screen } = await t.exit();
    expect(code).toBe(130);
    expect(screen).toContain('gopitfix: interrupted: applied 3 fixes, skipped 0; 2 not reviewed; wrote 2 files');
    expect(read('b.go')).toContain('\t\twg.Add(1)\n\t\tgo func() {');
    expect(read('b.go')).toContain('var client = &http.Client{}');
    // No temp file of an atomic write left behind.
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter((f) => f.includes('gopitfix'))).toEqual([]);
  }, 60_000);

  it('Ctrl-C while the editor runs stops the editor, not the review', async () => {
    setup();
    const editor = join(dir, 'slow-editor.sh');
    writeFileSync(editor, `#!/bin/sh\necho editing; sleep 60\n`);
    chmodSync(editor, 0o755);
    const t = new Terminal(dir, ['-i', RULES, 'a.go'], { EDITOR: editor, VISUAL: '' });
    await t.question(1, /a\.go:9$/);
    t.key('e');
    await t.waitFor((s) => /^editing$/m.test(s), 'the editor to start');
    t.key('C-c');
    await t.waitFor((s) => s.includes('killed by SIGINT; nothing changed') && /\?\]\? *$/.test(s.trimEnd()), 'the question again');
    t.key('y');
    await t.question(2, /a\.go:14$/);
    t.key('n');
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    expect(screen).toContain('gopitfix: applied 1 fix, skipped 1; wrote 1 file');
  }, 60_000);

  it('colors the diff on a terminal', async () => {
    setup();
    const t = new Terminal(dir, ['-i', RULES, '.']);
    await t.question(1, /a\.go:9$/);
    const colored = tmux('capture-pane', '-p', '-e', '-t', t.name);
    expect(colored).toMatch(/\x1b\[32m\+/);
    expect(colored).toMatch(/\x1b\[31m-/);
    t.key('q');
    expect((await t.exit()).code).toBe(0);
  }, 60_000);

  it('refuses files with uncommitted changes in a git work tree unless --allow-dirty', async () => {
    setup();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    writeFileSync(join(dir, 'a.go'), A_GO + '\n// local change\n');
    const t = new Terminal(dir, ['-i', RULES, '.']);
    const { code, screen } = await t.exit();
    expect(code).toBe(2);
    expect(screen).toContain('gopitfix: refusing to write: 1 file has uncommitted changes');
    expect(screen).toMatch(/^ {2}a\.go$/m);
    expect(read('a.go')).toBe(A_GO + '\n// local change\n');

    const t2 = new Terminal(dir, ['-i', '--allow-dirty', RULES, '.']);
    await t2.question(1, /a\.go:9$/);
    t2.key('q');
    expect((await t2.exit()).code).toBe(0);
  }, 60_000);
});

describe('gopitfix -i without a terminal', () => {
  it('exits 2 and points to --write and the dry run', () => {
    setup();
    const r = spawnSync('node', [BIN, '-i', '.'], { cwd: dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: 'y\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gopitfix: interactive mode needs a terminal; use --write or the default dry run\n');
    expect(read('a.go')).toBe(A_GO);
  });

  it('is a usage error together with a mode that does not ask', () => {
    setup();
    for (const other of ['--write', '--check', '--json', '--format=sarif']) {
      const r = spawnSync('node', [BIN, '-i', other, '.'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('gopitfix: --interactive cannot be combined with --write, --check, --json or --format\n');
    }
  });
});
