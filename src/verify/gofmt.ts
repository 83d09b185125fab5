// gofmt as the judge of "this is still Go": many texts per gofmt process (one process
// per file would dominate a corpus run), written to a temp directory under names
// we choose so that gofmt's `name:line:col: message` lines map back to their text.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface GofmtVerdict {
  /** gofmt -e parsed it without errors. */
  parses: boolean;
  /** gofmt would not change it (only meaningful when it parses). */
  formatted: boolean;
  /** First error line, when it does not parse. */
  error?: string;
}

let available: boolean | null = null;

export function gofmtAvailable(): boolean {
  if (available === null) {
    const r = spawnSync('gofmt', ['-l'], { input: 'package p\n', encoding: 'utf8' });
    available = !r.error && r.status === 0;
  }
  return available;
}

/** Judge each text. Texts are written as UTF-8; at most `batch` files per gofmt process. */
export function gofmtBatch(texts: readonly string[], batch = 400): GofmtVerdict[] {
  const out: GofmtVerdict[] = [];
  for (let i = 0; i < texts.length; i += batch) out.push(...judge(texts.slice(i, i + batch)));
  return out;
}

function judge(texts: readonly string[]): GofmtVerdict[] {
  if (texts.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'gopitfix-gofmt-'));
  try {
    const names = texts.map((t, i) => {
      const name = join(dir, `f${i}.go`);
      writeFileSync(name, t);
      return name;
    });
    const r = spawnSync('gofmt', ['-l', '-e', ...names], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    const errors = new Map<string, string>();
    for (const line of r.stderr.split('\n')) {
      const m = /^(.*?\.go):/.exec(line);
      if (m && !errors.has(m[1])) errors.set(m[1], line.slice(m[1].length + 1));
    }
    const unformatted = new Set(r.stdout.split('\n').filter(Boolean));
    return names.map((n) => {
      const error = errors.get(n);
      return error !== undefined ? { parses: false, formatted: false, error } : { parses: true, formatted: !unformatted.has(n) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
