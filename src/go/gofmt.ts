// gofmt's column alignment, for rules that generate lines gofmt aligns: keyed elements
// of a composite literal (`Key:   value,`) and trailing comments of consecutive lines.
// gofmt's printer writes such lines through text/tabwriter (padding 1, spaces for
// alignment, tabs for indentation, DiscardEmptyColumns). This reproduces tabwriter's
// layout for one section: lines whose cells are separated by tabwriter's cell
// terminators; callers decide where gofmt breaks sections (blank lines, comment-only
// lines, multi-line elements, formfeeds after multi-line statements) and pass each
// section separately.

/** Width of text as tabwriter counts it: one per Unicode code point. */
function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Lay out rows of cells as text/tabwriter does with padding 1: every cell but a row's
 * last is terminated; a column block is a maximal run of consecutive rows that have a
 * terminated cell in that column, padded to the block's widest cell + 1. Returns the
 * rows as text (without indentation).
 */
function alignCells(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.map((r) => r.map(() => 0));
  const maxCols = Math.max(0, ...rows.map((r) => r.length - 1));
  for (let c = 0; c < maxCols; c++) {
    let i = 0;
    while (i < rows.length) {
      if (rows[i].length - 1 <= c) {
        i++;
        continue;
      }
      let j = i;
      let w = 0;
      let empty = true;
      while (j < rows.length && rows[j].length - 1 > c) {
        w = Math.max(w, textWidth(rows[j][c]) + 1);
        if (rows[j][c] !== '') empty = false;
        j++;
      }
      for (let k = i; k < j; k++) widths[k][c] = empty ? 0 : w;
      i = j;
    }
  }
  return rows.map((r, i) =>
    r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[i][c] - textWidth(cell))))).join(''),
  );
}

/** `Key: value,` lines of a composite literal section, gofmt-aligned, each prefixed by indent. */
export function keyedLines(indent: string, entries: readonly { key: string; value: string; comment?: string | null }[]): string[] {
  return alignCells(entries.map((e) => (e.comment ? [`${e.key}:`, `${e.value},`, e.comment] : [`${e.key}:`, `${e.value},`]))).map(
    (l) => indent + l,
  );
}
