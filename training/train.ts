/**
 * Headless ES training of a controller's genome on a robot.
 *
 * One generation: sample the population (the optimiser's seed-derived noise) → evaluate every
 * member on the rollout pool with the frozen observation normaliser → tell the optimiser the
 * fitness → merge the members' observation statistics in member order → log. Every
 * `checkpointEvery` generations (and at the end) the centre of the search distribution is
 * evaluated on fresh seeds; the best centre so far is `best.json`, and the whole run state is
 * checkpointed atomically to `checkpoint.json`. `--resume` continues bit-for-bit.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMorphology } from '../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { GenomeLayout } from '../controllers/genome.js';
import { LocomotionEnv } from '../sim/env.js';
import { OpenAIES, PGPE, SNES, optimizerFromState, type Optimizer, type OptimizerState } from './optimizers/index.js';
import { Normalizer, RunningStats, type NormalizerState } from './normalizer.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { RunLog, type LogRow } from './log.js';
import { lineChartSVG } from './plot.js';
import { ProgressReporter, formatDuration } from './progress.js';
import { RolloutPool } from './pool.js';
import type { EvaluatorInit, MemberResult } from './evaluate.js';
import type { TrainConfig } from './config.js';
import { parseTrainConfig } from './config.js';
import { UserError } from '../core/errors.js';

export const RUN_KIND = 'es-run';
export const POLICY_KIND = 'policy';

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

/** What `best.json` holds: everything needed to run the policy elsewhere. */
export interface PolicyFile {
  config: TrainConfig;
  layout: ReturnType<GenomeLayout['toJSON']>;
  genome: Float32Array;
  normalizer: NormalizerState;
  generation: number;
  fitness: number;
  meanForwardVelocity: number;
}

interface RunState {
  config: TrainConfig;
  layout: ReturnType<GenomeLayout['toJSON']>;
  optimizer: OptimizerState;
  normalizer: NormalizerState;
  generation: number;
  history: GenerationRow[];
  best: { genome: Float32Array; fitness: number; meanForwardVelocity: number; generation: number } | null;
  envSteps: number;
  elapsedSec: number;
  /** genome entries held fixed (a frozen learned rule): mask 1 = fixed at `values` */
  frozen: { mask: Uint8Array; values: Float32Array } | null;
}

export interface TrainOptions {
  outDir: string;
  workers: number;
  /** override config.generations */
  generations?: number;
  /** override config.minutes */
  minutes?: number;
  /** continue the run in this directory */
  resume?: boolean;
  /** progress output stream (default stderr); null for silence */
  progress?: NodeJS.WritableStream | null;
  /** test hook passed to the workers */
  faultInjection?: EvaluatorInit['faultInjection'];
  /**
   * Adjust the initial genome in place (e.g. plasticity slices from a learned rule); a returned
   * mask (1 = hold fixed) freezes those entries in every evaluated genome.
   */
  initialGenome?: (layout: GenomeLayout, genome: Float32Array) => Uint8Array | void;
}

export interface TrainResult {
  generations: number;
  history: GenerationRow[];
  best: PolicyFile;
  outDir: string;
}

function makeOptimizer(cfg: TrainConfig, init: Float32Array): Optimizer {
  const o = cfg.optimizer;
  const dim = init.length;
  switch (o.kind) {
    case 'openai-es':
      return new OpenAIES({ dim, pairs: o.popSize / 2, seed: cfg.seed, sigma: o.sigma, lr: o.lr, weightDecay: o.weightDecay, init });
    case 'pgpe':
      return new PGPE({ dim, popSize: o.popSize, seed: cfg.seed, maxSpeed: o.maxSpeed, stdevInit: o.sigma, init });
    case 'snes':
      return new SNES({ dim, popSize: o.popSize, seed: cfg.seed, init, stdevInit: o.sigma });
  }
}

function meanSd(xs: number[]): [number, number] {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
  return [m, Math.sqrt(v)];
}

export async function train(cfgIn: TrainConfig, opts: TrainOptions): Promise<TrainResult> {
  mkdirSync(opts.outDir, { recursive: true });
  const ckptPath = join(opts.outDir, 'checkpoint.json');
  let state: RunState;
  let cfg = cfgIn;
  if (opts.resume) {
    if (!existsSync(ckptPath)) throw new UserError(`--resume ${opts.outDir}: no checkpoint.json there; start the run with --config FILE --out ${opts.outDir}`);
    state = readCheckpoint<RunState>(ckptPath, RUN_KIND).data;
    cfg = parseTrainConfig(state.config, `${ckptPath} config`);
  } else {
    if (existsSync(ckptPath)) throw new UserError(`${opts.outDir} already holds a run (checkpoint.json); continue it with --resume ${opts.outDir} or choose another --out`);
    state = undefined as unknown as RunState;
  }
  const generations = opts.generations ?? cfg.generations;
  const minutes = opts.minutes ?? cfg.minutes;

  const spec = loadMorphology(cfg.morphology);
  const controllerConfig = parseControllerConfig(cfg.controller, 'controller');
  const probe = await LocomotionEnv.create({ morphology: spec });
  const { obsSize, actSize, controlDt } = probe;
  probe.free();
  const layout = genomeLayoutFor(controllerConfig, obsSize, actSize);
  if (layout.size === 0) throw new UserError(`controller "${controllerConfig.kind}" has no parameters to train; use plastic-snn, static-snn or mlp (configs/ant-*.json)`);

  let optimizer: Optimizer;
  let normalizer: Normalizer;
  if (state) {
    const saved = GenomeLayout.fromJSON(state.layout);
    if (!saved.equals(layout)) throw new UserError(`${ckptPath}: the checkpoint's genome layout does not match this controller config (${saved.size} vs ${layout.size} values)`);
    optimizer = optimizerFromState(state.optimizer);
    normalizer = Normalizer.fromState(state.normalizer);
  } else {
    const init = initGenome(layout, cfg.seed);
    const mask = opts.initialGenome?.(layout, init);
    const frozen = mask && mask.some((m) => m === 1) ? { mask, values: init.slice() } : null;
    optimizer = makeOptimizer(cfg, init);
    normalizer = new Normalizer(obsSize);
    state = {
      config: cfg,
      layout: layout.toJSON(),
      optimizer: optimizer.getState(),
      normalizer: normalizer.getState(),
      generation: 0,
      history: [],
      best: null,
      envSteps: 0,
      elapsedSec: 0,
      frozen,
    };
  }
  const clamp = (x: Float32Array): Float32Array => {
    const f = state.frozen;
    if (f) for (let i = 0; i < x.length; i++) if (f.mask[i]) x[i] = f.values[i];
    return x;
  };

  const episodeSteps = Math.max(1, Math.round(cfg.episodeSeconds / controlDt));
  const pool = await RolloutPool.create(opts.workers, {
    morphology: spec,
    conditions: cfg.conditions,
    episodeSteps,
    episodesPerMember: cfg.episodesPerMember,
    controller: controllerConfig as unknown as Record<string, unknown>,
    runSeed: cfg.seed,
    reward: cfg.reward,
    faultInjection: opts.faultInjection,
  });
  const log = new RunLog(opts.outDir, { extraColumns: EXTRA_COLUMNS, resumeFromGeneration: opts.resume ? state.generation : undefined });
  const progress = opts.progress === null ? null : new ProgressReporter({ total: generations, stream: opts.progress ?? process.stderr, startGeneration: state.generation, budgetSeconds: minutes > 0 ? Math.max(1e-3, minutes * 60 - state.elapsedSec) : 0 });
  const t0 = performance.now() - state.elapsedSec * 1000;

  const save = () => {
    state.optimizer = optimizer.getState();
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
      };
      writeCheckpoint(join(opts.outDir, 'best.json'), POLICY_KIND, policy);
    }
    writeFileSync(join(opts.outDir, 'learning-curve.svg'), learningCurve(cfg.name, state.history));
  };

  try {
    while (state.generation < generations) {
      if (minutes > 0 && (performance.now() - t0) / 60000 >= minutes) break;
      const g = state.generation;
      const tGen = performance.now();
      const population = optimizer.ask().map((x) => clamp(x.slice()));
      const frozen = cfg.normalizeObservations ? normalizer.freeze() : null;
      const results = await pool.evaluate(g, population, frozen);
      optimizer.tell(results.map((r) => r.fitness));
      if (cfg.normalizeObservations) normalizer.merge(...results.map(statsOf));
      const gen = summarise(g, results, state, cfg.episodesPerMember);
      gen.stepsPerS = results.reduce((s, r) => s + r.steps, 0) / ((performance.now() - tGen) / 1000);

      const isCheckpoint = (g + 1) % cfg.checkpointEvery === 0 || g + 1 === generations;
      if (isCheckpoint) {
        const center = clamp(optimizer.center());
        // fresh seeds for the centre's evaluation: generation index offset by 1e6
        const evals = await pool.evaluate(1_000_000 + g, Array.from({ length: cfg.finalEpisodes }, () => center), cfg.normalizeObservations ? normalizer.frozen() : null, true);
        const f = evals.reduce((s, r) => s + r.fitness, 0) / evals.length;
        const v = evals.reduce((s, r) => s + r.meanForwardVelocity, 0) / evals.length;
        gen.extra.centerFitness = f;
        gen.extra.centerVelocity = v;
        state.envSteps += evals.reduce((s, r) => s + r.steps, 0);
        if (!state.best || f > state.best.fitness) state.best = { genome: center, fitness: f, meanForwardVelocity: v, generation: g + 1 };
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
      const center = clamp(optimizer.center());
      const evals = await pool.evaluate(1_000_000 + state.generation, Array.from({ length: cfg.finalEpisodes }, () => center), cfg.normalizeObservations ? normalizer.frozen() : null, true);
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
    await pool.close();
  }
  return {
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
    },
  };
}

function statsOf(r: MemberResult): RunningStats {
  const s = new RunningStats(r.stats.mean.length);
  s.count = r.stats.count;
  s.mean.set(r.stats.mean);
  s.m2.set(r.stats.m2);
  return s;
}

function summarise(g: number, results: MemberResult[], state: RunState, episodesPerMember: number): GenerationRow {
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
    yLabel: 'return (10-s episode)',
    series: [
      { name: 'population mean', xs, ys: history.map((h) => h.mean), band: { lo: history.map((h) => h.mean - h.sd), hi: history.map((h) => h.mean + h.sd) } },
      { name: 'population best', xs, ys: history.map((h) => h.best) },
      { name: 'centre (fresh seeds)', xs: centre.map((h) => h.generation), ys: centre.map((h) => h.extra.centerFitness) },
    ],
  });
}
