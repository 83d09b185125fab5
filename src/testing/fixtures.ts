// The fixture runner: gopitfix's own fixture harness (test/harness.ts, test/fixtures.test.ts)
// and the one plugin authors get as `gopitfix/testing`. A fixture directory holds cases:
//
//   <dir>/**/<case>.input.go    the file the rules run on, with `// want` expectations
//                               (./want.ts) declaring every finding it must produce;
//   <dir>/**/<case>.output.go   the expected result after every fix (omit: the input,
//                               without its expectations, must come out unchanged);
//   other .go files             the other files of the case's package, in its directory
//                               (types and functions the rules look up; never rewritten);
//   fixture.json                per directory: { "rules": [ids], "go": "1.22",
//                               "options": { id: {...} } } (rules default to all given);
//   gopitfix.json               per directory, loaded as users' would be: its rule options
//                               and `go` apply (fixture.json's win), "off" rules and
//                               `exclude`d files do not run;
//   go.mod                      inside <dir>: sets the Go version of the cases below it
//                               (build tags too); without one the version is unknown
//                               (rules treat it as the current release) unless `go` is given.
//   <name>.crlf.input.go        stored with LF line endings, run with input and expected
//                               output converted to CRLF (line endings must survive).
//
// Each case must: declare its findings exactly (./want.ts), produce exactly the expected
// output, change nothing on a second run (idempotence), add no syntax error, report no rule
// error (a rule that throws), and only report in files its prefilter triggers admit.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE, isExcluded, loadConfig, ruleOptions } from '../run/config.js';
import { countSyntaxErrors, initEngine, processFile } from '../engine/engine.js';
import type { EngineOptions, FileResult } from '../engine/api.js';
import { findModule, parseGoVersion } from '../go/version.js';
import { parseGo } from '../parser/parser.js';
import { passesPrefilter } from '../engine/prefilter.js';
import { allRules } from '../../transforms/index.js';
import type { Rule } from '../rules/api.js';
import { matchExpectations, parseExpectations } from './want.js';

export { matchExpectations, parseExpectations, stripExpectations, type Want } from './want.js';
export { initEngine };

/** What fixture.json may say. */
export interface FixtureConfig {
  /** Rule ids to run, in fix-precedence order: among the given rules, then the built-in ones. */
  rules?: string[];
  /** Go version for this directory's cases ("1.22"), overriding go.mod and build tags. */
  go?: string;
  /** Rule options by rule id. */
  options?: Record<string, Record<string, unknown>>;
}

export interface FixtureCase {
  /** Path of the case under the fixture directory, without `.input.go` ("sub/name"). */
  name: string;
  /** Absolute path of the .input.go file. */
  input: string;
  /** Absolute path of the .output.go file, or null (the input must stay unchanged). */
  expected: string | null;
  /** The case's directory (its package). */
  dir: string;
  /** The fixture directory the case was listed from. */
  root: string;
  /** Run with CRLF line endings (`<name>.crlf.input.go`). */
  crlf: boolean;
  config: FixtureConfig;
}

export interface RunFixturesOptions {
  /** Fixture directory, searched recursively for `*.input.go`. */
  dir: string;
  /**
   * Rule objects to run (built-in or your own, e.g. a plugin's default export). Every case
   * runs all of them, in this order, unless its fixture.json names `rules`.
   */
  rules: Rule[];
  /** Go version for cases that set none (fixture.json / gopitfix.json `go` win over it, and it wins over go.mod). */
  go?: string;
}

export interface CaseResult {
  /** FixtureCase.name. */
  case: string;
  /** Empty when the case passes; otherwise one line per problem. */
  problems: string[];
}

/**
 * Run every fixture case under `dir` with `rules` and report, per case (in path order), what
 * is wrong with it; an empty `problems` list means the case passes. Never throws for a failing
 * case (a malformed fixture.json or an unknown rule id throws). Example, with vitest:
 *
 *   import { runFixtures } from 'gopitfix/testing';
 *   import rule from '../my-rule.js';
 *   for (const r of await runFixtures({ dir: new URL('./fixtures', import.meta.url).pathname, rules: [rule] }))
 *     expect(r.problems, r.case).toEqual([]);
 *
 * See the header of this file for the layout and ./want.ts for the `// want` syntax.
 */
export async function runFixtures({ dir, rules, go }: RunFixturesOptions): Promise<CaseResult[]> {
  await initEngine();
  return listFixtureCases(dir).map((c) => ({ case: c.name, problems: checkFixtureCase(c, { rules, go }).problems }));
}

/** The cases under a fixture directory, in path order. */
export function listFixtureCases(dir: string): FixtureCase[] {
  const root = resolve(dir);
  const out: FixtureCase[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.input.go')) {
        const outPath = p.replace(/\.input\.go$/, '.output.go');
        const cfgPath = join(d, 'fixture.json');
        out.push({
          name: relative(root, p).split(sep).join('/').replace(/\.input\.go$/, ''),
          input: p,
          expected: existsSync(outPath) ? outPath : null,
          dir: d,
          root,
          crlf: n.endsWith('.crlf.input.go'),
          config: existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, 'utf8')) as FixtureConfig) : {},
        });
      }
    }
  };
  walk(root);
  return out;
}

/**
 * A case's file as the runner uses it: expectations stripped from an input, and CRLF cases
 * converted (they are stored with LF line endings).
 */
export function readFixtureText(c: Pick<FixtureCase, 'crlf'>, path: string): string {
  let text = readFileSync(path, 'utf8');
  if (path.endsWith('.input.go')) text = parseExpectations(text).stripped;
  if (!c.crlf) return text;
  if (text.includes('\r')) throw new Error(`${path}: a .crlf case is stored with LF line endings`);
  return text.replace(/\n/g, '\r\n');
}

/** The rules a case runs, resolved from its fixture.json and gopitfix.json. */
function caseRules(c: FixtureCase, rules: readonly Rule[]): { rules: Rule[]; config: ReturnType<typeof loadConfig> | null } {
  const known = [...rules, ...allRules.filter((b) => !rules.some((r) => r.meta.id === b.meta.id))];
  const cfgPath = join(c.dir, CONFIG_FILE);
  const config = existsSync(cfgPath) ? loadConfig(cfgPath, known) : null;
  const chosen = c.config.rules
    ? c.config.rules.map((id) => {
        const r = known.find((k) => k.meta.id === id);
        if (!r) throw new Error(`fixture ${c.name}: unknown rule ${id}`);
        return r;
      })
    : [...rules];
  return { rules: chosen.filter((r) => config?.rules[r.meta.id] !== 'off' && !isExcluded(config, c.input)), config };
}

/** Run the engine on `source` as the runner runs case `c` (same rules, options, version, package files). */
export function runFixtureSource(c: FixtureCase, source: string, opts: { rules: Rule[]; go?: string }): FileResult {
  const { rules, config } = caseRules(c, opts.rules);
  const engine: EngineOptions = { rules, ruleOptions: { ...ruleOptions(config), ...c.config.options }, prefilter: false };
  const pinned = c.config.go ? parseGoVersion(c.config.go) : (config?.go ?? (opts.go ? parseGoVersion(opts.go) : undefined));
  if (pinned !== undefined) engine.goVersion = pinned;
  // A go.mod counts only inside the fixture directory: one above it is not the case's module.
  const mod = findModule(c.dir);
  const ownModule = !!mod && (mod.dir === c.root || mod.dir.startsWith(c.root + sep));
  return processFile(
    {
      absPath: c.input,
      displayPath: relative(process.cwd(), c.input).split(sep).join('/'),
      source,
      goVersion: engine.goVersion !== undefined || ownModule ? undefined : null,
      packageFiles: () => packageFiles(c.dir),
    },
    engine,
  );
}

/** The other files of a case's package: the plain .go files of its directory. */
export function packageFiles(dir: string): { absPath: string; source: string }[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.go') && !n.endsWith('.input.go') && !n.endsWith('.output.go'))
    .sort()
    .map((n) => ({ absPath: join(dir, n), source: readFileSync(join(dir, n), 'utf8') }));
}

/**
 * Check one case (the engine must be initialized: `await initEngine()` or one runFixtures
 * call). Returns its problems and the first run's result.
 */
export function checkFixtureCase(c: FixtureCase, opts: { rules: Rule[]; go?: string }): { problems: string[]; result: FileResult | null } {
  const problems: string[] = [];
  const file = relative(process.cwd(), c.input).split(sep).join('/');
  const raw = readFileSync(c.input, 'utf8');
  const parsed = parseExpectations(raw);
  problems.push(...parsed.errors.map((e) => `${file}: ${e}`));
  problems.push(...misplacedExpectations(raw, parsed.offsets).map((e) => `${file}: ${e}`));
  if (c.expected && /\/\/ ?want\b/.test(readFileSync(c.expected, 'utf8'))) {
    problems.push(`${c.expected}: an output file must not hold \`// want\` expectations`);
  }
  const input = readFixtureText(c, c.input);
  const expected = c.expected ? readFixtureText(c, c.expected) : input;
  const first = runFixtureSource(c, input, opts);
  for (const e of first.ruleErrors) problems.push(`rule error: ${e}`);
  problems.push(...matchExpectations(parsed.wants, first.findings, file));
  if (first.output !== expected) problems.push(`output differs from ${c.expected ? 'the .output.go file' : 'the input (no .output.go)'}: ${firstDifference(expected, first.output)}`);
  if (!c.expected && first.findings.some((f) => f.fix)) problems.push('a case without .output.go must have no fix');
  const second = runFixtureSource(c, first.output, opts);
  if (second.output !== first.output) problems.push(`a second run changes the output again: ${firstDifference(first.output, second.output)}`);
  if (countSyntaxErrors(first.output) > countSyntaxErrors(input)) problems.push('the output has more syntax errors than the input');
  const byId = new Map([...opts.rules, ...allRules].map((r) => [r.meta.id, r]));
  for (const id of new Set(first.findings.map((f) => f.rule))) {
    const r = byId.get(id);
    if (r && !passesPrefilter(r.meta, input)) problems.push(`${id} reports on a file its triggers would skip (meta.triggers / meta.requires)`);
  }
  return { problems, result: first };
}

/** Expectations alone on their line, or inside something other than a comment (a string literal). */
function misplacedExpectations(raw: string, offsets: { line: number; offset: number; alone: boolean }[]): string[] {
  if (offsets.length === 0) return [];
  const out: string[] = [];
  const tree = parseGo(raw);
  try {
    for (const o of offsets) {
      if (o.alone) {
        out.push(`line ${o.line}: a \`// want\` must end the line of the code it is about, not stand alone`);
        continue;
      }
      const n = tree.rootNode.descendantForIndex(o.offset, o.offset + 2);
      if (n?.type !== 'comment' || !n.text.startsWith('//')) out.push(`line ${o.line}: this \`// want\` is not a line comment (inside a string?)`);
    }
  } finally {
    tree.delete();
  }
  return out;
}

function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: want ${JSON.stringify(a[i] ?? '<end of file>')}, got ${JSON.stringify(b[i] ?? '<end of file>')}`;
  }
  return 'line endings or trailing text differ';
}
