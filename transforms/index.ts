// The rule registry. Order matters: on overlapping fixes the earlier rule's fix is
// applied first and the later rule re-runs on the result (fixpoint passes). The order is
// declared by the rules (meta.after / meta.before) and computed by orderRules, not by the
// position in the array below: defer-cancel, hoist-wg-add, waitgroup-go, select-ctx-done,
// buffer-result-chan, capture-loop-var, redundant-loopvar-copy, tune-http-transport,
// http-client-timeout, propagate-ctx, stop-ticker, close-resp-body (test/rule-api.test.ts).
// Plugin rules join it through src/run/plugins.ts.
import { rule as deferCancel } from './defer-cancel/index.js';
import { rule as hoistWgAdd } from './hoist-wg-add/index.js';
import { rule as waitgroupGo } from './waitgroup-go/index.js';
import { rule as selectCtxDone } from './select-ctx-done/index.js';
import { rule as bufferResultChan } from './buffer-result-chan/index.js';
import { rule as captureLoopVar } from './capture-loop-var/index.js';
import { rule as redundantLoopvarCopy } from './redundant-loopvar-copy/index.js';
import { rule as tuneHttpTransport } from './tune-http-transport/index.js';
import { rule as httpClientTimeout } from './http-client-timeout/index.js';
import { rule as propagateCtx } from './propagate-ctx/index.js';
import { rule as stopTicker } from './stop-ticker/index.js';
import { rule as closeRespBody } from './close-resp-body/index.js';
import type { Rule } from '../src/rules/api.js';
import { orderRules } from '../src/rules/define.js';

export const allRules: Rule[] = orderRules([
  deferCancel,
  hoistWgAdd,
  waitgroupGo,
  selectCtxDone,
  bufferResultChan,
  captureLoopVar,
  redundantLoopvarCopy,
  tuneHttpTransport,
  httpClientTimeout,
  propagateCtx,
  stopTicker,
  closeRespBody,
]);

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
