// Replace a file's contents so that readers see either the old or the new text, never
// a torn write, and so that nothing but the contents changes (issue 16):
//  - the guards of src/run/fsguard.ts first (symlink, no write access, hard links, ...);
//  - a lock file next to the target, created with O_EXCL, held while checking and
//    renaming: two gopitfix runs never write one file at the same time;
//  - a temp file in the same directory (same filesystem, so rename is atomic) gets the
//    whole text: every write's byte count is checked (a full disk gives short writes),
//    its size is checked, then fsync; any error removes it and leaves the original as it was;
//  - owner and group first, then the mode (chown clears setuid/setgid, so the mode comes
//    last), each checked: a file whose owner, group or mode cannot be kept is not replaced;
//  - right before the rename, the original's content is compared with what was read
//    (sha1): a change made meanwhile (another run, an editor) is reported, never overwritten;
//  - rename, then fsync of the directory.
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { writeProblem } from './fsguard.js';

/**
 * The system calls a write goes through. Tests replace members to inject faults (a short
 * write, a full disk) or to act between the last check and the rename (a concurrent run).
 */
export const fsOps = {
  writeSync: (fd: number, buf: Buffer, offset: number, length: number): number => writeSync(fd, buf, offset, length),
  fsyncSync: (fd: number): void => fsyncSync(fd),
  renameSync: (from: string, to: string): void => renameSync(from, to),
  /** Called after the temp file is complete, before the final content check. */
  beforeRename: null as null | ((target: string) => void),
};

/** A file gopitfix declines to replace; the message says why (the CLI prints "not written: ..."). */
export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

interface AtomicWriteOptions {
  /** sha1 (hex) of the content the new text was computed from: written only if the file still has it. */
  expectSha1?: string;
  /** Replace a file with several hard links (the others keep the old content). */
  breakHardlinks?: boolean;
  /** The command-line roots the file must be inside (src/run/fsguard.ts writeRoots); null/absent: anywhere. */
  roots?: readonly string[] | null;
  /**
   * Asked after the guards, before the lock: false reports 'changed-on-disk' without writing
   * (a cheap size/mtime check of what was read; the content is compared again under the lock).
   */
  isCurrent?: () => boolean;
}

type WriteOutcome = 'written' | 'changed-on-disk';

const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');

/** The lock file that guards `target` while a run checks and replaces it. */
export function lockPathOf(target: string): string {
  return join(dirname(target), `.${basename(target)}.gopitfix.lock`);
}

function acquireLock(target: string): string {
  const lock = lockPathOf(target);
  let staleRemoved = false;
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a run that died (kill -9, power loss) must not block forever:
      // its process is gone, so it is removed once.
      let pid = NaN;
      try {
        pid = Number(readFileSync(lock, 'utf8').trim());
      } catch {
        // removed meanwhile: try again
        continue;
      }
      if (!staleRemoved && Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        staleRemoved = true;
        try {
          unlinkSync(lock);
        } catch {
          // someone else removed it first
        }
        continue;
      }
      // Held by a live run: a write takes milliseconds, so wait a little (up to ~2 s).
      if (attempt < 39) {
        Atomics.wait(SLEEP, 0, 0, 50);
        continue;
      }
      throw new WriteRefused(`another gopitfix run (pid ${Number.isInteger(pid) ? pid : '?'}) is writing this file (lock ${basename(lock)})`);
    }
  }
  throw new WriteRefused(`cannot take the lock ${basename(lock)}`);
}

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeFileAtomic(path: string, text: string, opts: AtomicWriteOptions = {}): WriteOutcome {
  // The one write check (src/run/fsguard.ts) of this write: callers do not check first.
  const refused = writeProblem(path, opts.roots ?? null, { breakHardlinks: opts.breakHardlinks });
  if (refused) throw new WriteRefused(refused);
  if (opts.isCurrent && !opts.isCurrent()) return 'changed-on-disk';
  const target = path;
  const lock = acquireLock(target);
  // Dot-prefixed so that a crash mid-write leaves nothing a later walk would pick up.
  const tmp = join(dirname(target), `.${basename(target)}.gopitfix-${randomBytes(6).toString('hex')}.tmp`);
  let fd = -1;
  let renamed = false;
  try {
    const st = statSync(target);
    const mode = st.mode & 0o7777;
    const buf = Buffer.from(text, 'utf8');
    fd = openSync(tmp, 'wx', 0o600);
    for (let off = 0; off < buf.length; ) {
      const n = fsOps.writeSync(fd, buf, off, buf.length - off);
      if (!(n > 0)) throw new Error(`short write: ${off} of ${buf.length} bytes written (is the disk full?)`);
      off += n;
    }
    const size = fstatSync(fd).size;
    if (size !== buf.length) throw new Error(`short write: the temp file has ${size} of ${buf.length} bytes (is the disk full?)`);
    fsOps.fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // Only root may give a file away; an unprivileged owner keeps it anyway. Checked below.
    }
    chmodSync(tmp, mode);
    const made = statSync(tmp);
    if (made.uid !== st.uid || made.gid !== st.gid) {
      throw new WriteRefused(
        `it belongs to uid ${st.uid} gid ${st.gid}; replacing it would give it to uid ${made.uid} gid ${made.gid} (run as its owner)`,
      );
    }
    if ((made.mode & 0o7777) !== mode) {
      throw new WriteRefused(`its mode ${mode.toString(8)} cannot be kept (got ${(made.mode & 0o7777).toString(8)})`);
    }
    fsOps.beforeRename?.(target);
    if (opts.expectSha1 !== undefined) {
      let now: Buffer;
      try {
        now = readFileSync(target);
      } catch {
        return 'changed-on-disk';
      }
      if (sha1(now) !== opts.expectSha1) return 'changed-on-disk';
    }
    const again = writeProblem(target, null, { breakHardlinks: opts.breakHardlinks });
    if (again) throw new WriteRefused(again);
    fsOps.renameSync(tmp, target);
    renamed = true;
    syncDir(dirname(target));
    return 'written';
  } finally {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
    }
    try {
      unlinkSync(lock);
    } catch {
      // removed by hand meanwhile; nothing to undo
    }
  }
}

/** Make the rename durable; some filesystems refuse fsync on a directory, which is harmless. */
function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
