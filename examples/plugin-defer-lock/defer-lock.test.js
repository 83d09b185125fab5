// The plugin's own tests, as a plugin author writes them: every fixture case under
// ./fixtures (input, expected output, `// want` expectations) through gopitfix/testing.
// Runs in gopitfix's suite (vitest.config.ts includes examples/**/*.test.js); it imports
// the built package (npm run build), as a plugin installed next to gopitfix would.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixtures } from 'gopitfix/testing';
import rule from './defer-lock.js';

describe('defer-lock (example plugin)', () => {
  it('every fixture case: findings as declared by // want, fixes as in .output.go, idempotent', async () => {
    const results = await runFixtures({ dir: fileURLToPath(new URL('./fixtures', import.meta.url)), rules: [rule] });
    expect(results.map((r) => r.case)).toEqual(['basic', 'embedded', 'near-misses', 'unknown-type']);
    for (const r of results) expect(r.problems, r.case).toEqual([]);
  });

  it('declares what the engine needs: id, options schema with defaults, node types', () => {
    expect(rule.meta.id).toBe('defer-lock');
    expect(rule.meta.options?.properties?.rlock?.default).toBe(true);
    expect(rule.meta.nodeTypes).toEqual(['defer_statement']);
  });
});
