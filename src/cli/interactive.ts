// Interactive review (`gopitfix -i`), in the manner of `git add -p`: every fixable
// finding is shown with the diff of that change alone and applied only if the user
// accepts it. The engine does the merging: its `accept` hook is asked about each
// proposal by identity (rule, offset in the text it was given), so the set it applies
// is exactly the accepted set, merged and safety-checked as in --write.
//
// Per file the review runs in rounds. A round shows the proposals of the first
// fixpoint pass that still has undecided ones (all computed on the same text: the file
// with the accepted fixes of earlier rounds applied). When the round is decided, its
// accepted fixes are written (atomically), and fixes that only exist once those are
// applied (pass > 1) come up in the next round. A quit or Ctrl-C ends the current round
// as if the rest were declined: what was accepted is written, nothing is half-written.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { structuredPatch } from 'diff';
import { createPrompt, ExitPromptError, useKeypress, useState, type KeypressEvent } from '@inquirer/core';
import { initEngine, processFile } from '../engine/engine.js';
import { findingMessage, type FileResult, type Finding, type FindingFix } from '../engine/api.js';
import type { GoVersion } from '../go/version.js';
import { errorRanges } from '../go/syntax.js';
import { formatHunks } from '../engine/fastdiff.js';
import { parseGo } from '../parser/parser.js';
import type { Rule } from '../rules/api.js';
import { errText, type DiscoveredFile } from '../run/discover.js';
import { ansi } from './output/color.js';
import { colorizeDiff } from './output/diff.js';
import { dirtyTreeMessage } from '../run/guard.js';
import { defaultJobs } from '../run/pool.js';
import { Progress } from './progress.js';
import { plan, scanBatch } from '../run/scan.js';
import { useColor } from './output/color.js';
import { writeProblem, writeRoots } from '../run/fsguard.js';
import { writeFileAtomic, WriteRefused } from '../run/atomic-write.js';
import { createHash } from 'node:crypto';
import type { FileError, Summary } from '../run/summary.js';
import type { FileSettings } from '../run/config-settings.js';
import type { Io } from './io.js';
import { lineStarts, plural } from '../util/text.js';

/** What a keypress at the review prompt means; '^C' is Ctrl-C. */
export type Key = 'y' | 'n' | 'a' | 'd' | 'A' | 'e' | 'q' | '?' | '^C';
const KEYS = 'ynadAeq?';

export interface Prompter {
  /** Show `question` and return the key pressed. */
  ask(question: string): Promise<Key>;
}

interface ReviewIo {
  /** The review screen: headers, messages, diffs. */
  out(text: string): void;
  /** Errors and end-of-run notes. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** Set by a SIGINT that arrived outside a prompt: stop at the next question. */
  interrupted?: () => boolean;
  /** Called once the first pass is done and the questions begin. */
  onReviewStart?: () => void;
  /** The editor runs (true) or is done (false): a Ctrl-C meanwhile was the editor's. */
  editing?: (on: boolean) => void;
}

interface ReviewConfig {
  rules: Rule[];
  goVersion: GoVersion | null;
  includeGenerated: boolean;
  /** Context lines of the per-change diff. */
  context: number;
  /** Per-file rules/options/version from gopitfix.json (src/run/config-settings.ts). */
  settingsFor?: (file: DiscoveredFile) => FileSettings | null;
  /** The first pass over every file (default: batchPrescan in this thread, without a progress line). */
  prescan?: Prescan;
  /** Refusal text when some of these files must not be written (the dirty-tree guard); null = go ahead. */
  guard?: (absPaths: string[]) => string | null;
  /** The command-line roots: a file is only written inside them, never through a symlink (as --write). */
  writeRoots?: readonly string[];
}

/** What the first pass needs of a finding (engine Finding and batch WireFinding both fit). */
interface PrescanFinding {
  rule: string;
  message: string;
  noFixReason?: string | null;
  file: string;
  start: { line: number; column: number };
  fix: unknown;
}

/** Runs the engine over every file with all fixes accepted; results must come in path order. */
type Prescan = (
  onFile: (file: DiscoveredFile, findings: readonly PrescanFinding[]) => void,
  onError: (error: FileError) => void,
) => Promise<Summary>;

/**
 * The first pass: the batch scan (src/run/scan.ts) over every file with every fix
 * accepted, on the worker pool with `jobs` > 1. It reads files with --write's guards
 * (size, binary, UTF-8): a file it refuses has no findings, so it is never reviewed or written.
 */
function batchPrescan(
  files: readonly DiscoveredFile[],
  config: Pick<ReviewConfig, 'rules' | 'goVersion' | 'includeGenerated' | 'settingsFor'>,
  run: { jobs?: number; prefilter?: boolean; maxFileSize?: number; progress?: (total: number) => Progress } = {},
): Prescan {
  return async (onFile, onError) => {
    const opts = { rules: config.rules, settingsFor: config.settingsFor };
    const planned = plan(files, opts);
    const progress = run.progress?.(planned.tasks.length + planned.preErrors.length) ?? null;
    const summary = await scanBatch(
      files,
      {
        ...opts,
        jobs: run.jobs ?? 1,
        settings: {
          includeGenerated: config.includeGenerated,
          maxFileSize: run.maxFileSize,
          prefilter: run.prefilter ?? true,
          goVersion: config.goVersion,
          fixDiffs: false,
          replacements: false,
          fileDiff: false,
          output: false,
        },
      },
      {
        onResult: (file, r) => onFile(file, r.findings),
        onError: (e) => (progress ? progress.note(`gopitfix: ${e.file}: ${e.message}\n`) : onError(e)),
        onProgress: (n) => progress?.tick(n),
      },
      planned,
    );
    progress?.finish();
    return summary;
  };
}

interface RuleTally {
  applied: number;
  skipped: number;
}

export interface ReviewResult {
  /** The scan of every file (counts as in a dry run). */
  summary: Summary;
  /** Fixes written to disk (including edited ones). */
  applied: number;
  /** Of those, changed by the user in the editor before applying. */
  edited: number;
  skipped: number;
  /** Fixes never decided because the review was quit (an estimate for files not reached). */
  unreviewed: number;
  /** Fixes in files not reached that an `a`/`A` had accepted: not written, as the review stopped first (an estimate). */
  acceptedNotWritten: number;
  rules: Record<string, RuleTally>;
  filesWritten: string[];
  /** Unreadable files, failed writes, files changed behind our back. */
  errors: FileError[];
  /** Findings without a fix, in file order, for the end-of-run report. */
  unfixable: PrescanFinding[];
  end: 'done' | 'quit' | 'interrupt' | 'refused';
  /** The guard's refusal (end === 'refused'): nothing was asked or written. */
  refusal?: string;
}

const HELP = `y - apply this change
n - do not apply this change
a - apply this change and all remaining changes of this rule
d - do not apply this change nor any remaining change of this rule
A - apply this change and every remaining change
e - edit the proposed result in $VISUAL / $EDITOR, then apply the edited text
q - quit; changes already accepted are applied, the rest are not
? - print help
`;

const key = (rule: string, offset: number) => `${rule}@${offset}`;

/** Review every fixable finding of `files`; applies and writes the accepted ones. */
export async function review(
  files: readonly DiscoveredFile[],
  config: ReviewConfig,
  io: ReviewIo,
  prompter: Prompter,
): Promise<ReviewResult> {
  const session = new ReviewSession(config, io, prompter);
  const { result, queue } = session;
  // A first pass with everything accepted finds the files to visit and estimates the
  // total for the [k/N] counter; each file is read again when its turn comes.
  const prescan = config.prescan ?? batchPrescan(files, config);
  result.summary = await prescan(
    (file, findings) => session.enqueue(file, findings),
    (e) => io.err(`gopitfix: ${e.file}: ${e.message}\n`),
  );
  const refusal = queue.length ? (config.guard?.(queue.map((q) => q.file.absPath)) ?? null) : null;
  if (refusal) {
    result.end = 'refused';
    result.refusal = refusal;
    return result;
  }
  io.onReviewStart?.();
  for (let qi = 0; qi < queue.length && result.end === 'done'; qi++) await new FileReview(session, qi).review();
  return result;
}

/** What outlives one file: the result, the files to visit, the [k/N] counter, the a/d/A policies. */
class ReviewSession {
  readonly result: ReviewResult = {
    summary: undefined as unknown as Summary,
    applied: 0,
    edited: 0,
    skipped: 0,
    unreviewed: 0,
    acceptedNotWritten: 0,
    rules: {},
    filesWritten: [],
    errors: [],
    unfixable: [],
    end: 'done',
  };
  /** The files with a fix, in path order, and per rule how many fixes the first pass found. */
  readonly queue: { file: DiscoveredFile; estimate: Map<string, number> }[] = [];
  /**
   * Changes decided so far, asked or by an a/d/A policy: the k of [k/N]. Counting both
   * keeps N (decided + still to decide) steady after `a` or `d`, where k jumps instead.
   */
  decided = 0;
  // Decisions that outlive a file: 'a', 'd' (per rule) and 'A' (everything).
  readonly rulePolicy = new Map<string, boolean>();
  allPolicy = false;

  constructor(
    readonly config: ReviewConfig,
    readonly io: ReviewIo,
    readonly prompter: Prompter,
  ) {
    for (const r of config.rules) this.result.rules[r.meta.id] = { applied: 0, skipped: 0 };
  }

  /** A file of the first pass: queued when it has a fix; its findings without one are kept for the report. */
  enqueue(file: DiscoveredFile, findings: readonly PrescanFinding[]): void {
    const estimate = new Map<string, number>();
    for (const f of findings) if (f.fix) estimate.set(f.rule, (estimate.get(f.rule) ?? 0) + 1);
    if (estimate.size) this.queue.push({ file, estimate });
    this.result.unfixable.push(...findings.filter((f) => !f.fix));
  }

  tally(rule: string): RuleTally {
    return (this.result.rules[rule] ??= { applied: 0, skipped: 0 });
  }

  /** The a/d/A decision for a rule's fixes, if any. */
  policy(rule: string): boolean | undefined {
    return this.allPolicy || this.rulePolicy.get(rule);
  }

  /** Fixes of files[from..] still to be decided, asked or not. */
  estimateFrom(from: number): number {
    let n = 0;
    for (let j = from; j < this.queue.length; j++) for (const c of this.queue[j].estimate.values()) n += c;
    return n;
  }

  /** Of those, the ones an `a` or `A` already accepts (not written when the review stops early). */
  acceptedAheadFrom(from: number): number {
    let n = 0;
    for (let j = from; j < this.queue.length; j++) for (const [rule, c] of this.queue[j].estimate) if (this.allPolicy || this.rulePolicy.get(rule)) n += c;
    return n;
  }

  fail(file: string, message: string): void {
    this.result.errors.push({ file, message });
    this.io.err(`gopitfix: ${file}: ${message}\n`);
  }
}

/** One file's review: rounds of questions, the decisions and edits, and the writes. */
class FileReview {
  private readonly file: DiscoveredFile;
  private readonly settings: FileSettings | null;
  /** The file's text on disk: as read, then as last written. */
  private disk = '';
  /** The text decisions refer to: what was read, or the user's edited text after an `e`. */
  private base = '';
  private decisions = new Map<string, boolean>();
  /** Per-rule counts of fixes already folded into `base` by an edit. */
  private baked = new Map<string, number>();
  private editedInFile = 0;
  /** Changes decided in this file, asked or not (for the [k/N] estimate). */
  private askedInFile = 0;
  private written: Map<string, number> | null = null;
  private writtenEdited = 0;
  private lastEdit = new Map<string, string>();

  constructor(
    private readonly s: ReviewSession,
    private readonly qi: number,
  ) {
    this.file = s.queue[qi].file;
    this.settings = s.config.settingsFor?.(this.file) ?? null;
  }

  async review(): Promise<void> {
    const { s, file } = this;
    const { result, config } = s;
    // Refuse before asking: a file that cannot be written is not worth reviewing.
    const refused = writeProblem(file.absPath, config.writeRoots ?? null);
    if (refused) {
      s.fail(file.displayPath, `not written: ${refused}`);
      return;
    }
    try {
      this.disk = readFileSync(file.absPath, 'utf8');
    } catch (e) {
      s.fail(file.displayPath, `cannot read: ${errText(e)}`);
      return;
    }
    this.base = this.disk;

    // Decisions made without a question (a, d, A) or an edit may not have been written yet.
    if (await this.rounds()) this.flush();
    if (result.end !== 'done') {
      const ahead = s.acceptedAheadFrom(this.qi + 1);
      result.acceptedNotWritten += ahead;
      result.unreviewed += s.estimateFrom(this.qi + 1) - ahead;
    }

    if (this.written) {
      result.filesWritten.push(file.displayPath);
      result.edited += this.writtenEdited;
      for (const [rule, n] of this.written) {
        result.applied += n;
        s.tally(rule).applied += n;
      }
    }
  }

  private fileEstimate(): number {
    return this.s.estimateFrom(this.qi) - this.s.estimateFrom(this.qi + 1);
  }

  private run(accept: (rule: string, offset: number, pass: number) => boolean): FileResult {
    const { config } = this.s;
    const file = this.file;
    return processFile(
      { absPath: file.absPath, displayPath: file.displayPath, source: this.base, ...(config.goVersion ? { goVersion: config.goVersion } : {}) },
      { rules: config.rules, goVersion: config.goVersion, ...this.settings, accept: (p) => accept(p.rule, p.startOffset, p.pass) },
    );
  }

  private applyRun(): FileResult {
    return this.run((rule, off) => this.decisions.get(key(rule, off)) ?? false);
  }

  /**
   * Rounds of questions: each shows the proposals of the earliest pass that still has
   * undecided ones, then writes what was accepted. False when a write failed.
   */
  private async rounds(): Promise<boolean> {
    const { s } = this;
    const { result, io, config, prompter } = s;
    rounds: for (;;) {
      // Undecided proposals are let through for this run only; a rule or global policy
      // decides without asking.
      const fresh = new Set<string>();
      const proposed = this.run((rule, off) => {
        const k = key(rule, off);
        const d = this.decisions.get(k);
        if (d !== undefined) return d;
        const policy = s.policy(rule);
        if (policy !== undefined) {
          this.decisions.set(k, policy);
          s.decided++;
          this.askedInFile++;
          if (!policy) {
            result.skipped++;
            s.tally(rule).skipped++;
          }
          return policy;
        }
        fresh.add(k);
        return true;
      });
      // Only the earliest pass that applied an undecided fix is shown: its text holds
      // decided fixes only, while later passes were computed on top of undecided ones.
      const undecided = proposed.findings.filter((f) => f.fix && fresh.has(key(f.rule, f.startOffset)));
      if (undecided.length === 0) break;
      const pass = Math.min(...undecided.map((f) => f.fix!.pass));
      const pending = undecided.filter((f) => f.fix!.pass === pass);

      for (let i = 0; i < pending.length; i++) {
        const f = pending[i] as Finding & { fix: FindingFix };
        const k = key(f.rule, f.startOffset);
        const policy = s.policy(f.rule);
        if (policy !== undefined) {
          this.decide(k, f.rule, policy);
          s.decided++;
          this.askedInFile++;
          continue;
        }
        // Let a SIGINT that arrived while the engine ran reach its handler first.
        if (io.interrupted) await new Promise((r) => setImmediate(r));
        if (io.interrupted?.()) {
          result.end = 'interrupt';
          result.unreviewed += Math.max(pending.length - i, this.fileEstimate() - this.askedInFile);
          break rounds;
        }
        s.decided++;
        const inFileLeft = Math.max(0, this.fileEstimate() - this.askedInFile - (pending.length - i));
        const total = s.decided + (pending.length - i - 1) + inFileLeft + s.estimateFrom(this.qi + 1);
        this.askedInFile++;
        io.out(renderProposal(f, s.decided, total, config.context, io.color));
        for (;;) {
          const answer = await prompter.ask(`Apply this change [y,n,a,d,A,e,q,?]?`);
          if (answer === '?') {
            io.out(HELP);
            continue;
          }
          if (answer === 'q' || answer === '^C') {
            result.end = answer === 'q' ? 'quit' : 'interrupt';
            result.unreviewed += Math.max(pending.length - i, this.fileEstimate() - this.askedInFile + 1);
            break rounds;
          }
          if (answer === 'e') {
            const outcome = await this.editProposal(f);
            if (outcome === 'again') continue;
            if (outcome === 'rebased') continue rounds;
            // Saved unchanged: the proposal as it stands.
            this.decide(k, f.rule, true);
            break;
          }
          if (answer === 'a' || answer === 'd') s.rulePolicy.set(f.rule, answer === 'a');
          if (answer === 'A') s.allPolicy = true;
          this.decide(k, f.rule, answer === 'y' || answer === 'a' || answer === 'A');
          break;
        }
        io.out('\n');
      }
      if (!this.flush()) return false;
    }
    return true;
  }

  private decide(k: string, rule: string, accept: boolean): void {
    this.decisions.set(k, accept);
    if (!accept) {
      this.s.result.skipped++;
      this.s.tally(rule).skipped++;
    }
  }

  /** Writes the accepted set; false when the file could not be written. */
  private flush(): boolean {
    const { s, file } = this;
    const r = this.applyRun();
    if (r.output === this.disk) return true;
    let now: string;
    try {
      now = readFileSync(file.absPath, 'utf8');
    } catch (e) {
      s.fail(file.displayPath, `cannot read: ${errText(e)}`);
      return false;
    }
    if (now !== this.disk) {
      s.fail(file.displayPath, 'changed on disk during the review; not written');
      return false;
    }
    try {
      const expectSha1 = createHash('sha1').update(this.disk).digest('hex');
      if (writeFileAtomic(file.absPath, r.output, { expectSha1, roots: s.config.writeRoots ?? null }) !== 'written') {
        s.fail(file.displayPath, 'changed on disk during the review; not written');
        return false;
      }
    } catch (e) {
      s.fail(file.displayPath, e instanceof WriteRefused ? `not written: ${e.message}` : `cannot write: ${errText(e)}; the file was left as it was`);
      return false;
    }
    this.disk = r.output;
    const written = new Map(this.baked);
    for (const f of r.findings) if (f.fix) written.set(f.rule, (written.get(f.rule) ?? 0) + 1);
    this.written = written;
    this.writtenEdited = this.editedInFile;
    return true;
  }

  /**
   * `e`: open the file as it would be with this change (and the ones accepted before
   * it) in the editor. A parsable edit becomes the file's new text, the change counts
   * as applied, and the review of the file resumes on that text.
   */
  private async editProposal(f: Finding & { fix: FindingFix }): Promise<'again' | 'rebased' | 'unchanged'> {
    const { io } = this.s;
    const k = key(f.rule, f.startOffset);
    const withIt = this.run((rule, off) => (key(rule, off) === k ? true : (this.decisions.get(key(rule, off)) ?? false)));
    const proposedText = withIt.output;
    const start = this.lastEdit.get(k) ?? proposedText;
    io.editing?.(true);
    let edited: string | null;
    try {
      edited = await openEditor(start, this.file.absPath, io);
      // A SIGINT sent to the terminal's process group while the editor ran is handled
      // after the editor's exit: let it arrive while it is still known to be the editor's.
      await new Promise((r) => setImmediate(r));
    } finally {
      io.editing?.(false);
    }
    if (edited === null) return 'again';
    if (edited === proposedText) {
      io.out('No change made in the editor: applying the change as proposed.\n');
      return 'unchanged';
    }
    if (edited.trim() === '') {
      io.out('The edited file is empty: edit cancelled.\n');
      return 'again';
    }
    const problem = newSyntaxError(this.base, edited);
    if (problem) {
      this.lastEdit.set(k, edited);
      io.out(`The edited text does not parse (${problem}); not applied. Press e to edit it again.\n`);
      return 'again';
    }
    // Everything accepted so far is in the edited text now; keep counting it.
    const nextBaked = new Map(this.baked);
    for (const g of withIt.findings) if (g.fix) nextBaked.set(g.rule, (nextBaked.get(g.rule) ?? 0) + 1);
    const map = offsetMapper(this.base, edited);
    const next = new Map<string, boolean>();
    for (const [dk, accepted] of this.decisions) {
      if (accepted) continue;
      const at = dk.lastIndexOf('@');
      const moved = map(Number(dk.slice(at + 1)));
      if (moved !== null) next.set(key(dk.slice(0, at), moved), false);
    }
    this.decisions = next;
    this.baked = nextBaked;
    this.base = edited;
    this.editedInFile++;
    this.lastEdit = new Map();
    io.out('Edited change accepted.\n\n');
    return 'rebased';
  }
}

/** `[3/17] defer-cancel  path:42`, the message, and the diff of this change alone. */
function renderProposal(f: Finding & { fix: FindingFix }, index: number, total: number, context: number, color: boolean): string {
  const header = `[${index}/${total}] ${f.rule}  ${f.file}:${f.start.line}`;
  // The fix's own change (as the engine would write it alone), with the review's context:
  // jsdiff's hunks over the whole text, rendered with plain `a/` `b/` headers.
  const hunks = structuredPatch('', '', f.fix.baseline, f.fix.after, '', '', { context }).hunks;
  let diff = `--- a/${f.file}\n+++ b/${f.file}\n` + formatHunks(hunks);
  if (color) diff = colorizeDiff(diff);
  return `${color ? ansi.bold(header) : header}\n${f.message}\n${f.fix.description}:\n${diff}`;
}

/** null when `edited` has no more syntax errors than `before`; else where the first new one is. */
function newSyntaxError(before: string, edited: string): string | null {
  const count = (text: string) => {
    const tree = parseGo(text);
    try {
      return errorRanges(tree.rootNode);
    } finally {
      tree.delete();
    }
  };
  const was = count(before).length;
  const now = count(edited);
  if (now.length <= was) return null;
  const at = now[0].start;
  const line = edited.slice(0, at).split('\n').length;
  return `syntax error at line ${line}`;
}

/** Maps an offset of `before` to `after` when its line survived unchanged; null otherwise. */
function offsetMapper(before: string, after: string): (offset: number) => number | null {
  const hunks = structuredPatch('', '', before, after, '', '', { context: 0 }).hunks;
  const startsBefore = lineStarts(before);
  const startsAfter = lineStarts(after);
  return (offset) => {
    let line = 1;
    while (line < startsBefore.length && startsBefore[line] <= offset) line++;
    let delta = 0;
    for (const h of hunks) {
      // Object form: oldStart is the first changed line, or the line a pure insertion precedes.
      if (line < h.oldStart) break;
      if (line < h.oldStart + h.oldLines) return null;
      delta = h.newStart + h.newLines - (h.oldStart + h.oldLines);
    }
    const newLine = line + delta;
    if (newLine < 1 || newLine > startsAfter.length) return null;
    return startsAfter[newLine - 1] + (offset - startsBefore[line - 1]);
  };
}

/**
 * Runs $VISUAL, else $EDITOR, else vi (git's order) on a temporary copy named like the
 * file, so editors pick Go mode; returns the saved text, or null if the editor failed.
 * Ctrl-C typed in the editor belongs to the editor, not to the review.
 */
async function openEditor(text: string, forPath: string, io: Pick<ReviewIo, 'env' | 'out'>): Promise<string | null> {
  const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-edit-'));
  const tmp = join(dir, basename(forPath));
  try {
    writeFileSync(tmp, text);
    // As git does: the variable may hold arguments ("code --wait"), so the shell splits it.
    const status = await new Promise<number | string>((resolve) => {
      const child = spawn('sh', ['-c', `${editor} "$@"`, editor, tmp], { stdio: 'inherit', env: io.env });
      const ignore = () => {};
      process.on('SIGINT', ignore);
      child.on('error', (e) => {
        process.off('SIGINT', ignore);
        resolve(e.message);
      });
      child.on('exit', (code, signal) => {
        process.off('SIGINT', ignore);
        resolve(signal ? `killed by ${signal}` : (code ?? 0));
      });
    });
    if (status !== 0) {
      io.out(`The editor (${editor}) ${typeof status === 'number' ? `exited with status ${status}` : `failed: ${status}`}; nothing changed.\n`);
      return null;
    }
    return readFileSync(tmp, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A single-keypress prompt: no Enter needed; other keys are ignored. */
const keyPrompt = createPrompt<string, { message: string; keys: string }>((config, done) => {
  const [answer, setAnswer] = useState<string | null>(null);
  useKeypress((event: KeypressEvent, rl) => {
    if (answer !== null) return;
    const seq = (event as KeypressEvent & { sequence?: string }).sequence ?? '';
    rl.clearLine(0);
    if (seq.length === 1 && config.keys.includes(seq)) {
      setAnswer(seq);
      done(seq);
    }
  });
  return `${config.message} ${answer ?? ''}`;
});

/** The prompter for a real terminal (stdin a TTY). */
function terminalPrompter(keys = KEYS): Prompter {
  return {
    async ask(question) {
      try {
        return (await keyPrompt({ message: ansi.bold(question), keys })) as Key;
      } catch (e) {
        if (e instanceof ExitPromptError) return '^C';
        throw e;
      }
    },
  };
}

/** End-of-review report for stderr: one summary line, then per-rule and per-file lines. */
export function reviewSummary(r: ReviewResult): string {
  const how = r.end === 'quit' ? 'quit: ' : r.end === 'interrupt' ? 'interrupted: ' : '';
  if (r.end === 'done' && r.applied + r.skipped === 0 && r.filesWritten.length === 0) {
    const s = r.summary;
    const what = s.findings ? `${plural(s.findings, 'finding')}, none with a fix,` : 'no findings';
    return `gopitfix: nothing to review: ${what} in ${plural(s.filesScanned, 'file')}\n`;
  }
  const parts = [`${how}applied ${r.applied} ${r.applied === 1 ? 'fix' : 'fixes'}${r.edited ? ` (${r.edited} edited)` : ''}, skipped ${r.skipped}`];
  if (r.unreviewed) parts.push(`${r.unreviewed} not reviewed`);
  if (r.acceptedNotWritten) parts.push(`${r.acceptedNotWritten} accepted with a/A in later files not written`);
  parts.push(`wrote ${plural(r.filesWritten.length, 'file')}`);
  if (r.summary.fixesRejected) parts.push(`${r.summary.fixesRejected} rejected (would break the syntax)`);
  if (r.errors.length || r.summary.errors.length) parts.push(`${plural(r.errors.length + r.summary.errors.length, 'file')} could not be processed`);
  const lines = [`gopitfix: ${parts.join('; ')}`];
  const rows = Object.entries(r.rules).filter(([, t]) => t.applied || t.skipped);
  const width = Math.max(0, ...rows.map(([id]) => id.length)) + 2;
  for (const [id, t] of rows) lines.push(`  ${id.padEnd(width)}applied ${t.applied}, skipped ${t.skipped}`);
  for (const f of r.filesWritten) lines.push(`  wrote ${f}`);
  return lines.join('\n') + '\n';
}

/** The -i run: review, then unfixable findings and the summary on stderr; returns the exit code. */
async function runInteractive(files: readonly DiscoveredFile[], config: ReviewConfig, io: ReviewIo, prompter = terminalPrompter()): Promise<number> {
  await initEngine();
  // Ctrl-C while the engine works between questions (the terminal is not in raw mode
  // then) must not kill the process between a file's decisions and its write: it stops
  // the review at the next question. During the first pass nothing has been written,
  // so it ends the run at once.
  let interrupted = false;
  let reviewing = false;
  let editing = false;
  const onSigint = () => {
    if (editing) return;
    if (reviewing) {
      interrupted = true;
      return;
    }
    io.err('\ngopitfix: interrupted before any change was made\n');
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  let r: ReviewResult;
  try {
    r = await review(files, config, {
        ...io,
        interrupted: () => interrupted,
        onReviewStart: () => void (reviewing = true),
        editing: (on) => void (editing = on),
      }, prompter);
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (r.end === 'refused') {
    io.err(`gopitfix: ${r.refusal}\n`);
    return 2;
  }
  for (const f of r.unfixable) io.err(`${f.file}:${f.start.line}:${f.start.column}: ${f.rule}: ${findingMessage(f)}\n`);
  io.err(reviewSummary(r));
  if (r.end === 'interrupt') return 130;
  return r.errors.length || r.summary.errors.length ? 3 : 0;
}

interface InteractiveRun {
  opts: {
    go: GoVersion | null;
    includeGenerated: boolean;
    context: number;
    color: boolean | undefined;
    allowDirty?: boolean;
    jobs?: number | null;
    prefilter?: boolean;
    quiet?: boolean;
    /** Command-line paths: the roots writes must stay inside. */
    paths: string[];
    maxFileSize?: number;
  };
  files: DiscoveredFile[];
  rules: Rule[];
  settingsFor?: (file: DiscoveredFile) => FileSettings | null;
  io: Io;
}

/** main.ts's entry for -i (stdin is known to be a terminal). */
export function runInteractiveCli(run: InteractiveRun): Promise<number> {
  const { opts, io } = run;
  return runInteractive(
    run.files,
    {
      rules: run.rules,
      goVersion: opts.go,
      includeGenerated: opts.includeGenerated,
      context: opts.context,
      settingsFor: run.settingsFor,
      guard: opts.allowDirty ? undefined : (paths) => dirtyTreeMessage(paths, io.cwd),
      writeRoots: writeRoots(opts.paths, io.cwd),
      // The first pass uses the batch worker pool (and its progress line on a terminal),
      // so the first question on a large tree comes as fast as a dry run would.
      prescan: batchPrescan(run.files, { rules: run.rules, goVersion: opts.go, includeGenerated: opts.includeGenerated, settingsFor: run.settingsFor }, {
        jobs: opts.jobs ?? defaultJobs(),
        prefilter: opts.prefilter ?? true,
        maxFileSize: opts.maxFileSize,
        progress: (total) => new Progress({ write: io.err, columns: io.columns }, total, Boolean(io.stderrIsTTY) && !opts.quiet),
      }),
    },
    { out: io.out, err: io.err, env: io.env, color: useColor(opts.color, io.env, io.stdoutIsTTY) },
  );
}
