/**
 * The worker task: the one unit of work a rollout worker does, as plain, versioned,
 * serialisable data. The local thread pool and a distributed backend (Redis/BullMQ) ship
 * exactly these records; both sides import their types from this module and nowhere else.
 *
 *   WorkerTask  = { policy (what to build, once per key), genome, normaliser, episodes }
 *   TaskResult  = { fitness, stats, observation statistics }
 *
 * A task says everything about its episodes (seeds, lengths, conditions, mid-episode
 * switches): nothing is derived from generation numbers on the worker side, so a task can
 * be run anywhere, in any order, any number of times (delivery may be at least once) with
 * the same result. The coordinator decides seeds; the worker only executes.
 */
import type { ControllerConfig } from '../controllers/config.js';
import type { MorphologySpec } from '../morphologies/spec.js';
import type { EndReason, PhysicsOptions, RewardOptions } from '../sim/env.js';
import type { FrozenNormalization } from './normalizer.js';

/**
 * Bumped on any change of the records below; a worker refuses tasks of another version.
 * 2: `EpisodeSpec.traceEvery` and `TaskResult.traces` (torso x over time, for windowed speeds).
 */
export const TASK_FORMAT_VERSION = 2;

/**
 * What a worker builds once and caches (env per condition, controller): everything about a
 * policy except its genome. `key` identifies it (a hash of the rest), so workers can cache by
 * key and a coordinator can ship the spec once per worker.
 */
export interface PolicySpec {
  key: string;
  morphology: MorphologySpec;
  controller: ControllerConfig;
  reward: Partial<RewardOptions>;
  physics: Partial<PhysicsOptions>;
}

/** A condition switched on at a control step of an episode (re-seating rule: training/episode.ts). */
export interface ConditionSwitch {
  atStep: number;
  condition: string;
}

/** One episode as data. */
export interface EpisodeSpec {
  seed: number;
  /** episode length in control steps */
  maxSteps: number;
  /** the condition the episode starts in */
  condition: string;
  /** conditions switched on mid-episode, in increasing `atStep` order */
  switches: ConditionSwitch[];
  /** record the torso's x every this many control steps (`TaskResult.traces`); absent or 0: no trace */
  traceEvery?: number;
}

/**
 * Where one episode's torso was over time: `x[j]` = torso x − its start x (m) after control step
 * j·`every` (x[0] = 0), for every such step the episode ran with a finite state. An episode that
 * ended early (a fall) has fewer samples: its robot made no more progress.
 */
export interface EpisodeTrace {
  /** 0: the episode was not traced (x empty) */
  every: number;
  x: Float64Array;
  /** control steps the episode ran */
  steps: number;
  endReason: EndReason;
}

export interface WorkerTask {
  version: typeof TASK_FORMAT_VERSION;
  /** the run this task belongs to (results of another run are rejected) */
  runId: string;
  /** a person-readable description, used in errors: "member 5 of generation 4" */
  label: string;
  /** index of this task in its batch: results are reduced in this order */
  index: number;
  policyKey: string;
  genome: Float32Array;
  /** frozen observation normaliser applied before the controller (null: raw observations) */
  normalizer: FrozenNormalization | null;
  /** collect running statistics of the raw observations seen (for the run's normaliser) */
  collectStats: boolean;
  episodes: EpisodeSpec[];
}

/** Running statistics of observations (Welford), mergeable in index order. */
export interface ObservationStats {
  count: number;
  mean: Float64Array;
  m2: Float64Array;
}

export interface TaskResult {
  version: typeof TASK_FORMAT_VERSION;
  runId: string;
  index: number;
  /** mean return over the task's episodes */
  fitness: number;
  meanForwardVelocity: number;
  meanDistance: number;
  steps: number;
  falls: number;
  nonFinite: number;
  stats: ObservationStats | null;
  /** one per episode, in task order, when any episode of the task has `traceEvery`; else null */
  traces: EpisodeTrace[] | null;
}

/**
 * Where tasks run: the local worker-thread pool (training/pool.ts) or a distributed backend
 * (Redis + BullMQ). Callers (the ES loop, eval, the study) see only this.
 */
export interface EvaluationBackend {
  /** number of rollout threads behind this backend (for progress and scheduling) */
  readonly threads: number;
  /**
   * Run every task; resolve with the results in task `index` order (never in arrival order),
   * or reject with an error naming the failing task's `label`.
   */
  run(policy: PolicySpec, tasks: WorkerTask[]): Promise<TaskResult[]>;
  close(): Promise<void>;
}
