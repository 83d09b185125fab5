// close-resp-body: messages of findings without a fix, the reportReadToEOF option, and
// the receivers it proves (or refuses) to be an *http.Client.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';

beforeAll(initEngine);

function run(body: string, options: Record<string, unknown> = {}, imports = '"io"\n"net/http"\n"net/http/httptest"') {
  const source = `package p\n\nimport (\n\t${imports.split('\n').join('\n\t')}\n)\n\n${body}`;
  const r = processFile(
    { absPath: '/virtual/p/x.go', displayPath: 'x.go', source, goVersion: null, packageFiles: () => [] },
    { rules: [findRule('close-resp-body')!], ruleOptions: { 'close-resp-body': options } },
  );
  expect(r.ruleErrors).toEqual([]);
  return r;
}

const check = (call: string, rest = '\treturn resp.StatusCode\n') =>
  `func f(u string, c *http.Client, s *httptest.Server, req *http.Request) int {\n\tresp, err := ${call}\n\tif err != nil {\n\t\treturn 0\n\t}\n${rest}}\n`;

describe('close-resp-body', () => {
  it('fixes calls on proven clients', () => {
    for (const call of ['http.Get(u)', 'http.Post(u, "", nil)', 'http.PostForm(u, nil)', 'c.Do(req)', 'http.DefaultClient.Get(u)', '(*http.DefaultClient).Get(u)', 's.Client().Get(u)', '(&http.Client{}).Do(req)']) {
      const r = run(check(call));
      expect(r.findings.length, call).toBe(1);
      expect(r.findings[0].fix, call).not.toBeNull();
    }
  });

  it('ignores receivers it cannot prove and HEAD requests', () => {
    const src =
      'type doer interface{ Do(*http.Request) (*http.Response, error) }\n\n' +
      'func g(d doer, req *http.Request, u string) int {\n\tresp, err := d.Do(req)\n\tif err != nil {\n\t\treturn 0\n\t}\n\tres, err := http.Head(u)\n\tif err != nil {\n\t\treturn 0\n\t}\n\treturn resp.StatusCode + res.StatusCode\n}\n';
    expect(run(src).findings).toEqual([]);
  });

  it('says why there is no fix', () => {
    const loop = 'func f(us []string) {\n\tfor _, u := range us {\n\t\tresp, err := http.Get(u)\n\t\tif err != nil {\n\t\t\tcontinue\n\t\t}\n\t\tif resp.StatusCode == 200 {\n\t\t\treturn\n\t\t}\n\t}\n}\n';
    expect(run(loop).findings[0].noFixReason).toMatch(/^the call is inside a loop, where a deferred close would run only when the function returns/);
    // Straight-line code after the check: closed at the end of the iteration.
    const straight = loop.replace('\t\t\treturn\n', '\t\t\tprintln(u)\n');
    expect(run(straight).findings[0].fix?.description).toBe('Close resp.Body at the end of the loop iteration');
    const returned = check('c.Do(req)', '\tif resp.StatusCode != 200 {\n\t\treturn 0\n\t}\n\tkeep(resp)\n\treturn 1\n}\n\nfunc keep(*http.Response) {\n');
    expect(run(returned).findings[0].noFixReason).toMatch(/^resp is passed to keep, which may close or keep its body; close the body on the other paths/);
  });

  it('reports bodies read to EOF without a fix, unless reportReadToEOF is false', () => {
    const src = check('http.Get(u)', '\tb, _ := io.ReadAll(resp.Body)\n\treturn len(b)\n');
    const r = run(src);
    expect(r.findings.map((f) => [f.fix, /read to the end but never closed/.test(f.message)])).toEqual([[null, true]]);
    expect(run(src, { reportReadToEOF: false }).findings).toEqual([]);
  });
});
