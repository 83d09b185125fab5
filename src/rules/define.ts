// The rule-authoring API: defineRule (typed options with defaults taken from the rule's
// option schema), the option defaults the engine hands every rule, and the order rules
// run in, declared by each rule (meta.after / meta.before) rather than by the position
// of a rule in a registry array. Exported to plugin authors from src/index.ts.
import type { JsonSchema, Rule, RuleContext, RuleMeta } from './api.js';

// ---- typed options ---------------------------------------------------------------

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of a value a (const) JSON schema accepts. */
export type SchemaValue<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'string' }
      ? string
      : S extends { type: 'integer' | 'number' }
        ? number
        : S extends { type: 'array'; items: infer I }
          ? SchemaValue<I>[]
          : S extends { type: 'object'; properties: infer P }
            ? SchemaObject<P>
            : unknown;

/** Properties with a `default` are always present (the engine fills them in); the others are optional. */
type SchemaObject<P> = Simplify<
  { -readonly [K in keyof P as P[K] extends { default: unknown } ? K : never]: SchemaValue<P[K]> } & {
    -readonly [K in keyof P as P[K] extends { default: unknown } ? never : K]?: SchemaValue<P[K]>;
  }
>;

/** The options object a rule with option schema S receives as ctx.options. */
export type OptionsOf<S> = S extends { type: 'object'; properties: infer P } ? SchemaObject<P> : Record<string, never>;

/** A rule definition as written by its author: meta plus run, with ctx.options typed from meta.options. */
export interface RuleDefinition<S extends JsonSchema | undefined> {
  /** docPath may be omitted by plugin rules (it defaults to the README.md beside the plugin, see src/run/plugins.ts). */
  meta: Omit<RuleMeta, 'options' | 'docPath'> & { options?: S; docPath?: string };
  run(ctx: RuleContext<OptionsOf<S>>): void;
}

/**
 * Define a rule. Write the option schema inline (or `as const`): ctx.options is then typed
 * from it, and every option with a `default` is always present (the engine applies the
 * schema's defaults before the rule runs; users' gopitfix.json values win).
 */
export function defineRule<const S extends JsonSchema | undefined = undefined>(def: RuleDefinition<S>): Rule {
  return def as unknown as Rule;
}

// ---- option defaults ---------------------------------------------------------------

const defaulted = new WeakMap<object, WeakMap<object, Readonly<Record<string, unknown>>>>();
const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

/** The schema's defaults, recursively for nested objects that have properties. */
export function schemaDefaults(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(schema?.properties ?? {})) {
    if (p.default !== undefined) out[k] = p.default;
  }
  return out;
}

/**
 * A rule's options as it receives them: the configured values over the defaults of its
 * option schema (undefined values count as unset). Memoized per (rule meta, options object).
 */
export function optionsWithDefaults(meta: RuleMeta, configured: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (!meta.options?.properties) return configured ?? NONE;
  const given = configured ?? NONE;
  let byMeta = defaulted.get(meta);
  if (!byMeta) defaulted.set(meta, (byMeta = new WeakMap()));
  let out = byMeta.get(given);
  if (!out) {
    const merged = schemaDefaults(meta.options);
    for (const [k, v] of Object.entries(given)) if (v !== undefined) merged[k] = v;
    out = Object.freeze(merged);
    byMeta.set(given, out);
  }
  return out;
}

// ---- precedence ----------------------------------------------------------------------

/** A cycle or a self-reference in meta.after / meta.before. */
export class RuleOrderError extends Error {
  override name = 'RuleOrderError';
}

/**
 * The order rules run in within a pass, which is also the order their fixes are preferred
 * in when two overlap (the later rule's fix is retried on the next pass). A rule runs after
 * every rule its meta.after names and before every rule its meta.before names (ids not in
 * `rules` are ignored). Between rules with no declared relation: built-in rules before
 * plugin rules (`isPlugin`), then by id. Throws RuleOrderError on a cycle.
 */
export function orderRules(rules: readonly Rule[], isPlugin: (r: Rule) => boolean = () => false): Rule[] {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const preds = new Map<Rule, Set<Rule>>(rules.map((r) => [r, new Set()]));
  for (const r of rules) {
    for (const id of r.meta.after ?? []) {
      const o = byId.get(id);
      if (o === r) throw new RuleOrderError(`rule "${r.meta.id}" lists itself in meta.after`);
      if (o) preds.get(r)!.add(o);
    }
    for (const id of r.meta.before ?? []) {
      const o = byId.get(id);
      if (o === r) throw new RuleOrderError(`rule "${r.meta.id}" lists itself in meta.before`);
      if (o) preds.get(o)!.add(r);
    }
  }
  const rank = (r: Rule) => (isPlugin(r) ? 1 : 0);
  const cmp = (a: Rule, b: Rule) => rank(a) - rank(b) || (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0);
  const out: Rule[] = [];
  const done = new Set<Rule>();
  while (out.length < rules.length) {
    let next: Rule | null = null;
    for (const r of rules) {
      if (done.has(r)) continue;
      if ([...preds.get(r)!].some((p) => !done.has(p))) continue;
      if (!next || cmp(r, next) < 0) next = r;
    }
    if (!next) {
      const left = rules.filter((r) => !done.has(r)).map((r) => r.meta.id);
      throw new RuleOrderError(`meta.after/meta.before form a cycle among: ${left.join(', ')}`);
    }
    done.add(next);
    out.push(next);
  }
  return out;
}
