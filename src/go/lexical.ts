// Facts read from a Go file's tokens without parsing it: prefilter checks that are
// stronger than a regular expression yet still necessary conditions (they may admit a file
// that has no such construct, never skip one that has). Comments and string, raw-string and
// rune literals are skipped as Go's scanner skips them; anything odd (an unterminated
// comment or raw string, brackets that do not balance) admits the file. Each check is one
// linear pass over the text (~50-100 MB/s) and runs only on files its rule's cheaper
// regular-expression triggers already admitted.

import { isWordCode } from './wordindex.js';

const WORD_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD_ASCII[c] = +isWordCode(c);
/** A letter, digit or underscore (any non-ASCII character counts: Go identifiers may hold letters beyond ASCII). */
const isWordChar = (c: number) => (c < 128 ? WORD_ASCII[c] === 1 : c >= 128);

/** Token kinds of Lexer.next(); punctuation that no check needs is OTHER. */
const enum T {
  EOF,
  /** An unterminated block comment or raw string: the checks admit the file. */
  BAD,
  WORD,
  /** A string, rune or raw-string literal. */
  LIT,
  /** A newline, or a comment that holds one (Go's scanner treats it as a newline). */
  NL,
  OPEN,
  CLOSE,
  COMMA,
  SEMI,
  /** A plain `=` (not `==`, `:=`, `<=`, `+=`, ...). */
  ASSIGN,
  DEFINE,
  ARROW,
  /** `++` or `--`: they end a statement at a newline. */
  INCDEC,
  OTHER,
}

/** Go keywords after which a newline does not end the statement (all but break, continue, fallthrough, return). */
const NO_SEMI_KEYWORDS = new Set([
  'case',
  'chan',
  'const',
  'default',
  'defer',
  'else',
  'for',
  'func',
  'go',
  'goto',
  'if',
  'import',
  'interface',
  'map',
  'package',
  'range',
  'select',
  'struct',
  'switch',
  'type',
  'var',
]);

/** Go's tokens, as far as the checks below need them. */
class Lexer {
  i = 0;
  /** The current token's span (WORD: the word; OPEN/CLOSE: the bracket). */
  start = 0;
  end = 0;
  constructor(readonly src: string) {}

  next(): T {
    const src = this.src;
    const n = src.length;
    for (;;) {
      let i = this.i;
      if (i >= n) return T.EOF;
      const c = src.charCodeAt(i);
      this.start = i;
      if (c === 10) {
        this.i = this.end = i + 1;
        return T.NL;
      }
      if (c === 32 || c === 9 || c === 13) {
        i++;
        for (let e = src.charCodeAt(i); e === 32 || e === 9 || e === 13; e = src.charCodeAt(++i));
        this.i = i;
        continue;
      }
      if (isWordChar(c)) {
        i++;
        while (i < n && isWordChar(src.charCodeAt(i))) i++;
        this.i = this.end = i;
        return T.WORD;
      }
      const d = src.charCodeAt(i + 1);
      this.i = this.end = i + 1;
      switch (c) {
        case 47 /* / */:
          if (d === 47) {
            const e = src.indexOf('\n', i + 2);
            this.i = this.end = e < 0 ? n : e + 1;
            return T.NL;
          }
          if (d === 42) {
            const e = src.indexOf('*/', i + 2);
            if (e < 0) return T.BAD;
            this.i = this.end = e + 2;
            const nl = src.indexOf('\n', i + 2);
            if (nl >= 0 && nl < e) return T.NL;
            continue;
          }
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 34 /* " */:
        case 39 /* ' */: {
          // An interpreted string or rune literal ends at its quote or, unterminated, at the line's end.
          let j = i + 1;
          for (; j < n; j++) {
            const e = src.charCodeAt(j);
            if (e === 92 /* \ */) j++;
            else if (e === c || e === 10) break;
          }
          this.i = this.end = src.charCodeAt(j) === 10 ? j : j + 1;
          return T.LIT;
        }
        case 96 /* ` */: {
          const e = src.indexOf('`', i + 1);
          if (e < 0) return T.BAD;
          this.i = this.end = e + 1;
          return T.LIT;
        }
        case 40 /* ( */:
        case 91 /* [ */:
        case 123 /* { */:
          return T.OPEN;
        case 41 /* ) */:
        case 93 /* ] */:
        case 125 /* } */:
          return T.CLOSE;
        case 44 /* , */:
          return T.COMMA;
        case 59 /* ; */:
          return T.SEMI;
        case 61 /* = */:
          return d === 61 ? this.op(2, T.OTHER) : T.ASSIGN;
        case 58 /* : */:
          return d === 61 ? this.op(2, T.DEFINE) : T.OTHER;
        case 60 /* < */:
          if (d === 45) return this.op(2, T.ARROW);
          if (d === 60) return this.op(src.charCodeAt(i + 2) === 61 ? 3 : 2, T.OTHER); // << <<=
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 62 /* > */:
          if (d === 62) return this.op(src.charCodeAt(i + 2) === 61 ? 3 : 2, T.OTHER);
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 43 /* + */:
        case 45 /* - */:
          if (d === c) return this.op(2, T.INCDEC);
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 38 /* & */:
          if (d === 94 /* ^ */) return this.op(src.charCodeAt(i + 2) === 61 ? 3 : 2, T.OTHER);
          if (d === 38) return this.op(2, T.OTHER);
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 124 /* | */:
          if (d === 124) return this.op(2, T.OTHER);
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        case 33 /* ! */:
        case 42 /* * */:
        case 37 /* % */:
        case 94 /* ^ */:
          return d === 61 ? this.op(2, T.OTHER) : T.OTHER;
        default:
          return T.OTHER;
      }
    }
  }

  private op(len: number, t: T): T {
    this.i = this.end = this.start + len;
    return t;
  }

  word(): string {
    return this.src.slice(this.start, this.end);
  }

  isWord(w: string): boolean {
    return this.end - this.start === w.length && this.src.startsWith(w, this.start);
  }

  /** The current bracket is `{`. */
  isBrace(): boolean {
    const c = this.src.charCodeAt(this.start);
    return c === 123 || c === 125;
  }
}

/**
 * Whether a newline after a token ends the statement (Go's semicolon insertion): t is the
 * token's kind, [start, end) its span in src.
 */
function endsStatement(src: string, t: T, start: number, end: number): boolean {
  if (t === T.WORD) {
    // Keywords are lower-case ASCII words of 2 to 11 letters: test those only.
    const c = src.charCodeAt(start);
    return !(c >= 97 && c <= 122 && end - start <= 11 && NO_SEMI_KEYWORDS.has(src.slice(start, end)));
  }
  return t === T.LIT || t === T.CLOSE || t === T.INCDEC;
}

/**
 * Whether a `func` token occurs inside a for statement: after a `for` token and before the
 * statement ends (a newline that ends a statement, or a closing bracket, at the `for`'s
 * own level). Every func literal in a loop's body does, so a file where this is false has
 * no closure inside a loop body.
 */
export function funcInLoop(src: string): boolean {
  return scanLoopFuncs(src, false);
}

/**
 * funcInLoop, narrowed to func tokens that some statement could make outlive the
 * iteration: the statement holding the `func` (or one it is nested in) has a `go`, `defer`,
 * `Go` or `TryGo` token before it, or `Run` in a file that calls `Parallel(`, or a plain `=`
 * or `<-` from which the literal is reached through parentheses, composite literals, `&`
 * and append's arguments only (capture-loop-var's carrierOf). A closure escapes a loop
 * iteration only through a go or defer statement, an errgroup/WaitGroup task, a parallel
 * subtest (t.Run with t.Parallel()), or an assignment or send that stores it outside the
 * loop; a literal that is only called or passed to another call has none of these.
 */
export function escapingFuncInLoop(src: string): boolean {
  return scanLoopFuncs(src, true);
}

// Escape state of a bracket level (scanLoopFuncs): its current statement has a go / defer /
// task / t.Run token (STRONG: its func literals escape as the callee or an argument of the
// call), or a plain `=` or `<-` (WEAK: a literal stored or sent, itself or inside composite
// literals, `&` or append's arguments); and what the statement around the bracket passes
// down (REACH_*). A WEAK escape does not reach into another call's arguments.
const STRONG = 1;
const WEAK = 2;
const REACH_STRONG = 4;
const REACH_WEAK = 8;

function scanLoopFuncs(src: string, escaping: boolean): boolean {
  const lx = new Lexer(src);
  // t.Parallel() as a call: `RunParallel` (benchmarks) does not count.
  const parallel = /\bParallel(?:\s|\/\*[\s\S]*?\*\/)*\(/.test(src);
  // Level (open brackets + 1) of the outermost `for` whose statement has not ended; 0: none.
  let forLevel = 0;
  // Per open bracket (and the top level): its escape state.
  const state: number[] = [0];
  const isBrace: boolean[] = [true];
  // The last token before a newline, to decide whether the newline ends a statement.
  let last = T.NL;
  let lastStart = 0;
  let lastEnd = 0;
  const top = () => state.length - 1;
  for (;;) {
    const t = lx.next();
    switch (t) {
      case T.EOF:
        return state.length !== 1;
      case T.BAD:
        return true;
      case T.WORD:
        if (lx.isWord('for')) {
          if (forLevel === 0) forLevel = state.length;
        } else if (lx.isWord('func')) {
          if (forLevel > 0 && (!escaping || state[top()] !== 0)) return true;
        } else if (escaping && isEscapeWord(lx, parallel)) state[top()] |= STRONG;
        break;
      case T.ASSIGN:
      case T.ARROW:
        if (escaping) state[top()] |= WEAK;
        break;
      case T.OPEN: {
        const cur = state[top()];
        // A call's parentheses: `f(`, `x.m(`, `fs[i](`, `func(){...}(`; not `func(`, `if (`.
        const call =
          src.charCodeAt(lx.start) === 40 &&
          ((last === T.WORD && !isKeyword(src, lastStart, lastEnd)) || last === T.CLOSE) &&
          !(last === T.WORD && src.startsWith('append', lastStart) && lastEnd - lastStart === 6);
        let next = 0;
        if (cur & (STRONG | REACH_STRONG)) next |= REACH_STRONG;
        if (cur & (WEAK | REACH_WEAK) && !call) next |= REACH_WEAK;
        state.push(next);
        isBrace.push(lx.isBrace());
        break;
      }
      case T.CLOSE:
        state.pop();
        isBrace.pop();
        if (state.length === 0) return true;
        if (state.length < forLevel) forLevel = 0;
        break;
      case T.SEMI:
        // Not the end of a for statement: its clauses are separated by semicolons.
        state[top()] &= REACH_STRONG | REACH_WEAK;
        break;
      case T.NL:
        // Inside ( or [ a newline never ends a statement of valid Go.
        if (isBrace[top()] && endsStatement(src, last, lastStart, lastEnd)) {
          state[top()] &= REACH_STRONG | REACH_WEAK;
          if (state.length === forLevel) forLevel = 0;
        }
        break;
    }
    if (t !== T.NL) {
      last = t;
      lastStart = lx.start;
      lastEnd = lx.end;
    }
  }
}

/** go, defer, Go, TryGo, and Run when `parallel` (compared in place: no substring per word). */
function isEscapeWord(lx: Lexer, parallel: boolean): boolean {
  switch (lx.end - lx.start) {
    case 2:
      return lx.isWord('go') || lx.isWord('Go');
    case 3:
      return parallel && lx.isWord('Run');
    case 5:
      return lx.isWord('defer') || lx.isWord('TryGo');
    default:
      return false;
  }
}

/**
 * Whether the code has a send statement's arrow: a `<-` right after an operand's last
 * token (a name, a literal, a closing bracket) and not before `chan`. A receive `<-x`
 * follows an operator, a keyword or an opening bracket; `chan<-` and `<-chan` are types.
 */
export function sendArrow(src: string): boolean {
  const lx = new Lexer(src);
  let afterOperand = false;
  let arrow = false;
  for (;;) {
    const t = lx.next();
    if (t === T.EOF) return false;
    if (t === T.BAD) return true;
    if (t === T.NL) continue;
    if (arrow && !(t === T.WORD && lx.isWord('chan'))) return true;
    arrow = t === T.ARROW && afterOperand;
    afterOperand = t === T.WORD ? !isKeyword(src, lx.start, lx.end) : t === T.LIT || t === T.CLOSE;
  }
}

const GO_KEYWORDS = new Set([...NO_SEMI_KEYWORDS, 'break', 'continue', 'fallthrough', 'return']);

function isKeyword(src: string, start: number, end: number): boolean {
  const c = src.charCodeAt(start);
  return c >= 97 && c <= 122 && end - start <= 11 && GO_KEYWORDS.has(src.slice(start, end));
}

/**
 * Whether some statement assigns the result of a call of one of `names` to two operands:
 * a `,` and then `:=` or `=` at the statement's own level, and after them, in the same
 * statement, one of the names followed by `(` (or by `)`, for a parenthesized callee).
 * `resp, err := client.Do(req)` has it; `v := h.Get(k)` and `f(a, b.Get(k))` do not.
 */
export function twoValueCall(src: string, names: ReadonlySet<string>): boolean {
  const lx = new Lexer(src);
  let maxLen = 0;
  for (const n of names) maxLen = Math.max(maxLen, n.length);
  // Per open bracket (and the top level): 0 nothing yet, 1 a comma seen, 2 an assignment after it.
  const phase: number[] = [0];
  const isBrace: boolean[] = [true];
  let assigned = 0;
  let last = T.NL;
  let lastStart = 0;
  let lastEnd = 0;
  let named = false;
  const set = (p: number) => {
    const k = phase.length - 1;
    if (phase[k] === 2) assigned--;
    if (p === 2) assigned++;
    phase[k] = p;
  };
  for (;;) {
    const t = lx.next();
    if (t === T.EOF) return phase.length !== 1;
    if (t === T.BAD) return true;
    if (named && assigned > 0 && (t === T.OPEN ? src.charCodeAt(lx.start) === 40 : t === T.CLOSE && src.charCodeAt(lx.start) === 41)) return true;
    named = false;
    switch (t) {
      case T.WORD:
        named = lx.end - lx.start <= maxLen && names.has(lx.word());
        break;
      case T.COMMA:
        if (phase[phase.length - 1] === 0) set(1);
        break;
      case T.ASSIGN:
      case T.DEFINE:
        if (phase[phase.length - 1] === 1) set(2);
        break;
      case T.OPEN:
        phase.push(0);
        isBrace.push(lx.isBrace());
        break;
      case T.CLOSE:
        set(0);
        phase.pop();
        isBrace.pop();
        if (phase.length === 0) return true;
        break;
      case T.SEMI:
        set(0);
        break;
      case T.NL:
        if (isBrace[isBrace.length - 1] && endsStatement(src, last, lastStart, lastEnd)) set(0);
        break;
    }
    if (t !== T.NL) {
      last = t;
      lastStart = lx.start;
      lastEnd = lx.end;
    }
  }
}

/**
 * Whether one of `words` occurs as an identifier or keyword token of the code (not inside
 * a comment or a string, rune or raw-string literal, not part of a longer identifier).
 */
function wordInCode(src: string, words: ReadonlySet<string>): boolean {
  const lx = new Lexer(src);
  let minLen = Infinity;
  let maxLen = 0;
  for (const w of words) {
    minLen = Math.min(minLen, w.length);
    maxLen = Math.max(maxLen, w.length);
  }
  for (;;) {
    const t = lx.next();
    if (t === T.EOF) return false;
    if (t === T.BAD) return true;
    if (t === T.WORD && lx.end - lx.start >= minLen && lx.end - lx.start <= maxLen && words.has(lx.word())) return true;
  }
}

// Several rules' prefilters ask the same question of one file (a `go` token, a send arrow),
// one rule after another: the answers for the last text are kept.
let memoText: string | null = null;
const memo = new Map<string, boolean>();

function memoized(key: string, text: string, scan: () => boolean): boolean {
  if (text !== memoText) {
    memoText = text;
    memo.clear();
  }
  let v = memo.get(key);
  if (v === undefined) memo.set(key, (v = scan()));
  return v;
}

interface LexicalTrigger {
  test(text: string): boolean;
  toString(): string;
}

/** A prefilter trigger: one of `words` is a token of the code (wordInCode). */
export function codeWords(...words: string[]): LexicalTrigger {
  const set = new Set(words);
  const key = `words:${words.join(',')}`;
  return {
    test: (text) => memoized(key, text, () => wordInCode(text, set)),
    toString: () => `lexical: a token of the code among ${words.join(', ')}`,
  };
}

/**
 * The bodies of a file's top-level functions (and of func literals at the top level, in
 * a var's initializer): for each, the offsets of its `{` and of its matching `}`. A
 * body is the first `{` at bracket depth 0 after the `func` token, on the signature's
 * line. A signature whose result type spells `struct` or `interface` at depth 0 is
 * passed over (its `{` would not be the body's), as is a declaration without a body.
 * Null when the text does not lex cleanly (an unterminated comment or raw string,
 * brackets that do not balance): callers then use the whole text.
 */
export function funcBodies(src: string): { open: number; close: number }[] | null {
  const lx = new Lexer(src);
  const out: { open: number; close: number }[] = [];
  let depth = 0;
  for (let t = lx.next(); t !== T.EOF; t = lx.next()) {
    if (t === T.BAD) return null;
    if (t === T.OPEN) depth++;
    else if (t === T.CLOSE && --depth < 0) return null;
    if (depth !== 0 || t !== T.WORD || !lx.isWord('func')) continue;
    // The signature: up to the body's `{` at depth 0.
    let open = -1;
    for (t = lx.next(); t !== T.EOF; t = lx.next()) {
      if (t === T.BAD) return null;
      if (t === T.OPEN) {
        if (depth === 0 && lx.isBrace()) {
          open = lx.start;
          break;
        }
        depth++;
      } else if (t === T.CLOSE) {
        if (--depth < 0) return null;
      } else if (depth === 0 && (t === T.NL || t === T.SEMI || (t === T.WORD && (lx.isWord('struct') || lx.isWord('interface'))))) {
        break;
      }
    }
    if (open < 0) {
      if (t === T.EOF) break;
      continue;
    }
    depth = 1;
    for (t = lx.next(); ; t = lx.next()) {
      if (t === T.EOF || t === T.BAD) return null;
      if (t === T.OPEN) depth++;
      else if (t === T.CLOSE && --depth === 0) break;
    }
    out.push({ open, close: lx.start });
  }
  return depth === 0 ? out : null;
}

/**
 * Where a file can be cut into parts that Go's formatter prints independently: the
 * offsets of the empty lines (a lone `\n`, so LF text) at bracket depth 0, outside
 * comments and literals, after the package clause and every import declaration, with a
 * line that is not blank on either side. gofmt keeps such a line as it is (one blank line
 * between declarations), and its alignment sections never span a blank line, so each part
 * formats as it would inside the whole file. Null when the text does not lex cleanly, has
 * no package clause, or has an import after another declaration (an error only the whole
 * file shows).
 */
export function topLevelBreaks(src: string): number[] | null {
  const lx = new Lexer(src);
  const out: number[] = [];
  let depth = 0;
  let pkg = -1;
  let lastImport = -1;
  let otherDecl = false;
  const blankLine = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = src.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return true;
  };
  for (let t = lx.next(); t !== T.EOF; t = lx.next()) {
    if (t === T.BAD) return null;
    if (t === T.OPEN) depth++;
    else if (t === T.CLOSE && --depth < 0) return null;
    if (depth !== 0) continue;
    if (t === T.WORD) {
      if (lx.isWord('package')) pkg = lx.start;
      else if (lx.isWord('import')) {
        if (otherDecl) return null;
        lastImport = lx.start;
      } else if (lx.isWord('func') || lx.isWord('var') || lx.isWord('const') || lx.isWord('type')) otherDecl = true;
      continue;
    }
    const p = lx.i;
    if (t !== T.NL || src.charCodeAt(p - 1) !== 10 || src.charCodeAt(p) !== 10 || pkg < 0) continue;
    const next = src.indexOf('\n', p + 1);
    if (blankLine(src.lastIndexOf('\n', p - 2) + 1, p - 1) || blankLine(p + 1, next < 0 ? src.length : next)) continue;
    out.push(p);
  }
  return depth === 0 && pkg >= 0 ? out.filter((p) => p > lastImport) : null;
}

/**
 * The spans of the text to parse when only the uses of the words in `keep` matter: all of
 * it but the inside of the top-level function bodies (funcBodies) that mention none of
 * them as a whole word (as `mentions` matches: any character outside ASCII letters,
 * digits and `_` is a boundary). Every package-level declaration is in, and a parse of
 * the spans (parseGo's ranges) keeps offsets and line numbers, on a tree the size of the
 * functions that use the words. Null when nothing would be left out, or the text does
 * not lex cleanly: parse all of it.
 */
export function keptRanges(src: string, keep: readonly string[]): { startIndex: number; endIndex: number }[] | null {
  const bodies = funcBodies(src);
  if (!bodies || bodies.length === 0) return null;
  const kept = new Uint8Array(bodies.length);
  for (const w of keep) {
    if (!w) return null;
    for (let i = src.indexOf(w); i >= 0; i = src.indexOf(w, i + 1)) {
      if ((i > 0 && isWordCode(src.charCodeAt(i - 1))) || isWordCode(src.charCodeAt(i + w.length))) continue;
      // The body holding offset i, if any: the last one opening before it.
      let lo = 0;
      let hi = bodies.length - 1;
      let b = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (bodies[mid].open < i) {
          b = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (b >= 0 && i < bodies[b].close) kept[b] = 1;
    }
  }
  const out: { startIndex: number; endIndex: number }[] = [];
  let pos = 0;
  for (let b = 0; b < bodies.length; b++) {
    if (kept[b]) continue;
    const { open, close } = bodies[b];
    out.push({ startIndex: pos, endIndex: open + 1 });
    pos = close;
  }
  if (pos === 0) return null;
  out.push({ startIndex: pos, endIndex: src.length });
  return out;
}

/** escapingFuncInLoop as a prefilter trigger (listed by --list-rules under this name). */
export const escapingFuncInLoopBody: LexicalTrigger = {
  test: escapingFuncInLoop,
  toString: () =>
    'lexical: a func token inside a for statement, in a statement that can make it escape (go, defer, Go, TryGo, t.Run with Parallel(), or = / <- through composite literals, & and append)',
};

/** sendArrow as a prefilter trigger. */
export const sendStatement: LexicalTrigger = {
  test: (text) => memoized('send', text, () => sendArrow(text)),
  toString: () => 'lexical: a send arrow (<- after an operand, not before chan)',
};

/** twoValueCall as a prefilter trigger. */
export function twoValueCallOf(...names: string[]): LexicalTrigger {
  const set = new Set(names);
  return {
    test: (text) => twoValueCall(text, set),
    toString: () => `lexical: a, b := or = a call of ${names.join(', ')}`,
  };
}

/** All of the triggers hold (for one alternative among a rule's any-of triggers). */
export function allOf(...triggers: (string | RegExp | LexicalTrigger)[]): LexicalTrigger {
  const test = (t: string | RegExp | LexicalTrigger, text: string) => (typeof t === 'string' ? text.includes(t) : t.test(text));
  return {
    test: (text) => triggers.every((t) => test(t, text)),
    toString: () => triggers.map(String).join(' and '),
  };
}
