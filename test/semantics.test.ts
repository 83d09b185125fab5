import { beforeAll, describe, expect, it } from 'vitest';
import { Imports } from '../src/go/imports.js';
import { Semantics } from '../src/go/scope.js';
import { children, descendants, indexedNodeTypes, named } from '../src/go/syntax.js';
import type { Node } from 'web-tree-sitter';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConstraintGoVersion, clearModuleCache, effectiveVersion, findModule, parseGoVersion } from '../src/go/version.js';
import { initParser, parseGo } from '../src/parser/parser.js';

beforeAll(initParser);

function analyze(src: string) {
  const tree = parseGo(src);
  const imports = new Imports(tree.rootNode, src);
  const sem = new Semantics(tree.rootNode, imports);
  const idents = descendants(tree.rootNode, 'identifier');
  /** The n-th identifier with this text (0-based). */
  const id = (name: string, n = 0) => idents.filter((i) => i.text === name)[n];
  return { tree, sem, imports, id };
}

describe('scopes and bindings', () => {
  it('resolves shadowing: inner := and func-literal params hide the outer binding', () => {
    const { sem, id } = analyze(`package p
func f(v int) {
	use(v)
	{
		v := "s"
		use(v)
	}
	go func(v int) { use(v) }(v)
	use(v)
}
`);
    const param = sem.declaredAt(id('v', 0))!;
    expect(param.kind).toBe('param');
    expect(sem.resolve(id('v', 1))).toBe(param);
    const inner = sem.declaredAt(id('v', 2))!;
    expect(inner).not.toBe(param);
    expect(sem.resolve(id('v', 3))).toBe(inner);
    const litParam = sem.declaredAt(id('v', 4))!;
    expect(litParam.kind).toBe('param');
    expect(sem.resolve(id('v', 5))).toBe(litParam);
    expect(sem.resolve(id('v', 6))).toBe(param);
    expect(sem.resolve(id('v', 7))).toBe(param);
  });

  it('x := x reads the outer x; a, err := reuses err of the same block', () => {
    const { sem, id } = analyze(`package p
func f() {
	x := 1
	for i := 0; i < 3; i++ {
		x := x
		_ = x
	}
	a, err := g()
	b, err := g()
	_, _, _ = a, b, err
}
`);
    const outer = sem.declaredAt(id('x', 0))!;
    const inner = sem.declaredAt(id('x', 1))!;
    expect(sem.resolve(id('x', 2))).toBe(outer);
    expect(sem.resolve(id('x', 3))).toBe(inner);
    const err = sem.declaredAt(id('err', 0))!;
    expect(sem.declaredAt(id('err', 1))).toBeNull();
    expect(sem.resolve(id('err', 1))).toBe(err);
    expect(sem.resolve(id('err', 2))).toBe(err);
  });

  it('import aliases, and a local var named like a package is not the package', () => {
    const { sem, id, imports } = analyze(`package p
import (
	ctxpkg "context"
	"time"
)
func f() {
	ctx, cancel := ctxpkg.WithTimeout(ctxpkg.Background(), time.Second)
	_ = ctx
	cancel()
	context := thing{}
	context.WithCancel(nil)
}
`);
    expect(imports.localName('context')).toBe('ctxpkg');
    const call = sem.resolve(id('ctxpkg', 0))!;
    expect(call.kind).toBe('import');
    expect(call.importPath).toBe('context');
    const cancel = sem.declaredAt(id('cancel'))!;
    expect(sem.typeOf(cancel)).toMatchObject({ pkgPath: 'context', name: 'CancelFunc' });
    const ctx = sem.declaredAt(id('ctx'))!;
    expect(sem.typeOf(ctx)).toMatchObject({ pkgPath: 'context', name: 'Context' });
    expect(sem.packagePath(id('context', 1))).toBeNull();
  });

  it('declared types through aliases, pointers, new() and &T{}', () => {
    const { sem, id } = analyze(`package p
import gosync "sync"
type S struct{ wg gosync.WaitGroup }
func f(a *gosync.WaitGroup, r *http.Request) {
	var b gosync.WaitGroup
	c := new(gosync.WaitGroup)
	d := &gosync.WaitGroup{}
	e := 3
	_, _, _, _ = b, c, d, e
}
`);
    for (const [name, ptr] of [['a', 1], ['b', 0], ['c', 1], ['d', 1]] as const) {
      const b = sem.declaredAt(id(name))!;
      expect(sem.isType(b, 'sync', 'WaitGroup', ptr), name).toBe(true);
    }
    expect(sem.typeOf(sem.declaredAt(id('e'))!)).toBeNull();
  });

  it('struct literal keys are field names, map literal keys are expressions', () => {
    const { sem, id } = analyze(`package p
func f() {
	cancel := 1
	_ = T{cancel: 2}
	_ = map[int]int{cancel: 2}
}
`);
    const b = sem.declaredAt(id('cancel', 0))!;
    expect(b.refs.length).toBe(1);
  });

  it('type switch alias takes the case type; select receive declares in the case', () => {
    const { sem, id } = analyze(`package p
import "sync"
func f(x any, ch chan int) {
	switch v := x.(type) {
	case *sync.WaitGroup:
		v.Wait()
	default:
		_ = v
	}
	select {
	case n := <-ch:
		_ = n
	}
}
`);
    const v1 = sem.resolve(id('v', 1))!;
    expect(sem.isType(v1, 'sync', 'WaitGroup', 1)).toBe(true);
    expect(sem.resolve(id('v', 2))).not.toBe(v1);
    expect(sem.resolve(id('n', 1))).toBe(sem.declaredAt(id('n', 0)));
  });

  it('lookup respects declaration order; freshName avoids every name in the function', () => {
    const { sem, id } = analyze(`package p
func f() {
	use(cancel)
	cancel := 1
	_ = cancel
	{
		cancel2 := 2
		_ = cancel2
	}
}
`);
    expect(sem.lookup('cancel', id('use'))).toBeNull();
    expect(sem.lookup('cancel', id('cancel', 2))).toBe(sem.declaredAt(id('cancel', 1)));
    expect(sem.freshName('cancel', id('use'))).toBe('cancel3');
    expect(sem.freshName('stop', id('use'))).toBe('stop');
  });
});

describe('Go versions', () => {
  it('build constraints imply minimum versions', () => {
    expect(buildConstraintGoVersion('go1.21 && linux')).toEqual({ major: 1, minor: 21 });
    expect(buildConstraintGoVersion('go1.18 || go1.20')).toEqual({ major: 1, minor: 18 });
    expect(buildConstraintGoVersion('!go1.22')).toBeNull();
    expect(buildConstraintGoVersion('linux')).toBeNull();
  });
  it('a tag lowers a go1.22 module file to at least go1.21; before 1.21 tags only raise', () => {
    const v = (m: string | null, tag: string) =>
      effectiveVersion(m ? parseGoVersion(m) : null, `//go:build ${tag}\n\npackage p\n`);
    expect(v('1.22', 'go1.21')).toEqual({ major: 1, minor: 21 });
    expect(v('1.22', 'go1.18')).toEqual({ major: 1, minor: 21 });
    expect(v('1.22', 'go1.23')).toEqual({ major: 1, minor: 23 });
    expect(v('1.20', 'go1.18')).toEqual({ major: 1, minor: 20 });
    expect(v('1.20', 'go1.22')).toEqual({ major: 1, minor: 22 });
  });
  it('a go.mod without a go line means go1.16, as for the go command; no go.mod means unknown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gopitfix-gomod-'));
    try {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/m\n');
      mkdirSync(join(dir, 'sub'));
      clearModuleCache();
      expect(findModule(join(dir, 'sub'))?.version).toEqual({ major: 1, minor: 16 });
      writeFileSync(join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.22.1 // toolchain pinned\n');
      clearModuleCache();
      expect(findModule(dir)?.version).toEqual({ major: 1, minor: 22 });
    } finally {
      clearModuleCache();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('imports', () => {
  const add = (src: string, paths: string[]) => {
    const tree = parseGo(src);
    const e = new Imports(tree.rootNode, src).addEdit(paths);
    return e ? src.slice(0, e.start) + e.text + src.slice(e.end) : src;
  };
  it('adds into the std run of a grouped block at its sorted position', () => {
    expect(add('package p\n\nimport (\n\t"fmt"\n\t"os"\n\n\t"example.com/x"\n)\n', ['context', 'net/http'])).toBe(
      'package p\n\nimport (\n\t"context"\n\t"fmt"\n\t"net/http"\n\t"os"\n\n\t"example.com/x"\n)\n',
    );
  });
  it('converts a single import to a group, and adds after the package clause when none', () => {
    expect(add('package p\n\nimport "fmt"\n', ['time'])).toBe('package p\n\nimport (\n\t"fmt"\n\t"time"\n)\n');
    expect(add('package p\n\nfunc f() {}\n', ['time'])).toBe('package p\n\nimport "time"\n\nfunc f() {}\n');
  });
  it('keeps CRLF and does nothing when already imported', () => {
    expect(add('package p\r\n\r\nimport (\r\n\t"fmt"\r\n)\r\n', ['context'])).toBe(
      'package p\r\n\r\nimport (\r\n\t"context"\r\n\t"fmt"\r\n)\r\n',
    );
    expect(add('package p\n\nimport t "time"\n', ['time'])).toBe('package p\n\nimport t "time"\n');
  });
  // Issue 16: a grouped or moved import "C" loses its preamble and cgo fails to build.
  it('never groups or moves import "C": a new declaration after it', () => {
    const pre = 'package p\n\n// #include <stdlib.h>\nimport "C"\n';
    expect(add(pre, ['time'])).toBe(pre.replace('import "C"\n', 'import "C"\n\nimport "time"\n'));
    expect(add(pre, ['context', 'time'])).toBe(pre.replace('import "C"\n', 'import "C"\n\nimport (\n\t"context"\n\t"time"\n)\n'));
    expect(add(pre + '\nimport "fmt"\n', ['time'])).toBe(pre + '\nimport (\n\t"fmt"\n\t"time"\n)\n');
    const grouped = 'package p\n\nimport (\n\t"C"\n\t"fmt"\n)\n';
    expect(add(grouped, ['time'])).toBe(grouped + '\nimport "time"\n');
  });
  it('orders by path then name as gofmt does: "time" before . "time" and _ "time"', () => {
    expect(add('package p\n\nimport (\n\t"os"\n\t. "time"\n)\n', ['time'])).toBe('package p\n\nimport (\n\t"os"\n\t"time"\n\t. "time"\n)\n');
    expect(add('package p\n\nimport (\n\t_ "embed"\n\t"os"\n)\n', ['fmt'])).toBe('package p\n\nimport (\n\t_ "embed"\n\t"fmt"\n\t"os"\n)\n');
    // An unsorted run (gofmt would reorder it): right after the last entry sorting before.
    expect(add('package p\n\nimport (\n\t"os"\n\t"fmt"\n\t"bytes"\n)\n', ['io'])).toBe('package p\n\nimport (\n\t"os"\n\t"fmt"\n\t"bytes"\n\t"io"\n)\n');
    expect(add('package p\n\nimport (\n\t"os"\n\t"fmt"\n)\n', ['errors'])).toBe('package p\n\nimport (\n\t"errors"\n\t"os"\n\t"fmt"\n)\n');
  });
});

describe('freshName scope', () => {
  it('ignores names used only in sibling closures, avoids later references in the region', () => {
    const tree = parseGo(`package p
func f() {
	go func() { cancel := 1; _ = cancel }()
	x := 1
	_ = x
}
func g() {
	x := 1
	_ = x
	use(cancel)
}
`);
    const sem = new Semantics(tree.rootNode, new Imports(tree.rootNode, tree.rootNode.text));
    const xs = descendants(tree.rootNode, 'short_var_declaration').filter((d) => d.text === 'x := 1');
    expect(sem.freshName('cancel', xs[0])).toBe('cancel');
    expect(sem.freshName('cancel', xs[1])).toBe('cancel2');
  });
});

describe('deep expressions', () => {
  it('survives a 20,000-term concatenation (generated data) and still resolves its operands', () => {
    const terms = Array.from({ length: 20000 }, (_, i) => (i % 1000 === 0 ? 'x' : '"ab"')).join(' +\n\t');
    const { sem, id } = analyze(`package p\n\nconst x = "s"\n\nvar data = ${terms}\n`);
    const decl = sem.declaredAt(id('x', 0))!;
    expect(decl.kind).toBe('const');
    expect(decl.refs.length).toBe(20);
    expect(sem.resolve(id('x', 20))).toBe(decl);
  });
});

describe('lazy declarations', () => {
  // Scopes inside each top-level declaration are built on first need; every answer must
  // equal the one of a Semantics whose declarations were all visited up front.
  const src = `package p

import "net/http"

var client = &http.Client{}

var counter int

func a() {
	counter++
	x := 1
	_ = x
}

type T struct{ c *http.Client }

func (t *T) b(x int) {
	go func() { counter = x }()
	for i := 0; i < 3; i++ {
		_ = client
	}
}

const k = 2

func c() int {
	y := counter + k
	return y
}
`;
  const eager = () => {
    const { sem, id, tree } = analyze(src);
    sem.ensureAll();
    return { sem, id, tree };
  };
  const at = (ns: { startIndex: number }[]) => ns.map((n) => n.startIndex);

  it('answers a query inside a declaration not visited yet, visiting only that one', () => {
    const { sem, id } = analyze(src);
    const x = sem.declaredAt(id('x', 2))!; // the parameter x of b
    expect(x.kind).toBe('param');
    expect(sem.resolve(id('x', 3))).toBe(x);
    expect(at(x.refs)).toEqual([id('x', 3).startIndex]);
    expect(sem.scopeAt(id('i', 1)).kind).toBe('for');
    expect(sem.lookup('y', id('counter', 3))).toBeNull(); // y is visible only after its declaration
    // c was not visited by the queries above: its local y resolves on demand.
    const y = sem.declaredAt(id('y', 0))!;
    expect(y.kind).toBe('var');
    expect(sem.resolve(id('y', 1))).toBe(y);
    expect(sem.typeOf(sem.resolve(id('client', 1))!)).toMatchObject({ pkgPath: 'net/http', name: 'Client', pointer: 1 });
  });

  it('refs of a package-level binding are complete (document order) after out-of-order visits', () => {
    const ref = eager();
    const { sem, id } = analyze(src);
    // Visit c, then b, before anything reads the refs of counter (declared in a, b, c).
    expect(sem.resolve(id('counter', 3))!.kind).toBe('var');
    expect(sem.resolve(id('counter', 2))!.kind).toBe('var');
    const counter = sem.declaredAt(id('counter', 0))!;
    const want = ref.sem.declaredAt(ref.id('counter', 0))!;
    expect(at(counter.refs)).toEqual(at(want.refs));
    expect(counter.refs.length).toBe(3);
    expect(at(sem.declaredAt(id('client', 0))!.refs)).toEqual([id('client', 1).startIndex]);
  });

  it('allBindings and the file scope children are complete and in document order', () => {
    const ref = eager();
    const { sem, id } = analyze(src);
    sem.declaredAt(id('y', 0));
    sem.declaredAt(id('i', 0));
    const key = (bs: { name: string; id: { startIndex: number } }[]) => bs.map((b) => `${b.name}@${b.id.startIndex}`);
    expect(key(sem.allBindings)).toEqual(key(ref.sem.allBindings));
    expect(sem.allBindings.map((b) => b.name)).toEqual(['http', 'client', 'counter', 'a', 'T', 'k', 'c', 'x', 't', 'x', 'i', 'y']);
    expect(at(sem.fileScope.children.map((s) => s.node))).toEqual(at(ref.sem.fileScope.children.map((s) => s.node)));
  });

  it('a declaration whose visit overflows the stack leaves every later query throwing (no partial answers)', () => {
    const deep = `package p\n\nfunc f() int {\n\tx := 1\n\treturn ${'('.repeat(40000)}x${')'.repeat(40000)}\n}\n\nfunc g() { y := 2; _ = y }\n`;
    const { sem, id } = analyze(deep);
    expect(() => sem.resolve(id('x', 1))).toThrow(/call stack/);
    expect(() => sem.declaredAt(id('y', 0))).toThrow(/call stack/);
    expect(() => sem.allBindings).toThrow(/call stack/);
  });

  it('bindingsWithin visits only the declarations it overlaps and keeps allBindings order', () => {
    const { sem, id, tree } = analyze(src);
    const decls = tree.rootNode.namedChildren.filter((d) => d!.type === 'method_declaration');
    const within = sem.bindingsWithin(decls[0]!);
    expect(within.map((b) => b.name)).toEqual(['t', 'x', 'i']);
    expect(sem.resolve(id('i', 1))).toBe(within[2]);
  });
});

describe('node wrappers held by the semantics layer', () => {
  // web-tree-sitter caches a node's child array on its wrapper for the wrapper's life, so a
  // wrapper kept by a scope, a binding or the per-tree index kept every wrapper built
  // below it (most of a worker's heap on big files). named()/children() drop that cache.
  const cached = (n: Node) => {
    const c = n as unknown as { _children?: unknown; _namedChildren?: unknown };
    return !!(c._children || c._namedChildren);
  };

  it('web-tree-sitter still caches child arrays in the fields named() and children() clear', () => {
    const tree = parseGo('package p\n\nfunc f() { g() }\n');
    const root = tree.rootNode;
    void root.namedChildren;
    void root.children;
    // If a release renames these fields, the clearing silently stops working: fail here.
    expect(Object.keys(root)).toEqual(expect.arrayContaining(['_children', '_namedChildren']));
    expect(cached(root)).toBe(true);
    expect(named(root).map((n) => n.type)).toEqual(['package_clause', 'function_declaration']);
    expect(children(root).length).toBe(2);
    expect(cached(root)).toBe(false);
    tree.delete();
  });

  it('no scope, binding, reference or indexed node holds a child cache after a whole-file analysis', () => {
    const src = readFileSync('/usr/share/go-1.19/src/net/http/transport.go', 'utf8');
    const tree = parseGo(src);
    const root = tree.rootNode;
    const sem = new Semantics(root, new Imports(root, src));
    const held: Node[] = [root, ...descendants(root, indexedNodeTypes().slice())];
    for (const b of sem.allBindings) {
      held.push(b.id, b.decl, ...b.refs);
      if (b.typeNode) held.push(b.typeNode);
      if (b.value) held.push(b.value);
    }
    const scopes = [sem.fileScope];
    for (let s = scopes.pop(); s; s = scopes.pop()) {
      held.push(s.node);
      scopes.push(...s.children);
    }
    expect(sem.allBindings.length).toBeGreaterThan(400);
    expect(held.filter(cached).map((n) => `${n.type}@${n.startIndex}`)).toEqual([]);
    tree.delete();
  });
});
