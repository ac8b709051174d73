/** A fixed set of rollout threads (thread.ts) that each run one chunk at a time. */
import { Worker } from 'node:worker_threads';
import type { PolicySpec, TaskResult, WorkerTask } from '../task.js';
import type { FromThread, ToThread } from './thread.js';
import { endWorker } from '../worker-exit.js';

export class TaskError extends Error {
  constructor(
    readonly label: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

interface Slot {
  worker: Worker;
  pending: { id: number; resolve: (r: TaskResult[]) => void; reject: (e: Error) => void } | null;
}

export class RolloutThreads {
  private slots: Slot[] = [];
  private free: Slot[] = [];
  private waiters: ((s: Slot) => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const slot: Slot = { worker: new Worker(new URL('./thread.js', import.meta.url)), pending: null };
    slot.worker.on('message', (m: FromThread) => {
      const p = slot.pending;
      if (!p || p.id !== m.id) return;
      slot.pending = null;
      if ('error' in m) p.reject(new TaskError(m.label, m.error));
      else p.resolve(m.results);
      this.release(slot);
    });
    slot.worker.on('error', (e) => {
      // a thread that crashed (not a task that threw) is replaced; its chunk fails and is retried by BullMQ
      const p = slot.pending;
      slot.pending = null;
      this.slots = this.slots.filter((s) => s !== slot);
      if (!this.closed) this.spawn();
      p?.reject(new Error(`a rollout thread crashed: ${e.message}`));
    });
    this.slots.push(slot);
    this.release(slot);
  }

  private release(slot: Slot): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w(slot);
    else this.free.push(slot);
  }

  async run(policy: PolicySpec, tasks: WorkerTask[]): Promise<TaskResult[]> {
    if (this.closed) throw new Error('rollout threads are closed');
    const slot = this.free.pop() ?? (await new Promise<Slot>((r) => this.waiters.push(r)));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      slot.pending = { id, resolve, reject };
      slot.worker.postMessage({ id, policy, tasks } satisfies ToThread);
    });
  }

  get busy(): number {
    return this.slots.filter((s) => s.pending).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => endWorker(s.worker, { close: true } satisfies ToThread)));
    this.slots = [];
    this.free = [];
  }
}
