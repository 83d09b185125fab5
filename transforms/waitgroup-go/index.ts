// waitgroup-go: on Go 1.25+, `wg.Add(1); go func() { defer wg.Done(); ... }()` becomes
// `wg.Go(func() { ... })`, which makes the Add/Done pairing impossible to get wrong
// (the modernize `waitgroupgo` fixer). Literal 1 only, a func literal without
// parameters, results or arguments, and a proven sync.WaitGroup.
import type { Node } from 'web-tree-sitter';
import { firstOnLine, removalDisturbsAlignment, removeStatement } from '../../src/go/stmtedit.js';
import { field, indentAt, lineStart, named, ownDescendants, unparen } from '../../src/go/syntax.js';
import {
  isOperandChain,
  isPlainStatement,
  mayGoexit,
  methodCall,
  sameOperand,
  waitGroupKind,
  type MethodCall,
} from '../../src/go/waitgroup.js';
import type { Rule, RuleContext, TextEdit } from '../../src/rules/api.js';
import { codeWords } from '../../src/go/lexical.js';
import { defineRule } from '../../src/rules/define.js';

export const rule: Rule = defineRule({
  meta: {
    id: 'waitgroup-go',
    summary: 'Rewrite wg.Add(1) + go func() { defer wg.Done(); ... }() as wg.Go(func() { ... }) (Go 1.25+)',
    defaultOn: true,
    // Its fixes yield to hoist-wg-add's on overlap (the order fixes have always been preferred in).
    after: ['hoist-wg-add'],
    goVersion: { min: '1.25' },
    triggers: ['.Add('],
    requires: [codeWords('go')],
    docPath: 'transforms/waitgroup-go/README.md',
  },
  run(ctx) {
    for (const list of ctx.root.descendantsOfType('statement_list')) {
      if (!list) continue;
      const stmts = named(list).filter((c) => c.type !== 'comment');
      for (let i = 0; i + 1 < stmts.length; i++) check(ctx, stmts[i], stmts[i + 1]);
    }
  },
});

function check(ctx: RuleContext, addStmt: Node, go: Node): void {
  if (addStmt.type !== 'expression_statement' || go.type !== 'go_statement') return;
  const add = methodCall(addStmt, ['Add']);
  if (!add || add.args.length !== 1 || unparen(add.args[0]).text !== '1') return;
  if (!isOperandChain(add.recv)) return;
  const call = named(go).find((c) => c.type !== 'comment');
  if (!call || call.type !== 'call_expression') return;
  const lit = field(call, 'function');
  if (!lit || lit.type !== 'func_literal') return;
  const args = field(call, 'arguments');
  if (!args || args.namedChildCount !== 0) return;
  const params = field(lit, 'parameters');
  if (!params || params.namedChildCount !== 0 || field(lit, 'result')) return;
  const body = field(lit, 'body');
  if (!body) return;
  const kind = waitGroupKind(ctx, add.recv);
  if (kind !== 'value' && kind !== 'pointer') return;

  const X = add.recv;
  const stmts = bodyStatements(body);
  const isDone = (m: MethodCall | null) => !!m && m.args.length === 0 && sameOperand(ctx.sem, m.recv, X);
  // Every Done of X in the goroutine: exactly one, the one wg.Go takes over.
  const dones = ownDescendants(body, 'call_expression').filter((c) => isDone(methodCall(c, ['Done'])));
  if (dones.length !== 1) return;

  let doneStmt: Node | null = null;
  // 1. defer X.Done() on the top level, after plain statements only.
  for (const s of stmts) {
    if (s.type === 'defer_statement' && isDone(methodCall(s, ['Done']))) {
      doneStmt = s;
      break;
    }
    if (!isPlainStatement(s)) break;
  }
  // 2. X.Done() as the last statement of a body that cannot skip it by returning or
  //    recover from a panic (no defer at all, so no recover can run).
  const last = stmts[stmts.length - 1];
  if (!doneStmt && last && last.type === 'expression_statement' && isDone(methodCall(last, ['Done']))) {
    if (ownDescendants(body, ['defer_statement', 'return_statement', 'goto_statement']).length) return;
    // runtime.Goexit (and t.FailNow, t.Fatal, t.Skip..., testify require / shoenig must
    // assertions, helpers handed the test's t, which may call them) ends the goroutine
    // without reaching the last statement.
    if (ownDescendants(body, 'call_expression').some((c) => mayGoexit(ctx.sem, c))) return;
    doneStmt = last;
  }
  if (!doneStmt) return;

  const src = ctx.source;
  // Comments between the Add and the go statement move above the new call.
  const between = named(addStmt.parent!).filter(
    (c) => c.type === 'comment' && c.startIndex >= addStmt.endIndex && c.endIndex <= go.startIndex,
  );
  const xText = X.text;
  const edits: TextEdit[] = [];
  if (between.length) {
    if (!firstOnLine(src, addStmt.startIndex)) return;
    const indent = indentAt(src, addStmt.startIndex);
    const start = lineStart(src, addStmt.startIndex);
    const text = between.map((c) => indent + c.text + ctx.eol).join('') + indent + `${xText}.Go(`;
    edits.push({ start, end: lit.startIndex, text });
  } else {
    edits.push({ start: addStmt.startIndex, end: lit.startIndex, text: `${xText}.Go(` });
  }
  edits.push({ start: lit.endIndex, end: call.endIndex, text: ')' });
  const removal = removeStatement(src, doneStmt);
  if (!removal || removalDisturbsAlignment(src, removal)) return;
  edits.push(removal);
  ctx.report({
    node: addStmt,
    message: `${xText}.Add(1) followed by go func() { ${doneStmt.type === 'defer_statement' ? `defer ${xText}.Done(); ...` : `...; ${xText}.Done()`} }() is ${xText}.Go(func() { ... }) since Go 1.25, which cannot get the Add/Done pairing wrong`,
    fix: { description: `Use ${xText}.Go`, edits },
  });
}

function bodyStatements(block: Node): Node[] {
  const list = named(block).find((c) => c.type === 'statement_list');
  return list ? named(list).filter((c) => c.type !== 'comment') : [];
}
