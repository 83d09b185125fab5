// Text and JSON renderings of findings and of the run summary.
import { findingMessage, type Finding } from '../../engine/api.js';
import { renderDiff, type Hunk } from '../../engine/fastdiff.js';
import type { Summary } from '../../run/summary.js';
import { plural } from '../../util/text.js';

/** `path:line:col: rule: message`, the format editors and CI annotators parse. */
/** What the text and JSON renderings need of a finding (a run's WireFinding). */
type ReportedFinding = Pick<Finding, 'rule' | 'file' | 'message' | 'noFixReason' | 'start' | 'end'> & {
  fix: { description: string; hunks: Hunk[] | null } | null;
};

export function findingLine(f: ReportedFinding): string {
  return `${f.file}:${f.start.line}:${f.start.column}: ${f.rule}: ${findingMessage(f)}`;
}

export interface JsonFinding {
  rule: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The message as text outputs print it: with ` (no fix: <noFixReason>)` when there is a reason (as in v1). */
  message: string;
  fix: { description: string; diff: string } | null;
  /** Why there is no fix (null with a fix, or when none was given); added in v1 without a version change. */
  noFixReason: string | null;
}

export function jsonFinding(f: ReportedFinding): JsonFinding {
  return {
    rule: f.rule,
    file: f.file,
    line: f.start.line,
    column: f.start.column,
    endLine: f.end.line,
    endColumn: f.end.column,
    message: findingMessage(f),
    // The fix's own diff, rendered from its hunks ('' when the run did not ask for them).
    fix: f.fix ? { description: f.fix.description, diff: f.fix.hunks ? renderDiff(f.file, f.fix.hunks) : '' } : null,
    noFixReason: f.noFixReason ?? null,
  };
}

export function jsonDocument(findings: JsonFinding[], summary: Summary): string {
  return JSON.stringify({ version: 1, findings, summary }, null, 2) + '\n';
}

export type Mode = 'dry-run' | 'write' | 'check';


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
