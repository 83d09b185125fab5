// Unified diffs in the shape git produces and `git apply` / `patch -p1` accept:
// `--- a/path` / `+++ b/path` headers, 3 lines of context.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { ansi } from './color.js';

export function fileDiff(displayPath: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${displayPath}`, `b/${displayPath}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** Color a unified diff line by line; CRs stay inside the colored span's text. */
export function colorizeDiff(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      if (line.startsWith('+++ ') || line.startsWith('--- ')) return ansi.bold(line);
      if (line.startsWith('@@')) return ansi.cyan(line);
      if (line.startsWith('+')) return ansi.green(line);
      if (line.startsWith('-')) return ansi.red(line);
      return line;
    })
    .join('\n');
}
