/**
 * Headless ES training of a controller's genome on a robot.
 *
 * One generation: sample the population (the optimiser's seed-derived noise) → one worker task
 * per member (training/task.ts: genome, frozen observation normaliser, and every episode's
 * seed, length and condition, derived here and only here) → run them on the evaluation
 * backend (the local rollout pool, or `TrainOptions.backend`) → tell the optimiser the
 * fitness → merge the members' observation statistics in member order → log. Every
 * `checkpointEvery` generations (and at the end) the centre of the search distribution is
 * evaluated on fresh seeds; the best centre so far is `best.json`, and the whole run state is
 * checkpointed atomically to `checkpoint.json`. `--resume` continues bit-for-bit, to the run's
 * own stored budget. Which directories a run may start in or resume from, and the run's
 * identity (run.json, runId + config hash), are training/rundir.ts.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { loadMorphology } from '../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { GenomeLayout } from '../controllers/genome.js';
import { controlDtOf, envSizes, type RewardOptions } from '../sim/env.js';
import { combineConditions } from '../sim/conditions.js';
import { PHYSICS_BUILD } from '../sim/rapier.js';
import { centerOf, openAIES, openAIESParams, pgpe, pgpeParams, readStrategyState, searchRun, snes, snesParams, type AnyState, type SearchRun } from './es/index.js';
import { Normalizer, RunningStats, type NormalizerState } from './normalizer.js';
import { CheckpointError, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { RunLog, type LogRow } from './log.js';
import { lineChartSVG } from '../core/charts.js';
import { ProgressReporter, formatDuration } from './progress.js';
import { RolloutPool } from './pool.js';
import { policySpec } from './task-runner.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { TASK_FORMAT_VERSION, type EpisodeSpec, type EvaluationBackend, type PolicySpec, type TaskResult, type WorkerTask } from './task.js';
import type { FrozenNormalization } from './normalizer.js';
import type { TrainConfig } from './config.js';
import { parseTrainConfig } from './config.js';
import { RunDirError, checkRunIdentity, configDifferences, configHash, newRunId, prepareFreshRunDir, prepareResumeRunDir, writeRunFile, type PrepareOptions } from './rundir.js';
import { UserError } from '../core/errors.js';
import { POLICY_KIND, RUN_KIND, type PolicyFile } from './policy.js';

/**
 * Version of the es-run payload. 1: no identity, budget = the config's. 2: adds runId,
 * configHash and the run's own budget (overrides included); version-1 checkpoints are migrated
 * on read (`migrateRunState`).
 */
export const RUN_STATE_VERSION = 2;

/**
 * Seeds of the centre's evaluation after generation g+1: evaluation m, episode k uses seed
 * deriveSeed(runSeed, 1e6 + g, m, k) and condition conditions[((1e6 + g)·E + k) mod C] (the
 * formulas of the population's episodes with the generation index offset by 1e6: fresh seeds).
 */
const CENTRE_SEED_OFFSET = 1_000_000;

const RUN_DIR_HINTS: PrepareOptions = {
  kind: RUN_KIND,
  startHint: 'spikeloco train --config FILE --out DIR',
  resumeHint: 'spikeloco train --resume DIR',
};

/** One generation of the log (log.jsonl / log.csv columns): the base columns plus these. */
export interface GenerationRow extends LogRow {
  extra: {
    meanVelocity: number;
    bestVelocity: number;
    /** the centre's fitness on fresh seeds (checkpoint generations only; NaN otherwise) */
    centerFitness: number;
    centerVelocity: number;
  };
}

const EXTRA_COLUMNS = ['meanVelocity', 'bestVelocity', 'centerFitness', 'centerVelocity'] as const;

/** The generation budget a run continues to: the config's, or the overrides it was given. */
export interface RunBudget {
  generations: number;
  minutes: number;
}

interface RunState {
  runVersion: number;
  runId: string;
  configHash: string;
  /** PHYSICS_BUILD of the run (absent in runs from before it was recorded) */
  physicsBuild?: string;
  budget: RunBudget;
  config: TrainConfig;
  layout: ReturnType<GenomeLayout['toJSON']>;
  /** the strategy's state record as it is (kind, version 2; frozen entries inside) */
  optimizer: AnyState;
  normalizer: NormalizerState;
  generation: number;
  history: GenerationRow[];
  best: { genome: Float32Array; fitness: number; meanForwardVelocity: number; generation: number } | null;
  envSteps: number;
  elapsedSec: number;
  /** version-1 checkpoints only: the frozen entries, kept outside the optimiser then (now `optimizer.frozen`) */
  frozen?: { mask: Uint8Array; values: Float32Array } | null;
}

export interface TrainOptions {
  outDir: string;
  workers: number;
  /** override config.generations (stored: a plain resume continues to it) */
  generations?: number;
  /** override config.minutes (stored likewise) */
  minutes?: number;
  /**
   * Continue the run in this directory. A config passed with it must equal the checkpoint's
   * (it is only checked, never applied).
   */
  resume?: boolean;
  /** progress output stream (default stderr); null for silence */
  progress?: NodeJS.WritableStream | null;
  /**
   * Where the tasks run (default: a local worker-thread pool of `workers` threads, closed at
   * the end; a given backend is left open). Results are the same on any backend.
   */
  backend?: EvaluationBackend;
  /**
   * Test hook: the task of this member of this seed generation (a centre evaluation's is
   * 1e6 + g) is shipped with an empty genome, which the worker refuses: a failing task.
   */
  faultInjection?: { generation: number; member: number };
  /**
   * Adjust the initial genome in place (e.g. plasticity slices from a learned rule); a returned
   * mask (1 = hold fixed) freezes those entries in every evaluated genome.
   */
  initialGenome?: (layout: GenomeLayout, genome: Float32Array) => Uint8Array | void;
}

export interface TrainResult {
  /** what the run did that a user should hear (cleared logs, budget overrides, …); also printed */
  notes: string[];
  runId: string;
  generations: number;
  history: GenerationRow[];
  best: PolicyFile;
  outDir: string;
}

/**
 * The run's strategy: params from the config, state from `init` (a new run; `frozen` 1 = hold
 * that entry at its initial value) or from a checkpoint (`stored`, already validated).
 */
function makeSearch(cfg: TrainConfig, init: Float32Array, frozen: Uint8Array | null, stored?: AnyState): SearchRun<AnyState> {
  const o = cfg.optimizer;
  const seed = cfg.seed;
  const dim = init.length;
  if (stored && stored.kind !== o.kind) throw new Error(`optimizer.kind: the state is ${stored.kind} but the config says ${o.kind}`);
  if (stored && stored.popSize !== o.popSize) throw new Error(`optimizer.popSize: the state has ${stored.popSize} members but the config says ${o.popSize}`);
  switch (o.kind) {
    case 'openai-es': {
      const p = openAIESParams({ pairs: o.popSize / 2, sigma: o.sigma, lr: o.lr, weightDecay: o.weightDecay });
      return searchRun(openAIES, p, (stored as typeof stored & { kind: 'openai-es' }) ?? openAIES.init(p, init, { seed, frozen }));
    }
    case 'pgpe': {
      const p = pgpeParams({ popSize: o.popSize, maxSpeed: o.maxSpeed, stdevInit: o.sigma });
      return searchRun(pgpe, p, (stored as typeof stored & { kind: 'pgpe' }) ?? pgpe.init(p, init, { seed, frozen }));
    }
    case 'snes': {
      const p = snesParams(dim, { popSize: o.popSize, stdevInit: o.sigma });
      return searchRun(snes, p, (stored as typeof stored & { kind: 'snes' }) ?? snes.init(p, init, { seed, frozen }));
    }
  }
}

function meanSd(xs: number[]): [number, number] {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
  return [m, Math.sqrt(v)];
}

/** A checkpoint payload of any version, brought to the current one. */
export function migrateRunState(raw: Partial<RunState> & { config: TrainConfig }, path: string): RunState {
  const s = raw as RunState;
  if (s.runVersion === RUN_STATE_VERSION) return s;
  if (s.runVersion !== undefined) throw new CheckpointError(path, 'version', `es-run payload version ${JSON.stringify(s.runVersion)} is not supported (this build reads 1 and ${RUN_STATE_VERSION}); resume it with the spikeloco version that wrote it`);
  // version 1: no identity; the budget was the config's (overrides were not stored)
  const hash = configHash(s.config);
  return { ...s, runVersion: RUN_STATE_VERSION, runId: `legacy-${hash}`, configHash: hash, budget: { generations: s.config.generations, minutes: s.config.minutes } };
}

export async function train(cfgIn: TrainConfig | undefined, opts: TrainOptions): Promise<TrainResult> {
  const notes: string[] = [];
  const say = (line: string) => {
    notes.push(line);
    if (opts.progress !== null) (opts.progress ?? process.stderr).write(`${line}\n`);
  };
  let state: RunState;
  let cfg: TrainConfig;
  let ckptPath: string;
  if (opts.resume) {
    const prepared = prepareResumeRunDir(opts.outDir, RUN_DIR_HINTS);
    ckptPath = prepared.checkpointPath;
    prepared.notes.forEach(say);
    state = migrateRunState(readCheckpoint<RunState>(ckptPath, RUN_KIND).data, ckptPath);
    cfg = parseTrainConfig(state.config, `${ckptPath} config`);
    if (cfgIn) {
      const diff = configDifferences(state.config, cfgIn);
      if (diff.length) {
        throw new RunDirError(opts.outDir, `--resume ${opts.outDir}: the given config differs from the run's own in ${diff.slice(0, 6).join(', ')}${diff.length > 6 ? ', …' : ''}; resume without --config (the run keeps its config), or start a new run with --out`);
      }
    }
    checkRunIdentity(opts.outDir, RUN_KIND, state, PHYSICS_BUILD);
    const budget: RunBudget = { generations: opts.generations ?? state.budget.generations, minutes: opts.minutes ?? state.budget.minutes };
    if (budget.generations !== state.budget.generations) say(`resume: generation budget ${budget.generations} (--generations), the run's own was ${state.budget.generations}; stored for later resumes`);
    if (budget.minutes !== state.budget.minutes) say(`resume: wall-clock budget ${budget.minutes} min (--minutes), the run's own was ${state.budget.minutes} min; stored for later resumes`);
    state.budget = budget;
  } else {
    if (!cfgIn) throw new RunDirError(opts.outDir, `a new run in ${opts.outDir} needs a config; start it with ${RUN_DIR_HINTS.startHint.replace('DIR', opts.outDir)}`);
    const prepared = prepareFreshRunDir(opts.outDir, RUN_DIR_HINTS);
    ckptPath = prepared.checkpointPath;
    prepared.notes.forEach(say);
    cfg = cfgIn;
    state = undefined as unknown as RunState;
  }
  const generations = state ? state.budget.generations : opts.generations ?? cfg.generations;
  const minutes = state ? state.budget.minutes : opts.minutes ?? cfg.minutes;

  const spec = loadMorphology(cfg.morphology);
  const controllerConfig = parseControllerConfig(cfg.controller, 'controller');
  // sizes are arithmetic on the spec; no world is built for them
  const { obsSize, actSize } = envSizes(spec);
  const controlDt = controlDtOf();
  const layout = genomeLayoutFor(controllerConfig, obsSize, actSize);
  if (layout.size === 0) throw new UserError(`controller "${controllerConfig.kind}" has no parameters to train; use plastic-snn, static-snn or mlp (configs/ant-*.json)`);

  let search: SearchRun<AnyState>;
  let normalizer: Normalizer;
  if (state) {
    const saved = GenomeLayout.fromJSON(state.layout);
    if (!saved.equals(layout)) throw new CheckpointError(ckptPath, 'kind', `its genome layout (${saved.size} values) does not match its own controller config on this robot (${layout.size} values); it was written by another version or edited: start a new run`);
    let stored: AnyState;
    try {
      // version-1 states (and the frozen entries kept beside them) convert here
      stored = readStrategyState(state.optimizer, 'optimizer', state.frozen ?? null);
      if (stored.dim !== layout.size) throw new Error(`optimizer.dim: expected ${layout.size} (the genome layout), got ${stored.dim}`);
      search = makeSearch(cfg, new Float32Array(layout.size), null, stored);
    } catch (e) {
      throw new CheckpointError(ckptPath, 'corrupt', `unusable optimiser state: ${(e as Error).message}`);
    }
    delete state.frozen;
    state.optimizer = search.state;
    normalizer = Normalizer.fromState(state.normalizer);
  } else {
    const init = initGenome(layout, cfg.seed);
    const mask = opts.initialGenome?.(layout, init);
    // frozen entries get no noise and no update inside the strategy (see training/es/sampling.ts)
    search = makeSearch(cfg, init, mask ?? null);
    normalizer = new Normalizer(obsSize);
    const identity = { runId: newRunId(), configHash: configHash(cfg), physicsBuild: PHYSICS_BUILD };
    writeRunFile(opts.outDir, RUN_KIND, identity);
    state = {
      runVersion: RUN_STATE_VERSION,
      ...identity,
      budget: { generations, minutes },
      config: cfg,
      layout: layout.toJSON(),
      optimizer: search.state,
      normalizer: normalizer.getState(),
      generation: 0,
      history: [],
      best: null,
      envSteps: 0,
      elapsedSec: 0,
    };
  }
  let population: Float32Array[] | undefined; // reused every generation (the pool copies members out)

  // training episodes may end on a stricter healthy band than the robot's (cfg.trainingHealthyZ)
  const trainingSpec = cfg.trainingHealthyZ ? { ...spec, healthyZ: cfg.trainingHealthyZ } : spec;
  // a reward curriculum: the fall penalty and the heading cost count from their generations on
  const policyAt = rewardCurriculum(cfg.reward, (reward) => policySpec({ morphology: trainingSpec, controller: controllerConfig, reward }));
  const E = cfg.episodesPerMember;
  /**
   * The tasks of one batch: member m's episode k of seed generation s is `episodeSpec(cfg, s, k)`
   * with seed deriveSeed(runSeed, s, k), the same for every member (common random numbers), or,
   * with `distinct` (the centre's evaluations), `episodeSpec(cfg, s, k, m)`: seed
   * deriveSeed(runSeed, s, m, k) and the longest episode length.
   */
  const tasks = (s: number, genomes: Float32Array[], norm: FrozenNormalization | null, distinct: boolean, label: (m: number) => string): WorkerTask[] =>
    genomes.map((genome, m) => {
      const episodes: EpisodeSpec[] = [];
      for (let k = 0; k < E; k++) episodes.push(episodeSpec(cfg, controlDt, s, k, distinct ? m : undefined, s % CENTRE_SEED_OFFSET));
      const fault = opts.faultInjection && opts.faultInjection.generation === s && opts.faultInjection.member === m;
      return { version: TASK_FORMAT_VERSION, runId: state.runId, label: label(m), index: m, policyKey: policyAt(s % CENTRE_SEED_OFFSET).key, genome: fault ? new Float32Array(0) : genome, normalizer: norm, collectStats: cfg.normalizeObservations, episodes };
    });
  const pool = opts.backend ?? (await RolloutPool.create(opts.workers));
  const log = new RunLog(opts.outDir, { extraColumns: EXTRA_COLUMNS, resumeFromGeneration: opts.resume ? state.generation : undefined });
  const progress = opts.progress === null ? null : new ProgressReporter({ total: generations, stream: opts.progress ?? process.stderr, startGeneration: state.generation, budgetSeconds: minutes > 0 ? Math.max(1e-3, minutes * 60 - state.elapsedSec) : 0 });
  const t0 = performance.now() - state.elapsedSec * 1000;

  const save = () => {
    state.optimizer = search.state;
    state.normalizer = normalizer.getState();
    writeCheckpoint(ckptPath, RUN_KIND, state);
    if (state.best) {
      const policy: PolicyFile = {
        config: cfg,
        layout: state.layout,
        genome: state.best.genome,
        normalizer: state.normalizer,
        generation: state.best.generation,
        fitness: state.best.fitness,
        meanForwardVelocity: state.best.meanForwardVelocity,
        runId: state.runId,
        configHash: state.configHash,
      };
      writeCheckpoint(join(opts.outDir, 'best.json'), POLICY_KIND, policy);
    }
    writeFileAtomic(join(opts.outDir, 'learning-curve.svg'), learningCurve(cfg.name, state.history));
  };

  try {
    while (state.generation < generations) {
      if (minutes > 0 && (performance.now() - t0) / 60000 >= minutes) break;
      const g = state.generation;
      const tGen = performance.now();
      const genomes = (population = search.ask(population));
      const frozen = cfg.normalizeObservations ? normalizer.freeze() : null;
      const results = await pool.run(policyAt(g), tasks(g, genomes, frozen, false, (m) => `evaluating population member ${m} (of 0–${genomes.length - 1}) in generation ${g + 1}`));
      search.tell(results.map((r) => r.fitness));
      if (cfg.normalizeObservations) normalizer.merge(...results.map(statsOf));
      const gen = summarise(g, results, state, cfg.episodesPerMember);
      gen.stepsPerS = results.reduce((s, r) => s + r.steps, 0) / ((performance.now() - tGen) / 1000);

      const isCheckpoint = (g + 1) % cfg.checkpointEvery === 0 || g + 1 === generations;
      if (isCheckpoint) {
        const center = centerOf(search.state);
        // fresh seeds for the centre's evaluation: generation index offset by 1e6
        const evals = await pool.run(policyAt(g), tasks(CENTRE_SEED_OFFSET + g, Array.from({ length: cfg.finalEpisodes }, () => center), cfg.normalizeObservations ? normalizer.frozen() : null, true, centreTask(g + 1, cfg.finalEpisodes)));
        const f = evals.reduce((s, r) => s + r.fitness, 0) / evals.length;
        const v = evals.reduce((s, r) => s + r.meanForwardVelocity, 0) / evals.length;
        gen.extra.centerFitness = f;
        gen.extra.centerVelocity = v;
        state.envSteps += evals.reduce((s, r) => s + r.steps, 0);
        // with a switch curriculum, a centre evaluated with switches (generation ≥ fromGeneration)
        // replaces any best from before them: fitness with and without switches do not compare
        // (and so does one evaluated with each reward term the curriculum adds, from its generation on)
        const phase = (afterGeneration: number) =>
          (cfg.switches.probability > 0 && afterGeneration - 1 >= cfg.switches.fromGeneration ? 1 : 0) +
          (cfg.longEpisodes && afterGeneration - 1 >= cfg.longEpisodes.fromGeneration ? 1 : 0) +
          policyAt.phase(afterGeneration - 1);
        if (!state.best || phase(g + 1) > phase(state.best.generation) || f > state.best.fitness) state.best = { genome: center, fitness: f, meanForwardVelocity: v, generation: g + 1 };
      }
      state.generation = g + 1;
      state.elapsedSec = (performance.now() - t0) / 1000;
      gen.elapsedS = state.elapsedSec;
      gen.envSteps = state.envSteps;
      state.history.push(gen);
      log.append(gen);
      const v = state.best ? `centre ${state.best.meanForwardVelocity.toFixed(2)} m/s` : `pop ${gen.extra.meanVelocity.toFixed(2)} m/s`;
      const budget = minutes > 0 ? ` | budget ${formatDuration(Math.max(0, minutes * 60 - state.elapsedSec))} left` : '';
      progress?.update({ generation: state.generation, best: gen.best, mean: gen.mean, stepsPerS: gen.stepsPerS, note: v + budget });
      if (isCheckpoint) save();
    }
    if (!state.best) {
      const center = centerOf(search.state);
      const evals = await pool.run(policyAt(state.generation), tasks(CENTRE_SEED_OFFSET + state.generation, Array.from({ length: cfg.finalEpisodes }, () => center), cfg.normalizeObservations ? normalizer.frozen() : null, true, centreTask(state.generation, cfg.finalEpisodes)));
      state.best = {
        genome: center,
        fitness: evals.reduce((s, r) => s + r.fitness, 0) / evals.length,
        meanForwardVelocity: evals.reduce((s, r) => s + r.meanForwardVelocity, 0) / evals.length,
        generation: state.generation,
      };
    }
    save();
  } finally {
    progress?.done();
    if (!opts.backend) await pool.close();
  }
  return {
    notes,
    runId: state.runId,
    generations: state.generation,
    history: state.history,
    outDir: opts.outDir,
    best: {
      config: cfg,
      layout: state.layout,
      genome: state.best!.genome,
      normalizer: normalizer.getState(),
      generation: state.best!.generation,
      fitness: state.best!.fitness,
      meanForwardVelocity: state.best!.meanForwardVelocity,
      runId: state.runId,
      configHash: state.configHash,
    },
  };
}

/**
 * The reward curriculum of `reward`: the training policy of generation g (0-based). The fall
 * penalty counts from reward.fallPenaltyFromGeneration on, the heading cost from
 * reward.headingWeightFromGeneration on (a gait first, then one that stays up, then one that
 * goes straight); before its generation a term is 0. `phase(g)` counts the terms switched on by
 * generation g (0 before any): fitness of two phases does not compare. One spec per phase, so
 * a policy key changes only when a term comes in.
 */
export function rewardCurriculum(rewardCfg: TrainConfig['reward'], make: (reward: Partial<RewardOptions>) => PolicySpec): ((g: number) => PolicySpec) & { phase: (g: number) => number } {
  const { fallPenaltyFromGeneration = 0, headingWeightFromGeneration = 0, ...reward } = rewardCfg;
  const terms = [
    { from: reward.fallPenalty ? fallPenaltyFromGeneration : 0, off: { fallPenalty: 0 } },
    { from: reward.headingWeight ? headingWeightFromGeneration : 0, off: { headingWeight: 0 } },
  ].filter((t) => t.from > 0);
  const specs = new Map<string, PolicySpec>();
  const at = (g: number) => {
    const off = terms.filter((t) => g < t.from);
    const id = off.map((t) => Object.keys(t.off)[0]).join(',');
    let spec = specs.get(id);
    if (!spec) specs.set(id, (spec = make(Object.assign({ ...reward }, ...off.map((t) => t.off)))));
    return spec;
  };
  return Object.assign(at, { phase: (g: number) => terms.filter((t) => g >= t.from).length });
}

/** Stream ids of the schedule draws (deriveSeed paths), apart from the episodes' own seeds. */
const LENGTH_STREAM = 0x4c454e; // "LEN"
const SWITCH_STREAM = 0x535754; // "SWT"

/**
 * Episode k of seed generation s (training/task.ts `EpisodeSpec`), derived on the coordinator
 * only. Starting condition conditions[(s·E + k) mod C]. Length: episodeSeconds, or with
 * episodeSecondsMax a uniform draw per (s, k) from [episodeSeconds, episodeSecondsMax]; the
 * centre's evaluations (`member` given) always use the longest length, so `best.json` is chosen
 * on the longest horizon trained. Switch: with switches.probability, conditions[u·n] (combined
 * over the starting condition by `combineConditions`) at a uniform time in atSeconds, clipped to the
 * episode. Each draw comes from its own stream deriveSeed(runSeed, s, k[, member], stream); with
 * no range and no switches the spec is exactly the old fixed-length one. Switches start at
 * generation switches.fromGeneration, and the lengths of cfg.longEpisodes from its generation
 * (`generation`: the run's generation, which for a centre evaluation is its seed generation less
 * the offset).
 */
export function episodeSpec(cfg: TrainConfig, controlDt: number, s: number, k: number, member?: number, generation = s): EpisodeSpec {
  const path = member === undefined ? [s, k] : [s, member, k];
  const seed = deriveSeed(cfg.seed, ...path);
  const condition = cfg.conditions[(s * cfg.episodesPerMember + k) % cfg.conditions.length];
  const lengths = cfg.longEpisodes && generation >= cfg.longEpisodes.fromGeneration ? cfg.longEpisodes : cfg;
  const lo = lengths.episodeSeconds;
  const hi = lengths.episodeSecondsMax > lo ? lengths.episodeSecondsMax : lo;
  const seconds = hi === lo || member !== undefined ? hi : lo + (hi - lo) * new Rng(deriveSeed(cfg.seed, ...path, LENGTH_STREAM)).uniform();
  const maxSteps = Math.max(1, Math.round(seconds / controlDt));
  const switches: EpisodeSpec['switches'] = [];
  const sw = cfg.switches;
  if (sw && sw.probability > 0 && generation >= sw.fromGeneration) {
    const rng = new Rng(deriveSeed(cfg.seed, ...path, SWITCH_STREAM));
    if (rng.uniform() < sw.probability) {
      const pick = sw.conditions[Math.min(sw.conditions.length - 1, Math.floor(rng.uniform() * sw.conditions.length))];
      const at = sw.atSeconds[0] + (sw.atSeconds[1] - sw.atSeconds[0]) * rng.uniform();
      const atStep = Math.min(maxSteps - 1, Math.max(0, Math.round(at / controlDt)));
      switches.push({ atStep, condition: combineConditions(condition, pick) });
    }
  }
  return { seed, maxSteps, condition, switches };
}

/** How an error of the centre's evaluation names what was evaluated (not its seed offset). */
function centreTask(afterGeneration: number, n: number): (member: number) => string {
  return (m) => `the centre evaluation after generation ${afterGeneration} (fresh-seed evaluation ${m + 1} of ${n})`;
}

function statsOf(r: TaskResult): RunningStats {
  if (!r.stats) throw new Error(`task ${r.index}: no observation statistics returned (collectStats was set)`);
  const s = new RunningStats(r.stats.mean.length);
  s.count = r.stats.count;
  s.mean.set(r.stats.mean);
  s.m2.set(r.stats.m2);
  return s;
}

function summarise(g: number, results: TaskResult[], state: RunState, episodesPerMember: number): GenerationRow {
  const fit = results.map((r) => r.fitness);
  const [mean, sd] = meanSd(fit);
  let bi = 0;
  for (let i = 1; i < fit.length; i++) if (fit[i] > fit[bi]) bi = i;
  const steps = results.reduce((s, r) => s + r.steps, 0);
  state.envSteps += steps;
  const previous = state.history.length ? state.history[state.history.length - 1].evaluations : 0;
  return {
    generation: g + 1,
    evaluations: previous + results.length * episodesPerMember,
    envSteps: state.envSteps,
    best: fit[bi],
    mean,
    sd,
    elapsedS: state.elapsedSec,
    stepsPerS: 0,
    extra: {
      meanVelocity: results.reduce((s, r) => s + r.meanForwardVelocity, 0) / results.length,
      bestVelocity: results[bi].meanForwardVelocity,
      centerFitness: NaN,
      centerVelocity: NaN,
    },
  };
}

export function learningCurve(name: string, history: GenerationRow[]): string {
  const xs = history.map((h) => h.generation);
  const centre = history.filter((h) => Number.isFinite(h.extra.centerFitness));
  return lineChartSVG({
    title: `${name}: fitness per generation`,
    xLabel: 'generation',
    yLabel: 'return per episode',
    series: [
      { name: 'population mean', xs, ys: history.map((h) => h.mean), band: { lo: history.map((h) => h.mean - h.sd), hi: history.map((h) => h.mean + h.sd) } },
      { name: 'population best', xs, ys: history.map((h) => h.best) },
      { name: 'centre (fresh seeds)', xs: centre.map((h) => h.generation), ys: centre.map((h) => h.extra.centerFitness) },
    ],
  });
}
