// Every fixture of every rule: findings exactly as the input's `// want` comments declare,
// exact output, idempotence, no new syntax errors, prefilter admission (the runner's checks,
// src/testing/fixtures.ts), gofmt-clean expected outputs, and `go vet` acceptance of
// compilable results.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../transforms/index.js';
import {
  checkCase,
  countSyntaxErrors,
  gofmtUnclean,
  goVet,
  haveGo,
  init,
  listCases,
  listFixtureRules,
  readCaseText,
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
        expect(checkCase(c)).toEqual([]);
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
