// The batch front end, every non-interactive mode: the dirty-tree guard, the batch scan
// (src/run/scan.ts), the outputs (text, json, sarif, github), writes, progress and the
// summaries. main.ts parses arguments, discovers and selects files (src/run/select.ts),
// then hands over here.
import { relative, resolve, sep } from 'node:path';
import { errText, type DiscoveredFile } from '../run/discover.js';
import { allRules } from '../../transforms/index.js';
import type { Rule } from '../rules/api.js';
import { colorizeDiff, filePatch } from './output/diff.js';
import { useColor } from './output/color.js';
import { findingLine, jsonDocument, jsonFinding, summaryLine, type JsonFinding, type Mode } from './output/report.js';
import { detailedSummary } from './output/summary.js';
import { githubAnnotation, sarifDocument } from './output/sarif.js';
import type { CliOptions } from './args.js';
import { dirtyTreeMessage, writeIfUnchanged } from '../run/guard.js';
import { defaultJobs } from '../run/pool.js';
import { defaultCacheDir, maybeTrimCache } from '../run/cache.js';
import { Progress } from './progress.js';
import { plan, scanBatch } from '../run/scan.js';
import type { FileSettings } from '../run/config-settings.js';
import type { Io } from './io.js';
import { workTreeRoot, type Preselection } from '../run/select.js';
import type { WireFinding } from '../run/task.js';
import { WriteRefused } from '../run/atomic-write.js';
import { exitBetweenFiles, writeRoots } from '../run/fsguard.js';

interface BatchRun {
  opts: CliOptions;
  files: DiscoveredFile[];
  rules: Rule[];
  settingsFor?: (file: DiscoveredFile) => FileSettings | null;
  pre: Preselection;
  io: Io;
  version: string;
}

/** Returns the exit code (0, 1, 2 or 3, as in the core contract). */
export async function runBatchCli(run: BatchRun): Promise<number> {
  const { opts, io, files, rules } = run;
  const started = Date.now();
  const mode: Mode = opts.write ? 'write' : opts.check ? 'check' : 'dry-run';
  const format = opts.json ? 'json' : opts.format;

  const planned = plan(files, { rules, settingsFor: run.settingsFor });
  if (mode === 'write' && !opts.allowDirty) {
    const refusal = dirtyTreeMessage(planned.taskFiles.map((f) => f.absPath), io.cwd);
    if (refusal) {
      io.err(`gopitfix: ${refusal}\n`);
      return 2;
    }
  }

  const cacheDir = opts.cache ? (opts.cacheDir !== null ? resolve(io.cwd, opts.cacheDir) : defaultCacheDir(io.env)) : null;
  const cacheUse = { hits: 0, unread: 0, stored: 0, storedBytes: 0 };
  const color = useColor(opts.color, io.env, io.stdoutIsTTY);
  const total = planned.tasks.length + planned.preErrors.length;
  const progress = new Progress({ write: io.err, columns: io.columns }, total, Boolean(io.stderrIsTTY) && !opts.quiet);
  const note = (t: string) => progress.note(t);
  // The progress line owns its line: stdout text on the same terminal first erases it.
  const out = io.stdoutSameTerminal
    ? (t: string) => {
        progress.clear();
        io.out(t);
      }
    : io.out;
  // GitHub attaches annotations and code-scanning results by path from the repository's
  // top, whatever directory the job ran in: those formats use paths relative to the git
  // work tree holding the current directory (unchanged outside git).
  const repoRoot = format === 'github' || format === 'sarif' ? workTreeRoot(io.cwd) : null;
  const repoPath = (p: string) => (repoRoot ? relative(repoRoot, resolve(io.cwd, p)).split(sep).join('/') : p);
  const json: JsonFinding[] = [];
  const sarif: WireFinding[] = [];
  const fixedPerRule = new Map<string, number>();
  let written = 0;
  let applied = 0;
  let changedOnDisk = 0;
  const writeErrors: { file: string; message: string }[] = [];
  const roots = writeRoots(opts.paths, io.cwd);
  // --write: a signal ends the run between two files (src/run/fsguard.ts), saying what was done.
  const restoreSignals =
    mode === 'write'
      ? exitBetweenFiles((sig) => {
          progress.finish();
          io.err(`gopitfix: interrupted by ${sig}: ${written} file${written === 1 ? '' : 's'} written; no file was left half written\n`);
        })
      : null;

  const summary = await scanBatch(
    files,
    {
      rules,
      jobs: opts.jobs ?? defaultJobs(),
      settingsFor: run.settingsFor,
      settings: {
        includeGenerated: opts.includeGenerated,
        prefilter: opts.prefilter,
        goVersion: opts.go,
        fixDiffs: format === 'json',
        replacements: format === 'sarif',
        fileDiff: format === 'text' && mode === 'dry-run',
        context: opts.context,
        output: mode === 'write',
        maxFileSize: opts.maxFileSize,
        cacheDir,
      },
    },
    {
      onError: (err) => note(`gopitfix: ${err.file}: ${err.message}\n`),
      onProgress: (n) => progress.tick(n),
      onResult: (file, result) => {
        for (const w of result.warnings ?? []) note(`gopitfix: warning: ${w}\n`);
        if (result.cache?.statIndex) cacheUse.unread++;
        if (result.cache?.hit) cacheUse.hits++;
        else if (result.cache && !result.cache.statIndex) {
          cacheUse.stored++;
          cacheUse.storedBytes += result.cache.storedBytes;
        }
        if (format === 'json') {
          for (const f of result.findings) json.push(jsonFinding(f));
        } else if (format === 'sarif') {
          for (const f of result.findings) sarif.push(repoRoot ? { ...f, file: repoPath(f.file) } : f);
        } else if (format === 'github') {
          for (const f of result.findings) out(githubAnnotation(repoRoot ? { ...f, file: repoPath(f.file) } : f) + '\n');
        } else if (mode === 'check') {
          for (const f of result.findings) out(findingLine(f) + '\n');
        } else {
          for (const f of result.findings) if (!f.fix) note(findingLine(f) + '\n');
          if (mode === 'dry-run' && result.fileDiff) {
            const patch = filePatch(file, result.fileDiff);
            out(color ? colorizeDiff(patch) : patch);
          }
        }
        if (mode === 'write' && result.changed && result.output !== undefined && result.stamp) {
          try {
            if (!writeIfUnchanged(file.absPath, result.output, result.stamp, { breakHardlinks: opts.breakHardlinks, roots })) {
              changedOnDisk++;
              note(`gopitfix: ${file.displayPath}: changed on disk while it was processed; not written (run again)\n`);
              return;
            }
            written++;
            for (const f of result.findings) {
              if (!f.fix) continue;
              applied++;
              fixedPerRule.set(f.rule, (fixedPerRule.get(f.rule) ?? 0) + 1);
            }
          } catch (e) {
            const why = e instanceof WriteRefused ? `not written: ${e.message}` : `cannot write: ${errText(e)}; the file was left as it was`;
            const err = { file: file.displayPath, message: why };
            writeErrors.push(err);
            note(`gopitfix: ${err.file}: ${err.message}\n`);
          }
        }
      },
    },
    planned,
  );
  restoreSignals?.();
  progress.finish();
  if (cacheDir) maybeTrimCache(cacheDir, cacheUse.storedBytes);
  summary.filesWritten = written;
  summary.fixesApplied = applied;
  summary.filesSkippedChangedOnDisk = changedOnDisk;
  summary.vendorDirsSkipped = run.pre.vendorDirsSkipped;
  summary.filesExcluded += run.pre.excluded;
  summary.errors.push(...writeErrors);

  if (format === 'json') io.out(jsonDocument(json, summary));
  else if (format === 'sarif') {
    // Rules a gopitfix.json turned on for some directory report too: describe them as well.
    const ids = new Set([...rules.map((r) => r.meta.id), ...sarif.map((f) => f.rule)]);
    const described = allRules.filter((r) => ids.has(r.meta.id));
    const errors = summary.errors.map((e) => ({ ...e, file: repoPath(e.file) }));
    io.out(sarifDocument({ version: run.version, rules: described, findings: sarif, errors, ...(repoRoot ? { srcRoot: repoRoot } : {}) }));
  }
  if (format !== 'json' && !opts.quiet) {
    let line = summaryLine(summary, mode, format === 'text');
    if (summary.findingsInTests) {
      line += `; ${summary.findingsInTests} of them in _test.go files`;
      // When test files dominate (fake round-trippers in table tests...), say how to leave them out.
      if (opts.tests === null && summary.findingsInTests * 2 > summary.findings) line += ' (--tests=false skips them)';
    }
    io.err(line + '\n');
    if (io.stderrIsTTY || opts.stats) {
      io.err(detailedSummary(summary, mode, Date.now() - started, fixedPerRule, total));
      io.err(`  cache     ${cacheDir ? `${cacheUse.hits} hits, ${cacheUse.stored} stored, ${cacheUse.unread} files not read (stat index) (${cacheDir})` : 'off'}\n`);
    }
  }

  // A file left unwritten because it changed under us did not get its fixes: not a clean run.
  if (summary.errors.length || changedOnDisk) return 3;
  const failOn = opts.failOn ?? (mode === 'check' ? 'fixable' : 'none');
  if (failOn === 'any' && summary.findings > 0) return 1;
  if (failOn === 'fixable' && summary.fixable > 0) return 1;
  return 0;
}
