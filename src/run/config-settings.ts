// gopitfix.json for a CLI run: every discovered file's nearest config (or --config's) is
// loaded and validated before anything is processed, so a bad config is a usage error
// (exit 2) with nothing written. Per file it decides the rules, their options and the
// language version; command-line flags win over the file.
import { resolve } from 'node:path';
import { ConfigError, ConfigResolver, isExcluded, ruleOptions, selectRules } from './config.js';
import { displayPathOf, type DiscoveredFile } from './discover.js';
import type { Rule } from '../rules/api.js';
import type { GoVersion } from '../go/version.js';

/** What a file runs with: the rules, options and version its gopitfix.json (and the flags) give it. */
export interface FileSettings {
  rules: Rule[];
  ruleOptions: Record<string, Record<string, unknown>>;
  goVersion: GoVersion | null;
  /** false: _test.go files are skipped (unless named on the command line); true: included for every rule; null/absent: unset. */
  tests?: boolean | null;
}

/**
 * Settings per file: null for a file the config's `exclude` removes (a file named on the
 * command line is never excluded). Throws ConfigError, with the config's path relative to cwd.
 */
export function configSettings(
  files: readonly DiscoveredFile[],
  opts: { rules: string[] | null; disable: string[]; go: GoVersion | null; config: string | null; tests?: boolean | null },
  cwd: string,
): (file: DiscoveredFile) => FileSettings | null {
  const byPath = new Map<string, FileSettings | null>();
  // One settings object per config: equal choices are the same object (the batch groups
  // files by choice without serializing each).
  const byConfig = new Map<unknown, FileSettings>();
  try {
    const resolver = new ConfigResolver(opts.config ? resolve(cwd, opts.config) : null);
    for (const f of files) {
      if (f.error) continue;
      const cfg = resolver.forFile(f.absPath);
      if (!f.explicit && isExcluded(cfg, f.absPath)) {
        byPath.set(f.absPath, null);
        continue;
      }
      let settings = byConfig.get(cfg);
      if (!settings) {
        settings = {
          rules: selectRules(cfg, { rules: opts.rules, disable: opts.disable }),
          ruleOptions: ruleOptions(cfg),
          goVersion: opts.go ?? cfg?.go ?? null,
          tests: opts.tests ?? cfg?.tests ?? null,
        };
        byConfig.set(cfg, settings);
      }
      byPath.set(f.absPath, settings);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(displayPathOf(cwd, resolve(cwd, e.file)), e.jsonPath, e.detail);
    throw e;
  }
  return (file) => (byPath.has(file.absPath) ? byPath.get(file.absPath)! : null);
}
