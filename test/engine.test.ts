// Engine behaviour beyond single-rule fixtures: merging, fixpoint, safety net,
// position mapping, declined fixes.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import type { Rule } from '../src/rules/api.js';
import { findRule } from '../transforms/index.js';

beforeAll(initEngine);

const file = (source: string) => ({ absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null });

/** A test rule that replaces every occurrence of an identifier, optionally with a broken text. */
function renameRule(id: string, from: string, to: string): Rule {
  return {
    meta: { id, summary: 'test', defaultOn: true, docPath: '' },
    run(ctx) {
      for (const n of ctx.root.descendantsOfType('identifier')) {
        if (n && n.text === from) {
          ctx.report({ node: n, message: `rename ${from}`, fix: { description: `rename to ${to}`, edits: [{ start: n.startIndex, end: n.endIndex, text: to }] } });
        }
      }
    },
  };
}

describe('engine', () => {
  const src = 'package p\n\nfunc f() {\n\ta := 1\n\t_ = a\n}\n';

  it('applies non-overlapping fixes of several rules on one baseline', () => {
    const r = processFile(file(src), { rules: [renameRule('r1', 'a', 'b')] });
    expect(r.output).toBe('package p\n\nfunc f() {\n\tb := 1\n\t_ = b\n}\n');
    expect(r.findings.map((f) => [f.start.line, f.start.column])).toEqual([[4, 2], [5, 6]]);
  });

  it('overlapping fixes: the first rule wins, the second re-runs on the result (fixpoint)', () => {
    // r2 renames b → c, which only exists after r1 ran: a second pass finds it.
    const r = processFile(file(src), { rules: [renameRule('r1', 'a', 'b'), renameRule('r2', 'b', 'c')] });
    expect(r.output).toBe('package p\n\nfunc f() {\n\tc := 1\n\t_ = c\n}\n');
    // Pass-2 findings map back to the original positions.
    expect(r.findings.filter((f) => f.rule === 'r2').map((f) => f.start.line)).toEqual([4, 5]);
  });

  it('safety net: a fix that would add a syntax error is rejected and reported, the others apply', () => {
    const two = 'package p\n\nfunc f() {\n\ta := 1\n\t_ = a\n\tz := 2\n\t_ = z\n}\n';
    const r = processFile(file(two), { rules: [renameRule('bad', 'a', 'a +'), renameRule('ok', 'z', 'y')] });
    expect(r.output).toBe(two.replace(/z/g, 'y'));
    expect(r.rejectedFixes).toBeGreaterThan(0);
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].noFixReason).toMatch(/rejected: it would introduce a syntax error/);
  });

  it('safety net with imports: the fixes kept after a rejection get the imports they need, and their own diffs show them', () => {
    // Two good fixes each need an import, a third breaks the syntax: the kept pair is built
    // again with both imports (the pass's tree is freed before the check, so the pair's
    // import edit comes from a parse of its own).
    const src3 = 'package p\n\nfunc f() {\n\ta := 1\n\t_ = a\n\tz := 2\n\t_ = z\n\tq := 3\n\t_ = q\n}\n';
    const withImport = (id: string, from: string, to: string, path: string): Rule => ({
      meta: { id, summary: 'test', defaultOn: true, docPath: '' },
      run(ctx) {
        const n = ctx.root.descendantsOfType('identifier').find((x) => x?.text === from);
        if (n) ctx.report({ node: n, message: `use ${path}`, fix: { description: 'x', edits: [{ start: n.startIndex, end: n.endIndex, text: to }], imports: [path] } });
      },
    });
    const r = processFile(file(src3), {
      rules: [withImport('fmt', 'a', 'a', 'fmt'), withImport('os', 'z', 'z', 'os'), renameRule('bad', 'q', 'q +')],
    });
    expect(r.output).toBe('package p\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc f() {\n\ta := 1\n\t_ = a\n\tz := 2\n\t_ = z\n\tq := 3\n\t_ = q\n}\n');
    expect(r.findings.filter((f) => f.rule === 'bad').every((f) => f.fix === null)).toBe(true);
    const fmtFix = r.findings.find((f) => f.rule === 'fmt')!.fix!;
    expect(fmtFix.after).toContain('import "fmt"');
    expect(fmtFix.after).not.toContain('"os"');
  });

  it('never edits inside a pre-existing ERROR region, still fixes elsewhere', () => {
    const broken = 'package p\n\nfunc g() {\n\tx := [}\n}\n\nfunc f() {\n\ta := 1\n\t_ = a\n}\n';
    const r = processFile(file(broken), { rules: [renameRule('r1', 'x', 'y'), renameRule('r2', 'a', 'b')] });
    expect(r.syntaxErrors).toBe(true);
    expect(r.output).toContain('b := 1');
    // The finding in the broken function says why it has no fix, apart from its message.
    const x = r.findings.find((f) => f.rule === 'r1')!;
    expect([x.fix, x.message, x.noFixReason]).toEqual([null, 'rename x', 'the code around it has syntax errors']);
    expect(r.findings.filter((f) => f.rule === 'r2').every((f) => f.fix && f.noFixReason === null)).toBe(true);
  });

  it('a rule\'s noFix travels as noFixReason, only without a fix; a declined fix has none', () => {
    const rule: Rule = {
      meta: { id: 'why', summary: 'test', defaultOn: true, docPath: '' },
      run(ctx) {
        const [a, b] = ctx.root.descendantsOfType('identifier').filter((n) => n?.text === 'a');
        ctx.report({ node: a!, message: 'first', noFix: 'a reason' });
        ctx.report({ node: b!, message: 'second', noFix: 'ignored', fix: { description: 'd', edits: [{ start: b!.startIndex, end: b!.endIndex, text: 'a' }] } });
      },
    };
    expect(processFile(file(src), { rules: [rule] }).findings.map((f) => [f.message, !!f.fix, f.noFixReason])).toEqual([
      ['first', false, 'a reason'],
      ['second', true, null],
    ]);
    const declined = processFile(file(src), { rules: [renameRule('r1', 'a', 'b')], accept: () => false });
    expect(declined.findings.map((f) => [f.fix, f.noFixReason])).toEqual([[null, null], [null, null]]);
  });

  it('declined fixes (interactive review) are reported without a fix', () => {
    const r = processFile(file(src), { rules: [renameRule('r1', 'a', 'b')], accept: (p) => p.startOffset !== src.indexOf('a :=') });
    expect(r.output).toBe('package p\n\nfunc f() {\n\ta := 1\n\t_ = b\n}\n');
    expect(r.findings.map((f) => f.fix !== null)).toEqual([false, true]);
  });

  it('identical edits from two rules merge', () => {
    const r = processFile(file(src), { rules: [renameRule('r1', 'a', 'b'), renameRule('r2', 'a', 'b')] });
    expect(r.output).toBe('package p\n\nfunc f() {\n\tb := 1\n\t_ = b\n}\n');
  });

  it('//gopitfix:ignore-file skips the file', () => {
    const r = processFile(file('//gopitfix:ignore-file\n' + src), { rules: [renameRule('r1', 'a', 'b')] });
    expect(r.ignoredFile).toBe(true);
    expect(r.changed).toBe(false);
  });

  it('prefilter: a file without any trigger is not parsed', () => {
    const rule = findRule('defer-cancel')!;
    const r = processFile(file(src), { rules: [rule] });
    expect(r.skippedByPrefilter).toBe(true);
  });
});

describe('package siblings', () => {
  it('a packageFiles provider is consulted on every call, not cached by path', () => {
    const rule: Rule = {
      meta: { id: 'count-siblings', summary: 'test', defaultOn: true, docPath: '' },
      run(ctx) {
        ctx.report({ node: ctx.root, message: String(ctx.package().files.length) });
      },
    };
    const run = (n: number) =>
      processFile(
        {
          ...file('package p\n'),
          packageFiles: () => Array.from({ length: n }, (_, i) => ({ absPath: `/virtual/p/s${i}.go`, source: 'package p\n' })),
        },
        { rules: [rule] },
      ).findings[0].message;
    expect(run(1)).toBe('2');
    expect(run(3)).toBe('4');
  });
});
