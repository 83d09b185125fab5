// tune-http-transport: what is reported without a fix, and why; options; edge layouts.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';

beforeAll(initEngine);

function run(body: string, options: Record<string, unknown> = {}, imports = '"net/http"') {
  const source = `package p\n\nimport (\n\t${imports.split('\n').join('\n\t')}\n)\n\n${body}`;
  const r = processFile(
    { absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null, packageFiles: () => [] },
    { rules: [findRule('tune-http-transport')!], ruleOptions: { 'tune-http-transport': { scope: 'long-lived', ...options } } },
  );
  expect(r.ruleErrors).toEqual([]);
  return r;
}

describe('tune-http-transport', () => {
  it('reports a transport built in a loop and used only there, even when tuned', () => {
    const r = run('func f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\t(&http.Transport{MaxIdleConnsPerHost: 10}).CloseIdleConnections()\n\t}\n}\n');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].message).toContain('inside a loop');
    expect(r.findings[0].message).toContain('create it once and reuse it');
  });

  it('reports a transport built in a closure defined in a loop', () => {
    const r = run('func f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { _ = &http.Transport{} }()\n\t}\n}\n');
    expect(r.findings.map((f) => [f.fix, /inside a loop/.test(f.message)])).toEqual([[null, true]]);
  });

  it('reports a transport built per request, in a handler method or func literal', () => {
    const r = run(
      'type s struct{}\n\nfunc (s) ServeHTTP(w http.ResponseWriter, r *http.Request) { _ = &http.Transport{} }\n\n' +
        'var h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = &http.Transport{} })\n',
    );
    expect(r.findings).toHaveLength(2);
    for (const f of r.findings) {
      expect(f.fix).toBeNull();
      expect(f.message).toContain('per request (in an HTTP handler or RoundTrip method)');
    }
  });

  it('does not take a function with only a *http.Request for a handler', () => {
    const r = run('func f(r *http.Request) *http.Transport {\n\tt := &http.Transport{}\n\treturn t\n}\n');
    expect(r.findings[0].fix).not.toBeNull();
  });

  it('reports without a fix when the durations need "time" and it is shadowed', () => {
    const r = run('func f(time int) http.RoundTripper {\n\treturn &http.Transport{}\n}\n');
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].noFixReason).toBe('the name "time" is bound to something else here');
  });

  it('does not add an import that would clash with a package-level time in a sibling file', () => {
    const source = 'package p\n\nimport "net/http"\n\nvar t = &http.Transport{}\n';
    const r = processFile(
      {
        absPath: '/virtual/q/x.go',
        displayPath: 'x.go',
        source,
        goVersion: null,
        packageFiles: () => [{ absPath: '/virtual/q/y.go', source: 'package p\n\nfunc time() {}\n' }],
      },
      { rules: [findRule('tune-http-transport')!], ruleOptions: { 'tune-http-transport': { scope: 'long-lived' } } },
    );
    expect(r.findings[0].fix).toBeNull();
    expect(r.output).toBe(source);
  });

  it('leaves tuned transports, dot imports and other packages alone', () => {
    expect(run('var a = &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 0, TLSHandshakeTimeout: 0}\n').findings).toEqual([]);
    expect(run('func f() *http.Transport {\n\tt := &http.Transport{}\n\tt.MaxIdleConnsPerHost = 4\n\tt.IdleConnTimeout, t.TLSHandshakeTimeout = 0, 0\n\treturn t\n}\n').findings).toEqual([]);
    expect(run('var a = &Transport{}\n', {}, '. "net/http"').findings).toEqual([]);
    expect(run('var a = &http.Transport{}\n', {}, 'http "example.com/fakehttp"').findings).toEqual([]);
  });

  it('writes configured durations with the largest exact unit', () => {
    const r = run('var a = &http.Transport{}\n', { idleConnTimeout: '1m30s', tlsHandshakeTimeout: '1500ms' }, '"net/http"\n"time"');
    expect(r.output).toContain('IdleConnTimeout:     90 * time.Second,');
    expect(r.output).toContain('TLSHandshakeTimeout: 1500 * time.Millisecond,');
    expect(r.output).not.toContain('ExpectContinueTimeout');
  });

  it('never adds Proxy, ForceAttemptHTTP2, a dialer or a clone by default', () => {
    const r = run('var a = &http.Transport{}\n\nfunc f() *http.Transport {\n\tt := &http.Transport{}\n\treturn t\n}\n');
    expect(r.findings.filter((f) => f.fix)).toHaveLength(2);
    for (const bad of ['Proxy', 'ForceAttemptHTTP2', 'Dial', 'Clone()', 'ExpectContinueTimeout', 'MaxIdleConns:']) expect(r.output).not.toContain(bad);
    expect(r.findings[0].message).toContain('protocol, proxy and dialer stay as written');
  });

  it('option 0 turns a bound off', () => {
    const r = run('var a = &http.Transport{}\n', { maxIdleConnsPerHost: 0, idleConnTimeout: '0' }, '"net/http"\n"time"');
    expect(r.output).toContain('var a = &http.Transport{\n\tTLSHandshakeTimeout: 10 * time.Second,\n}\n');
    expect(run('var a = &http.Transport{}\n', { maxIdleConnsPerHost: 0, idleConnTimeout: '0', tlsHandshakeTimeout: '0' }).findings).toEqual([]);
  });

  it('leaves per-call transports alone and says why long-lived ones are fixed', () => {
    expect(run('func f() {\n\tt := &http.Transport{}\n\tc := &http.Client{Transport: t}\n\tc.Get("http://x/")\n}\n').findings).toEqual([]);
    const r = run('type s struct{ t *http.Transport }\n\nfunc (x *s) init() {\n\tx.t = &http.Transport{}\n}\n', {}, '"net/http"\n"time"');
    expect(r.findings[0].message).toContain('it is stored in the field t');
  });

  it('keeps a var group and a parenthesized literal as literals', () => {
    const r = run('func f() (*http.Transport, *http.Transport) {\n\tvar (\n\t\ta = &http.Transport{}\n\t)\n\tb := (&http.Transport{})\n\treturn a, b\n}\n', {}, '"net/http"\n"time"');
    expect(r.findings).toHaveLength(2);
    expect(r.findings.every((f) => f.fix && /^Add MaxIdleConnsPerHost, IdleConnTimeout, TLSHandshakeTimeout/.test(f.fix.description))).toBe(true);
  });
});

describe('tune-http-transport in test files', () => {
  const source = 'package p\n\nimport "net/http"\n\nvar shared = &http.Transport{}\n\nfunc f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tt := &http.Transport{}\n\t\tt.RoundTrip(nil)\n\t}\n}\n';
  const runTest = (options: Record<string, unknown>) =>
    processFile(
      { absPath: '/virtual/t/x_test.go', displayPath: 'x_test.go', source, goVersion: null, packageFiles: () => [] },
      { rules: [findRule('tune-http-transport')!], ruleOptions: { 'tune-http-transport': { scope: 'long-lived', ...options } } },
    );
  it('reports and fixes nothing in _test.go files by default (no "inside a loop" either)', () => {
    expect(runTest({}).findings).toEqual([]);
  });
  it('checks them with the option tests: true', () => {
    const r = runTest({ tests: true });
    expect(r.findings.map((f) => [!!f.fix, /inside a loop/.test(f.message)])).toEqual([
      [true, false],
      [false, true],
    ]);
  });
});

describe('tune-http-transport, default scope "proven"', () => {
  const proven = (body: string) =>
    processFile(
      { absPath: '/virtual/p/x.go', displayPath: 'x.go', source: `package p\n\nimport (\n\t"net/http"\n\t"time"\n)\n\n${body}`, goVersion: null, packageFiles: () => [] },
      { rules: [findRule('tune-http-transport')!] },
    );
  it('adds nothing to a long-lived transport whose problem is not visible', () => {
    expect(proven('var a = &http.Transport{}\n\nfunc f() *http.Transport {\n\treturn &http.Transport{}\n}\n').findings).toEqual([]);
  });
  it('adds TLSHandshakeTimeout only where a streaming client has no Timeout and a request no deadline', () => {
    const stream = 'func f() (*http.Response, error) {\n\treturn c.Get("http://x/")\n}\n';
    const unbounded = proven('var c = &http.Client{Transport: &http.Transport{}}\n\n' + stream);
    expect(unbounded.findings.map((f) => f.fix?.description)).toEqual(['Add TLSHandshakeTimeout to the http.Transport literal']);
    expect(proven('var c = &http.Client{Transport: &http.Transport{}, Timeout: time.Second}\n\n' + stream).findings).toEqual([]);
    // Read in full: http-client-timeout adds a Timeout there, which bounds the handshake too.
    expect(proven('var c = &http.Client{Transport: &http.Transport{}}\n\nfunc f() {\n\tc.Head("http://x/")\n}\n').findings).toEqual([]);
  });
});
