// Issue 17: big files are formatted in parts cut at top-level blank lines (formatParts), so
// gofmt's memory follows the part, not the file, and a fix's file is formatted only where
// the fixes are. The parts must print exactly as inside the whole file: checked here on
// real files, as they are and with their formatting spoiled, against the whole-file gofmt.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { formatHunks, formatParts, goFormat } from '../src/engine/format.js';
import { topLevelBreaks } from '../src/go/lexical.js';
import type { Rule } from '../src/rules/api.js';
import { rng } from '../src/verify/mutate.js';

beforeAll(initEngine);

const STDLIB = '/usr/share/go-1.19/src';

/** Every 8th .go file of a few stdlib trees (sorted: the same sample on every machine). */
function sample(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e.endsWith('.go') && st.size > 2048) out.push(p);
    }
  };
  for (const d of ['net', 'go', 'runtime', 'crypto', 'encoding', 'cmd/compile/internal/ssa']) walk(join(STDLIB, d));
  return out.filter((_, i) => i % 8 === 0);
}

/** Spoil a file's formatting: padding collapsed, indentation in spaces, trailing blanks (empty lines kept, so the parts stay). */
function spoil(src: string): string {
  return src
    .split('\n')
    .map((l, i) => (i % 3 === 0 ? l.replace(/([^ \t]) {2,}/g, '$1 ') : i % 3 === 1 ? l.replace(/^\t/, '    ') : l === '' ? l : `${l}  `))
    .join('\n');
}

const run = (f: () => string) => {
  try {
    return f();
  } catch (e) {
    return `error: ${(e as Error).message.split('\n')[0]}`;
  }
};

describe('formatParts', () => {
  it('prints every stdlib file of the sample as gofmt prints the whole file, as it is and spoiled', () => {
    const files = sample();
    expect(files.length).toBeGreaterThan(100);
    let parted = 0;
    let changed = 0;
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const text of [src, spoil(src)]) {
        const whole = run(() => formatParts(text, null, Infinity));
        // Parts of ~256 characters: nearly every declaration on its own.
        expect(run(() => formatParts(text, null, 256)), f).toBe(whole);
        if ((topLevelBreaks(text)?.length ?? 0) > 3) parted++;
        if (whole !== text && !whole.startsWith('error: ')) changed++;
      }
    }
    expect(parted).toBeGreaterThan(files.length);
    expect(changed).toBeGreaterThan(files.length * 0.9);
  });

  it('formats only the parts holding or touching the wanted lines', () => {
    const src = 'package p\n\nfunc a() {\n\tx  :=  1\n\t_ = x\n}\n\nfunc b() {\n\ty  :=  2\n\t_ = y\n}\n\nfunc c() {\n\tz  :=  3\n\t_ = z\n}\n';
    expect(formatParts(src, new Set([8]), 1)).toBe(src.replace('y  :=  2', 'y := 2'));
    // The blank line between two parts wants both.
    expect(formatParts(src, new Set([11]), 1)).toBe(src.replace('y  :=  2', 'y := 2').replace('z  :=  3', 'z := 3'));
    expect(formatParts(src, new Set([0, 15]), 1)).toBe(src.replace('z  :=  3', 'z := 3'));
    expect(formatParts(src, new Set([2, 3]), 1)).toBe(src.replace('x  :=  1', 'x := 1'));
    expect(formatParts(src, new Set(), 1)).toBe(src);
    expect(formatParts(src, null, 1)).toBe(goFormat(src).ok && (goFormat(src) as { text: string }).text);
  });

  it('a part Go rejects alone sends the whole file through gofmt', () => {
    const src = 'package p\n\nvar x =\n\n1\n\nfunc f() {}\n';
    expect(formatParts(src, null, 1)).toBe('package p\n\nvar x = 1\n\nfunc f() {}\n');
    expect(() => formatParts('package p\n\nfunc f() {}\n\nimport "fmt"\n', null, 1)).toThrow(/expected declaration|imports must appear before/);
  });
});

describe('topLevelBreaks', () => {
  const at = (src: string) => topLevelBreaks(src)?.map((o) => src.slice(0, o).split('\n').length - 1) ?? null;
  it('cuts at lone empty lines between declarations, after the imports', () => {
    const src = [
      '// Copyright',
      '',
      'package p',
      '',
      'import (',
      '\t"fmt"',
      '',
      '\t"os"',
      ')',
      '',
      'import "io"',
      '',
      'var s = `raw',
      '',
      'string`',
      '',
      '/* a',
      '',
      'comment */',
      '',
      '',
      'func f() {',
      '',
      '}',
      '\t',
      '',
      'func g() {}',
      '',
      'type T int // last',
      '',
    ].join('\n');
    // Not before the package clause, inside the import block, before the last import,
    // inside the raw string or comment, in a run of two, inside a body, next to a blank line.
    expect(at(src)).toEqual([11, 15, 27]);
  });

  it('gives up on text the lexer cannot follow, without a package clause, or with an import after a declaration', () => {
    expect(topLevelBreaks('package p\n\nvar s = `open\n')).toBeNull();
    expect(topLevelBreaks('package p\n\nfunc f() {\n')).toBeNull();
    expect(topLevelBreaks('func f() {}\n\nfunc g() {}\n')).toBeNull();
    expect(topLevelBreaks('package p\n\nfunc f() {}\n\nimport "fmt"\n')).toBeNull();
  });
});

describe('a formatter crash', () => {
  // gofmt compiled to WebAssembly has a small stack: a chain of ~100 operands traps it.
  const deep = `package p\n\nvar s = ${Array.from({ length: 400 }, () => '"a"').join(' +\n\t')}\n`;

  it('is told apart from a syntax error, and the next call gets a working formatter', () => {
    const r = goFormat(deep);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.crashed).toBe(true);
    expect(goFormat('package p\nfunc  f() {}\n')).toEqual({ ok: true, text: 'package p\n\nfunc f() {}\n' });
    const bad = goFormat('package p\nfunc f( {}\n');
    expect(!bad.ok && bad.crashed).toBe(false);
  });

  const rule: Rule = {
    meta: { id: 'r', summary: 'test', defaultOn: true, docPath: '' },
    run(ctx) {
      const i = ctx.source.indexOf('g(1)');
      if (i >= 0) ctx.report({ node: ctx.root, message: 'g', fix: { description: 'g', edits: [{ start: i, end: i + 4, text: 'g(2)' }] } });
    },
  };
  const file = (source: string) => ({ absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null });

  it('rejects the fixes of a file whose fixed part it cannot format: the output could not be checked', () => {
    const src = `${deep.replace('var s = ', 'var s = g(1) + ')}\nfunc g(int) string { return "" }\n`;
    const r = processFile(file(src), { rules: [rule] });
    expect(r.output).toBe(src);
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].noFixReason).toMatch(/Go's formatter failed on the fixed file \(memory access out of bounds\)/);
  });

  it('leaves a big file\'s fixes alone when the deep chain is in a part no fix touches', () => {
    const pad = Array.from({ length: 2200 }, (_, i) => `func f${i}() int { return ${i} }\n`).join('\n');
    const src = `${deep}\n${pad}\nfunc h() { _ = g(1) }\n\nfunc g(int) string { return "" }\n`;
    expect(src.length).toBeGreaterThan(64 * 1024);
    const r = processFile(file(src), { rules: [rule] });
    expect(r.output).toBe(src.replace('g(1)', 'g(2)'));
  });
});

describe("gofmt's changes read in a window", () => {
  // A fix's own diff is formatted once per fix: its hunks are read only between the first
  // and last characters gofmt changed. They must be the hunks of the whole file.
  it('are the whole file\'s hunks, for local changes of every kind on real files', () => {
    const spots: ((l: string) => string)[] = [
      (l) => l.replace(/ (:?=) /, '  $1  '), // padding
      (l) => `${l}\n\n`, // blank lines gofmt collapses
      (l) => `${l}   `, // trailing blanks
      (l) => l.replace(/^\t/, '    '), // indentation
      (l) => (l === '' ? '\n' : l), // a second blank line
      (l) => (l.trim() === '}' ? `${l}\n` : l),
    ];
    let windows = 0;
    for (const f of sample().filter((_, i) => i % 4 === 0)) {
      const lines = readFileSync(f, 'utf8').split('\n');
      for (let v = 0; v < spots.length; v++) {
        // Two spots far apart, and one next to the file's end.
        const at = new Set([Math.floor(lines.length / 5) + v, Math.floor((lines.length * 3) / 4) - v, lines.length - 2]);
        const text = lines.map((l, i) => (at.has(i) ? spots[v](l) : l)).join('\n');
        const fmt = goFormat(text);
        if (!fmt.ok || fmt.text === text) continue;
        windows++;
        expect(formatHunks(text, fmt.text, false), `${f} spot ${v}`).toEqual(formatHunks(text, fmt.text, true));
      }
    }
    expect(windows).toBeGreaterThan(60);
  });

  it('are the whole texts\' hunks for random pairs of short texts of look-alike lines', () => {
    // Lines equal but for blanks pair 1:1, so a window's common start may run on into the
    // identical lines after it (the whole text then pairs them otherwise): those windows
    // fall back to the whole text. Without the fallback, ~3 % of these pairs differ.
    const rand = rng(7);
    const pick = (n: number) => Math.floor(rand() * n);
    const alphabet = ['x', 'x ', ' x', '', 'y', '\tx', 'x  y', 'x y'];
    let pairs = 0;
    for (let t = 0; t < 40000; t++) {
      const a = Array.from({ length: 1 + pick(8) }, () => alphabet[pick(alphabet.length)]);
      const b = a.slice();
      for (let k = pick(3) + 1; k > 0; k--) {
        const op = pick(3);
        const i = pick(b.length + 1);
        if (op === 0) b.splice(i, 0, alphabet[pick(alphabet.length)]);
        else if (op === 1 && b.length > 1) b.splice(i, 1);
        else b[Math.min(i, b.length - 1)] = alphabet[pick(alphabet.length)];
      }
      const [text, formatted] = [a.join('\n'), b.join('\n')];
      if (text === formatted) continue;
      pairs++;
      expect(formatHunks(text, formatted, false), JSON.stringify([a, b])).toEqual(formatHunks(text, formatted, true));
    }
    expect(pairs).toBeGreaterThan(30000);
  });
});
