// Unified diffs in the shape git produces and `git apply` / `patch -p1` accept:
// `--- a/path` / `+++ b/path` headers, 3 lines of context unless --context says otherwise.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { ansi } from './color.js';

export function fileDiff(displayPath: string, before: string, after: string, context = 3): string {
  return createTwoFilesPatch(`a/${displayPath}`, `b/${displayPath}`, before, after, undefined, undefined, {
    context,
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
