/**
 * The messages between the rollout pool (training/pool.ts) and its worker threads
 * (training/worker.ts), in one module both sides import. The payloads are the worker task
 * records of training/task.ts; a policy spec is sent once per worker before its first task.
 */
import type { PolicySpec, TaskResult, WorkerTask } from './task.js';

export type ToWorker =
  /** build (on first use) and cache this policy: envs and controller, by `spec.key` */
  | { type: 'policy'; spec: PolicySpec }
  /** run one task of a policy sent before */
  | { type: 'task'; task: WorkerTask }
  /** finish the task in hand, then exit (training/worker-exit.ts) */
  | { type: 'close' };

export type FromWorker =
  /** the worker is up and takes messages */
  | { type: 'ready' }
  | { type: 'result'; result: TaskResult }
  /** the task of this `index` failed (index −1: the worker itself failed to start) */
  | { type: 'error'; index: number; message: string; stack?: string };
