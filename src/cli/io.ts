// The one I/O shape every front end runs with: main.ts builds it from the process (tests
// pass their own), and the batch run and interactive review take it as it is.
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  /** -i reads keypresses from stdin: it must be a terminal. */
  stdinIsTTY?: boolean;
  /** Progress line and detailed summary go to a terminal. */
  stderrIsTTY?: boolean;
  /** stdout and stderr are the same terminal: the progress line is cleared before each stdout write. */
  stdoutSameTerminal?: boolean;
  /** The stderr terminal's width (read at each progress redraw). */
  columns?(): number | undefined;
  out(text: string): void;
  err(text: string): void;
}
