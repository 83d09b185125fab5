#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('gopitfix: not built yet: run `npm install` (or `npm run build`) in the gopitfix directory first\n');
  process.exit(2);
}
const { main } = await import(entry.href);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gopitfix: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
