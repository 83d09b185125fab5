// The batch CLI in a real terminal (tmux, see test/support/tmux.ts): the progress line
// owns its line. It is drawn on stderr, erased before any stdout or stderr text when both
// go to the terminal, cut to the terminal's width, and never mixed into a redirected stdout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempTrees } from './support/cli.js';
import { shq, tmuxServer } from './support/tmux.js';

const { Terminal } = tmuxServer('term');
const tree = tempTrees('gopitfix-term-');

/** n files in 10 packages, each with one fixable defer-cancel finding. */
function bigTree(n: number): string {
  const files: Record<string, string> = { 'go.mod': 'module example.com/big\n\ngo 1.21\n' };
  for (let i = 0; i < n; i++) {
    const pkg = `p${i % 10}`;
    files[`${pkg}/f${i}.go`] =
      `package ${pkg}\n\nimport (\n\t"context"\n\t"time"\n)\n\nfunc F${i}(ctx context.Context) error {\n` +
      `\tctx2, _ := context.WithTimeout(ctx, time.Second)\n\treturn ctx2.Err()\n}\n`;
  }
  return tree(files);
}

// --no-cache: the trees are alike, and a run served from the cache ends before the progress line shows.
const cli = (args: string) => `node ${shq(BIN)} --no-cache ${args}`;
/** The progress line's draws in the raw terminal output: the text after each \r up to the erase. */
const draws = (raw: string) => [...raw.matchAll(/\r(gopitfix: [^\r\n\x1b]*)\x1b\[K/g)].map((m) => m[1]);
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('progress line on a terminal', () => {
  it('is erased before every diff and finding when stdout is the same terminal', async () => {
    const dir = bigTree(800);
    const t = new Terminal(dir, cli('--jobs 1 .'), tree());
    const { code, screen } = await t.exit();
    await settle();
    expect(code).toBe(0);
    // It was drawn (the run is long enough) ...
    expect(draws(t.raw()).length).toBeGreaterThan(0);
    // ... and no diff header, hunk or summary shares a line with it.
    expect(screen).not.toContain('elapsed');
    expect(screen).not.toMatch(/files \(\d+%\)/);
    const headers = screen.split('\n').filter((l) => l.includes('--- a/'));
    expect(headers.length).toBeGreaterThan(10);
    for (const l of headers) expect(l).toMatch(/^--- a\/p\d\/f\d+\.go$/);
    expect(screen).toMatch(/^gopitfix: 800 findings \(800 fixable\) in 800 of 800 files; dry run, use --write to apply$/m);
    // The detailed summary states the same total the progress line counted to.
    expect(screen).toMatch(/^ {2}files {5}800 found: 800 scanned/m);
    expect(draws(t.raw()).every((d) => /\/800 files/.test(d))).toBe(true);
  }, 120_000);

  it('under --check the finding lines start their lines too', async () => {
    const dir = bigTree(800);
    const t = new Terminal(dir, cli('--check --jobs 1 .'), tree());
    const { code, screen } = await t.exit();
    expect(code).toBe(1);
    const lines = screen.split('\n').filter((l) => l.includes(': defer-cancel: '));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^p\d\/f\d+\.go:9:\d+: defer-cancel: /);
    expect(screen).not.toContain('elapsed');
  }, 120_000);

  it('fits a narrow terminal: one row, cut to the width, no stale rows', async () => {
    const dir = bigTree(800);
    const t = new Terminal(dir, cli('--write --jobs 1 .'), tree(), 30, 20);
    const { code, screen } = await t.exit();
    await settle();
    expect(code).toBe(0);
    const d = draws(t.raw());
    expect(d.length).toBeGreaterThan(0);
    for (const line of d) expect(line.length).toBeLessThanOrEqual(29);
    expect(screen).not.toMatch(/^gopitfix: \d+\/\d+/m);
  }, 120_000);

  it('never writes into a redirected stdout; stderr still shows it', async () => {
    const dir = bigTree(800);
    const t = new Terminal(dir, `${cli('--jobs 1 .')} > out.patch`, tree());
    const { code } = await t.exit();
    await settle();
    expect(code).toBe(0);
    expect(draws(t.raw()).length).toBeGreaterThan(0);
    const patch = readFileSync(join(dir, 'out.patch'), 'utf8');
    expect(patch).not.toMatch(/\x1b|\r/);
    expect(patch.startsWith('--- a/p0/f0.go\n')).toBe(true);
  }, 120_000);
});

describe('-i with stdout redirected', () => {
  it('refuses (exit 2) instead of writing the prompt\'s escape codes into the file', async () => {
    const dir = bigTree(2);
    const t = new Terminal(dir, `${cli('-i .')} > review.txt`, tree());
    const { code, screen } = await t.exit();
    expect(code).toBe(2);
    expect(screen).toContain('gopitfix: interactive mode needs stdout to be the terminal (it is redirected); use the default dry run to save a patch');
    expect(readFileSync(join(dir, 'review.txt'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'p0', 'f0.go'), 'utf8')).toContain('ctx2, _ :=');
  }, 60_000);
});
