// A count of the steps the Go layer takes over a file's statements and bindings, for tests
// of how work grows with a function's length: each place that walks statements after a
// point, bindings in sight, a block's children or a file's func literals adds what it
// walked. A count, where a time would depend on the machine; it costs an addition.
let steps = 0;

export function step(n = 1): void {
  steps += n;
}

/** Steps taken in this thread so far. */
export function stepsTaken(): number {
  return steps;
}
