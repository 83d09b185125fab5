// Worker-thread entry of the batch pool: loads the grammar once, then runs batches of
// tasks and posts one WireResult per file as soon as it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '../engine/engine.js';
import { loadPlugins } from './plugins.js';
import { runTask, type Profile, type Task, type TaskSettings } from './task.js';
import { testOutOfMemory } from './heap.js';

export interface WorkerInit {
  settings: TaskSettings;
  /** Plugin files the main thread loaded (real paths): their rules must be known here too. */
  plugins: string[];
  /** The worker's old-generation limit in MB (null: V8's default). */
  heapMb?: number | null;
}

export type ToWorker = { type: 'batch'; tasks: Task[]; profiles: Record<number, Profile> };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; result: import('./task.js').WireResult }
  | { type: 'done' }
  | { type: 'fatal'; message: string };

const port = parentPort;
if (!port) throw new Error('batch worker must run in a worker thread');
const { settings, plugins, heapMb = null } = workerData as WorkerInit;
const profiles = new Map<number, Profile>();

loadPlugins(plugins)
  .then(() => initEngine())
  .then(
    () => port.postMessage({ type: 'ready' } satisfies FromWorker),
    (e: unknown) => port.postMessage({ type: 'fatal', message: `cannot load the Go grammar or a plugin: ${e instanceof Error ? e.message : String(e)}` } satisfies FromWorker),
  );

port.on('message', (msg: ToWorker) => {
  for (const [id, p] of Object.entries(msg.profiles)) profiles.set(Number(id), p);
  for (const task of msg.tasks) {
    testOutOfMemory(task.absPath, heapMb);
    const result = runTask(task, profiles.get(task.profile)!, settings);
    port.postMessage({ type: 'result', result } satisfies FromWorker);
  }
  port.postMessage({ type: 'done' } satisfies FromWorker);
});
