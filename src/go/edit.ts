// The unit every rewrite is made of, shared by the Go layer's editing helpers, the rules
// and the engine (re-exported by the rule API, src/rules/api.ts).

/** Replace source[start, end) with text. Offsets are JS string indices (UTF-16), as tree-sitter's. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}
