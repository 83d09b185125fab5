// Unified diffs in the shape git produces and `git apply` / `patch -p1` accept:
// `--- a/path` / `+++ b/path` headers, 3 lines of context unless --context says otherwise.
// Paths are quoted as git quotes them (src/engine/fastdiff.ts), and the diff takes time
// linear in the file size however many fixes it has.
import { ansi } from './color.js';
import { renderDiff, unifiedDiff } from '../../engine/fastdiff.js';
import { patchPath, type FileDiff } from '../../run/task.js';

export function fileDiff(displayPath: string, before: string, after: string, context = 3): string {
  return unifiedDiff(displayPath, before, after, context);
}

/**
 * A file's patch for the text dry run, each `@@ ... @@` line followed by `# rule-a, rule-b`:
 * the rules whose fixes made that hunk (git apply and patch(1) ignore text there).
 */
export function filePatch(file: { displayPath: string; absPath: string }, d: FileDiff): string {
  return renderDiff(patchPath(file), d.hunks, d.rules.map((r) => (r.length ? ` # ${r.join(', ')}` : undefined)));
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
