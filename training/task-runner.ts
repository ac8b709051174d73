/**
 * Executing a worker task (training/task.ts): the work a rollout worker does, also callable
 * in-process. `policySpec` is the coordinator's half (what to build, with its cache key);
 * `TaskRunner` the worker's: it builds the envs (one per condition, on first use) and the
 * controller once per policy key, and per task only loads the genome (`setGenome`) and the
 * frozen normaliser into them, then plays the task's episodes (training/episode.ts).
 *
 * A task carries every seed, length and condition of its episodes; the runner derives
 * nothing. Fitness = mean return over the task's episodes. With `collectStats` the raw
 * observations seen are returned as fresh running statistics, for the coordinator to merge in
 * task order (training/normalizer.ts explains why that order keeps results independent of
 * the number of workers).
 */
import { createHash } from 'node:crypto';
import type { MorphologySpec } from '../morphologies/spec.js';
import { LocomotionEnv, type PhysicsOptions, type RewardOptions } from '../sim/env.js';
import type { ControllerConfig } from '../controllers/config.js';
import { createController, hasGenome, type GenomeController } from '../controllers/factory.js';
import { NormalizedInputs, RunningStats } from './normalizer.js';
import { runEpisode } from './episode.js';
import { TASK_FORMAT_VERSION, type EpisodeTrace, type PolicySpec, type TaskResult, type WorkerTask } from './task.js';

/** A policy spec with its cache key: a hash of everything a worker builds from it. */
export function policySpec(p: { morphology: MorphologySpec; controller: ControllerConfig; reward?: Partial<RewardOptions>; physics?: Partial<PhysicsOptions> }): PolicySpec {
  const rest = { morphology: p.morphology, controller: p.controller, reward: p.reward ?? {}, physics: p.physics ?? {} };
  const key = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
  return { key, ...rest };
}

/** What a worker keeps per policy key. */
interface Built {
  spec: PolicySpec;
  envs: Map<string, LocomotionEnv>;
  genome: GenomeController;
  /** `genome` behind the observation normaliser (set per task) */
  controller: NormalizedInputs;
  obsSize: number;
}

/** Policies a worker keeps built at once (an eval of several robots builds one per robot). */
const CACHED_POLICIES = 4;

export class TaskRunner {
  private readonly built = new Map<string, Built>();

  /** Run one task of `spec` (built on first use of its key). */
  async run(spec: PolicySpec, task: WorkerTask): Promise<TaskResult> {
    if (task.version !== TASK_FORMAT_VERSION) throw new Error(`task format version ${task.version}, this worker runs version ${TASK_FORMAT_VERSION}`);
    if (task.policyKey !== spec.key) throw new Error(`the task is for policy ${task.policyKey}, not ${spec.key}`);
    const b = await this.build(spec, task.episodes[0]?.condition ?? 'flat');
    for (const ep of task.episodes) {
      await this.envFor(b, ep.condition);
      for (const s of ep.switches) await this.envFor(b, s.condition);
    }
    return this.runBuilt(b, task);
  }

  free(): void {
    for (const b of this.built.values()) for (const e of b.envs.values()) e.free();
    this.built.clear();
  }

  private async build(spec: PolicySpec, condition: string): Promise<Built> {
    const cached = this.built.get(spec.key);
    if (cached) return cached;
    if (this.built.size >= CACHED_POLICIES) {
      const [oldKey, old] = this.built.entries().next().value as [string, Built];
      for (const e of old.envs.values()) e.free();
      this.built.delete(oldKey);
    }
    const first = await this.makeEnv(spec, condition);
    const { obsSize, actSize } = first;
    const c = createController(spec.controller, obsSize, actSize);
    if (!hasGenome(c)) throw new Error(`controller "${spec.controller.kind}" has no genome to evaluate`);
    const b: Built = { spec, envs: new Map([[condition, first]]), genome: c, controller: new NormalizedInputs(c, null), obsSize };
    this.built.set(spec.key, b);
    return b;
  }

  private makeEnv(spec: PolicySpec, condition: string): Promise<LocomotionEnv> {
    // unbounded: every episode's own maxSteps is its limit (training/episode.ts)
    return LocomotionEnv.create({ morphology: spec.morphology, condition, reward: spec.reward, physics: spec.physics, maxSteps: Number.MAX_SAFE_INTEGER });
  }

  private async envFor(b: Built, condition: string): Promise<LocomotionEnv> {
    let env = b.envs.get(condition);
    if (!env) b.envs.set(condition, (env = await this.makeEnv(b.spec, condition)));
    return env;
  }

  private runBuilt(b: Built, task: WorkerTask): TaskResult {
    if (task.genome.length !== b.genome.layout.size) throw new Error(`the genome has ${task.genome.length} values, the policy's layout ${b.genome.layout.size}`);
    b.genome.setGenome(task.genome);
    const stats = task.collectStats ? new RunningStats(b.obsSize) : null;
    b.controller.setFrozen(task.normalizer);
    b.controller.collectInto(stats);
    const envFor = (c: string) => b.envs.get(c)!;
    let ret = 0, vel = 0, dist = 0, steps = 0, falls = 0, nonFinite = 0;
    const traces: EpisodeTrace[] | null = task.episodes.some((e) => (e.traceEvery ?? 0) > 0) ? [] : null;
    for (const spec of task.episodes) {
      const ep = runEpisode(envFor, b.controller, spec);
      traces?.push({ every: ep.trace ? spec.traceEvery! : 0, x: ep.trace ?? new Float64Array(0), steps: ep.steps, endReason: ep.endReason });
      ret += ep.return;
      vel += ep.meanForwardVelocity;
      dist += ep.distance;
      steps += ep.steps;
      falls += ep.falls;
      nonFinite += ep.nonFinite ? 1 : 0;
    }
    b.controller.collectInto(null);
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
      stats: stats ? { count: stats.count, mean: stats.mean, m2: stats.m2 } : null,
      traces,
    };
  }
}
