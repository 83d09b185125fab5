// Big files analysed a window of declarations at a time (src/go/window.ts): the windows
// cut where they should, the results are those of the whole file, and no tree is bigger
// than a window (counted in characters parsed, not measured in bytes of memory).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goFile } from '../bench/gen-corpus.js';
import { initEngine, processFile } from '../src/engine/engine.js';
import { initParser, largestParse, parseGo } from '../src/parser/parser.js';
import { errorRanges, named } from '../src/go/syntax.js';
import { HEADER_TYPES, windowsOf } from '../src/go/window.js';
import { allRules } from '../transforms/index.js';
import type { FileResult } from '../src/engine/api.js';

const STD = '/usr/share/go-1.19/src';
let root: string;
beforeAll(async () => {
  await initParser();
  await initEngine();
  root = mkdtempSync(join(tmpdir(), 'gopitfix-window-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.GOPITFIX_WINDOW_MIN;
  delete process.env.GOPITFIX_WINDOW_SIZE;
});

describe('windowsOf', () => {
  const text = readFileSync(join(STD, 'net/http/server.go'), 'utf8');

  it('cuts after the imports and between declarations, covering the rest of the text', () => {
    const win = windowsOf(text, 0, 8192)!;
    expect(win.chunks.length).toBeGreaterThan(5);
    expect(win.header.startIndex).toBe(0);
    expect(win.chunks[0].startIndex).toBe(win.header.endIndex);
    for (let i = 1; i < win.chunks.length; i++) expect(win.chunks[i].startIndex).toBe(win.chunks[i - 1].endIndex);
    expect(win.chunks.at(-1)!.endIndex).toBe(text.length);
    const header = parseGo(text, [win.header]);
    expect(named(header.rootNode).map((n) => n.type).every((t) => HEADER_TYPES.has(t))).toBe(true);
    expect(named(header.rootNode).some((n) => n.type === 'import_declaration')).toBe(true);
    header.delete();
    // Each window is whole declarations: parsed with the header, no syntax error, and
    // together they hold every declaration of the file once.
    const whole = parseGo(text);
    const decls = named(whole.rootNode).filter((n) => !HEADER_TYPES.has(n.type)).map((n) => n.startIndex);
    whole.delete();
    const seen: number[] = [];
    for (const c of win.chunks) {
      // A window passes the size only when one declaration does.
      const t = parseGo(text, [win.header, c]);
      const own = named(t.rootNode).filter((n) => !HEADER_TYPES.has(n.type));
      expect(errorRanges(t.rootNode)).toEqual([]);
      if (c.endIndex - c.startIndex > 8192) expect(own.length).toBe(1);
      seen.push(...own.map((n) => n.startIndex));
      t.delete();
    }
    expect(seen).toEqual(decls);
  });

  it('leaves a text whole below the minimum, or when it would make one window', () => {
    expect(windowsOf(text, text.length + 1, 8192)).toBeNull();
    expect(windowsOf(text, 0, text.length)).toBeNull();
    expect(windowsOf('package p\n\nfunc f() {}\n', 0, 1)).toBeNull();
  });
});

/**
 * Findings (with each fix's own diff), rule errors and a digest of the output: what the
 * CLI's JSON and dry run would show, one line per finding so a difference reads as one.
 */
function outcome(r: FileResult): string[] {
  return [
    ...r.findings.map((f) => JSON.stringify({ ...f, fix: f.fix && { description: f.fix.description, diff: f.fix.diff } })),
    ...r.ruleErrors,
    `output ${createHash('sha1').update(r.output).digest('hex')}`,
  ];
}

function run(absPath: string): FileResult {
  return processFile({ absPath, displayPath: absPath.split('/').pop()!, source: readFileSync(absPath, 'utf8') }, { rules: allRules, goVersion: { major: 1, minor: 21 } });
}

describe('a file analysed in windows', () => {
  it('gives the results of the whole file, with facts from other windows and siblings', () => {
    // A generated package: each file declares its worker struct at the top and uses its
    // fields in every function below (receiver questions cross windows), and its
    // functions call each other across files.
    const dir = join(root, 'gen');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/w\n\ngo 1.21\n');
    for (let i = 0; i < 2; i++) writeFileSync(join(dir, `f${i}.go`), goFile(i, 2, 1500));
    const file = join(dir, 'f0.go');
    const whole = run(file);
    process.env.GOPITFIX_WINDOW_MIN = '0';
    process.env.GOPITFIX_WINDOW_SIZE = '4096';
    largestParse();
    const windowed = run(file);
    expect(largestParse()).toBeLessThan(readFileSync(file, 'utf8').length / 3);
    expect(whole.findings.filter((f) => f.fix).length).toBeGreaterThan(3);
    expect(outcome(windowed)).toEqual(outcome(whole));
  });

  it('gives the results of the whole file on standard-library files', () => {
    for (const rel of ['net/http/transport.go', 'net/http/httputil/reverseproxy.go', 'os/exec/exec.go', 'context/context.go']) {
      const file = join(STD, rel);
      delete process.env.GOPITFIX_WINDOW_MIN;
      const whole = run(file);
      process.env.GOPITFIX_WINDOW_MIN = '0';
      process.env.GOPITFIX_WINDOW_SIZE = '4096';
      expect(outcome(run(file)), rel).toEqual(outcome(whole));
    }
  });

  it('names a line of another window as the file\'s own in messages', () => {
    // The receive that settles the send's verdict is in the first window, the send in the
    // last (olivere/elastic's bulk processor has this shape, 90 lines apart).
    const pad = Array.from({ length: 60 }, (_, i) => `\n// pad${i} sums.\nfunc pad${i}(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x * ${i}\n\t}\n\treturn total\n}\n`).join('');
    const src = `package xw

import "context"

type proc struct {
\tworkers []*worker
}

type worker struct {
\tflushC    chan struct{}
\tflushAckC chan struct{}
}

// Flush asks every worker to flush and waits for each.
func (p *proc) Flush() {
\tfor _, w := range p.workers {
\t\tw.flushC <- struct{}{}
\t\t<-w.flushAckC
\t}
}
${pad}
func (w *worker) work(ctx context.Context) {
\tgo func() {
\t\tfor {
\t\t\tselect {
\t\t\tcase <-w.flushC:
\t\t\t\tw.flushAckC <- struct{}{}
\t\t\tcase <-ctx.Done():
\t\t\t\treturn
\t\t\t}
\t\t}
\t}()
}
`;
    const dir = join(root, 'xw');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/xw\n\ngo 1.21\n');
    const file = join(dir, 'x.go');
    writeFileSync(file, src);
    const whole = run(file);
    expect(whole.findings.map((f) => f.noFixReason)).toEqual([expect.stringContaining('receives from it in a loop, line 18)')]);
    process.env.GOPITFIX_WINDOW_MIN = '0';
    process.env.GOPITFIX_WINDOW_SIZE = '2048';
    expect(windowsOf(src)!.chunks.length).toBeGreaterThan(2);
    expect(outcome(run(file))).toEqual(outcome(whole));
  });

  it('reads the whole file when a window does not parse cleanly', () => {
    const dir = join(root, 'broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/broken\n\ngo 1.21\n');
    const file = join(dir, 'b.go');
    const good = goFile(0, 1, 1500);
    const at = good.indexOf('\n\n', good.length >> 1) + 2;
    writeFileSync(file, `${good.slice(0, at)}func broken() {\n\tx := \n}\n\n${good.slice(at)}`);
    const whole = run(file);
    expect(whole.syntaxErrors).toBe(true);
    process.env.GOPITFIX_WINDOW_MIN = '0';
    process.env.GOPITFIX_WINDOW_SIZE = '4096';
    largestParse();
    const windowed = run(file);
    expect(largestParse()).toBeGreaterThanOrEqual(readFileSync(file, 'utf8').length);
    expect(windowed.syntaxErrors).toBe(true);
    expect(outcome(windowed)).toEqual(outcome(whole));
  });

  it('parses no tree of the whole file: the biggest is a window and its header', () => {
    const dir = join(root, 'one');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/one\n\ngo 1.21\n');
    const file = join(dir, 'big.go');
    writeFileSync(file, goFile(0, 1, 6000));
    const size = readFileSync(file, 'utf8').length;
    expect(size).toBeGreaterThan(100_000);
    largestParse();
    const whole = run(file);
    expect(largestParse()).toBeGreaterThanOrEqual(size);
    process.env.GOPITFIX_WINDOW_MIN = String(size);
    process.env.GOPITFIX_WINDOW_SIZE = '16384';
    const windowed = run(file);
    // A window passes 16K only by its last declaration (a group of functions is ~1.5K).
    expect(largestParse()).toBeLessThan(16384 + 4096);
    expect(outcome(windowed)).toEqual(outcome(whole));
  });
});
