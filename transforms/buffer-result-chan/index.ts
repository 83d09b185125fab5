// buffer-result-chan: "start a worker, wait with a timeout" leaks the worker when the
// parent stops listening before the worker's one send (docs/pitfalls.md#send-leak). When the
// channel is local, unbuffered and gets at most N sends from N goroutine literals,
// `make(chan T, N)` lets every send complete whether or not anyone is still there.
// The analysis lives in src/go/chanflow.ts, shared with select-ctx-done, which stays
// quiet on the sends this rule fixes.
import { bufferVerdict } from '../../src/go/chanflow.js';
import { field, named } from '../../src/go/syntax.js';
import type { Binding } from '../../src/go/scope.js';
import type { Rule } from '../../src/rules/api.js';
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
    // A channel binding is a local whose value is make(chan ...): only the top-level
    // declarations whose text holds both words can declare one (the rest are not visited).
    for (const d of named(ctx.root)) {
      const text = ctx.source.slice(d.startIndex, d.endIndex);
      if (!text.includes('make') || !text.includes('chan')) continue;
      for (const b of sem.bindingsWithin(d)) scan(b);
    }
    function scan(b: Binding): void {
      if (b.kind !== 'var' || !b.value) return;
      const v = bufferVerdict(sem, b);
      if (!v) return;
      const make = v.facts.make;
      const args = named(field(make, 'arguments')!).filter((c) => c.type !== 'comment');
      const what = `goroutine leak: ${v.leak}`;
      if (v.size === null) {
        ctx.report({ node: make, message: what, noFix: v.noFix });
        return;
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
