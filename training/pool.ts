/**
 * The local evaluation backend: a pool of rollout workers (`worker_threads`, one per core by
 * default) behind `EvaluationBackend` (training/task.ts). Each worker is sent a policy spec
 * once, builds its envs and controller once per policy key, then runs worker tasks handed out
 * one at a time from a shared queue (so a slow task never idles the other cores). Results come
 * back in task order whatever the arrival order, and every task says all its seeds and
 * conditions, so the outcome is bitwise identical for any number of workers.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './pool-messages.js';
import { endWorker } from './worker-exit.js';
import type { EvaluationBackend, PolicySpec, TaskResult, WorkerTask } from './task.js';

export class WorkerError extends Error {
  constructor(
    /** the failing task's `index` in its batch (−1: a worker crashed) */
    readonly member: number,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

interface Slot {
  worker: Worker;
  /** policy keys this worker was sent */
  policies: Set<string>;
}

export class RolloutPool implements EvaluationBackend {
  private slots: Slot[] = [];
  private closed = false;

  private constructor(readonly size: number) {}

  get threads(): number {
    return this.size;
  }

  static async create(size: number): Promise<RolloutPool> {
    if (!Number.isInteger(size) || size < 1) throw new Error(`workers: expected an integer ≥ 1, got ${size}`);
    const pool = new RolloutPool(size);
    const url = new URL('./worker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = new Worker(url);
        pool.slots.push({ worker, policies: new Set() });
        await new Promise<void>((resolve, reject) => {
          const onMsg = (m: FromWorker) => {
            if (m.type === 'ready') {
              worker.off('message', onMsg);
              worker.off('error', reject);
              resolve();
            } else if (m.type === 'error') reject(new Error(`worker failed to start: ${m.message}`));
          };
          worker.on('message', onMsg);
          worker.once('error', reject);
        });
      }),
    );
    return pool;
  }

  /**
   * Run every task of `policy`; resolves with the results in task `index` order (whatever the
   * order of `tasks` or of arrival: the interface's contract), or rejects
   * with a `WorkerError` "<task label> failed: …" if any task throws (the remaining work is
   * abandoned and the pool should be closed).
   */
  run(policy: PolicySpec, tasks: WorkerTask[]): Promise<TaskResult[]> {
    if (this.closed) return Promise.reject(new Error('pool is closed'));
    const results: TaskResult[] = new Array(tasks.length);
    // a result's slot: the rank of its task's index in the batch
    const position = new Map<number, number>();
    const byTask = new Map<number, WorkerTask>();
    for (const t of tasks) {
      if (t.policyKey !== policy.key) return Promise.reject(new Error(`${t.label}: the task is for policy ${t.policyKey}, not ${policy.key}`));
      if (byTask.has(t.index)) return Promise.reject(new Error(`${t.label}: task index ${t.index} appears twice in the batch`));
      byTask.set(t.index, t);
    }
    [...byTask.keys()].sort((a, b) => a - b).forEach((index, rank) => position.set(index, rank));
    let next = 0, done = 0, failed = false;
    return new Promise((resolve, reject) => {
      const post = (slot: Slot, m: ToWorker) => slot.worker.postMessage(m);
      const dispatch = (slot: Slot) => {
        if (failed || next >= tasks.length) return;
        const task = tasks[next++];
        if (!slot.policies.has(policy.key)) {
          post(slot, { type: 'policy', spec: policy });
          slot.policies.add(policy.key);
        }
        post(slot, { type: 'task', task });
      };
      const listeners: [Worker, (m: FromWorker) => void, (e: Error) => void][] = [];
      const cleanup = () => {
        for (const [w, onMsg, onErr] of listeners) {
          w.off('message', onMsg);
          w.off('error', onErr);
        }
      };
      const fail = (e: WorkerError) => {
        failed = true;
        cleanup();
        reject(e);
      };
      for (const slot of this.slots) {
        const onMsg = (m: FromWorker) => {
          if (m.type === 'result') {
            const i = position.get(m.result.index);
            if (i === undefined || m.result.runId !== byTask.get(m.result.index)!.runId) {
              fail(new WorkerError(m.result.index, `a rollout worker answered a task not in this batch (index ${m.result.index}, run ${m.result.runId})`));
              return;
            }
            results[i] = m.result;
            if (++done === tasks.length) {
              cleanup();
              resolve(results);
            } else dispatch(slot);
          } else if (m.type === 'error') {
            const what = byTask.get(m.index)?.label ?? `task ${m.index}`;
            fail(new WorkerError(m.index, `${what} failed: ${m.message}`));
          }
        };
        const onErr = (e: Error) => fail(new WorkerError(-1, `a rollout worker crashed: ${e.message}`));
        slot.worker.on('message', onMsg);
        slot.worker.on('error', onErr);
        listeners.push([slot.worker, onMsg, onErr]);
      }
      if (tasks.length === 0) {
        cleanup();
        resolve(results);
        return;
      }
      for (const slot of this.slots) dispatch(slot);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => endWorker(s.worker, { type: 'close' } satisfies ToWorker)));
    this.slots = [];
  }
}
