// One file's trip through the pipeline, as a worker (or the main thread with --jobs 1)
// runs it: read, skip generated, run the engine, and reduce the result to what the main
// thread needs. Only this plain, structured-cloneable record crosses the thread
// boundary: findings with their fixes' changes as structured hunks, the file's hunks
// with the rules that made each, the new text only when it will be written, never the
// trees, baselines or the original source. Rendering them is the front ends' business.
import { createHash } from 'node:crypto';
import { sep } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { processFile } from '../engine/engine.js';
import type { EngineOptions, FileResult, Finding, Position } from '../engine/api.js';
import { moduleProblem, type GoVersion } from '../go/version.js';
import { dirname } from 'node:path';
import { findRule } from '../../transforms/index.js';
import { rulesById } from './config.js';
import { errText, isGenerated } from './discover.js';
import { diffHunks, type Hunk } from '../engine/fastdiff.js';
import { hunkRules } from './hunk-rules.js';
import { contentProblem, sizeProblem } from './fsguard.js';
import { unknownIgnoreIds } from '../engine/suppress.js';
import { isCachedResult, openCache, resultKey, toCached } from './cache.js';

/** What each result must carry; fixed for the whole run. */
export interface TaskSettings {
  includeGenerated: boolean;
  /** Skip parsing files that contain no trigger of any enabled rule (engine default: on). */
  prefilter: boolean;
  /** --go override. */
  goVersion: GoVersion | null;
  /** Send each fix's own change as hunks (JSON renders them as its diff). */
  fixDiffs: boolean;
  /** Send each fix's own change as hunks (SARIF makes its replacements from them). */
  replacements: boolean;
  /** Send the whole file's hunks (text dry run), each with the rules whose fixes made it. */
  fileDiff: boolean;
  /** Context lines of that diff (--context; default 3). */
  context?: number;
  /** Send the fixed text back (--write). */
  output: boolean;
  /** --max-file-size in bytes (default 10 MB); larger files are reported and skipped. */
  maxFileSize?: number;
  /** The result cache's directory (src/run/cache.ts); null or absent: no cache. */
  cacheDir?: string | null;
}

/** The rules and options that apply to a group of files (one per gopitfix.json in force). */
export interface Profile {
  ruleIds: string[];
  ruleOptions: Record<string, Record<string, unknown>>;
  /** Version from the config's `go` (null: go.mod decides). --go still wins. */
  go: GoVersion | null;
  /** Test-file policy (--tests, gopitfix.json `tests`): null = unset. Passed to the engine. */
  tests?: boolean | null;
}

export interface Task {
  index: number;
  absPath: string;
  displayPath: string;
  profile: number;
}

export interface WireFinding {
  rule: string;
  message: string;
  /** Why there is no fix (Finding.noFixReason). */
  noFixReason: string | null;
  file: string;
  start: Position;
  end: Position;
  fix: {
    description: string;
    /** Fixpoint pass that produced it (1 = computed on the file as read). */
    pass: number;
    /**
     * The fix's own change against the text it was computed on (the file as read when
     * pass is 1), 3 lines of context; null unless settings.fixDiffs or .replacements.
     */
    hunks: Hunk[] | null;
  } | null;
}

/** What a file's result carries over from the engine's FileResult as it is. */
type EngineFacts =
  | 'changed'
  | 'syntaxErrors'
  | 'syntaxError'
  | 'skippedByPrefilter'
  | 'skippedByGoVersion'
  | 'rulesOutOfVersion'
  | 'ignoredFile'
  | 'rejectedFixes'
  | 'ruleErrors';

/** What the main thread learns about one file. */
export interface WireResult extends Pick<FileResult, EngineFacts> {
  index: number;
  kind: 'ok' | 'generated' | 'error';
  error?: string;
  bytes: number;
  findings: WireFinding[];
  /** Fixed text (settings.output and changed). */
  output?: string;
  /** The whole file's change (settings.fileDiff and changed): hunks, and per hunk the rules whose fixes made it. */
  fileDiff?: FileDiff;
  /** What was read, to detect a change on disk before writing. */
  stamp?: FileStamp;
  /** Notes for stderr that do not fail the run (an unknown rule id in //gopitfix:ignore). */
  warnings?: string[];
  /**
   * Result cache use: served from it (hit), or computed and stored (storedBytes > 0);
   * statIndex: settled by the stat index without reading the file (hit: its result had come
   * through the cache).
   */
  cache?: { hit: boolean; storedBytes: number; statIndex?: boolean };
}

export interface FileDiff {
  /** The file as read against the fixed text, with settings.context lines of context. */
  hunks: Hunk[];
  /** rules[i]: the rules whose fixes changed lines in hunks[i] (registry order of discovery). */
  rules: string[][];
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
  sha1: string;
}

export function sha1(bytes: Buffer | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** A result with nothing in it yet (also what the pool reports for a file a worker lost). */
export function empty(index: number, kind: WireResult['kind']): WireResult {
  return {
    index,
    kind,
    bytes: 0,
    findings: [],
    changed: false,
    syntaxErrors: false,
    skippedByPrefilter: false,
    ignoredFile: false,
    rejectedFixes: 0,
    ruleErrors: [],
  };
}

/** Run one file. The engine must be initialized (initEngine) in this thread. */
export function runTask(task: Task, profile: Profile, settings: TaskSettings): WireResult {
  const p = prepareTask(task, profile, settings);
  return 'result' in p ? p.result : finishTask(p);
}

/** What prepareTask learned about a file that still needs the engine. */
interface PreparedTask {
  task: Task;
  profile: Profile;
  settings: TaskSettings;
  bytes: Buffer;
  source: string;
  stamp: FileStamp;
  warnings: string[];
  goVersion: GoVersion | null;
  key: string | null;
}

/**
 * The part of runTask that needs no parser: read the file, and settle it when that is
 * enough (unreadable, too large, not text, generated, no module, or a result cache hit).
 * Otherwise what was read is handed to finishTask, which needs the engine initialized.
 */
export function prepareTask(task: Task, profile: Profile, settings: TaskSettings): { result: WireResult } | PreparedTask {
  const res = (result: WireResult) => ({ result });
  let bytes: Buffer;
  let stamp: FileStamp;
  try {
    const st = statSync(task.absPath);
    const big = sizeProblem(st.size, settings.maxFileSize);
    if (big) return res({ ...empty(task.index, 'error'), error: big });
    bytes = readFileSync(task.absPath);
    stamp = { size: bytes.length, mtimeMs: st.mtimeMs, sha1: settings.output ? sha1(bytes) : '' };
  } catch (e) {
    return res({ ...empty(task.index, 'error'), error: `cannot read: ${errText(e)}` });
  }
  const notText = contentProblem(bytes);
  if (notText) return res({ ...empty(task.index, 'error'), error: notText });
  const source = bytes.toString('utf8');
  if (!settings.includeGenerated && isGenerated(source)) return res(empty(task.index, 'generated'));
  const unknown = unknownIgnoreIds(source, (id) => findRule(id) !== undefined);
  const warnings = unknown.map((u) => `${task.displayPath}:${u.line}: //gopitfix:ignore names unknown rule "${u.id}" (see --list-rules)`);
  const goVersion = settings.goVersion ?? profile.go;
  if (!goVersion) {
    const why = moduleProblem(dirname(task.absPath));
    if (why) return res({ ...empty(task.index, 'error'), error: why });
  }
  const cache = settings.cacheDir ? openCache(settings.cacheDir) : null;
  const key = cache ? resultKey(task, profile, settings, source, bytes) : null;
  if (cache && key) {
    const hit = cache.get(key, isCachedResult);
    if (hit) return res({ ...hit, index: task.index, ...(settings.output && hit.changed ? { stamp } : {}), cache: { hit: true, storedBytes: 0 } });
  }
  return { task, profile, settings, bytes, source, stamp, warnings, goVersion, key };
}

/** Run the engine over a prepared file (the engine must be initialized in this thread). */
export function finishTask(p: PreparedTask): WireResult {
  const { task, profile, settings, bytes, source, stamp, warnings, goVersion, key } = p;
  const cache = settings.cacheDir ? openCache(settings.cacheDir) : null;
  const opts: EngineOptions = {
    rules: rulesById(profile.ruleIds),
    ruleOptions: profile.ruleOptions,
    goVersion,
    prefilter: settings.prefilter,
    tests: profile.tests ?? null,
  };
  let r;
  try {
    r = processFile({ absPath: task.absPath, displayPath: task.displayPath, source, ...(goVersion ? { goVersion } : {}) }, opts);
  } catch (e) {
    // One file tripping the engine must not stop the run: reported like an unreadable file.
    return { ...empty(task.index, 'error'), error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
  const out: WireResult = {
    ...empty(task.index, 'ok'),
    bytes: bytes.length,
    findings: r.findings.map((f) => wireFinding(f, settings)),
    changed: r.changed,
    syntaxErrors: r.syntaxErrors,
    ...(r.syntaxError ? { syntaxError: r.syntaxError } : {}),
    skippedByPrefilter: r.skippedByPrefilter,
    ...(r.skippedByGoVersion ? { skippedByGoVersion: true } : {}),
    ...(r.rulesOutOfVersion?.length ? { rulesOutOfVersion: r.rulesOutOfVersion } : {}),
    ignoredFile: r.ignoredFile,
    rejectedFixes: r.rejectedFixes,
    ruleErrors: r.ruleErrors,
    ...(warnings.length ? { warnings } : {}),
  };
  if (r.changed) {
    if (settings.output) {
      out.output = r.output;
      out.stamp = stamp;
    }
    if (settings.fileDiff) {
      const hunks = diffHunks(r.source, r.output, settings.context ?? 3);
      out.fileDiff = { hunks, rules: hunkRules(hunks, r.source, r.findings) };
    }
  }
  // A rule that threw may not throw next time (it is a bug to report, not a result to keep).
  if (cache && key && out.ruleErrors.length === 0) {
    const before = cache.stored;
    if (cache.put(key, toCached(out))) out.cache = { hit: false, storedBytes: cache.stored - before };
  }
  return out;
}

/**
 * The path in a patch's headers: relative to the current directory, except for a file
 * outside it, whose `a/../x` headers both git apply and patch(1) refuse. Such a file is
 * named from the filesystem root (`a/tmp/x/a.go`, as `git diff --no-index` does), which
 * `git apply --unsafe-paths --directory=/` and `cd / && patch -p1` accept.
 */
export function patchPath(task: Pick<Task, 'displayPath' | 'absPath'>): string {
  if (task.displayPath !== '..' && !task.displayPath.startsWith('../')) return task.displayPath;
  return task.absPath.split(sep).join('/').replace(/^[A-Za-z]:/, '').replace(/^\/+/, '');
}

function wireFinding(f: Finding, settings: TaskSettings): WireFinding {
  return {
    rule: f.rule,
    message: f.message,
    noFixReason: f.noFixReason,
    file: f.file,
    start: f.start,
    end: f.end,
    fix: f.fix
      ? {
          description: f.fix.description,
          pass: f.fix.pass,
          hunks: settings.fixDiffs || settings.replacements ? f.fix.hunks : null,
        }
      : null,
  };
}
