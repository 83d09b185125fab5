// The rule registry. Order matters: on overlapping fixes the earlier rule's fix is
// applied first and the later rule re-runs on the result (fixpoint passes).
import type { Rule } from './types.js';

export const allRules: Rule[] = [];

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
