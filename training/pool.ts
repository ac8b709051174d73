/**
 * A pool of rollout workers (`worker_threads`, one per core by default). Each worker builds
 * its envs and controller once, then evaluates genomes handed out one member at a time from a
 * shared queue (so a slow member never idles the other cores). Results are returned in member
 * order and every member's episodes depend only on (run seed, generation, episode index) and
 * its genome, so the outcome is bitwise identical for any number of workers.
 */
import { Worker } from 'node:worker_threads';
import type { EvaluatorInit, MemberResult, NormalizerSnapshot } from './evaluate.js';

type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; result: MemberResult }
  | { type: 'error'; member: number; message: string; stack?: string };

export class WorkerError extends Error {
  constructor(
    readonly member: number,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class RolloutPool {
  private slots: Slot[] = [];
  private closed = false;

  private constructor(readonly size: number) {}

  static async create(size: number, init: EvaluatorInit): Promise<RolloutPool> {
    if (!Number.isInteger(size) || size < 1) throw new Error(`workers: expected an integer ≥ 1, got ${size}`);
    const pool = new RolloutPool(size);
    const url = new URL('./worker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = new Worker(url, { workerData: init });
        pool.slots.push({ worker, busy: false });
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
   * Evaluate `genomes[i]` as member i of `generation` (`distinctSeeds`: see Evaluator.evaluate). Resolves with results in member order;
   * rejects with a `WorkerError` naming the member if any evaluation throws (the remaining
   * work is abandoned and the pool should be closed). `describe(i)` says what member i is in
   * the caller's terms for that message (default "evaluating genome i of generation G"; `generation` is
   * a seed index, which for e.g. the trainer's centre evaluation is offset and means nothing
   * to a reader).
   */
  evaluate(generation: number, genomes: Float32Array[], norm: NormalizerSnapshot | null, distinctSeeds = false, describe?: (member: number) => string): Promise<MemberResult[]> {
    if (this.closed) return Promise.reject(new Error('pool is closed'));
    const results: MemberResult[] = new Array(genomes.length);
    let next = 0, done = 0, failed = false;
    return new Promise((resolve, reject) => {
      const dispatch = (slot: Slot) => {
        if (failed) return;
        if (next >= genomes.length) {
          slot.busy = false;
          if (done === genomes.length) resolve(results);
          return;
        }
        const member = next++;
        slot.busy = true;
        slot.worker.postMessage({ type: 'eval', generation, member, genome: genomes[member], norm, distinctSeeds });
      };
      const listeners: [Worker, (m: FromWorker) => void, (e: Error) => void][] = [];
      const cleanup = () => {
        for (const [w, onMsg, onErr] of listeners) {
          w.off('message', onMsg);
          w.off('error', onErr);
        }
      };
      for (const slot of this.slots) {
        const onMsg = (m: FromWorker) => {
          if (m.type === 'result') {
            results[m.result.member] = m.result;
            done++;
            if (done === genomes.length) {
              cleanup();
              resolve(results);
            } else dispatch(slot);
          } else if (m.type === 'error') {
            failed = true;
            cleanup();
            const what = describe ? describe(m.member) : `evaluating genome ${m.member} of generation ${generation}`;
            reject(new WorkerError(m.member, `${what} failed: ${m.message}`));
          }
        };
        const onErr = (e: Error) => {
          failed = true;
          cleanup();
          reject(new WorkerError(-1, `a rollout worker crashed: ${e.message}`));
        };
        slot.worker.on('message', onMsg);
        slot.worker.on('error', onErr);
        listeners.push([slot.worker, onMsg, onErr]);
      }
      if (genomes.length === 0) {
        cleanup();
        resolve(results);
        return;
      }
      for (const slot of this.slots) dispatch(slot);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}
