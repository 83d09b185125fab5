// gopitfix.json: per-project configuration. Found by walking up from each target file
// to the nearest directory holding a gopitfix.json, stopping at the filesystem root or
// at the first directory holding .git (the repository root); `--config FILE` replaces
// the lookup. Validated against the JSON Schema shipped as schema/gopitfix.schema.json,
// which is generated from configSchema() (the rules' option schemas come from their
// meta.options), so the file and the validator cannot disagree.
//
//   {
//     "rules": { "defer-cancel": "off", "waitgroup-go": "on",
//                "http-client-timeout": { "timeout": "10s" } },
//     "exclude": ["gen/**", "*_mock.go"],
//     "go": "1.21"
//   }
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import type picomatchType from 'picomatch';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseGoVersion, type GoVersion } from '../go/version.js';
import { parseDuration } from '../go/construct.js';

/** time.Duration is an int64 of nanoseconds. */
const MAX_DURATION_NS = 2n ** 63n - 1n;
import { allRules, findRule } from '../../transforms/index.js';
import type { JsonSchema, Rule } from '../rules/api.js';

export const CONFIG_FILE = 'gopitfix.json';

type RuleSetting = 'on' | 'off' | Record<string, unknown>;

interface Config {
  /** Absolute path of the file. */
  file: string;
  /** Directory `exclude` patterns are relative to (the file's directory). */
  dir: string;
  rules: Record<string, RuleSetting>;
  exclude: string[];
  go: GoVersion | null;
  /** `tests`: false skips _test.go files, true includes them for every rule; null = not set. */
  tests: boolean | null;
  /** `plugins`: absolute paths of plugin modules (loaded by src/run/plugins.ts before configs are validated). */
  plugins: string[];
}

/** A configuration file that cannot be read, parsed or validated: exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** The file, as given (absolute for found files). */
    readonly file: string,
    /** JSON path of the offending value (`$.rules["x"].y`), or "" for file-level problems. */
    readonly jsonPath: string,
    /** What was expected / what is wrong. */
    readonly detail: string,
  ) {
    super(jsonPath ? `${file}: ${jsonPath}: ${detail}` : `${file}: ${detail}`);
  }
}

// ---- schema --------------------------------------------------------------------

const GO_VERSION_PATTERN = '^(go)?1\\.[0-9]+(\\.[0-9]+)?$';

/** The gopitfix.json schema for a rule registry (schema/gopitfix.schema.json is this for allRules). */
export function configSchema(rules: readonly Rule[] = allRules): JsonSchema {
  const ruleProps: Record<string, JsonSchema> = {};
  for (const r of rules) {
    const options: JsonSchema = r.meta.options ?? { type: 'object', properties: {}, additionalProperties: false };
    ruleProps[r.meta.id] = {
      description: `${r.meta.summary} (default: ${r.meta.defaultOn ? 'on' : 'off'})`,
      oneOf: [{ enum: ['on', 'off'] }, { ...options, type: 'object' }],
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'gopitfix configuration (gopitfix.json)',
    description:
      'Found by walking up from each target file to the filesystem root or the first directory holding .git (nearest wins); `--config FILE` overrides.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string', description: 'Schema reference for editors; ignored by gopitfix.' },
      rules: {
        type: 'object',
        description:
          'Per rule id: "on", "off", or an options object (which also turns the rule on). Command-line --rules/--disable take precedence.',
        properties: ruleProps,
        additionalProperties: false,
      },
      exclude: {
        type: 'array',
        description:
          'Glob patterns of files not to process, relative to the directory holding this file: * and ? within a path segment, ** across segments; a pattern without "/" matches a file or directory name at any depth; a matching directory excludes everything below it. Files named explicitly on the command line are still processed.',
        items: { type: 'string', pattern: '^[^!]', title: 'a glob pattern (non-empty; "!" negation is not supported)' },
      },
      go: {
        type: 'string',
        pattern: GO_VERSION_PATTERN,
        title: 'a Go version like "1.21"',
        description: 'Go language version (1.N) for the files this config covers, instead of go.mod; --go takes precedence.',
      },
      tests: {
        type: 'boolean',
        description:
          'false: skip _test.go files (files named on the command line are still processed); true: include them for every rule. Unset: included. --tests / --tests=false take precedence.',
      },
      plugins: {
        type: 'array',
        description:
          'Plugin modules (ES modules whose default export is a rule or an array of rules), relative to the directory holding this file; their rules join the built-in ones for the whole run (docs/writing-a-rule.md). --plugin adds more.',
        items: { type: 'string', pattern: '^.', title: 'a path to a .js/.mjs file' },
      },
    },
  };
}

// ---- validation ------------------------------------------------------------------

/** Append a key to a JSON path: `$.rules`, `$.rules["defer-cancel"]`, `$.exclude[0]`. */
function jsonPathJoin(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  // 1e308 is an integer to JavaScript but no Go int: only exactly representable ones count.
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function matchesType(v: unknown, t: NonNullable<JsonSchema['type']>): boolean {
  const actual = typeName(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/** Human text for what a schema accepts: `"on" or "off"`, `an integer >= 0`, ... */
function describeSchema(s: JsonSchema, root: JsonSchema): string {
  if (s.$ref) return describeSchema(deref(s.$ref, root), root);
  if (s.title && s !== root) return s.title;
  const alternatives = (parts: string[]) =>
    parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
  if (s.oneOf) {
    return alternatives(
      s.oneOf.flatMap((b) => (b.enum ? b.enum.map((v) => JSON.stringify(v)) : b.type === 'object' ? ['an options object'] : [describeSchema(b, root)])),
    );
  }
  if (s.enum) return alternatives(s.enum.map((v) => JSON.stringify(v)));
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`>= ${s.minimum}`);
  if (s.maximum !== undefined) bounds.push(`<= ${s.maximum}`);
  const b = bounds.length ? ` ${bounds.join(' and ')}` : '';
  switch (s.type) {
    case 'object':
      return 'an object';
    case 'array':
      return s.items ? `an array (each item ${describeSchema(s.items, root)})` : 'an array';
    case 'string':
      return s.pattern ? `a string matching /${s.pattern}/` : 'a string';
    case 'integer':
      return `an integer${b}`;
    case 'number':
      return `a number${b}`;
    case 'boolean':
      return 'true or false';
    default:
      return 'a value';
  }
}

function deref(ref: string, root: JsonSchema): JsonSchema {
  const m = /^#\/\$defs\/(.+)$/.exec(ref);
  const target = m ? root.$defs?.[m[1]] : undefined;
  if (!target) throw new Error(`schema: unresolvable $ref ${ref}`);
  return target;
}

interface SchemaError {
  path: string;
  message: string;
}

/** Validate `value` against `schema`; the first error, or null. */
export function validateSchema(value: unknown, schema: JsonSchema, path = '$', root: JsonSchema = schema): SchemaError | null {
  if (schema.$ref) return validateSchema(value, deref(schema.$ref, root), path, root);
  const expected = () => ({ path, message: `expected ${describeSchema(schema, root)}, got ${show(value)}` });
  if (schema.oneOf) {
    // Pick the branch that fits the value's kind so errors point inside it (an options
    // object with a bad key reports that key, not "expected on, off or an object").
    const fits = schema.oneOf.filter((b) => {
      const bb = b.$ref ? deref(b.$ref, root) : b;
      if (bb.enum) return bb.enum.some((e) => e === value);
      return bb.type ? matchesType(value, bb.type) : true;
    });
    if (fits.length === 0) return expected();
    return validateSchema(value, fits[0], path, root);
  }
  if (schema.enum) return schema.enum.some((e) => e === value) ? null : expected();
  if (schema.type && !matchesType(value, schema.type)) return expected();
  if (typeof value === 'number') {
    if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) return expected();
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return expected();
  if (typeof value === 'string' && schema.format === 'go-duration') {
    const ns = parseDuration(value);
    if (ns === null || ns > MAX_DURATION_NS) {
      return { path, message: `expected ${describeSchema(schema, root)}, got ${show(value)}: over the largest time.Duration, 2562047h47m16.854775807s` };
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const e = validateSchema(value[i], schema.items, jsonPathJoin(path, i), root);
      if (e) return e;
    }
  }
  if (schema.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      const p = jsonPathJoin(path, k);
      const sub = Object.hasOwn(props, k) ? props[k] : undefined;
      if (sub) {
        const e = validateSchema(v, sub, p, root);
        if (e) return e;
      } else if (schema.additionalProperties === false) {
        const known = Object.keys(props);
        const what = path === '$.rules' ? 'rule' : path.startsWith('$.rules') ? 'option' : 'key';
        const list = known.length
          ? `${what === 'rule' ? 'known rules' : 'expected one of'}: ${known.join(', ')}`
          : what === 'option' ? 'this rule takes no options' : what === 'rule' ? 'no rules are registered' : 'none are allowed here';
        return { path: p, message: `unknown ${what} "${k}" (${list})` };
      } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const e = validateSchema(v, schema.additionalProperties, p, root);
        if (e) return e;
      }
    }
  }
  return null;
}

// ---- loading ---------------------------------------------------------------------

/** Parse and validate a config text. `file` is used in messages and to anchor `exclude`. */
export function parseConfig(text: string, file: string, rules: readonly Rule[] = allRules): Config {
  let data: unknown;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (jsonDepth(text, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH) {
    throw new ConfigError(file, '', `nested more than ${MAX_CONFIG_DEPTH} levels deep`);
  }
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, '', `invalid JSON: ${jsonErrorText(e, text)}`);
  }
  const schema = configSchema(rules);
  const err = validateSchema(data, schema);
  if (err) throw new ConfigError(file, err.path === '$' ? '$' : err.path, err.message);
  const obj = data as { rules?: Record<string, RuleSetting>; exclude?: string[]; go?: string; tests?: boolean; plugins?: string[] };
  for (const [i, g] of (obj.exclude ?? []).entries()) {
    const bad = globProblem(g);
    if (bad) throw new ConfigError(file, jsonPathJoin('$.exclude', i), `invalid glob ${JSON.stringify(g)}: ${bad}`);
  }
  return {
    file,
    dir: dirname(resolve(file)),
    rules: obj.rules ?? {},
    exclude: obj.exclude ?? [],
    go: obj.go ? parseGoVersion(obj.go) : null,
    tests: typeof obj.tests === 'boolean' ? obj.tests : null,
    plugins: (obj.plugins ?? []).map((p) => resolve(dirname(resolve(file)), p)),
  };
}

function jsonErrorText(e: unknown, text: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /at position (\d+)/.exec(msg);
  const base = msg.replace(/\s*in JSON at position \d+.*$/, '').replace(/,? ".*" is not valid JSON$/, '');
  if (!m) return text.trim() === '' ? 'the file is empty' : base;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${base} at line ${line}, column ${col}`;
}

/** Largest gopitfix.json read (a real one is a few hundred bytes). */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** Deepest nesting of arrays/objects accepted (a real one nests 3 deep). */
const MAX_CONFIG_DEPTH = 64;

/**
 * Read, parse and validate a config file. Only a regular file is read (issue 16: a FIFO
 * blocked forever, /dev/zero grew without bound): it is opened without blocking, checked
 * with fstat, and read up to MAX_CONFIG_BYTES.
 */
export function loadConfig(file: string, rules: readonly Rule[] = allRules): Config {
  let text: string;
  let fd = -1;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new ConfigError(file, '', `cannot read config: ${kind === 'not a regular file' ? kind : `it is ${kind}, not a regular file`}`);
    }
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(file, '', `cannot read config: ${st.size} bytes is over the limit of ${MAX_CONFIG_BYTES}`);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r <= 0) break;
      n += r;
      if (n > MAX_CONFIG_BYTES) throw new ConfigError(file, '', `cannot read config: over the limit of ${MAX_CONFIG_BYTES} bytes`);
    }
    text = buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(file, '', `cannot read config: ${why}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  return parseConfig(text, file, rules);
}

/** The deepest array/object nesting in a JSON text (strings skipped), stopping past `limit`. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * The nearest gopitfix.json for `path` (a file or directory): checked in its directory
 * and each parent, stopping after the filesystem root or the first directory that holds
 * .git. null when there is none.
 */
export function findConfigFile(path: string): string | null {
  let dir = resolve(path);
  if (!isDir(dir)) dir = dirname(dir);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, '.git'))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Finds and caches configs per directory; with an override file, every path gets that one. */
export class ConfigResolver {
  private readonly byDir = new Map<string, Config | null>();
  private readonly byFile = new Map<string, Config>();
  private readonly override: Config | null;

  constructor(
    overrideFile: string | null = null,
    private readonly rules: readonly Rule[] = allRules,
  ) {
    this.override = overrideFile ? loadConfig(overrideFile, rules) : null;
  }

  private readonly fileOfDir = new Map<string, string | null>();

  /** findConfigFile for a directory, remembering every directory on the way up. */
  private configFileOf(dir: string): string | null {
    const known = this.fileOfDir.get(dir);
    if (known !== undefined) return known;
    let found: string | null;
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) found = candidate;
    else if (existsSync(join(dir, '.git'))) found = null;
    else {
      const parent = dirname(dir);
      found = parent === dir ? null : this.configFileOf(parent);
    }
    this.fileOfDir.set(dir, found);
    return found;
  }

  /** The config governing the file at absPath (null: none). Throws ConfigError. */
  forFile(absPath: string): Config | null {
    if (this.override) return this.override;
    const dir = dirname(absPath);
    if (this.byDir.has(dir)) return this.byDir.get(dir)!;
    const found = this.configFileOf(dir);
    let cfg: Config | null = null;
    if (found) {
      cfg = this.byFile.get(found) ?? loadConfig(found, this.rules);
      this.byFile.set(found, cfg);
    }
    this.byDir.set(dir, cfg);
    return cfg;
  }
}

// ---- applying ----------------------------------------------------------------------

/**
 * The rules to run under a config, in registry order: the default set, plus rules the
 * config turns on ("on" or options), minus those it turns "off". Command-line choices
 * win: `cliRules` (--rules) replaces the selection, `disable` (--disable) always removes.
 */
export function selectRules(
  config: Config | null,
  cli: { rules: readonly string[] | null; disable: readonly string[] },
  registry: readonly Rule[] = allRules,
): Rule[] {
  const off = new Set(cli.disable);
  const only = cli.rules ? new Set(cli.rules) : null;
  return registry.filter((r) => {
    if (off.has(r.meta.id)) return false;
    if (only) return only.has(r.meta.id);
    const s = config?.rules[r.meta.id];
    if (s === 'off') return false;
    if (s !== undefined) return true;
    return r.meta.defaultOn;
  });
}

const byIds = new Map<string, Rule[]>();

/**
 * The registered rules with these ids, in the order given (a selection made by selectRules,
 * sent to a worker as ids); memoized per list. Throws on an unknown id.
 */
export function rulesById(ids: readonly string[]): Rule[] {
  const key = ids.join(',');
  let rules = byIds.get(key);
  if (!rules) {
    rules = ids.map((id) => {
      const r = findRule(id);
      if (!r) throw new Error(`unknown rule ${id}`);
      return r;
    });
    byIds.set(key, rules);
  }
  return rules;
}

/** Rule options from a config (rules given an options object), keyed by rule id. */
export function ruleOptions(config: Config | null): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(config?.rules ?? {})) if (typeof s === 'object') out[id] = s;
  return out;
}

/** Whether the file at absPath is excluded by the config's `exclude` globs. */
export function isExcluded(config: Config | null, absPath: string): boolean {
  if (!config || config.exclude.length === 0) return false;
  const rel = relative(config.dir, absPath).split(sep).join('/');
  return config.exclude.some((g) => globMatches(g, rel));
}

const globCache = new Map<string, (path: string) => boolean>();

/**
 * The matcher of an `exclude` glob, by picomatch (a maintained matcher; issue 16 replaced
 * a hand-written one that threw on `[z-a]`). Throws on a malformed pattern: unbalanced
 * brackets, braces or parentheses, an invalid range. `[!x]` is a negated class as in
 * .gitignore (picomatch spells it `[^x]`).
 */
function compileGlob(pattern: string): (path: string) => boolean {
  let p = pattern.replace(/\/+$/, '');
  const anchored = p.includes('/');
  p = p.replace(/^\/+/, '').replace(/^\.\//, '');
  p = p.replace(/(^|[^\\])\[!/g, '$1[^');
  const full = anchored ? p : `**/${p}`;
  // The pattern itself, or a directory it names (everything below is excluded too).
  // Loaded on first use: most runs have no `exclude` glob.
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof picomatchType;
  return picomatch([full, `${full}/**`], { dot: true, strictBrackets: true, debug: true });
}

/** Why `pattern` is not a usable glob, or null. */
export function globProblem(pattern: string): string | null {
  if (pattern === '') return 'empty pattern';
  try {
    const m = compileGlob(pattern);
    m('probe');
    return null;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/: /, '');
  }
}

/**
 * Whether glob `pattern` matches `relPath` (forward slashes, relative to the config's
 * directory) or one of its parent directories. A pattern without "/" matches a name at
 * any depth; a leading "/" anchors at the config's directory (as in .gitignore).
 * Patterns are validated when the config or flag is read (globProblem).
 */
export function globMatches(pattern: string, relPath: string): boolean {
  let m = globCache.get(pattern);
  if (!m) {
    m = compileGlob(pattern);
    globCache.set(pattern, m);
  }
  return m(relPath);
}
