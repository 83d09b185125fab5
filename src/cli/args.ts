// Command-line parsing. Table-driven so that later flags (--format, --jobs, --config,
// --exclude, --quiet, ...) are one row each; no dependency, because the grammar we need
// (long flags, `--flag value` / `--flag=value`, a few short aliases, `--`) is small.
import { allRules, findRule } from '../../transforms/index.js';
import { formatGoVersion, parseGoVersion, type GoVersion } from '../go/version.js';
import { DEFAULT_MAX_FILE_SIZE, parseSize } from '../run/fsguard.js';
import { globProblem } from '../run/config.js';
import { parseShard } from '../run/select.js';

export interface CliOptions {
  paths: string[];
  write: boolean;
  check: boolean;
  json: boolean;
  /** --rules: only these rule ids (null = the default set). */
  rules: string[] | null;
  /** --disable: rule ids removed from the enabled set. */
  disable: string[];
  listRules: boolean;
  /** --go override of every file's language version. */
  go: GoVersion | null;
  /** --color / --no-color; undefined = decide from the environment and the TTY. */
  color: boolean | undefined;
  includeGenerated: boolean;
  /** --max-file-size in bytes: larger files are reported and skipped. */
  maxFileSize: number;
  /** --config: this gopitfix.json for every file (null = the nearest one above each file). */
  config: string | null;
  /** -i: review each fix at the terminal (src/cli/interactive.ts). */
  interactive: boolean;
  /** --context N: context lines in diffs (default 3). */
  context: number;
  help: boolean;
  version: boolean;
  // Batch mode (src/run/, README "Batch runs").
  /** --format; --json is an alias of --format json. */
  format: OutputFormat;
  /** --jobs: worker threads (null = available cores). */
  jobs: number | null;
  /** --quiet: no progress line, no summary (errors still print). */
  quiet: boolean;
  /** --stats: the detailed end summary even when stderr is not a terminal. */
  stats: boolean;
  /** --exclude GLOB (repeatable), relative to cwd. */
  exclude: string[];
  includeVendor: boolean;
  /** --changed-since REF. */
  changedSince: string | null;
  /** --shard K/N. */
  shard: { k: number; n: number } | null;
  allowDirty: boolean;
  /** --break-hardlinks: --write may replace files that have other hard links. */
  breakHardlinks: boolean;
  /** --no-prefilter: parse every file even when no rule's trigger text occurs in it. */
  prefilter: boolean;
  /** --fail-on: which findings make the run exit 1 (null = fixable under --check, none otherwise). */
  failOn: FailOn | null;
  /** --tests / --tests=false: include or skip _test.go files (null = unset: gopitfix.json, then the default). */
  tests: boolean | null;
  /** --no-cache turns the result cache off (src/run/cache.ts). */
  cache: boolean;
  /** --cache-dir (null = $XDG_CACHE_HOME/gopitfix or ~/.cache/gopitfix). */
  cacheDir: string | null;
  /** --plugin FILE (repeatable): plugin modules, relative to cwd (src/run/plugins.ts). */
  plugins: string[];
}

type FailOn = 'fixable' | 'any' | 'none';

type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

/** A usage or configuration error: the CLI prints `gopitfix: <message>` and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function defaultOptions(): CliOptions {
  return {
    paths: [],
    write: false,
    check: false,
    json: false,
    rules: null,
    disable: [],
    listRules: false,
    go: null,
    color: undefined,
    includeGenerated: false,
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    config: null,
    interactive: false,
    context: 3,
    help: false,
    version: false,
    format: 'text',
    jobs: null,
    quiet: false,
    stats: false,
    exclude: [],
    includeVendor: false,
    changedSince: null,
    shard: null,
    allowDirty: false,
    breakHardlinks: false,
    prefilter: true,
    failOn: null,
    tests: null,
    cache: true,
    cacheDir: null,
    plugins: [],
  };
}

interface FlagSpec {
  /** Long names with the leading dashes, and short aliases (`-h`). */
  names: string[];
  /** Placeholder shown in help; present iff the flag takes a value. */
  value?: string;
  /** The value is optional and only given as --flag=value (a bare --flag passes ''). */
  optionalValue?: boolean;
  help: string;
  apply(opts: CliOptions, value: string, flag: string): void;
}

function ruleList(value: string, flag: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) throw new UsageError(`${flag}: expected a comma-separated list of rule ids`);
  return ids;
}

/**
 * --rules / --disable name known rules. Checked once plugins are loaded (their rules are
 * known only then), by main().
 */
export function checkRuleIds(opts: Pick<CliOptions, 'rules' | 'disable'>): void {
  for (const [flag, ids] of [['--rules', opts.rules ?? []], ['--disable', opts.disable]] as const) {
    for (const id of ids) {
      if (!findRule(id)) {
        const known = allRules.map((r) => r.meta.id).join(', ') || 'none';
        throw new UsageError(`${flag}: unknown rule "${id}" (known rules: ${known})`);
      }
    }
  }
}

const FLAGS: FlagSpec[] = [
  {
    names: ['--write', '-w'],
    help: 'apply the fixes to the files (atomically, keeping file modes)',
    apply: (o) => void (o.write = true),
  },
  {
    names: ['--check'],
    help: 'print findings only, write nothing; exit 1 if any finding has a fix (see --fail-on)',
    apply: (o) => void (o.check = true),
  },
  {
    names: ['--fail-on'],
    value: 'fixable|any|none',
    help: 'exit 1 on findings with a fix, on any finding, or never (default: fixable with --check, else none); every format',
    apply: (o, v, f) => {
      if (v !== 'fixable' && v !== 'any' && v !== 'none') throw new UsageError(`${f}: expected fixable, any or none, got "${v}"`);
      o.failOn = v;
    },
  },
  {
    names: ['--tests'],
    value: 'true|false',
    optionalValue: true,
    help: '--tests=false skips _test.go files; --tests (=true) includes them for every rule (default: gopitfix.json `tests`, else included)',
    apply: (o, v, f) => {
      if (v === '' || v === 'true') o.tests = true;
      else if (v === 'false') o.tests = false;
      else throw new UsageError(`${f}: expected --tests, --tests=true or --tests=false, got "${v}"`);
    },
  },
  {
    names: ['--json'],
    help: 'print one JSON document (findings + summary) on stdout (= --format json)',
    apply: (o) => {
      o.json = true;
      o.format = 'json';
    },
  },
  {
    names: ['--format'],
    value: 'text|json|sarif|github',
    help: 'output: diffs/finding lines (text), JSON, SARIF 2.1.0, or GitHub Actions annotations',
    apply: (o, v, f) => {
      if (v !== 'text' && v !== 'json' && v !== 'sarif' && v !== 'github') {
        throw new UsageError(`${f}: unknown format "${v}" (want text, json, sarif or github)`);
      }
      o.format = v;
      o.json = v === 'json';
    },
  },
  {
    names: ['--jobs', '-j'],
    value: 'N',
    help: 'worker threads (default: the number of available cores)',
    apply: (o, v, f) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new UsageError(`${f}: expected a number from 1 to 256, got "${v}"`);
      o.jobs = Number(v);
    },
  },
  {
    names: ['--exclude'],
    value: 'GLOB',
    help: 'skip files matching GLOB, relative to the current directory (repeatable)',
    apply: (o, v, f) => {
      if (v === '') throw new UsageError(`${f}: expected a glob pattern`);
      const bad = globProblem(v);
      if (bad) throw new UsageError(`${f}: invalid glob ${JSON.stringify(v)}: ${bad}`);
      o.exclude.push(v);
    },
  },
  {
    names: ['--include-vendor'],
    help: 'also walk vendor/ directories',
    apply: (o) => void (o.includeVendor = true),
  },
  {
    names: ['--changed-since'],
    value: 'REF',
    help: 'only files changed since the git revision REF (plus untracked, not ignored files)',
    apply: (o, v, f) => {
      if (v === '') throw new UsageError(`${f}: expected a git revision`);
      o.changedSince = v;
    },
  },
  {
    names: ['--shard'],
    value: 'K/N',
    help: 'process only shard K of N (a stable partition by path, for parallel CI jobs)',
    apply: (o, v, f) => {
      const shard = parseShard(v);
      if (!shard) throw new UsageError(`${f}: expected K/N with 1 <= K <= N, got "${v}"`);
      o.shard = shard;
    },
  },
  {
    names: ['--allow-dirty'],
    help: 'with --write or -i, also write files that have uncommitted git changes',
    apply: (o) => void (o.allowDirty = true),
  },
  {
    names: ['--break-hardlinks'],
    help: 'with --write, also replace files that have other hard links (the other links keep the old text)',
    apply: (o) => void (o.breakHardlinks = true),
  },
  {
    names: ['--quiet', '-q'],
    help: 'no progress line and no summary on stderr (errors still print)',
    apply: (o) => void (o.quiet = true),
  },
  {
    names: ['--stats'],
    help: 'print the detailed end summary even when stderr is not a terminal',
    apply: (o) => void (o.stats = true),
  },
  {
    names: ['--no-prefilter'],
    help: "parse every file, even those containing no rule's trigger text (for checking the prefilter)",
    apply: (o) => void (o.prefilter = false),
  },
  {
    names: ['--cache-dir'],
    value: 'DIR',
    help: 'keep the result cache in DIR (default: $XDG_CACHE_HOME/gopitfix or ~/.cache/gopitfix)',
    apply: (o, v, f) => {
      if (v === '') throw new UsageError(`${f}: expected a directory`);
      o.cacheDir = v;
    },
  },
  {
    names: ['--no-cache'],
    help: 'neither read nor write the result cache',
    apply: (o) => void (o.cache = false),
  },
  {
    names: ['--rules'],
    value: 'a,b',
    help: 'run only these rules',
    apply: (o, v, f) => void (o.rules = [...(o.rules ?? []), ...ruleList(v, f)]),
  },
  {
    names: ['--disable'],
    value: 'a,b',
    help: 'do not run these rules',
    apply: (o, v, f) => void o.disable.push(...ruleList(v, f)),
  },
  {
    names: ['--plugin'],
    value: 'FILE',
    help: 'load rules from an ES module (default export: a rule or an array of rules); repeatable',
    apply: (o, v, f) => {
      if (v === '') throw new UsageError(`${f}: expected a file path`);
      o.plugins.push(v);
    },
  },
  {
    names: ['--list-rules'],
    help: 'list the rules (id, default on/off, Go versions, summary) and exit',
    apply: (o) => void (o.listRules = true),
  },
  {
    names: ['--go'],
    value: '1.N',
    help: "treat every file as this Go language version (default: nearest go.mod's go line)",
    apply: (o, v, f) => {
      const ver = parseGoVersion(v);
      if (!ver || ver.major !== 1) throw new UsageError(`${f}: invalid Go version "${v}" (want 1.N, e.g. 1.21)`);
      o.go = ver;
    },
  },
  {
    names: ['--color'],
    help: 'color the diffs even when stdout is not a terminal',
    apply: (o) => void (o.color = true),
  },
  {
    names: ['--no-color'],
    help: 'never color the output',
    apply: (o) => void (o.color = false),
  },
  {
    names: ['--include-generated'],
    help: 'also process files marked "// Code generated ... DO NOT EDIT."',
    apply: (o) => void (o.includeGenerated = true),
  },
  {
    names: ['--max-file-size'],
    value: 'SIZE',
    help: 'skip (and report) files larger than this: bytes, or 512K, 10M, 1G (default 10M)',
    apply: (o, v, f) => {
      const n = parseSize(v);
      if (n === null) throw new UsageError(`${f}: invalid size "${v}" (want bytes or a number with K, M or G, e.g. 10M)`);
      o.maxFileSize = n;
    },
  },
  {
    names: ['--interactive', '-i'],
    help: 'review each fix in the terminal and apply the ones you accept',
    apply: (o) => void (o.interactive = true),
  },
  {
    names: ['--context'],
    value: 'N',
    help: 'lines of context in diffs (default 3)',
    apply: (o, v, f) => {
      if (!/^\d+$/.test(v) || Number(v) > 10000) throw new UsageError(`${f}: expected a number of lines, got "${v}"`);
      o.context = Number(v);
    },
  },
  {
    names: ['--config'],
    value: 'FILE',
    help: 'use this gopitfix.json for every file (default: the nearest one above each file)',
    apply: (o, v, f) => {
      if (v === '') throw new UsageError(`${f}: expected a file name`);
      o.config = v;
    },
  },
  {
    names: ['--help', '-h'],
    help: 'show this help and exit',
    apply: (o) => void (o.help = true),
  },
  {
    names: ['--version'],
    help: 'print the version and exit',
    apply: (o) => void (o.version = true),
  },
];

const byName = new Map<string, FlagSpec>();
for (const spec of FLAGS) for (const n of spec.names) byName.set(n, spec);

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts = defaultOptions();
  let onlyPaths = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPaths || arg === '-' || !arg.startsWith('-')) {
      if (arg === '') throw new UsageError('empty path argument');
      opts.paths.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPaths = true;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag ${name} (see gopitfix --help)`);
    let value = '';
    if (spec.value !== undefined) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (spec.optionalValue) value = '';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`${name} needs a value (${name} ${spec.value})`);
    } else if (eq >= 0) {
      throw new UsageError(`${name} takes no value`);
    }
    spec.apply(opts, value, name);
  }
  if (opts.write && opts.check) throw new UsageError('--write and --check cannot be combined');
  if (opts.interactive && (opts.write || opts.check || opts.json || opts.format !== 'text')) {
    throw new UsageError('--interactive cannot be combined with --write, --check, --json or --format');
  }
  if (opts.interactive && opts.failOn !== null) throw new UsageError('--fail-on cannot be combined with --interactive');
  if (opts.paths.length === 0) opts.paths.push('.');
  return opts;
}

/** `docsDir`: where the rule READMEs are (the package's transforms/ directory), when known. */
export function usage(docsDir?: string): string {
  const rows = FLAGS.map((s) => {
    const names = s.names.join(', ') + (s.value ? (s.optionalValue ? `[=${s.value}]` : ` ${s.value}`) : '');
    return [names, s.help] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  const lines = [
    'Usage: gopitfix [options] [paths...]',
    '',
    'Finds Go concurrency pitfalls and rewrites them. Paths are files, directories',
    '(walked recursively) or Go patterns (./..., ./pkg/...); the default is ".".',
    'Without --write or --check it is a dry run: unified diffs on stdout, notes on stderr.',
    '',
    'Options:',
    ...rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`),
    '',
    'Configuration: the nearest gopitfix.json above each file (rules on/off and their',
    'options, exclude globs, go version, tests, plugins); --config FILE uses one for all.',
    'Suppress a finding with //gopitfix:ignore [rule,...] on its line or the line above,',
    'a whole file with //gopitfix:ignore-file; //nolint forms work too.',
    `Rule docs: ${docsDir ?? 'transforms'}/<rule>/README.md (rule ids: --list-rules).`,
    '',
    'Exit codes: 0 ok, 1 findings that --fail-on names (by default: fixable findings',
    'under --check), 2 usage error, 3 some files could not be processed (the others',
    'were), 130/143 interrupted by SIGINT/SIGTERM (--write, -i).',
  ];
  return lines.join('\n') + '\n';
}

/** "any", ">=1.21", "<1.22" or ">=1.18 <1.22": the Go-version column of --list-rules. */
export function goRangeText(range?: { min?: string; max?: string }): string {
  const parts: string[] = [];
  const fmt = (s: string) => {
    const v = parseGoVersion(s);
    return v ? formatGoVersion(v) : s;
  };
  if (range?.min) parts.push(`>=${fmt(range.min)}`);
  if (range?.max) parts.push(`<${fmt(range.max)}`);
  return parts.length ? parts.join(' ') : 'any';
}
