// hoist-wg-add: `go func() { wg.Add(1); defer wg.Done(); ... }()` races with
// wg.Wait(): Wait may run before the goroutine reaches Add and return early (vet
// `waitgroup`, staticcheck SA2000). Fix: move the Add to just before the go statement.
// Also reported without a fix: `go worker(&wg)` where worker starts with wg.Add on its
// WaitGroup parameter, and a sync.WaitGroup parameter passed by value.
import type { Node } from 'web-tree-sitter';
import {
  firstOnLine,
  insertionDisturbsAlignment,
  lastOnLine,
  leadingComments,
  reindent,
  removalDisturbsAlignment,
  removeStatement,
  trailingComment,
} from '../../src/go/stmtedit.js';
import type { Binding } from '../../src/go/scope.js';
import { children, containingList, contains, descendants, field, fields, indentAt, isSimpleExpr, lineStart, named, ownDescendants, unparen } from '../../src/go/syntax.js';
import {
  isPlainStatement,
  methodCall,
  rootIdent,
  sameOperand,
  waitGroupKind,
  wgKindOf,
  type MethodCall,
} from '../../src/go/waitgroup.js';
import type { Rule, RuleContext, TextEdit } from '../../src/rules/api.js';
import { allOf, codeWords } from '../../src/go/lexical.js';
import { defineRule } from '../../src/rules/define.js';

export const rule: Rule = defineRule({
  meta: {
    id: 'hoist-wg-add',
    summary: 'Move wg.Add out of the goroutine it counts, to just before the go statement',
    defaultOn: true,
    // Its fixes yield to defer-cancel's on overlap (the order fixes have always been preferred in).
    after: ['defer-cancel'],
    // A WaitGroup passed by value (reportByValue) names the type; every other finding is
    // about a go statement of this file and an Add call.
    triggers: ['WaitGroup', allOf('.Add(', codeWords('go'))],
    docPath: 'transforms/hoist-wg-add/README.md',
  },
  run(ctx) {
    for (const go of descendants(ctx.root, 'go_statement')) {
      const call = named(go).find((c) => c.type !== 'comment');
      if (!call || call.type !== 'call_expression') continue;
      const fn = unparen(field(call, 'function')!);
      if (fn.type === 'func_literal') checkLiteral(ctx, go, call, fn);
      else if (fn.type === 'identifier') checkWorker(ctx, go, fn);
    }
    reportByValue(ctx);
  },
});

/** `go func(params) { ... X.Add(n) ... }(args)` */
function checkLiteral(ctx: RuleContext, go: Node, call: Node, lit: Node): void {
  const body = field(lit, 'body');
  if (!body) return;
  const stmts = statements(body);
  // The first X.Add on the body's top level whose receiver is a WaitGroup from outside.
  let addIdx = -1;
  let add: MethodCall | null = null;
  for (let i = 0; i < stmts.length; i++) {
    const m = methodCall(stmts[i], ['Add']);
    if (m && stmts[i].type === 'expression_statement' && m.args.length === 1 && !isNegative(m.args[0]) && waitGroupKind(ctx, m.recv) !== 'other') {
      addIdx = i;
      add = m;
      break;
    }
  }
  if (!add) {
    reportConditionalAdd(ctx, lit, stmts);
    return;
  }
  const stmt = stmts[addIdx];
  const X = add.recv;
  const xText = X.text;
  const params = paramBindings(ctx, lit);
  const root = rootIdent(X);
  const rootB = root ? ctx.sem.resolve(root) : null;
  // A WaitGroup declared inside the goroutine is its own business.
  if (rootB && contains(lit, rootB.id) && !params.has(rootB)) return;

  const kind = waitGroupKind(ctx, X);
  if (rootB && params.has(rootB) && kind === 'value' && unparen(X).type === 'identifier') {
    // go func(wg sync.WaitGroup) { wg.Add(1) }(wg): Add on the goroutine's own copy; reported as by-value.
    return;
  }
  // X.Done(), or X.Add(-1), which is the same.
  const hasDone = ownDescendants(body, 'call_expression').some((c) => {
    const m = methodCall(c, ['Done', 'Add']);
    if (!m || !sameOperand(ctx.sem, m.recv, X)) return false;
    return m.method === 'Done' ? m.args.length === 0 : m.args.length === 1 && isNegative(m.args[0]);
  });
  const race = `${xText}.Add inside the goroutine it accounts for races with ${xText}.Wait: Wait may return before the goroutine runs Add`;

  if (kind === 'unknown') {
    if (hasDone) {
      ctx.report({
        node: add.call,
        message: race,
        noFix: `${xText} looks like a sync.WaitGroup, with Add and Done, but its type could not be proven from the package's declarations; move the Add before the go statement by hand`,
      });
    }
    return;
  }

  // Which goroutine does the Add count? Without a Done here, or with goroutines started
  // after it, the Add may be meant for someone else.
  const laterGo = stmts.slice(addIdx + 1).some((s) => descendants(s, 'go_statement').length > 0);
  if (laterGo) {
    if (addIdx === 0) {
      ctx.report({
        node: add.call,
        message: race,
        noFix: `this goroutine starts other goroutines after the Add, which the Add may be meant to cover`,
      });
    }
    return;
  }

  // Without a Done here, an Add after other statements is not the counted-goroutine
  // shape: e.g. the goroutine Waits on X itself and then Adds for a Done that someone
  // else calls (cli/cli liveshare session_test). Reported, like vet, only when the Add
  // is the goroutine's first statement.
  if (!hasDone && addIdx > 0) return;

  // Rebuild the Add call as it reads before the go statement.
  const args = callArgs(call);
  const rebuilt = rebuild(ctx, add.call, params, lit, args, go);
  if (typeof rebuilt !== 'string') {
    ctx.report({ node: add.call, message: race, noFix: rebuilt.why });
    return;
  }

  // Statements before the Add must always reach it and must not touch X or n.
  const nBindings = new Set<Binding>();
  for (const id of identifiers(add.args[0])) {
    const b = ctx.sem.resolve(id);
    if (b) nBindings.add(b);
  }
  for (const s of stmts.slice(0, addIdx)) {
    const d = methodCall(s, ['Done']);
    if (s.type === 'defer_statement' && d && d.args.length === 0 && sameOperand(ctx.sem, d.recv, X)) continue;
    if (!isPlainStatement(s)) {
      ctx.report({
        node: add.call,
        message: race,
        noFix: `a statement before the Add (${firstLine(s.text)}) may branch, block or return, so hoisting could make a conditional Add unconditional`,
      });
      return;
    }
    const touched = touches(ctx, s, X, rootB, nBindings);
    if (touched) {
      ctx.report({
        node: add.call,
        message: race,
        noFix: `\`${touched}\` is used before the Add inside the goroutine, so the Add cannot be moved above it safely`,
      });
      return;
    }
  }

  if (!hasDone) {
    ctx.report({
      node: add.call,
      message: race,
        noFix: `this goroutine never calls ${xText}.Done(), so it is unclear which goroutine the Add counts`,
    });
    return;
  }

  // Placement: the go statement must start its own line in a statement list.
  if (!containingList(go) || !firstOnLine(ctx.source, go.startIndex)) {
    ctx.report({
      node: add.call,
      message: race,
        noFix: `the go statement ${go.parent?.type === 'labeled_statement' ? 'is labeled' : 'shares its line with other code'}, so there is no line to insert the Add on`,
    });
    return;
  }
  const src = ctx.source;
  const leading = leadingComments(src, stmt);
  const trailing = trailingComment(src, stmt);
  const from = leading.length ? leading[0].startIndex : stmt.startIndex;
  const alone = firstOnLine(src, from) && lastOnLine(src, trailing ? trailing.endIndex : stmt.endIndex);
  const removal = removeStatement(src, stmt, { from: alone ? from : stmt.startIndex, withTrailing: alone });
  if (!removal) {
    ctx.report({ node: add.call, message: race, noFix: "comments share the Add's line in a way the fix cannot keep" });
    return;
  }
  const indent = indentAt(src, go.startIndex);
  const oldIndent = indentAt(src, stmt.startIndex);
  const eol = ctx.eol;
  let text = '';
  if (alone) {
    for (const c of leading) text += indent + reindent(c.text, oldIndent, indent) + eol;
  }
  const stmtText = src.slice(stmt.startIndex, add.call.startIndex) + rebuilt + src.slice(add.call.endIndex, stmt.endIndex);
  text += indent + reindent(stmtText, oldIndent, indent);
  if (alone && trailing) text += ' ' + trailing.text;
  text += eol;
  // Above the go statement's own comments, which stay attached to it.
  const goComments = leadingComments(src, go);
  const at = lineStart(src, goComments.length ? goComments[0].startIndex : go.startIndex);
  if (removalDisturbsAlignment(src, removal) || insertionDisturbsAlignment(src, at, alone && !!trailing)) {
    ctx.report({
      node: add.call,
      message: race,
        noFix: `trailing comments on the neighboring lines would need re-alignment by gofmt after the move`,
    });
    return;
  }
  const edits: TextEdit[] = [{ start: at, end: at, text }, removal];
  ctx.report({
    node: add.call,
    message: race,
    fix: { description: `Move ${firstLine(rebuilt)} before the go statement`, edits },
  });
}

/** Report an Add that is only conditionally run inside a goroutine that Done()s unconditionally. */
function reportConditionalAdd(ctx: RuleContext, lit: Node, stmts: Node[]): void {
  const body = field(lit, 'body')!;
  // A goroutine started here (by go, or by a WaitGroup.Go that waitgroup-go wrote in an
  // earlier pass of the same run) may be what the Add is for.
  if (ownDescendants(body, 'go_statement').length) return;
  if (ownDescendants(body, 'call_expression').some((c) => methodCall(c, ['Go'])?.args[0]?.type === 'func_literal')) return;
  const doneAtTop = stmts.map((s) => methodCall(s, ['Done'])).filter((m): m is MethodCall => !!m && m.args.length === 0);
  if (!doneAtTop.length) return;
  for (const c of ownDescendants(body, 'call_expression')) {
    const m = methodCall(c, ['Add']);
    if (!m || m.args.length !== 1) continue;
    const done = doneAtTop.find((d) => sameOperand(ctx.sem, d.recv, m.recv));
    if (!done) continue;
    const root = rootIdent(m.recv);
    const b = root ? ctx.sem.resolve(root) : null;
    if (b && contains(lit, b.id)) continue;
    const kind = waitGroupKind(ctx, m.recv);
    if (kind !== 'value' && kind !== 'pointer') continue;
    ctx.report({
      node: m.call,
      message: `${m.recv.text}.Add inside the goroutine it accounts for races with ${m.recv.text}.Wait`,
      noFix: 'the Add is conditional, and hoisting it before the go statement would make it unconditional',
    });
    return;
  }
}

/** `go worker(&wg, ...)` where worker, in this package, starts with wg.Add on its *sync.WaitGroup parameter. */
function checkWorker(ctx: RuleContext, go: Node, fn: Node): void {
  // Keep the rule's triggers a necessary condition: this check needs one of them too.
  if (!ctx.source.includes('.Add(') && !ctx.source.includes('WaitGroup')) return;
  const b = ctx.sem.resolve(fn);
  if (b && b.kind !== 'func') return;
  if (!b && ctx.sem.lookup(fn.text, go)) return;
  for (const decl of ctx.package().funcs(fn.text)) {
    if (decl.recvType !== null) continue;
    const body = field(decl.node, 'body');
    if (!body) continue;
    const sem = decl.file.sem;
    for (const s of statements(body)) {
      const m = s.type === 'expression_statement' ? methodCall(s, ['Add']) : null;
      const root = m ? unparen(m.recv) : null;
      const pb = root && root.type === 'identifier' ? sem.resolve(root) : null;
      if (m && m.args.length === 1 && pb && pb.kind === 'param' && pb.typeNode && wgKindOf(sem.typeRef(pb.typeNode)) === 'pointer') {
        ctx.report({
          node: go,
          message:
`${fn.text} calls ${m.recv.text}.Add at its start, inside the goroutine this statement starts: it races with Wait, which may return before the Add runs`,
          noFix: `${fn.text} may have other callers; move the Add out of ${fn.text} to just before the go statement`,
        });
        return;
      }
      if (s.type === 'defer_statement' && methodCall(s, ['Done'])) continue;
      if (!isPlainStatement(s)) break;
    }
  }
}

/** Parameters declared as sync.WaitGroup by value. */
function reportByValue(ctx: RuleContext): void {
  if (!ctx.source.includes('WaitGroup')) return;
  for (const fn of descendants(ctx.root, ['function_declaration', 'method_declaration', 'func_literal'])) {
    const params = field(fn, 'parameters');
    if (!params) continue;
    for (const p of named(params)) {
      if (p.type !== 'parameter_declaration') continue;
      const type = field(p, 'type');
      // Only a type whose text names WaitGroup can be one (spares resolving every parameter's type).
      if (!type || !ctx.source.slice(type.startIndex, type.endIndex).includes('WaitGroup')) continue;
      if (wgKindOf(ctx.sem.typeRef(type)) !== 'value') continue;
      const names = fields(p, 'name').map((n) => n.text);
      const what = names.length ? names.join(', ') : 'this parameter';
      ctx.report({
        node: p,
        message: `${what}: sync.WaitGroup passed by value; Add and Done on the copy never reach the caller's WaitGroup (vet copylocks)`,
        noFix: 'the signature and every call site must change; take *sync.WaitGroup and pass &wg',
      });
    }
  }
}

// ---- helpers ---------------------------------------------------------------

function statements(block: Node): Node[] {
  const list = named(block).find((c) => c.type === 'statement_list');
  return list ? named(list).filter((c) => c.type !== 'comment') : [];
}

function identifiers(node: Node): Node[] {
  return node.type === 'identifier' ? [node] : descendants(node, 'identifier');
}

/**
 * What a statement before the Add does that hoisting would reorder: a use of the Add
 * argument's names, a use of X itself (X.Wait, X passed on), or a write to X's root.
 */
function touches(ctx: RuleContext, s: Node, X: Node, rootB: Binding | null, nBindings: Set<Binding>): string | null {
  for (const id of identifiers(s)) {
    const b = ctx.sem.resolve(id);
    if (!b) continue;
    if (nBindings.has(b)) return id.text;
    if (b !== rootB) continue;
    // The whole X chain used here (other than defer X.Done, handled by the caller).
    let chain: Node = id;
    while (chain.parent && chain.parent.type === 'selector_expression' && field(chain.parent, 'operand')?.equals(chain) && chain.text.length < X.text.length) {
      chain = chain.parent;
    }
    if (sameOperand(ctx.sem, chain, X)) return X.text;
    if (isWritten(id)) return id.text;
  }
  return null;
}

/** Whether identifier `id` itself is assigned, incremented or has its address taken. */
function isWritten(id: Node): boolean {
  let n: Node = id;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'unary_expression' && p.child(0)?.type === '&') return true;
  if (p.type === 'inc_statement' || p.type === 'dec_statement') return true;
  if (p.type === 'expression_list') {
    const stmt = p.parent;
    if (stmt && (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration') && field(stmt, 'left')?.equals(p)) return true;
  }
  return false;
}

/** `-1`, `-n`: a negative delta is a Done, not an Add to hoist. */
function isNegative(n: Node): boolean {
  const e = unparen(n);
  return e.type === 'unary_expression' && e.child(0)?.type === '-';
}

function firstLine(s: string): string {
  const l = s.split('\n')[0];
  return l.length < s.length ? `${l} ...` : l;
}

/** The literal's parameters, in call order, as bindings → position. */
function paramBindings(ctx: RuleContext, lit: Node): Map<Binding, number> {
  const out = new Map<Binding, number>();
  const list = field(lit, 'parameters');
  let i = 0;
  for (const p of list ? named(list) : []) {
    if (p.type === 'variadic_parameter_declaration') {
      for (const n of fields(p, 'name')) {
        const b = ctx.sem.declaredAt(n);
        if (b) out.set(b, -1); // variadic: no single argument to substitute
      }
      i = -Infinity;
      continue;
    }
    if (p.type !== 'parameter_declaration') continue;
    const names = fields(p, 'name');
    if (names.length === 0) i++;
    for (const n of names) {
      const b = ctx.sem.declaredAt(n);
      if (b) out.set(b, i >= 0 ? i : -1);
      i++;
    }
  }
  return out;
}

function callArgs(call: Node): Node[] | null {
  const list = field(call, 'arguments');
  if (!list) return null;
  // f(xs...) spreads a slice: no positional mapping.
  if (children(list).some((c) => c.type === '...')) return null;
  return named(list).filter((c) => c.type !== 'comment');
}

const PRIMARY = new Set([
  'identifier',
  'selector_expression',
  'call_expression',
  'index_expression',
  'parenthesized_expression',
  'int_literal',
  'float_literal',
  'interpreted_string_literal',
  'raw_string_literal',
  'rune_literal',
  'true',
  'false',
  'nil',
]);

/** Whether `n` (the Add argument) is cheap and effect-free to evaluate in the parent: simple, or a conversion of simple. */
function movableExpr(ctx: RuleContext, n: Node): boolean {
  n = unparen(n);
  if (isSimpleExpr(n)) return true;
  if (n.type === 'call_expression') {
    // int(x), int64(len(xs)): conversions to predeclared types.
    const f = field(n, 'function');
    const args = named(field(n, 'arguments')!).filter((a) => a.type !== 'comment');
    if (f && f.type === 'identifier' && !ctx.sem.resolve(f) && /^u?int(8|16|32|64)?$/.test(f.text) && args.length === 1) {
      return movableExpr(ctx, args[0]);
    }
  }
  if (n.type === 'binary_expression') return movableExpr(ctx, field(n, 'left')!) && movableExpr(ctx, field(n, 'right')!);
  return false;
}

/**
 * The text of the Add call as it must read before the go statement: literal parameters
 * replaced by the call's (side-effect free) arguments, every other name visible there.
 */
function rebuild(
  ctx: RuleContext,
  addCall: Node,
  params: Map<Binding, number>,
  lit: Node,
  args: Node[] | null,
  go: Node,
): string | { why: string } {
  const m = methodCall(addCall, ['Add'])!;
  if (!movableExpr(ctx, m.args[0])) {
    return { why: `the Add argument \`${m.args[0].text}\` may have side effects or be costly, and would move from the goroutine to its parent` };
  }
  const edits: TextEdit[] = [];
  for (const id of identifiers(addCall)) {
    const b = ctx.sem.resolve(id);
    if (!b) continue;
    if (params.has(b)) {
      const idx = params.get(b)!;
      const arg = args && idx >= 0 ? args[idx] : undefined;
      if (!arg || (args && args.length !== countParams(lit))) {
        return { why: `\`${id.text}\` is a parameter of the goroutine's function whose argument cannot be matched` };
      }
      if (!isSimpleExpr(arg)) {
        return { why: `\`${id.text}\` is a parameter of the goroutine's function and its argument \`${arg.text}\` may have side effects` };
      }
      const text = substitution(id, unparen(arg));
      if (text === null) {
        return { why: `\`${id.text}\` is a parameter of the goroutine's function and its argument \`${arg.text}\` would need re-formatting in its new place` };
      }
      edits.push({ start: id.startIndex, end: id.endIndex, text });
      continue;
    }
    if (contains(lit, b.id)) {
      return { why: `the Add argument uses \`${id.text}\`, which is declared inside the goroutine` };
    }
    if (ctx.sem.lookup(id.text, go) !== b) {
      return { why: `\`${id.text}\` means something else before the go statement` };
    }
  }
  let text = addCall.text;
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, e.start - addCall.startIndex) + e.text + text.slice(e.end - addCall.startIndex);
  }
  return text;
}

function countParams(lit: Node): number {
  const list = field(lit, 'parameters');
  let n = 0;
  for (const p of list ? named(list) : []) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    n += Math.max(1, fields(p, 'name').length);
  }
  return n;
}

/**
 * The argument text to put where parameter `id` was, or null when it would need
 * parentheses or re-spacing to stay gofmt-clean (gofmt spaces binary operators by
 * context: `f(k+1, 2)` but `f(k + 1)`), which this fix does not attempt.
 */
function substitution(id: Node, arg: Node): string | null {
  const parent = id.parent!;
  const isOperand = parent.type === 'selector_expression' && field(parent, 'operand')?.equals(id);
  let a = arg;
  if (isOperand && a.type === 'unary_expression' && a.child(0)?.type === '&') {
    // (&wg).Add(1) reads as wg.Add(1): the method set of an addressable WaitGroup has Add.
    a = unparen(field(a, 'operand')!);
  }
  if (!PRIMARY.has(a.type) || a.type === 'parenthesized_expression') return null;
  if (a.descendantsOfType('binary_expression').some((n) => n)) return null;
  return a.text;
}
