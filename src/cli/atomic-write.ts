// Replace a file's contents so that readers see either the old or the new text, never
// a torn write: write a temp file in the same directory (same filesystem, so rename is
// atomic), fsync it, give it the original's mode, then rename it over the original.
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeProblem } from '../fsguard.js';

export function writeFileAtomic(path: string, text: string): void {
  // Never through a symlink (issue 9): renaming over it would replace the link, and
  // writing its target edits a file the user did not name. Nor a read-only file:
  // rename() does not need write permission on it. Callers report the reason.
  const refused = writeProblem(path, null);
  if (refused) throw new Error(refused);
  const target = path;
  const st = statSync(target);
  const mode = st.mode & 0o7777;
  // Dot-prefixed so that a crash mid-write leaves nothing a later walk would pick up.
  const tmp = join(dirname(target), `.${basename(target)}.gopitfix-${randomBytes(6).toString('hex')}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, text, null, 'utf8');
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    chmodSync(tmp, mode);
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // Only root may give a file away; an unprivileged user keeps ownership anyway.
    }
    renameSync(tmp, target);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw e;
  }
}
