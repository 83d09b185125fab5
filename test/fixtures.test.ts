// Every fixture of every rule: exact output, idempotence, no new syntax errors,
// gofmt-clean expected outputs, and `go vet` acceptance of compilable results.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { passesPrefilter } from '../src/engine/prefilter.js';
import { allRules, findRule } from '../transforms/index.js';
import {
  countSyntaxErrors,
  gofmtUnclean,
  goVet,
  haveGo,
  init,
  listCases,
  listFixtureRules,
  readCaseText,
  runCase,
  supportFiles,
} from './harness.js';

beforeAll(init);

const rules = listFixtureRules();

it('every registered rule has fixtures, and every fixture dir names a rule', () => {
  const ids = allRules.map((r) => r.meta.id).sort();
  expect(rules.filter((r) => !ids.includes(r))).toEqual([]);
  expect(ids.filter((id) => !rules.includes(id))).toEqual([]);
});

for (const rule of rules) {
  describe(rule, () => {
    const cases = listCases(rule);
    for (const c of cases) {
      it(c.name, () => {
        const input = readCaseText(c, c.input);
        const expected = c.expected ? readCaseText(c, c.expected) : input;
        const first = runCase(c, input);
        expect(first.ruleErrors).toEqual([]);
        expect(first.output).toBe(expected);
        const second = runCase(c, first.output);
        expect(second.output, 'a second run must change nothing').toBe(first.output);
        expect(countSyntaxErrors(first.output)).toBeLessThanOrEqual(countSyntaxErrors(input));
        // The prefilter must never skip a file its rule reports on.
        for (const id of new Set(first.findings.map((f) => f.rule))) {
          expect(passesPrefilter(findRule(id)!.meta, input), `${id} triggers miss ${c.name}`).toBe(true);
        }
        if (!c.expected) {
          expect(first.findings.filter((f) => f.fix), 'a case without .output.go must have no fix').toEqual([]);
        }
      });
    }

    it.runIf(haveGo())('expected outputs are gofmt-clean', () => {
      // Cases that are deliberately broken Go cannot be gofmt-clean; the parse check covers them.
      const outs = cases
        .map((c) => c.expected)
        .filter((p): p is string => !!p && countSyntaxErrors(readFileSync(p, 'utf8')) === 0);
      expect(gofmtUnclean(outs)).toEqual([]);
    });

    const vetCases = cases.filter((c) => c.vet);
    it.runIf(haveGo() && vetCases.length > 0)('go vet accepts the fixed compilable cases', () => {
      const out = goVet(
        vetCases.map((c) => ({
          name: c.name,
          source: readCaseText(c, c.expected ?? c.input),
          support: supportFiles(c.dir),
        })),
      );
      expect(out).toBe('');
    });
  });
}
