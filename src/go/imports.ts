// A file's imports: the local name of each imported package (aliases included),
// and the one helper that adds a standard-library import a fix needs, gofmt-clean.
import type { Node } from 'web-tree-sitter';
import { detectEol, field, lineStart, named, unquote } from './syntax.js';

export interface ImportSpec {
  path: string;
  /** Explicit name (alias, "_" or "."), or null. */
  alias: string | null;
  /** The name code uses to refer to the package ("" for dot and blank imports). */
  localName: string;
  node: Node;
}

/** The package name a path declares by convention (last element, minus a version suffix). */
export function defaultPackageName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1];
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  last = last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/-go$/, '');
  return last.replace(/[^A-Za-z0-9_]/g, '_');
}

export class Imports {
  readonly specs: ImportSpec[] = [];
  private readonly decls: Node[] = [];

  constructor(
    private readonly root: Node,
    private readonly source: string,
  ) {
    for (const decl of named(root)) {
      if (decl.type !== 'import_declaration') continue;
      this.decls.push(decl);
      for (const spec of decl.descendantsOfType('import_spec')) {
        if (!spec) continue;
        const pathNode = field(spec, 'path');
        if (!pathNode) continue;
        const path = unquote(pathNode.text);
        const nameNode = field(spec, 'name');
        const alias = nameNode ? nameNode.text : null;
        const localName = alias === '_' || alias === '.' ? '' : (alias ?? defaultPackageName(path));
        this.specs.push({ path, alias, localName, node: spec });
      }
    }
  }

  /** Local name under which `path` is usable (first non-blank, non-dot import), or null. */
  localName(path: string): string | null {
    for (const s of this.specs) if (s.path === path && s.localName) return s.localName;
    return null;
  }

  /** The import spec that binds local name `name`, if any. */
  byLocalName(name: string): ImportSpec | null {
    return this.specs.find((s) => s.localName === name) ?? null;
  }

  /**
   * The name generated code should use for std package `path`: the existing local name,
   * or the default name when the package is not imported yet (the fix then lists the
   * path in `Fix.imports`). Callers must check the name is not shadowed where they use it.
   */
  nameFor(path: string): { name: string; needsImport: boolean } {
    const existing = this.localName(path);
    if (existing) return { name: existing, needsImport: false };
    return { name: defaultPackageName(path), needsImport: true };
  }

  /**
   * One edit that adds the given import paths (those not imported yet), gofmt-clean:
   * into the standard-library run of an existing grouped block at its sorted position,
   * converting a single import into a group, or as a new declaration after the package clause.
   */
  addEdit(paths: string[]): { start: number; end: number; text: string } | null {
    const missing = [...new Set(paths)].filter((p) => !this.specs.some((s) => s.path === p && s.localName)).sort();
    if (missing.length === 0) return null;
    const src = this.source;
    const eol = detectEol(src);
    // cgo (issue 16): the comment right before `import "C"` is its preamble, so a
    // declaration holding "C" is never grouped, joined or moved; new imports go into
    // another declaration, or into a new one after the last import.
    const isCgo = (d: Node) => d.descendantsOfType('import_spec').some((sp) => sp && field(sp, 'path') && unquote(field(sp, 'path')!.text) === 'C');
    const decls = this.decls.filter((d) => !isCgo(d));
    const grouped = decls.find((d) => named(d).some((c) => c.type === 'import_spec_list'));
    if (grouped) {
      const list = named(grouped).find((c) => c.type === 'import_spec_list')!;
      const specs = named(list).filter((c) => c.type === 'import_spec');
      // Runs of consecutive lines (gofmt sorts within each run, split by blank lines or comments).
      const runs: Node[][] = [];
      let prevLine = -2;
      for (const s of specs) {
        if (s.startPosition.row !== prevLine + 1 || runs.length === 0) runs.push([]);
        runs[runs.length - 1].push(s);
        prevLine = s.endPosition.row;
      }
      const isStd = (s: Node) => !unquote(field(s, 'path')!.text).split('/')[0].includes('.');
      const stdRun = runs.find((r) => r.some(isStd));
      const indent = '\t';
      if (stdRun) {
        // Insert each missing path before the first spec in the run whose path sorts after it.
        const lines = missing.map((p) => ({ p, text: `${indent}"${p}"${eol}` }));
        let insertAt = -1;
        let text = '';
        // All missing paths go at one point only if they sort together; otherwise place them
        // one by one by rebuilding the run's text, which keeps comments on their specs.
        const runStart = lineStart(src, stdRun[0].startIndex);
        const runEndLine = src.indexOf('\n', stdRun[stdRun.length - 1].endIndex);
        const runEnd = runEndLine < 0 ? src.length : runEndLine + 1;
        const runLines: { key: string; name: string; text: string }[] = [];
        for (const s of stdRun) {
          const ls = lineStart(src, s.startIndex);
          const le = src.indexOf('\n', s.endIndex);
          runLines.push({ key: unquote(field(s, 'path')!.text), name: field(s, 'name')?.text ?? '', text: src.slice(ls, le < 0 ? src.length : le + 1) });
        }
        // Keep the run's own lines byte for byte; only splice the new ones in. gofmt orders
        // a run by path, then by name (none sorts first: "time" before . "time" and _ "time").
        // In a run gofmt would reorder anyway (unsorted), the new line goes right after the
        // last entry that sorts before it, which is where gofmt puts it relative to that entry.
        const merged = [...runLines];
        for (const l of lines) {
          const before = (m: { key: string; name: string }) => m.key < l.p || (m.key === l.p && m.name < '');
          let idx = -1;
          for (let i = 0; i < merged.length; i++) if (before(merged[i])) idx = i;
          const sorted = merged.every((m, i) => i === 0 || !(m.key < merged[i - 1].key || (m.key === merged[i - 1].key && m.name < merged[i - 1].name)));
          if (sorted) idx = merged.findIndex((m) => !before(m)) - 1;
          if (sorted && idx === -2) idx = merged.length - 1;
          merged.splice(idx + 1, 0, { key: l.p, name: '', text: l.text });
        }
        text = merged.map((m) => m.text).join('');
        insertAt = runStart;
        return { start: insertAt, end: runEnd, text };
      }
      // No std run: a new run first in the block, separated by a blank line.
      const first = specs[0];
      const at = first ? lineStart(src, first.startIndex) : lineStart(src, list.endIndex);
      const text = missing.map((p) => `${indent}"${p}"${eol}`).join('') + (first ? eol : '');
      return { start: at, end: at, text };
    }
    const single = decls[0];
    if (single) {
      const spec = named(single).find((c) => c.type === 'import_spec');
      if (spec && single.startPosition.row === single.endPosition.row) {
        const all = [...missing.map((p) => ({ key: p, text: `"${p}"` })), { key: unquote(field(spec, 'path')!.text), text: spec.text }];
        const isStd = (k: string) => !k.split('/')[0].includes('.');
        const std = all.filter((a) => isStd(a.key)).sort((a, b) => (a.key < b.key ? -1 : 1));
        const other = all.filter((a) => !isStd(a.key));
        const body = std.map((a) => `\t${a.text}${eol}`).join('') + (other.length && std.length ? eol : '') + other.map((a) => `\t${a.text}${eol}`).join('');
        return { start: single.startIndex, end: single.endIndex, text: `import (${eol}${body})` };
      }
    }
    const text1 =
      missing.length === 1 ? `import "${missing[0]}"` : `import (${eol}${missing.map((p) => `\t"${p}"${eol}`).join('')})`;
    // Only cgo imports: a new declaration after the last one.
    const lastDecl = this.decls[this.decls.length - 1];
    if (lastDecl) return { start: lastDecl.endIndex, end: lastDecl.endIndex, text: `${eol}${eol}${text1}` };
    // No imports at all: after the package clause.
    const pkg = named(this.root).find((c) => c.type === 'package_clause');
    if (!pkg) return null;
    const text =
      missing.length === 1
        ? `${eol}${eol}import "${missing[0]}"`
        : `${eol}${eol}import (${eol}${missing.map((p) => `\t"${p}"${eol}`).join('')})`;
    return { start: pkg.endIndex, end: pkg.endIndex, text };
  }
}
