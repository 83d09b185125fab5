// gopitfix.json: lookup, validation messages (file, JSON path, what was expected),
// rule selection and options, exclude globs, and the shipped JSON Schema.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  ConfigError,
  ConfigResolver,
  configSchema,
  findConfigFile,
  globMatches,
  isExcluded,
  loadConfig,
  parseConfig,
  ruleOptions,
  selectRules,
  validateSchema,
} from '../src/run/config.js';
import { allRules } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';

const SCHEMA_FILE = resolve(import.meta.dirname, '..', 'schema', 'gopitfix.schema.json');

function fakeRule(id: string, defaultOn: boolean, options?: Rule['meta']['options']): Rule {
  return { meta: { id, summary: id, defaultOn, docPath: `transforms/${id}/README.md`, ...(options ? { options } : {}) }, run() {} };
}

const REGISTRY = [
  fakeRule('alpha', true),
  fakeRule('beta', false, {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1 },
      wait: { type: 'string', pattern: '^[0-9]+s$', title: 'a duration like "5s"' },
      loud: { type: 'boolean' },
    },
  }),
  fakeRule('gamma', true),
];

function errorOf(text: string, registry: readonly Rule[] = REGISTRY): ConfigError {
  try {
    parseConfig(text, '/repo/gopitfix.json', registry);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts every key', () => {
    const c = parseConfig(
      JSON.stringify({ $schema: './schema.json', rules: { alpha: 'off', beta: { limit: 3 }, gamma: 'on' }, exclude: ['gen/**'], go: '1.21' }),
      '/repo/gopitfix.json',
      REGISTRY,
    );
    expect(c.rules).toEqual({ alpha: 'off', beta: { limit: 3 }, gamma: 'on' });
    expect(c.exclude).toEqual(['gen/**']);
    expect(c.go).toEqual({ major: 1, minor: 21 });
    expect(c.dir).toBe('/repo');
  });

  it('accepts an empty object and a BOM', () => {
    const c = parseConfig('\ufeff{}', '/repo/gopitfix.json', REGISTRY);
    expect(c.rules).toEqual({});
    expect(c.exclude).toEqual([]);
    expect(c.go).toBeNull();
  });

  it.each([
    ['{"rule": {}}', '$.rule', 'unknown key "rule" (expected one of: $schema, rules, exclude, go, tests, plugins)'],
    ['{"rules": []}', '$.rules', 'expected an object, got []'],
    ['{"rules": {"delta": "on"}}', '$.rules.delta', 'unknown rule "delta" (known rules: alpha, beta, gamma)'],
    ['{"rules": {"defer-x": "on"}}', '$.rules["defer-x"]', 'unknown rule "defer-x"'],
    ['{"rules": {"alpha": "enabled"}}', '$.rules.alpha', 'expected "on", "off" or an options object, got "enabled"'],
    ['{"rules": {"alpha": true}}', '$.rules.alpha', 'expected "on", "off" or an options object, got true'],
    ['{"rules": {"alpha": {"x": 1}}}', '$.rules.alpha.x', 'unknown option "x" (this rule takes no options)'],
    ['{"rules": {"beta": {"limit": 0}}}', '$.rules.beta.limit', 'expected an integer >= 1, got 0'],
    ['{"rules": {"beta": {"limit": 1.5}}}', '$.rules.beta.limit', 'expected an integer >= 1, got 1.5'],
    ['{"rules": {"beta": {"wait": "5m"}}}', '$.rules.beta.wait', 'expected a duration like "5s", got "5m"'],
    ['{"rules": {"beta": {"loud": "yes"}}}', '$.rules.beta.loud', 'expected true or false, got "yes"'],
    ['{"rules": {"beta": {"limits": 2}}}', '$.rules.beta.limits', 'unknown option "limits" (expected one of: limit, wait, loud)'],
    ['{"exclude": "gen"}', '$.exclude', 'expected an array (each item a glob pattern'],
    ['{"exclude": ["ok", 3]}', '$.exclude[1]', 'expected a glob pattern'],
    ['{"exclude": ["!keep.go"]}', '$.exclude[0]', '"!" negation is not supported'],
    ['{"go": 1.21}', '$.go', 'expected a Go version like "1.21", got 1.21'],
    ['{"go": "2.0"}', '$.go', 'expected a Go version like "1.21", got "2.0"'],
    ['[]', '$', 'expected an object, got []'],
  ])('rejects %s at %s', (text, path, detail) => {
    const e = errorOf(text);
    expect(e.file).toBe('/repo/gopitfix.json');
    expect(e.jsonPath).toBe(path);
    expect(e.detail).toContain(detail);
    expect(e.message).toBe(`/repo/gopitfix.json: ${path}: ${e.detail}`);
    expect(e.message).not.toContain('\n');
  });

  it('reports invalid JSON with a line and column', () => {
    const e = errorOf('{\n  "rules": {\n    "alpha": "on",\n  }\n}');
    expect(e.jsonPath).toBe('');
    expect(e.message).toMatch(/^\/repo\/gopitfix\.json: invalid JSON: .* at line 4, column 3$/);
    expect(errorOf('').message).toBe('/repo/gopitfix.json: invalid JSON: the file is empty');
  });

  it('validates the real rules’ options', () => {
    expect(() => parseConfig('{"rules": {"tune-http-transport": {"maxIdleConnsPerHost": 64, "idleConnTimeout": "2m"}}}', 'c.json')).not.toThrow();
    expect(errorOf('{"rules": {"tune-http-transport": {"idleConnTimeout": 90}}}', allRules).message).toBe(
      'c.json'.replace('c.json', '/repo/gopitfix.json') +
        ': $.rules["tune-http-transport"].idleConnTimeout: expected a Go duration like "90s" or "1m30s", got 90',
    );
    expect(errorOf('{"rules": {"http-client-timeout": {"timeout": "30 seconds"}}}', allRules).jsonPath).toBe(
      '$.rules["http-client-timeout"].timeout',
    );
  });
});

describe('lookup', () => {
  const root = mkdtempSync(join(tmpdir(), 'gopitfix-config-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // root/gopitfix.json        (outside the repository: never reached from inside it)
  // root/repo/.git/
  // root/repo/gopitfix.json
  // root/repo/a/b/x.go
  // root/repo/sub/gopitfix.json
  // root/repo/sub/y.go
  // root/plain/z.go           (no .git above: walks to root/gopitfix.json)
  writeFileSync(join(root, 'gopitfix.json'), '{"go": "1.18"}');
  mkdirSync(join(root, 'repo', '.git'), { recursive: true });
  mkdirSync(join(root, 'repo', 'a', 'b'), { recursive: true });
  mkdirSync(join(root, 'repo', 'sub'), { recursive: true });
  mkdirSync(join(root, 'plain'), { recursive: true });
  writeFileSync(join(root, 'repo', 'gopitfix.json'), '{"go": "1.20"}');
  writeFileSync(join(root, 'repo', 'sub', 'gopitfix.json'), '{"go": "1.22"}');
  for (const f of ['repo/a/b/x.go', 'repo/sub/y.go', 'plain/z.go']) writeFileSync(join(root, f), 'package p\n');

  it('finds the nearest file walking up', () => {
    expect(findConfigFile(join(root, 'repo', 'a', 'b', 'x.go'))).toBe(join(root, 'repo', 'gopitfix.json'));
    expect(findConfigFile(join(root, 'repo', 'a', 'b'))).toBe(join(root, 'repo', 'gopitfix.json'));
    expect(findConfigFile(join(root, 'repo', 'sub', 'y.go'))).toBe(join(root, 'repo', 'sub', 'gopitfix.json'));
    expect(findConfigFile(join(root, 'plain', 'z.go'))).toBe(join(root, 'gopitfix.json'));
  });

  it('stops at the directory holding .git', () => {
    writeFileSync(join(root, 'repo', 'gopitfix.json.bak'), '');
    const inner = join(root, 'repo2');
    mkdirSync(join(inner, '.git'), { recursive: true });
    writeFileSync(join(inner, 'w.go'), 'package p\n');
    expect(findConfigFile(join(inner, 'w.go'))).toBeNull();
  });

  it('resolves per file, caches, and lets --config override', () => {
    const r = new ConfigResolver();
    expect(r.forFile(join(root, 'repo', 'a', 'b', 'x.go'))?.go).toEqual({ major: 1, minor: 20 });
    expect(r.forFile(join(root, 'repo', 'sub', 'y.go'))?.go).toEqual({ major: 1, minor: 22 });
    expect(r.forFile(join(root, 'repo', 'a', 'b', 'x.go'))).toBe(r.forFile(join(root, 'repo', 'a', 'b', 'x.go')));
    const o = new ConfigResolver(join(root, 'repo', 'sub', 'gopitfix.json'));
    expect(o.forFile(join(root, 'plain', 'z.go'))?.go).toEqual({ major: 1, minor: 22 });
  });

  it('reports a missing or invalid file with its path', () => {
    expect(() => loadConfig(join(root, 'nope.json'))).toThrow(`${join(root, 'nope.json')}: cannot read config: no such file`);
    writeFileSync(join(root, 'bad.json'), '{"rules": {"nope": "on"}}');
    expect(() => new ConfigResolver(join(root, 'bad.json'))).toThrow(`${join(root, 'bad.json')}: $.rules.nope: unknown rule "nope"`);
  });
});

describe('applying a config', () => {
  const cfg = (rules: Record<string, unknown>, extra: object = {}) =>
    parseConfig(JSON.stringify({ rules, ...extra }), '/repo/gopitfix.json', REGISTRY);
  const ids = (rs: Rule[]) => rs.map((r) => r.meta.id);

  it('selects rules: defaults, "off", "on", options object, then --rules / --disable', () => {
    const none = { rules: null, disable: [] };
    expect(ids(selectRules(null, none, REGISTRY))).toEqual(['alpha', 'gamma']);
    expect(ids(selectRules(cfg({ alpha: 'off' }), none, REGISTRY))).toEqual(['gamma']);
    expect(ids(selectRules(cfg({ beta: 'on' }), none, REGISTRY))).toEqual(['alpha', 'beta', 'gamma']);
    expect(ids(selectRules(cfg({ beta: { limit: 2 } }), none, REGISTRY))).toEqual(['alpha', 'beta', 'gamma']);
    // The command line wins.
    expect(ids(selectRules(cfg({ alpha: 'off' }), { rules: ['alpha'], disable: [] }, REGISTRY))).toEqual(['alpha']);
    expect(ids(selectRules(cfg({ beta: 'on' }), { rules: null, disable: ['beta'] }, REGISTRY))).toEqual(['alpha', 'gamma']);
  });

  it('passes options objects through as rule options', () => {
    expect(ruleOptions(cfg({ alpha: 'on', beta: { limit: 2, loud: true } }))).toEqual({ beta: { limit: 2, loud: true } });
    expect(ruleOptions(null)).toEqual({});
  });

  it('excludes files by glob, relative to the config directory', () => {
    const c = cfg({}, { exclude: ['gen/**', '*_mock.go', '/top.go', 'api/*.pb.go', 'testdata2'] });
    expect(isExcluded(c, '/repo/gen/x.go')).toBe(true);
    expect(isExcluded(c, '/repo/gen/deep/x.go')).toBe(true);
    expect(isExcluded(c, '/repo/pkg/gen/x.go')).toBe(false);
    expect(isExcluded(c, '/repo/pkg/store_mock.go')).toBe(true);
    expect(isExcluded(c, '/repo/top.go')).toBe(true);
    expect(isExcluded(c, '/repo/sub/top.go')).toBe(false);
    expect(isExcluded(c, '/repo/api/v.pb.go')).toBe(true);
    expect(isExcluded(c, '/repo/api/v1/v.pb.go')).toBe(false);
    expect(isExcluded(c, '/repo/x/testdata2/a.go')).toBe(true);
    expect(isExcluded(c, '/repo/main.go')).toBe(false);
    expect(isExcluded(null, '/repo/gen/x.go')).toBe(false);
  });

  it('matches globs like .gitignore', () => {
    expect(globMatches('**/x.go', 'x.go')).toBe(true);
    expect(globMatches('**/x.go', 'a/b/x.go')).toBe(true);
    expect(globMatches('a/**/x.go', 'a/x.go')).toBe(true);
    expect(globMatches('a/**/x.go', 'a/b/c/x.go')).toBe(true);
    expect(globMatches('?.go', 'a.go')).toBe(true);
    expect(globMatches('?.go', 'ab.go')).toBe(false);
    expect(globMatches('[ab].go', 'b.go')).toBe(true);
    expect(globMatches('[!ab].go', 'b.go')).toBe(false);
    expect(globMatches('*.go', 'dir/file.go')).toBe(true);
    expect(globMatches('dir/', 'dir/file.go')).toBe(true);
    expect(globMatches('a.b', 'axb')).toBe(false);
  });
});

describe('schema', () => {
  it('schema/gopitfix.schema.json is the generated schema (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = JSON.stringify(configSchema(allRules), null, 2) + '\n';
    if (process.env.UPDATE_SCHEMA) writeFileSync(SCHEMA_FILE, generated);
    // Exactly the generated schema: a newly registered rule must regenerate it.
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(generated));
  });

  it('every registered rule’s options schema accepts its own defaults', () => {
    for (const r of allRules) {
      const props = r.meta.options?.properties ?? {};
      const defaults = Object.fromEntries(Object.entries(props).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
      expect(validateSchema({ rules: { [r.meta.id]: defaults } }, configSchema(allRules)), r.meta.id).toBeNull();
    }
  });

  it('is a valid draft 2020-12 schema, and ajv agrees with the built-in validator', () => {
    const schema = configSchema(allRules);
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    // gopitfix's own format (durations that fit time.Duration); for editors an annotation.
    ajv.addFormat('go-duration', true);
    const check = ajv.compile(schema);
    const samples: unknown[] = [
      {},
      { rules: { 'defer-cancel': 'off', 'tune-http-transport': { maxIdleConnsPerHost: 8, idleConnTimeout: '1m30s' } } },
      { rules: { 'http-client-timeout': { timeout: '500ms', reportDefaultClient: false } }, exclude: ['gen/**'], go: '1.22' },
      { rules: { 'http-client-timeout': { timeout: 30 } } },
      { rules: { 'tune-http-transport': { maxIdleConnsPerHost: 0 } } },
      { rules: { 'defer-cancel': { x: 1 } } },
      { rules: { 'no-such-rule': 'on' } },
      { rules: { 'defer-cancel': 'enabled' } },
      { exclude: ['!x'] },
      { go: '2.1' },
      { extra: true },
      [],
    ];
    for (const v of samples) expect(check(v), JSON.stringify(v)).toBe(validateSchema(v, schema) === null);
  });
});
