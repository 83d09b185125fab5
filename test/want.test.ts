// The `// want` expectations (src/testing/want.ts) and the public fixture runner
// (src/testing/fixtures.ts): the syntax, the traps (an expectation must never change what a
// rule sees), a user rule outside the registry, and proof that the fixtures fail when a rule
// loses its no-fix reports or changes a reason.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/engine.js';
import { checkFixtureCase, runFixtures } from '../src/testing/fixtures.js';
import { matchExpectations, parseExpectations, stripExpectations } from '../src/testing/want.js';
import type { FindingInput, Rule, RuleContext } from '../src/rules/api.js';
import { checkCase, listCases, listFixtureRules, readCaseText, runCase } from './harness.js';
import { findRule } from '../transforms/index.js';
import { findingLine } from '../src/cli/output/report.js';

beforeAll(initEngine);

describe('// want syntax', () => {
  it('parses patterns, nofix and nofix:reason, and strips them back to the plain text', () => {
    const text = [
      'package p',
      'func f() {',
      '\tg() // want `call to g` "second \\\\(x\\\\)" nofix',
      '\th() // a note // want `h` nofix:`because`',
      '\ts := "x"',
      '}',
      '',
    ].join('\n');
    const p = parseExpectations(text);
    expect(p.errors).toEqual([]);
    expect(p.stripped).toBe('package p\nfunc f() {\n\tg()\n\th() // a note\n\ts := "x"\n}\n');
    expect(p.wants.map((w) => [w.line, w.message.source, w.fix instanceof RegExp ? w.fix.source : w.fix])).toEqual([
      [3, 'call to g', 'fix'],
      [3, 'second \\(x\\)', 'nofix'],
      [4, 'h', 'because'],
    ]);
    expect(stripExpectations(text.replace(/\n/g, '\r\n'))).toBe(p.stripped.replace(/\n/g, '\r\n'));
  });

  it('rejects malformed expectations instead of ignoring them', () => {
    for (const [line, error] of [
      ['x() // want nothing quoted', /must be followed by a `pattern`/],
      ['x() // want `unterminated', /unterminated/],
      ['x() // want `a` nofix:oops', /nofix: expected a `pattern`/],
      ['x() // want `(`', /bad regular expression/],
      ['x() // want ``', /empty pattern/],
    ] as const) {
      expect(parseExpectations(`package p\n${line}\n`).errors, line).toEqual([expect.stringMatching(error)]);
    }
  });

  it('matches each finding once, and names what is missing, extra or of the wrong kind', () => {
    const wants = parseExpectations('a // want `one` `two` nofix:`why`\nb // want `three` nofix\n').wants;
    const f = (line: number, message: string, fix: boolean, noFixReason: string | null = null) => ({
      rule: 'r',
      message,
      start: { line },
      fix: fix ? { description: 'd' } : null,
      noFixReason,
    });
    expect(matchExpectations(wants, [f(1, 'two', false, 'why not'), f(1, 'one', true), f(2, 'three', false)])).toEqual([]);
    expect(matchExpectations(wants, [f(1, 'one', true), f(2, 'three', false)])).toEqual([':1: missing finding: want `two` nofix:`why`']);
    expect(matchExpectations(wants, [f(1, 'one', false, 'x'), f(1, 'two', false, 'because'), f(2, 'three', false), f(2, 'four', true)])).toEqual([
      ':1: finding r: "one" without a fix (reason: "x"); declared with a fix (`one`)',
      ':1: finding r: "two" without a fix (reason: "because"); declared without a fix, reason matching /why/ (`two` nofix:`why`)',
      ':2: unexpected finding r: "four" with a fix (d)',
    ]);
  });
});

/** A rule outside the registry: reports `panic(...)` calls without a fix and renames `oldName` with one. */
const userRule: Rule = {
  meta: { id: 'user-rule', summary: 'test rule', defaultOn: false, docPath: 'README.md', triggers: ['panic', 'oldName'] },
  run(ctx) {
    const walk = (n: RuleContext['root']) => {
      if (n.type === 'call_expression' && n.childForFieldName('function')?.text === 'panic') {
        ctx.report({ node: n, message: 'panic in library code', noFix: `the caller's recovery is not visible (${String(ctx.options.tag ?? 'no tag')})` });
      }
      if (n.type === 'identifier' && n.text === 'oldName' && ctx.package().funcs('helper').length > 0) {
        ctx.report({ node: n, message: 'oldName is deprecated', fix: { description: 'Rename to newName', edits: [{ start: n.startIndex, end: n.endIndex, text: 'newName' }] } });
      }
      for (const c of n.namedChildren) if (c) walk(c);
    };
    walk(ctx.root);
  },
};

describe('runFixtures with a rule outside the registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-want-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const put = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  put('fixture.json', JSON.stringify({ options: { 'user-rule': { tag: 'T' } } }));
  put('helper.go', 'package p\n\nfunc helper() {}\n');
  put('pass.input.go', 'package p\n\nfunc f() {\n\toldName() // want `deprecated`\n\tpanic("x") // want `panic in library` nofix:`recovery is not visible \\(T\\)`\n}\n');
  put('pass.output.go', 'package p\n\nfunc f() {\n\tnewName()\n\tpanic("x")\n}\n');
  put('quiet.input.go', 'package p\n\nfunc g() {}\n');
  put('fail.input.go', 'package p\n\nfunc f() {\n\toldName() // want `deprecated` nofix\n\tpanic("x")\n}\n');
  put('fail.output.go', 'package p\n\nfunc f() {\n\tnewName() // want `x`\n\tpanic("x")\n}\n');
  put('instring.input.go', 'package p\n\nvar s = `a // want "b"\n`\n');

  it('passes the right cases and explains the wrong ones', async () => {
    const results = await runFixtures({ dir, rules: [userRule] });
    expect(results.map((r) => r.case)).toEqual(['fail', 'instring', 'pass', 'quiet']);
    expect(results.find((r) => r.case === 'pass')!.problems).toEqual([]);
    expect(results.find((r) => r.case === 'quiet')!.problems).toEqual([]);
    const fail = results.find((r) => r.case === 'fail')!.problems.join('\n');
    expect(fail).toMatch(/an output file must not hold `\/\/ want` expectations/);
    expect(fail).toMatch(/:4: finding user-rule: "oldName is deprecated" with a fix \(Rename to newName\); declared without a fix/);
    expect(fail).toMatch(/:5: unexpected finding user-rule: "panic in library code" without a fix/);
    expect(results.find((r) => r.case === 'instring')!.problems.join('\n')).toMatch(/not a line comment \(inside a string\?\)/);
  });
});

describe('an expectation never changes what a rule sees', () => {
  it('hoist-wg-add would carry a // want along with the Add it moves; run stripped, the output is the expected one', () => {
    const c = listCases('hoist-wg-add').find((x) => x.name === 'loop')!;
    const raw = readFileSync(c.input, 'utf8');
    expect(raw).toMatch(/wg\.Add\(1\) \/\/ want /);
    // Left in, the comment is part of the Add's line and moves with it: the output changes.
    expect(runCase(c, raw).output).not.toBe(readCaseText(c, c.expected!));
    expect(checkCase(c)).toEqual([]);
    // Every input runs stripped: the text the rules see holds no expectation.
    for (const rule of listFixtureRules()) {
      for (const k of listCases(rule)) expect(readCaseText(k, k.input)).not.toMatch(/\/\/ ?want\b/);
    }
  });
});

// Mutations: a rule whose no-fix reports are dropped, or whose reasons change, must fail the
// fixtures that declare them. Only the cases with such a report run (twice each): cheap.
function wrap(rule: Rule, report: (ctx: RuleContext, f: FindingInput) => void): Rule {
  return {
    meta: rule.meta,
    run(ctx) {
      rule.run(Object.create(ctx, { report: { value: (f: FindingInput) => report(ctx, f) } }) as RuleContext);
    },
  };
}

describe('the fixtures fail when a rule loses its no-fix reports or changes a reason', () => {
  const byRule = new Map<string, { c: ReturnType<typeof listCases>[number]; reasons: boolean }[]>();
  beforeAll(() => {
    for (const dirRule of listFixtureRules()) {
      for (const c of listCases(dirRule)) {
        const r = runCase(c, readCaseText(c, c.input));
        for (const f of r.findings) {
          if (f.fix) continue;
          const list = byRule.get(f.rule) ?? [];
          if (!list.some((x) => x.c === c)) list.push({ c, reasons: false });
          if (f.noFixReason) list.find((x) => x.c === c)!.reasons = true;
          byRule.set(f.rule, list);
        }
      }
    }
  });

  it('reasons travel apart from messages, in one style', () => {
    const all = [];
    for (const dirRule of listFixtureRules()) for (const c of listCases(dirRule)) all.push(...runCase(c, readCaseText(c, c.input)).findings);
    for (const f of all) {
      expect(f.message, f.message).not.toMatch(/no fix|not fixed|fix rejected/);
      // Every built-in rule says why it offers no fix.
      expect(f.fix ? f.noFixReason === null : !!f.noFixReason, `${f.rule}: ${f.message}`).toBe(true);
      if (!f.noFixReason) continue;
      expect(f.noFixReason.length, f.noFixReason).toBeGreaterThan(5);
      expect(f.message.includes(f.noFixReason) || f.noFixReason.includes(f.message), f.noFixReason).toBe(false);
      expect(findingLine(f)).toMatch(/^[^:]+:\d+:\d+: [\w-]+: [^]* \(no fix: [^]*\)$/);
    }
  });

  it('covers every rule that has no-fix fixtures', () => {
    expect([...byRule.keys()].sort().length).toBeGreaterThanOrEqual(11);
  });

  const rulesOf = (c: ReturnType<typeof listCases>[number], id: string, mutated: Rule) =>
    (c.config.rules ?? [c.rule]).map((r) => (r === id ? mutated : findRule(r)!));

  it('dropping a rule\'s reports without a fix fails every case that declares one', () => {
    for (const [id, cases] of byRule) {
      const dropped = wrap(findRule(id)!, (ctx, f) => {
        if (f.fix) ctx.report(f);
      });
      for (const { c } of cases) {
        const problems = checkFixtureCase(c, { rules: rulesOf(c, id, dropped) }).problems;
        expect(problems.some((p) => p.includes('missing finding')), `${id}: ${c.name}`).toBe(true);
      }
    }
  });

  it('changing a rule\'s no-fix reasons fails every case that declares one', () => {
    for (const [id, cases] of byRule) {
      const changed = wrap(findRule(id)!, (ctx, f) => ctx.report(f.fix || !f.noFix ? f : { ...f, noFix: f.noFix.toUpperCase() }));
      for (const { c } of cases.filter((x) => x.reasons)) {
        const problems = checkFixtureCase(c, { rules: rulesOf(c, id, changed) }).problems;
        expect(problems.some((p) => p.includes('declared without a fix, reason matching')), `${id}: ${c.name}`).toBe(true);
      }
    }
  });

  it('the unmutated rules pass the same cases', () => {
    for (const cases of byRule.values()) for (const { c } of cases) expect(checkCase(c), c.name).toEqual([]);
  });
});
