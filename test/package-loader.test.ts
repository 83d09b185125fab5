// The package loader's retention: how many parsed siblings (trees and scopes) stay between
// two files. Only memory depends on it (a dropped sibling is parsed again on demand), so
// these tests look at what stays parsed, through borrow(), with tiny budgets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Imports } from '../src/go/imports.js';
import { PackageLoader, type PackageFile } from '../src/go/package.js';
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
    // Within the budget: still parsed at the next load, and handed to the engine as is.
    loader.load(join(dir, 'c.go'), current('c.go', C));
    const shared = loader.borrow(join(dir, 'b.go'), B);
    expect(shared).not.toBeNull();
    loader.release(join(dir, 'b.go'), { imports: shared!.imports, sem: shared!.sem });
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
