// Runtime proof for tune-http-transport (issue 13): the fix never changes how a
// transport negotiates or routes. test/testdata/http-transport/before holds transport
// literals of every shape net/http negotiates differently (bare, custom TLS config,
// dialer, TLS dialer, empty TLSNextProto, forced HTTP/2, own proxy, keep-alives off, a
// shared *tls.Config); the rule rewrites a copy into after/, and one `go test` compares
// both against an HTTP/2-capable httptest TLS server: same negotiated protocol, same
// proxy function and answer, every field equal except the bounds the rule adds, and
// the shared *tls.Config left untouched. Skipped without Go.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';
import { REPO, gofmtUnclean, haveGo } from './harness.js';
import { goEnv } from './support/gotest.js';

const SRC = join(REPO, 'test', 'testdata', 'http-transport');

beforeAll(initEngine);

describe.runIf(haveGo())('tune-http-transport keeps protocol and proxy, proven at run time', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('negotiates the same protocol through the same proxy before and after the fix', () => {
    dir = mkdtempSync(join(tmpdir(), 'gopitfix-http-'));
    cpSync(SRC, dir, { recursive: true });
    const file = join(dir, 'before', 'transports.go');
    const source = readFileSync(file, 'utf8');
    const r = processFile(
      { absPath: file, displayPath: 'before/transports.go', source, goVersion: null, packageFiles: () => [] },
      // The widest scope: every bound the rule can add, on every long-lived transport.
      { rules: [findRule('tune-http-transport')!], ruleOptions: { 'tune-http-transport': { scope: 'long-lived' } } },
    );
    expect(r.ruleErrors).toEqual([]);
    // Every transport here is long-lived (returned or package-level) and lacks a bound.
    expect(r.findings.filter((f) => f.fix)).toHaveLength(10);
    mkdirSync(join(dir, 'after'));
    writeFileSync(join(dir, 'after', 'transports.go'), r.output);
    expect(gofmtUnclean([join(dir, 'after', 'transports.go')])).toEqual([]);

    const t = spawnSync('go', ['test', '-count=1', '-v', '.'], { cwd: dir, env: goEnv, encoding: 'utf8', timeout: 300_000 });
    const out = `${t.stdout}${t.stderr}`;
    expect(t.status, out).toBe(0);
    const results = Object.fromEntries(
      out
        .split('\n')
        .filter((l) => l.startsWith('RESULT '))
        .map((l) => {
          const [, name, ...kv] = l.split(' ');
          return [name, Object.fromEntries(kv.map((p) => p.split('=')))];
        }),
    );
    // What net/http negotiates for each shape, unchanged by the fix.
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.proto]))).toEqual({
      Bare: 'HTTP/2.0|HTTP/2.0',
      WithTLS: 'HTTP/1.1|HTTP/1.1',
      WithDialer: 'HTTP/1.1|HTTP/1.1',
      WithTLSDialer: 'HTTP/1.1|HTTP/1.1',
      HTTP1Only: 'HTTP/1.1|HTTP/1.1',
      Forced: 'HTTP/2.0|HTTP/2.0',
      Proxied: '(proxied)|(proxied)',
      OneShot: 'HTTP/2.0|HTTP/2.0',
      SharedA: 'HTTP/1.1|HTTP/1.1',
      SharedB: 'HTTP/1.1|HTTP/1.1',
    });
    // The bounds added: the pool only with keep-alives on and no explicit pool; no
    // handshake timeout where the transport's own TLS dialer does the handshake.
    expect(results.Bare).toMatchObject({ perhost: '0|100', idle: '0s|1m30s', tls: '0s|10s' });
    expect(results.WithTLSDialer).toMatchObject({ perhost: '0|100', idle: '0s|1m30s', tls: '0s|0s' });
    expect(results.Proxied).toMatchObject({ perhost: '0|0', idle: '0s|1m30s', tls: '0s|10s' });
    expect(results.OneShot).toMatchObject({ perhost: '0|0', idle: '0s|0s', tls: '0s|10s' });
  });
});
