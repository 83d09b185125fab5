// The detailed end summary of a batch run (on a terminal, or with --stats), after the
// one-line summary of report.ts.
import type { BatchSummary } from '../../run/scan.js';
import { plural } from '../../util/text.js';

/** The Go grammar gopitfix parses with, and the newest Go release whose syntax it knows (README). */
const GRAMMAR = { name: 'tree-sitter-go 0.25', goSyntax: '1.25' };
const SYNTAX_LIST_MAX = 20;

/** The files the grammar could not parse, where, and the likely reason. */
function syntaxErrorLines(list: readonly { file: string; line: number; column: number }[]): string[] {
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
