/**
 * Run one worker task (training/task.ts) to its result: the work a distributed rollout thread
 * does. Envs (one per condition and episode length) and the controller are built once per
 * policy key and reused; the controller is re-pointed at each task's genome with `setGenome`
 * and `reset(seed)` at every episode start, which together overwrite all of its state, so a
 * reused controller gives the same bits as a fresh one (the Redis-vs-pool tests check it).
 *
 * Same arithmetic, in the same order, as the local evaluator (training/evaluate.ts): fitness =
 * mean return; raw observations go into fresh running statistics; normalisation with the
 * task's frozen values. This module is self-contained on purpose (the structure branch will
 * provide the canonical executor; this one is swapped for it at merge).
 */
import { LocomotionEnv } from '../../sim/env.js';
import { createController, hasGenome, type Controller } from '../../controllers/index.js';
import { RunningStats, normalizeWith } from '../normalizer.js';
import { runEpisode } from '../rollout.js';
import { TASK_FORMAT_VERSION, type PolicySpec, type TaskResult, type WorkerTask } from '../task.js';

interface Built {
  spec: PolicySpec;
  /** `${condition}|${maxSteps}` → env (an env's own maxSteps truncates episodes, so it is part of the key) */
  envs: Map<string, LocomotionEnv>;
  controller: Controller | null;
  obsSize: number;
  actSize: number;
}

/** Policies kept built; the least recently used beyond this is freed (a worker may serve many runs). */
const MAX_CACHED_POLICIES = 4;
const cache = new Map<string, Built>();

function builtFor(policy: PolicySpec): Built {
  let b = cache.get(policy.key);
  if (b) {
    cache.delete(policy.key); // re-insert: Map order is the LRU order
    cache.set(policy.key, b);
    return b;
  }
  b = { spec: policy, envs: new Map(), controller: null, obsSize: 0, actSize: 0 };
  cache.set(policy.key, b);
  while (cache.size > MAX_CACHED_POLICIES) {
    const [oldKey, old] = cache.entries().next().value as [string, Built];
    for (const e of old.envs.values()) e.free();
    cache.delete(oldKey);
  }
  return b;
}

async function envFor(b: Built, condition: string, maxSteps: number): Promise<LocomotionEnv> {
  const k = `${condition}|${maxSteps}`;
  let env = b.envs.get(k);
  if (!env) {
    env = await LocomotionEnv.create({ morphology: b.spec.morphology, condition, reward: b.spec.reward, physics: b.spec.physics, maxSteps });
    b.envs.set(k, env);
    b.obsSize = env.obsSize;
    b.actSize = env.actSize;
  }
  return env;
}

/** Build whatever `task` needs that is not cached yet (async: Rapier's first load is). */
export async function prepare(policy: PolicySpec, task: WorkerTask): Promise<void> {
  const b = builtFor(policy);
  for (const ep of task.episodes) await envFor(b, ep.condition, ep.maxSteps);
}

/**
 * Execute `task` with `policy` (whose envs `prepare` has built). Throws with the task's label
 * on anything wrong with the task itself.
 */
export function executeTask(policy: PolicySpec, task: WorkerTask): TaskResult {
  if (task.version !== TASK_FORMAT_VERSION) throw new Error(`${task.label}: task format version ${String(task.version)}, this worker executes version ${TASK_FORMAT_VERSION}`);
  if (task.policyKey !== policy.key) throw new Error(`${task.label}: the task is for policy ${task.policyKey}, not ${policy.key}`);
  if (task.episodes.length === 0) throw new Error(`${task.label}: a task needs at least one episode`);
  const b = builtFor(policy);
  const envOf = (condition: string, maxSteps: number) => {
    const env = b.envs.get(`${condition}|${maxSteps}`);
    if (!env) throw new Error(`${task.label}: env for condition "${condition}" (${maxSteps} steps) was not prepared; call prepare() first`);
    return env;
  };
  const first = envOf(task.episodes[0].condition, task.episodes[0].maxSteps);
  const { obsSize, actSize } = first;
  if (!b.controller) b.controller = createController(policy.controller, obsSize, actSize, task.genome);
  const controller = b.controller;
  if (hasGenome(controller)) controller.setGenome(task.genome);
  const norm = task.normalizer;
  if (norm && (norm.mean.length !== obsSize || norm.invStd.length !== obsSize)) {
    throw new Error(`${task.label}: normaliser has ${norm.mean.length}/${norm.invStd.length} values, the robot observes ${obsSize}`);
  }
  const stats = new RunningStats(obsSize);
  const normalize = (obs: Float32Array, out: Float32Array) => {
    stats.push(obs);
    if (norm) normalizeWith(norm.mean, norm.invStd, norm.clip, obs, out);
    else out.set(obs);
  };
  let ret = 0, vel = 0, dist = 0, steps = 0, falls = 0, nonFinite = 0;
  for (const ep of task.episodes) {
    if (ep.switches.length) throw new Error(`${task.label}: mid-episode condition switches are not supported by this worker build (training/distributed/execute.ts)`);
    const env = envOf(ep.condition, ep.maxSteps);
    const r = runEpisode(env, controller, ep.seed, { normalize, maxSteps: ep.maxSteps });
    ret += r.return;
    vel += r.meanForwardVelocity;
    dist += r.distance;
    steps += r.steps;
    falls += r.falls;
    nonFinite += r.nonFinite ? 1 : 0;
  }
  const n = task.episodes.length;
  return {
    version: TASK_FORMAT_VERSION,
    runId: task.runId,
    index: task.index,
    fitness: ret / n,
    meanForwardVelocity: vel / n,
    meanDistance: dist / n,
    steps,
    falls,
    nonFinite,
    stats: task.collectStats ? { count: stats.count, mean: stats.mean, m2: stats.m2 } : null,
  };
}
