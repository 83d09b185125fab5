// capture-loop-var / redundant-loopvar-copy on inputs the fixtures do not pin down:
// write detection (src/go/loopvars.ts), "certain" vs "possible" messages, version
// gating through the engine, and the round trip between the two rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { Imports } from '../src/go/imports.js';
import { isWriteRef, loopVars } from '../src/go/loopvars.js';
import { Semantics } from '../src/go/scope.js';
import { descendants } from '../src/go/syntax.js';
import { parseGoVersion } from '../src/go/version.js';
import { parseGo } from '../src/parser/parser.js';
import { findRule } from '../transforms/index.js';

beforeAll(initEngine);

function run(id: string, source: string, go: string, options?: Record<string, unknown>) {
  return processFile(
    { absPath: '/virtual/x.go', displayPath: 'x.go', source, packageFiles: () => [] },
    { rules: [findRule(id)!], goVersion: parseGoVersion(go), prefilter: false, ...(options ? { ruleOptions: { [id]: options } } : {}) },
  );
}

const wrap = (body: string) => `package p\n\nfunc use(...any) {}\n\nfunc f(xs []int, n int) {\n${body}}\n`;

describe('loopvars', () => {
  it('finds := loop variables only, and classifies writes', () => {
    const src = wrap(
      '\tfor i, j := 0, 1; i < n; i++ {\n\t\tuse(i, j)\n\t\tj++\n\t\tp := &i\n\t\t_ = p\n\t\ti.m()\n\t\tuse(xs[i])\n\t}\n\tvar k int\n\tfor k = range xs {\n\t}\n',
    );
    const tree = parseGo(src);
    const sem = new Semantics(tree.rootNode, new Imports(tree.rootNode, src));
    const [l1, l2] = descendants(tree.rootNode, 'for_statement');
    const vars = loopVars(sem, l1);
    expect(vars.map((v) => `${v.binding.name}:${v.kind}`)).toEqual(['i:clause', 'j:clause']);
    expect(loopVars(sem, l2)).toEqual([]);
    const [i, j] = vars.map((v) => v.binding);
    // i: cond read, post ++ (write), use read, &i (write), i.m() (maybe write), xs[i] (read)
    expect(i.refs.map(isWriteRef)).toEqual([false, true, false, true, true, false]);
    expect(j.refs.map(isWriteRef)).toEqual([false, true]);
  });
});

describe('capture-loop-var messages', () => {
  it('fixes a goroutine nothing waits for; a joined one is a finding only with reportJoined, never fixed', () => {
    const last = run('capture-loop-var', wrap('\tfor _, x := range xs {\n\t\tgo func() { use(x) }()\n\t}\n'), '1.21');
    expect(last.findings).toHaveLength(1);
    expect(last.findings[0].message).toContain('nothing later in the iteration waits for the goroutine');
    expect(last.findings[0].message).toContain('before Go 1.22 (this file: Go 1.21)');
    const joinedSrc = wrap('\tfor _, x := range xs {\n\t\tdone := make(chan bool)\n\t\tgo func() { use(x); done <- true }()\n\t\t<-done\n\t}\n');
    expect(run('capture-loop-var', joinedSrc, '1.21').findings).toEqual([]);
    const waited = run('capture-loop-var', joinedSrc, '1.21', { reportJoined: true });
    expect(waited.findings).toHaveLength(1);
    expect(waited.findings[0].message).toContain('the iteration waits for it (line 9)');
    expect(waited.findings[0].fix).toBeNull();
    expect(waited.output).toBe(joinedSrc);
    // Leaving the loop right after: the variable never moves on.
    const left = wrap('\tfor _, x := range xs {\n\t\tif x > 0 {\n\t\t\tgo func() { use(x) }()\n\t\t\treturn\n\t\t}\n\t}\n');
    expect(run('capture-loop-var', left, '1.21').findings).toEqual([]);
  });

  it('fires on variables declared outside the loop in every Go version, never with a same-name copy', () => {
    const src = wrap('\tvar i int\n\tfor i = 0; i < n; i++ {\n\t\tgo func() { use(i) }()\n\t}\n\tuse(i)\n');
    for (const go of ['1.21', '1.22', '1.25']) {
      const r = run('capture-loop-var', src, go);
      expect(r.findings).toHaveLength(1);
      expect(r.findings[0].message).toContain('in every Go version: i is declared outside the loop');
      expect(r.output).toContain('go func(i int) { use(i) }(i)');
    }
    // Unknown type: a fresh variable with another name, made just before the goroutine.
    const g = wrap('\tvar k = xs[0]\n\tfor k = range xs {\n\t\tgo func() { use(k) }()\n\t}\n');
    const r = run('capture-loop-var', g, '1.23');
    expect(r.output).toContain('\t\tkCopy := k\n\t\tgo func() { use(kCopy) }()\n');
    expect(run('capture-loop-var', r.output, '1.23').findings).toEqual([]);
    // The cleanup rule never removes a copy of an outer-declared variable.
    const kept = wrap('\tvar k int\n\tfor k = range xs {\n\t\tk := k\n\t\tgo func() { use(k) }()\n\t}\n');
    expect(run('redundant-loopvar-copy', kept, '1.22').findings).toEqual([]);
  });

  it('never reports deferred calls whose arguments are evaluated at the defer', () => {
    const r = run('capture-loop-var', wrap('\tfor i := 0; i < 3; i++ {\n\t\tdefer use(i)\n\t\tdefer use(func() int { return i }())\n\t}\n'), '1.21');
    expect(r.findings).toEqual([]);
  });

  it('only runs below Go 1.22; the cleanup rule only from 1.22', () => {
    const src = wrap('\tfor _, x := range xs {\n\t\tgo func() { use(x) }()\n\t}\n');
    expect(run('capture-loop-var', src, '1.22').findings).toEqual([]);
    const copied = run('capture-loop-var', src, '1.21').output;
    expect(run('redundant-loopvar-copy', copied, '1.21').findings).toEqual([]);
    // Round trip: the cleanup at 1.22 removes exactly what the fix added.
    expect(run('redundant-loopvar-copy', copied, '1.22').output).toBe(src);
  });

  it('passes a modified 3-clause variable as an argument and is idempotent', () => {
    const src = wrap('\tfor i := len(xs) - 1; i >= 0; {\n\t\tuse(i)\n\t}\n\tfor i := len(xs); i > 0; {\n\t\ti--\n\t\tgo func(a string) { use(a, i) }("s")\n\t}\n');
    const r = run('capture-loop-var', src, '1.21');
    expect(r.findings).toHaveLength(1);
    expect(r.output).toContain('go func(a string, i int) { use(a, i) }("s", i)');
    expect(run('capture-loop-var', r.output, '1.21').findings).toEqual([]);
  });

  it('keeps CRLF line endings', () => {
    const src = wrap('\tfor _, x := range xs {\n\t\tgo func() { use(x) }()\n\t}\n').replace(/\n/g, '\r\n');
    const r = run('capture-loop-var', src, '1.21');
    expect(r.output).toContain('\t\tx := x\r\n\t\tgo func()');
    expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
  });
});
