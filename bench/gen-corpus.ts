// A synthetic Go package for scale benchmarks: N files of about L lines each, in one
// package (one directory with a go.mod), written like real concurrent Go: goroutines,
// closures, channels, contexts, WaitGroups, mutexes, plus plain loops and switches. Every
// file declares a struct type whose methods live in the next file, so rules that read
// sibling files (struct fields, function declarations) have cross-file work to do, and
// some functions hold the pitfalls the rules look for (a loop variable captured by a
// goroutine, an unbuffered result channel abandoned by a select, wg.Add inside the
// goroutine, a cancel that is never called, an http.Client without Timeout) in one group
// of functions out of 25; the other groups spell the same code correctly.
//
//   node dist/bench/gen-corpus.js OUT_DIR N L
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every PITFALL_EVERY-th group of functions holds the pitfalls; the others are correct code. */
const PITFALL_EVERY = 25;

function group(i: number, k: number, n: number): string {
  const next = (i + 1) % n;
  const bad = k % PITFALL_EVERY === 0;
  const text = `// run${k} fans out over items and waits for the first result or the context.
func (w *worker${i}) run${k}(ctx context.Context, items []int) error {
	results := make(chan int)
	for _, it := range items {
		go func() {
			results <- it * ${k}
		}()
	}
	select {
	case r := <-results:
		w.mu.Lock()
		w.total += r
		w.mu.Unlock()
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// process${k} counts bytes from in, one goroutine per string.
func process${i}_${k}(ctx context.Context, in <-chan string) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for s := range in {
		wg.Add(1)
		go func(s string) {
			defer wg.Done()
			mu.Lock()
			total += len(s)
			mu.Unlock()
		}(s)
	}
	wg.Wait()
	tctx, cancel := context.WithTimeout(ctx, ${k % 7 + 1}*time.Second)
	if total == 0 {
		return 0, tctx.Err()
	}
	_ = cancel
	return total, nil
}

// start${k} launches a background loop on a worker declared in another file.
func (w *worker${next}) start${k}(stop <-chan struct{}) {
	go func() {
		w.wg.Add(1)
		defer w.wg.Done()
		ticker := time.NewTicker(time.Duration(${k + 1}) * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case t := <-ticker.C:
				w.events <- fmt.Sprintf("tick %d at %v", ${k}, t)
			}
		}
	}()
}

// classify${k} is plain code: a switch and a string builder.
func classify${i}_${k}(values []int) string {
	var b strings.Builder
	for idx, v := range values {
		switch {
		case v < 0:
			b.WriteString("neg")
		case v == 0:
			b.WriteString("zero")
		case v%2 == 0:
			b.WriteString(strconv.Itoa(v / 2))
		default:
			b.WriteString(strconv.Itoa(idx*${k} + v))
		}
		if idx < len(values)-1 {
			b.WriteByte(',')
		}
	}
	return b.String()
}

// fetch${k} asks a server for a value with its own client.
func fetch${i}_${k}(ctx context.Context, url string) (*http.Response, error) {
	client := &http.Client{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return client.Do(req)
}

`;
  if (bad) return text;
  // The correct spelling of each function: what most real code looks like.
  return text
    .replace('results := make(chan int)', 'results := make(chan int, len(items))')
    .replace('for _, it := range items {\n\t\tgo func() {', 'for _, it := range items {\n\t\tit := it\n\t\tgo func() {')
    .replace('\tgo func() {\n\t\tw.wg.Add(1)\n', '\tw.wg.Add(1)\n\tgo func() {\n')
    .replace('\tif total == 0 {\n\t\treturn 0, tctx.Err()\n\t}\n\t_ = cancel\n', '\tdefer cancel()\n\tif total == 0 {\n\t\treturn 0, tctx.Err()\n\t}\n')
    .replace('client := &http.Client{}', 'client := &http.Client{Timeout: 10 * time.Second}')
    .replace(
      /\t\t\t\tw\.events <- (.*)\n/,
      '\t\t\t\tselect {\n\t\t\t\tcase w.events <- $1:\n\t\t\t\tcase <-stop:\n\t\t\t\t\treturn\n\t\t\t\t}\n',
    );
}

const GROUP_LINES = group(0, 0, 1).split('\n').length - 1;

/** The text of file i (of n) with about `lines` lines. */
export function goFile(i: number, n: number, lines: number): string {
  const head = `package scale

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

type worker${i} struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	total  int
	events chan string
}

`;
  const parts = [head];
  const groups = Math.max(1, Math.round((lines - 20) / GROUP_LINES));
  for (let k = 0; k < groups; k++) parts.push(group(i, k, n));
  return parts.join('').replace(/\n+$/, '\n');
}

/** Write the package (replacing dir); returns its size in bytes. */
export function generatePackage(dir: string, files: number, lines: number): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/scale\n\ngo 1.21\n');
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const text = goFile(i, files, lines);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `file${String(i).padStart(3, '0')}.go`), text);
  }
  return bytes;
}

/**
 * One file holding one function of `blocks` blocks of goroutine code, ~21 lines each: a
 * goroutine send the function's ctx can guard (select-ctx-done), a loop variable captured
 * by a goroutine (capture-loop-var), a cancel called on one path only (defer-cancel) and
 * wg.Add inside a goroutine (hoist-wg-add, whose fix removes a statement); every block has
 * findings and fixes. Rules that look at a statement's siblings or at the bindings in sight
 * grow with the function, not just the file: bench.ts times two sizes, and
 * test/package-scale.test.ts counts the steps. No block declares a context, so the exits
 * in sight stay one. Returns the file's size in bytes.
 */
export function generateLongFunction(dir: string, blocks: number): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/long\n\ngo 1.21\n');
  const parts = ['package long\n\nimport (\n\t"context"\n\t"sync"\n\t"time"\n)\n\nfunc long(ctx context.Context, items []int) int {\n\ttotal := 0\n\tvar wg sync.WaitGroup\n'];
  for (let k = 0; k < blocks; k++) {
    parts.push(`\tresults${k} := make(chan int)
\tfor _, it := range items {
\t\tgo func() {
\t\t\tresults${k} <- it * ${k}
\t\t}()
\t}
\tselect {
\tcase r := <-results${k}:
\t\ttotal += r
\tcase <-ctx.Done():
\t\treturn total
\t}
\t_, cancel${k} := context.WithTimeout(ctx, time.Second)
\tgo func() {
\t\twg.Add(1)
\t\tdefer wg.Done()
\t\ttotal++
\t}()
\tif total > ${k} {
\t\tcancel${k}()
\t}
`);
  }
  parts.push('\twg.Wait()\n\treturn total\n}\n');
  const text = parts.join('');
  writeFileSync(join(dir, 'long.go'), text);
  return Buffer.byteLength(text);
}

if (process.argv[1] && /gen-corpus\.[jt]s$/.test(process.argv[1])) {
  const [out, n, l] = process.argv.slice(2);
  if (!out || !Number(n) || !Number(l)) {
    process.stderr.write('usage: node dist/bench/gen-corpus.js OUT_DIR FILES LINES\n');
    process.exit(2);
  }
  const bytes = generatePackage(out, Number(n), Number(l));
  process.stdout.write(`${out}: ${n} files, ~${l} lines each, ${(bytes / 1e6).toFixed(1)} MB\n`);
}
