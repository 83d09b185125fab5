// `// want` expectations in fixture inputs, in the style of go/analysis' analysistest: each
// expected finding is declared by a comment at the end of the line the finding starts on.
//
//   go work(ctx)              // want `goroutine send on ch`
//   ctx, _ := context.WithTimeout(ctx, d) // want `is discarded` nofix:`inside a loop`
//   defer t.Stop()            // want "first \\(a\\)" `second` nofix
//
// After `// want` come one or more message patterns, each a regular expression (JavaScript
// syntax, unanchored: it must match somewhere in the finding's message) written as a
// backquoted raw string or a double-quoted JSON string. A pattern alone expects a finding WITH
// a fix. A pattern followed by `nofix:<pattern>` expects a finding WITHOUT a fix whose reason
// (Finding.noFixReason) matches that pattern; followed by a bare `nofix`, a finding without a
// fix whatever its reason (or none). The message is the finding's own message, without the
// ` (no fix: ...)` text outputs append. Every finding must be declared and every declaration
// met: a missing or extra finding, a fix where `nofix` was declared, or no fix where none was,
// is a failure.
//
// Expectations never reach the rules: the runner strips them (the `// want ...` text and the
// blanks before it, through the end of the line) before running, so a case's input is exactly
// the file without them, and a case without an output file must come out as that stripped
// text. A `// want` may end an ordinary line comment (`x() // note // want ...`): only the
// `// want ...` part goes. Output files must hold no expectations. The runner checks with the
// parser that every stripped `// want` was a comment (not text inside a string literal) and
// that no `// want` is alone on its line, so an expectation cannot silently change a result.
// This module is pure text handling (no parser) so tools that read fixture inputs can strip
// expectations cheaply (src/verify/mutate.ts).

/** One declared finding. */
export interface Want {
  /** 1-based line the finding must start on. */
  line: number;
  /** Regular expression the finding's message must match. */
  message: RegExp;
  /** 'fix': must carry a fix; 'nofix': must not (any reason); a RegExp: no fix, reason matching. */
  fix: 'fix' | 'nofix' | RegExp;
  /** The expectation as written (for problem reports). */
  source: string;
}

export interface ParsedExpectations {
  /** The text with every `// want ...` removed: what the rules run on. */
  stripped: string;
  wants: Want[];
  /** Malformed expectations ("line N: ..."). */
  errors: string[];
  /** Offsets in the ORIGINAL text where each stripped `// want` began (checked to be comments). */
  offsets: { line: number; offset: number; alone: boolean }[];
}

/** `// want` followed by blanks and a quote: where an expectation starts on a line. */
const WANT_START = /[ \t]*\/\/ want[ \t]+(?=[`"])/;

/** Remove every `// want ...` expectation (see the header); lines and their count stay. */
export function stripExpectations(text: string): string {
  return parseExpectations(text).stripped;
}

/** Parse and strip the expectations of a fixture input (LF or CRLF text). */
export function parseExpectations(text: string): ParsedExpectations {
  const wants: Want[] = [];
  const errors: string[] = [];
  const offsets: ParsedExpectations['offsets'] = [];
  const out: string[] = [];
  let pos = 0;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const cr = raw.endsWith('\r') ? '\r' : '';
    const body = cr ? raw.slice(0, -1) : raw;
    const m = WANT_START.exec(body);
    if (!m) {
      if (/\/\/ ?want\b/.test(body)) errors.push(`line ${line}: \`// want\` must be followed by a \`pattern\` or "pattern"`);
      out.push(raw);
      pos += raw.length + 1;
      return;
    }
    const kept = body.slice(0, m.index);
    offsets.push({ line, offset: pos + m.index + m[0].indexOf('//'), alone: kept.trim() === '' });
    const spec = body.slice(m.index + m[0].length);
    const parsed = parseSpec(spec, line);
    if (typeof parsed === 'string') errors.push(`line ${line}: ${parsed}`);
    else wants.push(...parsed);
    out.push(kept + cr);
    pos += raw.length + 1;
  });
  return { stripped: out.join('\n'), wants, errors, offsets };
}

/** The patterns after `// want `: `pat [nofix[:pat]] pat ...`. */
function parseSpec(spec: string, line: number): Want[] | string {
  const wants: Want[] = [];
  let s = spec;
  const skip = () => (s = s.replace(/^[ \t]+/, ''));
  while ((skip(), s.length > 0)) {
    const msg = readPattern(s);
    if (typeof msg === 'string') return msg;
    s = s.slice(msg.length);
    const message = regex(msg.value);
    if (typeof message === 'string') return message;
    let fix: Want['fix'] = 'fix';
    let source = msg.raw;
    skip();
    if (s.startsWith('nofix:')) {
      s = s.slice('nofix:'.length);
      const why = readPattern(s);
      if (typeof why === 'string') return `nofix: ${why}`;
      s = s.slice(why.length);
      const r = regex(why.value);
      if (typeof r === 'string') return r;
      fix = r;
      source += ` nofix:${why.raw}`;
    } else if (/^nofix(?![\w:])/.test(s)) {
      s = s.slice('nofix'.length);
      fix = 'nofix';
      source += ' nofix';
    }
    wants.push({ line, message, fix, source });
  }
  if (wants.length === 0) return '`// want` declares no finding';
  return wants;
}

function readPattern(s: string): { value: string; raw: string; length: number } | string {
  if (s.startsWith('`')) {
    const end = s.indexOf('`', 1);
    if (end < 0) return 'unterminated `raw` pattern';
    return { value: s.slice(1, end), raw: s.slice(0, end + 1), length: end + 1 };
  }
  if (s.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(s);
    if (!m) return 'unterminated "quoted" pattern';
    try {
      return { value: JSON.parse(m[0]) as string, raw: m[0], length: m[0].length };
    } catch {
      return `bad escape in ${m[0]}`;
    }
  }
  return `expected a \`pattern\` or "pattern", found ${JSON.stringify(s.slice(0, 20))}`;
}

function regex(src: string): RegExp | string {
  if (src === '') return 'empty pattern';
  try {
    return new RegExp(src);
  } catch (e) {
    return `bad regular expression ${JSON.stringify(src)}: ${(e as Error).message}`;
  }
}

/** What the matcher needs of a finding. */
export interface MatchedFinding {
  rule: string;
  message: string;
  start: { line: number };
  fix: { description: string } | null;
  noFixReason: string | null;
}

/**
 * Match findings against expectations: each expectation is met by at most one finding on its
 * line whose message matches; returns one problem per missing, extra or mismatched finding.
 */
export function matchExpectations(wants: readonly Want[], findings: readonly MatchedFinding[], file = ''): string[] {
  const problems: string[] = [];
  const used = new Set<Want>();
  const at = (line: number) => `${file}:${line}`;
  const describe = (f: MatchedFinding) =>
    `${f.rule}: ${JSON.stringify(f.message)} ${f.fix ? `with a fix (${f.fix.description})` : `without a fix (reason: ${f.noFixReason === null ? 'none' : JSON.stringify(f.noFixReason)})`}`;
  const kindOk = (w: Want, f: MatchedFinding) =>
    w.fix === 'fix' ? !!f.fix : !f.fix && (w.fix === 'nofix' || (f.noFixReason !== null && w.fix.test(f.noFixReason)));
  // Exact matches first (message and kind), so one line's several findings pair up right.
  const pending: MatchedFinding[] = [];
  for (const f of findings) {
    const w = wants.find((w) => !used.has(w) && w.line === f.start.line && w.message.test(f.message) && kindOk(w, f));
    if (w) used.add(w);
    else pending.push(f);
  }
  for (const f of pending) {
    const w = wants.find((w) => !used.has(w) && w.line === f.start.line && w.message.test(f.message));
    if (!w) {
      problems.push(`${at(f.start.line)}: unexpected finding ${describe(f)}`);
      continue;
    }
    used.add(w);
    const expected = w.fix === 'fix' ? 'with a fix' : w.fix === 'nofix' ? 'without a fix' : `without a fix, reason matching /${w.fix.source}/`;
    problems.push(`${at(f.start.line)}: finding ${describe(f)}; declared ${expected} (${w.source})`);
  }
  for (const w of wants) if (!used.has(w)) problems.push(`${at(w.line)}: missing finding: want ${w.source}`);
  return problems;
}
