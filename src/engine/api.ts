// What the engine takes and returns: the contract between src/engine/engine.ts and its
// callers (CLI, interactive mode, batch workers, tests).
import type { GoVersion } from '../go/version.js';
import type { Rule, TextEdit } from '../rules/api.js';
import type { Hunk } from './fastdiff.js';

export interface EngineOptions {
  /** Enabled rules, in registry order (the order fixes are preferred in on overlap). */
  rules: Rule[];
  /** Per-rule options (from configuration), keyed by rule id. */
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** --go override; when set, every file is treated as this version. */
  goVersion?: GoVersion | null;
  /** Bound on fixpoint passes (default 4). */
  maxPasses?: number;
  /** Skip parsing when no enabled rule's trigger occurs in the text (default true). */
  prefilter?: boolean;
  /**
   * Test-file policy from --tests / gopitfix.json `tests`: true = test files too, for every
   * rule; false = test files are skipped before the engine; null/undefined = unset (each
   * rule's own default). Rules read it as ctx.tests.
   */
  tests?: boolean | null;
  /**
   * Decide per fix whether it may be applied (interactive review). Called once per
   * proposed fix with its finding's identity; a declined fix is reported with fix: null.
   * Identity (rule, startOffset in the ORIGINAL source) is stable across passes.
   */
  accept?: (proposal: FixProposal) => boolean;
}

export interface FixProposal {
  rule: string;
  message: string;
  description: string;
  /** Offset of the finding in the original source: with `rule`, the finding's identity. */
  startOffset: number;
  /** Fixpoint pass (1 = computed on the original source). */
  pass: number;
}

export interface SourceFile {
  absPath: string;
  /** Path shown to users: relative to cwd, forward slashes. */
  displayPath: string;
  source: string;
  /** Effective version; undefined = compute from go.mod / build tags on disk. */
  goVersion?: GoVersion | null;
  /**
   * The other files of the package, as (absPath, source) pairs. Undefined = read the
   * sibling .go files of absPath's directory from disk on demand.
   */
  packageFiles?: () => { absPath: string; source: string }[];
}

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters (UTF-16 code units). */
  column: number;
}

export interface Finding {
  rule: string;
  message: string;
  /** Display path. */
  file: string;
  start: Position;
  end: Position;
  /** Offsets into the original source (JS string indices). */
  startOffset: number;
  endOffset: number;
  /** null when no safe fix exists or the fix was rejected; `noFixReason` says why. */
  fix: FindingFix | null;
  /**
   * Why there is no fix: the rule's reason (FindingInput.noFix) or the engine's (syntax
   * errors nearby, an overlapping fix, a fix the safety nets rejected). null when there is a
   * fix, when the fix was declined (EngineOptions.accept), or when the rule gave no reason.
   * Not part of `message`; text outputs show both with findingMessage().
   */
  noFixReason: string | null;
}

/** A finding's message as text outputs print it: `<message> (no fix: <reason>)` when it has a reason. */
export function findingMessage(f: { message: string; noFixReason?: string | null }): string {
  return f.noFixReason ? `${f.message} (no fix: ${f.noFixReason})` : f.message;
}

export interface FindingFix {
  description: string;
  /**
   * This fix's own change against `baseline` (its edits plus the import it needs, formatted
   * as the engine writes it), as structured hunks with 3 lines of context. Output formats
   * render or read these; nothing parses diff text.
   */
  readonly hunks: Hunk[];
  /** `baseline` with this fix alone applied (what `hunks` describe). */
  readonly after: string;
  /** Unified diff of this fix alone: `hunks` rendered with the file's display path. */
  readonly diff: string;
  /** The fix's edits against the text it was computed on (pass > 1: an intermediate text). */
  edits: TextEdit[];
  /** Fixpoint pass that produced the fix (1 = computed on the original source). */
  pass: number;
  /** Source text the edits apply to. */
  baseline: string;
}

export interface FileResult {
  file: string;
  absPath: string;
  source: string;
  /** The source with every accepted fix applied (=== source when nothing changed). */
  output: string;
  changed: boolean;
  findings: Finding[];
  /** Fixes dropped by the safety net (they would have introduced a syntax error). */
  rejectedFixes: number;
  /** Parse of the original had ERROR/MISSING nodes. */
  syntaxErrors: boolean;
  /** Where the first of them starts (1-based; column in UTF-16 code units), when syntaxErrors. */
  syntaxError?: Position;
  /** True when the prefilter decided no rule could match (file never parsed). */
  skippedByPrefilter: boolean;
  /** True when no enabled rule applies to the file's Go version (file never parsed). */
  skippedByGoVersion?: boolean;
  /** Enabled rules that do not apply to the file's Go version. */
  rulesOutOfVersion?: string[];
  /** The file is excluded by //gopitfix:ignore-file. */
  ignoredFile: boolean;
  /** Rules that threw on this file ("rule-id: message"); their other findings still count. */
  ruleErrors: string[];
  /**
   * The formatting stage (changed files only): gofmt's changes kept in the fixes' lines and
   * their alignment sections, as edits against `input` (the fixed text before formatting).
   */
  format?: FormatStage | null;
}

export interface FormatStage {
  /** The text after every fix, before formatting; `output` is `input` with `edits` applied. */
  input: string;
  edits: TextEdit[];
  /** Milliseconds spent formatting (and parsing) this file. */
  ms: number;
  /** The original source was formatted too, to tell pre-existing formatting issues from the fixes' own. */
  sourceFormatted: boolean;
}
