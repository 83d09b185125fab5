// buffer-result-chan: "start a worker, wait with a timeout" leaks the worker when the
// parent stops listening before the worker's one send (docs/pitfalls.md#send-leak). When the
// channel is local, unbuffered and gets at most N sends from N goroutine literals,
// `make(chan T, N)` lets every send complete whether or not anyone is still there.
// The analysis lives in src/go/chanflow.ts, shared with select-ctx-done, which stays
// quiet on the sends this rule fixes.
import { bufferVerdict } from '../../src/go/chanflow.js';
import type { Binding } from '../../src/go/scope.js';
import { descendants, field, fields, named, unparen } from '../../src/go/syntax.js';
import type { Node, Rule, RuleContext } from '../../src/rules/api.js';
import { codeWords, sendStatement } from '../../src/go/lexical.js';
import { defineRule } from '../../src/rules/define.js';

export const rule: Rule = defineRule({
  meta: {
    id: 'buffer-result-chan',
    summary: 'Buffer a local result channel whose goroutine sender leaks when the parent stops listening (timeout, early return)',
    defaultOn: true,
    // Its fixes yield to select-ctx-done's on overlap (the order fixes have always been preferred in).
    after: ['select-ctx-done'],
    // An unbuffered channel made in this file (make(chan T)), a goroutine started in it and
    // a send on the channel (in that goroutine).
    triggers: [/\bmake\s*\(\s*\(*\s*chan\b/],
    requires: [codeWords('go'), sendStatement],
    docPath: 'transforms/buffer-result-chan/README.md',
  },
  run(ctx) {
    const sem = ctx.sem;
    for (const b of madeChannels(ctx)) {
      const v = bufferVerdict(sem, b);
      if (!v) continue;
      const make = v.facts.make;
      const args = named(field(make, 'arguments')!).filter((c) => c.type !== 'comment');
      const what = `goroutine leak: ${v.leak}`;
      if (v.size === null) {
        ctx.report({ node: make, message: what, noFix: v.noFix });
        continue;
      }
      const size = String(v.size);
      const edit =
        args.length === 2
          ? { start: args[1].startIndex, end: args[1].endIndex, text: size }
          : { start: args[0].endIndex, end: args[0].endIndex, text: `, ${size}` };
      ctx.report({
        node: make,
        message: `${what}; buffer ${b.name} (${size}) so every send completes without a receiver`,
        fix: { description: `Buffer ${b.name}: make(${args[0].text}, ${size})`, edits: [edit] },
      });
    }
  },
});

/**
 * The variables declared with a `make(...)` initializer, in declaration order: found from
 * the make calls (the candidates chanFacts accepts), so only the functions holding one
 * need their scopes, not the whole file's bindings.
 */
function madeChannels(ctx: RuleContext): Binding[] {
  const out: Binding[] = [];
  for (const call of descendants(ctx.root, 'call_expression')) {
    const fn = unparen(field(call, 'function')!);
    if (fn.type !== 'identifier' || fn.text !== 'make') continue;
    let decl: Node | null = call.parent;
    while (decl && decl.type !== 'short_var_declaration' && decl.type !== 'var_spec') {
      if (decl.type !== 'parenthesized_expression' && decl.type !== 'expression_list') break;
      decl = decl.parent;
    }
    if (!decl || (decl.type !== 'short_var_declaration' && decl.type !== 'var_spec')) continue;
    const names = decl.type === 'var_spec' ? fields(decl, 'name') : named(field(decl, 'left')!).filter((n) => n.type === 'identifier');
    for (const n of names) {
      const b = ctx.sem.declaredAt(n);
      if (b && b.kind === 'var' && b.value && unparen(b.value).equals(call) && !out.includes(b)) out.push(b);
    }
  }
  return out;
}
