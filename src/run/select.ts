// Narrowing the discovered files for monorepo and CI runs: --exclude globs,
// --changed-since REF (git), and --shard K/N (a stable partition by path).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { globMatches } from './config.js';
import type { DiscoveredFile, DiscoverOptions } from './discover.js';

/** A bad --shard/--changed-since value or an unusable git state: exit 2. */
export class SelectError extends Error {
  override name = 'SelectError';
}

/** `K/N` with 1 <= K <= N (--shard's value; parsed here only). */
export function parseShard(text: string): { k: number; n: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return null;
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) return null;
  return { k, n };
}

/** FNV-1a over the UTF-8 bytes: the same number on every machine and Node version. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(path, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Whether a file belongs to shard k of n. Keyed on the path relative to the git work
 * tree's top (or to cwd outside git), so jobs started from different directories of
 * one checkout, or checkouts at different places, agree.
 */
export function inShard(key: string, k: number, n: number): boolean {
  return pathHash(key) % n === k - 1;
}

/**
 * Files whose path (relative to cwd), or one of its parent directories, matches a glob
 * (syntax of gopitfix.json's `exclude`). Files named on the command line are kept.
 */
function excludeGlobs(files: DiscoveredFile[], globs: readonly string[]): { kept: DiscoveredFile[]; excluded: number } {
  if (globs.length === 0) return { kept: files, excluded: 0 };
  const kept: DiscoveredFile[] = [];
  let excluded = 0;
  for (const f of files) {
    if (!f.explicit && globs.some((g) => globMatches(g, f.displayPath.replace(/^(\.\.\/)+/, '')))) excluded++;
    else kept.push(f);
  }
  return { kept, excluded };
}

/** The work tree root holding dir (a .git directory or file), or null. */
export function workTreeRoot(dir: string): string | null {
  let cur = resolve(dir);
  for (;;) {
    if (existsSync(join(cur, '.git'))) return cur;
    const parent = dirname(cur);
    if (parent === cur) return null;
    cur = parent;
  }
}

export function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: r.stdout, err: (r.stderr || '').trim() };
}

/**
 * Absolute paths changed since REF in the work tree holding cwd: committed, staged and
 * unstaged changes (`git diff --name-only REF`), plus untracked files git does not ignore.
 */
function changedSince(ref: string, cwd: string): Set<string> {
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new SelectError('--changed-since: not inside a git work tree');
  const root = top.out.trim();
  const verify = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!verify.ok) throw new SelectError(`--changed-since: unknown git revision "${ref}"`);
  const diff = git(root, ['diff', '--name-only', '-z', '--no-renames', verify.out.trim(), '--']);
  if (!diff.ok) throw new SelectError(`--changed-since: git diff failed: ${diff.err}`);
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
  if (!untracked.ok) throw new SelectError(`--changed-since: git ls-files failed: ${untracked.err}`);
  const out = new Set<string>();
  for (const name of (diff.out + untracked.out).split('\0')) if (name) out.add(resolve(root, name));
  return out;
}

/** Counters gathered before the run (discovery and selection). */
export interface Preselection {
  vendorDirsSkipped: number;
  excluded: number;
}

export function newPreselection(): Preselection {
  return { vendorDirsSkipped: 0, excluded: 0 };
}

/** Extra discovery options for the batch flags. */
export function batchDiscoverOptions(opts: { includeVendor: boolean }, pre: Preselection): Partial<DiscoverOptions> {
  return { includeVendor: opts.includeVendor, onSkipVendor: () => void pre.vendorDirsSkipped++ };
}

/**
 * --exclude, then --changed-since, then --shard, in that order. Throws SelectError
 * (exit 2) for an unusable git revision or a run outside git with --changed-since.
 */
export function selectFiles(
  files: DiscoveredFile[],
  opts: { exclude: readonly string[]; changedSince: string | null; shard: { k: number; n: number } | null },
  cwd: string,
  pre: Preselection,
): DiscoveredFile[] {
  const ex = excludeGlobs(files, opts.exclude);
  pre.excluded += ex.excluded;
  let out = ex.kept;
  if (opts.changedSince) {
    // Each file is compared in its own work tree (the given paths' repository, not the
    // current directory's): one `git diff` per work tree involved.
    const ref = opts.changedSince;
    const rootOfDir = new Map<string, string | null>();
    const changedIn = new Map<string, Set<string>>();
    out = out.filter((f) => {
      const d = dirname(f.absPath);
      let root = rootOfDir.get(d);
      if (root === undefined) rootOfDir.set(d, (root = workTreeRoot(d)));
      if (!root) throw new SelectError("--changed-since: not inside a git work tree");
      let changed = changedIn.get(root);
      if (!changed) changedIn.set(root, (changed = changedSince(ref, root)));
      return changed.has(f.absPath);
    });
  }
  if (opts.shard) {
    const { k, n } = opts.shard;
    const base = workTreeRoot(cwd) ?? cwd;
    out = out.filter((f) => inShard(relative(base, f.absPath).split(sep).join('/'), k, n));
  }
  return out;
}
