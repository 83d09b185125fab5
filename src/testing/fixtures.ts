// PLACEHOLDER for the fixture runner (branch i18-api). Branch i18-want builds the real
// src/testing/fixtures.ts (+ want.ts) with the same entry point; at merge, take theirs.
// This minimal version exists so that `gopitfix/testing` and the example plugin's fixture
// test work on this branch: `<case>.input.go` with `// want` expectations, optional
// `<case>.output.go` (the expected result; absent = unchanged), other .go files = the
// case's package.
//
//   // want `message pattern`            a finding with a fix on this line
//   // want `message pattern` nofix       a finding without a fix
//   // want `message pattern` nofix:`re`  a finding without a fix (reason not checked here)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { initEngine, processFile } from '../engine.js';
import { parseGoVersion } from '../go/version.js';
import type { Rule } from '../types.js';

export interface RunFixturesOptions {
  /** Fixture directory, searched recursively for `*.input.go`. */
  dir: string;
  /** Rule objects to run (e.g. a plugin's default export). */
  rules: Rule[];
  /** Go version of every case ("1.22"); default: unknown (the current release). */
  go?: string;
}

export interface CaseResult {
  case: string;
  problems: string[];
}

interface Want {
  line: number;
  message: RegExp;
  fix: boolean;
}

const WANT = /[ \t]*\/\/ want[ \t]+(.*)$/;
const PATTERN = /^(`[^`]*`|"(?:[^"\\]|\\.)*")(?:[ \t]+nofix(?::(`[^`]*`|"(?:[^"\\]|\\.)*"))?)?[ \t]*/;

function parseWants(text: string): { stripped: string; wants: Want[] } {
  const wants: Want[] = [];
  const lines = text.split('\n').map((line, i) => {
    const m = WANT.exec(line);
    if (!m) return line;
    let rest = m[1];
    while (rest !== '') {
      const p = PATTERN.exec(rest);
      if (!p) throw new Error(`line ${i + 1}: malformed // want: ${rest}`);
      const src = p[1].startsWith('`') ? p[1].slice(1, -1) : (JSON.parse(p[1]) as string);
      wants.push({ line: i + 1, message: new RegExp(src), fix: !/nofix/.test(p[0]) });
      rest = rest.slice(p[0].length);
    }
    return line.slice(0, m.index) + (line.endsWith('\r') ? '\r' : '');
  });
  return { stripped: lines.join('\n'), wants };
}

function listCases(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...listCases(p));
    else if (n.endsWith('.input.go')) out.push(p);
  }
  return out;
}

/** Run every case under `dir` with `rules`; each case's problems ([] = it passes). */
export async function runFixtures({ dir, rules, go }: RunFixturesOptions): Promise<CaseResult[]> {
  await initEngine();
  return listCases(dir).map((input) => {
    const name = relative(dir, input).replace(/\.input\.go$/, '');
    const problems: string[] = [];
    const { stripped, wants } = parseWants(readFileSync(input, 'utf8'));
    const caseDir = join(input, '..');
    const siblings = () =>
      readdirSync(caseDir)
        .filter((n) => n.endsWith('.go') && !n.endsWith('.input.go') && !n.endsWith('.output.go'))
        .map((n) => ({ absPath: join(caseDir, n), source: readFileSync(join(caseDir, n), 'utf8') }));
    const run = (source: string) =>
      processFile(
        { absPath: input, displayPath: name + '.input.go', source, goVersion: go ? parseGoVersion(go) : null, packageFiles: siblings },
        { rules, prefilter: false },
      );
    const r = run(stripped);
    for (const e of r.ruleErrors) problems.push(`rule error: ${e}`);
    const left = [...r.findings];
    for (const w of wants) {
      const i = left.findIndex((f) => f.start.line === w.line && w.message.test(f.message));
      if (i < 0) {
        problems.push(`line ${w.line}: no finding matching ${w.message}`);
        continue;
      }
      const [f] = left.splice(i, 1);
      if (w.fix && !f.fix) problems.push(`line ${w.line}: expected a fix: ${f.message}`);
      if (!w.fix && f.fix) problems.push(`line ${w.line}: expected no fix: ${f.message}`);
    }
    for (const f of left) problems.push(`line ${f.start.line}: unexpected finding [${f.rule}] ${f.message}`);
    let expected = stripped;
    try {
      expected = readFileSync(input.replace(/\.input\.go$/, '.output.go'), 'utf8');
    } catch {
      // No output file: the input must stay unchanged.
    }
    if (r.output !== expected) problems.push(`output differs from ${expected === stripped ? 'the input' : name + '.output.go'}`);
    else if (r.changed && run(r.output).changed) problems.push('a second run changes the output again (not idempotent)');
    return { case: name, problems };
  });
}
