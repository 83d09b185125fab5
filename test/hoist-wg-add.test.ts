// hoist-wg-add and waitgroup-go on trickier inputs than the fixtures show one by one:
// proof of the WaitGroup type (shadowing, dot imports, embedded and generic types,
// sibling files), statement removal edge cases, and the prefilter contract.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { parseGoVersion } from '../src/go/version.js';
import { passesPrefilter } from '../src/engine/prefilter.js';
import { findRule } from '../transforms/index.js';
import { goVet, haveGo, listCases, readCaseText, runCase, supportFiles } from './harness.js';

beforeAll(initEngine);

let seq = 0;

function run(source: string, opts: { rules?: string[]; go?: string; siblings?: Record<string, string> } = {}) {
  const rules = (opts.rules ?? ['hoist-wg-add']).map((id) => findRule(id)!);
  const siblings = opts.siblings ?? {};
  // A directory per run: the engine caches a package's sibling files per directory.
  const dir = `/virtual/p${++seq}`;
  return processFile(
    {
      absPath: `${dir}/case.go`,
      displayPath: 'case.go',
      source,
      goVersion: opts.go ? parseGoVersion(opts.go) : null,
      packageFiles: () => Object.entries(siblings).map(([n, s]) => ({ absPath: `${dir}/${n}`, source: s })),
    },
    { rules, prefilter: false },
  );
}

const fixed = (r: ReturnType<typeof run>) => r.findings.filter((f) => f.fix);
const reported = (r: ReturnType<typeof run>) => r.findings.filter((f) => !f.fix);

describe('hoist-wg-add: proving the WaitGroup', () => {
  it('a goroutine that Waits on wg and then Adds for a Done called elsewhere is not reported (cli/cli liveshare)', () => {
    const r = run(`package p

import "sync"

func f(keepAlive func(), done chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		keepAlive()
		wg.Wait()
		wg.Add(1)
		keepAlive()
		wg.Wait()
		done <- struct{}{}
	}()
	<-done
}
`);
    expect(r.findings).toEqual([]);
  });

  it('a WaitGroup declared inside the goroutine, shadowing the outer one, is left alone', () => {
    const r = run(`package p

import "sync"

func f() {
	var wg sync.WaitGroup
	go func() {
		wg := &sync.WaitGroup{}
		wg.Add(1)
		defer wg.Done()
	}()
	wg.Wait()
}
`);
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('a dot-imported WaitGroup is not proven: reported without a fix', () => {
    const r = run(`package p

import . "sync"

func f() {
	var wg WaitGroup
	go func() {
		wg.Add(1)
		defer wg.Done()
	}()
	wg.Wait()
}
`);
    expect(fixed(r)).toEqual([]);
    expect(reported(r).map((f) => f.noFixReason)).toEqual([expect.stringContaining('could not be proven')]);
  });

  it('a field promoted from an embedded struct is not proven', () => {
    const r = run(
      `package p

func (s *Server) start() {
	go func() {
		s.wg.Add(1)
		defer s.wg.Done()
	}()
}
`,
      { siblings: { 'types.go': 'package p\n\nimport "sync"\n\ntype base struct{ wg sync.WaitGroup }\n\ntype Server struct{ base }\n' } },
    );
    expect(fixed(r)).toEqual([]);
    expect(reported(r)).toHaveLength(1);
  });

  it('fields of a generic receiver type and of a value found through a copy are proven', () => {
    const src = `package p

func (s *Pool[T]) start(items []T) {
	go func() {
		s.wg.Add(1)
		defer s.wg.Done()
	}()
	w := s.inner
	go func() {
		w.wg.Add(1)
		defer w.wg.Done()
	}()
}
`;
    const r = run(src, {
      siblings: {
        'types.go': 'package p\n\nimport "sync"\n\ntype Pool[T any] struct {\n\twg    sync.WaitGroup\n\tinner *inner\n}\n\ntype inner struct{ wg *sync.WaitGroup }\n',
      },
    });
    expect(fixed(r)).toHaveLength(2);
    expect(r.output).toContain('\ts.wg.Add(1)\n\tgo func() {\n\t\tdefer s.wg.Done()');
    expect(r.output).toContain('\tw.wg.Add(1)\n\tgo func() {\n\t\tdefer w.wg.Done()');
  });

  it('a sibling file of another package (different package clause) proves nothing', () => {
    const r = run(
      `package p

func start() {
	go func() {
		wg.Add(1)
		defer wg.Done()
	}()
}
`,
      { siblings: { 'x_test.go': 'package p_test\n\nimport "sync"\n\nvar wg sync.WaitGroup\n' } },
    );
    expect(fixed(r)).toEqual([]);
  });

  it('a negative delta is a Done, never hoisted', () => {
    const r = run(`package p

import "sync"

func f(x *int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		*x = 1
		wg.Add(-1)
	}()
	wg.Wait()
}
`);
    expect(r.findings).toEqual([]);
  });

  it('the go worker report follows the function into a sibling file, and ignores methods and shadowing locals', () => {
    const worker = 'package p\n\nimport "sync"\n\nfunc worker(wg *sync.WaitGroup) {\n\twg.Add(1)\n\tdefer wg.Done()\n}\n\ntype T struct{}\n\nfunc (T) run(wg *sync.WaitGroup) {\n\twg.Add(1)\n\tdefer wg.Done()\n}\n';
    const r = run(
      `package p

import "sync"

func f(t T) {
	var wg sync.WaitGroup
	go worker(&wg)
	go t.run(&wg)
	{
		worker := func(*sync.WaitGroup) {}
		go worker(&wg)
	}
	wg.Wait()
}
`,
      { siblings: { 'worker.go': worker } },
    );
    expect(r.findings.map((f) => [f.start.line, f.fix])).toEqual([[7, null]]);
  });
});

describe('hoist-wg-add: edits', () => {
  it('removes the blank line the Add would leave after the opening brace', () => {
    const r = run(`package p

import "sync"

func f(g func()) {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)

		defer wg.Done()
		g()
	}()
	wg.Wait()
}
`);
    expect(r.output).toContain('\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tg()\n');
  });

  it('keeps the line endings of a CRLF file and indents at the go statement', () => {
    const src = 'package p\r\n\r\nimport "sync"\r\n\r\nfunc f(g func()) {\r\n\tvar wg sync.WaitGroup\r\n\tif true {\r\n\t\tgo func() {\r\n\t\t\twg.Add(1)\r\n\t\t\tdefer wg.Done()\r\n\t\t\tg()\r\n\t\t}()\r\n\t}\r\n\twg.Wait()\r\n}\r\n';
    const r = run(src);
    expect(r.output).toBe(src.replace('\t\tgo func() {\r\n\t\t\twg.Add(1)\r\n', '\t\twg.Add(1)\r\n\t\tgo func() {\r\n'));
  });

  it('a go statement in a case clause gets the Add inside the clause', () => {
    const r = run(`package p

import "sync"

func f(k int, g func()) {
	var wg sync.WaitGroup
	switch k {
	case 1:
		go func() {
			wg.Add(1)
			defer wg.Done()
			g()
		}()
	}
	wg.Wait()
}
`);
    expect(r.output).toContain('\tcase 1:\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n');
  });
});

describe('waitgroup-go', () => {
  it('does not apply below Go 1.25, and applies at 1.25', () => {
    const src = `package p

import "sync"

func f(g func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		g()
	}()
	wg.Wait()
}
`;
    expect(run(src, { rules: ['waitgroup-go'], go: '1.24' }).changed).toBe(false);
    expect(run(src, { rules: ['waitgroup-go'], go: '1.25' }).output).toContain('\twg.Go(func() {\n\t\tg()\n\t})\n');
  });

  it('a Done on a WaitGroup that shadows the counted one is not the pair', () => {
    const r = run(
      `package p

import "sync"

func f(other *sync.WaitGroup) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg := other
		defer wg.Done()
	}()
	wg.Wait()
}
`,
      { rules: ['waitgroup-go'], go: '1.25' },
    );
    expect(r.changed).toBe(false);
  });

  it('hoist then modernize reach a fixpoint in one run, and a second run changes nothing', () => {
    const src = `package p

import "sync"

func f(gs []func()) {
	var wg sync.WaitGroup
	for _, g := range gs {
		go func() {
			wg.Add(1)
			defer wg.Done()
			g()
		}()
	}
	wg.Wait()
}
`;
    const first = run(src, { rules: ['hoist-wg-add', 'waitgroup-go'], go: '1.25' });
    expect(first.output).toContain('\t\twg.Go(func() {\n\t\t\tg()\n\t\t})\n');
    expect(first.findings.map((f) => [f.rule, !!f.fix]).sort()).toEqual([
      ['hoist-wg-add', true],
      ['waitgroup-go', true],
    ]);
    expect(run(first.output, { rules: ['hoist-wg-add', 'waitgroup-go'], go: '1.25' }).changed).toBe(false);
  });
});

describe('prefilter triggers are necessary conditions', () => {
  for (const id of ['hoist-wg-add', 'waitgroup-go']) {
    it(`${id}: every fixture with a finding contains a trigger`, () => {
      const rule = findRule(id)!;
      for (const c of listCases(id)) {
        const src = readCaseText(c, c.input);
        const r = runCase(c, src);
        if (r.findings.some((f) => f.rule === id)) {
          expect(passesPrefilter(rule.meta, src), c.name).toBe(true);
        }
      }
    });
  }
});

it.runIf(haveGo())('vet copylocks agrees with the by-value report: both flag the same parameters', () => {
  const c = listCases('hoist-wg-add').find((x) => x.name === 'by-value')!;
  const src = readCaseText(c, c.input);
  const ours = runCase(c, src).findings.map((f) => f.start.line).sort();
  const vet = goVet([{ name: c.name, source: src, support: supportFiles(c.dir) }]);
  const theirs = [...vet.matchAll(/case\.go:(\d+):\d+: \w+ passes lock by value: sync\.WaitGroup/g)].map((m) => Number(m[1])).sort();
  expect(theirs.length).toBeGreaterThan(0);
  expect(ours).toEqual(theirs);
});
