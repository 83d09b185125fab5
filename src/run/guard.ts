// Safety for modes that write (--write, -i). Two rules, as in `cargo fix`:
//  - inside a git work tree, refuse to touch files with uncommitted changes (modified,
//    staged or untracked: their current text could not be got back from git) unless
//    --allow-dirty;
//  - never overwrite a file that changed on disk after it was read.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { git, workTreeRoot } from './select.js';
import { sha1, type FileStamp } from './task.js';

/**
 * Of `absPaths`, those with uncommitted changes in their git work tree (sorted). Files
 * outside any work tree are never dirty. One `git status` per work tree involved.
 */
export function dirtyFiles(absPaths: readonly string[]): string[] {
  const byRoot = new Map<string, Set<string>>();
  const rootOfDir = new Map<string, string | null>();
  for (const p of absPaths) {
    const d = dirname(p);
    let root = rootOfDir.get(d);
    if (root === undefined) {
      root = workTreeRoot(d);
      rootOfDir.set(d, root);
    }
    if (!root) continue;
    let set = byRoot.get(root);
    if (!set) byRoot.set(root, (set = new Set()));
    set.add(p);
  }
  const dirty: string[] = [];
  for (const [root, wanted] of byRoot) {
    const st = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
    if (!st.ok) continue; // not really a work tree (or no git): nothing to protect with git
    const top = git(root, ['rev-parse', '--show-toplevel']);
    const base = top.ok ? top.out.trim() : root;
    for (const entry of st.out.split('\0')) {
      if (entry.length < 4) continue;
      const abs = resolve(base, entry.slice(3));
      if (wanted.has(abs)) dirty.push(abs);
    }
  }
  return dirty.sort();
}

/** The refusal text for dirty files (paths relative to cwd), or null when all are clean. */
export function dirtyTreeMessage(absPaths: readonly string[], cwd: string): string | null {
  const dirty = dirtyFiles(absPaths);
  if (dirty.length === 0) return null;
  const shown = dirty.slice(0, 50).map((p) => `  ${relative(cwd, p).split(sep).join('/')}`);
  if (dirty.length > 50) shown.push(`  ... and ${dirty.length - 50} more`);
  return (
    `refusing to write: ${dirty.length} file${dirty.length === 1 ? ' has' : 's have'} uncommitted changes ` +
    `(commit or stash them first, or pass --allow-dirty):\n${shown.join('\n')}`
  );
}

/** Whether the file on disk is still exactly what was read (size, mtime, then content). */
function unchangedOnDisk(absPath: string, stamp: FileStamp): boolean {
  try {
    const st = statSync(absPath);
    if (st.size !== stamp.size || st.mtimeMs !== stamp.mtimeMs) return false;
    return sha1(readFileSync(absPath)) === stamp.sha1;
  } catch {
    return false;
  }
}

/**
 * Write `text` atomically unless the file changed since it was read (stamp). Returns
 * false, writing nothing, when it did; throws WriteRefused when the write guards refuse
 * the file (outside `roots`, a symlink, read-only, hard links...). The content is compared again under the file's
 * lock right before the rename (src/run/atomic-write.ts), so a change made meanwhile by
 * another run is reported, never overwritten.
 */
export function writeIfUnchanged(
  absPath: string,
  text: string,
  stamp: FileStamp,
  opts: { breakHardlinks?: boolean; roots?: readonly string[] | null } = {},
): boolean {
  const isCurrent = () => unchangedOnDisk(absPath, stamp);
  return writeFileAtomic(absPath, text, { expectSha1: stamp.sha1, breakHardlinks: opts.breakHardlinks, roots: opts.roots, isCurrent }) === 'written';
}
