// The rewrite engine. Per file: parse once, run every enabled rule on the same
// tree, merge their fixes as independent edits on one baseline (go/analysis
// style). Overlapping fixes cannot both apply: the first in rule order wins and
// the rest are retried on a re-parse of the result, up to a bounded fixpoint.
// A safety net re-parses every result and drops any fix that would add a
// syntax error; edits never touch a pre-existing ERROR region. Last, a changed file
// goes through Go's own formatter (./format.ts), kept to the lines the fixes touched and
// their alignment sections; a result Go's parser rejects loses its fixes. A big file is
// read a window of declarations at a time (../go/window.ts, runWindowedPass), the other
// windows being files of its package: no tree of the whole file is built (unless a
// window does not parse cleanly: then the pass reads the whole file).
import { diffHunks, editHunks, lineIndexOf, lineStarts as diffLineStarts, renderDiff, type Hunk } from './fastdiff.js';
import type MagicString from 'magic-string';
import type { EngineOptions, FileResult, FindingFix, Position, SourceFile } from './api.js';
import { formatFixed, goFormat } from './format.js';
import { Imports } from '../go/imports.js';
import { PackageInfo, PackageLoader, WindowText, windowFile, type PackageFile } from '../go/package.js';
import { Semantics } from '../go/scope.js';
import { WordQuestions } from '../go/wordindex.js';
import { HEADER_TYPES, windowsOf, type Span, type Windows } from '../go/window.js';
import { detectEol, errorRanges, named } from '../go/syntax.js';
import { fileGoVersion, versionInRange, type GoVersion } from '../go/version.js';
import { initParser, parseGo } from '../parser/parser.js';
import { lineStarts } from '../util/text.js';
import { passesPrefilter } from './prefilter.js';
import { optionsWithDefaults } from '../rules/define.js';
import { Suppressions, ignoresFile } from './suppress.js';
import type { Fix, FindingInput, Node, Rule, RuleContext, TextEdit, Tree } from '../rules/api.js';

export type { EngineOptions, FileResult, Finding, SourceFile } from './api.js';

// Loaded by initEngine with the parser (a run served from the cache loads neither).
let MagicStringClass: typeof MagicString;

export async function initEngine(): Promise<void> {
  await initParser();
  MagicStringClass ??= (await import('magic-string')).default;
}

// Each pass runs only when the one before applied a fix (so a file never takes more passes
// than it has fixes, plus one); nested constructs converted inner-first need two passes per
// level (hoist, then wg.Go), and repeated Adds before one go statement one pass each.
const DEFAULT_MAX_PASSES = 32;
const packages = new PackageLoader();

interface Record_ {
  rule: string;
  ruleIndex: number;
  message: string;
  /** Why there is no fix (the rule's `noFix`, or the engine's own reason); null with a fix. */
  noFix: string | null;
  origStart: number;
  origEnd: number;
  status: 'none' | 'applied' | 'deferred' | 'rejected' | 'declined';
  fix: FindingFix | null;
}

interface Candidate {
  rec: Record_;
  fix: Fix;
}

/** Where the text of one pass came from: its edits, sorted, against the previous text. */
type PassMap = TextEdit[];

/** What every phase of one file's run shares: its inputs, the findings so far, the pass maps. */
class FileRun {
  readonly result: FileResult;
  readonly ruleIndex: Map<string, number>;
  readonly records: Record_[] = [];
  /** A finding's record by rule and original offset, so a later pass updates it. */
  readonly byKey = new Map<string, Record_>();
  /** One map per applied pass, back to the text before it. */
  readonly maps: PassMap[] = [];
  /** A window did not parse cleanly: later passes read the whole file without trying again. */
  wholeFile = false;

  constructor(
    readonly file: SourceFile,
    readonly opts: EngineOptions,
    readonly version: GoVersion | null,
    readonly rules: Rule[],
    result: FileResult,
  ) {
    this.result = result;
    this.ruleIndex = new Map(opts.rules.map((r, i) => [r.meta.id, i]));
  }

  /** An offset of the current text, as an offset of the original source. */
  mapBack(offset: number): number {
    for (let i = this.maps.length - 1; i >= 0; i--) offset = mapThrough(this.maps[i], offset);
    return offset;
  }

  reject(c: Candidate): void {
    c.rec.status = 'rejected';
    c.rec.noFix = 'the fix was rejected: it would introduce a syntax error';
    this.result.rejectedFixes++;
  }
}

/** One pass's parse of its text; `sem` is built on first use and handed back with the tree. */
interface Parsed {
  text: string;
  tree: Tree;
  root: Node;
  errs: { start: number; end: number }[];
  imports: Imports;
  sem: Semantics | null;
  /** In a window of a big file (../go/window.ts): the file's windows as files of the package, `current` for this one. */
  windowFiles?: (current: PackageFile) => PackageFile[];
  /** In a window pass, the header: imports are read from it, and syntax errors counted window by window (no tree of the whole text). */
  header?: Span;
}

export function processFile(file: SourceFile, opts: EngineOptions): FileResult {
  const result = emptyResult(file);
  const run = gate(file, opts, result);
  if (!run) return result;
  const source = file.source;
  const maxPasses = opts.maxPasses ?? DEFAULT_MAX_PASSES;
  let text = source;
  /** What the fixes wrote, as ranges of the current text. */
  let touched: TextEdit[] = [];
  /** The safety net's tree of `text`, when it kept one: the next pass starts from it. */
  let next: Tree | null = null;
  try {
    for (let pass = 1; pass <= maxPasses; pass++) {
      const given = next;
      next = null;
      const step = runPass(run, pass, text, given);
      if (!step) break;
      next = step.tree;
      run.maps.push(step.edits);
      touched = carryForward(step.edits, touched);
      text = step.text;
    }
  } finally {
    next?.delete();
  }
  if (text !== source) text = formatOutput(run, text, touched);
  return finishResult(run, text);
}

function emptyResult(file: SourceFile): FileResult {
  return {
    file: file.displayPath,
    absPath: file.absPath,
    source: file.source,
    output: file.source,
    changed: false,
    findings: [],
    rejectedFixes: 0,
    syntaxErrors: false,
    skippedByPrefilter: false,
    ignoredFile: false,
    ruleErrors: [],
  };
}

/**
 * The file-level gates: an ignored file, the rules for this file's Go version, the
 * prefilter. Null when nothing runs (the reason is set on `result`).
 */
function gate(file: SourceFile, opts: EngineOptions, result: FileResult): FileRun | null {
  const source = file.source;
  if (ignoresFile(source)) {
    result.ignoredFile = true;
    return null;
  }
  const version = opts.goVersion ?? (file.goVersion !== undefined ? file.goVersion : fileGoVersion(file.absPath, source));
  let rules = opts.rules.filter((r) => versionInRange(version, r.meta.goVersion));
  if (rules.length < opts.rules.length) result.rulesOutOfVersion = opts.rules.filter((r) => !rules.includes(r)).map((r) => r.meta.id);
  if (rules.length === 0) {
    // Not the prefilter's doing: no enabled rule applies to this file's Go version.
    result.skippedByGoVersion = true;
    return null;
  }
  if (opts.prefilter !== false) {
    rules = rules.filter((r) => passesPrefilter(r.meta, source));
  }
  if (rules.length === 0) {
    result.skippedByPrefilter = true;
    return null;
  }
  return new FileRun(file, opts, version, rules, result);
}

/** What a pass made: the new text, the edits that made it, and the safety net's tree of it (null: none kept). */
interface Step {
  text: string;
  edits: TextEdit[];
  tree: Tree | null;
}

/**
 * One pass of the fixpoint on `text` (`given`: a tree of it, which the pass then owns):
 * parse, run the rules, record their findings, take the fixes that do not overlap, apply
 * them behind the syntax safety net. Null when no fix applied (the fixpoint is reached).
 */
function runPass(run: FileRun, pass: number, text: string, given: Tree | null): Step | null {
  if (!given && !run.wholeFile) {
    const win = windowsOf(text);
    const step = win ? runWindowedPass(run, pass, text, win) : undefined;
    if (step !== undefined) return step;
    if (win) run.wholeFile = true;
  }
  const { file, result } = run;
  // A file parsed earlier as a sibling of another is not parsed again for its first pass.
  const shared = !given && pass === 1 && !file.packageFiles ? packages.borrow(file.absPath, text) : null;
  const tree = given ?? shared?.tree ?? parseGo(text);
  let parsed: Parsed | null = null;
  let freed = false;
  // The pass's tree goes (back to the loader, or deleted) as soon as nothing reads it any
  // more: before the safety net parses the fixed text, so two trees of a big file are
  // never alive at once.
  const free = () => {
    if (freed) return;
    freed = true;
    if (shared) packages.release(file.absPath, { imports: parsed?.imports ?? null, sem: parsed ? parsed.sem : (shared.sem ?? null) });
    else tree.delete();
  };
  try {
    const root = tree.rootNode;
    const errs = errorRanges(root);
    if (pass === 1) {
      result.syntaxErrors = errs.length > 0;
      if (errs.length) result.syntaxError = position(lineStarts(text), Math.min(...errs.map((e) => e.start)));
    }
    const imports = shared?.imports ?? new Imports(root, text);
    parsed = { text, tree, root, errs, imports, sem: shared?.sem ?? null };
    const cands = recordFindings(run, parsed, runRules(run, parsed, result.ruleErrors), pass);
    return applyCandidates(run, parsed, takeNonOverlapping(cands), pass, free);
  } finally {
    free();
  }
}

/**
 * A pass over a big file a window at a time (../go/window.ts): each window's tree is
 * parsed, read by every rule, and deleted before the next, with the other windows as files
 * of the package. What the rules report is kept as offsets, and recorded once every window
 * parsed without a syntax error; undefined when one did not (or the header holds more than
 * the package clause and imports): the pass then runs on the whole file.
 */
function runWindowedPass(run: FileRun, pass: number, text: string, win: Windows): Step | null | undefined {
  const headerTree = parseGo(text, [win.header]);
  let headerFreed = false;
  const freeHeader = () => {
    if (headerFreed) return;
    headerFreed = true;
    headerTree.delete();
  };
  try {
    const hroot = headerTree.rootNode;
    if (hroot.hasError || named(hroot).some((c) => !HEADER_TYPES.has(c.type))) return undefined;
    const lines = lineStarts(text);
    const texts = win.chunks.map((c) => new WindowText(text, win.header, c, lineIndexOf(lines, c.startIndex)));
    const raw: { rule: Rule; f: FindingInput }[] = [];
    const ruleErrors: string[] = [];
    for (let w = 0; w < win.chunks.length; w++) {
      const tree = parseGo(text, [win.header, win.chunks[w]]);
      const others: Tree[] = [];
      try {
        const root = tree.rootNode;
        if (root.hasError) return undefined;
        const windowFiles = (current: PackageFile) => texts.map((t, j) => (j === w ? current : windowFile(run.file.absPath, t, others)));
        const parsed: Parsed = { text, tree, root, errs: [], imports: new Imports(root, text), sem: null, windowFiles, header: win.header };
        // The window's nodes die with its tree: what recordFindings reads of them is kept.
        for (const r of runRules(run, parsed, ruleErrors)) raw.push({ rule: r.rule, f: { ...r.f, node: nodeSpan(r.f.node) } });
      } finally {
        tree.delete();
        for (const t of others) t.delete();
      }
    }
    run.result.ruleErrors.push(...ruleErrors);
    if (pass === 1) run.result.syntaxErrors = false;
    const parsed: Parsed = { text, tree: headerTree, root: hroot, errs: [], imports: new Imports(hroot, text), sem: null, header: win.header };
    const cands = recordFindings(run, parsed, raw, pass);
    return applyCandidates(run, parsed, takeNonOverlapping(cands), pass, freeHeader);
  } finally {
    freeHeader();
  }
}

/** What the engine reads of a finding's node (offsets and start row), kept past its tree. */
function nodeSpan(n: Node): Node {
  return { startIndex: n.startIndex, endIndex: n.endIndex, startPosition: n.startPosition } as Node;
}

/** Every rule of the run on one parse; a rule that throws is recorded in `ruleErrors`. */
function runRules(run: FileRun, parsed: Parsed, ruleErrors: string[]): { rule: Rule; f: FindingInput }[] {
  const { file, opts } = run;
  const { text, tree, root, imports } = parsed;
  let pkg: PackageInfo | null = null;
  const eol = detectEol(text);
  const raw: { rule: Rule; f: FindingInput }[] = [];
  for (const rule of run.rules) {
    const ctx: RuleContext = {
      path: file.displayPath,
      absPath: file.absPath,
      source: text,
      tree,
      root,
      goVersion: run.version,
      get sem() {
        return (parsed.sem ??= new Semantics(root, imports));
      },
      imports,
      package() {
        if (!pkg) {
          // Package-wide questions ask every file about many names (each struct type of a
          // big package, say): past a few, the current text answers from a word index too,
          // built once per pass, instead of one scan of the whole text per name.
          const words = new WordQuestions(() => text, () => text);
          const current: PackageFile = {
            absPath: file.absPath,
            source: text,
            root,
            imports,
            sem: this.sem,
            current: true,
            mayMention: (word) => words.may(word),
          };
          pkg = packages.load(file.absPath, current, file.packageFiles);
          // A window's package: the file's windows in the file's order (this one among them),
          // then the siblings, so that questions meet the file's code in the order they
          // would in the whole file.
          if (parsed.windowFiles) pkg = new PackageInfo([...parsed.windowFiles(current), ...pkg.files.slice(1)]);
        }
        return pkg;
      },
      options: optionsWithDefaults(rule.meta, opts.ruleOptions?.[rule.meta.id]),
      tests: opts.tests ?? null,
      eol,
      report(f) {
        raw.push({ rule, f });
      },
    };
    try {
      rule.run(ctx);
    } catch (e) {
      ruleErrors.push(`${rule.meta.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return raw;
}

/**
 * The pass's reports as findings on the original source (suppression comments, one record
 * per rule and original offset); those whose fix may apply become candidates, in rule order.
 */
function recordFindings(run: FileRun, parsed: Parsed, raw: { rule: Rule; f: FindingInput }[], pass: number): Candidate[] {
  const { opts } = run;
  const { root, errs, imports } = parsed;
  const poisoned = poisonedRanges(root, errs);
  const supp = new Suppressions(parsed.text);
  const cands: Candidate[] = [];
  for (const { rule, f } of raw) {
    if (supp.suppressed(rule.meta.id, f.node.startPosition.row)) continue;
    const origStart = run.mapBack(f.node.startIndex);
    const key = `${rule.meta.id}@${origStart}`;
    let rec = run.byKey.get(key);
    // A finding reported without a fix in an earlier pass may get one now that other
    // fixes changed its surroundings (issue 16: nested goroutines, whose outer Add
    // can be hoisted only once the inner one became wg.Go): what a second run would
    // do, done in this one.
    if (rec && rec.status !== 'deferred' && !(rec.status === 'none' && f.fix)) continue;
    if (!rec) {
      rec = {
        rule: rule.meta.id,
        ruleIndex: run.ruleIndex.get(rule.meta.id) ?? 0,
        message: f.message,
        noFix: null,
        origStart,
        origEnd: Math.max(origStart, run.mapBack(f.node.endIndex)),
        status: 'none',
        fix: null,
      };
      run.byKey.set(key, rec);
      run.records.push(rec);
    }
    rec.message = f.message;
    rec.noFix = f.fix ? null : (f.noFix ?? null);
    if (!f.fix) {
      rec.status = 'none';
      continue;
    }
    if (
      opts.accept &&
      !opts.accept({ rule: rec.rule, message: rec.message, description: f.fix.description, startOffset: rec.origStart, pass })
    ) {
      rec.status = 'declined';
      continue;
    }
    if (f.fix.edits.some((e) => poisoned.some((r) => touchesError(e, r)))) {
      rec.status = 'rejected';
      rec.noFix = 'the code around it has syntax errors';
      continue;
    }
    // The import helper reads the import declarations; broken ones would make it
    // edit next to (or duplicate into) the ERROR region, so such fixes wait for a fix by hand.
    if (f.fix.imports?.length && importsBroken(root, errs) && imports.addEdit(f.fix.imports)) {
      rec.status = 'rejected';
      rec.noFix = 'it needs an import and the import declarations have syntax errors';
      continue;
    }
    cands.push({ rec, fix: f.fix });
  }
  cands.sort((a, b) => a.rec.ruleIndex - b.rec.ruleIndex || a.fix.edits[0]?.start - b.fix.edits[0]?.start);
  return cands;
}

/** The candidates, in order, whose edits do not overlap an earlier one's; the rest wait for the next pass. */
function takeNonOverlapping(cands: Candidate[]): Candidate[] {
  const accepted: Candidate[] = [];
  const taken = new TakenEdits();
  for (const c of cands) {
    const fresh = c.fix.edits.filter((e) => !taken.has(e));
    if (fresh.some((e) => taken.conflicts(e)) || conflictsWithin(fresh)) {
      c.rec.status = 'deferred';
      continue;
    }
    for (const e of fresh) taken.add(e);
    accepted.push(c);
  }
  return accepted;
}

/**
 * The safety net: the accepted fixes applied together on the pass's text, unless that adds
 * syntax errors; then each alone, keeping those that add none (and none if they still
 * break together). Null when no fix is left.
 */
function applyCandidates(
  run: FileRun,
  parsed: Parsed,
  accepted: Candidate[],
  pass: number,
  freeTree: () => void,
): Step | null {
  if (accepted.length === 0) return null;
  // No closure here may capture `parsed`: the fixes' lazy diffs keep this scope's closures
  // alive as long as the findings, and with them the pass's tree and scopes.
  const { text, imports } = parsed;
  const header = parsed.header ?? null;
  const baseErrors = parsed.errs.length;
  // The import edits read the pass's tree: each fix's own and all of them together are
  // computed now, then the tree is freed. The rare set that needs another (some fixes
  // dropped by the safety net, others needing imports) parses the text again.
  const own = new Map<Candidate, TextEdit | null>();
  for (const c of accepted) own.set(c, c.fix.imports?.length ? imports.addEdit(c.fix.imports) : null);
  const importEdit = (fixes: Candidate[]): TextEdit | null => {
    const paths = fixes.flatMap((c) => c.fix.imports ?? []);
    if (paths.length === 0) return null;
    if (fixes.length === 1) return own.get(fixes[0])!;
    return withImports(text, header, (imp) => imp.addEdit(paths));
  };
  const windowed = header !== null;
  const build = (fixes: Candidate[], imp = importEdit(fixes)) => applyFixes(text, fixes, imp);
  const allPaths = accepted.flatMap((c) => c.fix.imports ?? []);
  let built = build(accepted, allPaths.length ? imports.addEdit(allPaths) : null);
  freeTree();
  // When every fix stays (the common case), this parse of the fixed text is the next
  // pass's tree: the text was parsed twice (6-8 % of the CPU on 64 files of 25k lines).
  // A window pass keeps no tree: the next pass parses its windows again.
  let tree: Tree | null = windowed ? null : parseGo(built.text);
  const errorsOf = (b: { text: string; edits: TextEdit[] }) => (windowed ? windowedSyntaxErrors(b.text, carryForward(b.edits, [])) : countSyntaxErrors(b.text));
  try {
    if (tree ? errorRanges(tree.rootNode).length > baseErrors : errorsOf(built) > baseErrors) {
      tree?.delete();
      tree = null;
      const good: Candidate[] = [];
      for (const c of accepted) {
        if (errorsOf(build([c])) <= baseErrors) good.push(c);
        else run.reject(c);
      }
      built = build(good);
      if (good.length && errorsOf(built) > baseErrors) {
        for (const c of good) run.reject(c);
        good.length = 0;
        built = { text, edits: [] };
      }
      accepted = good;
    }
    // One line index of this pass's text serves every fix's diff (each diff then reads
    // only the lines around its edits: linear in the number of fixes).
    let starts: number[] | null = null;
    const startsOf = (t: string) => (starts ??= diffLineStarts(t));
    for (const c of accepted) {
      c.rec.status = 'applied';
      c.rec.fix = makeFix(c.fix, pass, text, own.get(c)!, run.file.displayPath, startsOf, accepted.length <= PER_FIX_FORMAT_LIMIT);
    }
    if (accepted.length === 0) return null;
    const step = { ...built, tree };
    tree = null;
    return step;
  } finally {
    tree?.delete();
  }
}

/**
 * Go's formatter on the lines the fixes touched. When Go's parser rejects the fixed file but
 * accepted the source, every applied fix is rejected and the source is returned.
 */
function formatOutput(run: FileRun, text: string, touched: TextEdit[]): string {
  const { result } = run;
  const source = run.file.source;
  const t0 = performance.now();
  const fmt = formatFixed(source, text, touched, (o) => run.mapBack(o));
  if (!fmt.ok) {
    // Go's parser is stricter than tree-sitter's: when it accepted the input, the fixes broke
    // it. When the formatter itself failed, the output cannot be checked: no fix is written.
    if (fmt.crashed || goFormat(source).ok) {
      const why = fmt.crashed ? `Go's formatter failed on the fixed file (${fmt.error}), so the output could not be checked` : `Go's parser rejects the fixed file: ${fmt.error}`;
      for (const r of run.records) {
        if (r.status !== 'applied') continue;
        r.status = 'rejected';
        r.noFix = `the fix was rejected: ${why}`;
        result.rejectedFixes++;
      }
      text = source;
    }
    result.format = null;
  } else {
    result.format = { input: text, edits: fmt.edits, ms: 0, sourceFormatted: fmt.sourceFormatted };
    text = fmt.text;
  }
  if (result.format) result.format.ms = performance.now() - t0;
  return text;
}

/** The records as findings on the source, in source order, and the output. */
function finishResult(run: FileRun, text: string): FileResult {
  const { result, file, ruleIndex } = run;
  const source = file.source;
  const lines = lineStarts(source);
  for (const r of run.records) {
    if (r.status === 'deferred') r.noFix = 'it overlapped another fix and was not found again after that fix';
    result.findings.push({
      rule: r.rule,
      message: r.message,
      file: file.displayPath,
      start: position(lines, r.origStart),
      end: position(lines, r.origEnd),
      startOffset: r.origStart,
      endOffset: r.origEnd,
      fix: r.status === 'applied' ? r.fix : null,
      noFixReason: r.status === 'applied' || r.status === 'declined' ? null : r.noFix,
    });
  }
  result.findings.sort(
    (a, b) => a.startOffset - b.startOffset || (ruleIndex.get(a.rule) ?? 0) - (ruleIndex.get(b.rule) ?? 0),
  );
  result.output = text;
  result.changed = text !== source;
  return result;
}

/**
 * Formatting a fix's own diff costs a whole-file format: past this many fixes in one pass
 * each fix's diff is left as its edits (linear cost on files with thousands of fixes); the
 * file's written output is formatted either way.
 */
const PER_FIX_FORMAT_LIMIT = 64;

/** `imp`: the fix's own import edit (it reads the pass's tree, freed before the lazy work below). */
function makeFix(fix: Fix, pass: number, baseline: string, imp: TextEdit | null, path: string, startsOf: (t: string) => number[], formatEach: boolean): FindingFix {
  let alone: { text: string; formatted: boolean } | null = null;
  let hunks: Hunk[] | null = null;
  const edits = fix.edits;
  const ownEdits: TextEdit[] = [];
  for (const e of imp ? [...edits, imp] : edits) if (!ownEdits.some((t) => sameEdit(t, e))) ownEdits.push(e);
  ownEdits.sort((a, b) => a.start - b.start || a.end - b.end);
  /** The fix applied alone, as the engine writes it: formatted in its own lines and alignment sections. */
  const computeAlone = () => {
    if (alone) return alone;
    const applied = applyFixes(baseline, [{ fix: { description: fix.description, edits: ownEdits } }], null);
    if (formatEach) {
      const fmt = formatFixed(baseline, applied.text, carryForward(applied.edits, []), (o) => mapThrough(applied.edits, o));
      if (fmt.ok && fmt.text !== applied.text) return (alone = { text: fmt.text, formatted: true });
    }
    return (alone = { text: applied.text, formatted: false });
  };
  return {
    description: fix.description,
    edits,
    pass,
    baseline,
    get after() {
      return computeAlone().text;
    },
    get hunks() {
      if (hunks === null) {
        // Past PER_FIX_FORMAT_LIMIT, or when formatting changes nothing, the hunks come from
        // the edits alone, without applying them or diffing the rest of the file.
        const a = formatEach ? computeAlone() : null;
        hunks = a?.formatted ? diffHunks(baseline, a.text, 3) : editHunks(baseline, ownEdits, 3, startsOf(baseline));
      }
      return hunks;
    },
    get diff() {
      return renderDiff(path, this.hunks);
    },
  };
}

/** The fixes' edits on text, with `imp`, the import edit their imports need (null: none). */
function applyFixes(text: string, fixes: Pick<Candidate, 'fix'>[], imp: TextEdit | null): { text: string; edits: TextEdit[] } {
  const edits: TextEdit[] = [];
  for (const c of fixes) {
    for (const e of c.fix.edits) if (!edits.some((t) => sameEdit(t, e))) edits.push(e);
  }
  if (imp) edits.push(imp);
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const ms = new MagicStringClass(text);
  for (const e of edits) {
    if (e.start === e.end) ms.appendLeft(e.start, e.text);
    else if (e.text === '') ms.remove(e.start, e.end);
    else ms.overwrite(e.start, e.end, e.text);
  }
  return { text: ms.toString(), edits };
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start && a.end === b.end && a.text === b.text;
}

/** Overlapping ranges, or two edits at the same point (their order would be ambiguous). */
function conflicts(a: TextEdit, b: TextEdit): boolean {
  if (sameEdit(a, b)) return false;
  if (a.start === b.start) return true;
  return a.start < b.end && b.start < a.end;
}

/**
 * The edits accepted so far in a pass, sorted by start. They never conflict with each
 * other, so sorted by start their ends do not decrease either, and an edit's possible
 * conflicts are found by binary search (issue 16: thousands of fixes per file must cost
 * n log n, not n²).
 */
class TakenEdits {
  private readonly list: TextEdit[] = [];

  /** Index of the first taken edit whose start is >= `start`. */
  private lower(start: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.list[mid].start < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(e: TextEdit): boolean {
    for (let i = this.lower(e.start); i < this.list.length && this.list[i].start === e.start; i++) if (sameEdit(this.list[i], e)) return true;
    return false;
  }

  conflicts(e: TextEdit): boolean {
    const k = this.lower(e.start);
    if (k > 0 && conflicts(e, this.list[k - 1])) return true;
    for (let i = k; i < this.list.length; i++) {
      const t = this.list[i];
      if (t.start > e.start && t.start >= e.end) break;
      if (conflicts(e, t)) return true;
    }
    return false;
  }

  add(e: TextEdit): void {
    const k = this.lower(e.start);
    let i = k;
    while (i < this.list.length && this.list[i].start === e.start && this.list[i].end <= e.end) i++;
    this.list.splice(i, 0, e);
  }
}

function conflictsWithin(edits: TextEdit[]): boolean {
  for (let i = 0; i < edits.length; i++) for (let j = i + 1; j < edits.length; j++) if (conflicts(edits[i], edits[j])) return true;
  return false;
}

function touchesError(e: TextEdit, r: { start: number; end: number }): boolean {
  // A MISSING token is zero-width: text inserted or replaced right at it would end up
  // before the token the parser assumed, i.e. inside the broken construct.
  if (r.start === r.end) return e.start <= r.start && r.start <= e.end;
  if (e.start === e.end) return r.start < e.start && e.start < r.end;
  return e.start < r.end && r.start < e.end;
}

/**
 * Where fixes may not go: each syntax error widened to the top-level declaration that
 * holds it. Error recovery can attach the code after a broken token to the wrong
 * construct, so a fix elsewhere in the same function may read (and edit) a structure
 * that is not there, and the next run sees another; other declarations are safe.
 */
function poisonedRanges(root: Node, errs: { start: number; end: number }[]): { start: number; end: number }[] {
  if (errs.length === 0) return errs;
  const out: { start: number; end: number }[] = [];
  for (const r of errs) {
    let hit: { start: number; end: number } = r;
    for (const c of named(root)) {
      if (TOP_DECLS.has(c.type) && c.startIndex <= r.start && r.end <= c.endIndex) {
        hit = { start: c.startIndex, end: c.endIndex };
        break;
      }
    }
    out.push(hit);
  }
  // The exact ranges too: a MISSING token keeps its zero-width rule at a declaration's edge.
  return [...out, ...errs];
}

const TOP_DECLS = new Set(['function_declaration', 'method_declaration', 'type_declaration', 'var_declaration', 'const_declaration']);

/** An ERROR/MISSING range before the first func/method/type/var/const declaration. */
function importsBroken(root: Node, errs: { start: number; end: number }[]): boolean {
  if (errs.length === 0) return false;
  let firstDecl = root.endIndex;
  for (const c of named(root)) {
    if (TOP_DECLS.has(c.type)) {
      firstDecl = c.startIndex;
      break;
    }
  }
  return errs.some((r) => r.start < firstDecl);
}

/** `use` on the imports of a fresh parse of text, or of its `header` alone (deleted right after). */
function withImports<T>(text: string, header: Span | null, use: (imports: Imports) => T): T {
  const tree = header ? parseGo(text, [header]) : parseGo(text);
  try {
    return use(new Imports(tree.rootNode, text));
  } finally {
    tree.delete();
  }
}

/**
 * Syntax errors a window pass's fixes made, parsing no tree of the whole text: the header
 * alone, then each window that holds a range the fixes wrote (`written`, in `text`). The
 * pass parsed every window without an error, and a window's parse depends on the header
 * only through its end, where a header without errors leaves the parser at the top level:
 * a window the fixes did not touch parses as cleanly as before. Windows are whole
 * declarations after the header, so the file parses cleanly exactly when each window does
 * (a cut that is not between declarations shows as an error, and the fixes are dropped:
 * the safe side). A text with no windows is parsed whole.
 */
function windowedSyntaxErrors(text: string, written: TextEdit[]): number {
  const win = windowsOf(text, 0);
  if (!win) return countSyntaxErrors(text);
  const header = countSyntaxErrors(text, [win.header]);
  if (header > 0) return header;
  let n = 0;
  for (const c of win.chunks) {
    if (written.some((w) => w.start <= c.endIndex && w.end >= c.startIndex)) n += countSyntaxErrors(text, [win.header, c]);
  }
  return n;
}

/** Syntax errors (ERROR/MISSING ranges) in a parse of text. */
export function countSyntaxErrors(text: string, ranges?: Span[]): number {
  const tree = parseGo(text, ranges);
  try {
    return errorRanges(tree.rootNode).length;
  } finally {
    tree.delete();
  }
}

/**
 * Ranges of a pass's input carried into its output (edits sorted, against that input),
 * plus the ranges the edits wrote.
 */
function carryForward(edits: TextEdit[], ranges: TextEdit[]): TextEdit[] {
  const at = (offset: number, right: boolean) => {
    let shift = 0;
    for (const e of edits) {
      if (e.start < offset && offset < e.end) return e.start + shift + (right ? e.text.length : 0);
      if (e.end > offset || (e.start === offset && e.end === offset && !right)) break;
      shift += e.text.length - (e.end - e.start);
    }
    return offset + shift;
  };
  const out: TextEdit[] = ranges.map((r) => ({ start: at(r.start, false), end: at(r.end, true), text: '' }));
  let shift = 0;
  for (const e of edits) {
    out.push({ start: e.start + shift, end: e.start + shift + e.text.length, text: '' });
    shift += e.text.length - (e.end - e.start);
  }
  return out;
}

/** An offset in a pass's output, mapped to the text before that pass. */
function mapThrough(edits: TextEdit[], offset: number): number {
  let shift = 0;
  for (const e of edits) {
    const newStart = e.start + shift;
    const newEnd = newStart + e.text.length;
    if (offset < newStart) return offset - shift;
    if (offset < newEnd || (e.start === e.end && offset === newStart)) return e.start;
    shift += e.text.length - (e.end - e.start);
  }
  return offset - shift;
}

function position(lines: number[], offset: number): Position {
  const lo = lineIndexOf(lines, offset);
  return { line: lo + 1, column: offset - lines[lo] + 1 };
}
