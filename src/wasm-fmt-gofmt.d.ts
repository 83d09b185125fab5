// The low-level entry of @wasm-fmt/gofmt (its package exports every file): format(instance
// exports, source), which throws the parser's error. Used by src/engine/format.ts to compile the
// module lazily; the package's typed entries compile it on import.
declare module '@wasm-fmt/gofmt/gofmt_binding.js' {
  export function format(wasm: WebAssembly.Exports, source: string): string;
}
