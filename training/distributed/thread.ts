/**
 * A rollout thread of `spikeloco worker`: executes chunks of worker tasks handed over by the
 * process's main thread, which keeps all Redis I/O (and BullMQ's lock renewal) off this
 * CPU-bound loop. Envs and controllers stay built between chunks (training/task-runner.ts, the
 * local pool's executor, caches them by policy key).
 */
import { parentPort } from 'node:worker_threads';
import { TaskRunner } from '../task-runner.js';
import type { PolicySpec, TaskResult, WorkerTask } from '../task.js';

export type ToThread =
  | { id: number; policy: PolicySpec; tasks: WorkerTask[] }
  /** finish the chunk in hand, then exit (training/worker-exit.ts) */
  | { close: true };
export type FromThread = { id: number; results: TaskResult[] } | { id: number; error: string; label: string };

const port = parentPort!;
const runner = new TaskRunner();
let current: Promise<void> = Promise.resolve();
port.on('message', (m: ToThread) => {
  if ('close' in m) {
    // closing the port lets this thread's event loop run dry: it exits by itself
    void current.then(() => port.close());
    return;
  }
  current = (async () => {
    const results: TaskResult[] = [];
    let label = '';
    try {
      for (const t of m.tasks) {
        label = t.label;
        results.push(await runner.run(m.policy, t));
      }
      port.postMessage({ id: m.id, results } satisfies FromThread);
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e), label } satisfies FromThread);
    }
  })();
});
