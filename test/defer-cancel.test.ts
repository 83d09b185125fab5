// vet's lostcancel is the reference semantics: it must flag our positive inputs
// (so the vet check in the fixture suite can fail) and accept our outputs.
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { goVet, haveGo, init, listCases, readCaseText, supportFiles } from './harness.js';

beforeAll(init);

it.runIf(haveGo())('go vet lostcancel flags every compilable positive input', () => {
  // Go 1.19's lostcancel predates its signal.NotifyContext support: those cases are ours alone.
  const positives = listCases('defer-cancel').filter(
    (c) => c.vet && c.expected && !readFileSync(c.input, 'utf8').includes('signal.NotifyContext'),
  );
  expect(positives.length).toBeGreaterThanOrEqual(6);
  for (const c of positives) {
    const out = goVet([{ name: c.name, source: readCaseText(c, c.input), support: supportFiles(c.dir) }]);
    expect(out, c.name).toMatch(/cancel|stop/);
  }
});

it('a syntax error in another function does not stop the fix (kept out of fixtures: gofmt cannot read it)', async () => {
  const { initEngine, processFile } = await import('../src/engine/engine.js');
  const { findRule } = await import('../transforms/index.js');
  await initEngine();
  const src = `package p

import "context"

func broken() {
	x := [}
}

func fine(parent context.Context) error {
	ctx, _ := context.WithCancel(parent)
	return ctx.Err()
}
`;
  const r = processFile({ absPath: '/virtual/p/x.go', displayPath: 'x.go', source: src, goVersion: null }, { rules: [findRule('defer-cancel')!] });
  expect(r.syntaxErrors).toBe(true);
  expect(r.output).toBe(src.replace('ctx, _ := context.WithCancel(parent)', 'ctx, cancel := context.WithCancel(parent)\n\tdefer cancel()'));
});
