// The public API of the gopitfix package (`import { defineRule } from 'gopitfix'`): what a
// rule author needs to write a rule and load it as a plugin (docs/writing-a-rule.md).
// Everything here is a stable surface; modules not re-exported here are internal.

// Rules: definition, metadata, context, findings and fixes.
export { defineRule, orderRules, optionsWithDefaults, schemaDefaults, RuleOrderError } from './rules/define.js';
export type { OptionsOf, SchemaValue, RuleDefinition } from './rules/define.js';
export type { Rule, RuleMeta, RuleContext, FindingInput, Fix, TextEdit, Trigger, JsonSchema, Node, Tree } from './rules/api.js';

// The Go semantics layer (src/go/): scopes and bindings, declared types, imports, the
// file's package, language versions, and syntax helpers over tree-sitter-go nodes.
export { Semantics, FUNC_TYPES } from './go/scope.js';
export type { Binding, BindingKind, Scope, ScopeKind, TypeRef } from './go/scope.js';
export { operandType } from './go/exprtype.js';
export type { TypeEnv } from './go/exprtype.js';
export { Imports, defaultPackageName } from './go/imports.js';
export type { ImportSpec } from './go/imports.js';
export { PackageInfo, fileMentions, packageClause, receiverTypeName } from './go/package.js';
export type { PackageFile, FuncDecl } from './go/package.js';
export { CURRENT_GO, compareGoVersion, formatGoVersion, parseGoVersion, versionInRange } from './go/version.js';
export type { GoVersion } from './go/version.js';
export {
  children,
  contains,
  descendants,
  detectEol,
  enclosingFunction,
  field,
  fields,
  indentAt,
  indexedNodeTypes,
  lineEnd,
  lineStart,
  named,
  nextLineStart,
  statementsOf,
  unparen,
  unquote,
} from './go/syntax.js';
