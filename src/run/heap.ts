// Heap limits of the batch pool's worker threads. A worker's JavaScript heap is capped so
// that V8 collects early instead of letting each worker's heap balloon to its default
// limit (peak RSS grew with the biggest file of a run: 1.1 GB on a package of 50 files of
// 20k lines). A worker that runs out of that heap dies; the pool puts the file it was on
// back in the queue and starts its replacement (and every later worker of the run) with
// RETRY_FACTOR times the limit, and reports a clear per-file error if a file runs out of
// that too. No file is lost and nothing hangs.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ResourceLimits } from 'node:worker_threads';
import { releaseFormatter, setFormatGate } from '../engine/format.js';

/** Old-generation limit of a pool worker, in MB (no file of the stdlib or of a 50 x 20k-line package needed more). */
const WORKER_HEAP_MB = 128;

/** Workers started after one ran out of heap get this many times the first limit. */
export const RETRY_FACTOR = 8;

/**
 * The limit in force: GOPITFIX_WORKER_HEAP_MB (internal: tests set a tiny one to make a
 * worker run out of heap on purpose) or WORKER_HEAP_MB.
 */
export function workerHeapMb(): number {
  const v = Number(process.env.GOPITFIX_WORKER_HEAP_MB);
  return Number.isInteger(v) && v > 0 ? v : WORKER_HEAP_MB;
}

export function workerLimits(heapMb: number): ResourceLimits {
  // V8's default young generation (48 MB) lets each worker's heap balloon between
  // collections; 16 MB cut peak RSS on the Go stdlib by ~60-80 MB at no measurable cost.
  // 8 MB saved another ~25 MB there (214 → 188 MB) and ~20 MB on 40 files of 25k lines,
  // but cost those big files ~10-15 % more CPU (more scavenges and promotions).
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: heapMb };
}

/** Whether a worker's 'error' event is V8 running out of the worker's heap. */
export function isOutOfMemory(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * Test hook (internal, for the out-of-memory tests only): GOPITFIX_TEST_OOM=<file name>
 * makes a worker whose limit is below GOPITFIX_TEST_OOM_BELOW_MB (default: the retry's,
 * so only the first try fails) exhaust its heap when it starts on that file; a
 * deterministic stand-in for a file too big for the limit. Never set in real runs.
 */
export function testOutOfMemory(absPath: string, heapMb: number | null): void {
  const name = process.env.GOPITFIX_TEST_OOM;
  if (!name || heapMb === null || !absPath.endsWith('/' + name)) return;
  const below = Number(process.env.GOPITFIX_TEST_OOM_BELOW_MB) || workerHeapMb() * RETRY_FACTOR;
  if (heapMb >= below) return;
  const hog: number[][] = [];
  for (;;) hog.push(new Array(1 << 16).fill(hog.length));
}

let gcFn: (() => void) | null | undefined;

/** V8's full collection, made callable once per thread (null: the flag could not be set). */
function collector(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

const MB = 1024 * 1024;

/**
 * A check to run after each file: a full collection once the heap in use passes a
 * threshold, which starts at `first` and is then `next(what the collection kept)`.
 */
function heapBound(first: number, next: (kept: number) => number): () => void {
  let threshold = first;
  return () => {
    const gc = collector();
    if (!gc || getHeapStatistics().used_heap_size < threshold) return;
    gc();
    threshold = next(getHeapStatistics().used_heap_size);
  };
}

/**
 * The main thread has no heap limit of its own (it cannot be given one after start-up,
 * and running out would end the run): when it processes the files itself (--jobs 1, or a
 * run of one batch), V8 let garbage pile up to ~100 MB over a package of big files. After
 * each file, once the heap in use passes a threshold (MAIN_HEAP_MB, or twice what the
 * last collection kept), a full collection is forced.
 */
const MAIN_HEAP_MB = 128;
export const boundMainHeap = heapBound(MAIN_HEAP_MB * MB, (kept) => Math.max(MAIN_HEAP_MB * MB, 2 * kept));

/**
 * Between two files of a pool worker: the formatter's instance is dropped, and once the
 * heap in use is WORKER_GARBAGE_MB above what the last full collection kept, a full
 * collection is forced (the dropped instance's memory goes with it). Left to V8, a
 * worker's heap grew to ~100 MB of which ~40 MB was live on a package of 300 files of 25k
 * lines (each file there leaves ~20-30 MB of garbage), and peak RSS follows the heaps of
 * both workers. On small files the allowance is seldom reached, so it costs them nothing.
 */
const WORKER_GARBAGE_MB = 24;
const boundWorkerGarbage = heapBound(2 * WORKER_GARBAGE_MB * MB, (kept) => kept + WORKER_GARBAGE_MB * MB);

export function boundWorkerHeap(): void {
  releaseFormatter();
  boundWorkerGarbage();
}

/** How long a thread waits for another's big format before going ahead anyway. */
const FORMAT_WAIT_MS = 5000;

/**
 * Big formats (src/engine/format.ts) in this thread: one at a time across the threads
 * sharing `lock` (one Int32: 1 while a thread formats), and the dropped formatter's
 * memory reclaimed by a full collection right after, instead of whenever V8 gets to it.
 * A thread never waits more than FORMAT_WAIT_MS for the lock (a thread that died holding
 * it cannot stall the run; the pool also frees it then). Without a lock (the main thread
 * running files itself), only the collection.
 */
export function gateBigFormats(lock: Int32Array | null): void {
  setFormatGate(<T>(format: () => T): T => {
    let held = false;
    if (lock) {
      for (;;) {
        if (Atomics.compareExchange(lock, 0, 0, 1) === 0) {
          held = true;
          break;
        }
        if (Atomics.wait(lock, 0, 1, FORMAT_WAIT_MS) === 'timed-out') break;
      }
    }
    try {
      return format();
    } finally {
      collector()?.();
      if (held) releaseFormatLock(lock!);
    }
  });
}

/** Frees the big-format lock (its holder is done, or died). */
export function releaseFormatLock(lock: Int32Array): void {
  Atomics.store(lock, 0, 0);
  Atomics.notify(lock, 0, 1);
}
