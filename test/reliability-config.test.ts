// Issue 16 #7 and #8: odd configuration files and values. Each is one line on stderr and
// exit 2 naming the file (and the key), never a hang, a trace or code that does not compile.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTrees } from './support/cli.js';

// A client whose one request is visible, has no deadline and is read in full: http-client-timeout reports it.
const SRC = `package p

import "net/http"

var client = &http.Client{}

func status(u string) (int, error) {
	resp, err := client.Get(u)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
`;
const temp = tempTrees('gopitfix-cfg-');
const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('config files that are not regular files', () => {
  it('a FIFO named gopitfix.json, found by lookup or given with --config, is refused at once', (ctx) => {
    const dir = temp({ 'a.go': SRC });
    const fifo = join(dir, 'gopitfix.json');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return ctx.skip(); // no mkfifo here
    for (const args of [['a.go'], ['--config', 'gopitfix.json', 'a.go']]) {
      const r = runCli(dir, args, { timeout: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('gopitfix: gopitfix.json: cannot read config: it is a FIFO, not a regular file\n');
    }
  });

  it('a device (/dev/zero) is refused without reading it', () => {
    const dir = temp({ 'a.go': SRC });
    const r = runCli(dir, ['--config', '/dev/zero', 'a.go'], { timeout: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gopitfix: (\.\.\/)*\/?dev\/zero: cannot read config: it is a device, not a regular file\n$/);
  });

  it('an oversized or deeply nested file is one line', () => {
    const dir = temp({ 'a.go': SRC, 'big.json': `{"exclude": ["${'x'.repeat(2 * 1024 * 1024)}"]}`, 'deep.json': '['.repeat(400_000) + ']'.repeat(400_000) });
    const big = runCli(dir, ['--config', 'big.json', 'a.go']);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/^gopitfix: big\.json: cannot read config: \d+ bytes is over the limit of 1048576\n$/);
    const deep = runCli(dir, ['--config', 'deep.json', 'a.go']);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toBe('gopitfix: deep.json: nested more than 64 levels deep\n');
  });
});

describe('values that are checked, naming the key', () => {
  it.each([
    ['an invalid glob range', { exclude: ['ok/**', '[z-a]'] }, /^gopitfix: gopitfix\.json: \$\.exclude\[1\]: invalid glob "\[z-a\]": Range out of order in character class\n$/],
    ['an unclosed bracket', { exclude: ['[abc'] }, /^gopitfix: gopitfix\.json: \$\.exclude\[0\]: invalid glob "\[abc": Missing closing: "\]"/],
    [
      'a duration over time.Duration',
      { rules: { 'http-client-timeout': { timeout: '99999999999999999999h' } } },
      /^gopitfix: gopitfix\.json: \$\.rules\["http-client-timeout"\]\.timeout: expected a Go duration like "30s" or "1m30s", got "99999999999999999999h": over the largest time\.Duration/,
    ],
    [
      'an integer no Go int holds',
      { rules: { 'tune-http-transport': { maxIdleConnsPerHost: 1e308 } } },
      /^gopitfix: gopitfix\.json: \$\.rules\["tune-http-transport"\]\.maxIdleConnsPerHost: expected an integer >= 0 and <= 2147483647, got 1e\+308\n$/,
    ],
    [
      'an integer above MaxInt32',
      { rules: { 'tune-http-transport': { maxIdleConns: 4294967296 } } },
      /\$\.rules\["tune-http-transport"\]\.maxIdleConns: expected an integer >= 0 and <= 2147483647, got 4294967296\n$/,
    ],
  ])('%s', (_name, config, want) => {
    const dir = temp({ 'a.go': SRC, 'gopitfix.json': JSON.stringify(config) });
    const r = runCli(dir, ['a.go']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it('--exclude with an invalid glob is a usage error naming the flag', () => {
    const dir = temp({ 'a.go': SRC });
    const r = runCli(dir, ['--exclude', '[z-a]', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gopitfix: --exclude: invalid glob "[z-a]": Range out of order in character class\n');
  });

  it('globs keep their meaning: ** across directories, a bare name at any depth, [!x] negation, a directory excludes below it', () => {
    const dir = temp({
      'a.go': SRC,
      'gen/x/b.go': SRC,
      'deep/c_mock.go': SRC,
      'k/d.go': SRC,
      'k/e.go': SRC,
      'gopitfix.json': JSON.stringify({ exclude: ['gen', '*_mock.go', 'k/[!d].go'] }),
    });
    const r = runCli(dir, ['--check', '.']);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(['a.go', 'k/d.go']);
  });
});
