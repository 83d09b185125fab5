// The engine's safety properties, checked on one FileResult: what issue 9 promises
// users (no new syntax error, idempotence, bytes outside the fixes' edits untouched,
// line endings and BOM kept, no edit in or across an ERROR region). Used by the corpus
// verifier (npm run verify:corpus), the corpus and fuzz tests. The engine's formatting
// stage must rebuild the output from the fixed text and change only whitespace there.
// gofmt acceptance needs a
// process and is checked in batches by ./gofmt.ts.
import type { EngineOptions, FileResult, FindingFix } from '../engine/api.js';
import { processFile } from '../engine/engine.js';
import { goFormat } from '../engine/format.js';
import { errorRanges, named } from '../go/syntax.js';
import { parseGo } from '../parser/parser.js';
import type { TextEdit } from '../rules/api.js';

type ProblemKind =
  | 'exception'
  | 'rule-error'
  | 'new-syntax-error'
  | 'edit-outside-fix'
  | 'edit-in-error-region'
  | 'line-endings'
  | 'bom'
  | 'not-idempotent'
  | 'gofmt-rejects'
  | 'gofmt-unformatted'
  | 'format-stage';

export interface Problem {
  file: string;
  kind: ProblemKind;
  detail: string;
}

interface Range {
  start: number;
  end: number;
}

interface ParseFacts {
  errors: Range[];
  /** Where the import helper may edit: from the package clause's end to the last import's end. */
  importRegion: Range | null;
}

function parseFacts(text: string): ParseFacts {
  const tree = parseGo(text);
  try {
    const root = tree.rootNode;
    const top = named(root);
    const pkg = top.find((c) => c.type === 'package_clause');
    const imports = top.filter((c) => c.type === 'import_declaration');
    let importRegion: Range | null = null;
    if (pkg || imports.length) {
      const start = pkg ? pkg.endIndex : imports[0].startIndex;
      const end = Math.max(start, imports.length ? imports[imports.length - 1].endIndex : start);
      importRegion = { start, end };
    }
    return { errors: errorRanges(root), importRegion };
  } finally {
    tree.delete();
  }
}

/** The engine's rule for an edit and an ERROR/MISSING range (an insertion at an ERROR's edge is outside; at a MISSING token, inside). */
function touchesRange(e: Range, r: Range): boolean {
  if (r.start === r.end) return e.start <= r.start && r.start <= e.end; // a MISSING token
  if (e.start === e.end) return r.start < e.start && e.start < r.end;
  return e.start < r.end && r.start < e.end;
}

/** Apply non-overlapping edits (identical ones once), insertions before replacements at a point. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const uniq = dedupe(edits).sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of uniq) {
    if (e.start < pos) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) if (!out.some((o) => o.start === e.start && o.end === e.end && o.text === e.text)) out.push(e);
  return out;
}

/** An offset in applyEdits(text, edits), mapped back to text (into an edit: its start). */
function mapBack(edits: TextEdit[], offset: number): number {
  let shift = 0;
  for (const e of dedupe(edits).sort((a, b) => a.start - b.start || a.end - b.end)) {
    const newStart = e.start + shift;
    if (offset <= newStart) return offset - shift;
    if (offset < newStart + e.text.length) return e.start;
    shift += e.text.length - (e.end - e.start);
  }
  return offset - shift;
}

/** The span of `before` that `after` really changed: common prefix and suffix trimmed. */
function changedSpan(before: string, after: string): Range {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  return { start: p, end: before.length - s };
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function crlfOnly(text: string): boolean {
  return text.includes('\n') && !/(^|[^\r])\n/.test(text);
}

interface CheckOptions {
  engine: EngineOptions;
  /** Re-run the engine on the output and require no change (default true). */
  idempotence?: boolean;
}

/**
 * Check one engine result. `result.source` is the input. The per-pass chain of
 * baselines (pass 1 = source, ..., last = output) is reconstructed from the applied
 * fixes, and each step must only differ inside its fixes' edits plus the import region.
 */
export function checkResult(result: FileResult, opts: CheckOptions): Problem[] {
  const problems: Problem[] = [];
  const file = result.file;
  const add = (kind: ProblemKind, detail: string) => problems.push({ file, kind, detail });
  for (const re of result.ruleErrors) add('rule-error', re);
  if (!result.changed) return problems;
  const { source, output } = result;

  const byPass = new Map<number, FindingFix[]>();
  for (const f of result.findings) {
    if (!f.fix) continue;
    const list = byPass.get(f.fix.pass) ?? [];
    list.push(f.fix);
    byPass.set(f.fix.pass, list);
  }
  // The formatting stage runs after the last pass: its edits must rebuild the output
  // and change nothing but whitespace (gofmt's alignment of the fixes' neighbours).
  const fmt = result.format;
  const fixed = fmt ? fmt.input : output;
  if (fmt) {
    let rebuilt: string | null = null;
    try {
      rebuilt = applyEdits(fmt.input, fmt.edits);
    } catch (e) {
      add('format-stage', `its edits do not apply: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (rebuilt !== null && rebuilt !== output) {
      const span = changedSpan(rebuilt, output);
      add('edit-outside-fix', `bytes outside the fixes' and the formatting stage's edits changed near line ${lineOf(output, span.start)}`);
    }
    // From a gofmt-clean source, the output is exactly what the formatter prints; from any
    // other source the stage only changes spacing (the file's own issues stay).
    const before = goFormat(source);
    if (before.ok && before.text === source.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')) {
      const after = goFormat(output);
      const lf = output.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
      if (!after.ok) add('format-stage', `Go's parser rejects the output of a gofmt-clean file: ${after.error}`);
      else if (after.text !== lf) add('format-stage', `a gofmt-clean file's output is not gofmt-clean near line ${lineOf(lf, changedSpan(lf, after.text).start)}`);
    } else {
      for (const e of fmt.edits) {
        if (fmt.input.slice(e.start, e.end).replace(/\s+/g, '') !== e.text.replace(/\s+/g, '')) {
          add('format-stage', `it changed more than whitespace near line ${lineOf(fmt.input, e.start)} of a file that was not gofmt-clean`);
        }
      }
    }
  }
  const passes = [...byPass.keys()].sort((a, b) => a - b);
  const baselines = passes.map((p) => byPass.get(p)![0].baseline);
  if (passes.length === 0) add('edit-outside-fix', 'the output changed but no finding carries a fix');
  else if (baselines[0] !== source) add('edit-outside-fix', `the first applied pass (${passes[0]}) did not start from the input`);
  for (let i = 0; i < passes.length; i++) {
    const before = baselines[i];
    const after = i + 1 < passes.length ? baselines[i + 1] : fixed;
    const fixes = byPass.get(passes[i])!;
    if (fixes.some((f) => f.baseline !== before)) add('edit-outside-fix', `pass ${passes[i]}: fixes computed on different texts`);
    const facts = parseFacts(before);
    const edits: TextEdit[] = fixes.flatMap((f) => f.edits);
    for (const e of edits) {
      const err = facts.errors.find((r) => touchesRange(e, r));
      if (err) add('edit-in-error-region', `pass ${passes[i]}: edit [${e.start},${e.end}) (line ${lineOf(before, e.start)}) touches ERROR/MISSING [${err.start},${err.end})`);
    }
    // Rebuild the step from the fixes' own edits; the rest of the difference must be
    // the import helper's one edit, inside the import region.
    const withoutImport = applyEdits(before, edits);
    if (withoutImport !== after) {
      const span = changedSpan(withoutImport, after);
      const orig = { start: mapBack(edits, span.start), end: mapBack(edits, span.end) };
      const r = facts.importRegion;
      if (!r || orig.start < r.start || orig.end > r.end) {
        add('edit-outside-fix', `pass ${passes[i]}: bytes outside the fixes' edits changed near line ${lineOf(before, orig.start)}`);
        continue;
      }
      const err = facts.errors.find((x) => touchesRange(orig, x));
      if (err) add('edit-in-error-region', `pass ${passes[i]}: the import edit [${orig.start},${orig.end}) touches ERROR/MISSING [${err.start},${err.end})`);
    }
  }

  const inErrors = parseFacts(source).errors.length;
  const outErrors = parseFacts(output).errors.length;
  if (outErrors > inErrors) add('new-syntax-error', `the output has ${outErrors} ERROR/MISSING nodes, the input ${inErrors}`);
  if (crlfOnly(source) && !crlfOnly(output)) add('line-endings', 'a CRLF file got LF-only line endings');
  if (!source.includes('\r') && output.includes('\r')) add('line-endings', 'an LF file got CR characters');
  if (source.startsWith('\uFEFF') !== output.startsWith('\uFEFF')) add('bom', 'the UTF-8 byte order mark was added or removed');

  if (opts.idempotence !== false) {
    const again = processFile({ absPath: result.absPath, displayPath: file, source: output }, opts.engine);
    if (again.changed) {
      const rules = [...new Set(again.findings.filter((f) => f.fix).map((f) => f.rule))].join(', ');
      add('not-idempotent', `a second run changes the output again (${rules || 'no fixable finding?'})`);
    }
    for (const re of again.ruleErrors) add('rule-error', `on the output: ${re}`);
  }
  return problems;
}
