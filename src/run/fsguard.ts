// Filesystem guarantees (issue 9): what gopitfix refuses to read or write, and how a
// --write run ends when interrupted. Each refusal is one line for a human; the CLI
// reports it like an unreadable file (the run goes on, exit 3 at the end).
//
// - Read: only regular files up to --max-file-size (default 10 MB), that are text Go
//   can compile: no NUL bytes, valid UTF-8 (anything else would be silently re-encoded
//   by decoding, i.e. corrupted on write). A BOM, CRLF, trailing blanks and a missing
//   final newline are kept as they are: the text is decoded and re-encoded losslessly.
// - Walk: a symlink named *.go is never followed; a dangling one, a loop, or one that
//   leads out of the walked root is reported (the file it stands for is not processed).
// - Write: never through a symlink (renaming over it would replace the link, writing to
//   its target edits a file somewhere else), never a read-only file (rename() needs no
//   write permission on the file, so the mode must be checked), never a file this user
//   may not open for writing (access(2), not mode bits: another owner's file), never one
//   with other hard links (unless --break-hardlinks), never outside the roots named on
//   the command line. How the write itself is done: src/run/atomic-write.ts.
import { isUtf8 } from 'node:buffer';
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "10MB", "512k", "1048576", "1.5M" → bytes (binary units); null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** Checked before reading: the size limit. */
export function sizeProblem(size: number, max: number = DEFAULT_MAX_FILE_SIZE): string | null {
  return size > max ? `skipped: ${formatSize(size)} is over the size limit of ${formatSize(max)} (--max-file-size)` : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checked after reading: why these bytes are not Go source text, or null. */
export function contentProblem(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return 'skipped: binary content (NUL bytes), not Go source';
  // isUtf8 validates without building a string (the same rules as the fatal decoder).
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    return `skipped: not valid UTF-8 (at byte ${at}); gopitfix does not re-encode files`;
  }
  return null;
}

function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    try {
      utf8.decode(b.subarray(i, i + n));
    } catch {
      return i; // overlong or surrogate encodings
    }
    i += n;
  }
  return b.length;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * A symlink met in a directory walk, named *.go: null when it resolves to a regular
 * file inside the walked root (that file is processed as itself), else why it is reported.
 */
export function walkSymlinkProblem(link: string, root: string): string | null {
  let target: string;
  try {
    target = realpathSync(link);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'skipped: symlink loop';
    if (code === 'ENOENT' || code === 'ENOTDIR') return `skipped: dangling symlink (to ${readlinkSync(link)})`;
    return `skipped: cannot resolve symlink: ${(e as Error).message}`;
  }
  if (!isInside(realOrResolved(root), target)) return `skipped: symlink to ${target}, outside ${root}; not followed`;
  return null;
}

/** The roots a run may write under: the command-line paths, resolved and real. */
export function writeRoots(paths: readonly string[], cwd: string): string[] {
  return paths.map((p) => realOrResolved(resolve(cwd, p.endsWith('/...') ? p.slice(0, -4) || '/' : p === '...' ? '.' : p)));
}

interface WriteGuardOptions {
  /** --break-hardlinks: replace a file that has other hard links (they keep the old text). */
  breakHardlinks?: boolean;
}

/** Why `absPath` must not be written (the CLI prefixes "not written: "), or null. Checked right before each write. */
export function writeProblem(absPath: string, roots: readonly string[] | null, opts: WriteGuardOptions = {}): string | null {
  let st;
  try {
    st = lstatSync(absPath);
  } catch (e) {
    return (e as Error).message;
  }
  if (st.isSymbolicLink()) {
    let to = '';
    try {
      to = ` (to ${readlinkSync(absPath)})`;
    } catch {
      // the link vanished; the message without its target is still right
    }
    return `it is a symlink${to}; gopitfix never writes through symlinks (run it on the target)`;
  }
  if (!st.isFile()) return 'not a regular file';
  if ((st.mode & 0o222) === 0) return 'the file is read-only (make it writable to apply the fixes)';
  // rename() needs write permission on the directory only: a file this user could not
  // open for writing (another owner's 0644 file) must not be replaced by the user's own.
  try {
    accessSync(absPath, constants.W_OK);
  } catch {
    return 'you may not write this file (permission denied); gopitfix never replaces a file it could not edit in place';
  }
  if (st.nlink > 1 && !opts.breakHardlinks) {
    return `it has ${st.nlink} hard links; replacing it would leave the other links with the old text (pass --break-hardlinks to write it anyway)`;
  }
  if (roots) {
    const real = realOrResolved(absPath);
    if (!roots.some((r) => isInside(r, real))) return `${real} is outside the paths given on the command line`;
  }
  return null;
}

/**
 * For --write: SIGINT/SIGTERM end the run between two files. Writes are synchronous
 * (temp file, fsync, rename), so a handler can only run when no file is half written:
 * the current file is finished, no temp file is left, the rest stay untouched.
 * Returns a function that removes the handlers.
 */
export function exitBetweenFiles(onSignal: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    onSignal(signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
