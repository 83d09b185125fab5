// Plugins: user rules loaded from ES modules (`--plugin ./my-rule.js`, gopitfix.json
// `plugins`). A plugin's default export is a rule or an array of rules (see defineRule in
// src/rules/define.ts and docs/writing-a-rule.md). Loaded rules join the registry (transforms/index.ts
// allRules, re-ordered by their declared precedence) and from then on take part in
// everything a built-in rule does: selection, options and config validation, fixpoint,
// safety nets, suppression, every output format, the result cache (the plugin file's
// bytes are part of every result key) and the worker threads (which load the same files).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { indexNodeTypes } from '../go/syntax.js';
import { orderRules, RuleOrderError } from '../rules/define.js';
import { allRules } from '../../transforms/index.js';
import type { FindingInput, Rule, RuleContext } from '../rules/api.js';

/** A plugin that cannot be loaded or registered: the CLI prints the message and exits 2. */
export class PluginError extends Error {
  override name = 'PluginError';
}

interface LoadedPlugin {
  /** Real path of the module file. */
  path: string;
  sha256: string;
  rules: Rule[];
}

const loaded = new Map<string, LoadedPlugin>();
const pluginOf = new WeakMap<Rule, LoadedPlugin>();

/** Whether a rule came from a plugin (for ordering: built-ins first among unrelated rules). */
function isPluginRule(r: Rule): boolean {
  return pluginOf.has(r);
}

/** Real paths of the plugins loaded in this thread, in load order (what worker threads load). */
export function loadedPluginPaths(): string[] {
  return [...loaded.keys()];
}

/** Part of every result-cache key: the bytes of each loaded plugin file ([] when none). */
export function pluginFingerprint(): string[] {
  return [...loaded.values()].map((p) => p.sha256);
}

const ID = /^[a-z0-9][a-z0-9._/-]*$/;

/**
 * Load plugin modules (absolute paths, or relative to `base`) and register their rules.
 * A file already loaded (same real path) is skipped. `shown` names a plugin in messages
 * (default: the path as given). Throws PluginError naming the plugin.
 */
export async function loadPlugins(paths: readonly string[], base = process.cwd(), shown: (p: string) => string = (p) => p): Promise<void> {
  for (const given of paths) {
    const name = shown(given);
    const abs = isAbsolute(given) ? given : resolve(base, given);
    let real: string;
    let bytes: Buffer;
    try {
      real = realpathSync(abs);
      bytes = readFileSync(real);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new PluginError(`plugin ${name}: cannot read it: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : oneLine(e)}`);
    }
    if (loaded.has(real)) continue;
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(real).href)) as { default?: unknown };
    } catch (e) {
      throw new PluginError(`plugin ${name}: cannot load it: ${oneLine(e)}`);
    }
    const exported = mod.default;
    if (exported === undefined) throw new PluginError(`plugin ${name}: no default export (export default a rule or an array of rules)`);
    const list = Array.isArray(exported) ? exported : [exported];
    if (list.length === 0) throw new PluginError(`plugin ${name}: the default export is an empty array`);
    const plugin: LoadedPlugin = { path: real, sha256: createHash('sha256').update(bytes).digest('hex'), rules: [] };
    for (const [i, r] of list.entries()) {
      const what = list.length > 1 ? `rule #${i + 1}` : 'the rule';
      const problem = ruleProblem(r);
      if (problem) throw new PluginError(`plugin ${name}: ${what}: ${problem}`);
      const def = r as Rule;
      const id = def.meta.id;
      const clash = allRules.find((x) => x.meta.id === id) ?? plugin.rules.find((x) => x.meta.id === id);
      if (clash) {
        const owner = pluginOf.get(clash) ?? (plugin.rules.includes(clash) ? plugin : null);
        throw new PluginError(`plugin ${name}: rule id "${id}" is already taken by ${owner ? (owner === plugin ? 'another rule of this plugin' : `plugin ${owner.path}`) : 'a built-in rule'}`);
      }
      plugin.rules.push(guarded(def, real));
    }
    let ordered: Rule[];
    try {
      for (const r of plugin.rules) pluginOf.set(r, plugin);
      ordered = orderRules([...allRules, ...plugin.rules], isPluginRule);
    } catch (e) {
      if (e instanceof RuleOrderError) throw new PluginError(`plugin ${name}: ${e.message}`);
      throw e;
    }
    allRules.splice(0, allRules.length, ...ordered);
    for (const r of plugin.rules) if (r.meta.nodeTypes) indexNodeTypes(r.meta.nodeTypes);
    loaded.set(real, plugin);
  }
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : e.name + ': '}${e.message}` : String(e);
  return text.split('\n')[0].trim();
}

/** What is wrong with a plugin's exported rule, or null. */
function ruleProblem(r: unknown): string | null {
  if (!r || typeof r !== 'object') return 'not an object with meta and run';
  const { meta, run } = r as { meta?: Record<string, unknown>; run?: unknown };
  if (!meta || typeof meta !== 'object') return 'no meta object';
  if (typeof meta.id !== 'string' || !ID.test(meta.id)) return `meta.id must be a lowercase id like "my-rule" (got ${JSON.stringify(meta.id)})`;
  if (typeof run !== 'function') return `rule "${meta.id}": run is not a function`;
  if (typeof meta.summary !== 'string') return `rule "${meta.id}": meta.summary must be a string`;
  if (typeof meta.defaultOn !== 'boolean') return `rule "${meta.id}": meta.defaultOn must be true or false`;
  for (const k of ['after', 'before', 'nodeTypes', 'triggers', 'requires'] as const) {
    if (meta[k] !== undefined && !Array.isArray(meta[k])) return `rule "${meta.id}": meta.${k} must be an array`;
  }
  for (const k of ['triggers', 'requires'] as const) {
    const bad = ((meta[k] as unknown[] | undefined) ?? []).find((t) => !(typeof t === 'string' || (t instanceof RegExp && !t.global && !t.sticky)));
    if (bad !== undefined) return `rule "${meta.id}": meta.${k} holds strings and regular expressions without the g or y flag (got ${String(bad)})`;
  }
  for (const k of ['after', 'before', 'nodeTypes'] as const) {
    if (((meta[k] as unknown[] | undefined) ?? []).some((t) => typeof t !== 'string')) return `rule "${meta.id}": meta.${k} must be an array of strings`;
  }
  const gv = meta.goVersion as { min?: unknown; max?: unknown } | undefined;
  if (gv !== undefined && (typeof gv !== 'object' || [gv.min, gv.max].some((v) => v !== undefined && (typeof v !== 'string' || !/^1\.\d+$/.test(v))))) {
    return `rule "${meta.id}": meta.goVersion must be { min?: "1.N", max?: "1.N" }`;
  }
  if (meta.options !== undefined && (typeof meta.options !== 'object' || (meta.options as { type?: unknown }).type !== 'object')) {
    return `rule "${meta.id}": meta.options must be an object schema ({ type: "object", properties: {...} })`;
  }
  return null;
}

/**
 * The plugin rule as registered: its meta (docPath relative to the plugin's directory,
 * default its README.md, else the plugin file), and a
 * run() whose mistakes become per-file rule errors instead of crashes: a malformed finding
 * or edit, or an asynchronous run().
 */
function guarded(def: Rule, path: string): Rule {
  const meta = { ...def.meta, docPath: typeof def.meta.docPath === 'string' && def.meta.docPath !== '' ? resolve(dirname(path), def.meta.docPath) : docPathOf(path) };
  return {
    meta,
    run(ctx: RuleContext) {
      const checked: RuleContext = Object.create(ctx, {
        report: { value: (f: FindingInput) => ctx.report(checkFinding(f, ctx)) },
      });
      const out = def.run.call(def, checked) as unknown;
      if (out && typeof (out as { then?: unknown }).then === 'function') {
        (out as Promise<unknown>).then(undefined, () => {});
        throw new Error('run() returned a Promise: a rule must report synchronously');
      }
    },
  };
}

function docPathOf(path: string): string {
  const readme = join(dirname(path), 'README.md');
  return existsSync(readme) ? readme : path;
}

function checkFinding(f: FindingInput, ctx: RuleContext): FindingInput {
  const length = ctx.source.length;
  const n = f?.node as { startIndex?: unknown; endIndex?: unknown; startPosition?: unknown; tree?: unknown } | undefined;
  if (!n || typeof n.startIndex !== 'number' || typeof n.endIndex !== 'number' || !n.startPosition) throw new Error('report(): finding.node must be a syntax node of ctx.root');
  if (n.tree !== ctx.tree) throw new Error("report(): finding.node is not a node of this file's tree (nodes must not be kept between files or passes)");
  if (typeof f.message !== 'string' || f.message === '') throw new Error('report(): finding.message must be a non-empty string');
  if (f.noFix !== undefined && f.noFix !== null && (typeof f.noFix !== 'string' || f.noFix === '')) throw new Error('report(): finding.noFix must be a non-empty string (why there is no fix)');
  if (f.fix !== undefined) {
    if (!f.fix || typeof f.fix.description !== 'string' || !Array.isArray(f.fix.edits)) throw new Error('report(): fix must be { description, edits: [...] }');
    for (const e of f.fix.edits) {
      if (!e || !Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end < e.start || e.end > length || typeof e.text !== 'string') {
        throw new Error(`report(): invalid edit ${JSON.stringify(e)} (want { start, end, text } with 0 <= start <= end <= source length)`);
      }
    }
    if (f.fix.imports !== undefined && (!Array.isArray(f.fix.imports) || f.fix.imports.some((p) => typeof p !== 'string'))) throw new Error('report(): fix.imports must be an array of import paths');
  }
  return f;
}

/**
 * Plugin files named by gopitfix.json files: each config's `plugins`, resolved against its
 * directory. Read leniently (a config that does not parse is reported later by the real
 * loader, with its JSON path); returns [config file, absolute plugin path] pairs.
 */
function configPlugins(configFiles: Iterable<string>): { config: string; plugin: string }[] {
  const out: { config: string; plugin: string }[] = [];
  for (const file of configFiles) {
    let data: unknown;
    try {
      // Only a regular file of sane size (a FIFO would block); the real loader reports the rest.
      const st = statSync(file);
      if (!st.isFile() || st.size > 1024 * 1024) continue;
      let text = readFileSync(file, 'utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      data = JSON.parse(text);
    } catch {
      continue;
    }
    const list = (data as { plugins?: unknown })?.plugins;
    if (!Array.isArray(list)) continue;
    for (const p of list) if (typeof p === 'string' && p !== '') out.push({ config: file, plugin: resolve(dirname(file), p) });
  }
  return out;
}

/**
 * The plugins a run starts with, loaded before rule ids are checked: --plugin files
 * (relative to cwd), and the `plugins` of --config's file or, without it, of the nearest
 * gopitfix.json of each path argument. Throws PluginError.
 */
export async function loadStartPlugins(opts: { plugins: readonly string[]; config: string | null; paths: readonly string[] }, cwd: string): Promise<void> {
  await loadPlugins(opts.plugins, cwd);
  const configs = opts.config ? [resolve(cwd, opts.config)] : opts.paths.map((p) => nearestConfig(resolve(cwd, p.replace(/(^|\/)\.\.\.$/, '$1.')), true));
  await loadConfigPlugins(configs, cwd);
}

/**
 * The `plugins` of the configs governing the discovered files (nested gopitfix.json files
 * below the path arguments), loaded before the configs are validated. Returns whether any
 * new plugin was loaded. Not needed with --config (loadStartPlugins read it).
 */
export async function loadFilePlugins(absPaths: readonly string[], cwd: string): Promise<boolean> {
  const before = loaded.size;
  const dirs = new Set(absPaths.map((p) => dirname(p)));
  await loadConfigPlugins([...dirs].map((d) => nearestConfig(d, false)), cwd);
  return loaded.size > before;
}

async function loadConfigPlugins(configs: (string | null)[], cwd: string): Promise<void> {
  const files = [...new Set(configs.filter((c): c is string => c !== null))];
  for (const { config, plugin } of configPlugins(files)) {
    await loadPlugins([plugin], cwd, () => `${relative(cwd, plugin) || plugin} (from ${relative(cwd, config) || config})`);
  }
}

const nearestByDir = new Map<string, string | null>();

/** The nearest gopitfix.json at or above dir (src/run/config.ts findConfigFile's rules), memoized per directory. */
function nearestConfig(path: string, maybeFile: boolean): string | null {
  let dir = path;
  if (maybeFile) {
    try {
      if (!statSync(path).isDirectory()) dir = dirname(path);
    } catch {
      dir = dirname(path);
    }
  }
  const seen: string[] = [];
  let found: string | null = null;
  for (;;) {
    const known = nearestByDir.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    seen.push(dir);
    const candidate = join(dir, 'gopitfix.json');
    if (existsSync(candidate)) {
      found = candidate;
      break;
    }
    if (existsSync(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of seen) nearestByDir.set(d, found);
  return found;
}
