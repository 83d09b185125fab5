// Suppression comments: `//gopitfix:ignore [rule-a,rule-b]` and golangci-lint's
// `//nolint[:a,b]` on the finding's line or alone on the line above it, and
// `//gopitfix:ignore-file` in the file header (before the package clause).
import { headerOf } from '../go/version.js';

const LINE_DIRECTIVE = /\/\/\s*(?:gopitfix:ignore(?![-\w])|nolint(?![-\w]))(?::?[ \t]*([\w-]+(?:[ \t]*,[ \t]*[\w-]+)*))?/;

export function ignoresFile(source: string): boolean {
  return /^\/\/\s*gopitfix:ignore-file\b/m.test(headerOf(source));
}

/**
 * `//gopitfix:ignore a,b` directives naming a rule id that does not exist (a typo would
 * otherwise silently suppress nothing): 1-based line and the id. `//nolint:x` lists are
 * not checked, as they name other linters too.
 */
export function unknownIgnoreIds(source: string, known: (id: string) => boolean): { line: number; id: string }[] {
  const out: { line: number; id: string }[] = [];
  if (!source.includes('gopitfix:ignore')) return out;
  source.split('\n').forEach((line, i) => {
    const idx = line.indexOf('//');
    if (idx < 0) return;
    const m = LINE_DIRECTIVE.exec(line.slice(idx));
    if (!m || !m[1] || !/^\/\/\s*gopitfix:ignore/.test(m[0])) return;
    for (const id of m[1].split(',').map((s) => s.trim())) if (!known(id)) out.push({ line: i + 1, id });
  });
  return out;
}

export class Suppressions {
  /** line (0-based) → rule ids suppressed there; "*" = all. */
  private readonly byLine = new Map<number, Set<string>>();
  /** Lines that hold nothing but a comment (a directive there covers the next line). */
  private readonly commentOnly = new Set<number>();

  constructor(source: string) {
    if (!source.includes('gopitfix:ignore') && !source.includes('nolint')) return;
    const lines = source.split('\n');
    lines.forEach((line, i) => {
      const idx = line.indexOf('//');
      if (idx < 0) return;
      const m = LINE_DIRECTIVE.exec(line.slice(idx));
      if (!m) return;
      const isNolint = /^\/\/\s*nolint/.test(line.slice(idx));
      const list = m[1] ? m[1].split(',').map((s) => s.trim()) : null;
      const set = new Set<string>();
      if (!list) set.add('*');
      else for (const id of list) set.add(isNolint && id === 'gopitfix' ? '*' : id);
      // `//nolint:errcheck` names another linter: the set holds no id of ours, so nothing is suppressed.
      this.byLine.set(i, set);
      if (line.slice(0, idx).trim() === '') this.commentOnly.add(i);
    });
  }

  suppressed(rule: string, line: number): boolean {
    const here = this.byLine.get(line);
    if (here && (here.has('*') || here.has(rule))) return true;
    const above = this.byLine.get(line - 1);
    return !!above && this.commentOnly.has(line - 1) && (above.has('*') || above.has(rule));
  }
}
