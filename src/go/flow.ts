// Structured path analysis over the syntax tree: from a statement, is there a way
// to leave the enclosing function (or end a loop iteration) without passing a
// statement that "uses" something? This is the question vet's lostcancel asks with
// a control-flow graph; Go's structured statements let us answer it on the tree.
// It errs toward "a path exists" only through constructs it cannot see through
// (goto, labeled break to an outer statement), which callers treat conservatively.
import type { Node } from 'web-tree-sitter';
import { FUNC_TYPES, field, named, statementsOf } from './syntax.js';

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
      const rest: Node[] = [];
      for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) if (s.type !== 'comment') rest.push(s);
      const r = this.seq(rest);
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

  private seq(stmts: Node[]): Flow {
    let leak = false;
    for (const s of stmts) {
      const r = this.stmt(s);
      leak ||= r.leak;
      if (!r.fall) return { leak, fall: false };
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
