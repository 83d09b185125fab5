// Seeded, reproducible mutations of Go source for fuzzing the engine: the same seed
// always gives the same mutated text, so a failure is reproduced from its seed alone.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripExpectations } from '../testing/want.js';

/** mulberry32: small, fast, good enough to pick offsets. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

const int = (r: Rand, n: number) => Math.floor(r() * n);

function lineBounds(s: string, r: Rand): { start: number; end: number } {
  const at = int(r, s.length + 1);
  const start = s.lastIndexOf('\n', at - 1) + 1;
  const nl = s.indexOf('\n', at);
  return { start, end: nl < 0 ? s.length : nl + 1 };
}

function occurrences(s: string, re: RegExp): number[] {
  const out: number[] = [];
  for (const m of s.matchAll(re)) out.push(m.index!);
  return out;
}

/** Tokens, roughly: identifiers/numbers, strings, operators, single punctuation. */
const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9a-fA-FxX_.]*|"(?:[^"\\\n]|\\.)*"|<-|:=|==|!=|&&|\|\||[^\sA-Za-z0-9_]/g;

const STRAYS = ['<-', '{', '}', '(', ')', ':=', '"', '`', '/*', '//', ';', ',', 'go ', 'defer ', 'func', '\r', '\u00e9', '\u{1F600}', '\t\t'];

interface Mutation {
  name: string;
  apply(s: string, r: Rand): string;
}

export const MUTATIONS: Mutation[] = [
  { name: 'truncate', apply: (s, r) => s.slice(0, int(r, s.length + 1)) },
  {
    name: 'delete-brace',
    apply: (s, r) => {
      const at = occurrences(s, /[{}]/g);
      if (!at.length) return s;
      const i = at[int(r, at.length)];
      return s.slice(0, i) + s.slice(i + 1);
    },
  },
  {
    name: 'duplicate-line',
    apply: (s, r) => {
      const { start, end } = lineBounds(s, r);
      return s.slice(0, end) + s.slice(start, end) + s.slice(end);
    },
  },
  {
    name: 'delete-line',
    apply: (s, r) => {
      const { start, end } = lineBounds(s, r);
      return s.slice(0, start) + s.slice(end);
    },
  },
  {
    name: 'insert-stray',
    apply: (s, r) => {
      const at = int(r, s.length + 1);
      return s.slice(0, at) + STRAYS[int(r, STRAYS.length)] + s.slice(at);
    },
  },
  {
    name: 'swap-tokens',
    apply: (s, r) => {
      const toks = [...s.matchAll(TOKEN)];
      if (toks.length < 2) return s;
      const i = int(r, toks.length - 1);
      const a = toks[i];
      const b = toks[i + 1];
      const aEnd = a.index! + a[0].length;
      return s.slice(0, a.index!) + b[0] + s.slice(aEnd, b.index!) + a[0] + s.slice(b.index! + b[0].length);
    },
  },
  {
    name: 'delete-token',
    apply: (s, r) => {
      const toks = [...s.matchAll(TOKEN)];
      if (!toks.length) return s;
      const t = toks[int(r, toks.length)];
      return s.slice(0, t.index!) + s.slice(t.index! + t[0].length);
    },
  },
  {
    name: 'delete-bytes',
    apply: (s, r) => {
      const at = int(r, s.length + 1);
      return s.slice(0, at) + s.slice(at + 1 + int(r, 8));
    },
  },
];

/** Apply 1–3 mutations chosen by the seed. Returns the text and what was done. */
export function mutate(source: string, seed: number): { text: string; steps: string[] } {
  const r = rng(seed);
  const n = 1 + int(r, 3);
  let text = source;
  const steps: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = MUTATIONS[int(r, MUTATIONS.length)];
    text = m.apply(text, r);
    steps.push(m.name);
  }
  return { text, steps };
}

/** The fuzzer's seed files: every fixture input, plus stdlib files with each rule's shapes. */
const FUZZ_CORPUS = '/usr/share/go-1.19/src';
const FUZZ_CORPUS_FILES = [
  'cmd/vet/testdata/lostcancel/lostcancel.go',
  'runtime/race/testdata/waitgroup_test.go',
  'net/http/httptest/server.go',
  'net/http/httputil/dump.go',
  'cmd/go/internal/web/http.go',
  'sync/atomic/value_test.go',
  'strings/builder_test.go',
  'time/sleep_test.go',
];

interface FuzzInput {
  absPath: string;
  name: string;
  source: string;
}

/** Seed inputs of the mutation fuzzer (the test's short run and `npm run fuzz`), from the repository root. */
export function fuzzInputs(root: string): FuzzInput[] {
  const out: FuzzInput[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.input.go')) out.push({ absPath: p, name: relative(root, p), source: stripExpectations(readFileSync(p, 'utf8')) });
    }
  };
  walk(join(root, 'fixtures'));
  for (const f of FUZZ_CORPUS_FILES) {
    const p = join(FUZZ_CORPUS, f);
    if (existsSync(p)) out.push({ absPath: p, name: `stdlib:${f}`, source: readFileSync(p, 'utf8') });
  }
  return out;
}

/** The fuzz case of a seed: the seed picks the input file as well, so it alone reproduces the case. */
export function fuzzCase(files: readonly FuzzInput[], seed: number): { file: FuzzInput; text: string; steps: string[]; tag: string } {
  const file = files[Math.floor(rng(seed ^ 0x5bd1e995)() * files.length)];
  const { text, steps } = mutate(file.source, seed);
  return { file, text, steps, tag: `seed=${seed} file=${file.name} mutations=${steps.join('+')}` };
}
