// http-client-timeout: findings without fixes (DefaultClient, http.Get & co., loops,
// handlers), the reportDefaultClient option, and layouts.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';

beforeAll(initEngine);

function run(body: string, options: Record<string, unknown> = {}, imports = '"net/http"\n"time"') {
  const source = `package p\n\nimport (\n\t${imports.split('\n').join('\n\t')}\n)\n\n${body}`;
  const r = processFile(
    { absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null, packageFiles: () => [] },
    { rules: [findRule('http-client-timeout')!], ruleOptions: { 'http-client-timeout': options } },
  );
  expect(r.ruleErrors).toEqual([]);
  return r;
}

describe('http-client-timeout', () => {
  it('reports requests on DefaultClient read in full and without a deadline, without a fix', () => {
    const r = run(
      'func f(u string) {\n\thttp.Get(u)\n\thttp.Head(u)\n\thttp.Post(u, "", nil)\n\thttp.PostForm(u, nil)\n\thttp.DefaultClient.Get(u)\n\tvar c = http.DefaultClient\n\t_ = c\n}\n',
    );
    expect(r.findings.map((f) => f.message.split(' ')[0])).toEqual(['http.Get', 'http.Head', 'http.Post', 'http.PostForm', 'http.DefaultClient.Get']);
    expect(r.findings.every((f) => f.fix === null && f.noFixReason === 'which client to use is a design choice')).toBe(true);
  });

  it('does not report them with reportDefaultClient: false', () => {
    expect(run('func f(u string) {\n\thttp.Get(u)\n\t_ = http.DefaultClient\n}\n', { reportDefaultClient: false }).findings).toEqual([]);
  });

  it('does not report DefaultClient uses when the file sets its Timeout', () => {
    const r = run('func init() {\n\thttp.DefaultClient.Timeout = 10 * time.Second\n}\n\nfunc f(u string) {\n\thttp.Get(u)\n\t_ = http.DefaultClient\n}\n');
    expect(r.findings).toEqual([]);
  });

  it('does not take a local Get or a shadowed http for net/http', () => {
    const r = run('type fake struct{}\n\nfunc (fake) Get(string) {}\n\nfunc f(u string) {\n\thttp := fake{}\n\thttp.Get(u)\n}\n');
    expect(r.findings).toEqual([]);
  });

  it('fixes clients built in loops and handlers like any other', () => {
    const r = run(
      'func f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tc := &http.Client{}\n\t\tc.Head("http://x/")\n\t}\n}\n\nfunc h(w http.ResponseWriter, r *http.Request) {\n\tc := http.Client{}\n\tc.Head("http://x/")\n}\n',
    );
    expect(r.findings.map((f) => !!f.fix)).toEqual([true, true]);
  });

  it('says nothing about a client whose requests cannot be seen or stream', () => {
    expect(run('func f() *http.Client {\n\treturn &http.Client{}\n}\n').findings).toEqual([]);
    expect(run('var c = &http.Client{}\n').findings).toEqual([]);
    expect(run('var c = &http.Client{}\n\nfunc f(u string) (*http.Response, error) {\n\treturn c.Get(u)\n}\n').findings).toEqual([]);
  });

  it('leaves clients with a Timeout alone, set in the literal or assigned later', () => {
    expect(run('var c = &http.Client{Timeout: time.Second}\n').findings).toEqual([]);
    expect(run('func f() *http.Client {\n\tc := &http.Client{}\n\tc.Timeout = time.Second\n\treturn c\n}\n').findings).toEqual([]);
    expect(run('var c = &http.Client{}\n\nfunc init() {\n\tc.Timeout = time.Second\n}\n').findings).toEqual([]);
  });

  it('does not count a Timeout assigned to another variable', () => {
    const r = run('func f(d *http.Client) {\n\tc := &http.Client{}\n\td.Timeout = time.Second\n\tc.Head("http://x/")\n}\n');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].fix).not.toBeNull();
  });

  it('uses the configured timeout', () => {
    const use = 'var c = &http.Client{}\n\nfunc f() {\n\tc.Head("http://x/")\n}\n';
    expect(run(use, { timeout: '2m' }).output).toContain('&http.Client{Timeout: 2 * time.Minute}');
    expect(run(use, { timeout: '250ms' }).output).toContain('&http.Client{Timeout: 250 * time.Millisecond}');
  });

  it('keeps a comment in an empty literal by breaking nothing', () => {
    const r = run('var c = &http.Client{ /* later */ }\n\nfunc f() {\n\tc.Head("http://x/")\n}\n');
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].noFixReason).toContain('the literal holds a comment');
  });
});

describe('http-client-timeout in test files', () => {
  const source =
    'package p\n\nimport (\n\t"net/http"\n\t"testing"\n)\n\nfunc TestX(t *testing.T) {\n\thttp.Get("http://127.0.0.1/")\n\tc := &http.Client{}\n\tc.Head("http://127.0.0.1/")\n}\n';
  const runTest = (options: Record<string, unknown>) =>
    processFile(
      { absPath: '/virtual/t/x_test.go', displayPath: 'x_test.go', source, goVersion: null, packageFiles: () => [] },
      { rules: [findRule('http-client-timeout')!], ruleOptions: { 'http-client-timeout': options } },
    );
  it('reports and fixes nothing in _test.go files by default', () => {
    expect(runTest({}).findings).toEqual([]);
  });
  it('fixes client literals there with the option tests: true (http.Get & co. stay unreported)', () => {
    expect(runTest({ tests: true }).findings.map((f) => [f.message.split(':')[0], !!f.fix])).toEqual([['http.Client without Timeout', true]]);
  });
});

describe('test-support directories count as tests', () => {
  it('isTestPath', async () => {
    const { isTestPath } = await import('../src/go/construct.js');
    for (const p of ['a/x_test.go', 'tests/framework/e2e/m.go', 'internal/testutil/r.go', 'caddytest/c.go', 'cmd/networkdb-test/c.go', 'net/http/httptest/server.go'])
      expect(isTestPath(p), p).toBe(true);
    for (const p of ['x.go', 'cmd/latest/x.go', 'pkg/attest/x.go', 'contest.go', 'internal/testable/x.go']) expect(isTestPath(p), p).toBe(false);
  });
});
