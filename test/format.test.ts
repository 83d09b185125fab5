// Issue 14: the engine's formatting stage (Go's own formatter on changed files, kept
// to the fixes' lines and their alignment sections) and Go's parser as a second safety
// net. The alignment shapes of real rules are fixtures (fixtures/*/gofmt-*.input.go);
// these cases use test rules to pin the engine's contract.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { alignmentRegion, goFormat } from '../src/engine/format.js';
import type { Rule } from '../src/rules/api.js';

beforeAll(initEngine);

const file = (source: string) => ({ absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null });

/** Replace every occurrence of `from` (plain text) with `to`. */
function textRule(id: string, from: string, to: string): Rule {
  return {
    meta: { id, summary: 'test', defaultOn: true, docPath: '' },
    run(ctx) {
      const root = ctx.root;
      for (let i = ctx.source.indexOf(from); i >= 0; i = ctx.source.indexOf(from, i + from.length)) {
        ctx.report({ node: root, message: `replace ${from}`, fix: { description: 'replace', edits: [{ start: i, end: i + from.length, text: to }] } });
        break;
      }
    },
  };
}

const fmt = (s: string) => {
  const r = goFormat(s);
  if (!r.ok) throw new Error(r.error);
  return r.text;
};

describe('formatting stage', () => {
  it('re-aligns the trailing comments of the touched line\'s section: the output is what gofmt prints', () => {
    const src = 'package p\n\nfunc f() {\n\ta := g(1) // one\n\tbb := 2   // two\n\n\tc := 3 // other section\n}\n\nfunc g(int) int { return 0 }\n';
    expect(fmt(src)).toBe(src);
    const r = processFile(file(src), { rules: [textRule('r', 'g(1)', 'g(1000)')] });
    expect(r.output).toBe(src.replace('a := g(1) // one\n\tbb := 2   // two', 'a := g(1000) // one\n\tbb := 2      // two'));
    expect(r.output).toBe(fmt(r.output));
    expect(r.format?.input).toBe(src.replace('g(1)', 'g(1000)'));
    expect(r.format?.edits.length).toBeGreaterThan(0);
    // The fix's own diff (JSON, interactive review, SARIF replacements) is formatted the same way.
    expect(r.findings[0].fix?.diff).toContain('\n+\tbb := 2      // two\n');
  });

  it('a file that was not gofmt-clean stays byte-identical outside the fixes\' sections', () => {
    const src = [
      'package p',
      '',
      'func f() {',
      '\tx:=1 // not gofmt-clean, far from the fix',
      '\t_ = x',
      '}',
      '',
      'func g() {',
      '\ta := h(1) // one',
      '\tbb := 2   // two',
      '',
      '\tc  :=  3 // another section, not gofmt-clean',
      '\t_, _, _ = a, bb, c',
      '}',
      '',
      'func h(int) int { return 0 }',
      '',
    ].join('\n');
    const r = processFile(file(src), { rules: [textRule('r', 'h(1)', 'h(1000)')] });
    expect(r.output).toBe(src.replace('a := h(1) // one\n\tbb := 2   // two', 'a := h(1000) // one\n\tbb := 2      // two'));
    expect(r.format?.sourceFormatted).toBe(true);
  });

  it('a file gofmt would change on every line: the fixed line and its section only get new padding, their trailing blanks stay', () => {
    const src = 'package p \t\n\nvar ( \t\n\ta  = g(1) // one \t\n\tbb = 2    // two \t\n\tc  = 3 \t\n) \t\n\nfunc g(int) int { return 0 } \t\n';
    const r = processFile(file(src), { rules: [textRule('r', 'g(1)', 'g(1000)')] });
    expect(r.output).toBe(src.replace('\ta  = g(1) // one', '\ta  = g(1000) // one').replace('bb = 2    // two', 'bb = 2       // two'));
  });

  it('a deletion that leaves two blank lines: gofmt\'s single blank line, its line ending removed too', () => {
    const src = 'package p\n\nfunc f() {\n\ta()\n\n\tx := 1\n\n\tb()\n}\n\nfunc a() {}\nfunc b() {}\n';
    expect(fmt(src)).toBe(src);
    const r = processFile(file(src), { rules: [textRule('r', '\tx := 1\n', '')] });
    expect(r.output).toBe('package p\n\nfunc f() {\n\ta()\n\n\tb()\n}\n\nfunc a() {}\nfunc b() {}\n');
    const crlf = processFile(file(src.replace(/\n/g, '\r\n')), { rules: [textRule('r', '\tx := 1\r\n', '')] });
    expect(crlf.output).toBe(r.output.replace(/\n/g, '\r\n'));
  });

  it('in a gofmt-clean file, a generated line gets gofmt\'s indentation too', () => {
    const src = 'package p\n\nfunc f() {\n\tg()\n}\n\nfunc g() {}\n';
    const r = processFile(file(src), { rules: [textRule('r', '\tg()\n', '\tg()\n    g() \n')] });
    expect(r.output).toBe('package p\n\nfunc f() {\n\tg()\n\tg()\n}\n\nfunc g() {}\n');
  });

  it('keeps CRLF line endings and the byte order mark', () => {
    const src = '\uFEFFpackage p\r\n\r\nvar (\r\n\ta  = g(1) // one\r\n\tbb = 2    // two\r\n)\r\n\r\nfunc g(int) int { return 0 }\r\n';
    const r = processFile(file(src), { rules: [textRule('r', 'g(1)', 'g(1000)')] });
    expect(r.output).toBe('\uFEFFpackage p\r\n\r\nvar (\r\n\ta  = g(1000) // one\r\n\tbb = 2       // two\r\n)\r\n\r\nfunc g(int) int { return 0 }\r\n');
  });

  it('carries the touched lines through fixpoint passes', () => {
    // r2 only finds its target after r1 ran: the re-alignment must cover both passes' lines.
    const src = 'package p\n\nvar (\n\ta   = 1 // one\n\tbbb = 2 // two\n)\n';
    const r = processFile(file(src), { rules: [textRule('r1', 'a   = 1', 'a   = 1 + 1'), textRule('r2', '1 + 1', '1 + 1 + 1')] });
    expect(r.findings.filter((f) => f.fix).map((f) => f.fix!.pass)).toEqual([1, 2]);
    expect(r.output).toBe('package p\n\nvar (\n\ta   = 1 + 1 + 1 // one\n\tbbb = 2         // two\n)\n');
  });

  it('unchanged files are not formatted', () => {
    const src = 'package p\n\nfunc f() {\n\tx:=1\n\t_ = x\n}\n';
    const r = processFile(file(src), { rules: [textRule('r', 'nothing here', 'x')] });
    expect(r.output).toBe(src);
    expect(r.format).toBeUndefined();
  });
});

describe("Go's parser as a second safety net", () => {
  // tree-sitter accepts `defer f` (no call); Go's parser does not.
  const src = 'package p\n\nfunc f() {\n\tdefer g()\n\tx := 1\n\t_ = x\n}\n\nfunc g() {}\n';

  it('drops every fix of a file Go\'s parser rejects after the fixes, and says why', () => {
    const r = processFile(file(src), { rules: [textRule('bad', 'defer g()', 'defer g'), textRule('ok', 'x := 1', 'x := 2')] });
    expect(r.output).toBe(src);
    expect(r.changed).toBe(false);
    expect(r.rejectedFixes).toBe(2);
    expect(r.findings.map((f) => f.fix)).toEqual([null, null]);
    for (const f of r.findings) expect(f.noFixReason).toMatch(/^the fix was rejected: Go's parser rejects the fixed file: 4:\d+: expression in defer must be function call/);
  });

  it('keeps the fixes when Go\'s parser already rejected the input (the tree-sitter net judges those)', () => {
    const broken = src.replace('defer g()', 'defer g');
    const r = processFile(file(broken), { rules: [textRule('ok', 'x := 1', 'x := 2')] });
    expect(r.output).toBe(broken.replace('x := 1', 'x := 2'));
    expect(r.format).toBeNull();
  });
});

describe('alignmentRegion', () => {
  it('takes the same-indentation lines around a touched line, passing over deeper ones, up to a blank or shallower line', () => {
    const lines = ['func f() {', '\ta := 1', '\tif x {', '\t\ty()', '\t}', '\tb := 2', '', '\tc := 3', '}'];
    expect([...alignmentRegion(lines, new Set([1]))].sort()).toEqual([1, 2, 4, 5]);
  });
});
