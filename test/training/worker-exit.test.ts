/**
 * Ending rollout threads (training/worker-exit.ts): a pool worker or a distributed rollout
 * thread asked to close after real work leaves by itself (exit code 0, not the 1 of
 * `terminate()`), even with a task still in hand; a thread that ignores the request is
 * terminated after the grace period; an exited thread is left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { antSpec } from '../../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import { LocomotionEnv } from '../../sim/env.js';
import { policySpec } from '../../training/task-runner.js';
import { endWorker } from '../../training/worker-exit.js';
import { RolloutPool } from '../../training/pool.js';
import { TASK_FORMAT_VERSION, type WorkerTask } from '../../training/task.js';
import type { FromWorker, ToWorker } from '../../training/pool-messages.js';
import type { FromThread, ToThread } from '../../training/distributed/thread.js';

const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 });
const spec = policySpec({ morphology: antSpec(), controller });

async function aTask(index: number, maxSteps = 30): Promise<WorkerTask> {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const genome = initGenome(genomeLayoutFor(controller, env.obsSize, env.actSize), 3);
  env.free();
  return { version: TASK_FORMAT_VERSION, runId: 'exit', label: `task ${index}`, index, policyKey: spec.key, genome, normalizer: null, collectStats: false, episodes: [{ seed: 1, maxSteps, condition: 'flat', switches: [] }] };
}

const exitCode = (w: Worker) => new Promise<number>((resolve) => w.once('exit', resolve));
const next = <T>(w: Worker) => new Promise<T>((resolve) => w.once('message', resolve));

test('a pool worker asked to close finishes the task in hand, answers it, and exits by itself', async () => {
  const w = new Worker(new URL('../../training/worker.js', import.meta.url));
  const code = exitCode(w);
  assert.equal((await next<FromWorker>(w)).type, 'ready');
  const post = (m: ToWorker) => w.postMessage(m);
  post({ type: 'policy', spec });
  post({ type: 'task', task: await aTask(0) });
  const first = await next<FromWorker>(w);
  assert.equal(first.type, 'result');
  // a long task, then the close request right behind it: the answer still comes
  post({ type: 'task', task: await aTask(1, 600) });
  const answer = next<FromWorker>(w);
  await endWorker(w, { type: 'close' } satisfies ToWorker, 60_000);
  const m = await answer;
  assert.ok(m.type === 'result' && m.result.index === 1, JSON.stringify(m).slice(0, 200));
  assert.equal(await code, 0, 'left by itself, not terminated');
});

test('a distributed rollout thread asked to close exits by itself after its chunk', async () => {
  const w = new Worker(new URL('../../training/distributed/thread.js', import.meta.url));
  const code = exitCode(w);
  const answer = next<FromThread>(w);
  w.postMessage({ id: 7, policy: spec, tasks: [await aTask(0), await aTask(1)] } satisfies ToThread);
  await endWorker(w, { close: true } satisfies ToThread, 60_000);
  const m = await answer;
  assert.ok('results' in m && m.id === 7 && m.results.length === 2);
  assert.equal(await code, 0);
});

test('a thread that ignores the request is terminated after the grace period; an exited one is left alone', async () => {
  const w = new Worker('setInterval(() => {}, 1000);', { eval: true });
  await new Promise((r) => w.once('online', r));
  const code = exitCode(w);
  await endWorker(w, { type: 'close' }, 200);
  assert.equal(await code, 1, 'terminated');
  assert.equal(w.threadId, -1);
  await endWorker(w, { type: 'close' }, 200); // no throw, no wait
});

test('a pool closed after work runs no more tasks and ends all its threads', async () => {
  const pool = await RolloutPool.create(2);
  const results = await pool.run(spec, [await aTask(0), await aTask(1), await aTask(2)]);
  assert.deepEqual(results.map((r) => r.index), [0, 1, 2]);
  await pool.close();
  await assert.rejects(pool.run(spec, [await aTask(0)]), /pool is closed/);
});
