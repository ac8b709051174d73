/**
 * The bridge from the trainer's and the evaluator's "evaluate these genomes as members of
 * generation g" (the RolloutPool call) to worker tasks on an EvaluationBackend: the same
 * episodes, seeds and conditions as training/evaluate.ts derives inside the local workers,
 * written out as data, and the results mapped back to MemberResults in member order.
 *
 * Member m of generation g, episode k: condition conditions[(g·E + k) mod C], seed
 * deriveSeed(runSeed, g, k) (common random numbers) or deriveSeed(runSeed, g, m, k)
 * (`distinctSeeds`).
 *
 * The trainer and eval build their tasks themselves (training/train.ts, experiments/evaluation.ts);
 * this bridge serves the distributed tests and bench, which compare backends member by member.
 */
import { createHash } from 'node:crypto';
import { deriveSeed } from '../../core/rng.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { ControllerConfig } from '../../controllers/config.js';
import type { RewardOptions } from '../../sim/env.js';
import type { FrozenNormalization as NormalizerSnapshot } from '../normalizer.js';
import { TASK_FORMAT_VERSION, type EvaluationBackend, type PolicySpec, type TaskResult, type WorkerTask } from '../task.js';
import { TaskRunner } from '../task-runner.js';
import { envSizes } from '../../sim/env.js';

/** One member's result, by member index: a TaskResult without its envelope, statistics always collected. */
export type MemberResult = Omit<TaskResult, 'version' | 'runId' | 'index' | 'stats'> & { member: number; stats: NonNullable<TaskResult['stats']> };

export interface MemberTaskInit {
  morphology: MorphologySpec;
  controller: ControllerConfig | Record<string, unknown>;
  reward?: Partial<RewardOptions>;
  conditions: string[];
  episodeSteps: number;
  episodesPerMember: number;
  runSeed: number;
  runId: string;
}

/** A policy spec keyed by the hash of its content (workers cache builds by this key). */
export function policySpecOf(morphology: MorphologySpec, controller: unknown, reward: Partial<RewardOptions> = {}): PolicySpec {
  const body = { morphology, controller: controller as ControllerConfig, reward, physics: {} };
  const key = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 24);
  return { key, ...body };
}

/** Something with the RolloutPool's evaluate/close, running on `backend` (close leaves the backend open: its owner closes it). */
export function backendEvaluator(backend: EvaluationBackend, init: MemberTaskInit) {
  const policy = policySpecOf(init.morphology, init.controller, init.reward);
  const runId = init.runId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
  const C = init.conditions.length;
  const E = init.episodesPerMember;
  return {
    policy,
    async evaluate(generation: number, genomes: Float32Array[], norm: NormalizerSnapshot | null, distinctSeeds = false, describe?: (member: number) => string): Promise<MemberResult[]> {
      const tasks: WorkerTask[] = genomes.map((genome, m) => ({
        version: TASK_FORMAT_VERSION,
        runId,
        label: describe ? describe(m) : `genome ${m} of generation ${generation}`,
        index: m,
        policyKey: policy.key,
        genome,
        normalizer: norm,
        collectStats: true,
        episodes: Array.from({ length: E }, (_, k) => ({
          seed: distinctSeeds ? deriveSeed(init.runSeed, generation, m, k) : deriveSeed(init.runSeed, generation, k),
          maxSteps: init.episodeSteps,
          condition: init.conditions[(generation * E + k) % C],
          switches: [],
        })),
      }));
      const results = await backend.run(policy, tasks);
      return results.map((r) => ({ member: r.index, fitness: r.fitness, meanForwardVelocity: r.meanForwardVelocity, meanDistance: r.meanDistance, steps: r.steps, falls: r.falls, nonFinite: r.nonFinite, stats: r.stats!, traces: r.traces }));
    },
    async close(): Promise<void> {},
  };
}

/** Runs tasks in this thread with the local pool's executor (tests and the bench compare against it). */
export class InProcessBackend implements EvaluationBackend {
  readonly threads = 1;
  private readonly runner = new TaskRunner();
  async run(policy: PolicySpec, tasks: WorkerTask[]): Promise<TaskResult[]> {
    const out: TaskResult[] = [];
    for (const t of tasks) out.push(await this.runner.run(policy, t));
    return out;
  }
  async close(): Promise<void> {
    this.runner.free();
  }
}

/**
 * A member-by-member evaluator in this thread, for comparisons: member m of generation g
 * exactly as `backendEvaluator` builds it, run by the local executor.
 */
export async function localEvaluator(init: Omit<MemberTaskInit, 'runId'>) {
  const { obsSize, actSize } = envSizes(init.morphology);
  const backend = new InProcessBackend();
  const ev = backendEvaluator(backend, { ...init, runId: 'local' });
  return {
    obsSize,
    actSize,
    async evaluate(generation: number, member: number, genome: Float32Array, norm: NormalizerSnapshot | null, distinct = false): Promise<MemberResult> {
      // a batch whose member `member` is this genome (the others are never run: one-task batch with that index)
      const all = await ev.evaluate(generation, Array.from({ length: member + 1 }, () => genome), norm, distinct);
      return all[member];
    },
    free: () => void backend.close(),
  };
}
