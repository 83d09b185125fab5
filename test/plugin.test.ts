// Plugins end to end (src/run/plugins.ts, README "Plugins", docs/writing-a-rule.md): the
// example plugin rule examples/plugin-defer-lock/defer-lock.js loaded with --plugin and
// from gopitfix.json, through every mode (dry run, --write, --json, SARIF, -i), worker
// threads, the result cache, suppression and rule selection; and the ways a plugin can
// fail (exit 2 naming it when it cannot load, exit 3 for the file when its rule throws).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOST, ROOT, runCli, tempTrees, type Run } from './support/cli.js';
import { shq, tmuxServer } from './support/tmux.js';

const PLUGIN = join(ROOT, 'examples', 'plugin-defer-lock', 'defer-lock.js');
const tempDir = tempTrees('gopitfix-plugin-');

const LOCKS = `package p

import "sync"

type C struct {
	mu sync.Mutex
	rw sync.RWMutex
	n  int
}

func (c *C) Inc() {
	c.mu.Lock()
	defer c.mu.Lock()
	c.n++
}

func (c *C) Get() int {
	c.rw.RLock()
	defer c.rw.RLock()
	return c.n
}
`;
const LOCKS_FIXED = LOCKS.replace('defer c.mu.Lock()', 'defer c.mu.Unlock()').replace('defer c.rw.RLock()', 'defer c.rw.RUnlock()');

function usageError(r: Run, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('--plugin with the example rule', () => {
  it('dry run: the patch on stdout, the rule listed and selectable', () => {
    const dir = tempDir({ 'a.go': LOCKS });
    const r = runCli(dir, ['--plugin', PLUGIN, '--no-cache', '.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-\tdefer c.mu.Lock()\n+\tdefer c.mu.Unlock()\n');
    expect(r.stdout).toContain('-\tdefer c.rw.RLock()\n+\tdefer c.rw.RUnlock()\n');
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOCKS);
    const list = runCli(dir, ['--plugin', PLUGIN, '--list-rules']);
    expect(list.stdout).toMatch(/^defer-lock +on +/m);
    // Selected alone, or disabled.
    expect(runCli(dir, ['--plugin', PLUGIN, '--rules', 'defer-lock', '--check', '.']).code).toBe(1);
    expect(runCli(dir, ['--plugin', PLUGIN, '--disable', 'defer-lock', '--check', '.']).code).toBe(0);
    // Without the plugin the id is unknown.
    usageError(runCli(dir, ['--rules', 'defer-lock', '.']), /^gopitfix: --rules: unknown rule "defer-lock"/);
  });

  it('--write applies the fixes next to built-in rules; a second run changes nothing', () => {
    const dir = tempDir({ 'a.go': LOCKS, 'b.go': LOST });
    const r = runCli(dir, ['--plugin', PLUGIN, '--write', '--no-cache', '.']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOCKS_FIXED);
    expect(readFileSync(join(dir, 'b.go'), 'utf8')).toContain('defer cancel()');
    const again = runCli(dir, ['--plugin', PLUGIN, '--check', '--no-cache', '.']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('--json and SARIF carry the plugin rule like a built-in one', () => {
    const dir = tempDir({ 'a.go': LOCKS });
    const r = runCli(dir, ['--plugin', PLUGIN, '--json', '--no-cache', '.']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { findings: { rule: string; line: number; fix: { description: string; diff: string } | null }[] };
    expect(doc.findings.map((f) => [f.rule, f.line, f.fix?.description])).toEqual([
      ['defer-lock', 13, 'Defer c.mu.Unlock() instead of c.mu.Lock()'],
      ['defer-lock', 19, 'Defer c.rw.RUnlock() instead of c.rw.RLock()'],
    ]);
    expect(doc.findings[0].fix!.diff).toContain('+\tdefer c.mu.Unlock()');
    const s = runCli(dir, ['--plugin', PLUGIN, '--format', 'sarif', '--no-cache', '.']);
    const sarif = JSON.parse(s.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string }[] }[] };
    const described = sarif.runs[0].tool.driver.rules.find((x) => x.id === 'defer-lock') as { help: { text: string } } | undefined;
    expect(described?.help.text).toMatch(/^# defer-lock \(example plugin\)/);
    expect(sarif.runs[0].results.map((x) => x.ruleId)).toEqual(['defer-lock', 'defer-lock']);
  });

  it('suppression comments name plugin rules', () => {
    const dir = tempDir({ 'a.go': LOCKS.replace('\tdefer c.mu.Lock()\n', '\tdefer c.mu.Lock() //gopitfix:ignore defer-lock\n') });
    const r = runCli(dir, ['--plugin', PLUGIN, '--json', '--no-cache', '.']);
    const doc = JSON.parse(r.stdout) as { findings: { line: number }[] };
    expect(doc.findings.map((f) => f.line)).toEqual([19]);
    expect(r.stderr).not.toMatch(/unknown rule/);
  });

  it('worker threads load the plugin: --jobs 2 gives what --jobs 1 gives', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) files[`d${i}/a.go`] = LOCKS;
    const dir = tempDir(files);
    const one = runCli(dir, ['--plugin', PLUGIN, '--json', '--no-cache', '--jobs', '1', '.']);
    const two = runCli(dir, ['--plugin', PLUGIN, '--json', '--no-cache', '--jobs', '2', '.']);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect((JSON.parse(two.stdout) as { findings: unknown[] }).findings).toHaveLength(8);
  });
});

describe('plugins in gopitfix.json', () => {
  it('paths relative to the config file; the rule takes options validated by the schema', () => {
    const dir = tempDir({ 'sub/a.go': LOCKS });
    const rel = relative(dir, PLUGIN);
    writeFileSync(join(dir, 'gopitfix.json'), JSON.stringify({ plugins: [rel], rules: { 'defer-lock': { rlock: false } } }));
    // Run from the subdirectory: the plugin path is still relative to the config.
    const r = runCli(join(dir, 'sub'), ['--json', '--no-cache', '.']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { findings: { rule: string; line: number }[] };
    expect(doc.findings.map((f) => [f.rule, f.line])).toEqual([['defer-lock', 13]]);
    // --rules may name it: the config's plugins are loaded before rule ids are checked.
    expect(runCli(join(dir, 'sub'), ['--rules', 'defer-lock', '--check', '--no-cache', '.']).code).toBe(1);
    writeFileSync(join(dir, 'gopitfix.json'), JSON.stringify({ plugins: [rel], rules: { 'defer-lock': { rlock: 'yes' } } }));
    usageError(runCli(dir, ['.']), /^gopitfix: gopitfix\.json: \$\.rules\["defer-lock"\]\.rlock: /);
  });

  it('a nested gopitfix.json loads its plugins too', () => {
    const dir = tempDir({ 'x/y/a.go': LOCKS });
    writeFileSync(join(dir, 'x', 'y', 'gopitfix.json'), JSON.stringify({ plugins: [relative(join(dir, 'x', 'y'), PLUGIN)] }));
    const r = runCli(dir, ['--check', '--no-cache', '.']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^x\/y\/a\.go:13:2: defer-lock: /m);
  });
});

describe('plugin failures', () => {
  const RULE = (id: string, body = '') =>
    `export default { meta: { id: ${JSON.stringify(id)}, summary: 'test rule', defaultOn: true }, run(ctx) { ${body} } };\n`;

  it.each([
    ['a missing file', {}, 'nope.js', /^gopitfix: plugin nope\.js: cannot read it: no such file\n$/],
    ['a syntax error', { 'p.js': 'export default {{;\n' }, 'p.js', /^gopitfix: plugin p\.js: cannot load it: SyntaxError: /],
    ['an import that fails', { 'p.js': "import 'no-such-package-xyz';\nexport default {};\n" }, 'p.js', /^gopitfix: plugin p\.js: cannot load it: .*no-such-package-xyz/],
    ['no default export', { 'p.js': 'export const rule = 1;\n' }, 'p.js', /^gopitfix: plugin p\.js: no default export/],
    ['a rule without run', { 'p.js': "export default { meta: { id: 'x', summary: '', defaultOn: true } };\n" }, 'p.js', /^gopitfix: plugin p\.js: the rule: rule "x": run is not a function\n$/],
    ['a built-in rule id', { 'p.js': RULE('defer-cancel') }, 'p.js', /^gopitfix: plugin p\.js: rule id "defer-cancel" is already taken by a built-in rule\n$/],
    ['two rules with one id', { 'p.js': `export default [${RULE('x').slice(15, -2)}, ${RULE('x').slice(15, -2)}];\n` }, 'p.js', /^gopitfix: plugin p\.js: rule id "x" is already taken by another rule of this plugin\n$/],
    ['a trigger with the g flag', { 'p.js': "export default { meta: { id: 'x', summary: '', defaultOn: true, triggers: [/a/g] }, run() {} };\n" }, 'p.js', /^gopitfix: plugin p\.js: the rule: rule "x": meta\.triggers holds strings and regular expressions without the g or y flag \(got \/a\/g\)\n$/],
    ['a precedence cycle', { 'p.js': "export default [{ meta: { id: 'a', summary: '', defaultOn: true, after: ['b'] }, run() {} }, { meta: { id: 'b', summary: '', defaultOn: true, after: ['a'] }, run() {} }];\n" }, 'p.js', /^gopitfix: plugin p\.js: meta\.after\/meta\.before form a cycle among: a, b\n$/],
  ])('%s: exit 2, one line naming the plugin', (_what, files: Record<string, string>, plugin, re) => {
    const dir = tempDir({ 'a.go': LOST, ...files });
    usageError(runCli(dir, ['--plugin', plugin, '.']), re);
  });

  it('a plugin named by gopitfix.json that fails names the config too', () => {
    const dir = tempDir({ 'a.go': LOST, 'gopitfix.json': '{"plugins": ["rules/missing.js"]}' });
    usageError(runCli(dir, ['.']), /^gopitfix: plugin rules\/missing\.js \(from gopitfix\.json\): cannot read it: no such file\n$/);
  });

  it('a rule that throws is reported for that file (exit 3); other files and rules go on', () => {
    const dir = tempDir({
      'a.go': LOST,
      'b.go': 'package p\n\nfunc boom() {}\n',
      'p.js': RULE('boom', "if (ctx.source.includes('boom')) throw new Error('kaput'); "),
      'q.js': RULE('badfix', "for (const n of ctx.root.namedChildren) if (n.type === 'function_declaration' && ctx.source.includes('boom')) ctx.report({ node: n, message: 'm', fix: { description: 'd', edits: [{ start: 5, end: 1, text: '' }] } }); "),
      'r.js': RULE('later', 'return Promise.resolve();'),
      's.js': `let kept = null;\n${RULE('keep', "if (kept) ctx.report({ node: kept, message: 'm' }); kept = ctx.root;")}`,
    });
    const r = runCli(dir, ['--plugin', 'p.js', '--plugin', 'q.js', '--plugin', 'r.js', '--plugin', 's.js', '--write', '--no-cache', '--jobs', '1', '.']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^gopitfix: b\.go: internal error in rule .*boom: kaput/m);
    expect(r.stderr).toMatch(/badfix: report\(\): invalid edit/);
    expect(r.stderr).toMatch(/later: run\(\) returned a Promise/);
    expect(r.stderr).toMatch(/keep: report\(\): finding\.node is not a node of this file's tree/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The built-in rule still fixed a.go.
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toContain('defer cancel()');
  });
});

describe('the result cache covers plugin code', () => {
  it('a changed plugin file is not served from the cache', () => {
    const dir = tempDir({ 'a.go': 'package p\n\nfunc f() {}\n' });
    const cache = join(dir, '.cache');
    const plugin = (msg: string) =>
      `export default { meta: { id: 'mark', summary: 's', defaultOn: true }, run(ctx) { for (const n of ctx.root.namedChildren) if (n.type === 'function_declaration') ctx.report({ node: n, message: ${JSON.stringify(msg)} }); } };\n`;
    writeFileSync(join(dir, 'p.js'), plugin('first'));
    // Left alone long enough for the stat index to trust a.go (not racy: see RACY_MS), so
    // the second and third runs take the index's path, which must cover plugin code too.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    const run = () => runCli(dir, ['--plugin', 'p.js', '--rules', 'mark', '--cache-dir', cache, '--check', 'a.go']);
    expect(run().stdout).toContain('mark: first');
    expect(run().stdout).toContain('mark: first');
    writeFileSync(join(dir, 'p.js'), plugin('second'));
    expect(run().stdout).toContain('mark: second');
  });
});

describe('-i with a plugin rule', () => {
  const { Terminal, tmux } = tmuxServer('plugin');
  it('proposes the plugin fix and writes what was accepted', async () => {
    const dir = tempDir({ 'go.mod': 'module example.com/a\n\ngo 1.25\n', 'a.go': LOCKS });
    const t = new Terminal(dir, `node ${shq(join(ROOT, 'bin', 'gopitfix.js'))} -i --plugin ${shq(PLUGIN)} --rules defer-lock .`, dir);
    const question = (k: number) =>
      t.waitFor((s) => s.includes(`[${k}/2] defer-lock  a.go:`) && /Apply this change \[y,n,a,d,A,e,q,\?\]\?$/.test(s.trimEnd()), `question ${k}`);
    await question(1);
    tmux('send-keys', '-t', t.name, '-l', 'y');
    await question(2);
    tmux('send-keys', '-t', t.name, '-l', 'n');
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    expect(screen).toContain('applied 1 fix, skipped 1; wrote 1 file');
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(LOCKS.replace('defer c.mu.Lock()', 'defer c.mu.Unlock()'));
  }, 90_000);
});
