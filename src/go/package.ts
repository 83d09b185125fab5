// The package around a file: the other .go files of its directory with the same
// package clause, parsed on demand, with an index of their top-level struct
// types and functions. Rules use it for facts that live in sibling files
// (a receiver's struct field types, every call of a function in the package).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { parseGo } from '../parser/parser.js';
import { Imports } from './imports.js';
import { Semantics, type TypeRef } from './scope.js';
import { field, fields, named, PREDECLARED } from './syntax.js';
import { detached } from '../util/text.js';
import { keptRanges } from './lexical.js';
import { mentions, textHash, WordQuestions } from './wordindex.js';
import type { Span } from './window.js';

export { mentions };

export interface PackageFile {
  absPath: string;
  /** A sibling's text may be read from disk again when asked for (see PackageLoader). */
  source: string;
  root: Node;
  sem: Semantics;
  imports: Imports;
  /** True for the file being processed (its current text, not the one on disk). */
  current: boolean;
  /**
   * True for the other windows of a big file being processed a window at a time (windowFile):
   * not `current` (their facts are not in the current window's scopes), but the same file,
   * whose lines messages name as the file's own ("line 12", not "file.go:12").
   */
  sameFile?: boolean;
  /**
   * Whether the text holds `word` as a whole word, answered without reading it; a yes may
   * rarely be wrong (two words with one hash), a no never is. Absent: only the text can
   * tell. Use `fileMentions` rather than this.
   */
  mayMention?(word: string): boolean;
  /** Tells two texts of a sibling apart (its length and hash) without comparing them. */
  stamp?: string;
  /**
   * What facts kept per sibling file are filed under, when not its path: a window of a big
   * file (windowFile) shares the path with the file's other windows.
   */
  factKey?: string;
  /**
   * A window's own text (its header and declarations, without the rest of the file, which
   * `source` holds so that offsets match): what a check on the text alone reads (`ownText`).
   */
  ownText?: string;
  /** A window's spans of `source`: its tree covers these alone. */
  spans?: Span[];
  /**
   * The spans to parse when only the uses of the words in `keep` matter (lexical.ts
   * `keptRanges`, for a window over its own text); null: all of it (its `spans`).
   */
  keptSpans?(keep: readonly string[]): Span[] | null;
  /** Whether the sibling's tree is in memory now (touching `root` costs no parse). */
  isParsed?(): boolean;
  /**
   * A sibling's package-level declarations alone (function bodies left out), with the
   * imports read from them: what a question about its types needs, at a fraction of the
   * tree (`root` is parsed only when something needs the bodies).
   */
  decls?: { root: Node; imports: Imports };
}

/**
 * Whether the file's text holds `name` as a whole word: for a sibling, its word index
 * answers and the text is not read (a huge package's texts do not stay in memory, and a
 * package-wide question asked for every file would read them all again each time). A
 * necessary condition: callers that look for an identifier or field named `name` in the
 * tree use it to skip files, and a rare wrong yes only costs them a look.
 */
export function fileMentions(f: PackageFile, name: string): boolean {
  asked++;
  return f.mayMention ? f.mayMention(name) : mentions(f.source, name);
}

let asked = 0;

/** Whether f is the file being processed, or (in a big file read a window at a time) one of its windows. */
export function inCurrentFile(f: PackageFile): boolean {
  return f.current || f.sameFile === true;
}

/** The text a check on a file's text alone reads: a window's own text, else the source. */
export function ownText(f: PackageFile): string {
  return f.ownText ?? f.source;
}

/**
 * How many times fileMentions was asked in this thread: every package-wide question goes
 * through it, so tests read from it how the work per file grows with the package (a count,
 * where a time would depend on the machine).
 */
export function fileMentionsAsked(): number {
  return asked;
}

export interface FuncDecl {
  node: Node;
  file: PackageFile;
  /** Receiver base type name for methods ("Server" for `func (s *Server)`), else null. */
  recvType: string | null;
}

export class PackageInfo {
  readonly files: PackageFile[];
  private structCache = new Map<string, Map<string, { typeNode: Node; file: PackageFile }> | null>();

  constructor(files: PackageFile[]) {
    this.files = files;
  }

  /** The struct type declared as `type name struct {...}` in the package, with its field types. */
  structFields(typeName: string): Map<string, { typeNode: Node; file: PackageFile }> | null {
    if (this.structCache.has(typeName)) return this.structCache.get(typeName)!;
    let result: Map<string, { typeNode: Node; file: PackageFile }> | null = null;
    outer: for (const f of this.files) {
      if (!fileMentions(f, typeName) || !mayDeclareType(ownText(f), typeName)) continue; // spares parsing files that cannot declare it
      for (const d of named((f.decls ?? f).root)) {
        if (d.type !== 'type_declaration') continue;
        for (const spec of named(d)) {
          if (spec.type !== 'type_spec' || field(spec, 'name')?.text !== typeName) continue;
          const st = field(spec, 'type');
          if (!st || st.type !== 'struct_type') break outer;
          result = new Map();
          const list = named(st).find((c) => c.type === 'field_declaration_list');
          for (const fd of list ? named(list) : []) {
            if (fd.type !== 'field_declaration') continue;
            const type = field(fd, 'type');
            if (!type) continue;
            const names = fields(fd, 'name');
            if (names.length === 0) {
              // Embedded field: its name is the type's name.
              const base = type.type === 'pointer_type' ? named(type)[0] : type;
              const n = base?.type === 'qualified_type' ? field(base, 'name')?.text : base?.text;
              if (n) result.set(n, { typeNode: type, file: f });
            }
            for (const n of names) result.set(n.text, { typeNode: type, file: f });
          }
          break outer;
        }
      }
    }
    this.structCache.set(typeName, result);
    return result;
  }

  /** The type of field `fieldName` of package struct type `typeName`, resolved in its declaring file. */
  fieldType(typeName: string, fieldName: string): TypeRef | null {
    const f = this.structFields(typeName)?.get(fieldName);
    if (!f) return null;
    // In a sibling, resolve through its imports alone instead of building the scopes of
    // the whole file: the qualifier of a top-level struct's field type can only name an
    // import (Go forbids a package-level declaration named like one of the file's imports).
    return f.file.current ? f.file.sem.typeRef(f.typeNode) : importTypeRef(f.typeNode, (f.file.decls ?? f.file).imports);
  }

  /** Top-level functions and methods named `name` across the package. */
  funcs(name: string): FuncDecl[] {
    const out: FuncDecl[] = [];
    for (const f of this.files) {
      if (!fileMentions(f, name) || !mayDeclareFunc(ownText(f), name)) continue;
      for (const d of named(f.root)) {
        if (d.type !== 'function_declaration' && d.type !== 'method_declaration') continue;
        if (field(d, 'name')?.text !== name) continue;
        out.push({ node: d, file: f, recvType: d.type === 'method_declaration' ? receiverTypeName(d) : null });
      }
    }
    return out;
  }
}

/**
 * One window of a big text (./window.ts) with what does not depend on its tree: its own
 * text (header and declarations), word index and stamp. The engine makes one per window
 * and pass, shared by the package views of all the other windows.
 */
export class WindowText {
  private own: string | null = null;
  private stampText: string | null = null;
  readonly words: WordQuestions;

  /** `row`: the line (0-based) the window starts on. */
  constructor(
    readonly text: string,
    readonly header: Span,
    readonly chunk: Span,
    private readonly row: number,
  ) {
    this.words = new WordQuestions(
      () => this.ownText,
      () => this.ownText,
    );
  }

  get spans(): Span[] {
    return [this.header, this.chunk];
  }

  get ownText(): string {
    return (this.own ??= this.text.slice(this.header.startIndex, this.header.endIndex) + this.text.slice(this.chunk.startIndex, this.chunk.endIndex));
  }

  /**
   * Its own text and where it starts: a window left as it was by a fix elsewhere keeps the
   * facts kept about it, unless the fix moved it (facts hold offsets, and line numbers in
   * messages).
   */
  get stamp(): string {
    return (this.stampText ??= `${textHash(this.ownText)}@${this.chunk.startIndex}:${this.row}`);
  }

  /** Spans of its own text (header, then declarations) as spans of the whole text. */
  toWhole(ranges: readonly Span[]): Span[] {
    const h = this.header.endIndex - this.header.startIndex;
    const out: Span[] = [];
    for (const r of ranges) {
      if (r.startIndex < h) out.push({ startIndex: this.header.startIndex + r.startIndex, endIndex: this.header.startIndex + Math.min(r.endIndex, h) });
      if (r.endIndex > h) out.push({ startIndex: this.chunk.startIndex + Math.max(r.startIndex, h) - h, endIndex: this.chunk.startIndex + r.endIndex - h });
    }
    return out.filter((r) => r.endIndex > r.startIndex);
  }
}

/**
 * Another window of the big file being processed, as a file of its package: the file's
 * text, parsed over the window's spans when first touched. Its trees go on `trees`, which
 * the engine deletes once the window that asked is done (so at most the windows one
 * window's rules looked into are parsed at once); a new view is made for the next window,
 * so nothing kept about this one's tree outlives it.
 */
export function windowFile(absPath: string, w: WindowText, trees: Tree[]): PackageFile {
  let tree: Tree | null = null;
  let declsTree: Tree | null = null;
  let imports: Imports | null = null;
  let declsImports: Imports | null = null;
  let sem: Semantics | null = null;
  const text = w.text;
  const rootOf = () => {
    if (!tree) {
      tree = parseGo(text, w.spans);
      trees.push(tree);
    }
    return tree.rootNode;
  };
  return {
    absPath,
    source: text,
    current: false,
    sameFile: true,
    get root() {
      return rootOf();
    },
    get imports() {
      return (imports ??= new Imports(rootOf(), text));
    },
    get sem() {
      return (sem ??= new Semantics(rootOf(), this.imports));
    },
    get decls() {
      if (tree) return { root: tree.rootNode, imports: this.imports };
      if (!declsTree) {
        const kept = keptRanges(w.ownText, []);
        declsTree = parseGo(text, kept ? w.toWhole(kept) : w.spans);
        trees.push(declsTree);
      }
      return { root: declsTree.rootNode, imports: (declsImports ??= new Imports(declsTree.rootNode, text)) };
    },
    ownText: w.ownText,
    spans: w.spans,
    keptSpans: (keep) => {
      const kept = keptRanges(w.ownText, keep);
      return kept && w.toWhole(kept);
    },
    mayMention: (word) => w.words.may(word),
    isParsed: () => tree !== null,
    stamp: w.stamp,
    factKey: `${absPath}@${w.stamp}`,
  };
}

/** Whitespace and comments, as they may sit between two tokens. */
// (One way to split any text into these pieces: a line comment runs to the line's end and a
// block comment to its first `*/`, so a failed match never backtracks exponentially.)
const GAP = String.raw`(?:\s|//[^\n]*(?![^\n])|/\*(?:[^*]|\*(?!/))*\*/)*`;
const typeRes = new Map<string, RegExp>();
const funcRes = new Map<string, RegExp>();
const varRes = new Map<string, RegExp>();

function cachedRe(cache: Map<string, RegExp>, name: string, make: (n: string) => string): RegExp {
  let re = cache.get(name);
  if (!re) {
    if (cache.size > 1000) cache.clear();
    re = new RegExp(make(name.replace(/[^A-Za-z0-9_]/g, '\\$&')));
    cache.set(name, re);
  }
  return re;
}

/**
 * Whether the text may declare `type name ...`: the name starts a type spec, after
 * `type` or, inside a `type (...)` group, after `(`, `;` or a line break (comments may
 * sit in between). A necessary condition, so a file it rejects is not parsed; a file it
 * admits is checked on its tree. (Nothing is required after the name: tree-sitter's
 * error recovery makes a spec of `type _ := int` too.)
 */
export function mayDeclareType(source: string, name: string): boolean {
  if (!mentions(source, name)) return false;
  return cachedRe(typeRes, name, (n) => String.raw`(?:\btype|[(;\n])${GAP}${n}(?![A-Za-z0-9_])`).test(source);
}

/**
 * Whether the text may declare a package-level `var name`: the name starts a var spec
 * (after `var`, or `(`, `;`, a line break inside a group) or follows a comma in a spec's
 * name list, and is not followed by `.`, `{`, `)` or `}` (a selector, a composite
 * literal, the end of an argument list), which cannot follow a spec's name.
 */
export function mayDeclareVar(source: string, name: string): boolean {
  if (!mentions(source, name)) return false;
  return cachedRe(varRes, name, (n) => String.raw`(?:\bvar|[(;,\n])${GAP}${n}(?![A-Za-z0-9_])(?!${GAP}[.{})])`).test(source);
}

/** Whether the text may declare `func name` or a method `func (...) name` (comments may sit in between). */
export function mayDeclareFunc(source: string, name: string): boolean {
  if (!mentions(source, name)) return false;
  return cachedRe(funcRes, name, (n) => String.raw`(?:\bfunc|\))${GAP}${n}(?![A-Za-z0-9_])`).test(source);
}

/** Semantics.typeRef for a type node outside any function: qualifiers resolve to imports. */
function importTypeRef(typeNode: Node, imports: Imports): TypeRef {
  let pointer = 0;
  let n: Node | undefined = typeNode;
  while (n.type === 'pointer_type' || n.type === 'parenthesized_type') {
    if (n.type === 'pointer_type') pointer++;
    n = named(n).find((c) => c.type !== 'comment');
    if (!n) return { pkgPath: null, name: '?', pointer, node: null };
  }
  if (n.type === 'qualified_type') {
    const p = field(n, 'package');
    const name = field(n, 'name');
    const spec = p && name ? imports.byLocalName(p.text) : null;
    return { pkgPath: spec ? spec.path : null, name: spec ? name!.text : n.text, pointer, node: n };
  }
  if (n.type === 'type_identifier') return { pkgPath: PREDECLARED.has(n.text) ? null : '', name: n.text, pointer, node: n };
  if (n.type === 'generic_type') {
    const t = field(n, 'type');
    if (t) {
      const inner = importTypeRef(t, imports);
      return { ...inner, pointer: inner.pointer + pointer };
    }
  }
  return { pkgPath: null, name: n.type, pointer, node: n };
}

/** "Server" for `func (s *Server[T]) m()`. */
export function receiverTypeName(method: Node): string | null {
  const recv = field(method, 'receiver');
  const p = recv ? named(recv).find((c) => c.type === 'parameter_declaration') : null;
  let t = p ? field(p, 'type') : null;
  while (t && (t.type === 'pointer_type' || t.type === 'parenthesized_type')) t = named(t)[0] ?? null;
  if (t && t.type === 'generic_type') t = field(t, 'type');
  return t && t.type === 'type_identifier' ? t.text : null;
}

/** The package name of a file's text, without parsing it (comments may precede the clause). */
function packageClauseOfText(source: string): string | null {
  const m = /^(?:\uFEFF)?(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*package\s+(\w+)/.exec(source);
  return m ? m[1] : null;
}

export function packageClause(root: Node): string | null {
  const pc = named(root).find((c) => c.type === 'package_clause');
  const id = pc ? named(pc).find((c) => c.type === 'package_identifier') : null;
  return id ? id.text : null;
}

/**
 * A sibling as the loader keeps it: its package clause and word index, and its text only
 * while it is in the loader's text store (or always, for a text handed by a provider).
 */
interface Sibling {
  absPath: string;
  pkgName: string | null;
  /** What tells its text from another (length and hash). */
  index: { length: number; hash: string };
  words: WordQuestions;
  /** A provider's text, kept; disk texts live in the TextStore. */
  text?: string;
}

interface Entry {
  sibling: Sibling;
  tree: Tree | null;
  /** The declarations-only tree (PackageFile.decls), when parsed apart from `tree`. */
  decls: Tree | null;
  declsImports: Imports | null;
  /** Characters of text the declarations-only tree covers. */
  declsSize: number;
  imports: Imports | null;
  sem: Semantics | null;
  file: PackageFile;
  /** Borrowed by the engine for the file being processed: not evicted. */
  pinned?: boolean;
  /** Clock value of the last access to its tree (least recently used trees go first). */
  lastUse: number;
}

/** A file's tree with what was built on it, handed between the engine and the loader. */
interface ParsedFile {
  tree: Tree;
  imports: Imports | null;
  sem: Semantics | null;
}

/**
 * Characters of sibling source whose trees (and scopes) stay parsed between two files.
 * A package's trees cost ~50-100 bytes per source byte; keeping every sibling of a huge
 * package parsed made memory grow with the package (300 MB for a 3.6 MB package).
 * A file's scopes cost about as much again (~65 bytes per source byte for a 450 KB file),
 * in the JavaScript heap, the scarcer of the two (a worker's is capped, src/run/heap.ts):
 * an entry with them counts SEM_WEIGHT times its characters more. With 2 MB and scopes
 * uncounted, siblings of 450 KB kept with their scopes filled a worker's heap and sent
 * the package to the out-of-memory retry (peak RSS 1 GB on 50 files of 20k lines).
 * GOPITFIX_SIBLING_BUDGET (internal: tests and measurements) overrides the budget.
 */
const SIBLING_TREE_BUDGET = 1_000_000;
const SEM_WEIGHT = 3;

/**
 * Characters of sibling text kept in memory per directory and thread. Past it the least
 * recently used texts are dropped and read again when a rule needs one, which the word
 * index makes rare; a text is read to be parsed, and reading (with its sha1 check) costs
 * a fraction of parsing. At 16M characters every worker kept ~16 MB of texts it did not
 * use again on a package of big files (peak RSS 373 → 333 MB on 40 files of 25k lines at
 * 2M), with no CPU difference on the Go standard library, whose biggest packages are over
 * 2M. GOPITFIX_SIBLING_TEXT_BUDGET (internal: tests and measurements) overrides it.
 */
const SIBLING_TEXT_BUDGET = 2_000_000;

function envBudget(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

/** What an entry's trees and scopes count against the budget (a declarations-only tree: the text it covers). */
function weight(e: Entry): number {
  return (e.tree ? e.sibling.index.length * (e.sem ? 1 + SEM_WEIGHT : 1) : 0) + (e.decls ? e.declsSize : 0);
}

/** Sibling texts read from disk, least recently used first out past the budget. */
class TextStore {
  private texts = new Map<string, string>();
  private size = 0;

  /** `dropping`: told of each text pushed out past the budget. */
  constructor(
    private readonly budget: number,
    private readonly dropping: (absPath: string, text: string) => void,
  ) {}

  /** The text if kept, without making it the most recently used. */
  peek(absPath: string): string | undefined {
    return this.texts.get(absPath);
  }

  get(absPath: string): string | undefined {
    const t = this.texts.get(absPath);
    if (t !== undefined) {
      this.texts.delete(absPath);
      this.texts.set(absPath, t);
    }
    return t;
  }

  put(absPath: string, text: string): void {
    const old = this.texts.get(absPath);
    if (old !== undefined) {
      this.size -= old.length;
      this.texts.delete(absPath);
    }
    this.texts.set(absPath, text);
    this.size += text.length;
    for (const [p, t] of this.texts) {
      if (this.size <= this.budget) break;
      this.texts.delete(p);
      this.size -= t.length;
      this.dropping(p, t);
    }
  }

  clear(): void {
    this.texts.clear();
    this.size = 0;
  }
}

/** Parsed sibling files, cached per directory (the engine walks files in path order). */
export class PackageLoader {
  private dir: string | null = null;
  private cache = new Map<string, Entry>();
  /** The directory's .go files, read and indexed at its first load (null: not read yet). */
  private siblings: Sibling[] | null = null;
  /** The directory's disk siblings by path (a text leaving the store is indexed first). */
  private onDisk = new Map<string, Sibling>();
  private texts: TextStore;
  private providedMemo = new Map<string, Sibling>();
  private clock = 0;

  constructor(
    private readonly budget = envBudget('GOPITFIX_SIBLING_BUDGET', SIBLING_TREE_BUDGET),
    textBudget = envBudget('GOPITFIX_SIBLING_TEXT_BUDGET', SIBLING_TEXT_BUDGET),
  ) {
    this.texts = new TextStore(textBudget, (p, t) => this.onDisk.get(p)?.words.dropping(t));
  }

  /**
   * The package of the file being processed: its siblings from disk, or from `provider`
   * when given. A sibling is parsed only when a rule first touches its tree, so a rule
   * that looks for a name skips (with `fileMentions`) the files that cannot hold it.
   */
  load(
    absPath: string,
    current: PackageFile,
    provider?: () => { absPath: string; source: string }[],
  ): PackageInfo {
    const pkgName = packageClause(current.root);
    // Disk siblings are listed once per directory; a provider is asked every time, since
    // callers (tests, interactive edits) may hand different files for the same path.
    const key = provider ? `provider:${absPath}` : dirname(absPath);
    if (key !== this.dir) {
      this.clear();
      this.dir = key;
    }
    if (provider) this.siblings = provider().map((s) => this.provided(s.absPath, s.source));
    else this.siblings ??= this.readSiblings(absPath);
    // Between two loads no tree of the previous PackageInfo is in use: drop the least
    // recently used ones past the budget (a dropped sibling is parsed again if needed).
    this.evict();
    const files: PackageFile[] = [current];
    for (const s of this.siblings) {
      if (s.absPath === absPath || s.pkgName !== pkgName) continue;
      let entry = this.cache.get(s.absPath);
      if (!entry || !sameText(entry.sibling.index, s.index)) {
        entry?.tree?.delete();
        entry = this.lazyEntry(s);
        this.cache.set(s.absPath, entry);
      }
      files.push(entry.file);
    }
    return new PackageInfo(files);
  }

  private evict(): void {
    let parsed = 0;
    const live: Entry[] = [];
    for (const e of this.cache.values()) {
      if ((e.tree || e.decls) && !e.pinned) {
        parsed += weight(e);
        live.push(e);
      }
    }
    if (parsed <= this.budget) return;
    live.sort((a, b) => a.lastUse - b.lastUse);
    for (const e of live) {
      if (parsed <= this.budget) break;
      e.tree?.delete();
      e.tree = null;
      e.decls?.delete();
      e.decls = null;
      this.cache.delete(e.file.absPath);
      parsed -= weight(e);
    }
  }

  /**
   * A sibling's text: kept, or read again. A file changed on disk since the directory was
   * indexed cannot be used with what was learnt from its first text: the rule asking
   * fails with that reason (the engine records it for the file; a re-run settles it).
   */
  private textOf(s: Sibling): string {
    if (s.text !== undefined) return s.text;
    let t = this.texts.get(s.absPath);
    if (t !== undefined) return t;
    try {
      t = readFileSync(s.absPath, 'utf8');
    } catch (e) {
      throw new Error(`${basename(s.absPath)}, a file of the package, could not be read again: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    if (t.length !== s.index.length || textHash(t) !== s.index.hash) {
      throw new Error(`${basename(s.absPath)}, a file of the package, changed on disk during the run; run again`);
    }
    this.texts.put(s.absPath, t);
    return t;
  }

  private lazyEntry(s: Sibling): Entry {
    const entry: Entry = { sibling: s, tree: null, decls: null, declsImports: null, declsSize: 0, imports: null, sem: null, file: null!, lastUse: 0 };
    const text = () => this.textOf(s);
    const tree = () => {
      entry.lastUse = ++this.clock;
      return (entry.tree ??= parseGo(text()));
    };
    const decls = () => {
      entry.lastUse = ++this.clock;
      if (entry.tree) return { root: entry.tree.rootNode, imports: entry.file.imports };
      if (!entry.decls) {
        const t = text();
        const ranges = keptRanges(t, []);
        if (!ranges) return { root: tree().rootNode, imports: entry.file.imports };
        entry.decls = parseGo(t, ranges);
        entry.declsSize = ranges.reduce((n, r) => n + r.endIndex - r.startIndex, 0);
      }
      return { root: entry.decls.rootNode, imports: (entry.declsImports ??= new Imports(entry.decls.rootNode, text())) };
    };
    entry.file = {
      absPath: s.absPath,
      get source() {
        return text();
      },
      current: false,
      get root() {
        return tree().rootNode;
      },
      get imports() {
        return (entry.imports ??= new Imports(tree().rootNode, text()));
      },
      get sem() {
        return (entry.sem ??= new Semantics(tree().rootNode, this.imports));
      },
      mayMention: (word) => s.words.may(word),
      isParsed: () => entry.tree !== null,
      get decls() {
        return decls();
      },
      stamp: `${s.index.length}:${s.index.hash}`,
    };
    return entry;
  }

  /**
   * The tree of a file parsed earlier as some file's sibling (with its imports and scopes
   * when built), when its text is `source`: the engine uses it instead of parsing the file
   * again. The loader keeps owning it; it is not evicted until `release`.
   */
  borrow(absPath: string, source: string): ParsedFile | null {
    if (this.dir !== dirname(absPath)) return null;
    const e = this.cache.get(absPath);
    if (!e || !e.tree) return null;
    const i = e.sibling.index;
    if (i.length !== source.length) return null;
    const kept = e.sibling.text ?? this.texts.get(absPath);
    if (kept !== source && textHash(source) !== i.hash) return null;
    e.pinned = true;
    e.lastUse = ++this.clock;
    return { tree: e.tree, imports: e.imports, sem: e.sem };
  }

  /** End a borrow, keeping the imports and scopes the engine built on the tree. */
  release(absPath: string, built: { imports: Imports | null; sem: Semantics | null }): void {
    const e = this.cache.get(absPath);
    if (!e) return;
    e.pinned = false;
    e.imports ??= built.imports;
    e.sem ??= built.sem;
    // The pass that borrowed it is over, and no sibling tree is in use between passes: the
    // budget holds from here, not only from the next load (a pass may load no package).
    this.evict();
  }

  clear(): void {
    for (const e of this.cache.values()) {
      e.tree?.delete();
      e.decls?.delete();
    }
    this.cache.clear();
    this.texts.clear();
    this.onDisk.clear();
    this.dir = null;
    this.siblings = null;
  }

  /**
   * A provider's file, indexed once per text: a provider is asked at every load, for
   * every file of the package (the memo outlives clear(), which a provider's per-file key
   * calls at each file; the provider holds the texts anyway).
   */
  private provided(absPath: string, text: string): Sibling {
    const known = this.providedMemo.get(absPath);
    if (known && known.text === text) return known;
    const s = { absPath, ...describe(text), words: new WordQuestions(() => text, () => text), text };
    if (this.providedMemo.size >= 4096) this.providedMemo.clear();
    this.providedMemo.set(absPath, s);
    return s;
  }

  /** Every .go file of absPath's directory (absPath included: load skips the current one), indexed. */
  private readSiblings(absPath: string): Sibling[] {
    const dir = dirname(absPath);
    const out: Sibling[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return out;
    }
    for (const n of names) {
      if (!n.endsWith('.go')) continue;
      const p = join(dir, n);
      try {
        const st = statSync(p);
        if (!st.isFile() || st.size > 10 * 1024 * 1024) continue;
        const text = readFileSync(p, 'utf8');
        const s: Sibling = { absPath: p, ...describe(text), words: new WordQuestions(() => this.texts.peek(p), () => this.textOf(s)) };
        out.push(s);
        this.onDisk.set(p, s);
        this.texts.put(p, text);
      } catch {
        // An unreadable sibling only narrows what rules can prove.
      }
    }
    return out;
  }
}

function describe(text: string): { pkgName: string | null; index: Sibling['index'] } {
  const name = packageClauseOfText(text);
  return { pkgName: name === null ? null : detached(name), index: { length: text.length, hash: textHash(text) } };
}

function sameText(a: Sibling['index'], b: Sibling['index']): boolean {
  return a === b || (a.length === b.length && a.hash === b.hash);
}
