// The batch run: discovered files → tasks (with the rules/options/version each file's
// gopitfix.json gives it) → the worker pool → results in path order → the summary.
// What is done with each result (print, collect, write) is the caller's business.
import type { DiscoveredFile } from './discover.js';
import type { Rule } from '../rules/api.js';
import { emptySummary, type FileError, type Summary } from './summary.js';
import type { FileSettings } from './config-settings.js';
import { runPool } from './pool.js';
import type { Profile, Task, TaskSettings, WireResult } from './task.js';


function isTestFile(path: string): boolean {
  return /(^|[\\/])[^\\/]*_test\.go$/.test(path);
}

/** The core summary plus the batch counters (all additive JSON fields). */
export interface BatchSummary extends Summary {
  /** Files given to the parser (scanned minus ignored minus those no trigger matched). */
  filesParsed: number;
  /** Files read but not parsed: no enabled rule's trigger text occurs in them. */
  filesSkippedNoTrigger: number;
  /** Files read but not parsed: no enabled rule applies to their Go version. */
  filesSkippedGoVersion: number;
  /** Per enabled rule: files it did not run on because of their Go version. */
  rulesOutOfVersion: Record<string, number>;
  /** Files left out by --exclude or a gopitfix.json `exclude`. */
  filesExcluded: number;
  /** vendor/ directories not walked (--include-vendor walks them). */
  vendorDirsSkipped: number;
  /** Files not written because they changed on disk after they were read. */
  filesSkippedChangedOnDisk: number;
  /**
   * Files the grammar could not parse cleanly, with where the first error is (their
   * other fixes still apply); `filesWithSyntaxErrors` stays their count.
   */
  syntaxErrors: { file: string; line: number; column: number }[];
  /** _test.go files left out by --tests=false or gopitfix.json `tests: false`. */
  filesSkippedTests: number;
  /** Findings in _test.go files (included in `findings`). */
  findingsInTests: number;
}

interface BatchOptions {
  rules: Rule[];
  jobs: number;
  settings: TaskSettings;
  settingsFor?: (file: DiscoveredFile) => FileSettings | null;
}

interface BatchHandlers {
  onResult(file: DiscoveredFile, result: WireResult): void;
  onError(error: FileError): void;
  /** After each file, processed or not (progress). */
  onProgress?(findings: number): void;
}

function emptyBatchSummary(rules: Rule[]): BatchSummary {
  return {
    ...emptySummary(rules),
    filesParsed: 0,
    filesSkippedNoTrigger: 0,
    filesSkippedGoVersion: 0,
    rulesOutOfVersion: {},
    filesExcluded: 0,
    vendorDirsSkipped: 0,
    filesSkippedChangedOnDisk: 0,
    syntaxErrors: [],
    filesSkippedTests: 0,
    findingsInTests: 0,
  };
}

/** Files that will actually be run (not excluded by config), for the dirty-tree guard and progress. */
export function plan(files: readonly DiscoveredFile[], opts: Pick<BatchOptions, 'rules' | 'settingsFor'>) {
  const tasks: Task[] = [];
  const taskFiles: DiscoveredFile[] = [];
  const profiles = new Map<number, Profile>();
  const profileIds = new Map<string, number>();
  const preErrors: DiscoveredFile[] = [];
  let excluded = 0;
  let skippedTests = 0;
  const idOfChoice = new Map<FileSettings, number>();
  const profileOf = (c: FileSettings): number => {
    const known = idOfChoice.get(c);
    if (known !== undefined) return known;
    const p: Profile = { ruleIds: c.rules.map((r) => r.meta.id), ruleOptions: c.ruleOptions, go: c.goVersion, tests: c.tests ?? null };
    const key = JSON.stringify(p);
    let id = profileIds.get(key);
    if (id === undefined) {
      id = profileIds.size;
      profileIds.set(key, id);
      profiles.set(id, p);
    }
    idOfChoice.set(c, id);
    return id;
  };
  const base: FileSettings = { rules: opts.rules, ruleOptions: {}, goVersion: null };
  for (const f of files) {
    if (f.error) {
      preErrors.push(f);
      continue;
    }
    const choice = opts.settingsFor ? opts.settingsFor(f) : base;
    if (choice === null) {
      excluded++;
      continue;
    }
    if (choice.tests === false && !f.explicit && isTestFile(f.absPath)) {
      skippedTests++;
      continue;
    }
    tasks.push({ index: tasks.length, absPath: f.absPath, displayPath: f.displayPath, profile: profileOf(choice) });
    taskFiles.push(f);
  }
  return { tasks, taskFiles, profiles, preErrors, excluded, skippedTests };
}

/** Run the files; handlers see results in path order. `planned`: plan(files, opts), when the caller made it already. */
export async function scanBatch(
  files: readonly DiscoveredFile[],
  opts: BatchOptions,
  handlers: BatchHandlers,
  planned: ReturnType<typeof plan> = plan(files, opts),
): Promise<BatchSummary> {
  const summary = emptyBatchSummary(opts.rules);
  const fail = (file: string, message: string) => {
    const err = { file, message };
    summary.errors.push(err);
    handlers.onError(err);
  };
  const p = planned;
  summary.filesExcluded = p.excluded;
  summary.filesSkippedTests = p.skippedTests;
  // Entries known to be unprocessable before reading keep their place in path order.
  const early = new Map(p.preErrors.map((f) => [f.absPath, f]));
  const flushEarly = (upTo: string | null) => {
    for (const [abs, f] of early) {
      if (upTo !== null && abs > upTo) break;
      early.delete(abs);
      fail(f.displayPath, f.error!);
      handlers.onProgress?.(0);
    }
  };
  await runPool(p.tasks, { jobs: opts.jobs, settings: opts.settings, profiles: p.profiles }, (r) => {
    const file = p.taskFiles[r.index];
    flushEarly(file.absPath);
    tally(summary, file, r, fail);
    handlers.onProgress?.(r.findings.length);
    if (r.kind === 'ok') handlers.onResult(file, r);
  });
  flushEarly(null);
  return summary;
}

function tally(s: BatchSummary, file: DiscoveredFile, r: WireResult, fail: (file: string, message: string) => void): void {
  if (r.kind === 'error') {
    fail(file.displayPath, r.error ?? 'cannot process');
    return;
  }
  if (r.kind === 'generated') {
    s.filesSkippedGenerated++;
    return;
  }
  // A rule that threw is a bug in gopitfix: the file's other findings still count, but
  // the run must not look clean (exit 3).
  // One entry per file, however many rules failed on it (issue 16: files are counted).
  if (r.ruleErrors.length) fail(file.displayPath, r.ruleErrors.map((re) => `internal error in rule ${re}`).join('; '));
  s.filesScanned++;
  s.bytesScanned += r.bytes;
  if (r.ignoredFile) s.filesIgnored++;
  else if (r.skippedByGoVersion) s.filesSkippedGoVersion++;
  else if (r.skippedByPrefilter) s.filesSkippedNoTrigger++;
  else s.filesParsed++;
  for (const id of r.rulesOutOfVersion ?? []) s.rulesOutOfVersion[id] = (s.rulesOutOfVersion[id] ?? 0) + 1;
  if (r.syntaxErrors) {
    s.filesWithSyntaxErrors++;
    s.syntaxErrors.push({ file: file.displayPath, line: r.syntaxError?.line ?? 1, column: r.syntaxError?.column ?? 1 });
  }
  if (r.changed) s.filesChanged++;
  if (r.findings.length) s.filesWithFindings++;
  s.fixesRejected += r.rejectedFixes;
  const inTests = isTestFile(file.absPath);
  for (const f of r.findings) {
    s.findings++;
    if (inTests) s.findingsInTests++;
    const perRule = (s.rules[f.rule] ??= { findings: 0, fixable: 0 });
    perRule.findings++;
    if (f.fix) {
      s.fixable++;
      perRule.fixable++;
    }
  }
}
