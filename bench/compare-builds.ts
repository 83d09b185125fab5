// npm run compare -- BASE [TARGET...] [--head DIR]
// Whether two builds of gopitfix give the same results: for each target directory, both
// builds run `--json --no-cache --jobs 1` and a dry run (default --jobs) over `./...`, and
// the findings (with their fixes), the written diffs and stderr must be byte for byte the
// same. BASE and --head (default: this checkout) are built checkouts (bin/gopitfix.js and
// dist/); a TARGET is a directory, or DIR@1.N to add `--go 1.N`. Without targets: the Go
// standard library, as it is and with --go 1.25. This is how a change that must not
// change behaviour (performance work, refactors) is checked on real code before the
// precision ledgers record it. Exit 1 when anything differs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const STDLIB = '/usr/share/go-1.19/src';

interface Output {
  findings: string;
  fixes: number;
  diff: string;
  stderr: string;
}

function gopitfix(build: string, dir: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(build, 'bin', 'gopitfix.js'), '--no-cache', '--quiet', ...args, './...'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, FORCE_COLOR: '', NO_COLOR: '1' },
  });
  if (r.error) throw new Error(`${build}: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1 && r.status !== 3) throw new Error(`${build} in ${dir}: exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function outputs(build: string, dir: string, go: string | null): Output {
  const version = go ? ['--go', go] : [];
  const json = gopitfix(build, dir, ['--json', '--jobs', '1', ...version]);
  const findings = (JSON.parse(json.stdout) as { findings: { fix?: unknown }[] }).findings;
  const dry = gopitfix(build, dir, ['--no-color', ...version]);
  return { findings: JSON.stringify(findings), fixes: findings.filter((f) => f.fix).length, diff: dry.stdout, stderr: json.stderr + dry.stderr };
}

function usage(why: string): never {
  process.stderr.write(`compare-builds: ${why}\nusage: npm run compare -- BASE_CHECKOUT [DIR | DIR@1.N ...] [--head CHECKOUT]\n`);
  process.exit(2);
}

function main(argv: string[]): number {
  let head = ROOT;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--head') head = resolve(argv[++i] ?? usage('--head needs a directory'));
    else if (argv[i].startsWith('-')) usage(`unknown flag ${argv[i]}`);
    else rest.push(argv[i]);
  }
  const base = rest.shift();
  if (!base) usage('no base checkout');
  for (const b of [resolve(base), head]) if (!existsSync(join(b, 'dist'))) usage(`${b}: not a built checkout (run npm run build there)`);
  const targets = rest.length ? rest : [STDLIB, `${STDLIB}@1.25`];
  let fixes = 0;
  let differing = 0;
  for (const t of targets) {
    const at = t.lastIndexOf('@');
    const [dir, go] = at > 0 ? [t.slice(0, at), t.slice(at + 1)] : [t, null];
    const a = outputs(resolve(base), dir, go);
    const b = outputs(head, dir, go);
    const differ = (['findings', 'diff', 'stderr'] as const).filter((k) => a[k] !== b[k]);
    fixes += b.fixes;
    if (differ.length) differing++;
    process.stdout.write(`${t}: ${differ.length ? `DIFFERS in ${differ.join(', ')}` : 'identical'} (${a.fixes} / ${b.fixes} fixes)\n`);
  }
  process.stdout.write(`${targets.length} targets (${2 * targets.length} runs per build), ${fixes} fixes, ${differing} differing\n`);
  return differing ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`compare-builds: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
