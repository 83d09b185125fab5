// The lexical prefilter check (src/go/lexical.ts) must be a necessary condition: a file
// with a func literal in a loop body always passes. Cases for what the scanner skips
// (comments, strings, raw strings, runes) and what makes it give up (admit the file).
import { describe, expect, it } from 'vitest';
import { codeWords, funcInLoop } from '../src/go/lexical.js';
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
