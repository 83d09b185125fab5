// Which files a run looks at. Follows the go command's conventions for directory
// walks (vendor, testdata, dot- and underscore-prefixed names are not part of any
// package), asks git itself what is ignored so .gitignore semantics are exactly git's,
// and never follows symlinked directories (a walk must terminate and not leave the tree).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { walkSymlinkProblem } from './fsguard.js';
import { headerOf } from '../go/version.js';

export interface DiscoveredFile {
  absPath: string;
  /** Relative to cwd, forward slashes. */
  displayPath: string;
  /** Named on the command line (processed even where a walk would skip it). */
  explicit: boolean;
  /** Set when the entry is known to be unprocessable before reading it. */
  error?: string;
}

/** A path argument that names nothing: the CLI exits 2. */
export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

export interface DiscoverOptions {
  cwd: string;
  /** Consult git for ignored files (default true). */
  gitignore?: boolean;
  /** Walk vendor/ directories too (--include-vendor). */
  includeVendor?: boolean;
  /** Called for each vendor/ directory a walk skips (summary counts). */
  onSkipVendor?: (absDir: string) => void;
  /**
   * Called when a `dir/...` pattern matches no Go file (as `go vet` warns "matched no
   * packages"); a directory named without `/...` holding none is a DiscoveryError.
   */
  onEmptyPattern?: (arg: string) => void;
}

const SKIP_DIRS = new Set(['vendor', 'testdata', 'node_modules']);

export function displayPathOf(cwd: string, absPath: string): string {
  // The common case, a path under cwd, without path.relative's normalization (a walk's
  // paths are already normalized joins of cwd).
  if (sep === '/' && cwd.length > 1 && absPath.startsWith(cwd) && absPath.charCodeAt(cwd.length) === 47 && !cwd.endsWith('/')) {
    return absPath.slice(cwd.length + 1);
  }
  const rel = relative(cwd, absPath);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

/**
 * Expand path arguments (files, directories, `dir/...` patterns) into the sorted,
 * deduplicated list of Go files to process.
 */
export function discover(args: readonly string[], opts: DiscoverOptions): DiscoveredFile[] {
  const { cwd } = opts;
  // Keyed by the real path (issue 16): a directory and a symlink to it, or `a` and
  // `a/...`, name the same files, which must be processed (and written) once. The first
  // name met is the one shown; an explicit name wins over a walked one.
  const found = new Map<string, DiscoveredFile>();
  // realpath(dir/name) is realpath(dir)/name unless name is itself a symlink: resolving
  // each directory once instead of every file's whole path keeps a big walk cheap.
  const realDirs = new Map<string, string>();
  // notLink: the walk's directory entry already says it is no symlink (no lstat needed).
  const realPath = (abs: string, notLink: boolean): string => {
    if (!notLink && lstatSync(abs).isSymbolicLink()) return realpathSync(abs);
    const dir = dirname(abs);
    if (dir === abs) return realpathSync(abs);
    let real = realDirs.get(dir);
    if (real === undefined) {
      // One realpath(3) call (the JavaScript realpathSync lstats each component: 3x the time).
      real = realpathSync.native(dir);
      realDirs.set(dir, real);
    }
    // real is what realpath(3) returned: normalized, so a concatenation is its join.
    return (real.endsWith(sep) ? real : real + sep) + basename(abs);
  };
  const add = (f: DiscoveredFile, notLink = false) => {
    let key = f.absPath;
    if (!f.error) {
      try {
        key = realPath(f.absPath, notLink);
      } catch {
        // unresolvable: its reader reports why
      }
    }
    const prev = found.get(key);
    if (!prev || (f.explicit && !prev.explicit)) found.set(key, f);
  };

  for (const arg of args.length ? args : ['.']) {
    const target = patternRoot(arg);
    const abs = resolve(cwd, target);
    try {
      lstatSync(abs);
    } catch {
      throw new DiscoveryError(`${arg}: no such file or directory`);
    }
    let st = null;
    try {
      st = statSync(abs);
    } catch {
      // A dangling or looping symlink: it exists, but reading it fails; let the
      // reader report why (exit 3) instead of calling the path nonexistent.
    }
    const isDir = st?.isDirectory() ?? false;
    if (target !== arg && !isDir) throw new DiscoveryError(`${arg}: ${target} is not a directory`);
    if (isDir) {
      let n = 0;
      walk(abs, cwd, opts.gitignore !== false, (f, notLink) => (n++, add(f, notLink)), opts);
      if (n === 0) {
        if (target !== arg && opts.onEmptyPattern) opts.onEmptyPattern(arg);
        else if (target === arg && opts.onEmptyPattern) {
          throw new DiscoveryError(`${arg}: no Go files (vendor/, testdata/ and directories starting with . or _ are not walked)`);
        }
      }
    } else {
      const file: DiscoveredFile = { absPath: abs, displayPath: displayPathOf(cwd, abs), explicit: true };
      if (st && !st.isFile()) file.error = 'not a regular file';
      add(file);
    }
  }
  return [...found.values()].sort((a, b) => (a.absPath < b.absPath ? -1 : a.absPath > b.absPath ? 1 : 0));
}

/** `./...` → `.`, `./pkg/...` and `pkg/...` → the directory; other arguments as is. */
function patternRoot(arg: string): string {
  if (arg === '...') return '.';
  if (arg.endsWith('/...')) return arg.slice(0, -4) || '/';
  if (arg.includes('...')) {
    throw new DiscoveryError(`${arg}: only trailing /... patterns are supported (like ./... or ./pkg/...)`);
  }
  return arg;
}

function walk(
  root: string,
  cwd: string,
  useGit: boolean,
  add: (f: DiscoveredFile, notLink?: boolean) => void,
  opts: Pick<DiscoverOptions, 'includeVendor' | 'onSkipVendor'> = {},
): void {
  const ignored = useGit ? gitIgnored(root) : null;
  const visit = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      // Reported like an unreadable file: the rest of the tree is still processed.
      add({ absPath: dir, displayPath: displayPathOf(cwd, dir), explicit: false, error: `cannot read directory: ${errText(e)}` });
      return;
    }
    let badNames: Map<string, Buffer[]> | null = null;
    // dir is normalized (resolved, then built by this walk): its children's paths are a
    // concatenation (path.join per entry was a tenth of a warm run).
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    for (const ent of entries) {
      const name = ent.name;
      if (name.includes('\uFFFD')) {
        const abs = join(dir, name);
        // Node decodes names as UTF-8, replacing invalid bytes: such a path names no file
        // (issue 16: it was reported as "no such file or directory"). Say what it is.
        badNames ??= rawNames(dir);
        const raw = badNames.get(name)?.shift();
        if (raw && !isUtf8(raw)) {
          if (raw.toString('latin1').endsWith('.go') || ent.isDirectory()) {
            add({
              absPath: abs,
              displayPath: displayPathOf(cwd, join(dir, octalName(raw))),
              explicit: false,
              error: `skipped: the ${ent.isDirectory() ? 'directory' : 'file'} name is not valid UTF-8; rename it to process it`,
            });
          }
          continue;
        }
      }
      // The go command ignores files and directories starting with "." or "_".
      if (name.startsWith('.') || name.startsWith('_')) continue;
      const isDir = ent.isDirectory();
      // Below, only directories and .go names are looked at.
      if (!isDir && !name.endsWith('.go')) continue;
      const abs = prefix + name;
      if (isDir) {
        if (name === 'vendor' && opts.includeVendor) {
          // walked like any other directory
        } else if (SKIP_DIRS.has(name)) {
          if (name === 'vendor') opts.onSkipVendor?.(abs);
          continue;
        }
        if (ignored?.dirs.has(abs)) continue;
        visit(abs);
      } else if (ent.isFile() && name.endsWith('.go')) {
        if (ignored?.files.has(abs)) continue;
        add({ absPath: abs, displayPath: displayPathOf(cwd, abs), explicit: false }, true);
      } else if (ent.isSymbolicLink() && name.endsWith('.go') && !ignored?.files.has(abs)) {
        // Never followed; one inside the root stands for a file the walk reaches itself,
        // a broken one or one leading out of the root is reported (src/run/fsguard.ts).
        const why = walkSymlinkProblem(abs, root);
        if (why) add({ absPath: abs, displayPath: displayPathOf(cwd, abs), explicit: false, error: why });
      }
      // Other symlinks (to directories), sockets, FIFOs: not followed, not processed.
    }
  };
  visit(root);
}

/** A directory's names as bytes, keyed by their lossy UTF-8 decoding. */
function rawNames(dir: string): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  try {
    for (const b of readdirSync(dir, { encoding: 'buffer' })) {
      const k = b.toString('utf8');
      const list = out.get(k);
      if (list) list.push(b);
      else out.set(k, [b]);
    }
  } catch {
    // unreadable now: the entries are reported as they come
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(b: Buffer): boolean {
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** A name with its non-UTF-8 bytes written as octal escapes, as git prints them (\\377). */
function octalName(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (n > 0 && i + n <= b.length && isUtf8(b.subarray(i, i + n))) {
      out += b.subarray(i, i + n).toString('utf8');
      i += n;
    } else {
      out += '\\' + c.toString(8).padStart(3, '0');
      i++;
    }
  }
  return out;
}

interface IgnoreSet {
  dirs: Set<string>;
  files: Set<string>;
}

/**
 * Untracked paths git ignores below root (null outside a work tree or without git).
 * Tracked files are never ignored, as in git. One git process per walked root.
 */
function gitIgnored(root: string): IgnoreSet | null {
  // Outside any work tree git has nothing to say (and would exit 128): no process to start.
  if (!process.env.GIT_DIR && !insideGitWorkTree(root)) return null;
  const r = spawnSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.error || r.status !== 0) return null;
  const set: IgnoreSet = { dirs: new Set(), files: new Set() };
  for (const entry of r.stdout.split('\0')) {
    if (entry === '') continue;
    // "./" means root itself is ignored; it was named explicitly, so walk it anyway.
    if (entry === './') return null;
    if (entry.endsWith('/')) set.dirs.add(resolve(root, entry.slice(0, -1)));
    else set.files.add(resolve(root, entry));
  }
  return set;
}

const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.$/;

/** Go's convention (go/ast.IsGenerated): the marker line appears before the package clause. */
export function isGenerated(source: string): boolean {
  const header = headerOf(source);
  if (!header.includes('Code generated')) return false;
  return header.split('\n').some((line) => GENERATED.test(line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const byCode: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ELOOP: 'too many levels of symbolic links',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    EIO: 'input/output error',
  };
  if (err && typeof err.code === 'string' && byCode[err.code]) return byCode[err.code];
  return err && err.message ? err.message : String(e);
}

/** Whether dir or a parent holds .git (a directory, or a file of a linked work tree or submodule). */
function insideGitWorkTree(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}
