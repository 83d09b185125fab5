// The corpus property check behind `npm run verify:corpus` and the corpus test: every
// Go file of a tree through every registered rule, each result checked by
// ./properties.ts, every changed file judged by gofmt against its input.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EngineOptions, FileResult } from '../engine/api.js';
import { processFile } from '../engine/engine.js';
import { allRules } from '../../transforms/index.js';
import type { Rule } from '../rules/api.js';
import { gofmtAvailable, gofmtBatch } from './gofmt.js';
import { checkResult, type Problem } from './properties.js';
import { passesPrefilter } from '../engine/prefilter.js';

interface CorpusReport {
  root: string;
  rules: string[];
  files: number;
  /** Not Go text (invalid UTF-8 or NUL bytes): the CLI skips these too. */
  skipped: { file: string; reason: string }[];
  filesWithSyntaxErrors: number;
  changed: number;
  findings: number;
  fixesApplied: number;
  rejectedFixes: number;
  /** Changed files whose input and output went through gofmt (0 when gofmt is missing). */
  gofmtChecked: number;
  /** Of those, files whose input gofmt already listed (their output is only required to parse). */
  gofmtUncleanInputs: number;
  /** Changed files gofmt -l lists after the fixes although their input was gofmt-clean (each is a failure). */
  gofmtListed: number;
  /** The engine's formatting stage over the changed files: total and worst milliseconds, files whose source was formatted too. */
  formatMs: number;
  formatMaxMs: number;
  formatSourceToo: number;
  /** Changed files where the formatting stage changed something (the fixes alone were not gofmt-exact). */
  formatEdited: number;
  failures: Problem[];
  ms: number;
}

/** Every regular *.go file under root (testdata and vendor included: hostile input is the point), sorted. */
export function listGoFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) visit(p);
      else if (ent.isFile() && ent.name.endsWith('.go')) out.push(p);
    }
  };
  visit(root);
  return out.sort();
}

/** Why bytes are not Go source text, or null. */
export function notGoText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return 'binary content (NUL bytes)';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'not valid UTF-8';
  }
  return null;
}

/**
 * A deterministic sample of n files: two thirds from files some rule's triggers match
 * (where fixes happen; new rules' triggers are picked up automatically), one third
 * from all files (syntax-error testdata, big files, files no rule touches).
 */
export function sampleFiles(files: readonly string[], n: number, rules: Rule[] = allRules): string[] {
  const hot = files.filter((f) => {
    const text = readFileSync(f, 'latin1');
    return rules.some((r) => (r.meta.triggers || r.meta.requires) && passesPrefilter(r.meta, text));
  });
  const pick = (from: readonly string[], k: number) => {
    if (from.length <= k) return [...from];
    const step = from.length / k;
    return Array.from({ length: k }, (_, i) => from[Math.floor(i * step)]);
  };
  const chosen = new Set(pick(hot, Math.round((n * 2) / 3)));
  for (const f of pick(files, n)) {
    if (chosen.size >= n) break;
    chosen.add(f);
  }
  return [...chosen].sort();
}

interface VerifyOptions {
  root: string;
  rules?: Rule[];
  /** Judge changed files with gofmt (default: when gofmt is installed). */
  gofmt?: boolean;
  onProgress?(done: number, total: number): void;
}

export function verifyFiles(files: readonly string[], opts: VerifyOptions): CorpusReport {
  const t0 = performance.now();
  const rules = opts.rules ?? allRules;
  // Every rule on every file: no prefilter, so a rule sees files its triggers miss too.
  const engine: EngineOptions = { rules, prefilter: false };
  const report: CorpusReport = {
    root: opts.root,
    rules: rules.map((r) => r.meta.id),
    files: 0,
    skipped: [],
    filesWithSyntaxErrors: 0,
    changed: 0,
    findings: 0,
    fixesApplied: 0,
    rejectedFixes: 0,
    gofmtChecked: 0,
    gofmtUncleanInputs: 0,
    gofmtListed: 0,
    formatMs: 0,
    formatMaxMs: 0,
    formatSourceToo: 0,
    formatEdited: 0,
    failures: [],
    ms: 0,
  };
  const changed: { file: string; input: string; output: string }[] = [];
  files.forEach((abs, i) => {
    opts.onProgress?.(i, files.length);
    const file = relative(opts.root, abs) || abs;
    const bytes = readFileSync(abs);
    const why = notGoText(bytes);
    if (why) {
      report.skipped.push({ file, reason: why });
      return;
    }
    const source = bytes.toString('utf8');
    report.files++;
    let result: FileResult;
    try {
      result = processFile({ absPath: abs, displayPath: file, source }, engine);
    } catch (e) {
      report.failures.push({ file, kind: 'exception', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return;
    }
    if (result.syntaxErrors) report.filesWithSyntaxErrors++;
    report.findings += result.findings.length;
    report.rejectedFixes += result.rejectedFixes;
    try {
      report.failures.push(...checkResult(result, { engine }));
    } catch (e) {
      report.failures.push({ file, kind: 'exception', detail: `while checking: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
    }
    if (result.changed) {
      report.changed++;
      report.fixesApplied += result.findings.filter((f) => f.fix).length;
      if (result.format) {
        report.formatMs += result.format.ms;
        report.formatMaxMs = Math.max(report.formatMaxMs, result.format.ms);
        if (result.format.sourceFormatted) report.formatSourceToo++;
        if (result.format.edits.length) report.formatEdited++;
      }
      changed.push({ file, input: source, output: result.output });
    }
  });
  opts.onProgress?.(files.length, files.length);

  if (opts.gofmt ?? gofmtAvailable()) {
    const g = judgeWithGofmt(changed);
    report.failures.push(...g.problems);
    report.gofmtUncleanInputs = g.uncleanInputs;
    report.gofmtListed = g.listed;
    report.gofmtChecked = changed.length;
  }
  report.ms = performance.now() - t0;
  return report;
}

/**
 * Real gofmt on every changed file, input and output: the output must parse when the
 * input did (gofmt-rejects), and be gofmt-clean when the input was (gofmt-unformatted).
 */
export function judgeWithGofmt(changed: readonly { file: string; input: string; output: string }[]): {
  problems: Problem[];
  uncleanInputs: number;
  listed: number;
} {
  const problems: Problem[] = [];
  let uncleanInputs = 0;
  let listed = 0;
  const verdicts = gofmtBatch(changed.flatMap((c) => [c.input, c.output]));
  changed.forEach((c, i) => {
    const input = verdicts[2 * i];
    const output = verdicts[2 * i + 1];
    if (input.parses && !input.formatted) uncleanInputs++;
    // A deliberately broken input cannot be judged by gofmt; the re-parse check covers it.
    if (input.parses && !output.parses) {
      problems.push({ file: c.file, kind: 'gofmt-rejects', detail: `gofmt -e rejects the output: ${output.error}` });
    } else if (input.parses && input.formatted && !output.formatted) {
      listed++;
      problems.push({ file: c.file, kind: 'gofmt-unformatted', detail: 'the input was gofmt-clean, the output is not' });
    }
  });
  return { problems, uncleanInputs, listed };
}

export function formatReport(r: CorpusReport, maxFailures = 50): string {
  const byKind = new Map<string, number>();
  for (const f of r.failures) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const lines = [
    `corpus           ${r.root}`,
    `rules            ${r.rules.join(', ')}`,
    `files            ${r.files} checked (${r.filesWithSyntaxErrors} with syntax errors), ${r.skipped.length} skipped as not Go text`,
    `findings         ${r.findings}`,
    `changed          ${r.changed} files, ${r.fixesApplied} fixes applied`,
    `rejected fixes   ${r.rejectedFixes} (dropped by the engine's safety net)`,
    `gofmt            ${r.gofmtChecked} changed files judged (input and output): ${r.gofmtListed} listed by gofmt -l after the fixes; ${r.gofmtUncleanInputs} inputs were not gofmt-clean before`,
    `format stage     ${r.changed ? (r.formatMs / r.changed).toFixed(1) : '0'} ms per changed file (max ${r.formatMaxMs.toFixed(1)} ms); it re-aligned ${r.formatEdited} files, formatted the source too for ${r.formatSourceToo}`,
    `failures         ${r.failures.length}${byKind.size ? ' (' + [...byKind].map(([k, n]) => `${k}: ${n}`).join(', ') + ')' : ''}`,
    `time             ${(r.ms / 1000).toFixed(1)} s`,
  ];
  for (const f of r.failures.slice(0, maxFailures)) lines.push(`  FAIL ${f.file}: ${f.kind}: ${f.detail.split('\n')[0]}`);
  if (r.failures.length > maxFailures) lines.push(`  ... and ${r.failures.length - maxFailures} more`);
  return lines.join('\n') + '\n';
}
