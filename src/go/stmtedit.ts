// Edits that move or delete whole statements without leaving gofmt-unclean text:
// a statement alone on its line(s) goes with its line (and a blank line it would
// leave just inside a brace); a statement sharing its line goes with its `;`.
import type { Node, Tree } from 'web-tree-sitter';
import type { TextEdit } from './edit.js';
import { lineEnd, lineStart, named, nextLineStart } from './syntax.js';
import { step } from './meter.js';

/** Whether only blanks precede offset on its line. */
export function firstOnLine(src: string, offset: number): boolean {
  return /^[ \t]*$/.test(src.slice(lineStart(src, offset), offset));
}

/** Whether only blanks (or one `//` comment) follow offset on its line. */
export function lastOnLine(src: string, offset: number): boolean {
  return /^[ \t]*(\/\/.*)?$/.test(src.slice(offset, lineEnd(src, offset)));
}

/** Whether the line containing offset is empty or blanks only. */
function blankLine(src: string, offset: number): boolean {
  return /^[ \t]*\r?$/.test(src.slice(lineStart(src, offset), lineEnd(src, offset)));
}

/**
 * The comment nodes that sit directly in the block around `stmt` (its statement list or the
 * block itself). Kept per list for the tree's life: every fix in a block asks, and listing
 * a block of thousands of statements for each of its fixes was quadratic.
 */
function siblingComments(stmt: Node): readonly Node[] {
  const list = stmt.parent;
  if (!list) return [];
  let byList = commentsByTree.get(stmt.tree);
  if (!byList) commentsByTree.set(stmt.tree, (byList = new Map()));
  let out = byList.get(list.id);
  if (!out) {
    const all = named(list);
    step(all.length);
    out = all.filter((c) => c.type === 'comment');
    const block = list.type === 'statement_list' ? list.parent : null;
    if (block) out.push(...named(block).filter((c) => c.type === 'comment'));
    out.sort((a, b) => a.startIndex - b.startIndex);
    byList.set(list.id, out);
  }
  return out;
}

const commentsByTree = new WeakMap<Tree, Map<number, Node[]>>();

/**
 * The comments attached above `stmt`: each alone on its line, on consecutive lines ending
 * just above the statement (gofmt's notion of a doc comment for a statement).
 */
export function leadingComments(src: string, stmt: Node): Node[] {
  const comments = siblingComments(stmt).filter((c) => c.endIndex <= stmt.startIndex);
  const out: Node[] = [];
  let row = stmt.startPosition.row;
  let limit = stmt.startIndex;
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (c.endPosition.row !== row - 1) break;
    if (!firstOnLine(src, c.startIndex)) break;
    if (!/^[ \t]*\r?\n[ \t]*$/.test(src.slice(c.endIndex, limit))) break;
    out.unshift(c);
    row = c.startPosition.row;
    limit = c.startIndex;
  }
  return out;
}

/** The comment on the statement's last line, after it, if any. */
export function trailingComment(src: string, stmt: Node): Node | null {
  const c = siblingComments(stmt).find((x) => x.startIndex >= stmt.endIndex && x.startPosition.row === stmt.endPosition.row);
  return c && /^[ \t]*$/.test(src.slice(stmt.endIndex, c.startIndex)) ? c : null;
}

/** The statements of stmt's statement list, comments excluded. */
function statementSiblings(stmt: Node): Node[] {
  const list = stmt.parent;
  return list ? named(list).filter((c) => c.type !== 'comment') : [stmt];
}

/**
 * One edit deleting `stmt` from its statement list, from `from` (default: the statement's
 * start; pass the first leading comment to take comments along) through the statement
 * and, when `withTrailing`, its trailing comment. Returns null when the statement shares
 * its line in a way this helper does not handle (comments between statements on a line).
 */
export function removeStatement(src: string, stmt: Node, opts: { from?: number; withTrailing?: boolean } = {}): TextEdit | null {
  const from = opts.from ?? stmt.startIndex;
  const trailing = trailingComment(src, stmt);
  const end = trailing && opts.withTrailing ? trailing.endIndex : stmt.endIndex;
  if (firstOnLine(src, from) && (trailing && !opts.withTrailing ? false : lastOnLine(src, end))) {
    let start = lineStart(src, from);
    let stop = nextLineStart(src, end);
    // Do not leave a blank line just after `{` or just before `}`.
    // The line above alone (a slice of everything before `start`, for every statement
    // removed, made a long function's fixes quadratic).
    const before = start > 0 ? src.slice(lineStart(src, start - 1), start).replace(/[ \t]*\r?\n$/, '') : '';
    const after = src.slice(stop);
    if (/\{[ \t]*$/.test(before) && stop < src.length && blankLine(src, stop)) stop = nextLineStart(src, stop);
    else if (/^[ \t]*\}/.test(after) && start > 0 && blankLine(src, start - 1)) start = lineStart(src, start - 1);
    return { start, end: stop, text: '' };
  }
  if (trailing && !opts.withTrailing && firstOnLine(src, from)) {
    // Keep the trailing comment where it is, on its own line.
    return { start: from, end: trailing.startIndex, text: '' };
  }
  if (trailing) return null;
  const sibs = statementSiblings(stmt);
  const i = sibs.findIndex((s) => s.equals(stmt));
  const next = sibs[i + 1];
  const prev = sibs[i - 1];
  const clean = (a: number, b: number) => !/\/[/*]/.test(src.slice(a, b));
  if (next && next.startPosition.row === stmt.endPosition.row && clean(stmt.endIndex, next.startIndex)) {
    return { start: from, end: next.startIndex, text: '' };
  }
  if (prev && prev.endPosition.row === stmt.startPosition.row && clean(prev.endIndex, from)) {
    return { start: prev.endIndex, end: end, text: '' };
  }
  if (!next && !prev) {
    // The only statement of a one-line block: `{ stmt }` → `{}`.
    const block = stmt.parent?.type === 'statement_list' ? stmt.parent.parent : stmt.parent;
    if (block && block.type === 'block') {
      const open = block.child(0);
      const close = block.child(block.childCount - 1);
      if (open?.type === '{' && close?.type === '}' && clean(open.endIndex, close.startIndex)) {
        return { start: open.endIndex, end: close.startIndex, text: '' };
      }
    }
  }
  return null;
}

/** Re-indent a multi-line snippet taken from a line indented `from` to indentation `to`. */
export function reindent(text: string, from: string, to: string): string {
  if (from === to) return text;
  return text.replace(/\n([ \t]*)/g, (m, ws: string) => '\n' + (ws.startsWith(from) ? to + ws.slice(from.length) : ws));
}

/**
 * Whether the line containing offset is code followed by a `//` comment: gofmt aligns
 * such comments across consecutive lines, so adding or removing a line next to one can
 * change the alignment gofmt wants. (Approximate: a `//` inside a string counts too,
 * which only makes callers more careful.)
 */
function hasTrailingComment(src: string, offset: number): boolean {
  const line = src.slice(lineStart(src, offset), lineEnd(src, offset));
  return /^[ \t]*[^ \t/].*?[ \t]\/\/|^[ \t]*\/[^/*].*?[ \t]\/\//.test(line);
}

/**
 * Whether deleting the whole lines [start, end) could change the trailing-comment
 * alignment gofmt wants for the lines around them.
 */
export function removalDisturbsAlignment(src: string, edit: TextEdit): boolean {
  if (edit.text !== '' || edit.start === 0 || src[edit.start - 1] !== '\n') return false;
  const above = hasTrailingComment(src, edit.start - 1);
  const below = edit.end < src.length && hasTrailingComment(src, edit.end);
  let removed = false;
  for (let o = edit.start; o < edit.end; o = nextLineStart(src, o)) removed ||= hasTrailingComment(src, o);
  return (above && below) || (removed && (above || below));
}

/**
 * Whether inserting whole lines at line start `at` could change the trailing-comment
 * alignment gofmt wants: the new lines sit between two commented lines, or carry a
 * trailing comment next to one.
 */
export function insertionDisturbsAlignment(src: string, at: number, insertedHasComment: boolean): boolean {
  const above = at > 0 && hasTrailingComment(src, at - 1);
  const below = at < src.length && hasTrailingComment(src, at);
  return (above && below) || (insertedHasComment && (above || below));
}
