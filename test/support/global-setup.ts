// Runs once before all test files: every CLI run of the suite (which inherits this
// environment) keeps its result cache in a temp directory removed at the end, never in
// the user's ~/.cache. Test files that check the cache itself pass --cache-dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-test-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
