// SARIF 2.1.0 for code-scanning uploads (GitHub, Azure DevOps, IDE viewers): one run,
// the enabled rules as reportingDescriptors (id, summary, help from the rule's README,
// a link to that README), one result per finding with its region, and for fixable
// findings a `fixes` entry whose replacements, applied to the file as read, give the
// fixed text. Columns are UTF-16 code units, as in the JSON output.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Rule } from '../../rules/api.js';
import type { WireFinding } from '../../run/task.js';
import type { Hunk } from '../../engine/fastdiff.js';
import { findingMessage } from '../../engine/api.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

interface SarifRun {
  version: string;
  rules: Rule[];
  findings: WireFinding[];
  /** Files that could not be processed: reported as tool execution notifications. */
  errors: { file: string; message: string }[];
  /** Directory the result paths are relative to (%SRCROOT%); default: the current directory. */
  srcRoot?: string;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'transforms'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Where the rule docs live online: from package.json's `repository` (see README, "Install"). */
interface DocLinks {
  /** The project's page (SARIF tool.driver.informationUri). */
  information: string;
  /** A rule's README at that repository, by its path in the package (null: host layout unknown). */
  doc(docPath: string): string | null;
}

/**
 * Links from a package.json `repository` value (a string or `{ url }`): GitHub, GitLab
 * and Bitbucket URLs in any of npm's spellings (`git+https://…​.git`, `git@host:o/r.git`,
 * `github:o/r`, `o/r`). Null for none, a non-http(s) URL, or a host under the reserved
 * `.invalid` TLD (the placeholder a fork replaces with its public URL): SARIF then carries
 * no links rather than dead ones (each rule's full README is in its `help` text anyway).
 */
export function docLinks(repository: unknown): DocLinks | null {
  const raw: unknown = typeof repository === 'string' ? repository : (repository as { url?: unknown } | null)?.url;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  let url = raw.trim();
  const short = /^(?:(github|gitlab|bitbucket):)?([\w.-]+\/[\w.-]+)$/.exec(url);
  if (short) url = `https://${short[1] === 'gitlab' ? 'gitlab.com' : short[1] === 'bitbucket' ? 'bitbucket.org' : 'github.com'}/${short[2]}`;
  url = url.replace(/^git\+/, '').replace(/^git@([^:]+):/, 'https://$1/').replace(/^(?:git|ssh):\/\/(?:git@)?/, 'https://');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const host = parsed.hostname.toLowerCase();
  if (host === 'invalid' || host.endsWith('.invalid')) return null;
  const base = `https://${parsed.host}${parsed.pathname.replace(/\.git$/, '').replace(/\/+$/, '')}`;
  const blob = host === 'github.com' ? '/blob/HEAD/' : host === 'gitlab.com' ? '/-/blob/HEAD/' : host === 'bitbucket.org' ? '/src/HEAD/' : null;
  return {
    information: base,
    doc: (docPath) => (blob ? base + blob + docPath.split('/').map(encodeURIComponent).join('/') : null),
  };
}

let links: DocLinks | null | undefined;
function packageLinks(): DocLinks | null {
  if (links === undefined) {
    try {
      links = docLinks((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { repository?: unknown }).repository);
    } catch {
      links = null;
    }
  }
  return links;
}

function help(rule: Rule): { text: string; uri?: string } {
  // A plugin rule's documentation: a file of its own (src/run/plugins.ts), not in this package.
  if (isAbsolute(rule.meta.docPath)) {
    try {
      return { text: readFileSync(rule.meta.docPath, 'utf8') };
    } catch {
      return { text: rule.meta.summary };
    }
  }
  const uri = packageLinks()?.doc(rule.meta.docPath) ?? undefined;
  try {
    return { text: readFileSync(join(packageRoot(), rule.meta.docPath), 'utf8'), ...(uri ? { uri } : {}) };
  } catch {
    return { text: rule.meta.summary, ...(uri ? { uri } : {}) };
  }
}

/** Relative display path → a relative URI reference (percent-encoded segments). */
function uriOf(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

export function sarifDocument(run: SarifRun): string {
  const ruleIndex = new Map(run.rules.map((r, i) => [r.meta.id, i]));
  const rules = run.rules.map((r) => {
    const h = help(r);
    return {
      id: r.meta.id,
      name: r.meta.id,
      shortDescription: { text: r.meta.summary },
      fullDescription: { text: r.meta.summary },
      help: { text: h.text, markdown: h.text },
      ...(h.uri ? { helpUri: h.uri } : {}),
      defaultConfiguration: { enabled: r.meta.defaultOn, level: 'warning' },
      properties: { goVersion: r.meta.goVersion ?? null, docPath: r.meta.docPath },
    };
  });
  const results = run.findings.map((f) => {
    const location = {
      physicalLocation: {
        artifactLocation: { uri: uriOf(f.file), uriBaseId: '%SRCROOT%' },
        region: { startLine: f.start.line, startColumn: f.start.column, endLine: f.end.line, endColumn: f.end.column },
      },
    };
    const result: Record<string, unknown> = {
      ruleId: f.rule,
      level: 'warning',
      message: { text: findingMessage(f) },
      locations: [location],
    };
    if (f.noFixReason) result.properties = { noFixReason: f.noFixReason };
    const idx = ruleIndex.get(f.rule);
    if (idx !== undefined) result.ruleIndex = idx;
    // A fix of a later fixpoint pass was computed on an intermediate text: no replacements.
    const replacements = f.fix?.hunks && f.fix.pass === 1 ? replacementsOf(f.fix.hunks) : null;
    if (f.fix && replacements) {
      result.fixes = [
        {
          description: { text: f.fix.description },
          artifactChanges: [
            {
              artifactLocation: { uri: uriOf(f.file), uriBaseId: '%SRCROOT%' },
              replacements: replacements.map((r) => ({
                // Whole lines [startLine, endLine): from column 1 of startLine to column 1 of endLine.
                deletedRegion: { startLine: r.startLine, startColumn: 1, endLine: r.endLine, endColumn: 1 },
                insertedContent: { text: r.inserted },
              })),
            },
          ],
        },
      ];
    }
    return result;
  });
  const doc = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gopitfix',
            version: run.version,
            semanticVersion: run.version,
            ...(packageLinks() ? { informationUri: packageLinks()!.information } : {}),
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL((run.srcRoot ?? process.cwd()).replace(/\/?$/, '/')).href } },
        invocations: [
          {
            executionSuccessful: run.errors.length === 0,
            toolExecutionNotifications: run.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(e.file), uriBaseId: '%SRCROOT%' } } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** A replacement in the original file: delete whole lines [startLine, endLine), insert text. */
interface Replacement {
  startLine: number;
  endLine: number;
  inserted: string;
}

/**
 * Line replacements from a fix's hunks against the file as read: each run of removed and
 * added lines inside a hunk becomes one replacement of whole lines. Line terminators (CRLF
 * too) are kept, so applying the replacements yields exactly the fixed text.
 */
export function replacementsOf(hunks: readonly Hunk[]): Replacement[] {
  const out: Replacement[] = [];
  let cur: Replacement | null = null;
  const flush = () => {
    if (cur) out.push(cur);
    cur = null;
  };
  for (const h of hunks) {
    flush();
    // A hunk's oldStart is its first old line, or the line a pure insertion goes before.
    let oldLine = h.oldStart;
    for (let i = 0; i < h.lines.length; i++) {
      const l = h.lines[i];
      // Every line ends with "\n" except a last line without one ("\ No newline" marker after it).
      const noNewline = h.lines[i + 1]?.startsWith('\\');
      if (l.startsWith(' ')) {
        flush();
        oldLine++;
      } else if (l.startsWith('-')) {
        cur ??= { startLine: oldLine, endLine: oldLine, inserted: '' };
        cur.endLine = ++oldLine;
      } else if (l.startsWith('+')) {
        cur ??= { startLine: oldLine, endLine: oldLine, inserted: '' };
        cur.inserted += l.slice(1) + (noNewline ? '' : '\n');
      }
    }
  }
  flush();
  return out;
}

/** GitHub Actions workflow-command escaping (toolkit's escapeData / escapeProperty). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=rule::message` */
export function githubAnnotation(f: WireFinding): string {
  const props = [
    `file=${escapeProperty(f.file)}`,
    `line=${f.start.line}`,
    `col=${f.start.column}`,
    `endLine=${f.end.line}`,
    `endColumn=${f.end.column}`,
    `title=${escapeProperty(f.rule)}`,
  ].join(',');
  const msg = f.fix ? `${f.message} (fixable: ${f.fix.description}; run gopitfix --write)` : findingMessage(f);
  return `::warning ${props}::${escapeData(msg)}`;
}
