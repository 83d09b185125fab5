// The fixture harness (jscodeshift's input → output convention, go/analysis
// testdata layout): fixtures/<rule>/**/<case>.input.go, with <case>.output.go as
// the expected result; a case without .output.go must stay unchanged.
//
// Per directory, an optional fixture.json sets what a case runs with:
//   { "rules": ["hoist-wg-add", "waitgroup-go"],   // default: the rule the dir is named after
//     "go": "1.22",                                  // version override (else go.mod / build tags)
//     "options": { "rule-id": { ... } } }            // rule options
// Plain .go files (not .input.go/.output.go) in a case's directory are the other files of
// its package (struct types, functions the rule needs to see). A go.mod inside the rule's
// fixture dir sets the version as it would for users.
// A `//fixture:vet` line in a case marks its result as compilable: `go vet` must accept it.
// A case named `<name>.crlf` is stored with LF line endings (so its files stay gofmt-clean)
// and run with both input and expected output converted to CRLF: line endings must survive.
// A gopitfix.json in a case's directory is loaded through src/run/config.ts as users' would be:
// its rule options and `go` apply (fixture.json's win), "off" rules and `exclude`d files do not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { initEngine, processFile } from '../src/engine/engine.js';
import type { EngineOptions } from '../src/engine/api.js';
import { findModule, parseGoVersion } from '../src/go/version.js';
import { errorRanges } from '../src/go/syntax.js';
import { parseGo } from '../src/parser/parser.js';
import { findRule } from '../transforms/index.js';
import { CONFIG_FILE, isExcluded, loadConfig, ruleOptions } from '../src/run/config.js';

export const REPO = resolve(import.meta.dirname, '..');
export const FIXTURES = join(REPO, 'fixtures');

export interface FixtureCase {
  rule: string;
  /** Run with CRLF line endings (see the header). */
  crlf: boolean;
  name: string;
  input: string;
  expected: string | null;
  dir: string;
  config: { rules?: string[]; go?: string; options?: Record<string, Record<string, unknown>> };
  vet: boolean;
}

export function listCases(rule: string): FixtureCase[] {
  const root = join(FIXTURES, rule);
  const out: FixtureCase[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.input.go')) {
        const outPath = p.replace(/\.input\.go$/, '.output.go');
        const cfgPath = join(dir, 'fixture.json');
        out.push({
          rule,
          crlf: n.endsWith('.crlf.input.go'),
          name: relative(root, p).replace(/\.input\.go$/, ''),
          input: p,
          expected: existsSync(outPath) ? outPath : null,
          dir,
          config: existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {},
          vet: /^\/\/fixture:vet\b/m.test(readFileSync(p, 'utf8')),
        });
      }
    }
  };
  walk(root);
  return out;
}

/** A case's input or expected text as the harness runs it (CRLF cases converted). */
export function readCaseText(c: FixtureCase, path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!c.crlf) return text;
  if (text.includes('\r')) throw new Error(`${path}: a .crlf case is stored with LF line endings`);
  return text.replace(/\n/g, '\r\n');
}

export function listFixtureRules(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((n) => statSync(join(FIXTURES, n)).isDirectory()).sort();
}

export async function init(): Promise<void> {
  await initEngine();
}

/** Run the engine on text as the harness runs a case (same options, same package files). */
export function runCase(c: FixtureCase, source: string): ReturnType<typeof processFile> {
  const cfgPath = join(c.dir, CONFIG_FILE);
  const file = existsSync(cfgPath) ? loadConfig(cfgPath) : null;
  const ids = (c.config.rules ?? [c.rule]).filter((id) => file?.rules[id] !== 'off' && !isExcluded(file, c.input));
  const rules = ids.map((id) => {
    const r = findRule(id);
    if (!r) throw new Error(`fixture ${c.name}: unknown rule ${id}`);
    return r;
  });
  const opts: EngineOptions = { rules, ruleOptions: { ...ruleOptions(file), ...c.config.options }, prefilter: false };
  if (c.config.go) opts.goVersion = parseGoVersion(c.config.go);
  else if (file?.go) opts.goVersion = file.go;
  const ruleRoot = join(FIXTURES, c.rule);
  const mod = findModule(c.dir);
  const useDiskVersion = mod && mod.dir.startsWith(ruleRoot);
  return processFile(
    {
      absPath: c.input,
      displayPath: relative(REPO, c.input),
      source,
      goVersion: c.config.go || file?.go ? undefined : useDiskVersion ? undefined : null,
      packageFiles: () => supportFiles(c.dir),
    },
    opts,
  );
}

function supportFiles(dir: string): { absPath: string; source: string }[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.go') && !n.endsWith('.input.go') && !n.endsWith('.output.go'))
    .sort()
    .map((n) => ({ absPath: join(dir, n), source: readFileSync(join(dir, n), 'utf8') }));
}

export function countSyntaxErrors(text: string): number {
  const tree = parseGo(text);
  try {
    return errorRanges(tree.rootNode).length;
  } finally {
    tree.delete();
  }
}

export function haveGo(): boolean {
  return spawnSync('go', ['version']).status === 0 && spawnSync('gofmt', ['-h']).error === undefined;
}

/**
 * Files among `files` that gofmt would change or cannot parse. CRLF files are compared
 * with their line endings normalized: gofmt writes LF, and keeping CRLF is our contract.
 */
export function gofmtUnclean(files: string[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/\r\n/g, '\n');
    const r = spawnSync('gofmt', [], { input: text, encoding: 'utf8' });
    if (r.status !== 0) bad.push(`${f}: ${r.stderr.trim()}`);
    else if (r.stdout !== text) bad.push(f);
  }
  return bad;
}

/**
 * `go vet` over the given Go sources, each placed in its own package of one
 * throwaway module (with its support files). Returns vet's output; "" means clean.
 */
export function goVet(cases: { name: string; source: string; support: { absPath: string; source: string }[] }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-vet-'));
  writeFileSync(join(dir, 'go.mod'), 'module fixtures.test/vet\n\ngo 1.19\n');
  cases.forEach((c, i) => {
    const pkg = join(dir, `p${i}`);
    mkdirSync(pkg);
    writeFileSync(join(pkg, 'case.go'), c.source);
    for (const s of c.support) writeFileSync(join(pkg, basename(s.absPath)), s.source);
  });
  try {
    execFileSync('go', ['vet', './...'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
    });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    const names = cases.map((c, i) => `p${i} = ${c.name}`).join('\n');
    return `${err.stdout ?? ''}${err.stderr ?? ''}\n${names}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { supportFiles, dirname };
