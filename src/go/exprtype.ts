// The declared type of an operand expression (`wg`, `s.wg`, `s.inner.wg`, `*p`, `&x`)
// across the package: identifiers through the semantics layer (declared types,
// initializers, copies of other proven names), package-level variables declared in a
// sibling file, and struct fields of package types through PackageInfo.fieldType.
// null whenever the syntax does not prove the type (promoted fields, fields of types
// declared in another package, results of arbitrary calls, ...).
import type { Node } from 'web-tree-sitter';
import { fileMentions, mayDeclareVar, ownText, type PackageInfo } from './package.js';
import type { Binding, Semantics, TypeRef } from './scope.js';
import { field, PREDECLARED, unparen } from './syntax.js';

export interface TypeEnv {
  readonly sem: Semantics;
  package(): PackageInfo;
}

const VALUE_KINDS = new Set(['var', 'param', 'receiver', 'result']);

export function operandType(env: TypeEnv, expr: Node, depth = 0): TypeRef | null {
  if (depth > 8) return null;
  const e = unparen(expr);
  switch (e.type) {
    case 'identifier': {
      const b = env.sem.resolve(e);
      if (b) return bindingType(env, b, depth);
      if (PREDECLARED.has(e.text)) return null;
      return siblingVarType(env, e.text);
    }
    case 'selector_expression': {
      if (env.sem.qualified(e)) return null; // pkg.Var of another package: not declared here
      const op = field(e, 'operand');
      const f = field(e, 'field');
      if (!op || !f) return null;
      const t = operandType(env, op, depth + 1);
      // Field selection auto-dereferences one pointer level; only this package's struct types are known.
      if (!t || t.pkgPath !== '' || t.pointer > 1) return null;
      return env.package().fieldType(t.name, f.text);
    }
    case 'unary_expression': {
      const op = e.child(0)?.type;
      const operand = field(e, 'operand');
      if (!operand) return null;
      if (op === '&') {
        const t = operandType(env, operand, depth + 1);
        return t ? { ...t, pointer: t.pointer + 1 } : env.sem.typeOfExpr(e);
      }
      if (op === '*') {
        const t = operandType(env, operand, depth + 1);
        return t && t.pointer > 0 ? { ...t, pointer: t.pointer - 1 } : null;
      }
      return null;
    }
    default:
      return env.sem.typeOfExpr(e);
  }
}

function bindingType(env: TypeEnv, b: Binding, depth: number): TypeRef | null {
  if (!VALUE_KINDS.has(b.kind)) return null;
  const t = env.sem.typeOf(b);
  if (t) return t;
  // `wg := s.wg` / `p := &s.wg`: a copy of another operand whose type we can prove.
  if (!b.typeNode && b.value && b.valueIndex < 0) {
    const v = unparen(b.value);
    if (v.type === 'selector_expression' || v.type === 'identifier' || v.type === 'unary_expression') {
      return operandType(env, v, depth + 1);
    }
  }
  return null;
}

/**
 * A package-level `var name T` declared in another file of the package. A sibling whose
 * text cannot declare it is not parsed; for one that may, the package-level declarations
 * are enough (scopes inside declarations are built lazily: typeOf visits only the var's
 * own declaration, to resolve its qualifiers).
 */
function siblingVarType(env: TypeEnv, name: string): TypeRef | null {
  for (const f of env.package().files) {
    if (f.current || !fileMentions(f, name) || !mayDeclareVar(ownText(f), name)) continue;
    const list = f.sem.fileScope.bindings.get(name);
    const b = list?.find((x) => x.kind === 'var');
    if (b) return f.sem.typeOf(b);
  }
  return null;
}
