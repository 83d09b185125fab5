// The rule-authoring API (src/rules/define.ts, src/index.ts): typed options with defaults from
// the schema, declared precedence instead of array order, the descendants() index, and
// the package's public entry points.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { defineRule, optionsWithDefaults, orderRules, RuleOrderError } from '../src/rules/define.js';
import { descendants, indexedNodeTypes, indexNodeTypes } from '../src/go/syntax.js';
import { parseGo } from '../src/parser/parser.js';
import { allRules } from '../transforms/index.js';
import type { Rule, RuleMeta } from '../src/rules/api.js';
import * as publicApi from '../src/index.js';

const ROOT = join(import.meta.dirname, '..');

/** The order fixes were preferred in when it was the registry array's (before issue 18). */
const HISTORIC = [
  'defer-cancel',
  'hoist-wg-add',
  'waitgroup-go',
  'select-ctx-done',
  'buffer-result-chan',
  'capture-loop-var',
  'redundant-loopvar-copy',
  'tune-http-transport',
  'http-client-timeout',
  'propagate-ctx',
  'stop-ticker',
  'close-resp-body',
];

const meta = (id: string, extra: Partial<RuleMeta> = {}): RuleMeta => ({ id, summary: id, defaultOn: true, docPath: '', ...extra });
const rule = (id: string, extra: Partial<RuleMeta> = {}): Rule => ({ meta: meta(id, extra), run() {} });

beforeAll(async () => {
  await initEngine();
});

describe('precedence', () => {
  it('the built-in rules keep their historic order, whatever order they are listed in', () => {
    expect(allRules.map((r) => r.meta.id)).toEqual(HISTORIC);
    const shuffled = [...allRules].reverse();
    expect(orderRules(shuffled).map((r) => r.meta.id)).toEqual(HISTORIC);
    const rotated = [...allRules.slice(5), ...allRules.slice(0, 5)];
    expect(orderRules(rotated).map((r) => r.meta.id)).toEqual(HISTORIC);
  });

  it('after/before place a rule; unrelated rules: built-ins first, then by id; unknown ids ignored', () => {
    const a = rule('a');
    const b = rule('b', { after: ['c'] });
    const c = rule('c', { after: ['no-such-rule'] });
    const d = rule('d', { before: ['a'] });
    expect(orderRules([a, b, c, d]).map((r) => r.meta.id)).toEqual(['c', 'b', 'd', 'a']);
    const p = rule('0-plugin');
    expect(orderRules([p, a, b, c, d], (r) => r === p).map((r) => r.meta.id)).toEqual(['c', 'b', 'd', 'a', '0-plugin']);
  });

  it('a cycle or a self-reference is an error', () => {
    expect(() => orderRules([rule('a', { after: ['b'] }), rule('b', { after: ['a'] })])).toThrow(RuleOrderError);
    expect(() => orderRules([rule('a', { before: ['a'] })])).toThrow(/lists itself/);
  });
});

describe('options', () => {
  const typed = defineRule({
    meta: {
      ...meta('typed'),
      options: {
        type: 'object',
        additionalProperties: false,
        properties: {
          flag: { type: 'boolean', default: false },
          mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
          limit: { type: 'integer' },
        },
      },
    },
    run(ctx) {
      expectTypeOf(ctx.options.flag).toEqualTypeOf<boolean>();
      expectTypeOf(ctx.options.mode).toEqualTypeOf<'a' | 'b'>();
      expectTypeOf(ctx.options.limit).toEqualTypeOf<number | undefined>();
      seen.push({ ...ctx.options });
    },
  });
  const seen: Record<string, unknown>[] = [];

  it('rules receive the schema defaults under the configured values', () => {
    const file = { absPath: '/x/a.go', displayPath: 'a.go', source: 'package p\n', goVersion: null };
    processFile(file, { rules: [typed], prefilter: false });
    processFile(file, { rules: [typed], prefilter: false, ruleOptions: { typed: { mode: 'b', limit: 3, flag: undefined } } });
    expect(seen).toEqual([
      { flag: false, mode: 'a' },
      { flag: false, mode: 'b', limit: 3 },
    ]);
  });

  it('a rule without an options schema gets what was configured, or {}', () => {
    const m = meta('plain');
    expect(optionsWithDefaults(m, undefined)).toEqual({});
    expect(optionsWithDefaults(m, { x: 1 })).toEqual({ x: 1 });
  });

  it('every built-in rule documents itself (docPath) and each option has a default (rules apply none by hand)', () => {
    for (const r of allRules) expect(existsSync(join(ROOT, r.meta.docPath)), r.meta.id).toBe(true);
    for (const r of allRules) {
      for (const [k, p] of Object.entries(r.meta.options?.properties ?? {})) expect(p.default, `${r.meta.id}.${k}`).not.toBeUndefined();
    }
  });
});

describe('the descendants() index', () => {
  it('serves indexed types from one walk and extra types once declared', () => {
    const tree = parseGo('package p\n\nfunc f() {\n\tdefer g()\n\tdefer h()\n}\n');
    try {
      expect(indexedNodeTypes()).toContain('call_expression');
      expect(descendants(tree.rootNode, 'call_expression')).toHaveLength(2);
      // Not indexed when the tree's index was built: still answered, by a walk.
      indexNodeTypes(['defer_statement']);
      expect(indexedNodeTypes()).toContain('defer_statement');
      expect(descendants(tree.rootNode, 'defer_statement').map((n) => n.text)).toEqual(['defer g()', 'defer h()']);
    } finally {
      tree.delete();
    }
  });
});

describe('the package entry points', () => {
  it('exports "." and "./testing" with type declarations (after npm run build)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> };
    for (const key of ['.', './testing']) {
      const e = pkg.exports[key] as { types: string; default: string };
      expect(existsSync(join(ROOT, e.default)), e.default).toBe(true);
      expect(existsSync(join(ROOT, e.types)), e.types).toBe(true);
    }
    const dts = readFileSync(join(ROOT, 'dist/src/index.d.ts'), 'utf8');
    for (const name of ['defineRule', 'RuleContext', 'Semantics', 'operandType', 'descendants', 'PackageInfo', 'GoVersion']) expect(dts).toContain(name);
  });

  it('a plugin type-checks against the published declarations (the example, with // @ts-check)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    const r = spawnSync(process.execPath, [tsc, ...args, join(ROOT, 'examples/plugin-defer-lock/defer-lock.js')], { encoding: 'utf8', cwd: ROOT });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the public entry exposes the rule API and the Go layer', () => {
    for (const name of ['defineRule', 'descendants', 'field', 'named', 'children', 'operandType', 'Semantics', 'Imports', 'PackageInfo', 'parseGoVersion', 'compareGoVersion', 'indexedNodeTypes']) {
      expect(publicApi, name).toHaveProperty(name);
    }
  });
});
