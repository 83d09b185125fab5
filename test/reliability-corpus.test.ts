// Issue 9, engine side: the safety properties over real Go code (the Go 1.19 standard
// library, Debian's golang-1.19-src), every registered rule on every sampled file. The
// full tree is `npm run verify:corpus`; here a fixed deterministic sample keeps npm test short.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import type { EngineOptions, FileResult } from '../src/engine/api.js';
import { allRules } from '../transforms/index.js';
import { formatReport, listGoFiles, sampleFiles, verifyFiles } from '../src/verify/corpus.js';
import { gofmtAvailable, gofmtBatch } from '../src/verify/gofmt.js';
import { checkResult } from '../src/verify/properties.js';

const CORPUS = '/usr/share/go-1.19/src';
const HAVE_CORPUS = existsSync(CORPUS);

// Files where the rules registered when this was written find something (most of the
// stdlib is clean). They keep the sample exercising real fixes; the stride part of the
// sample and verify:corpus cover everything else, including rules added later.
const KNOWN_FINDINGS = [
  'cmd/compile/internal/noder/lex_test.go',
  'cmd/go/internal/web/http.go',
  'cmd/pprof/pprof.go',
  'cmd/vendor/github.com/google/pprof/internal/symbolizer/symbolizer.go',
  'cmd/vendor/github.com/google/pprof/internal/transport/transport.go',
  'cmd/vet/testdata/httpresponse/httpresponse.go',
  'cmd/vet/testdata/lostcancel/lostcancel.go',
  'cmd/vet/testdata/rangeloop/rangeloop.go',
  'crypto/tls/example_test.go',
  'crypto/tls/handshake_client_test.go',
  'crypto/tls/handshake_server_test.go',
  'encoding/base32/base32_test.go',
  'encoding/json/stream_test.go',
  'net/conf_test.go',
  'net/dnsconfig_unix_test.go',
  'net/http/client_test.go',
  'net/http/cookiejar/example_test.go',
  'net/http/example_test.go',
  'net/http/httptest/example_test.go',
  'net/http/httptest/server.go',
  'net/http/httptest/server_test.go',
  'net/http/httputil/dump.go',
  'net/http/httputil/example_test.go',
  'net/http/httputil/reverseproxy_test.go',
  'net/http/pprof/pprof_test.go',
  'net/tcpsock_test.go',
  'net/timeout_test.go',
  'os/exec/exec_test.go',
  'os/os_windows_test.go',
  'os/timeout_test.go',
  'runtime/chan_test.go',
  'runtime/map_test.go',
  'runtime/mfinal_test.go',
  'runtime/proc_test.go',
  'runtime/race/testdata/io_test.go',
  'runtime/race/testdata/mop_test.go',
  'runtime/race/testdata/waitgroup_test.go',
  'strings/builder_test.go',
  'sync/atomic/atomic_test.go',
  'sync/atomic/value_test.go',
  'time/genzabbrs.go',
  'time/sleep_test.go',
];

const engine = (): EngineOptions => ({ rules: allRules, prefilter: false });

beforeAll(async () => {
  await initEngine();
});

describe.skipIf(!HAVE_CORPUS)('corpus property test (Go 1.19 stdlib sample)', () => {
  it('every sampled file through every rule: no exception, no new syntax error, gofmt accepts, idempotent, bytes outside the edits untouched', () => {
    const all = listGoFiles(CORPUS);
    const known = KNOWN_FINDINGS.map((f) => join(CORPUS, f)).filter((f) => existsSync(f));
    const rest = sampleFiles(all.filter((f) => !known.includes(f)), 300 - known.length);
    const files = [...new Set([...known, ...rest])].sort();
    const report = verifyFiles(files, { root: CORPUS });
    console.log(formatReport(report));
    expect(report.files).toBeGreaterThanOrEqual(290);
    // The sample must exercise fixes and syntax-error files, or it proves little.
    // (8: the precision work on the send, HTTP and loop-variable rules left fewer stdlib fixes.)
    expect(report.changed).toBeGreaterThanOrEqual(8);
    expect(report.filesWithSyntaxErrors).toBeGreaterThan(0);
    if (gofmtAvailable()) expect(report.gofmtChecked).toBe(report.changed);
    expect(report.failures).toEqual([]);
  });

  it('the changed files with CRLF line endings, a BOM, trailing blanks and no final newline keep all of it', () => {
    const variants: { name: string; make(s: string): string }[] = [
      { name: 'trailing-blanks', make: (s) => s.replace(/\n/g, ' \t\n') },
      { name: 'crlf+bom+no-final-newline', make: (s) => '\uFEFF' + s.replace(/\n+$/, '').replace(/\n/g, '\r\n') },
    ];
    let checked = 0;
    let changed = 0;
    const failures: string[] = [];
    for (const rel of KNOWN_FINDINGS) {
      const abs = join(CORPUS, rel);
      if (!existsSync(abs)) continue;
      const original = readFileSync(abs, 'utf8');
      for (const v of variants) {
        const source = v.make(original);
        const r = processFile({ absPath: abs, displayPath: `${rel} (${v.name})`, source }, engine());
        checked++;
        if (!r.changed) continue;
        changed++;
        for (const p of checkResult(r, { engine: engine() })) failures.push(`${p.file}: ${p.kind}: ${p.detail}`);
        // Independently of the checker: the variant's marks survive. (Trailing blanks are
        // the checker's business: a fix may rewrite a line, but only inside its edits.)
        if (v.name.startsWith('crlf') && /(^|[^\r])\n/.test(r.output)) failures.push(`${rel} (${v.name}): a bare LF appeared`);
        if (v.name.includes('bom') && !r.output.startsWith('\uFEFF')) failures.push(`${rel} (${v.name}): BOM lost`);
        if (v.name.includes('no-final-newline') && /\n$/.test(r.output)) failures.push(`${rel} (${v.name}): a final newline appeared`);
      }
    }
    console.log(`line-ending/BOM/whitespace variants: ${checked} files checked, ${changed} changed, failures: ${failures.length}`);
    expect(changed).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});

describe('the checker catches what it must (so the properties above can fail)', () => {
  const SRC = `package p

import (
	"context"
	"time"
)

// keep me
func f(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx.Err()
}
`;
  const fixed = (src = SRC): FileResult => processFile({ absPath: '/nonexistent/p/a.go', displayPath: 'a.go', source: src }, engine());

  it('a clean fix passes', () => {
    const r = fixed();
    expect(r.changed).toBe(true);
    expect(checkResult(r, { engine: engine() })).toEqual([]);
  });

  it('a byte changed outside every edit', () => {
    const r = fixed();
    const kinds = checkResult({ ...r, output: r.output.replace('keep me', 'keep me!') }, { engine: engine() }).map((p) => p.kind);
    expect(kinds).toContain('edit-outside-fix');
  });

  it('lost CRLF, lost BOM, a new syntax error, a non-idempotent result', () => {
    const crlf = fixed('\uFEFF' + SRC.replace(/\n/g, '\r\n'));
    const kinds = (output: string) => checkResult({ ...crlf, output }, { engine: engine() }).map((p) => p.kind);
    expect(kinds(crlf.output.replace(/\r\n/g, '\n'))).toContain('line-endings');
    expect(kinds(crlf.output.slice(1))).toContain('bom');
    const r = fixed();
    const broken = r.output.replace('\treturn ctx.Err()', '\treturn ctx.Err(');
    expect(checkResult({ ...r, output: broken }, { engine: engine() }).map((p) => p.kind)).toContain('new-syntax-error');
    // Claim the original as output: the second run then finds the same fix again.
    const fake = { ...r, output: r.output.replace('\tdefer cancel()\n', '') };
    expect(checkResult(fake, { engine: engine() }).map((p) => p.kind)).toContain('not-idempotent');
  });

  it.skipIf(!gofmtAvailable())('gofmt verdicts: parses, formatted, broken', () => {
    const [ok, ugly, broken] = gofmtBatch(['package p\n', 'package p\nfunc  f() {}\n', 'package p\nfunc (\n']);
    expect(ok).toEqual({ parses: true, formatted: true });
    expect(ugly).toEqual({ parses: true, formatted: false });
    expect(broken.parses).toBe(false);
  });
});
