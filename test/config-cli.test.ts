// gopitfix.json through the built CLI (`node bin/gopitfix.js`): nearest-config lookup
// per file, --config, rules on/off/options, exclude, go, and exit 2 on a bad config.
// `npm test` builds dist/ first.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTrees } from './support/cli.js';


// Fixable by both HTTP rules: a Timeout for client (read in full), a handshake bound for
// the transport of events (a stream).
const CLIENT = `package p

import "net/http"

var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func Ping(u string) error {
	resp, err := client.Head(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

var events = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func Events(u string) (*http.Response, error) {
	return events.Get(u)
}
`;

/** A temp tree; a `.git/` entry makes its root a repository root. */
const tree = tempTrees('gopitfix-config-cli-');
const run = (cwd: string, args: string[]) => runCli(cwd, args);

/** `rule` of each `path:line:col: rule: message` line. */
function rulesIn(check: string): string[] {
  return check
    .split('\n')
    .filter(Boolean)
    .map((l) => `${l.split(':')[0]} ${l.split(': ')[1]}`);
}

describe('gopitfix.json in the CLI', () => {
  it('turns a rule off and passes options, from the nearest file', () => {
    const dir = tree({
      '.git/': '',
      'gopitfix.json': JSON.stringify({ rules: { 'tune-http-transport': 'off', 'http-client-timeout': { timeout: '10s' } } }),
      'a/x.go': CLIENT,
      'b/gopitfix.json': JSON.stringify({ rules: { 'http-client-timeout': 'off' } }),
      'b/y.go': CLIENT,
    });
    const r = run(dir, ['--check', '--rules', 'tune-http-transport,http-client-timeout', '--disable', 'tune-http-transport', './...']);
    // --rules names both, --disable removes one: the command line wins over the files.
    expect(rulesIn(r.stdout)).toEqual(['a/x.go http-client-timeout', 'b/y.go http-client-timeout']);

    const d = run(dir, ['./...']);
    expect(d.code).toBe(0);
    // a/: the root config (transport off, 10s timeout). b/: its own config only (nearest wins, no merging).
    expect(d.stdout).toContain('+var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}');
    expect(d.stdout).toMatch(/\+\+\+ b\/b\/y\.go[\s\S]*\+\tTLSHandshakeTimeout: 10 \* time\.Second,/);
    expect(d.stdout).not.toMatch(/\+\+\+ b\/b\/y\.go[\s\S]*Timeout: 30/);
  });

  it('uses --config FILE for every file instead of the lookup', () => {
    const dir = tree({
      '.git/': '',
      'gopitfix.json': JSON.stringify({ rules: { 'http-client-timeout': 'off' } }),
      'conf/strict.json': JSON.stringify({ rules: { 'tune-http-transport': 'off', 'http-client-timeout': { timeout: '5s' } } }),
      'x.go': CLIENT,
    });
    const r = run(dir, ['--config', 'conf/strict.json', '--check', '.']);
    expect(r.code).toBe(1);
    expect(rulesIn(r.stdout)).toEqual(['x.go http-client-timeout']);
    expect(r.stdout).toContain('Timeout: 5 * time.Second');
  });

  it('excludes files matching `exclude` in a walk, but not files named explicitly', () => {
    const dir = tree({
      '.git/': '',
      'gopitfix.json': JSON.stringify({ exclude: ['gen/**', '*_mock.go'] }),
      'gen/api.go': CLIENT,
      'store_mock.go': CLIENT,
      'main.go': CLIENT,
    });
    const r = run(dir, ['--check', '--rules', 'http-client-timeout', '.']);
    expect(rulesIn(r.stdout)).toEqual(['main.go http-client-timeout']);
    const e = run(dir, ['--check', '--rules', 'http-client-timeout', 'gen/api.go']);
    expect(rulesIn(e.stdout)).toEqual(['gen/api.go http-client-timeout']);
  });

  it('applies `go`, and --go wins over it', () => {
    const dir = tree({ '.git/': '', 'gopitfix.json': JSON.stringify({ go: '1.12' }), 'x.go': CLIENT });
    // tune-http-transport needs Go 1.13 (Transport.Clone, ForceAttemptHTTP2).
    expect(rulesIn(run(dir, ['--check', '.']).stdout)).toEqual(['x.go http-client-timeout']);
    expect(rulesIn(run(dir, ['--check', '--go', '1.21', '.']).stdout)).toEqual(['x.go http-client-timeout', 'x.go tune-http-transport']);
  });

  it('ignores a config above the repository root', () => {
    const dir = tree({
      'gopitfix.json': JSON.stringify({ rules: { 'http-client-timeout': 'off' } }),
      'repo/.git/': '',
      'repo/x.go': CLIENT,
    });
    const r = run(join(dir, 'repo'), ['--check', '.']);
    expect(rulesIn(r.stdout)).toEqual(['x.go http-client-timeout', 'x.go tune-http-transport']);
  });

  it('exits 2 on an invalid config with the file, the JSON path and what was expected; nothing is written', () => {
    const dir = tree({
      '.git/': '',
      'sub/gopitfix.json': '{\n  "rules": { "http-client-timeout": { "timeout": 30 } }\n}\n',
      'sub/x.go': CLIENT,
      'y.go': CLIENT,
    });
    const r = run(dir, ['--write', '.']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'gopitfix: sub/gopitfix.json: $.rules["http-client-timeout"].timeout: expected a Go duration like "30s" or "1m30s", got 30\n',
    );
    expect(readFileSync(join(dir, 'y.go'), 'utf8')).toBe(CLIENT);

    writeFileSync(join(dir, 'sub', 'gopitfix.json'), '{"rules": {"no-such-rule": "on"}}');
    const u = run(dir, ['.']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^gopitfix: sub\/gopitfix\.json: \$\.rules\["no-such-rule"\]: unknown rule "no-such-rule" \(known rules: [a-z, -]+\)\n$/);

    writeFileSync(join(dir, 'sub', 'gopitfix.json'), '{"rules": {}, "exlude": []}');
    expect(run(dir, ['.']).stderr).toBe('gopitfix: sub/gopitfix.json: $.exlude: unknown key "exlude" (expected one of: $schema, rules, exclude, go, tests, plugins)\n');

    writeFileSync(join(dir, 'sub', 'gopitfix.json'), '{"rules": {,}}');
    expect(run(dir, ['.']).stderr).toMatch(/^gopitfix: sub\/gopitfix\.json: invalid JSON: .* at line 1, column 12\n$/);
  });

  it('exits 2 when --config names a missing file', () => {
    const dir = tree({ 'x.go': CLIENT });
    const r = run(dir, ['--config', 'nope.json', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: nope.json: cannot read config: no such file\n');
    expect(run(dir, ['--config=', '.']).stderr).toBe('gopitfix: --config: expected a file name\n');
  });
});
