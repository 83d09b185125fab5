// Big files are analysed a window at a time: as the package they would be if their
// top-level declarations were split into several files, each with the file's package
// clause and imports (its header). That split is legal Go with the same meaning (imports
// are per file, and every window has them all), so whatever a rule may conclude about a
// package of several files it may conclude about the windows. A tree, its scopes and a
// rule's per-file work then cost the size of a window, not of the file: on a 25k-line
// file the tree alone is ~19 MB of WebAssembly memory and its scopes ~22 MB of heap, per
// worker, and neither shrank back (docs/ARCHITECTURE.md, "Windows").
//
// A window is parsed out of the whole text (parseGo's ranges: header and declarations),
// so every node keeps its offset, row and column in the file: findings, fixes and
// messages need no mapping.
import { topLevelBreaks } from './lexical.js';

/** A span of a text, as parseGo's ranges take it. */
export interface Span {
  startIndex: number;
  endIndex: number;
}

export interface Windows {
  /** The package clause, the imports and the comments around them. */
  header: Span;
  /** Runs of whole top-level declarations, in order, up to the window size each. */
  chunks: Span[];
}

/** Files from this many characters are analysed in windows (GOPITFIX_WINDOW_MIN: tests and measurements). */
const WINDOW_MIN = 256 * 1024;
/** Characters of declarations per window (GOPITFIX_WINDOW_SIZE: tests and measurements). */
const WINDOW_SIZE = 32 * 1024;

function envSize(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isInteger(v) && v >= 0 ? v : fallback;
}

function windowMin(): number {
  return envSize('GOPITFIX_WINDOW_MIN', WINDOW_MIN);
}

/**
 * The windows of a text, or null to analyse it whole: shorter than the minimum, or no
 * cut (topLevelBreaks: blank lines at bracket depth 0 after the imports, outside comments
 * and literals) that leaves more than one window. Cuts fall between declarations, so
 * each chunk is whole declarations; a cut that is not (a blank line inside a `var x =`
 * spanning lines) shows as a syntax error in a window's parse, and the engine then
 * analyses the file whole.
 */
export function windowsOf(text: string, min = windowMin(), size = envSize('GOPITFIX_WINDOW_SIZE', WINDOW_SIZE)): Windows | null {
  if (text.length < min) return null;
  const breaks = topLevelBreaks(text);
  if (!breaks || breaks.length < 2) return null;
  const chunks: Span[] = [];
  let start = breaks[0];
  let last = start;
  for (let i = 1; i <= breaks.length; i++) {
    const end = i < breaks.length ? breaks[i] : text.length;
    if (end - start > size && last > start) {
      chunks.push({ startIndex: start, endIndex: last });
      start = last;
    }
    last = end;
  }
  chunks.push({ startIndex: start, endIndex: text.length });
  if (chunks.length < 2) return null;
  return { header: { startIndex: 0, endIndex: breaks[0] }, chunks };
}

/** What a header may hold (anything else means the first cut came after a declaration). */
export const HEADER_TYPES: ReadonlySet<string> = new Set(['package_clause', 'import_declaration', 'comment']);
