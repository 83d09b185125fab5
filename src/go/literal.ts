// Composite literals with keyed elements (struct literals): which fields a literal sets,
// and one edit that adds fields to it in gofmt's layout (aligned `Key: value,` lines,
// realigning the run of lines the new ones join).
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from './edit.js';
import { keyedLines } from './gofmt.js';
import { children, field, indentAt, lineStart, named } from './syntax.js';

interface KeyedElement {
  node: Node;
  /** Field name. */
  key: string;
  /** The value (a literal_element: expression or nested literal_value). */
  value: Node;
  /** The "," after the element, if any. */
  comma: Node | null;
}

export interface StructLiteral {
  /** The composite_literal. */
  lit: Node;
  /** Its literal_value ({...}). */
  body: Node;
  elements: KeyedElement[];
  /** Comments directly inside the braces (not inside elements' values). */
  comments: Node[];
}

/**
 * The keyed elements of a struct composite literal; null when the literal has
 * positional elements or keys that are not plain field names.
 */
export function structLiteral(lit: Node): StructLiteral | null {
  const body = field(lit, 'body');
  if (!body || body.type !== 'literal_value') return null;
  const elements: KeyedElement[] = [];
  const comments: Node[] = [];
  const kids = children(body);
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i];
    if (c.type === 'comment') comments.push(c);
    else if (c.type === 'keyed_element') {
      const parts = named(c).filter((n) => n.type !== 'comment');
      if (parts.length !== 2) return null;
      const keyInner = parts[0].type === 'literal_element' ? named(parts[0]).filter((n) => n.type !== 'comment') : [parts[0]];
      if (keyInner.length !== 1 || (keyInner[0].type !== 'identifier' && keyInner[0].type !== 'field_identifier')) return null;
      const next = kids[i + 1];
      elements.push({ node: c, key: keyInner[0].text, value: parts[1], comma: next && next.type === ',' ? next : null });
    } else if (c.isNamed) return null; // positional element
  }
  return { lit, body, elements, comments };
}

export function keysOf(s: StructLiteral): Set<string> {
  return new Set(s.elements.map((e) => e.key));
}

interface AddOptions {
  /** Keep a single-line literal on one line (`T{A: 1, B: 2}`) instead of breaking it into lines. */
  inline?: boolean;
}

/**
 * One edit that appends `add` (key, value text) to the literal, gofmt-clean; or the
 * reason it cannot be done without reformatting code around it.
 */
export function addKeyedElements(
  src: string,
  eol: string,
  s: StructLiteral,
  add: readonly { key: string; value: string }[],
  opts: AddOptions = {},
): TextEdit | { reason: string } {
  const { body, elements } = s;
  const open = body.child(0)!;
  const close = body.child(body.childCount - 1)!;
  if (open.type !== '{' || close.type !== '}') return { reason: 'the literal is incomplete' };
  const singleLine = body.startPosition.row === body.endPosition.row;
  const baseIndent = indentAt(src, body.startIndex);

  if (singleLine) {
    if (opts.inline) {
      const text = add.map((a) => `${a.key}: ${a.value}`).join(', ');
      if (elements.length === 0) {
        if (s.comments.length) return { reason: 'the literal holds a comment' };
        return { start: open.endIndex, end: close.startIndex, text };
      }
      const last = elements[elements.length - 1];
      if (last.comma) return { start: last.comma.endIndex, end: last.comma.endIndex, text: ` ${text},` };
      return { start: last.node.endIndex, end: last.node.endIndex, text: `, ${text}` };
    }
    if (s.comments.length) return { reason: 'the literal holds comments' };
    const entries = [...elements.map((e) => ({ key: e.key, value: e.value.text })), ...add];
    const lines = keyedLines(baseIndent + '\t', entries);
    return { start: open.endIndex, end: close.startIndex, text: eol + lines.map((l) => l + eol).join('') + baseIndent };
  }

  // Multi-line: the closing brace must start its own line.
  const closeLine = lineStart(src, close.startIndex);
  if (src.slice(closeLine, close.startIndex).trim() !== '') return { reason: 'the closing brace does not start its line' };
  const last = elements[elements.length - 1];
  if (last && !last.comma) return { reason: 'the last element has no trailing comma' };
  const elemIndent = last ? indentAt(src, last.node.startIndex) : indentAt(src, close.startIndex) + '\t';
  if (last && lineStart(src, last.node.startIndex) === lineStart(src, open.startIndex)) {
    return { reason: 'an element shares the line of the opening brace' };
  }

  // The run of simple one-per-line elements the new lines will join (gofmt aligns them together).
  const run: { key: string; value: string; comment: string | null }[] = [];
  let runStart = closeLine;
  const closeRow = close.startPosition.row;
  const lastEnd = last ? lastTokenRow(s, last) : -1;
  if (last && lastEnd === closeRow - 1) {
    for (let i = elements.length - 1; i >= 0; i--) {
      const e = elements[i];
      const info = simpleElement(s, i);
      if (!info) break;
      if (indentAt(src, e.node.startIndex) !== elemIndent) break;
      const expectRow = i === elements.length - 1 ? closeRow - 1 : elements[i + 1].node.startPosition.row - 1;
      if (e.node.startPosition.row !== expectRow) break;
      run.unshift({ key: e.key, value: e.value.text, comment: info.comment?.text ?? null });
      runStart = lineStart(src, e.node.startIndex);
    }
  }
  const all = [...run, ...add.map((a) => ({ ...a, comment: null }))];
  // gofmt stops aligning at keys longer than 40 characters of unequal size; not modeled.
  if (all.some((e) => e.key.length > 40)) return { reason: 'a field name is too long to predict gofmt alignment' };
  const lines = keyedLines(elemIndent, all);
  return { start: runStart, end: closeLine, text: lines.map((l) => l + eol).join('') };
}

/** The row of the last token belonging to element i's line (its comma or trailing comment). */
function lastTokenRow(s: StructLiteral, e: KeyedElement): number {
  let row = (e.comma ?? e.node).endPosition.row;
  for (const c of s.comments) if (c.startPosition.row === row && c.startIndex > e.node.endIndex) row = c.endPosition.row;
  return row;
}

/**
 * Element i when it sits alone on one line (`Key: value, // comment`), with its
 * trailing comment; null otherwise (gofmt breaks alignment around it, or comments make
 * the layout uncertain).
 */
function simpleElement(s: StructLiteral, i: number): { comment: Node | null } | null {
  const e = s.elements[i];
  const row = e.node.startPosition.row;
  if (e.node.endPosition.row !== row || !e.comma || e.comma.startPosition.row !== row) return null;
  if (named(e.node).some((c) => c.type === 'comment')) return null;
  if (e.node.descendantsOfType('comment').length) return null;
  const prev = s.elements[i - 1];
  if (prev && (prev.comma ?? prev.node).endPosition.row >= row) return null;
  const onRow = s.comments.filter((c) => c.startPosition.row === row || c.endPosition.row === row);
  if (onRow.length === 0) return { comment: null };
  if (onRow.length > 1) return null;
  const c = onRow[0];
  if (c.startIndex < e.comma.endIndex || c.endPosition.row !== row) return null;
  return { comment: c };
}

/**
 * Edits that keep the literal around `inner` gofmt-exact once `inner` (now on one line,
 * inside the value of one keyed element) is broken over several lines. gofmt aligns the
 * keys of consecutive one-line elements; a multi-line element ends that alignment, so
 * the elements just before and just after it are laid out as sections of their own and
 * its own key takes a single space. [] when nothing needs realigning; null when the
 * layout is not one this models (a trailing comment on the element's line, a var group).
 */
export function realignForExpansion(src: string, eol: string, inner: Node): TextEdit[] | null {
  let kel: Node | null = null;
  for (let p = inner.parent; p; p = p.parent) {
    if (p.type === 'keyed_element') {
      kel = p;
      break;
    }
    if (p.type === 'var_spec' && p.parent?.type === 'var_spec_list' && named(p.parent).filter((c) => c.type === 'var_spec').length > 1) return null;
    if (p.type === 'block' || p.type === 'source_file' || p.type.endsWith('_statement')) return [];
  }
  if (!kel) return [];
  const body = kel.parent;
  const outerLit = body?.parent;
  if (!body || body.type !== 'literal_value' || !outerLit || outerLit.type !== 'composite_literal') return [];
  if (kel.startPosition.row !== kel.endPosition.row) return []; // already multi-line: already a section break
  if (body.startPosition.row === body.endPosition.row) return []; // a one-line literal aligns nothing
  const s = structLiteral(outerLit);
  if (!s) return [];
  const idx = s.elements.findIndex((e) => e.node.equals(kel!));
  if (idx < 0) return null;
  const me = s.elements[idx];
  const row = kel.startPosition.row;
  if (s.comments.some((c) => c.startPosition.row === row)) return null;
  if (s.elements.some((e, i) => i !== idx && (e.node.startPosition.row === row || e.node.endPosition.row === row))) return null;
  const edits: TextEdit[] = [];
  // Its own key: a single space after the colon.
  const colon = children(kel).find((c) => c.type === ':');
  if (!colon) return null;
  if (src.slice(colon.endIndex, me.value.startIndex) !== ' ') edits.push({ start: colon.endIndex, end: me.value.startIndex, text: ' ' });
  const indent = indentAt(src, kel.startIndex);
  const section = (from: number, to: number) => {
    if (from > to) return;
    const entries = s.elements.slice(from, to + 1).map((e, k) => ({
      key: e.key,
      value: e.value.text,
      comment: simpleElement(s, from + k)!.comment?.text ?? null,
    }));
    const start = lineStart(src, s.elements[from].node.startIndex);
    const last = s.elements[to];
    const endRow = lastTokenRow(s, last);
    let end = start;
    for (let r = s.elements[from].node.startPosition.row; r <= endRow; r++) end = src.indexOf('\n', end) + 1;
    const text = keyedLines(indent, entries).map((l) => l + eol).join('');
    if (src.slice(start, end).replace(/\r\n/g, '\n') !== text.replace(/\r\n/g, '\n')) edits.push({ start, end, text });
  };
  // The run just before: consecutive one-line elements ending on the line above.
  let from = idx;
  for (let i = idx - 1; i >= 0; i--) {
    const e = s.elements[i];
    if (!simpleElement(s, i) || indentAt(src, e.node.startIndex) !== indent) break;
    const expect = i === idx - 1 ? row - 1 : s.elements[i + 1].node.startPosition.row - 1;
    if (e.node.startPosition.row !== expect) break;
    from = i;
  }
  section(from, idx - 1);
  let to = idx;
  for (let i = idx + 1; i < s.elements.length; i++) {
    const e = s.elements[i];
    if (!simpleElement(s, i) || indentAt(src, e.node.startIndex) !== indent) break;
    const expect = i === idx + 1 ? row + 1 : s.elements[i - 1].node.startPosition.row + 1;
    if (e.node.startPosition.row !== expect) break;
    to = i;
  }
  section(idx + 1, to);
  return edits;
}
