// The per-file pipeline shared by the CLI and the benchmark: read, skip generated
// files, run the engine, count. What happens to each result (print a diff, write the
// file, collect JSON) is the caller's business, so the bench measures the CLI's path.
import { readFileSync, statSync } from 'node:fs';
import { contentProblem, sizeProblem } from './fsguard.js';
import { processFile } from '../engine/engine.js';
import type { EngineOptions, FileResult } from '../engine/api.js';
import type { GoVersion } from '../go/version.js';
import type { Rule } from '../rules/api.js';
import { errText, isGenerated, type DiscoveredFile } from './discover.js';

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

export interface ScanConfig {
  rules: Rule[];
  goVersion: GoVersion | null;
  includeGenerated: boolean;
  /** --max-file-size in bytes (default 10 MB). */
  maxFileSize?: number;
  /** Per-file settings from gopitfix.json (src/run/config-settings.ts); null skips an excluded file. */
  settingsFor?: (file: DiscoveredFile) => FileSettings | null;
}

/** What a file runs with when a gopitfix.json governs it. */
export interface FileSettings {
  rules: Rule[];
  ruleOptions: Record<string, Record<string, unknown>>;
  goVersion: GoVersion | null;
  /** Test-file policy: false skips _test.go files, true includes them for every rule, null = unset. */
  tests?: boolean | null;
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

export interface ScanHandlers {
  onResult(file: DiscoveredFile, result: FileResult): void;
  /** Called once per file that could not be processed (also recorded in summary.errors). */
  onError(error: FileError): void;
}

/** Process the discovered files in order. The engine must be initialized (initEngine). */
export function scanFiles(files: readonly DiscoveredFile[], config: ScanConfig, handlers: ScanHandlers): Summary {
  const summary = emptySummary(config.rules);
  const engineOpts: EngineOptions = { rules: config.rules, goVersion: config.goVersion };
  const fail = (file: string, message: string) => {
    const err = { file, message };
    summary.errors.push(err);
    handlers.onError(err);
  };
  for (const file of files) {
    if (file.error) {
      fail(file.displayPath, file.error);
      continue;
    }
    const settings = config.settingsFor?.(file);
    if (settings === null) continue; // excluded by gopitfix.json
    // --tests=false / "tests": false: walked _test.go files are left out (as in src/run/scan.ts).
    if (settings?.tests === false && !file.explicit && /_test\.go$/.test(file.absPath)) continue;
    let bytes: Buffer;
    try {
      const big = sizeProblem(statSync(file.absPath).size, config.maxFileSize);
      if (big) {
        fail(file.displayPath, big);
        continue;
      }
      bytes = readFileSync(file.absPath);
    } catch (e) {
      fail(file.displayPath, `cannot read: ${errText(e)}`);
      continue;
    }
    const notText = contentProblem(bytes);
    if (notText) {
      fail(file.displayPath, notText);
      continue;
    }
    const source = bytes.toString('utf8');
    if (!config.includeGenerated && isGenerated(source)) {
      summary.filesSkippedGenerated++;
      continue;
    }
    let result: FileResult;
    try {
      result = processFile(
        {
          absPath: file.absPath,
          displayPath: file.displayPath,
          source,
          ...(config.goVersion ? { goVersion: config.goVersion } : {}),
        },
        settings ? { ...engineOpts, ...settings } : engineOpts,
      );
    } catch (e) {
      // One file tripping the engine must not stop the run; it is reported like an
      // unreadable file (exit 3) with the reason.
      fail(file.displayPath, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    // A rule that threw is a bug in gopitfix; the file's other findings and fixes still
    // count, but the run must not look clean (exit 3).
    if (result.ruleErrors?.length) fail(file.displayPath, result.ruleErrors.map((re) => `internal error in rule ${re}`).join('; '));
    summary.filesScanned++;
    summary.bytesScanned += bytes.length;
    if (result.ignoredFile) summary.filesIgnored++;
    if (result.syntaxErrors) summary.filesWithSyntaxErrors++;
    if (result.changed) summary.filesChanged++;
    if (result.findings.length) summary.filesWithFindings++;
    summary.fixesRejected += result.rejectedFixes;
    for (const f of result.findings) {
      summary.findings++;
      const perRule = (summary.rules[f.rule] ??= { findings: 0, fixable: 0 });
      perRule.findings++;
      if (f.fix) {
        summary.fixable++;
        perRule.fixable++;
      }
    }
    handlers.onResult(file, result);
  }
  return summary;
}
