/** Rollout worker: builds an evaluator once, then answers `eval` messages one member at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { createEvaluator, type EvaluatorInit } from './evaluate.js';

const port = parentPort!;
try {
  const evaluator = await createEvaluator(workerData as EvaluatorInit);
  port.on('message', (m: { type: 'eval'; generation: number; member: number; genome: Float32Array; norm: Parameters<typeof evaluator.evaluate>[3]; distinctSeeds: boolean }) => {
    try {
      port.postMessage({ type: 'result', result: evaluator.evaluate(m.generation, m.member, m.genome, m.norm, m.distinctSeeds) });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', member: m.member, message: e.message, stack: e.stack });
    }
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  port.postMessage({ type: 'error', member: -1, message: e.message, stack: e.stack });
}
