// redundant-loopvar-copy: from Go 1.22 every iteration of a `for` loop has its own
// loop variables, so the `v := v` copies written for older Go are dead code
// (golangci-lint copyloopvar, gopls modernize forvar). Delete them from the top of
// the loop body. A 3-clause copy (`for i := ...; { i := i`) is only dead when the
// body never modifies the copy: otherwise removing it would make the body change
// the loop's own counter.
import type { Node } from 'web-tree-sitter';
import { isWriteRef, loopVars } from '../../src/go/loopvars.js';
import { descendants, field, lineEnd, lineStart, named, nextLineStart, statementsOf } from '../../src/go/syntax.js';
import { formatGoVersion } from '../../src/go/version.js';
import type { Rule, TextEdit } from '../../src/rules/api.js';
import { defineRule } from '../../src/rules/define.js';

interface Copy {
  stmt: Node;
  names: string[];
  /** Line range to delete, when the statement has its line to itself. */
  range: { start: number; end: number } | null;
}

export const rule: Rule = defineRule({
  meta: {
    id: 'redundant-loopvar-copy',
    summary: 'Delete v := v copies of loop variables, dead code since Go 1.22 (files at Go 1.22 or later)',
    defaultOn: true,
    // Its fixes yield to capture-loop-var's on overlap (the order fixes have always been preferred in).
    after: ['capture-loop-var'],
    goVersion: { min: '1.22' },
    // A loop, and a copy `v := v` / `k, v := k, v` (the first name on both sides; the
    // bounded repeat keeps the scan linear on long identifier lists).
    triggers: [/\bfor\b/],
    requires: [/\b(\w+)(?:\s*,\s*\w+){0,8}\s*:=\s*\1\b/],
    docPath: 'transforms/redundant-loopvar-copy/README.md',
  },
  run(ctx) {
    const sem = ctx.sem;
    const src = ctx.source;
    const version = ctx.goVersion ? `Go ${formatGoVersion(ctx.goVersion)}` : 'current Go (no go.mod)';
    for (const loop of descendants(ctx.root, 'for_statement')) {
      const body = field(loop, 'body');
      if (!body) continue;
      const stmts = statementsOf(body);
      // Copies lead the body: without a leading `x := x` there is nothing to find, decided
      // from the syntax before resolving the loop's variables.
      if (!mayBeCopy(stmts[0])) continue;
      const vars = loopVars(sem, loop);
      if (vars.length === 0) continue;
      const copies: Copy[] = [];
      for (const stmt of stmts) {
        if (stmt.type !== 'short_var_declaration') break;
        const left = named(field(stmt, 'left')!).filter((c) => c.type !== 'comment');
        const right = named(field(stmt, 'right')!).filter((c) => c.type !== 'comment');
        if (left.length !== right.length) break;
        let ok = true;
        let kept = false;
        for (let i = 0; i < left.length && ok; i++) {
          const l = left[i];
          const r = right[i];
          if (l.type !== 'identifier' || r.type !== 'identifier' || l.text !== r.text) {
            ok = false;
            break;
          }
          const lv = vars.find((v) => v.binding === sem.resolve(r));
          const copy = sem.declaredAt(l);
          if (!lv || !copy) {
            ok = false;
            break;
          }
          // A 3-clause copy the body modifies keeps the loop counter safe from the body: not dead.
          if (lv.kind === 'clause' && copy.refs.some(isWriteRef)) kept = true;
          // A later `v, err := f()` assigns the copy; without it, that would declare a new v.
          if (copy.refs.some(isRedeclaration)) kept = true;
        }
        if (!ok) break;
        if (kept) continue;
        copies.push({ stmt, names: left.map((l) => l.text), range: ownLine(src, stmt) });
      }
      if (copies.length === 0) continue;
      for (const c of copies) {
        const what = c.names.map((n) => `${n} := ${n}`).join(', ');
        const copyText = c.names.length === 1 ? what : `${c.names.join(', ')} := ${c.names.join(', ')}`;
        const message =
          `${copyText} is a redundant copy: since Go 1.22 (this file: ${version}) each iteration has its own ` +
          `${c.names.join(', ')}`;
        if (!c.range) {
          ctx.report({ node: c.stmt, message, noFix: 'the copy shares its line with other code' });
          continue;
        }
        const edit: TextEdit = { start: c.range.start, end: c.range.end, text: '' };
        extendOverBlankLine(src, body, edit, copies);
        ctx.report({ node: c.stmt, message, fix: { description: `Delete the copy ${copyText}`, edits: [edit] } });
      }
    }
  },
});

/** Whether stmt can be a copy `x, y := x, y` (the syntax the loop below checks first). */
function mayBeCopy(stmt: Node | undefined): boolean {
  if (!stmt || stmt.type !== 'short_var_declaration') return false;
  const l = field(stmt, 'left');
  const r = field(stmt, 'right');
  if (!l || !r) return true; // malformed: left to the full check
  const left = named(l).filter((c) => c.type !== 'comment');
  const right = named(r).filter((c) => c.type !== 'comment');
  if (left.length !== right.length) return false;
  return left.length === 0 || (left[0].type === 'identifier' && right[0].type === 'identifier' && left[0].text === right[0].text);
}

/** Whether ident is the left side of a `:=` that, because of an earlier declaration, assigns it. */
function isRedeclaration(ident: Node): boolean {
  const list = ident.parent;
  const decl = list?.parent;
  return !!decl && list!.type === 'expression_list' && decl.type === 'short_var_declaration' && !!field(decl, 'left')?.equals(list!);
}

/** The whole line of stmt (terminator included) when nothing else but a trailing comment is on it. */
function ownLine(src: string, stmt: Node): { start: number; end: number } | null {
  const start = lineStart(src, stmt.startIndex);
  if (src.slice(start, stmt.startIndex).trim() !== '') return null;
  const end = lineEnd(src, stmt.endIndex);
  if (!/^\s*(\/\/.*)?$/.test(src.slice(stmt.endIndex, end))) return null;
  return { start, end: nextLineStart(src, stmt.endIndex) };
}

/**
 * When a run of deleted copies sits between the opening brace (or a blank line) and a
 * blank line, also delete that blank line, so no leading or doubled blank line remains.
 */
function extendOverBlankLine(src: string, body: Node, edit: TextEdit, copies: Copy[]): void {
  // Only the last copy of a contiguous run of deleted lines extends.
  const next = copies.find((o) => o.range && o.range.start === edit.end);
  if (next) return;
  let runStart = edit.start;
  for (;;) {
    const prev = copies.find((o) => o.range && o.range.end === runStart);
    if (!prev) break;
    runStart = prev.range!.start;
  }
  const after = edit.end;
  const afterLineEnd = lineEnd(src, after);
  if (after >= src.length || src.slice(after, afterLineEnd).trim() !== '') return;
  const prevLineStart = runStart > 0 ? lineStart(src, runStart - 1) : 0;
  const prevLine = src.slice(prevLineStart, runStart).replace(/\r?\n$/, '');
  const braceLine = prevLineStart <= body.startIndex && body.startIndex < runStart;
  if (braceLine || prevLine.trim() === '') {
    edit.end = nextLineStart(src, after);
  }
}
