/**
 * Fitness of one genome: the work a rollout worker does, also callable in-process.
 *
 * Member m of generation g runs `episodesPerMember` episodes; episode k uses condition
 * conditions[(g·episodesPerMember + k) mod C] and seed deriveSeed(runSeed, g, k): the same
 * episodes for every member of a generation (common random numbers), different ones each
 * generation (or per-member seeds with `distinctSeeds`). Fitness = mean return. Observations are normalised with the generation's frozen
 * statistics, and the raw observations seen are returned as fresh running statistics for the
 * main thread to merge in member order.
 */
import { deriveSeed } from '../core/rng.js';
import type { MorphologySpec } from '../morphologies/spec.js';
import { LocomotionEnv, type RewardOptions } from '../sim/env.js';
import { createController } from '../controllers/index.js';
import { NormalizedInputs, RunningStats, type FrozenNormalization } from './normalizer.js';
import { plainEpisode, runEpisode } from './episode.js';

export type NormalizerSnapshot = FrozenNormalization;

export interface EvaluatorInit {
  morphology: MorphologySpec;
  conditions: string[];
  episodeSteps: number;
  episodesPerMember: number;
  controller: Record<string, unknown>;
  runSeed: number;
  reward?: Partial<RewardOptions>;
  /** Test hook: throw while evaluating this member of this generation (simulates a crash). */
  faultInjection?: { generation: number; member: number };
}

export interface MemberResult {
  member: number;
  fitness: number;
  meanForwardVelocity: number;
  meanDistance: number;
  steps: number;
  falls: number;
  nonFinite: number;
  stats: { count: number; mean: Float64Array; m2: Float64Array };
}

export interface Evaluator {
  readonly obsSize: number;
  readonly actSize: number;
  /**
   * `distinctSeeds`: give this member its own episode seeds (deriveSeed(runSeed, generation,
   * member, k)) instead of the generation's common ones: for evaluating one genome on many seeds.
   */
  evaluate(generation: number, member: number, genome: Float32Array, norm: NormalizerSnapshot | null, distinctSeeds?: boolean): MemberResult;
  free(): void;
}

export async function createEvaluator(init: EvaluatorInit): Promise<Evaluator> {
  const envs = new Map<string, LocomotionEnv>();
  for (const c of init.conditions) {
    if (!envs.has(c)) envs.set(c, await LocomotionEnv.create({ morphology: init.morphology, condition: c, reward: init.reward, maxSteps: init.episodeSteps }));
  }
  const first = envs.get(init.conditions[0])!;
  const { obsSize, actSize } = first;
  return {
    obsSize,
    actSize,
    evaluate(generation, member, genome, norm, distinctSeeds = false) {
      if (init.faultInjection && init.faultInjection.generation === generation && init.faultInjection.member === member) {
        throw new Error(`injected fault (faultInjection: generation ${generation}, member ${member})`);
      }
      const stats = new RunningStats(obsSize);
      const controller = new NormalizedInputs(createController(init.controller, obsSize, actSize, genome), norm, stats);
      let ret = 0, vel = 0, dist = 0, steps = 0, falls = 0, nonFinite = 0;
      for (let k = 0; k < init.episodesPerMember; k++) {
        const condition = init.conditions[(generation * init.episodesPerMember + k) % init.conditions.length];
        const env = envs.get(condition)!;
        const seed = distinctSeeds ? deriveSeed(init.runSeed, generation, member, k) : deriveSeed(init.runSeed, generation, k);
        const ep = runEpisode(env, controller, plainEpisode(env, seed, init.episodeSteps));
        ret += ep.return;
        vel += ep.meanForwardVelocity;
        dist += ep.distance;
        steps += ep.steps;
        falls += ep.falls;
        nonFinite += ep.nonFinite ? 1 : 0;
      }
      const n = init.episodesPerMember;
      return {
        member,
        fitness: ret / n,
        meanForwardVelocity: vel / n,
        meanDistance: dist / n,
        steps,
        falls,
        nonFinite,
        stats: { count: stats.count, mean: stats.mean, m2: stats.m2 },
      };
    },
    free() {
      for (const e of envs.values()) e.free();
    },
  };
}
