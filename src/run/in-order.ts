// Results handed out in task order, whatever order they settle in: the pool and the stat
// index both settle some tasks in the main thread and hand the rest to another runner.
import type { Task, WireResult } from './task.js';

export class InOrder {
  private readonly settled = new Map<number, WireResult>();
  private next = 0;

  constructor(
    private readonly tasks: readonly Task[],
    private readonly onResult: (r: WireResult) => void,
  ) {}

  /** A task's result (r.index is the task's index); out goes whatever is next in order. */
  settle(r: WireResult): void {
    this.settled.set(r.index, r);
    while (this.next < this.tasks.length && this.settled.has(this.tasks[this.next].index)) {
      const out = this.settled.get(this.tasks[this.next].index)!;
      this.settled.delete(this.tasks[this.next].index);
      this.next++;
      this.onResult(out);
    }
  }

  /**
   * Runs `rest` (some of the tasks) through `run`, which numbers them 0..n-1 as a batch of
   * its own; each result is settled under its task's index (`seen` gets it first, with the
   * task and its batch number).
   */
  async runRest(
    rest: readonly Task[],
    run: (tasks: Task[], onResult: (r: WireResult) => void) => Promise<void>,
    seen?: (t: Task, i: number, r: WireResult) => void,
  ): Promise<void> {
    await run(
      rest.map((t, i) => ({ ...t, index: i })),
      (r) => {
        const t = rest[r.index];
        seen?.(t, r.index, r);
        this.settle({ ...r, index: t.index });
      },
    );
  }
}
