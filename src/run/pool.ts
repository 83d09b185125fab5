// The batch scheduler: runs tasks on a pool of worker threads (each loads the grammar
// once) and hands the results to the caller strictly in task order, so every output is
// byte-identical whatever --jobs is. Memory stays bounded: tasks are dispatched in small
// per-directory batches (consecutive files of one package go to one worker, whose
// package cache then parses the siblings once), and no batch is dispatched more than
// MAX_AHEAD files ahead of the first result not yet handed out.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { initEngine } from '../engine/engine.js';
import { empty, finishTask, prepareTask, type Profile, type Task, type TaskSettings, type WireResult } from './task.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';
import { loadedPluginPaths } from './plugins.js';
import { runWithStatIndex } from './stat-index.js';
import { InOrder } from './in-order.js';
import { boundMainHeap, gateBigFormats, isOutOfMemory, releaseFormatLock, RETRY_FACTOR, workerHeapMb, workerLimits } from './heap.js';

const BATCH_MAX = 32;
const MAX_AHEAD = 1024;

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

interface PoolOptions {
  jobs: number;
  settings: TaskSettings;
  profiles: Map<number, Profile>;
}

/** Files probed in the main thread before a cold-looking run gives the rest to the pool. */
const PROBE = 64;

/** Runs every task; onResult is called once per task, in task order. */
export async function runPool(tasks: readonly Task[], opts: PoolOptions, onResult: (r: WireResult) => void): Promise<void> {
  // With a result cache, the stat index (stat-index.ts) first settles the files whose stat
  // records prove them unchanged, without reading them; the rest take the path below.
  const cacheDir = opts.settings.cacheDir;
  if (cacheDir) {
    await runWithStatIndex(tasks, opts.profiles, { ...opts.settings, cacheDir }, onResult, (rest, cb) => runPoolSettling(rest, opts, cb));
    return;
  }
  return runPoolSettling(tasks, opts, onResult);
}

async function runPoolSettling(tasks: readonly Task[], opts: PoolOptions, onResult: (r: WireResult) => void): Promise<void> {
  const queue = batches(tasks, opts.jobs);
  if (Math.min(opts.jobs, queue.length) <= 1 || !opts.settings.cacheDir) return runTasks(tasks, opts, onResult, queue);
  // With a result cache, the main thread first settles what needs no parser (cache hits,
  // unreadable, generated and trigger-less files) and starts workers, which each load the
  // grammar, only for the rest: a warm run spawns none. The results are the ones a worker
  // would give (the same prepareTask/finishTask), handed out in task order as always.
  // Once a file past the first PROBE needs the parser, the run is not all warm: the rest go
  // to the workers at once, which settle cache hits and trigger-less files as well, in
  // parallel, instead of the main thread reading and prefiltering every file first while
  // the workers wait.
  const order = new InOrder(tasks, onResult);
  const rest: Task[] = [];
  let probed = 0;
  let parse = 0;
  for (const t of tasks) {
    if (probed >= PROBE && parse > 0) {
      rest.push(t);
      continue;
    }
    probed++;
    const p = prepareTask(t, opts.profiles.get(t.profile)!, opts.settings);
    let r: WireResult | null = null;
    if ('result' in p) r = p.result;
    // No key with a cache on: the engine stops before parsing (see resultKey).
    else if (p.key === null) r = finishTask(p);
    if (!r) {
      parse++;
      rest.push(t);
    } else {
      order.settle(r);
      // Nothing before it was waiting, so it went out now: memory stays flat on a warm run.
      if (rest.length === 0) await new Promise((r) => setImmediate(r));
    }
  }
  if (rest.length === 0) return;
  await order.runRest(rest, (batch, cb) => runTasks(batch, opts, cb));
}

/** Runs tasks on a worker thread per batch of `queue` (up to opts.jobs), or in this thread when that is one. */
async function runTasks(tasks: readonly Task[], opts: PoolOptions, onResult: (r: WireResult) => void, queue = batches(tasks, opts.jobs)): Promise<void> {
  const jobs = Math.min(opts.jobs, queue.length);
  if (jobs <= 1) {
    // No thread hop for a small run or --jobs 1: a single-file run pays no worker startup,
    // and a run whose files all settle without the parser (cache hits) loads no grammar.
    gateBigFormats(null);
    let engine = false;
    for (const t of tasks) {
      const p = prepareTask(t, opts.profiles.get(t.profile)!, opts.settings);
      let r: WireResult;
      if ('result' in p) r = p.result;
      else {
        if (!engine && (p.key !== null || !opts.settings.cacheDir)) {
          await initEngine();
          engine = true;
        }
        r = finishTask(p);
      }
      // Worker threads have a bigger stack than the main thread: a file nested deep enough
      // to overflow here is run again in a worker, so that --jobs never changes a result.
      if (overflowed(r)) r = await inWorker(t, opts);
      onResult(r);
      boundMainHeap();
      // Let signal handlers run between files (--write stops cleanly on SIGINT/SIGTERM).
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  await new Pool(tasks, queue, jobs, opts, onResult).run();
}

const STACK_OVERFLOW = /Maximum call stack size exceeded/;

function overflowed(r: WireResult): boolean {
  return STACK_OVERFLOW.test(r.error ?? '') || r.ruleErrors.some((e) => STACK_OVERFLOW.test(e));
}

/** One task on a worker thread of its own, exactly as the pool would run it. */
async function inWorker(t: Task, opts: PoolOptions): Promise<WireResult> {
  let out: WireResult | null = null;
  const task = { ...t, index: 0 };
  await new Pool([task], [[task]], 1, opts, (r) => void (out = r)).run();
  return { ...out!, index: t.index };
}

/**
 * Consecutive tasks of one directory, at most BATCH_MAX each. A run that gives fewer
 * batches than `jobs` (one package of up to BATCH_MAX files, `gopitfix ./pkg`) would leave
 * cores idle: a 20-file package of 25k-line files took 34 s on one core of two. If its
 * files hold SPLIT_MIN_BYTES or more, the biggest batches are halved until every worker
 * has one. Each half's worker loads the grammar and reads the package's siblings for
 * itself: ~0.6 s of CPU on two workers, so a 0.3 MB package took as long split as whole
 * and a 0.55 MB one 9 % less wall time; smaller runs stay whole, in the main thread.
 */
export function batches(tasks: readonly Task[], jobs: number): Task[][] {
  const out = byDirectory(tasks);
  if (out.length >= jobs || tasks.length < 2 || bytesOf(tasks) < SPLIT_MIN_BYTES) return out;
  while (out.length < jobs) {
    let big = 0;
    for (let i = 1; i < out.length; i++) if (out[i].length > out[big].length) big = i;
    const b = out[big];
    if (b.length < 2) break;
    const half = Math.ceil(b.length / 2);
    out.splice(big, 1, b.slice(0, half), b.slice(half));
  }
  return out;
}

const SPLIT_MIN_BYTES = 512 * 1024;

/** The tasks' files' sizes in all (a file that cannot be stat'ed counts 0: its task reports why). */
function bytesOf(tasks: readonly Task[]): number {
  let n = 0;
  for (const t of tasks) {
    try {
      n += statSync(t.absPath).size;
    } catch {
      // counted as empty
    }
    if (n >= SPLIT_MIN_BYTES) break;
  }
  return n;
}

function byDirectory(tasks: readonly Task[]): Task[][] {
  const out: Task[][] = [];
  let cur: Task[] = [];
  let dir = '';
  for (const t of tasks) {
    const d = dirname(t.absPath);
    if (cur.length && (d !== dir || cur.length >= BATCH_MAX)) {
      out.push(cur);
      cur = [];
    }
    dir = d;
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // Under vitest this module is the .ts source; the compiled worker lives in dist/.
  const built = new URL('../../dist/src/run/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('batch worker script not found (run npm run build)');
}

interface Slot {
  worker: Worker;
  /** Its old-generation limit in MB. */
  heapMb: number;
  ready: boolean;
  batch: Task[] | null;
  /** Results of the current batch received so far (in batch order). */
  received: number;
  /** The worker's position in its batch (WorkerInit.progress). */
  progress: Int32Array;
  sentProfiles: Set<number>;
}

class Pool {
  private readonly pending = new Map<number, WireResult>();
  private next = 0;
  private readonly slots: Slot[] = [];
  private resolve!: () => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly tasks: readonly Task[],
    /** The tasks in batches (batches()), dispatched in this order. */
    private readonly queue: Task[][],
    private readonly jobs: number,
    private readonly opts: PoolOptions,
    private readonly onResult: (r: WireResult) => void,
    /** The workers' first old-generation limit in MB (src/run/heap.ts). */
    private readonly firstHeapMb = workerHeapMb(),
  ) {
    this.heapMb = firstHeapMb;
  }

  /** The limit of workers started from now on (raised once a worker ran out of heap). */
  private heapMb: number;

  /** Shared by the workers: one big format at a time (heap.ts, gateBigFormats). */
  private readonly formatLock = new Int32Array(new SharedArrayBuffer(4));

  run(): Promise<void> {
    const done = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    for (let i = 0; i < this.jobs; i++) this.spawn();
    return done.finally(() => this.shutdown());
  }

  private spawn(): void {
    const heapMb = this.heapMb;
    const progress = new SharedArrayBuffer(4);
    const worker = new Worker(workerUrl(), {
      workerData: { settings: this.opts.settings, plugins: loadedPluginPaths(), heapMb, progress, formatLock: this.formatLock.buffer as SharedArrayBuffer } satisfies WorkerInit,
      resourceLimits: workerLimits(heapMb),
    });
    const slot: Slot = { worker, heapMb, ready: false, batch: null, received: 0, progress: new Int32Array(progress), sentProfiles: new Set() };
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      // It may have died holding the lock; at worst two big formats overlap once.
      releaseFormatLock(this.formatLock);
      if (isOutOfMemory(e) && this.onOutOfMemory(slot)) return;
      this.onFailure(slot, e instanceof Error ? e.message : String(e));
    });
    worker.on('exit', (code) => {
      if (code !== 0 && this.slots.includes(slot)) this.onFailure(slot, `exited with code ${code}`);
    });
  }

  /**
   * A worker ran out of heap on a file: the file and the rest of its batch go back to the
   * front of the queue, and the worker that takes the dead one's place (and every worker
   * started after it in this run) gets RETRY_FACTOR times the first limit, so a package
   * too big for the limit costs one failed file, not one per file. A file that runs out
   * of the raised limit too gets an error of its own. No file is lost; nothing hangs.
   * False when no file was in flight (the caller reports a plain failure).
   */
  private onOutOfMemory(slot: Slot): boolean {
    const i = this.slots.indexOf(slot);
    const batch = slot.batch;
    const at = inFlight(slot);
    if (i < 0 || !batch || at < 0) return false;
    this.slots.splice(i, 1);
    void slot.worker.terminate();
    slot.batch = null;
    const culprit = batch[at];
    // Files done before it whose results had not been posted yet are run again.
    const unposted = batch.slice(slot.received, at);
    const after = batch.slice(at + 1);
    const raised = this.firstHeapMb * RETRY_FACTOR;
    if (slot.heapMb >= raised) {
      if (unposted.length + after.length) this.queue.unshift([...unposted, ...after]);
      this.accept(failed(culprit, outOfMemory(slot.heapMb)));
    } else {
      this.queue.unshift([...unposted, culprit, ...after]);
      this.heapMb = raised;
    }
    if (this.next < this.tasks.length) this.spawn();
    return true;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    // A worker already given up on (its files are being retried or reported) is not heard.
    if (!this.slots.includes(slot)) return;
    try {
      switch (m.type) {
        case 'ready':
          slot.ready = true;
          this.feed();
          break;
        case 'results':
          for (const r of m.results) {
            slot.received++;
            this.accept(r);
          }
          break;
        case 'done':
          slot.batch = null;
          slot.received = 0;
          this.feed();
          break;
        case 'fatal':
          this.onFailure(slot, m.message);
          break;
      }
    } catch (e) {
      // A throwing onResult (the caller's bug) must not leave the pool hanging.
      this.reject(e);
    }
  }

  /**
   * A worker died: the file it was on and the rest of its batch become errors (files it had
   * done but not posted yet are run again); the others carry on.
   */
  private onFailure(slot: Slot, message: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    void slot.worker.terminate();
    const batch = slot.batch ?? [];
    const at = Math.max(inFlight(slot), slot.received);
    if (at > slot.received) this.queue.unshift(batch.slice(slot.received, at));
    const lost = batch.slice(at);
    slot.batch = null;
    for (const t of lost) this.accept(failed(t, `${WORKER_FAILED}${message}`));
    if (this.slots.length === 0) {
      for (const b of this.queue.splice(0)) for (const t of b) this.accept(failed(t, `${WORKER_FAILED}${message}`));
    }
    this.feed();
  }

  private accept(r: WireResult): void {
    this.pending.set(r.index, r);
    const before = this.next;
    while (this.pending.has(this.next)) {
      const out = this.pending.get(this.next)!;
      this.pending.delete(this.next);
      this.next++;
      this.onResult(out);
    }
    if (this.next >= this.tasks.length) this.resolve();
    // A worker held back by MAX_AHEAD may go on now.
    else if (this.next !== before) this.feed();
  }

  private feed(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.batch || this.queue.length === 0) continue;
      const b = this.queue[0];
      if (b[0].index - this.next > MAX_AHEAD) return;
      this.queue.shift();
      slot.batch = b;
      const profiles: Record<number, Profile> = {};
      for (const t of b) {
        if (!slot.sentProfiles.has(t.profile)) {
          profiles[t.profile] = this.opts.profiles.get(t.profile)!;
          slot.sentProfiles.add(t.profile);
        }
      }
      Atomics.store(slot.progress, 0, 0);
      slot.worker.postMessage({ type: 'batch', tasks: b, profiles } satisfies ToWorker);
    }
    if (this.tasks.length === 0) this.resolve();
  }

  private shutdown(): void {
    for (const s of this.slots.splice(0)) void s.worker.terminate();
  }
}

const WORKER_FAILED = 'internal error: worker thread failed: ';

/** The position in its batch of the file a worker is on; -1 when it has none. */
function inFlight(slot: Slot): number {
  if (!slot.batch) return -1;
  const at = Atomics.load(slot.progress, 0);
  return at >= slot.received && at < slot.batch.length ? at : -1;
}

function outOfMemory(heapMb: number): string {
  return `out of memory: processing this file needed more than a ${heapMb} MB heap (GOPITFIX_WORKER_HEAP_MB raises the limit; --jobs 1 runs without one)`;
}

function failed(t: Task, error: string): WireResult {
  return { ...empty(t.index, 'error'), error };
}
