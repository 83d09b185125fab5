// The package loader's retention: how many parsed siblings (trees and scopes) and sibling
// texts stay between two files. Only memory depends on it (a dropped sibling is parsed or
// read again on demand), so these tests look at what stays, through borrow(), with tiny
// budgets, and check that a run keeping nothing gives the same findings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Imports } from '../src/go/imports.js';
import { fileMentions, mentions, PackageLoader, type PackageFile } from '../src/go/package.js';
import { WordQuestions } from '../src/go/wordindex.js';

/** A text's questions answered from its word index alone (no text kept to scan). */
const indexOf = (text: string) => new WordQuestions(() => undefined, () => text);
import { ROOT, runCli } from './support/cli.js';
import { Semantics } from '../src/go/scope.js';
import { initParser, parseGo } from '../src/parser/parser.js';

let dir: string;
const text = (name: string) => `package p\n\ntype ${name} struct {\n\tn int\n}\n\nfunc (x *${name}) get() int { return x.n }\n`;
const A = text('A');
const B = text('B');
const C = text('C');

beforeAll(async () => {
  await initParser();
  dir = mkdtempSync(join(tmpdir(), 'gopitfix-loader-'));
  writeFileSync(join(dir, 'a.go'), A);
  writeFileSync(join(dir, 'b.go'), B);
  writeFileSync(join(dir, 'c.go'), C);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function current(name: string, source: string): PackageFile {
  const root = parseGo(source).rootNode;
  const imports = new Imports(root, source);
  return { absPath: join(dir, name), source, root, imports, sem: new Semantics(root, imports), current: true };
}

const sibling = (files: PackageFile[], name: string) => files.find((f) => f.absPath === join(dir, name))!;

describe('package loader retention', () => {
  it('keeps a parsed sibling within the budget, and parses a dropped one again with the same result', () => {
    const loader = new PackageLoader(10 * B.length);
    const pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    const fields = pkg.structFields('B');
    expect([...fields!.keys()]).toEqual(['n']);
    expect(pkg.funcs('get').map((d) => d.recvType)).toEqual(['A', 'B', 'C']);
    // Within the budget: still parsed at the next load, and handed to the engine as is.
    loader.load(join(dir, 'c.go'), current('c.go', C));
    const shared = loader.borrow(join(dir, 'b.go'), B);
    expect(shared).not.toBeNull();
    loader.release(join(dir, 'b.go'), { imports: shared!.imports, sem: shared!.sem });
    loader.clear();
  });

  it("answers a question about a sibling's struct types from its declarations alone", () => {
    const loader = new PackageLoader(10 * B.length);
    const pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    expect([...pkg.structFields('B')!.keys()]).toEqual(['n']);
    expect(pkg.fieldType('B', 'n')).toMatchObject({ pkgPath: null, name: 'int', pointer: 0 });
    // Function bodies were left out: the whole tree was never parsed.
    expect(sibling(pkg.files, 'b.go').isParsed!()).toBe(false);
    loader.clear();
  });

  it('counts a sibling with its scopes at more than its tree alone', () => {
    // Room for b's tree, not for its tree with scopes.
    const loader = new PackageLoader(2 * B.length);
    let pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    void sibling(pkg.files, 'b.go').root;
    pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    expect(loader.borrow(join(dir, 'b.go'), B)).not.toBeNull();
    loader.release(join(dir, 'b.go'), { imports: null, sem: null });
    // Scopes built: over the budget at the next load, so the tree is dropped.
    void sibling(pkg.files, 'b.go').sem;
    pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    expect(loader.borrow(join(dir, 'b.go'), B)).toBeNull();
    // Parsed again on demand: the same facts.
    expect([...pkg.structFields('B')!.keys()]).toEqual(['n']);
    loader.clear();
  });

  it('applies the budget when a borrow ends, not only at the next load', () => {
    const loader = new PackageLoader(2 * B.length);
    const pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
    void sibling(pkg.files, 'b.go').root;
    const shared = loader.borrow(join(dir, 'b.go'), B);
    expect(shared).not.toBeNull();
    // The engine hands back the scopes it built on the borrowed tree: with them the entry
    // no longer fits, and it is dropped at once.
    const sem = new Semantics(shared!.tree.rootNode, shared!.imports ?? new Imports(shared!.tree.rootNode, B));
    loader.release(join(dir, 'b.go'), { imports: null, sem });
    expect(loader.borrow(join(dir, 'b.go'), B)).toBeNull();
    loader.clear();
  });

  it('takes its default budget from GOPITFIX_SIBLING_BUDGET (0: no sibling stays parsed)', () => {
    const before = process.env.GOPITFIX_SIBLING_BUDGET;
    process.env.GOPITFIX_SIBLING_BUDGET = '0';
    try {
      const loader = new PackageLoader();
      const pkg = loader.load(join(dir, 'a.go'), current('a.go', A));
      void sibling(pkg.files, 'b.go').root;
      loader.load(join(dir, 'a.go'), current('a.go', A));
      expect(loader.borrow(join(dir, 'b.go'), B)).toBeNull();
      loader.clear();
    } finally {
      if (before === undefined) delete process.env.GOPITFIX_SIBLING_BUDGET;
      else process.env.GOPITFIX_SIBLING_BUDGET = before;
    }
  });
});

describe('sibling texts', () => {
  it('indexes whole words, comments and literals included', () => {
    const idx = indexOf('package p\n\n// serverConfig holds it\nimport "net/http"\n\nvar x_1 = caf\u00e9\nvar last');
    for (const w of ['package', 'p', 'serverConfig', 'net', 'http', 'x_1', 'caf', 'last']) expect(idx.may(w), w).toBe(true);
    for (const w of ['server', 'Config', 'x', 'la', 'nethttp']) expect(idx.may(w), w).toBe(false);
    // A name the index cannot spell (a letter beyond ASCII) is always a maybe.
    expect(idx.may('caf\u00e9s')).toBe(true);
  });

  it.skipIf(!existsSync('/usr/share/go-1.19/src/net/http/server.go'))('never rules out a name the text mentions as a whole word (stdlib sample)', () => {
    const dir = '/usr/share/go-1.19/src/net/http';
    const files = readdirSync(dir).filter((n) => n.endsWith('.go')).sort().slice(0, 40);
    const texts = files.map((n) => readFileSync(join(dir, n), 'utf8'));
    let asked = 0;
    let maybe = 0;
    let held = 0;
    for (let i = 0; i < texts.length; i++) {
      const idx = indexOf(texts[i]);
      // Names from the next file: some in this one, most not.
      const names = new Set(texts[(i + 1) % texts.length].match(/[A-Za-z_][A-Za-z0-9_]*/g)!.slice(0, 400));
      for (const n of names) {
        asked++;
        const m = mentions(texts[i], n);
        if (m) held++;
        if (idx.may(n)) maybe++;
        else expect(m, `${files[i]}: ${n}`).toBe(false);
      }
    }
    // A yes for a name the text does not hold is a hash collision: rare.
    expect(maybe - held).toBeLessThan(asked / 100);
  });

  it('answers the first questions by scans of a kept text, then from its index, and indexes a text as it leaves memory', () => {
    const text = 'package p\n\ntype serverConfig struct{}\n';
    let reads = 0;
    let kept: string | undefined = text;
    const questions = (held: () => string | undefined) =>
      new WordQuestions(held, () => {
        reads++;
        return text;
      });
    const q = questions(() => kept);
    const asked = ['serverConfig', 'server', 'Config', 'struct', 'p', 'package', 'type', 'x', 'serverConfig', 'Server'];
    // Exact answers either way (no hash of these collides), and a kept text is never read.
    expect(asked.map((w) => q.may(w))).toEqual(asked.map((w) => mentions(text, w)));
    expect(reads).toBe(0);
    // A text indexed as it leaves memory is not read again for later questions.
    const dropped = questions(() => kept);
    dropped.may('p');
    dropped.dropping(text);
    kept = undefined;
    expect(dropped.may('serverConfig')).toBe(true);
    expect(dropped.may('Server')).toBe(false);
    expect(reads).toBe(0);
    // Dropped before any index: the first question reads it once.
    const unread = questions(() => undefined);
    expect(unread.may('struct')).toBe(true);
    expect(unread.may('Server')).toBe(false);
    expect(reads).toBe(1);
  });

  it('reads a dropped text again, answers from the index without reading, and refuses a changed file', () => {
    const d = mkdtempSync(join(tmpdir(), 'gopitfix-texts-'));
    try {
      writeFileSync(join(d, 'a.go'), A);
      writeFileSync(join(d, 'b.go'), B);
      const loader = new PackageLoader(0, 0);
      const cur = current('a.go', A);
      const pkg = loader.load(join(d, 'a.go'), { ...cur, absPath: join(d, 'a.go') });
      const b = pkg.files.find((f) => f.absPath === join(d, 'b.go'))!;
      expect(b.source).toBe(B);
      expect([...pkg.structFields('B')!.keys()]).toEqual(['n']);
      unlinkSync(join(d, 'b.go'));
      // Not in the text: known from the index alone, the missing file is not read.
      expect(fileMentions(b, 'Server')).toBe(false);
      expect(() => b.source).toThrow(/b\.go, a file of the package, could not be read again/);
      writeFileSync(join(d, 'b.go'), C);
      expect(() => b.source).toThrow(/b\.go, a file of the package, changed on disk during the run; run again/);
      loader.clear();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('finds the same over the fixtures with no sibling text or tree kept between uses', () => {
    const args = ['--json', '--no-cache', '--jobs', '1', 'fixtures'];
    const kept = runCli(ROOT, args);
    const dropped = runCli(ROOT, args, { env: { GOPITFIX_SIBLING_TEXT_BUDGET: '0', GOPITFIX_SIBLING_BUDGET: '0' } });
    const findings = (out: string) => JSON.parse(out).findings as unknown[];
    expect(findings(kept.stdout).length).toBeGreaterThan(100);
    expect(findings(dropped.stdout)).toEqual(findings(kept.stdout));
  });
});
