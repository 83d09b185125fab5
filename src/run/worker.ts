// Worker-thread entry of the batch pool: loads the grammar once, then runs batches of
// tasks and posts one WireResult per file as soon as it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '../engine/engine.js';
import { loadPlugins } from './plugins.js';
import { runTask, type Profile, type Task, type TaskSettings, type WireResult } from './task.js';
import { boundWorkerHeap, gateBigFormats, testOutOfMemory } from './heap.js';

export interface WorkerInit {
  settings: TaskSettings;
  /** Plugin files the main thread loaded (real paths): their rules must be known here too. */
  plugins: string[];
  /** The worker's old-generation limit in MB (null: V8's default). */
  heapMb?: number | null;
  /**
   * One Int32: the position in its batch of the file this worker is on, written before each
   * file; the pool reads it if the thread dies (results are posted in groups, so the count
   * of results received does not tell which file was in flight).
   */
  progress: SharedArrayBuffer;
  /** One Int32 shared by the pool's workers: big formats run one at a time (heap.ts, gateBigFormats). */
  formatLock: SharedArrayBuffer;
}

export type ToWorker = { type: 'batch'; tasks: Task[]; profiles: Record<number, Profile> };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'results'; results: import('./task.js').WireResult[] }
  | { type: 'done' }
  | { type: 'fatal'; message: string };

const port = parentPort;
if (!port) throw new Error('batch worker must run in a worker thread');
const { settings, plugins, heapMb = null, progress: progressBuffer, formatLock } = workerData as WorkerInit;
const progress = new Int32Array(progressBuffer);
gateBigFormats(new Int32Array(formatLock));
const profiles = new Map<number, Profile>();

loadPlugins(plugins)
  .then(() => initEngine())
  .then(
    () => port.postMessage({ type: 'ready' } satisfies FromWorker),
    (e: unknown) => port.postMessage({ type: 'fatal', message: `cannot load the Go grammar or a plugin: ${e instanceof Error ? e.message : String(e)}` } satisfies FromWorker),
  );

port.on('message', (msg: ToWorker) => {
  for (const [id, p] of Object.entries(msg.profiles)) profiles.set(Number(id), p);
  // Most files come back with nothing in them (no trigger, no finding): those wait for the
  // batch's end, one message for all (a message per file cost ~4 % of a worker's time on
  // the standard library); a result with findings or a change goes out at once.
  let light: WireResult[] = [];
  const post = (results: WireResult[]) => port.postMessage({ type: 'results', results } satisfies FromWorker);
  msg.tasks.forEach((task, i) => {
    Atomics.store(progress, 0, i);
    testOutOfMemory(task.absPath, heapMb);
    const result = runTask(task, profiles.get(task.profile)!, settings);
    boundWorkerHeap();
    if (result.findings.length || result.changed) {
      if (light.length) post(light);
      light = [];
      post([result]);
    } else light.push(result);
  });
  if (light.length) post(light);
  port.postMessage({ type: 'done' } satisfies FromWorker);
});
