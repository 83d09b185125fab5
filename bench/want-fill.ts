// Write the findings gopitfix reports today into fixture inputs as `// want` expectations
// (src/testing/want.ts), replacing the ones there, and print them for review:
//
//   npm run build && node dist/bench/want-fill.js [--dry-run] [fixtures/<rule> ...]
//
// Default: every rule directory under fixtures/. Each directory's cases run with the rule it is
// named after (and fixture.json's rules). A finding the script writes is what the rule does,
// not what it should do: read the printed list before committing (a wrong finding is a rule
// bug to report, not an expectation to enshrine). The script refuses to write a file whose
// stripped text would differ from what ran.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initEngine } from '../src/engine/engine.js';
import type { Finding } from '../src/engine/api.js';
import { findRule } from '../transforms/index.js';
import { listFixtureCases, parseExpectations, readFixtureText, runFixtureSource } from '../src/testing/fixtures.js';

const MAX_PATTERN = 48;

/** A regular expression for the start of `text`: about MAX_PATTERN characters, cut at a word end. */
export function patternFor(text: string): string {
  let cut = text;
  if (cut.length > MAX_PATTERN) {
    const sp = cut.lastIndexOf(' ', MAX_PATTERN);
    cut = cut.slice(0, sp > 16 ? sp : MAX_PATTERN);
  }
  const re = cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return re.includes('`') ? JSON.stringify(re) : `\`${re}\``;
}

export function expectationFor(f: Pick<Finding, 'message' | 'fix' | 'noFixReason'>): string {
  const msg = patternFor(f.message);
  if (f.fix) return msg;
  return f.noFixReason ? `${msg} nofix:${patternFor(f.noFixReason)}` : `${msg} nofix`;
}

/** gofmt's output for `text`, or null when gofmt is missing or rejects it. */
function gofmt(text: string): string | null {
  const r = spawnSync('gofmt', [], { input: text, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dry = args.includes('--dry-run');
  let dirs = args.filter((a) => !a.startsWith('--'));
  const root = resolve('fixtures');
  if (dirs.length === 0) {
    const { readdirSync, statSync } = await import('node:fs');
    dirs = readdirSync(root)
      .filter((n) => statSync(join(root, n)).isDirectory())
      .sort()
      .map((n) => join(root, n));
  }
  await initEngine();
  let cases = 0;
  let withFix = 0;
  let withoutFix = 0;
  for (const dir of dirs) {
    const id = basename(resolve(dir));
    const rule = findRule(id);
    if (!rule) throw new Error(`${dir}: not named after a rule`);
    for (const c of listFixtureCases(dir)) {
      cases++;
      const raw = readFileSync(c.input, 'utf8');
      const stripped = parseExpectations(raw).stripped;
      const r = runFixtureSource(c, readFixtureText(c, c.input), { rules: [rule] });
      const byLine = new Map<number, Finding[]>();
      for (const f of r.findings) byLine.set(f.start.line, [...(byLine.get(f.start.line) ?? []), f]);
      const lines = stripped.split('\n');
      for (const [line, fs] of byLine) lines[line - 1] += ` // want ${fs.map(expectationFor).join(' ')}`;
      let next = lines.join('\n');
      if (parseExpectations(next).stripped !== stripped) throw new Error(`${c.input}: the expectations would not strip back to the input`);
      // Keep a gofmt-clean input gofmt-clean (gofmt aligns the new trailing comments), when
      // that changes nothing but the blanks before them.
      if (gofmt(stripped) === stripped) {
        const formatted = gofmt(next);
        if (formatted !== null && parseExpectations(formatted).stripped === stripped) next = formatted;
      }
      for (const f of r.findings) {
        if (f.fix) withFix++;
        else withoutFix++;
        const kind = f.fix ? `FIX ${f.fix.description}` : `NOFIX ${f.noFixReason ?? '(no reason)'}`;
        process.stdout.write(`${id}/${c.name}:${f.start.line}: ${f.rule}: ${f.message}\n    ${kind}\n`);
      }
      if (r.findings.length === 0) process.stdout.write(`${id}/${c.name}: (no findings)\n`);
      if (!dry && next !== raw) writeFileSync(c.input, next);
    }
  }
  process.stderr.write(`${cases} cases, ${withFix + withoutFix} findings: ${withFix} with a fix, ${withoutFix} without\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    process.stderr.write(`want-fill: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
