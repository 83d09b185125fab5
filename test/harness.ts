// The fixture harness of gopitfix's own rules: fixtures/<rule>/ holds the cases of one rule,
// run by the public fixture runner (src/testing/fixtures.ts, `gopitfix/testing`), whose header
// describes the layout: <case>.input.go with `// want` expectations (src/testing/want.ts),
// <case>.output.go as the expected result (none: unchanged), package siblings, fixture.json
// ({ rules, go, options }), gopitfix.json, go.mod, `.crlf` cases. Here the rules default to
// the one the directory is named after, and two checks need the Go toolchain
// (test/fixtures.test.ts): expected outputs are gofmt-clean, and a case with a
// `//fixture:vet` line must come out as code `go vet` accepts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { countSyntaxErrors, initEngine } from '../src/engine/engine.js';
import type { FileResult } from '../src/engine/api.js';
import { findRule } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';
import {
  checkFixtureCase,
  listFixtureCases,
  packageFiles,
  readFixtureText,
  runFixtureSource,
  type FixtureCase as RunnerCase,
} from '../src/testing/fixtures.js';

export const REPO = resolve(import.meta.dirname, '..');
export const FIXTURES = join(REPO, 'fixtures');

export interface FixtureCase extends RunnerCase {
  /** The rule the case's directory is named after. */
  rule: string;
  /** A `//fixture:vet` line: the result must compile and pass `go vet`. */
  vet: boolean;
}

export function listCases(rule: string): FixtureCase[] {
  return listFixtureCases(join(FIXTURES, rule)).map((c) => ({ ...c, rule, vet: /^\/\/fixture:vet\b/m.test(readFileSync(c.input, 'utf8')) }));
}

/** A case's input (its `// want` expectations stripped) or expected text as the harness runs it (CRLF cases converted). */
export function readCaseText(c: FixtureCase, path: string): string {
  return readFixtureText(c, path);
}

export function listFixtureRules(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((n) => statSync(join(FIXTURES, n)).isDirectory()).sort();
}

export async function init(): Promise<void> {
  await initEngine();
}

function rulesOf(c: FixtureCase): Rule[] {
  const r = findRule(c.rule);
  if (!r) throw new Error(`fixture ${c.name}: unknown rule ${c.rule}`);
  return [r];
}

/** Run the engine on text as the harness runs a case (same options, same package files). */
export function runCase(c: FixtureCase, source: string): FileResult {
  return runFixtureSource(c, source, { rules: rulesOf(c) });
}

/** Every per-case check of the runner (findings against `// want`, output, idempotence, ...): its problems. */
export function checkCase(c: FixtureCase, rules: Rule[] = rulesOf(c)): string[] {
  return checkFixtureCase(c, { rules }).problems;
}

function supportFiles(dir: string): { absPath: string; source: string }[] {
  return packageFiles(dir);
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

export { countSyntaxErrors, supportFiles, dirname };
