// The effective Go language version of a file, as the go command computes it:
// the nearest enclosing go.mod's `go` line, adjusted by a `//go:build` goversion
// constraint. Go 1.21+ lets a build tag lower a file's version, but never below
// go1.21 (go/types: versionMax(fileVersion, go1_21)); before that a tag could only
// raise it.
// Why rules care (loop variables, timers, WaitGroup.Go): docs/pitfalls.md#file-version.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A language version "1.N" (patch levels do not change language semantics). */
export interface GoVersion {
  major: number;
  minor: number;
}

export function parseGoVersion(text: string): GoVersion | null {
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.\d+|rc\d+|beta\d+)?$/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatGoVersion(v: GoVersion): string {
  return `${v.major}.${v.minor}`;
}

export function compareGoVersion(a: GoVersion, b: GoVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** The release treated as "current" when a file's version is unknown. */
export const CURRENT_GO: GoVersion = { major: 1, minor: 25 };
const GO1_21: GoVersion = { major: 1, minor: 21 };
const GO1_16: GoVersion = { major: 1, minor: 16 };

/** Whether version v (null = unknown = current) lies in [min, max). */
export function versionInRange(v: GoVersion | null, range?: { min?: string; max?: string }): boolean {
  if (!range) return true;
  const eff = v ?? CURRENT_GO;
  if (range.min) {
    const min = parseGoVersion(range.min);
    if (min && compareGoVersion(eff, min) < 0) return false;
  }
  if (range.max) {
    const max = parseGoVersion(range.max);
    if (max && compareGoVersion(eff, max) >= 0) return false;
  }
  return true;
}

/** The `go` directive of a go.mod text. */
function goModVersion(goMod: string): GoVersion | null {
  const m = /^\s*go\s+(\S+)\s*(?:\/\/.*)?$/m.exec(goMod);
  return m ? parseGoVersion(m[1]) : null;
}

interface ModuleInfo {
  dir: string;
  goMod: string;
  version: GoVersion | null;
  /** Why go.mod could not be read (then `version` is unknown; callers must not guess). */
  error?: string;
}

const moduleCache = new Map<string, ModuleInfo | null>();

/** The nearest go.mod at or above dir (cached per directory). */
export function findModule(dir: string): ModuleInfo | null {
  const chain: string[] = [];
  let cur = dir;
  let found: ModuleInfo | null = null;
  for (;;) {
    const cached = moduleCache.get(cur);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    chain.push(cur);
    const goMod = join(cur, 'go.mod');
    if (existsSync(goMod) && isFile(goMod)) {
      let text: string | null = null;
      let error: string | undefined;
      try {
        text = readFileSync(goMod, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        error = code === 'EACCES' ? 'permission denied' : code === 'EIO' ? 'input/output error' : (e as Error).message;
      }
      // A go.mod without a `go` line means go1.16 to the go command (gover.DefaultGoModVersion).
      found = { dir: cur, goMod, version: text === null ? null : (goModVersion(text) ?? GO1_16), ...(error ? { error } : {}) };
      break;
    }
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of chain) moduleCache.set(d, found);
  return found;
}

/**
 * Why the Go version of a file in `dir` cannot be known (issue 16: an unreadable go.mod
 * was taken as the newest Go, so wg.Go was proposed in a go 1.21 module), or null.
 */
export function moduleProblem(dir: string): string | null {
  const m = findModule(dir);
  if (!m?.error) return null;
  return `cannot read ${m.goMod}: ${m.error}; its go line decides which rules apply (fix its permissions, or pass --go 1.N)`;
}

export function clearModuleCache(): void {
  moduleCache.clear();
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The minimum Go version a `//go:build` expression implies (constraint.GoVersion):
 * `a && b` → max, `a || b` → min, `!x` → none, `go1.N` → 1.N, other tags → none.
 */
export function buildConstraintGoVersion(expr: string): GoVersion | null {
  const tokens = expr.match(/&&|\|\||!|\(|\)|[A-Za-z0-9_.]+/g) ?? [];
  let i = 0;
  const none: GoVersion | null = null;
  const max = (a: GoVersion | null, b: GoVersion | null) =>
    !a ? b : !b ? a : compareGoVersion(a, b) >= 0 ? a : b;
  const min = (a: GoVersion | null, b: GoVersion | null) =>
    !a || !b ? null : compareGoVersion(a, b) <= 0 ? a : b;
  const parseOr = (): GoVersion | null => {
    let v = parseAnd();
    while (tokens[i] === '||') {
      i++;
      v = min(v, parseAnd());
    }
    return v;
  };
  const parseAnd = (): GoVersion | null => {
    let v = parseNot();
    while (tokens[i] === '&&') {
      i++;
      v = max(v, parseNot());
    }
    return v;
  };
  const parseNot = (): GoVersion | null => {
    const t = tokens[i++];
    if (t === '!') {
      parseNot();
      return none;
    }
    if (t === '(') {
      const v = parseOr();
      if (tokens[i] === ')') i++;
      return v;
    }
    if (t && /^go1\.\d+$/.test(t)) return parseGoVersion(t);
    return none;
  };
  return parseOr();
}

/** The `//go:build` line of a file header (before the package clause), if any. */
function buildConstraint(source: string): string | null {
  const m = /^\/\/go:build[ \t]+([^\r\n]*)/m.exec(headerOf(source));
  return m ? m[1].trim() : null;
}

/** Text before the package clause (where build constraints and file directives live). */
export function headerOf(source: string): string {
  const m = /^package[ \t]/m.exec(source);
  return m ? source.slice(0, m.index) : source.slice(0, 4096);
}

/** Combine a module version with a file's build constraint, as go/types does. */
export function effectiveVersion(moduleVersion: GoVersion | null, source: string): GoVersion | null {
  const expr = buildConstraint(source);
  const tag = expr ? buildConstraintGoVersion(expr) : null;
  if (!tag) return moduleVersion;
  if (!moduleVersion) return tag.minor >= 21 || tag.major > 1 ? tag : moduleVersion;
  if (compareGoVersion(moduleVersion, GO1_21) >= 0) {
    return compareGoVersion(tag, GO1_21) >= 0 ? tag : GO1_21;
  }
  // Before go1.21 a build tag could only raise the version.
  return compareGoVersion(tag, moduleVersion) > 0 ? tag : moduleVersion;
}

/** Effective version of the file at absPath with the given text. */
export function fileGoVersion(absPath: string, source: string): GoVersion | null {
  const mod = findModule(dirname(absPath));
  return effectiveVersion(mod?.version ?? null, source);
}
