// The lexical prefilter checks (src/go/lexical.ts) must be necessary conditions: a file
// with what the rule looks for always passes (a func literal that can escape a loop body, a
// send statement, a two-value assignment of a call). Cases for what the scanner skips
// (comments, strings, raw strings, runes) and what makes it give up (admit the file).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeWords, escapingFuncInLoop, funcBodies, funcInLoop, keptRanges, sendArrow, twoValueCall } from '../src/go/lexical.js';
import { initParser, parseGo } from '../src/parser/parser.js';
import { passesPrefilter } from '../src/engine/prefilter.js';
import { findRule } from '../transforms/index.js';

const pkg = (body: string) => `package p\n\n${body}\n`;

describe('funcInLoop', () => {
  it('admits a func literal in a loop body, however deep', () => {
    expect(funcInLoop(pkg('func f(xs []int) {\n\tfor _, x := range xs {\n\t\tgo func() { use(x) }()\n\t}\n}'))).toBe(true);
    expect(funcInLoop(pkg('func f() {\n\tfor {\n\t\tif a {\n\t\t\tdefer func() {}()\n\t\t}\n\t}\n}'))).toBe(true);
    // A composite literal in the header does not end the region.
    expect(funcInLoop(pkg('func f() {\n\tfor _, v := range []int{1, 2} {\n\t\tfs = append(fs, func() int { return v })\n\t}\n}'))).toBe(true);
    // The literal inside a func literal inside the loop.
    expect(funcInLoop(pkg('func f() {\n\tfor i := 0; i < 3; i++ {\n\t\tg(func() {\n\t\t\th(func() { _ = i })\n\t\t})\n\t}\n}'))).toBe(true);
  });

  it('skips files whose only closures are outside loops', () => {
    expect(funcInLoop(pkg('func f() {\n\tfor i := 0; i < 3; i++ {\n\t}\n}\n\nfunc g() {\n\th(func() {})\n}'))).toBe(false);
    expect(funcInLoop(pkg('func f() {\n\th(func() {})\n\tfor {\n\t}\n}'))).toBe(false);
    // The loop's block closed before the literal.
    expect(funcInLoop(pkg('func f() {\n\tif a {\n\t\tfor {\n\t\t}\n\t}\n\th(func() {})\n}'))).toBe(false);
  });

  it('ignores for and func in comments and literals, and braces in them', () => {
    expect(funcInLoop(pkg('func f() {\n\t// for x { func() }\n\t/* for { func */\n\ts := "for { func"\n\tr := `for\n{ func`\n\th(func() {})\n}'))).toBe(false);
    expect(funcInLoop(pkg("func f() {\n\tfor {\n\t\tc := '}'\n\t\t_ = \"}\\\"}\"\n\t\tgo func() {}()\n\t}\n}"))).toBe(true);
    expect(funcInLoop(pkg('func f() {\n\tformat := 1\n\tfuncs := 2\n\th(func() {})\n}'))).toBe(false);
  });

  it('admits what it cannot scan: unbalanced braces, unterminated comments or raw strings', () => {
    expect(funcInLoop(pkg('func f() {\n\tfor {\n}'))).toBe(true);
    expect(funcInLoop(pkg('func f() {\n}\n}'))).toBe(true);
    expect(funcInLoop(pkg('func f() {\n\t/* for {'))).toBe(true);
    expect(funcInLoop(pkg('func f() {\n\ts := `for {'))).toBe(true);
  });

  it("is part of capture-loop-var's prefilter", () => {
    const meta = findRule('capture-loop-var')!.meta;
    expect(passesPrefilter(meta, pkg('func f() {\n\tfor {\n\t}\n}\n\nfunc g() {\n\th(func() {})\n}'))).toBe(false);
    expect(passesPrefilter(meta, pkg('func f() {\n\tfor {\n\t\tgo func() {}()\n\t}\n}'))).toBe(true);
  });
});

describe('codeWords', () => {
  const bg = codeWords('Background', 'TODO');
  it('finds the words as tokens of the code only', () => {
    expect(bg.test(pkg('// TODO(rsc): later\nvar s = "TODO(x)"\nvar r = `Background()`'))).toBe(false);
    expect(bg.test(pkg('var x = TODOs + myBackground'))).toBe(false);
    expect(bg.test(pkg('var ctx = context.TODO()'))).toBe(true);
    expect(bg.test(pkg('var ctx = context.Background /* c */ ()'))).toBe(true);
    expect(bg.test(pkg('/* unterminated'))).toBe(true);
  });
  it("is part of propagate-ctx's prefilter", () => {
    const meta = findRule('propagate-ctx')!.meta;
    expect(passesPrefilter(meta, pkg('import "context"\n\n// TODO(x): use ctx\nfunc f(ctx context.Context) {}'))).toBe(false);
    expect(passesPrefilter(meta, pkg('import "context"\n\nfunc f(ctx context.Context) { g(context.TODO()) }'))).toBe(true);
  });
});

describe('escapingFuncInLoop', () => {
  const fn = (body: string) => pkg(`func f(xs []int, ch chan func(), m map[int]func()) {\n${body}\n}`);
  it('admits every way a closure can outlive an iteration', () => {
    for (const body of [
      'for _, x := range xs {\n\tgo func() { use(x) }()\n}',
      'for _, x := range xs {\n\tdefer func() { use(x) }()\n}',
      'for _, x := range xs {\n\tgo run(func() { use(x) })\n}',
      'for _, x := range xs {\n\tg.Go(func() error { return use(x) })\n}',
      'for _, x := range xs {\n\tg.TryGo(func() error { return use(x) })\n}',
      'for _, x := range xs {\n\tt.Run("n", func(t *testing.T) {\n\t\tt.Parallel()\n\t\tuse(x)\n\t})\n}',
      'for _, x := range xs {\n\tfns = append(fns, func() { use(x) })\n}',
      'for _, x := range xs {\n\tm[x] = func() { use(x) }\n}',
      'for _, x := range xs {\n\tch <- func() { use(x) }\n}',
      // The statement continues over lines inside brackets.
      'for _, x := range xs {\n\ths[x] = handler{\n\t\tname: "a",\n\t\tfn: func() { use(x) },\n\t}\n}',
      'for _, x := range xs {\n\tfns = append(fns,\n\t\tfunc() { use(x) })\n}',
      'for _, x := range xs {\n\tgo run(a,\n\t\tfunc() { use(x) })\n}',
      // A goroutine started inside a callback inside the loop.
      'for _, x := range xs {\n\tonce(func() {\n\t\tgo func() { use(x) }()\n\t})\n}',
      // A 3-clause loop; the closure stored by a plain assignment.
      'for i := 0; i < 3; i++ {\n\tlast = func() { use(i) }\n}',
    ]) {
      expect(escapingFuncInLoop(fn(body)), body).toBe(true);
    }
  });

  it('skips loops whose closures are only called or passed along', () => {
    for (const body of [
      'for _, x := range xs {\n\tsort.Slice(xs, func(i, j int) bool { return xs[i] < x })\n}',
      'for _, x := range xs {\n\tcb := func() { use(x) }\n\tcb()\n}',
      // An escape word in an earlier statement of the loop, not the closure's.
      'for _, x := range xs {\n\tn = 1\n\tgo work()\n\tdefer unlock()\n\teach(func() { use(x) })\n}',
      // The go statement after the loop.
      'for _, x := range xs {\n\tuse(x)\n}\ngo func() {}()',
      // Stored? No: an argument of another call (a conversion looks the same) is not stored.
      'for _, x := range xs {\n\terr = walk(a,\n\t\tfunc() { use(x) })\n}',
      'for _, x := range xs {\n\th = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { use(x) })\n}',
      // t.Run in a file that never calls Parallel.
      'for _, x := range xs {\n\tt.Run("n", func(t *testing.T) { use(x) })\n}',
      // Escape words inside comments and strings.
      'for _, x := range xs {\n\t// go defer =\n\ts := "go = <-"\n\teach(func() { use(x, s) })\n}',
    ]) {
      expect(escapingFuncInLoop(fn(body)), body).toBe(false);
    }
  });

  it('admits what it cannot scan', () => {
    expect(escapingFuncInLoop(fn('for {\n\teach(func() {})\n'))).toBe(true);
    expect(escapingFuncInLoop(fn('for {\n\ts := `go'))).toBe(true);
  });

  it("is part of capture-loop-var's prefilter", () => {
    const meta = findRule('capture-loop-var')!.meta;
    expect(passesPrefilter(meta, fn('for _, x := range xs {\n\tsort.Slice(xs, func(i, j int) bool { return x > 0 })\n}'))).toBe(false);
    expect(passesPrefilter(meta, fn('for _, x := range xs {\n\tgo func() { use(x) }()\n}'))).toBe(true);
  });
});

describe('sendArrow', () => {
  it('finds send statements', () => {
    for (const code of ['ch <- v', 's.out <- v', 'chans[i] <- v', 'get() <- v', 'select {\ncase out <- x:\n}', 'ch <- <-in']) {
      expect(sendArrow(pkg(`func f() {\n\t${code}\n}`)), code).toBe(true);
    }
  });
  it('skips receives, channel types, comments and strings', () => {
    for (const code of [
      'v := <-ch',
      '<-done',
      'select {\ncase <-ctx.Done():\n}',
      'x = f(<-ch)',
      'return <-ch',
      'var c chan<- int',
      'var c <-chan int',
      '// ch <- v',
      's := "ch <- v"',
    ]) {
      expect(sendArrow(pkg(`func f() {\n\t${code}\n}`)), code).toBe(false);
    }
    expect(sendArrow(pkg('func f() <-chan int { return nil }'))).toBe(false);
  });
  it("is part of select-ctx-done's prefilter", () => {
    const meta = findRule('select-ctx-done')!.meta;
    expect(passesPrefilter(meta, pkg('func f(ch chan int) int { return <-ch }'))).toBe(false);
    expect(passesPrefilter(meta, pkg('func f(ch chan int) { go func() { ch <- 1 }() }'))).toBe(true);
  });
});

describe('twoValueCall', () => {
  const names = new Set(['Get', 'Do']);
  it('finds a call assigned to two operands', () => {
    for (const code of [
      'resp, err := http.Get(u)',
      'resp, err = c.Do(req)',
      'if resp, err := http.Get(u); err != nil {\n}',
      'resp, err := (&http.Client{\n\tTimeout: d,\n}).Do(req)',
      'resp, err := (c.Do)(req)',
      'resp,\n\terr := c.Do(req)',
    ]) {
      expect(twoValueCall(pkg(`func f() {\n\t${code}\n}`), names), code).toBe(true);
    }
  });
  it('skips one-value uses and commas of other statements', () => {
    for (const code of ['v := h.Get(k)', 'f(a, b.Get(k))', 'a, b := 1, 2\n\tv := h.Get(k)', 'v := h.Get(k)\n\ta, b := 1, 2', '// a, b := h.Get(k)']) {
      expect(twoValueCall(pkg(`func f() {\n\t${code}\n}`), names), code).toBe(false);
    }
  });
  it("is part of close-resp-body's prefilter", () => {
    const meta = findRule('close-resp-body')!.meta;
    expect(passesPrefilter(meta, pkg('func f(h http.Header) string { return h.Get("a") }'))).toBe(false);
    expect(passesPrefilter(meta, pkg('func f(u string) { resp, _ := http.Get(u); _ = resp }'))).toBe(true);
  });
});

describe('keptRanges', () => {
  const text = (src: string, ranges: { startIndex: number; endIndex: number }[] | null) => (ranges ?? [{ startIndex: 0, endIndex: src.length }]).map((r) => src.slice(r.startIndex, r.endIndex)).join('');

  it('leaves out the bodies that do not mention a word, and nothing else', () => {
    const src = pkg('type T struct {\n\tev chan int\n}\n\nfunc (t *T) a() {\n\tt.ev <- 1\n}\n\nfunc b() int {\n\tx := "ev"\n\treturn len(x) // ev\n}\n\nfunc c() { return }');
    const kept = text(src, keptRanges(src, ['ev']));
    expect(kept).toContain('t.ev <- 1');
    // b mentions ev only in a literal and a comment: still a mention (as mentions() counts it).
    expect(kept).toContain('return len(x)');
    expect(kept).toContain('func c() {}');
    expect(kept).toContain('type T struct {\n\tev chan int\n}');
    expect(text(src, keptRanges(src, ['nothing']))).toBe(pkg('type T struct {\n\tev chan int\n}\n\nfunc (t *T) a() {}\n\nfunc b() int {}\n\nfunc c() {}'));
    // A word inside a longer one is no mention.
    expect(text(src, keptRanges(src, ['e']))).not.toContain('t.ev');
    // Every body mentions it: nothing to leave out.
    expect(keptRanges(src, ['return', 'ev'])).toBeNull();
  });

  it('passes over what is not a body: result types with braces, declarations without one', () => {
    const src = pkg('func f() struct{ a int } {\n\treturn struct{ a int }{}\n}\n\nfunc g() interface{ M() } { return nil }\n\nfunc asm(x int)\n\nfunc h() {\n\tuse()\n}');
    expect(funcBodies(src)!.map((b) => src.slice(b.open, b.close + 1))).toEqual(['{\n\tuse()\n}']);
    expect(funcBodies(pkg('func f() {\n\t/* never closed\n}'))).toBeNull();
    expect(keptRanges(pkg('func f() {'), [])).toBeNull();
  });

  it.skipIf(!existsSync('/usr/share/go-1.19/src/net/http/server.go'))('parses to the same top-level declarations and the same tokens of the word (stdlib sample)', async () => {
    await initParser();
    const dirs = ['net/http', 'runtime', 'go/types', 'encoding/json', 'sync'];
    let checked = 0;
    for (const d of dirs) {
      const dir = join('/usr/share/go-1.19/src', d);
      for (const n of readdirSync(dir).filter((x) => x.endsWith('.go')).sort().slice(0, 12)) {
        const src = readFileSync(join(dir, n), 'utf8');
        const words = [...new Set(src.match(/\b(?:mu|err|ctx|done|close|len|t|s)\b/g) ?? [])].slice(0, 3);
        for (const w of words) {
          const a = parseGo(src);
          const b = parseGo(src, keptRanges(src, [w]) ?? undefined);
          try {
            const decls = (t: typeof a) => t.rootNode.namedChildren.map((c) => `${c!.type}@${c!.startIndex}`);
            expect(decls(b), `${d}/${n} ${w}`).toEqual(decls(a));
            if (!a.rootNode.hasError) expect(b.rootNode.hasError, `${d}/${n} ${w}`).toBe(false);
            const toks = (t: typeof a) =>
              t.rootNode
                .descendantsOfType(['identifier', 'field_identifier', 'type_identifier'])
                .filter((x) => x!.text === w)
                .map((x) => `${x!.type}@${x!.startIndex}:${x!.startPosition.row}:${x!.parent!.type}`);
            expect(toks(b), `${d}/${n} ${w}`).toEqual(toks(a));
            checked++;
          } finally {
            a.delete();
            b.delete();
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
