// The text checks PackageInfo and siblingVarType run before parsing a sibling: each must
// be a necessary condition (a file it rejects cannot declare the name), or a rule would
// miss a declaration and decide differently.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Imports } from '../src/go/imports.js';
import { mayDeclareFunc, mayDeclareType, mayDeclareVar, PackageInfo, type PackageFile } from '../src/go/package.js';
import { Semantics } from '../src/go/scope.js';
import { descendants, tokensNamed } from '../src/go/syntax.js';
import { initParser, parseGo } from '../src/parser/parser.js';

beforeAll(initParser);

describe('sibling prefilters', () => {
  it('admit declarations written with comments, groups, generics across lines and receivers', () => {
    expect(mayDeclareType('package p\ntype /* c */ Server struct{}', 'Server')).toBe(true);
    expect(mayDeclareType('package p\ntype (\n\t// doc\n\tA int\n\tServer[\n\t\tT any,\n\t] struct{ t T }\n)', 'Server')).toBe(true);
    expect(mayDeclareType('package p\ntype (A int; Server struct{})', 'Server')).toBe(true);
    expect(mayDeclareType('package p\ntype // c\nServer struct{}', 'Server')).toBe(true);
    expect(mayDeclareFunc('package p\nfunc (s *T[K]) /* c */ Serve() {}', 'Serve')).toBe(true);
    expect(mayDeclareFunc('package p\nfunc Map[\n\tK comparable,\n](k K) {}', 'Map')).toBe(true);
    expect(mayDeclareVar('package p\nvar a, /* c */ client = 1, 2', 'client')).toBe(true);
    expect(mayDeclareVar('package p\nvar (\n\t// doc\n\tclient *http.Client\n)', 'client')).toBe(true);
    expect(mayDeclareVar('package p\nvar (x = 1; client = 2)', 'client')).toBe(true);
  });

  it('reject files that only use the name', () => {
    const src = 'package p\nfunc f() {\n\tx := NewServer(cfg)\n\ts := &Server{}\n\tserverOnce.Do(g)\n\tuse(serverOnce)\n\tgo Serve(s)\n}\n';
    expect(mayDeclareType(src, 'Server')).toBe(false);
    expect(mayDeclareVar(src, 'serverOnce')).toBe(false);
    expect(mayDeclareFunc(src, 'Serve')).toBe(false);
    // A longer identifier or a comment is not the name.
    expect(mayDeclareType('package p\ntype ServerConfig struct{}', 'Server')).toBe(false);
    // Pathological comments stay linear (no exponential backtracking).
    const slashes = `package p\n// ${'a // '.repeat(5000)}\nfunc f() { use(x.Server) }\n`;
    expect(mayDeclareType(slashes, 'Server')).toBe(false);
  });

  it('admit every top-level declaration of a standard library sample', () => {
    let checked = 0;
    for (const dir of ['sync', 'context', 'net/http/httptest', 'go/types']) {
      const abs = join('/usr/share/go-1.19/src', dir);
      let names: string[] = [];
      try {
        names = readdirSync(abs).filter((n) => n.endsWith('.go'));
      } catch {
        continue; // no Go installation here
      }
      for (const n of names) {
        const src = readFileSync(join(abs, n), 'utf8');
        const tree = parseGo(src);
        const sem = new Semantics(tree.rootNode, new Imports(tree.rootNode, src));
        for (const [name, list] of sem.fileScope.bindings) {
          for (const b of list) {
            const ok = b.kind === 'type' ? mayDeclareType(src, name) : b.kind === 'func' ? mayDeclareFunc(src, name) : b.kind === 'var' ? mayDeclareVar(src, name) : true;
            if (!ok) throw new Error(`${dir}/${n}: ${b.kind} ${name} rejected`);
            checked++;
          }
        }
        tree.delete();
      }
    }
    expect(checked).toBeGreaterThanOrEqual(0);
  });

  it('structFields and funcs still find declarations in siblings', () => {
    const files: PackageFile[] = [];
    const add = (source: string, current: boolean) => {
      const tree = parseGo(source);
      const imports = new Imports(tree.rootNode, source);
      files.push({ absPath: `/p/f${files.length}.go`, source, root: tree.rootNode, imports, sem: new Semantics(tree.rootNode, imports), current });
    };
    add('package p\nfunc f(s *Server) { s.c.Do(nil); s.Run() }\n', true);
    add('package p\nfunc g() { _ = Server{} }\n', false);
    add('package p\nimport "net/http"\ntype (\n\t// Server serves.\n\tServer struct {\n\t\tc *http.Client\n\t}\n)\nfunc (s *Server) /* run */ Run() {}\n', false);
    const pkg = new PackageInfo(files);
    expect(pkg.fieldType('Server', 'c')).toMatchObject({ pkgPath: 'net/http', name: 'Client', pointer: 1 });
    expect(pkg.funcs('Run').map((f) => f.recvType)).toEqual(['Server']);
  });
});

describe('tokensNamed', () => {
  it.skipIf(!existsSync('/usr/share/go-1.19/src/net/http/server.go'))('finds exactly the tokens descendants() finds, filtered by text', () => {
    const src = readFileSync('/usr/share/go-1.19/src/net/http/server.go', 'utf8');
    const tree = parseGo(src);
    for (const [name, type] of [
      ['srv', 'identifier'],
      ['Serve', 'field_identifier'],
      ['w', 'identifier'],
      ['Handler', 'field_identifier'],
      ['é', 'identifier'],
    ] as const) {
      const want = descendants(tree.rootNode, type).filter((n) => n.text === name);
      expect(tokensNamed(tree.rootNode, src, name, type).map((n) => n.startIndex)).toEqual(want.map((n) => n.startIndex));
    }
    const small = 'package p\n// run is run\nfunc run() { xrun := "run"; run(); s.run(xrun) }\n';
    const t2 = parseGo(small);
    expect(tokensNamed(t2.rootNode, small, 'run', 'identifier').map((n) => n.startIndex)).toEqual([small.indexOf('run()'), small.indexOf('run();')]);
    tree.delete();
    t2.delete();
  });
});
