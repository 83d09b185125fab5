// The contracts between the engine, the Go semantics layer and the rules.
// Modeled on golang.org/x/tools/go/analysis: a rule is data (meta) plus a run
// function; a finding may carry a suggested fix made of text edits against the
// exact text the rule was given (one baseline), which the engine merges.
import type { Node, Tree } from 'web-tree-sitter';
import type { GoVersion } from '../go/version.js';
import type { Semantics } from '../go/scope.js';
import type { Imports } from '../go/imports.js';
import type { PackageInfo } from '../go/package.js';
import type { TextEdit } from '../go/edit.js';

export type { Node, Tree };

/** Replace source[start, end) with text (src/go/edit.ts). */
export type { TextEdit } from '../go/edit.js';

export interface Fix {
  /** Imperative, shown in diffs and JSON: "Add defer cancel() after WithTimeout". */
  description: string;
  edits: TextEdit[];
  /**
   * Standard-library import paths the edits refer to. The rule must already have
   * written the package's local name into the edits, using `ctx.imports.nameFor(path)`;
   * the engine adds the import declaration once per pass for all applied fixes.
   */
  imports?: string[];
}

export interface FindingInput {
  /** The node the finding is about; its range is what users see. */
  node: Node;
  message: string;
  /** Omit when the fix is not provably safe; then say why in `noFix`. */
  fix?: Fix;
  /**
   * Why there is no fix, when `fix` is omitted: one short, specific sentence that does not
   * repeat the message ("the call is inside a loop"). Outputs show it as
   * `<message> (no fix: <noFix>)` and JSON as `noFixReason`; ignored when `fix` is set.
   */
  noFix?: string | null;
}

/**
 * A substring, a regular expression, or a check on the text that is neither (a lexical
 * scan, src/go/lexical.ts: its toString names it in --list-rules).
 */
export type Trigger = string | RegExp | { test(text: string): boolean; toString(): string };

export interface RuleMeta {
  id: string;
  /** One line, shown by --list-rules. */
  summary: string;
  /** Whether the rule runs when neither --rules nor config names it. */
  defaultOn: boolean;
  /**
   * Language versions the rule applies to, as "1.N" strings: min inclusive, max exclusive.
   * A file whose version is unknown is treated as the current Go release.
   */
  goVersion?: { min?: string; max?: string };
  /**
   * Cheap text triggers: a file containing none of them cannot produce a finding, so it
   * need not be parsed for this rule. Omit to always run. Substrings or regular
   * expressions (no global flag); they must be necessary conditions (src/engine/prefilter.ts).
   */
  triggers?: Trigger[];
  /** Like triggers, but every one must occur (all-of). */
  requires?: Trigger[];
  /** Path (relative to the repo root) of the rule's documentation. */
  docPath: string;
  /**
   * Schema of the options object this rule accepts in gopitfix.json (`"rules": { id: {...} }`),
   * validated by src/run/config.ts; omit when the rule takes no options.
   */
  options?: JsonSchema;
  /**
   * Precedence: ids of rules that run before this one in each pass, so that their fixes
   * win when fixes overlap (this rule's is retried on the next pass). Unknown ids are
   * ignored. See orderRules in src/rules/define.ts.
   */
  after?: readonly string[];
  /** Ids of rules that run after this one (the converse of `after`). */
  before?: readonly string[];
  /**
   * Node types the rule asks descendants(ctx.root, ...) for: they join the per-tree index
   * shared by all rules (src/go/syntax.ts indexedNodeTypes() lists what is indexed).
   */
  nodeTypes?: readonly string[];
}

/** The subset of JSON Schema that src/run/config.ts validates (and schema/gopitfix.schema.json uses). */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  /** false: no keys beyond `properties`; a schema: what other keys' values must match. */
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** "go-duration": a duration string that fits time.Duration (checked by src/run/config.ts). */
  format?: string;
  /** Exactly one branch must match. */
  oneOf?: readonly JsonSchema[];
  /** `#/$defs/name` references into the root schema. */
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  $schema?: string;
  $id?: string;
  title?: string;
  examples?: readonly unknown[];
}

export interface Rule {
  meta: RuleMeta;
  run(ctx: RuleContext): void;
}

/** What a rule's run() receives; O is its options type (see defineRule in src/rules/define.ts). */
export interface RuleContext<O = Readonly<Record<string, unknown>>> {
  /** Path shown to users (relative to cwd). */
  readonly path: string;
  /** Absolute path, or a synthetic one for in-memory sources. */
  readonly absPath: string;
  readonly source: string;
  readonly tree: Tree;
  readonly root: Node;
  /** Effective language version of this file; null when unknown (no go.mod). */
  readonly goVersion: GoVersion | null;
  /** Scopes, bindings, references, declared types. Built once per parse, lazily. */
  readonly sem: Semantics;
  readonly imports: Imports;
  /** The other files of this file's package (same directory), parsed on demand. */
  package(): PackageInfo;
  /** This rule's options: the configured values over the defaults of meta.options (empty object when it has none). */
  readonly options: Readonly<O>;
  /** Test-file policy (EngineOptions.tests): true = include test files for every rule; null = unset. */
  readonly tests?: boolean | null;
  /** "\n" or "\r\n": what the file uses. */
  readonly eol: string;
  report(finding: FindingInput): void;
}
