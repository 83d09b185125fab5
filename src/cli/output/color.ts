// Whether to emit ANSI colors. Precedence, most specific first: --color/--no-color,
// FORCE_COLOR (as Node and most CLIs read it: "0"/"false" mean off, any other non-empty
// value on; it wins over NO_COLOR, as in Node), NO_COLOR (non-empty = off, per
// no-color.org), and finally whether stdout is a terminal.
export function useColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

const RESET = '\x1b[0m';
export const ansi = {
  bold: (s: string) => `\x1b[1m${s}${RESET}`,
  red: (s: string) => `\x1b[31m${s}${RESET}`,
  green: (s: string) => `\x1b[32m${s}${RESET}`,
  cyan: (s: string) => `\x1b[36m${s}${RESET}`,
};
