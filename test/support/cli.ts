// What the end-to-end tests share: the built CLI (`npm test` builds dist/ first), temp
// trees removed after each file's tests, and a run with the caller's color variables
// cleared (a CI runner may export FORCE_COLOR/NO_COLOR; every test states what it wants).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'gopitfix.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A temp-tree maker for one test file: each tree gets `prefix` in its name and is removed
 * after that file's tests. A path ending in `/` is made as an empty directory.
 */
export function tempTrees(prefix: string): (files?: Record<string, string | Buffer>) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return (files = {}) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    writeTree(dir, files);
    return dir;
  };
}

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(p, { recursive: true });
    else writeFileSync(p, text);
  }
}

/** The environment without the color variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return { ...env, ...extra };
}

export function runCli(
  cwd: string,
  args: string[],
  opts: { env?: Record<string, string>; uid?: number; gid?: number; timeout?: number } = {},
): Run {
  const { env, timeout = 60_000, ...ids } = opts;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
    ...ids,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A lost cancel defer-cancel fixes (one finding, one fix), and the file as fixed. */
export const LOST = `package p

import (
	"context"
	"time"
)

func f(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx.Err()
}
`;
export const LOST_FIXED = `package p

import (
	"context"
	"time"
)

func f(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	return ctx.Err()
}
`;
