// bench/compare-builds.ts: the check that a behaviour-neutral change left every finding,
// fix, diff and stderr line as it was (the precision ledgers cite its runs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempTrees } from './support/cli.js';

const temp = tempTrees('gopitfix-compare-');
const compare = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'compare-builds.js'), ...args], { encoding: 'utf8' });
const service = join(ROOT, 'examples', 'service');

describe('compare-builds', () => {
  it('finds a build identical to itself, fixes counted', () => {
    const r = compare([ROOT, service]);
    expect(r.stdout).toMatch(/^.*examples\/service: identical \(8 \/ 8 fixes\)\n1 targets \(2 runs per build\), 8 fixes, 0 differing\n$/);
    expect(r.status).toBe(0);
  });

  it('reports what differs and exits 1', () => {
    // A "build" that finds nothing: its JSON has no findings and its dry run no diff.
    const other = temp();
    mkdirSync(join(other, 'bin'));
    mkdirSync(join(other, 'dist'));
    writeFileSync(join(other, 'bin', 'gopitfix.js'), `process.stdout.write(process.argv.includes('--json') ? '{"findings":[]}' : '');\n`);
    const r = compare([other, `${service}@1.21`]);
    expect(r.stdout).toContain('examples/service@1.21: DIFFERS in findings, diff, stderr (0 / 8 fixes)');
    expect(r.stdout).toContain(', 1 differing\n');
    expect(r.status).toBe(1);
  });

  it('says what is wrong with a checkout that is not built', () => {
    const r = compare([temp()]);
    expect(r.stderr).toMatch(/not a built checkout/);
    expect(r.status).toBe(2);
  });
});
