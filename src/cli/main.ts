// gopitfix [options] [paths...]: wires argument parsing, discovery, the engine and the
// output modes together. Streams: stdout carries the product (a patch, findings under
// --check, or the JSON document); stderr carries notes for humans (unfixable findings
// in dry-run/--write mode, errors, the summary line), so `gopitfix ./... > fix.patch`
// yields a clean patch.
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRules } from '../../transforms/index.js';
import type { Rule } from '../rules/api.js';
import { discover, DiscoveryError } from '../run/discover.js';
import { checkRuleIds, goRangeText, parseArgs, usage, UsageError, type CliOptions } from './args.js';
import { configSettings } from '../run/config-settings.js';
import { runBatchCli } from './batch.js';
import { batchDiscoverOptions, newPreselection, SelectError, selectFiles } from '../run/select.js';
import { ConfigError, selectRules } from '../run/config.js';
import type { Io } from './io.js';
import { loadFilePlugins, loadStartPlugins, PluginError } from '../run/plugins.js';

export type { Io } from './io.js';

/** Whether fds 1 and 2 are one terminal device (`cmd` on a terminal, not `cmd > file` or `cmd 2> log`). */
function sameTerminal(): boolean {
  if (!process.stdout.isTTY || !process.stderr.isTTY) return false;
  try {
    const a = fstatSync(1);
    const b = fstatSync(2);
    return a.rdev === b.rdev && a.dev === b.dev && a.ino === b.ino;
  } catch {
    return true;
  }
}

/**
 * A stream whose reader went away (`gopitfix ./... | head`) ends quietly: Node reports
 * EPIPE as an 'error' event (SIGPIPE is ignored), which unhandled is a crash with a stack
 * trace. From then on writes to it are dropped and the run finishes, so it still exits
 * with the code it would have had (1 under --check with fixable findings, 3 on errors).
 */
function guardedWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  });
  return (text) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
      else throw e;
    }
  };
}

function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutSameTerminal: sameTerminal(),
    columns: () => process.stderr.columns,
    out: guardedWriter(process.stdout),
    err: guardedWriter(process.stderr),
  };
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_PARTIAL = 3;

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let opts: CliOptions;
  let rules: Rule[];
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      io.out(usage(packageDir() ? join(packageDir()!, 'transforms') : undefined));
      return EXIT_OK;
    }
    if (opts.version) {
      io.out(`gopitfix ${packageVersion()}\n`);
      return EXIT_OK;
    }
    // Plugin rules must be known before rule ids are checked or listed.
    await loadStartPlugins(opts, io.cwd);
    checkRuleIds(opts);
    if (opts.listRules) {
      // A regular-expression trigger prints as "/source/flags" (JSON.stringify would give {}),
      // a lexical check as its name.
      const isCheck = (v: unknown) => v instanceof RegExp || (typeof v === 'object' && v !== null && typeof (v as { test?: unknown }).test === 'function');
      const meta = JSON.stringify(allRules.map((r) => r.meta), (_k, v: unknown) => (isCheck(v) ? String(v) : v), 2);
      io.out(opts.json ? meta + '\n' : listRules());
      return EXIT_OK;
    }
    rules = enabledRules(opts);
    if (opts.interactive && !io.stdinIsTTY) {
      throw new UsageError('interactive mode needs a terminal; use --write or the default dry run');
    }
    // The questions, diffs and the prompt's cursor codes go to stdout: into a file they are garbage.
    if (opts.interactive && !io.stdoutIsTTY) {
      throw new UsageError('interactive mode needs stdout to be the terminal (it is redirected); use the default dry run to save a patch');
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof PluginError) {
      io.err(`gopitfix: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }

  let files;
  let settingsFor;
  const pre = newPreselection();
  try {
    const onEmptyPattern = (arg: string) => io.err(`gopitfix: warning: "${arg}" matched no Go files\n`);
    files = selectFiles(discover(opts.paths, { cwd: io.cwd, ...batchDiscoverOptions(opts, pre), onEmptyPattern }), opts, io.cwd, pre);
    // Nested gopitfix.json files may name plugins too: load them before the configs are validated.
    if (!opts.config && (await loadFilePlugins(files.filter((f) => !f.error).map((f) => f.absPath), io.cwd))) rules = enabledRules(opts);
    settingsFor = configSettings(files, opts, io.cwd);
  } catch (e) {
    if (e instanceof DiscoveryError || e instanceof ConfigError || e instanceof SelectError || e instanceof PluginError) {
      io.err(`gopitfix: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }

  if (opts.interactive) {
    // Loaded only for -i: the prompt library costs ~35 ms of every other run's start-up.
    const { runInteractiveCli } = await import('./interactive.js');
    return runInteractiveCli({ opts, files, rules, settingsFor, io });
  }
  return runBatchCli({ opts, files, rules, settingsFor, pre, io, version: packageVersion() });
}

/** Default set (meta.defaultOn), or exactly --rules; minus --disable; registry order kept (config.ts selectRules without a config). */
function enabledRules(opts: Pick<CliOptions, 'rules' | 'disable'>): Rule[] {
  const rules = selectRules(null, opts);
  if (rules.length === 0) throw new UsageError('no rules enabled (check --rules and --disable; see --list-rules)');
  return rules;
}

function listRules(): string {
  const rows = allRules.map((r) => [r.meta.id, r.meta.defaultOn ? 'on' : 'off', goRangeText(r.meta.goVersion), r.meta.summary]);
  const header = ['RULE', 'DEFAULT', 'GO', 'SUMMARY'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] + 2))).join('')).join('\n') + '\n';
}

function packageVersion(): string {
  const dir = packageDir();
  return dir ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version : 'unknown';
}

/** Our package's directory: dist/src/cli/main.js when built, src/cli/main.ts under vitest; walk up to package.json. */
function packageDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const data = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (data.name === 'gopitfix' && data.version) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
