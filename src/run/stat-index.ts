// The stat index: the result cache's fast path for a re-run over an unchanged tree. The
// result cache (cache.ts) keys each entry by the file's bytes, so a hit still costs a
// read and a hash of every file; this index, like git's, maps a file's stat record
// (device, inode, size, mtime and ctime in ns) to the result the pipeline gave it, so an
// unchanged file is neither read nor hashed: one stat per file and one directory listing
// per directory settle a warm run.
//
// A record is used only when everything its result depends on is provably unchanged:
//   - the run's fixed part (gopitfix's code fingerprint, the settings that shape a result)
//     names the index file; the file's rules, options, tests switch and config `go` must
//     equal the record's (its profile), its displayed path too;
//   - the file's stat record equals the record's;
//   - the directory's .go files (names and stat records: siblings changed, added or
//     removed) equal the record's, since rules read sibling files of the package;
//   - the nearest go.mod (its path and `go` line, read every run) equals the record's; the
//     file's build tags are in its bytes, which its stat record vouches for;
//   - racy files (git's "racily clean" entries): a stat record is trusted only when the
//     file and its siblings were last modified (mtime and ctime) RACY_MS before the run
//     that made the record started, and every stat record was taken before any byte was
//     read; otherwise an edit within the timestamp granularity after the read could keep
//     the stat record and hide. An untrusted record sends the file down the normal path
//     (read, hash, the result cache), which records it again, trusted next time.
// Anything else (no record, a mismatch, an unreadable or corrupt index) takes the normal
// path; the index is only ever a shortcut to the result that path would give.
//
// Files: <cache>/v1/stat/<64 hex>.idx, one per run identity, holding records grouped by
// directory (records of files other runs looked at are kept). Written only when a
// record changed, to a temp file renamed into place: two runs writing at once leave one
// complete index (the other's new records are lost, which costs speed, never results).
import { createHash, randomBytes } from 'node:crypto';
import { futimesSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { findModule, formatGoVersion } from '../go/version.js';
import { sizeProblem } from './fsguard.js';
import { pluginFingerprint } from './plugins.js';
import { InOrder } from './in-order.js';
import { codeFingerprint, isCachedResult, stableJson, type CachedResult } from './cache.js';
import { empty, type Profile, type Task, type TaskSettings, type WireResult } from './task.js';

const INDEX_FORMAT = 'gopitfix-stat-index-2';
/** How long files must have been left alone, before the run that records them, to be trusted. */
export const RACY_MS = 2000;
/** Past this many file records, records of directories this run did not look at are dropped. */
const MAX_RECORDS = 400_000;
/** Loading refreshes the index file's mtime (its "last used" time for trimming) when older. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;

/**
 * A directory's records: what its files' results share (recording a file under another
 * state of the directory drops the records made under the old one).
 */
interface DirRecord {
  /** The directory's .go files' stat records (a hash). */
  ds: string;
  /** The nearest go.mod and its `go` line (a hash). */
  m: string;
  /** The profile's signature (rules, options, tests switch, config `go`). */
  p: string;
  /** By file name. */
  f: Record<string, StatRecord>;
}

/** One file's record. */
interface StatRecord {
  /** Displayed path (findings and diffs name it). */
  d: string;
  /** The file's stat record. */
  s: string;
  /** When the run that made the record started (ms): trusted only if the files' times are RACY_MS older. */
  at: number;
  /** The result came through the result cache (counted as a hit when served). */
  c: 0 | 1;
  /** The result, minus what belongs to one run. */
  r: CachedResult | { kind: 'generated' };
}

interface IndexFile {
  format: string;
  id: string;
  dirs: Record<string, DirRecord>;
}

/** A directory's .go files as stat records, taken once per run. */
interface DirStamps {
  /** Hash of the names and stat records. */
  sig: string;
  /** Latest mtime or ctime among them (ms); Infinity when one could not be read. */
  latest: number;
  /** name -> the file's stat record and times. */
  files: Map<string, Stamp>;
}

interface Stamp {
  s: string;
  latest: number;
  size: number;
}

/** What a lookup learned about a file the index could not settle, to record its result. */
interface Facts {
  dir: string;
  name: string;
  d: string;
  p: string;
  s: string;
  ds: string;
  m: string;
}

/**
 * A file's stat record. The times are Node's millisecond doubles, which keep the kernel's
 * nanoseconds to within ~0.25 µs (BigInt stats cost a third more on a warm run); finer
 * precision could only tell apart two changes made within that interval, and the racy
 * rule already distrusts every change less than RACY_MS before a recording run.
 */
function stampOf(p: string): Stamp | null {
  let st;
  try {
    st = statSync(p, { throwIfNoEntry: false });
  } catch {
    return null;
  }
  if (!st) return null;
  return {
    s: `${st.isFile() ? 'f' : 'o'}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`,
    latest: Math.max(st.mtimeMs, st.ctimeMs),
    size: st.size,
  };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A short hash for a record's comparisons (128 bits). */
function sig(text: string): string {
  return hash(text).slice(0, 32);
}

/** Fields of a result that records leave out when they hold the empty result's value. */
const { index: _index, kind: _kind, bytes: _bytes, ...emptyFields } = empty(0, 'ok');
const DEFAULTS: Record<string, unknown> = emptyFields;

/**
 * A stored result as the pipeline returns it. Built field by field in one order (a spread
 * of records of varying shapes cost ~7 µs a file, most of a warm lookup); fields the
 * list does not name are copied as they are. Lists are fresh for each result.
 */
function served(s: Record<string, unknown>, index: number, hit: boolean): WireResult {
  const r = {
    index,
    kind: s.kind,
    bytes: s.bytes,
    findings: s.findings ?? [],
    changed: s.changed ?? false,
    syntaxErrors: s.syntaxErrors ?? false,
    skippedByPrefilter: s.skippedByPrefilter ?? false,
    ignoredFile: s.ignoredFile ?? false,
    rejectedFixes: s.rejectedFixes ?? 0,
    ruleErrors: s.ruleErrors ?? [],
    cache: { hit, storedBytes: 0, statIndex: true },
  } as Record<string, unknown>;
  for (const k in s) if (!(k in r)) r[k] = s[k];
  return r as unknown as WireResult;
}

function isDefault(k: string, v: unknown): boolean {
  if (!(k in DEFAULTS)) return false;
  return Array.isArray(v) ? v.length === 0 : v === DEFAULTS[k];
}

export function statIndexPath(cacheDir: string, settings: TaskSettings): string {
  const id = hash(
    stableJson({
      format: INDEX_FORMAT,
      code: codeFingerprint(),
      // Plugin rules' code shapes results as gopitfix's own does (see cache.ts).
      ...(pluginFingerprint().length ? { plugins: pluginFingerprint() } : {}),
      settings: {
        includeGenerated: settings.includeGenerated,
        prefilter: settings.prefilter,
        goVersion: settings.goVersion ? formatGoVersion(settings.goVersion) : null,
        fixDiffs: settings.fixDiffs,
        replacements: settings.replacements,
        fileDiff: settings.fileDiff,
        context: settings.fileDiff ? (settings.context ?? 3) : null,
        output: settings.output,
        maxFileSize: settings.maxFileSize ?? null,
      },
    }),
  );
  return join(cacheDir, 'v1', 'stat', `${id}.idx`);
}

export class StatIndex {
  /** When this run started: every stat record of the run is taken after it. */
  readonly at: number;
  private records: Record<string, DirRecord> = Object.create(null) as Record<string, DirRecord>;
  private dirty = false;
  private readonly seen = new Set<string>();
  private readonly dirs = new Map<string, DirStamps | null>();
  private readonly modules = new Map<string, string | null>();
  private readonly profileSigs = new Map<Profile, string>();
  /** The run identity (the file's name): a renamed or copied index is not used. */
  private readonly id: string;
  /** Files served from the index (for tests and --stats). */
  served = 0;

  constructor(
    readonly path: string,
    private readonly settings: TaskSettings,
    /** The run's start time (tests pass a later one to stand for files left alone long enough). */
    at = Date.now(),
  ) {
    this.at = at;
    this.id = basename(path, '.idx');
    this.load();
  }

  private load(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return;
    }
    try {
      const st = fstatSync(fd);
      const data = JSON.parse(readFileSync(fd, 'utf8')) as Partial<IndexFile> | null;
      if (data && data.format === INDEX_FORMAT && data.id === this.id && data.dirs && typeof data.dirs === 'object') {
        this.records = Object.assign(Object.create(null) as Record<string, DirRecord>, data.dirs);
      }
      if (Date.now() - st.mtimeMs > TOUCH_AFTER_MS) {
        try {
          const now = new Date();
          futimesSync(fd, now, now);
        } catch {
          // read-only cache
        }
      }
    } catch {
      // Unreadable or corrupt: start empty (and replace it when saving).
      this.dirty = true;
    } finally {
      closeSync(fd);
    }
  }

  private dirStamps(dir: string): DirStamps | null {
    let d = this.dirs.get(dir);
    if (d !== undefined) return d;
    d = null;
    try {
      const names = readdirSync(dir).filter((n) => n.endsWith('.go')).sort();
      const files = new Map<string, Stamp>();
      const h = createHash('sha256');
      let latest = 0;
      for (const n of names) {
        const st = stampOf(join(dir, n));
        h.update(`${n}\0${st ? st.s : 'unreadable'}\0`);
        if (st) {
          files.set(n, st);
          if (st.latest > latest) latest = st.latest;
        } else latest = Infinity;
      }
      d = { sig: h.digest('hex').slice(0, 32), latest, files };
    } catch {
      d = null;
    }
    this.dirs.set(dir, d);
    return d;
  }

  private moduleSig(dir: string): string | null {
    let m = this.modules.get(dir);
    if (m !== undefined) return m;
    const mod = findModule(dir);
    m = mod?.error ? null : sig(mod ? `${mod.goMod}\0${mod.version ? formatGoVersion(mod.version) : ''}` : '');
    this.modules.set(dir, m);
    return m;
  }

  private profileSig(profile: Profile): string {
    let s = this.profileSigs.get(profile);
    if (s === undefined) {
      s = sig(stableJson({ rules: profile.ruleIds, options: profile.ruleOptions, tests: profile.tests ?? null, go: profile.go ? formatGoVersion(profile.go) : null }));
      this.profileSigs.set(profile, s);
    }
    return s;
  }

  /**
   * The result of a file whose record proves it unchanged, or null; for null, the facts
   * that let record() store the result the normal path gives (null: do not record).
   */
  lookup(task: Task, profile: Profile): { result: WireResult } | { facts: Facts | null } {
    const dir = dirname(task.absPath);
    const ds = this.dirStamps(dir);
    const name = task.absPath.slice(dir.length + 1);
    const st = ds?.files.get(name) ?? stampOf(task.absPath);
    const m = this.moduleSig(dir);
    if (!ds || !st || m === null || sizeProblem(st.size, this.settings.maxFileSize)) return { facts: null };
    const facts: Facts = {
      dir,
      name,
      d: task.displayPath,
      p: this.profileSig(profile),
      s: st.s,
      ds: ds.sig,
      m,
    };
    const dr = this.records[dir];
    const rec = dr && dr.ds === facts.ds && dr.m === facts.m && dr.p === facts.p && dr.f && typeof dr.f === 'object' ? dr.f[name] : undefined;
    if (
      rec &&
      rec.s === facts.s &&
      rec.d === facts.d &&
      typeof rec.at === 'number' &&
      Math.max(st.latest, ds.latest) < rec.at - RACY_MS
    ) {
      const stored = rec.r as unknown;
      let result: WireResult | null = null;
      if (stored && typeof stored === 'object') {
        if ((stored as { kind?: unknown }).kind === 'generated') result = empty(task.index, 'generated');
        else {
          const r = served(stored as Record<string, unknown>, task.index, rec.c === 1);
          if (isCachedResult(r) && !(r.changed && this.settings.output)) result = r;
        }
      }
      if (result) {
        this.seen.add(dir);
        this.served++;
        return { result };
      }
    }
    return { facts };
  }

  /** Store the normal path's result for a file lookup() could not settle. */
  record(task: Task, facts: Facts | null, r: WireResult): void {
    const keep =
      facts &&
      (r.kind === 'generated' || (r.kind === 'ok' && r.ruleErrors.length === 0 && !(r.changed && this.settings.output)));
    if (!keep) {
      const dir = dirname(task.absPath);
      const dr = this.records[dir];
      const name = task.absPath.slice(dir.length + 1);
      if (dr?.f?.[name]) {
        delete dr.f[name];
        this.dirty = true;
      }
      return;
    }
    this.seen.add(facts.dir);
    let dr = this.records[facts.dir];
    if (!dr || dr.ds !== facts.ds || dr.m !== facts.m || dr.p !== facts.p || !dr.f || typeof dr.f !== 'object') {
      dr = { ds: facts.ds, m: facts.m, p: facts.p, f: {} };
      this.records[facts.dir] = dr;
    }
    const { index: _i, stamp: _s, cache, ...all } = r;
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) if (!isDefault(k, v)) rest[k] = v;
    dr.f[facts.name] = { d: facts.d, s: facts.s, at: this.at, c: cache ? 1 : 0, r: r.kind === 'generated' ? { kind: 'generated' } : (rest as CachedResult) };
    this.dirty = true;
  }

  /** Write the index if a record changed (atomic replace; best effort). */
  save(): void {
    if (!this.dirty) return;
    let dirs = this.records;
    let files = 0;
    for (const d in dirs) files += Object.keys(dirs[d]?.f ?? {}).length;
    if (files > MAX_RECORDS) {
      dirs = Object.create(null) as Record<string, DirRecord>;
      for (const d of this.seen) if (this.records[d]) dirs[d] = this.records[d];
    }
    const text = JSON.stringify({ format: INDEX_FORMAT, id: this.id, dirs } satisfies IndexFile);
    const tmp = `${this.path}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, this.path);
      this.dirty = false;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
    }
  }
}

/**
 * Run tasks through the stat index: files it settles are handed out at once (in task
 * order), the others go to `rest` (the normal path, as a batch with its own numbering)
 * and their results are recorded. onResult sees every result once, in task order.
 */
export async function runWithStatIndex(
  tasks: readonly Task[],
  profiles: Map<number, Profile>,
  settings: TaskSettings & { cacheDir: string },
  onResult: (r: WireResult) => void,
  rest: (tasks: Task[], onResult: (r: WireResult) => void) => Promise<void>,
  at?: number,
): Promise<StatIndex> {
  const ix = new StatIndex(statIndexPath(settings.cacheDir, settings), settings, at);
  const order = new InOrder(tasks, onResult);
  const misses: Task[] = [];
  const facts: (Facts | null)[] = [];
  // Every stat record is taken here, before the normal path reads any file.
  for (const t of tasks) {
    const l = ix.lookup(t, profiles.get(t.profile)!);
    if ('result' in l) order.settle(l.result);
    else {
      misses.push(t);
      facts.push(l.facts);
    }
  }
  if (misses.length) await order.runRest(misses, rest, (t, i, r) => ix.record(t, facts[i], r));
  ix.save();
  return ix;
}
