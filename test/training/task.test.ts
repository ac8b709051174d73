/**
 * Worker tasks as data (training/task.ts, training/task-runner.ts, training/pool.ts): a task is
 * the whole episode description, so it gives the same result in-process, on the pool, twice,
 * or after other genomes ran on the same cached controller; results come back in task order;
 * a task may switch conditions mid-episode; a backend passed to `train` is used, not closed,
 * and gives the run the default pool gives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { antSpec } from '../../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import { LocomotionEnv } from '../../sim/env.js';
import { policySpec, TaskRunner } from '../../training/task-runner.js';
import { RolloutPool, WorkerError } from '../../training/pool.js';
import { TASK_FORMAT_VERSION, type EpisodeSpec, type EvaluationBackend, type PolicySpec, type TaskResult, type WorkerTask } from '../../training/task.js';
import { parseTrainConfig } from '../../training/config.js';
import { train } from '../../training/train.js';
import { readCheckpoint } from '../../training/checkpoint.js';
import { RUN_KIND } from '../../training/policy.js';

const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 });
const spec = policySpec({ morphology: antSpec(), controller });
const ROUGH = 'rough(amplitude=0.05)';

async function genomes(n: number): Promise<Float32Array[]> {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const layout = genomeLayoutFor(controller, env.obsSize, env.actSize);
  env.free();
  return Array.from({ length: n }, (_, i) => initGenome(layout, 10 + i));
}

function task(index: number, genome: Float32Array, episodes: EpisodeSpec[], policy: PolicySpec = spec): WorkerTask {
  return { version: TASK_FORMAT_VERSION, runId: 'test', label: `task ${index}`, index, policyKey: policy.key, genome, normalizer: null, collectStats: true, episodes };
}

const ep = (seed: number, switches: EpisodeSpec['switches'] = []): EpisodeSpec => ({ seed, maxSteps: 30, condition: 'flat', switches });
const same = (a: TaskResult, b: TaskResult) => {
  assert.equal(a.fitness, b.fitness);
  assert.equal(a.meanDistance, b.meanDistance);
  assert.equal(a.steps, b.steps);
  assert.deepEqual(Array.from(a.stats!.mean), Array.from(b.stats!.mean));
};

test('the policy key is a hash of what a worker builds', () => {
  assert.equal(policySpec({ morphology: antSpec(), controller }).key, spec.key);
  assert.notEqual(policySpec({ morphology: antSpec(), controller, reward: { ctrlCostWeight: 0.1 } }).key, spec.key);
});

test('a task gives the same result fresh, repeated, and after other genomes ran on the cached controller', async () => {
  const [a, b] = await genomes(2);
  const fresh = new TaskRunner();
  const reused = new TaskRunner();
  try {
    const ra = await fresh.run(spec, task(0, a, [ep(1), ep(2)]));
    await reused.run(spec, task(0, b, [ep(5)]));
    const again = await reused.run(spec, task(0, a, [ep(1), ep(2)]));
    same(ra, again);
    same(ra, await fresh.run(spec, task(0, a, [ep(1), ep(2)])));
    assert.equal(ra.stats!.count, ra.steps, 'every raw observation counted (one per step)');
    const other = await reused.run(spec, task(0, b, [ep(1), ep(2)]));
    assert.notEqual(other.fitness, ra.fitness, 'and the genome matters');
  } finally {
    fresh.free();
    reused.free();
  }
});

test('a task switches conditions mid-episode; the worker refuses a task of another format version', async () => {
  const [a] = await genomes(1);
  const r = new TaskRunner();
  try {
    const plain = await r.run(spec, task(0, a, [ep(3)]));
    const switched = await r.run(spec, task(0, a, [ep(3, [{ atStep: 10, condition: ROUGH }])]));
    assert.notEqual(switched.fitness, plain.fitness);
    await assert.rejects(() => r.run(spec, { ...task(0, a, [ep(3)]), version: 99 as never }), /task format version 99/);
    await assert.rejects(() => r.run(spec, task(0, new Float32Array(3), [ep(3)])), /the genome has 3 values/);
  } finally {
    r.free();
  }
});

test('the pool runs tasks on any number of threads, in task order, equal to the in-process runner', async () => {
  const gs = await genomes(5);
  // indices need not be array positions: results come in index order (here the reverse of the array)
  const tasks = gs.map((g, i) => task(10 * (5 - i), g, [ep(7 + i, i === 2 ? [{ atStep: 5, condition: ROUGH }] : [])]));
  const runner = new TaskRunner();
  const local: TaskResult[] = [];
  for (const t of tasks) local.push(await runner.run(spec, t));
  runner.free();
  for (const n of [1, 3]) {
    const pool: EvaluationBackend = await RolloutPool.create(n);
    try {
      assert.equal(pool.threads, n);
      const res = await pool.run(spec, tasks);
      assert.deepEqual(res.map((r) => r.index), [10, 20, 30, 40, 50]);
      res.forEach((r, i) => same(r, local[tasks.length - 1 - i]));
      // a second policy on the same pool: sent once, built once per worker
      const spec2 = policySpec({ morphology: antSpec(), controller, reward: { ctrlCostWeight: 0.2 } });
      const res2 = await pool.run(spec2, tasks.map((t) => ({ ...t, policyKey: spec2.key })));
      assert.notEqual(res2[0].fitness, res[0].fitness);
      await assert.rejects(() => pool.run(spec, [task(0, new Float32Array(1), [ep(1)])]), (e: unknown) => e instanceof WorkerError && /^task 0 failed: the genome has 1 values/.test(e.message));
    } finally {
      await pool.close();
    }
  }
});

test('train uses a given backend, leaves it open, and runs exactly as on its own pool', async () => {
  const root = mkdtempSync(join(tmpdir(), 'spikeloco-task-'));
  const cfg = parseTrainConfig({ name: 'tiny', morphology: 'ant', conditions: ['flat', ROUGH], episodesPerMember: 3, episodeSeconds: 0.5, controller: { kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, optimizer: { kind: 'pgpe', popSize: 4, sigma: 0.1 }, generations: 2, checkpointEvery: 1, finalEpisodes: 2, seed: 5 });
  const pool = await RolloutPool.create(2);
  let calls = 0;
  const counting: EvaluationBackend = { threads: 2, run: (p, t) => (calls++, pool.run(p, t)), close: () => pool.close() };
  try {
    await train(cfg, { outDir: join(root, 'a'), workers: 1, progress: null, backend: counting });
    assert.equal(calls, 4, 'two generations and two centre evaluations');
    assert.equal((await pool.run(spec, [task(0, (await genomes(1))[0], [ep(1)])])).length, 1, 'still open');
    await train(cfg, { outDir: join(root, 'b'), workers: 2, progress: null });
    type H = { best: number; mean: number; sd: number; envSteps: number; extra: { centerFitness: number } };
    const hist = (d: string) => readCheckpoint<{ history: H[]; best: { genome: Float32Array } }>(join(root, d, 'checkpoint.json'), RUN_KIND).data;
    const rows = (d: string) => hist(d).history.map((h) => [h.best, h.mean, h.sd, h.envSteps, h.extra.centerFitness]);
    assert.deepEqual(rows('a'), rows('b'));
    assert.deepEqual(Array.from(hist('a').best.genome), Array.from(hist('b').best.genome));
  } finally {
    await pool.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a traced episode returns the torso x every k steps: the same result as untraced, its samples on the 1-step trace, bitwise on 1 or 3 pool threads', async () => {
  const [a, b] = await genomes(2);
  const runner = new TaskRunner();
  try {
    const sw = [{ atStep: 12, condition: ROUGH }];
    const plain = await runner.run(spec, task(0, a, [ep(8, sw)]));
    assert.equal(plain.traces, null, 'no trace asked for: none returned');
    const every1 = await runner.run(spec, task(0, a, [{ ...ep(8, sw), traceEvery: 1 }]));
    const every5 = await runner.run(spec, task(0, a, [{ ...ep(8, sw), traceEvery: 5 }, ep(6)]));
    same(plain, every1); // tracing changes nothing
    const t1 = every1.traces![0], t5 = every5.traces![0];
    assert.equal(t1.x.length, 31, 'x[0] = 0 and one sample after each of the 30 steps');
    assert.equal(t1.x[0], 0);
    assert.equal(t1.steps, 30);
    assert.equal(t1.endReason, 'time');
    assert.equal(t1.x[30], plain.meanDistance, 'the last sample is the episode distance');
    assert.deepEqual(Array.from(t5.x), [0, 5, 10, 15, 20, 25, 30].map((s) => t1.x[s]));
    assert.equal(every5.traces![1].every, 0, 'an untraced episode of a traced task: an empty record');
    assert.equal(every5.traces![1].x.length, 0);
    // this seed ends early (terminated at step 10): samples stop with it
    const early = (await runner.run(spec, task(0, a, [{ ...ep(4, sw), traceEvery: 1 }]))).traces![0];
    assert.ok(early.steps < 30 && early.endReason !== 'time', `${early.steps} ${early.endReason}`);
    assert.equal(early.x.length, early.steps + 1);
    const tasks = [a, b].map((g, i) => task(i, g, [{ ...ep(8 + i, sw), traceEvery: 2 }]));
    const local = await Promise.all(tasks.map((t) => runner.run(spec, t)));
    for (const n of [1, 3]) {
      const pool = await RolloutPool.create(n);
      try {
        const res = await pool.run(spec, tasks);
        res.forEach((r, i) => assert.deepEqual(Array.from(r.traces![0].x), Array.from(local[i].traces![0].x)));
      } finally {
        await pool.close();
      }
    }
  } finally {
    runner.free();
  }
});
