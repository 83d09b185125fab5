// A run's counts: the JSON `summary` object every mode reports (src/run/scan.ts adds the
// batch counters), and the files that could not be processed.
import type { Rule } from '../rules/api.js';

export interface FileError {
  /** Display path. */
  file: string;
  message: string;
}

/** The JSON `summary` object; README documents every field. */
export interface Summary {
  filesScanned: number;
  bytesScanned: number;
  filesSkippedGenerated: number;
  filesIgnored: number;
  filesWithFindings: number;
  filesChanged: number;
  filesWritten: number;
  filesWithSyntaxErrors: number;
  findings: number;
  fixable: number;
  fixesApplied: number;
  fixesRejected: number;
  rules: Record<string, { findings: number; fixable: number }>;
  errors: FileError[];
}

export function emptySummary(rules: Rule[]): Summary {
  const perRule: Summary['rules'] = {};
  for (const r of rules) perRule[r.meta.id] = { findings: 0, fixable: 0 };
  return {
    filesScanned: 0,
    bytesScanned: 0,
    filesSkippedGenerated: 0,
    filesIgnored: 0,
    filesWithFindings: 0,
    filesChanged: 0,
    filesWritten: 0,
    filesWithSyntaxErrors: 0,
    findings: 0,
    fixable: 0,
    fixesApplied: 0,
    fixesRejected: 0,
    rules: perRule,
    errors: [],
  };
}
