// Structured path analysis over the syntax tree: from a statement, is there a way
// to leave the enclosing function (or end a loop iteration) without passing a
// statement that "uses" something? This is the question vet's lostcancel asks with
// a control-flow graph; Go's structured statements let us answer it on the tree.
// It errs toward "a path exists" only through constructs it cannot see through
// (goto, labeled break to an outer statement), which callers treat conservatively.
import type { Node } from 'web-tree-sitter';
import { FUNC_TYPES, field, named, statementsOf } from './syntax.js';
import { step } from './meter.js';

interface Flow {
  /** Some path reaches a return / the function's end without a use. */
  leak: boolean;
  /** Some path falls through to the statement after this one without a use. */
  fall: boolean;
}

const USED: Flow = { leak: false, fall: false };
const PASS: Flow = { leak: false, fall: true };

const CASES = new Set(['expression_case', 'type_case', 'default_case', 'communication_case']);
const SWITCHES = new Set(['expression_switch_statement', 'type_switch_statement', 'select_statement']);

/** Calls that never return normally: the path ends without leaking. */
function isNoReturnCall(stmt: Node): boolean {
  if (stmt.type !== 'expression_statement') return false;
  const call = named(stmt)[0];
  if (!call || call.type !== 'call_expression') return false;
  const fn = field(call, 'function');
  if (!fn) return false;
  if (fn.type === 'identifier') return fn.text === 'panic';
  if (fn.type === 'selector_expression') {
    const op = field(fn, 'operand')?.text;
    const name = field(fn, 'field')?.text ?? '';
    return (op === 'os' && name === 'Exit') || (op === 'log' && /^(Fatal|Panic)/.test(name)) || /^(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow)$/.test(name);
  }
  return false;
}

/**
 * The statements after `node` in its list, one at a time: a path usually meets a use within
 * a few of them, and each step costs tree-sitter a search of the list (a function of
 * thousands of statements made listing them all for every cancel quadratic).
 */
function* laterStatements(node: Node): Generator<Node> {
  for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) {
    step();
    if (s.type !== 'comment') yield s;
  }
}

export class PathAnalysis {
  constructor(private readonly uses: (n: Node) => boolean) {}

  /**
   * Whether some path starting right after `stmt` leaves its function, or ends the
   * iteration of a loop that contains it within that function, without a use.
   */
  leaksAfter(stmt: Node): boolean {
    let node = stmt;
    for (;;) {
      const list = node.parent;
      if (!list || list.type !== 'statement_list') return true; // not in a statement list: assume the worst
      const r = this.seq(laterStatements(node), true);
      if (r.leak) return true;
      if (!r.fall) return false;
      // Falls off the end of this list: climb to what follows the enclosing statement.
      const container = list.parent;
      if (!container) return true;
      if (container.type === 'block') {
        const bp = container.parent;
        if (!bp || FUNC_TYPES.has(bp.type)) return true; // end of the function
        if (bp.type === 'for_statement') return true; // the iteration ends: the value is lost
        if (bp.type === 'if_statement') {
          let ifs = bp;
          while (ifs.parent && ifs.parent.type === 'if_statement') ifs = ifs.parent;
          node = ifs;
        } else if (bp.type === 'statement_list') node = container;
        else return true;
      } else if (CASES.has(container.type)) {
        const sw = container.parent;
        if (!sw || !SWITCHES.has(sw.type)) return true;
        node = sw;
      } else return true;
      while (node.parent && node.parent.type === 'labeled_statement') node = node.parent;
    }
  }

  /** Whether control can fall off the end of these statements (false after return, panic, continue, ...). */
  fallsThrough(stmts: Node[]): boolean {
    return this.seq(stmts).fall;
  }

  /** `untilLeak`: stop at the first leak (leaksAfter's answer is then settled; `fall` is not). */
  private seq(stmts: Iterable<Node>, untilLeak = false): Flow {
    let leak = false;
    for (const s of stmts) {
      const r = this.stmt(s);
      leak ||= r.leak;
      if (!r.fall) return { leak, fall: false };
      if (leak && untilLeak) return { leak, fall: true };
    }
    return { leak, fall: true };
  }

  private stmt(s: Node): Flow {
    switch (s.type) {
      case 'return_statement':
        return { leak: !this.uses(s), fall: false };
      case 'block':
        return this.seq(statementsOf(s));
      case 'labeled_statement': {
        const inner = named(s).find((c) => c.type !== 'label_name' && c.type !== 'comment');
        return inner ? this.stmt(inner) : PASS;
      }
      case 'if_statement': {
        if (this.usesIn(field(s, 'initializer')) || this.usesIn(field(s, 'condition'))) return USED;
        const cons = field(s, 'consequence');
        const c = cons ? this.seq(statementsOf(cons)) : PASS;
        const alt = field(s, 'alternative');
        const a = alt ? (alt.type === 'block' ? this.seq(statementsOf(alt)) : this.stmt(alt)) : PASS;
        return { leak: c.leak || a.leak, fall: c.fall || a.fall };
      }
      case 'for_statement': {
        const body = field(s, 'body');
        for (const c of named(s)) if (!body || !c.equals(body)) if (this.uses(c)) return USED;
        const b = body ? this.seq(statementsOf(body)) : PASS;
        // The body may run zero times, and break leaves it.
        return { leak: b.leak, fall: true };
      }
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement': {
        let leak = false;
        let fall = false;
        let hasDefault = false;
        for (const c of named(s)) {
          if (!CASES.has(c.type)) {
            if (c.type !== 'comment' && this.uses(c)) return USED;
            continue;
          }
          if (c.type === 'default_case') hasDefault = true;
          const comm = field(c, 'communication');
          const values = c.childrenForFieldName('value');
          if ((comm && this.uses(comm)) || values.some((v) => v && this.uses(v))) continue;
          const r = this.seq(statementsOf(c));
          leak ||= r.leak;
          fall ||= r.fall || hasBreak(c);
        }
        if (!hasDefault && s.type !== 'select_statement') fall = true;
        return { leak, fall };
      }
      case 'break_statement':
      case 'continue_statement':
      case 'fallthrough_statement':
        return { leak: false, fall: false };
      case 'goto_statement':
        return { leak: true, fall: false };
      default:
        if (this.uses(s)) return USED;
        if (isNoReturnCall(s)) return { leak: false, fall: false };
        return PASS;
    }
  }

  private usesIn(n: Node | null): boolean {
    return !!n && this.uses(n);
  }
}

/** A `break` that leaves this case clause's switch/select (not an inner loop's or switch's). */
function hasBreak(clause: Node): boolean {
  const walk = (n: Node): boolean => {
    for (const c of named(n)) {
      if (c.type === 'break_statement') return true;
      if (c.type === 'for_statement' || SWITCHES.has(c.type) || FUNC_TYPES.has(c.type)) continue;
      if (walk(c)) return true;
    }
    return false;
  };
  return walk(clause);
}

const LOOP_OR_SWITCH = new Set(['for_statement', ...SWITCHES]);

/** A `break` inside `loop` that leaves it (unlabeled and not in an inner loop/switch/select, or labeled with its label). */
function breaksOut(loop: Node): boolean {
  const label = loop.parent?.type === 'labeled_statement' ? named(loop.parent).find((c) => c.type === 'label_name')?.text : undefined;
  const walk = (n: Node, nested: boolean): boolean => {
    for (const c of named(n)) {
      if (FUNC_TYPES.has(c.type)) continue;
      if (c.type === 'break_statement') {
        const l = named(c).find((x) => x.type === 'label_name')?.text;
        if (l ? l === label : !nested) return true;
        continue;
      }
      if (c.type === 'goto_statement') return true; // may leave the loop: assume it does
      if (walk(c, nested || LOOP_OR_SWITCH.has(c.type))) return true;
    }
    return false;
  };
  const body = field(loop, 'body');
  return !!body && walk(body, false);
}

/** Whether a for statement runs forever unless something breaks out of it. */
function isEndlessFor(s: Node, endlessRange?: (forStmt: Node) => boolean): boolean {
  const body = field(s, 'body');
  const header = named(s).filter((c) => c.type !== 'comment' && (!body || !c.equals(body)));
  if (header.length === 0) return true; // for { }
  const h = header[0];
  if (h.type === 'for_clause') return !field(h, 'condition');
  if (h.type === 'range_clause') return !!endlessRange?.(s);
  return false;
}

/** Whether control can reach the statement after `s` (conservative: true when unsure). */
function fallsThrough(s: Node, endlessRange?: (forStmt: Node) => boolean): boolean {
  switch (s.type) {
    case 'return_statement':
      return false;
    case 'block':
      return statementsOf(s).every((c) => fallsThrough(c, endlessRange));
    case 'labeled_statement': {
      const inner = named(s).find((c) => c.type !== 'label_name' && c.type !== 'comment');
      return inner ? fallsThrough(inner, endlessRange) : true;
    }
    case 'if_statement': {
      const alt = field(s, 'alternative');
      if (!alt) return true;
      const cons = field(s, 'consequence');
      return (!cons || fallsThrough(cons, endlessRange)) || fallsThrough(alt, endlessRange);
    }
    case 'for_statement':
      return !isEndlessFor(s, endlessRange) || breaksOut(s);
    case 'select_statement':
      return named(s).some((c) => c.type !== 'comment');
    default:
      return !isNoReturnCall(s);
  }
}

/**
 * Whether the function `owner` can return (or reach its end) after statement `stmt`
 * runs: staticcheck's "terminates" question, answered on the tree. An endless `for`
 * (no condition, or a range `endlessRange` says never ends, like a ticker's channel)
 * without a break out of it, `select {}`, panic and os.Exit end the path. Errs toward
 * "it can return" (switches, goto).
 */
export function canReturnAfter(stmt: Node, owner: Node, endlessRange?: (forStmt: Node) => boolean): boolean {
  const body = field(owner, 'body');
  if (!body) return true;
  // The statement holding stmt (stmt may be an expression).
  let node: Node | null = stmt.type === 'for_statement' || stmt.parent?.type === 'statement_list' ? stmt : null;
  if (!node) for (let p = stmt.parent; p; p = p.parent) if (p.parent?.type === 'statement_list') { node = p; break; }
  if (!node) return true;
  stmt = node;
  // A return after stmt, or anywhere in a loop around it (the next iteration), can run.
  const loops: Node[] = [];
  for (let p = stmt.parent; p && !p.equals(owner); p = p.parent) if (p.type === 'for_statement') loops.push(p);
  const returns = (n: Node): boolean => {
    for (const c of named(n)) {
      if (FUNC_TYPES.has(c.type)) continue;
      if (c.type === 'return_statement' || c.type === 'goto_statement') {
        if (c.startIndex >= stmt.startIndex || loops.some((l) => l.startIndex <= c.startIndex && c.endIndex <= l.endIndex)) return true;
      }
      if (returns(c)) return true;
    }
    return false;
  };
  if (returns(body)) return true;
  // Otherwise: is the end of the body reachable from stmt?
  if (!fallsThrough(node, endlessRange)) return false;
  for (;;) {
    for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) if (s.type !== 'comment' && !fallsThrough(s, endlessRange)) return false;
    const list: Node | null = node.parent;
    const container: Node | null = list ? list.parent : null;
    if (!container) return true;
    if (container.equals(body)) return true;
    let up: Node | null = container;
    // Climb to the enclosing statement: a loop must itself end, other statements fall through.
    while (up && up.parent?.type !== 'statement_list' && !up.equals(body)) {
      if (up.type === 'for_statement' && isEndlessFor(up, endlessRange) && !breaksOut(up)) return false;
      up = up.parent;
    }
    if (!up || up.equals(body)) return true;
    if (up.type === 'for_statement' && isEndlessFor(up, endlessRange) && !breaksOut(up)) return false;
    node = up;
  }
}
