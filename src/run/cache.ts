// The result cache: one entry per file result, so that re-running over an unchanged tree
// costs a read and a hash per file instead of a parse. An entry holds the per-file result
// the batch worker returns (src/run/task.ts), so every output format and --write behave
// the same with or without it. Its key covers everything that result depends on:
//   - the file's bytes and its display path (findings and diffs name it);
//   - gopitfix's own code and grammar (a fingerprint of the built modules, not just the
//     version number, so a rebuilt checkout never reuses stale entries);
//   - the enabled rules and their options, the file's effective Go version (go.mod `go`
//     line, --go, config `go`, build tags) and the settings that shape the result
//     (which diffs are rendered, --context, --write, the prefilter);
//   - the bytes of every .go file of the directory, because rules read sibling files of
//     the package (struct fields, function declarations, the time import's name).
// Entries live in <dir>/v1/<2 hex>/<62 hex>.json. Writes go to a temp file renamed into
// place, so concurrent runs never see half an entry; an entry that fails to parse, or
// whose stored key differs (a foreign or colliding file), is ignored and overwritten.
// The total size is bounded: past the limit, the least recently used entries (mtime,
// refreshed on a hit at most hourly) are removed.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  futimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { fileGoVersion, formatGoVersion, versionInRange } from '../go/version.js';
import { passesPrefilter } from '../engine/prefilter.js';
import { findRule } from '../../transforms/index.js';
import { ignoresFile } from '../engine/suppress.js';
import { pluginFingerprint } from './plugins.js';
import type { Profile, Task, TaskSettings, WireResult } from './task.js';

const FORMAT = 'gopitfix-result-cache-1';
const LAYOUT = 'v1';
/** Default bound on the cache's total size. */
const DEFAULT_CACHE_MAX_BYTES = 512 * 1024 * 1024;
/** A hit refreshes the entry's mtime (its "last used" time) when older than this. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;
/** A temp file older than this is a leftover of a killed run. */
const STALE_TEMP_MS = 60 * 60 * 1000;
// Stat index files (stat-index.ts, in v1/stat/) are trimmed like entries.
const ENTRY_NAME = /^[0-9a-f]{62}\.json$|^[0-9a-f]{64}\.idx$/;
const TEMP_NAME = /^[0-9a-f]{62}\.json\.tmp-|^[0-9a-f]{64}\.idx\.tmp-/;

/** $XDG_CACHE_HOME/gopitfix, else ~/.cache/gopitfix; null when there is no home directory. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'gopitfix');
  let home = env.HOME;
  if (!home) {
    try {
      home = homedir();
    } catch {
      return null;
    }
  }
  return home ? join(home, '.cache', 'gopitfix') : null;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted, so equal settings always give equal keys. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

let fingerprint: string | null = null;

/**
 * gopitfix's code as this thread runs it: the modules of src/ and transforms/ next to
 * this one (the compiled .js, or the .ts sources under a test runner) and the grammar.
 */
export function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  const h = createHash('sha256');
  h.update(FORMAT);
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const root = dirname(dirname(dirname(here)));
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (n.endsWith(ext)) {
        h.update(`\0${p.slice(root.length)}\0`);
        h.update(readFileSync(p));
      }
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'transforms'));
  const require = createRequire(import.meta.url);
  for (const mod of ['tree-sitter-go/tree-sitter-go.wasm', 'web-tree-sitter']) {
    try {
      const p = require.resolve(mod);
      h.update(`\0${mod}\0`);
      h.update(readFileSync(p));
      // web-tree-sitter's runtime wasm sits next to its entry point.
      if (mod === 'web-tree-sitter') h.update(readFileSync(join(dirname(p), 'tree-sitter.wasm')));
    } catch {
      h.update(`\0${mod}: missing\0`);
    }
  }
  fingerprint = h.digest('hex');
  return fingerprint;
}

let dirMemo: { dir: string; hash: string } | null = null;

/** A file's stat fields that change whenever its bytes do (git's index uses the same). */
interface StatStamp {
  n: string;
  f: boolean;
  s: number;
  m: number;
  c: number;
  i: number;
}

/** How long files must have been left alone before a stat record of them is trusted. */
const RACY_MS = 2000;

/**
 * A hash of every .go file of a directory (names and bytes). Remembered for the last
 * directory asked (the pool sends a directory's files to a worker consecutively) and,
 * with a cache, across runs: a record maps the directory's stat stamps (name, size,
 * mtime, ctime, inode of each file) to the content hash, so a warm run does not read
 * every sibling again. As in git's index, a record is trusted only when every file was
 * last changed well before the record was made (RACY_MS), so an edit within the
 * timestamp granularity of the hashing cannot hide.
 */
export function directoryFingerprint(dir: string, cache?: ResultCache | null): string {
  if (dirMemo?.dir === dir) return dirMemo.hash;
  let names: string[] = [];
  let listError = '';
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.go')).sort();
  } catch (e) {
    listError = `unreadable: ${(e as NodeJS.ErrnoException).code ?? ''}`;
  }
  const stamps: (StatStamp | string)[] = names.map((n) => {
    try {
      const st = statSync(join(dir, n));
      return { n, f: st.isFile(), s: st.size, m: st.mtimeMs, c: st.ctimeMs, i: st.ino };
    } catch (e) {
      return `${n}: unreadable: ${(e as NodeJS.ErrnoException).code ?? ''}`;
    }
  });
  const recordKey = cache && !listError ? cacheKey({ kind: 'directory', dir, stamps }) : null;
  if (cache && recordKey) {
    const rec = cache.get(recordKey, (v): v is { kind: 'directory'; at: number; hash: string } => {
      const r = v as { kind?: unknown; at?: unknown; hash?: unknown } | null;
      return !!r && r.kind === 'directory' && typeof r.at === 'number' && typeof r.hash === 'string';
    });
    if (rec && stamps.every((st) => typeof st !== 'string' && st.m < rec.at - RACY_MS && st.c < rec.at - RACY_MS)) {
      dirMemo = { dir, hash: rec.hash };
      return rec.hash;
    }
  }
  const at = Date.now();
  const h = createHash('sha256');
  if (listError) h.update(listError);
  for (const n of names) {
    h.update(`\0${n}\0`);
    try {
      // As the package loader reads siblings: regular files up to 10 MB only (never a FIFO:
      // reading one would block); what it skips cannot change a result, only its presence.
      const p = join(dir, n);
      const st = statSync(p);
      if (!st.isFile()) h.update('not a file');
      else if (st.size > 10 * 1024 * 1024) h.update(`large ${st.size}`);
      else h.update(sha256(readFileSync(p)));
    } catch (e) {
      h.update(`unreadable: ${(e as NodeJS.ErrnoException).code ?? ''}`);
    }
  }
  const hash = h.digest('hex');
  if (cache && recordKey) cache.put(recordKey, { kind: 'directory', at, hash });
  dirMemo = { dir, hash };
  return hash;
}

/** Forget the remembered directory (tests that rewrite files within one thread). */
export function forgetDirectories(): void {
  dirMemo = null;
}

/** The entry key: a hash over the parts, with the code fingerprint always included. */
function cacheKey(parts: Record<string, unknown>): string {
  return sha256(stableJson({ format: FORMAT, code: codeFingerprint(), ...parts }));
}

class ResultCache {
  private readonly made = new Set<string>();
  /** Bytes of the entries this instance wrote. */
  stored = 0;

  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, LAYOUT, key.slice(0, 2), `${key.slice(2)}.json`);
  }

  /** The value stored under key, or null (missing, unreadable, corrupt or foreign). */
  get<T>(key: string, valid: (v: unknown) => v is T): T | null {
    const p = this.path(key);
    let fd: number;
    try {
      fd = openSync(p, 'r');
    } catch {
      return null;
    }
    try {
      const st = fstatSync(fd);
      const text = readFileSync(fd, 'utf8');
      const entry = JSON.parse(text) as { format?: unknown; key?: unknown; value?: unknown };
      if (!entry || entry.format !== FORMAT || entry.key !== key || !valid(entry.value)) return null;
      if (Date.now() - st.mtimeMs > TOUCH_AFTER_MS) {
        try {
          const now = new Date();
          futimesSync(fd, now, now);
        } catch {
          // A read-only cache still serves hits.
        }
      }
      return entry.value;
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }

  /** Store value under key (best effort: a cache that cannot be written is just not used). */
  put(key: string, value: unknown): boolean {
    const p = this.path(key);
    const sub = dirname(p);
    const tmp = `${p}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
    try {
      if (!this.made.has(sub)) {
        mkdirSync(sub, { recursive: true });
        this.made.add(sub);
      }
      const text = JSON.stringify({ format: FORMAT, key, value });
      writeFileSync(tmp, text);
      renameSync(tmp, p);
      this.stored += Buffer.byteLength(text);
      return true;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
      return false;
    }
  }
}

const caches = new Map<string, ResultCache>();

/** One ResultCache per directory per thread. */
export function openCache(dir: string): ResultCache {
  let c = caches.get(dir);
  if (!c) {
    c = new ResultCache(dir);
    caches.set(dir, c);
  }
  return c;
}

interface TrimResult {
  entries: number;
  bytes: number;
  removed: number;
}

/**
 * Bring the cache under maxBytes: remove leftover temp files, then the least recently
 * used entries until the total is at most 80 % of the bound. Only files named like
 * entries are touched: anything else in the directory is left alone.
 */
export function trimCache(dir: string, maxBytes = DEFAULT_CACHE_MAX_BYTES): TrimResult {
  const base = join(dir, LAYOUT);
  const entries: { path: string; size: number; mtime: number }[] = [];
  let subs: string[] = [];
  try {
    subs = readdirSync(base).filter((n) => /^[0-9a-f]{2}$/.test(n) || n === 'stat');
  } catch {
    return { entries: 0, bytes: 0, removed: 0 };
  }
  const now = Date.now();
  for (const s of subs) {
    let names: string[] = [];
    try {
      names = readdirSync(join(base, s));
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(base, s, n);
      try {
        if (ENTRY_NAME.test(n)) {
          const st = statSync(p);
          if (st.isFile()) entries.push({ path: p, size: st.size, mtime: st.mtimeMs });
        } else if (TEMP_NAME.test(n) && now - statSync(p).mtimeMs > STALE_TEMP_MS) {
          rmSync(p, { force: true });
        }
      } catch {
        // Removed by a concurrent run meanwhile.
      }
    }
  }
  let bytes = entries.reduce((n, e) => n + e.size, 0);
  let removed = 0;
  if (bytes > maxBytes) {
    entries.sort((a, b) => a.mtime - b.mtime);
    const target = Math.floor(maxBytes * 0.8);
    for (const e of entries) {
      if (bytes <= target) break;
      try {
        unlinkSync(e.path);
      } catch {
        continue;
      }
      bytes -= e.size;
      removed++;
    }
  }
  return { entries: entries.length - removed, bytes, removed };
}

/**
 * Trim after a run that stored entries, at most once an hour (a marker file's mtime
 * records the last trim), or at once when the run alone stored a tenth of the bound.
 */
export function maybeTrimCache(dir: string, storedBytes: number, maxBytes = DEFAULT_CACHE_MAX_BYTES): TrimResult | null {
  if (storedBytes <= 0) return null;
  const marker = join(dir, LAYOUT, 'last-trim');
  let due = storedBytes >= maxBytes / 10;
  if (!due) {
    try {
      due = Date.now() - statSync(marker).mtimeMs > 60 * 60 * 1000;
    } catch {
      due = true;
    }
  }
  if (!due) return null;
  const r = trimCache(dir, maxBytes);
  try {
    const now = new Date();
    try {
      utimesSync(marker, now, now);
    } catch {
      writeFileSync(marker, '');
    }
  } catch {
    // A read-only cache directory: nothing to record.
  }
  return r;
}

/**
 * The key of one file's result, or null when the file is not worth caching: the engine
 * would not parse it (ignore-file, or no enabled rule applies to its Go version or finds
 * its trigger text), so running it costs less than a cache lookup.
 */
export function resultKey(task: Task, profile: Profile, settings: TaskSettings, source: string, bytes: Buffer): string | null {
  const version = settings.goVersion ?? profile.go ?? fileGoVersion(task.absPath, source);
  if (ignoresFile(source)) return null;
  const parsed = profile.ruleIds.some((id) => {
    const r = findRule(id);
    return !r || (versionInRange(version, r.meta.goVersion) && (!settings.prefilter || passesPrefilter(r.meta, source)));
  });
  if (!parsed) return null;
  return cacheKey({
    path: task.displayPath,
    // Patch headers of files outside the current directory are named from the root.
    abs: task.displayPath.startsWith('../') || isAbsolute(task.displayPath) ? task.absPath : null,
    file: sha256(bytes),
    dir: directoryFingerprint(dirname(task.absPath), settings.cacheDir ? openCache(settings.cacheDir) : null),
    go: version ? formatGoVersion(version) : null,
    run: runPart(profile, settings),
  });
}

const runParts = new WeakMap<Profile, WeakMap<TaskSettings, string>>();

/** The part of a result key fixed for a profile and the run's settings, serialized once. */
function runPart(profile: Profile, settings: TaskSettings): string {
  let bySettings = runParts.get(profile);
  if (!bySettings) runParts.set(profile, (bySettings = new WeakMap()));
  let part = bySettings.get(settings);
  if (part === undefined) {
    part = stableJson({
      rules: profile.ruleIds,
      options: profile.ruleOptions,
      // The bytes of every loaded plugin file (its rules' code; modules it imports are not covered).
      ...(pluginFingerprint().length ? { plugins: pluginFingerprint() } : {}),
      tests: profile.tests ?? null,
      settings: {
        includeGenerated: settings.includeGenerated,
        prefilter: settings.prefilter,
        fixDiffs: settings.fixDiffs,
        replacements: settings.replacements,
        fileDiff: settings.fileDiff,
        context: settings.fileDiff ? (settings.context ?? 3) : null,
        output: settings.output,
      },
    });
    bySettings.set(settings, part);
  }
  return part;
}

/** A stored result, minus what belongs to one run (its index and the file's stamp). */
export type CachedResult = Omit<WireResult, 'index' | 'stamp' | 'cache'>;

export function toCached(r: WireResult): CachedResult {
  const { index: _index, stamp: _stamp, cache: _cache, ...rest } = r;
  return rest;
}

export function isCachedResult(v: unknown): v is CachedResult {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    r.kind === 'ok' &&
    typeof r.bytes === 'number' &&
    typeof r.changed === 'boolean' &&
    typeof r.syntaxErrors === 'boolean' &&
    typeof r.skippedByPrefilter === 'boolean' &&
    typeof r.ignoredFile === 'boolean' &&
    typeof r.rejectedFixes === 'number' &&
    Array.isArray(r.ruleErrors) &&
    Array.isArray(r.findings) &&
    r.findings.every((f) => {
      const x = f as Record<string, unknown> | null;
      return !!x && typeof x.rule === 'string' && typeof x.message === 'string' && typeof x.file === 'string' && !!x.start && !!x.end;
    }) &&
    (r.output === undefined || typeof r.output === 'string') &&
    (r.fileDiff === undefined || (typeof r.fileDiff === 'object' && r.fileDiff !== null && Array.isArray((r.fileDiff as { hunks?: unknown }).hunks))) &&
    (!r.changed || !('output' in r) || typeof r.output === 'string')
  );
}
