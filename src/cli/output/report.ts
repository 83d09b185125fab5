// Text and JSON renderings of findings and of the run summary.
import type { Finding } from '../../engine/api.js';
import { renderDiff, type Hunk } from '../../engine/fastdiff.js';
import type { Summary } from '../../run/summary.js';
import type { BatchSummary } from '../../run/scan.js';

/** `path:line:col: rule: message`, the format editors and CI annotators parse. */
/** What the text and JSON renderings need of a finding (a run's WireFinding). */
export type ReportedFinding = Pick<Finding, 'rule' | 'file' | 'message' | 'start' | 'end'> & {
  fix: { description: string; hunks: Hunk[] | null } | null;
};

export function findingLine(f: ReportedFinding): string {
  return `${f.file}:${f.start.line}:${f.start.column}: ${f.rule}: ${f.message}`;
}

export interface JsonFinding {
  rule: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fix: { description: string; diff: string } | null;
}

export function jsonFinding(f: ReportedFinding): JsonFinding {
  return {
    rule: f.rule,
    file: f.file,
    line: f.start.line,
    column: f.start.column,
    endLine: f.end.line,
    endColumn: f.end.column,
    message: f.message,
    // The fix's own diff, rendered from its hunks ('' when the run did not ask for them).
    fix: f.fix ? { description: f.fix.description, diff: f.fix.hunks ? renderDiff(f.file, f.fix.hunks) : '' } : null,
  };
}

export function jsonDocument(findings: JsonFinding[], summary: Summary): string {
  return JSON.stringify({ version: 1, findings, summary }, null, 2) + '\n';
}

export type Mode = 'dry-run' | 'write' | 'check';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The one-line summary printed on stderr at the end of a text-mode run. */
export function summaryLine(s: Summary, mode: Mode, writeHint = true): string {
  const parts: string[] = [];
  if (s.findings === 0) {
    parts.push(`no findings in ${plural(s.filesScanned, 'file')}`);
  } else {
    const fixWord = mode === 'write' ? 'fixed' : 'fixable';
    const fixed = mode === 'write' ? s.fixesApplied : s.fixable;
    parts.push(`${plural(s.findings, 'finding')} (${fixed} ${fixWord}) in ${s.filesWithFindings} of ${plural(s.filesScanned, 'file')}`);
    // Only where the output is a patch: SARIF and annotations are reports, not a dry run.
    if (mode === 'dry-run' && s.fixable > 0 && writeHint) parts.push('dry run, use --write to apply');
    if (mode === 'write') parts.push(`wrote ${plural(s.filesWritten, 'file')}`);
  }
  if (s.fixesRejected) {
    parts.push(`${s.fixesRejected} ${s.fixesRejected === 1 ? 'fix' : 'fixes'} rejected (would break the syntax)`);
  }
  if (s.filesSkippedGenerated) {
    parts.push(`${plural(s.filesSkippedGenerated, 'generated file')} skipped (--include-generated to process)`);
  }
  // Files, not failures: one file can fail in two rules, or fail a rule and then the write.
  const failed = new Set(s.errors.map((e) => e.file)).size;
  if (failed) parts.push(`${plural(failed, 'file')} could not be processed`);
  return `gopitfix: ${parts.join('; ')}`;
}

/** The Go grammar gopitfix parses with, and the newest Go release whose syntax it knows (README). */
export const GRAMMAR = { name: 'tree-sitter-go 0.25', goSyntax: '1.25' };
const SYNTAX_LIST_MAX = 20;

/** The files the grammar could not parse, where, and the likely reason. */
export function syntaxErrorLines(list: readonly { file: string; line: number; column: number }[]): string[] {
  const out = [
    `  syntax    ${plural(list.length, 'file')} the grammar could not parse (fixes elsewhere in ${list.length === 1 ? 'it' : 'them'} still apply);`,
    `            code that builds may use Go syntax newer than ${GRAMMAR.name} knows (Go ${GRAMMAR.goSyntax}), e.g. Go 1.26's new(expr):`,
  ];
  for (const e of list.slice(0, SYNTAX_LIST_MAX)) out.push(`              ${e.file}:${e.line}:${e.column}`);
  if (list.length > SYNTAX_LIST_MAX) out.push(`              ... and ${list.length - SYNTAX_LIST_MAX} more (all in --json: summary.syntaxErrors)`);
  return out;
}

/** The detailed end summary (terminal or --stats), after the one-line summary. */
export function detailedSummary(
  s: BatchSummary,
  mode: 'dry-run' | 'write' | 'check',
  wallMs: number,
  fixedPerRule: Map<string, number>,
  /** Files the run set out to process (the progress line's total). */
  found?: number,
): string {
  const skipped: string[] = [];
  if (s.filesSkippedNoTrigger) skipped.push(`${s.filesSkippedNoTrigger} no rule trigger`);
  if (s.filesSkippedGoVersion) skipped.push(`${s.filesSkippedGoVersion} no rule for their Go version`);
  if (s.filesIgnored) skipped.push(`${s.filesIgnored} ignore-file`);
  if (s.filesSkippedGenerated) skipped.push(`${s.filesSkippedGenerated} generated`);
  if (s.filesExcluded) skipped.push(`${s.filesExcluded} excluded`);
  if (s.filesSkippedTests) skipped.push(`${plural(s.filesSkippedTests, 'test file')} (--tests=false)`);
  if (s.vendorDirsSkipped) skipped.push(`${plural(s.vendorDirsSkipped, 'vendor dir')}`);
  if (s.errors.length) skipped.push(`${new Set(s.errors.map((e) => e.file)).size} unreadable or failed`);
  const lines = [
    `  files     ${found !== undefined ? `${found} found: ` : ''}${s.filesScanned} scanned (${(s.bytesScanned / 1e6).toFixed(1)} MB), ${s.filesParsed} parsed, ${s.filesWithSyntaxErrors} with syntax errors`,
    `  skipped   ${skipped.length ? skipped.join(', ') : 'none'}`,
  ];
  if (s.syntaxErrors.length) lines.push(...syntaxErrorLines(s.syntaxErrors));
  const ruleIds = Object.keys(s.rules).filter((id) => s.rules[id].findings > 0 || s.rulesOutOfVersion[id]);
  if (ruleIds.length) {
    const w = Math.max(...ruleIds.map((id) => id.length));
    lines.push('  rules');
    for (const id of ruleIds) {
      const r = s.rules[id] ?? { findings: 0, fixable: 0 };
      const fixed = mode === 'write' ? `, ${fixedPerRule.get(id) ?? 0} fixed` : '';
      const off = s.rulesOutOfVersion[id] ? ` (not run on ${plural(s.rulesOutOfVersion[id], 'file')}: Go version out of its range)` : '';
      lines.push(`    ${id.padEnd(w)}  ${plural(r.findings, 'finding')}, ${r.fixable} fixable${fixed}${off}`);
    }
  }
  lines.push(
    `  fixes     ${s.fixable} fixable, ${s.fixesApplied} applied, ${s.fixesRejected} rejected by the safety net`,
    `  written   ${plural(s.filesWritten, 'file')}${s.filesSkippedChangedOnDisk ? ` (${s.filesSkippedChangedOnDisk} skipped: changed on disk)` : ''}`,
    `  time      ${(wallMs / 1000).toFixed(2)} s`,
  );
  return lines.join('\n') + '\n';
}
