// @ts-check
// defer-lock: an example gopitfix plugin rule (docs/writing-a-rule.md).
//
//   mu.Lock()
//   defer mu.Lock()   // meant: defer mu.Unlock()
//
// A deferred Lock right after taking the same lock is a typo for Unlock: when the function
// returns, the deferred call blocks forever on the lock the function still holds (a
// sync.Mutex is not reentrant), and every other goroutine that wants the lock blocks too.
// With RLock/RLock the read lock is never released and the next writer waits forever.
// Fix: defer the matching unlock. The fix is offered only when the lock's type is proven to
// be sync.Mutex, sync.RWMutex (directly, or embedded in a struct of this package that does
// not declare its own Lock/RLock) or sync.Locker; otherwise the finding is reported without
// a fix. Load it with `gopitfix --plugin examples/plugin-defer-lock/defer-lock.js`.
import { defineRule, descendants, field, named, operandType } from 'gopitfix';

/** @type {Record<string, string>} the unlock that matches each lock. */
const UNLOCK = { Lock: 'Unlock', RLock: 'RUnlock' };

export default defineRule({
  meta: {
    id: 'defer-lock',
    summary: 'defer mu.Unlock() (not Lock) right after mu.Lock(); same for RLock/RUnlock',
    defaultOn: true,
    // A file without "Lock" cannot hold the pattern.
    triggers: ['Lock'],
    // Whole-file queries this rule makes through descendants(): indexed once per tree.
    nodeTypes: ['defer_statement'],
    // Relative to this file: SARIF output carries it as the rule's help.
    docPath: 'README.md',
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rlock: { type: 'boolean', default: true, description: 'Also check defer x.RLock() right after x.RLock().' },
      },
    },
  },
  run(ctx) {
    for (const d of descendants(ctx.root, 'defer_statement')) {
      const deferred = lockCall(named(d)[0]);
      if (!deferred || (deferred.method === 'RLock' && !ctx.options.rlock)) continue;
      const prev = previousStatement(d);
      const taken = prev && prev.type === 'expression_statement' ? lockCall(named(prev)[0]) : null;
      if (!taken || taken.method !== deferred.method || taken.recv.text !== deferred.recv.text) continue;
      const recv = deferred.recv.text;
      const unlock = UNLOCK[deferred.method];
      const message = `defer ${recv}.${deferred.method}() right after ${recv}.${deferred.method}(): the deferred call takes the lock again when the function returns (it blocks forever); meant defer ${recv}.${unlock}()`;
      const why = lockTypeProblem(ctx, deferred.recv, deferred.method);
      if (why) {
        ctx.report({ node: d, message, noFix: why });
        continue;
      }
      ctx.report({
        node: d,
        message,
        fix: {
          description: `Defer ${recv}.${unlock}() instead of ${recv}.${deferred.method}()`,
          edits: [{ start: deferred.name.startIndex, end: deferred.name.endIndex, text: unlock }],
        },
      });
    }
  },
});

/**
 * `x.Lock()` / `x.RLock()` with no arguments, where x is a name or a chain of field
 * selections (evaluating it twice gives the same lock): its parts, else null.
 * @param {import('gopitfix').Node | null | undefined} call
 */
function lockCall(call) {
  if (!call || call.type !== 'call_expression') return null;
  const fn = field(call, 'function');
  const args = field(call, 'arguments');
  if (!fn || fn.type !== 'selector_expression' || !args || named(args).length > 0) return null;
  const name = field(fn, 'field');
  const recv = field(fn, 'operand');
  if (!name || !recv || !Object.hasOwn(UNLOCK, name.text) || !isPlainOperand(recv)) return null;
  return { method: name.text, name, recv };
}

/**
 * @param {import('gopitfix').Node} n
 * @returns {boolean}
 */
function isPlainOperand(n) {
  if (n.type === 'identifier') return true;
  if (n.type !== 'selector_expression') return false;
  const op = field(n, 'operand');
  return !!op && isPlainOperand(op);
}

/**
 * The statement before `stmt` in its block, comments skipped.
 * @param {import('gopitfix').Node} stmt
 */
function previousStatement(stmt) {
  let p = stmt.previousNamedSibling;
  while (p && p.type === 'comment') p = p.previousNamedSibling;
  return p;
}

/**
 * Why the receiver's type is not proven to be a lock whose matching unlock is `Unlock` /
 * `RUnlock`, or null when it is.
 * @param {import('gopitfix').RuleContext} ctx
 * @param {import('gopitfix').Node} recv
 * @param {string} method
 */
function lockTypeProblem(ctx, recv, method) {
  const t = operandType(ctx, recv);
  if (!t) return `the type of ${recv.text} is not visible here`;
  const wanted = method === 'RLock' ? ['RWMutex'] : ['Mutex', 'RWMutex', 'Locker'];
  if (t.pkgPath === 'sync' && wanted.includes(t.name) && t.pointer <= 1) return null;
  if (t.pkgPath === '' && t.pointer <= 1) {
    // A struct of this package that embeds the lock, and has no method of that name itself.
    const own = ctx.package().funcs(method).some((f) => f.recvType === t.name);
    const embedded = wanted.some((w) => {
      const f = ctx.package().fieldType(t.name, w);
      return !!f && f.pkgPath === 'sync' && f.name === w && f.pointer === 0;
    });
    if (embedded && own) return `${t.name} declares its own ${method} method`;
    if (embedded) return null;
  }
  return `${recv.text} is not proven to be a sync.Mutex or sync.RWMutex`;
}
