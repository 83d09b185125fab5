// npm run review -- --rules <id>[,<id>] [--sample N] [--seed S] [other gopitfix flags] <corpus-dir>...
// Precision review sheet (docs/precision/): runs the rule(s) over each corpus directory
// (one directory per repository, e.g. a fetched snapshot's .go/go.mod files) exactly as a
// user would (the built CLI with --json), then prints every fix — or a seeded,
// repository-stratified random sample of N fixes — as Markdown with the enclosing
// function, so a reviewer can judge each one without opening the tree. Findings without
// a fix are listed after the fixes. A `.commit` file in a corpus directory is quoted as
// the reviewed commit.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The seeded PRNG (mulberry32) the fuzzer uses, so a sample can be drawn again.
import { rng } from '../src/verify/mutate.js';

interface Finding {
  rule: string;
  file: string;
  line: number;
  column: number;
  message: string;
  fix: { description: string; diff: string } | null;
}

interface Row extends Finding {
  repo: string;
  root: string;
}

const CLI = resolve(fileURLToPath(import.meta.url), '../../../bin/gopitfix.js');

function usage(msg: string): never {
  throw new Error(`${msg} (usage: npm run review -- --rules ID [--sample N] [--seed S] [--max-unfixed N] dir...)`);
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Round-robin over repositories (each shuffled) so a sample is stratified. */
function stratified(rows: Row[], n: number, seed: number): Row[] {
  const rand = rng(seed);
  const byRepo = new Map<string, Row[]>();
  for (const r of rows) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r]);
  const queues = [...byRepo.keys()].sort().map((k) => shuffle(byRepo.get(k)!, rand));
  const out: Row[] = [];
  while (out.length < n && queues.some((q) => q.length)) {
    for (const q of queues) if (q.length && out.length < n) out.push(q.shift()!);
  }
  return out;
}

/** The top-level declaration around `line` (1-based): from its `func`/`var` line to the closing brace at column 0. */
function enclosing(text: string, line: number, maxLines = 120): string {
  const lines = text.split('\n');
  let start = line - 1;
  while (start > 0 && !/^(func|var|type|const)\b/.test(lines[start])) start--;
  let end = line - 1;
  while (end < lines.length - 1 && !/^[)}]/.test(lines[end])) end++;
  if (end - start + 1 > maxLines) {
    const from = Math.max(start, line - 1 - maxLines / 2);
    const to = Math.min(end, from + maxLines - 1);
    return lines.slice(from, to + 1).map((l, i) => `${String(from + i + 1).padStart(5)}  ${l}`).join('\n') + '\n  (cut)';
  }
  return lines.slice(start, end + 1).map((l, i) => `${String(start + i + 1).padStart(5)}  ${l}`).join('\n');
}

function runRepo(dir: string, rules: string, extra: string[]): Row[] {
  const res = spawnSync(process.execPath, [CLI, '--json', '--rules', rules, '--jobs', '1', ...extra, './...'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (res.status !== 0 && res.status !== 3) throw new Error(`${dir}: gopitfix exited ${res.status}: ${res.stderr.slice(0, 500)}`);
  const doc = JSON.parse(res.stdout) as { findings: Finding[] };
  return doc.findings.map((f) => ({ ...f, repo: basename(dir), root: dir }));
}

function main(): void {
  const argv = process.argv.slice(2);
  let rules = '';
  let sample = 0;
  let seed = 1;
  let maxUnfixed = 200;
  const extra: string[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a.startsWith('--rules')) rules = val();
    else if (a.startsWith('--sample')) sample = Number(val());
    else if (a.startsWith('--seed')) seed = Number(val());
    else if (a.startsWith('--max-unfixed')) maxUnfixed = Number(val());
    else if (a.startsWith('--go') || a.startsWith('--config')) extra.push(a.includes('=') ? a : `${a}=${argv[++i]}`);
    else if (a.startsWith('-')) extra.push(a);
    else dirs.push(resolve(a));
  }
  if (!rules) usage('--rules is required');
  if (!dirs.length) usage('give at least one corpus directory');
  const all: Row[] = [];
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory()) usage(`${d}: not a directory`);
    process.stderr.write(`review: ${basename(d)}...\n`);
    all.push(...runRepo(d, rules, extra));
  }
  const fixes = all.filter((f) => f.fix);
  const unfixed = all.filter((f) => !f.fix);
  const picked = sample && sample < fixes.length ? stratified(fixes, sample, seed) : fixes;
  const out: string[] = [];
  out.push(`# Review sheet: ${rules}`, '');
  out.push('| repository | commit | findings | fixes |', '| --- | --- | --- | --- |');
  for (const d of dirs) {
    const repo = basename(d);
    const commitFile = join(d, '.commit');
    const commit = existsSync(commitFile) ? readFileSync(commitFile, 'utf8').trim().slice(0, 12) : '?';
    out.push(`| ${repo} | ${commit} | ${all.filter((f) => f.repo === repo).length} | ${fixes.filter((f) => f.repo === repo).length} |`);
  }
  out.push('', `Fixes shown: ${picked.length} of ${fixes.length}${picked.length < fixes.length ? ` (stratified sample, seed ${seed})` : ''}.`, '');
  picked.forEach((f, i) => {
    const text = readFileSync(join(f.root, f.file), 'utf8');
    out.push(`## F${i + 1}. ${f.repo} ${f.file}:${f.line} (${f.rule})`, '', f.message, '', `Fix: ${f.fix!.description}`, '');
    out.push('```diff', f.fix!.diff.trimEnd(), '```', '', '<details><summary>enclosing declaration</summary>', '', '```go', enclosing(text, f.line), '```', '</details>', '');
  });
  out.push(`# Findings without a fix (${unfixed.length}${unfixed.length > maxUnfixed ? `, first ${maxUnfixed} of a seeded shuffle` : ''})`, '');
  for (const f of unfixed.length > maxUnfixed ? stratified(unfixed, maxUnfixed, seed) : unfixed) {
    out.push(`- ${f.repo} ${f.file}:${f.line} (${f.rule}): ${f.message}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

try {
  main();
} catch (e) {
  process.stderr.write(`review: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
