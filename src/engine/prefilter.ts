// The literal prefilter: a rule's triggers are necessary conditions on a file's text,
// checked before anything is parsed. Any one of `triggers` must occur, and every one of
// `requires`. They must never skip a file the rule could report on (any spelling Go
// accepts, aliases included); test/fixtures.test.ts checks every fixture with a finding.
import type { RuleMeta, Trigger } from '../rules/api.js';

function occurs(t: Trigger, text: string): boolean {
  return typeof t === 'string' ? text.includes(t) : t.test(text);
}

// The same file is checked twice in a row: for its result-cache key (does any rule need
// the parser?) and then by the engine's gate. The answers for the last text are kept.
let lastText: string | null = null;
const answers = new Map<Pick<RuleMeta, 'triggers' | 'requires'>, boolean>();

export function passesPrefilter(meta: Pick<RuleMeta, 'triggers' | 'requires'>, text: string): boolean {
  if (text !== lastText) {
    lastText = text;
    answers.clear();
  }
  let v = answers.get(meta);
  if (v === undefined) answers.set(meta, (v = check(meta, text)));
  return v;
}

function check(meta: Pick<RuleMeta, 'triggers' | 'requires'>, text: string): boolean {
  if (meta.triggers && !meta.triggers.some((t) => occurs(t, text))) return false;
  if (meta.requires && !meta.requires.every((t) => occurs(t, text))) return false;
  return true;
}
