/**
 * Learning plasticity rules by BPTT: Adam on the raw genome of a `GraphSnn`, on batches of a
 * temporal task, with optional truncation, periodic evaluation on a fixed held-out batch,
 * logs (log.jsonl / log.csv via training/log.ts), atomic checkpoints (training/checkpoint.ts,
 * kind 'bptt-run', resumable) and the learned rule exported as `rule.json` (rule.ts).
 *
 * Seeds: the training batch of iteration i is `task.generate(deriveSeed(seed, 1, i), batch,
 * noise)`; the evaluation batch is `deriveSeed(seed, 2)`; the initial genome is
 * `layout.initialize(deriveSeed(seed, 3))`. So a resumed run sees the same batches as an
 * uninterrupted one.
 *
 * Truncated BPTT (`truncation` = T_c > 0 control steps): the episode is cut into chunks of
 * T_c steps; each chunk's loss (masked MSE over that chunk) is back-propagated into the
 * chunk only, the state (membranes, traces, Hebb, E, θ) is carried forward as a constant, and
 * Adam steps once per chunk. `truncation` = 0: one step per episode, full BPTT.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { deriveSeed } from '../../core/rng.js';
import { validate, type Schema } from '../../core/schema.js';
import { parseControllerConfig, type ControllerConfig } from '../../controllers/config.js';
import { RULE_NAMES, type RuleName } from '../../controllers/plasticity.js';
import { snnGenomeLayout } from '../../controllers/snn.js';
import { GenomeLayout } from '../../controllers/genome.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoint.js';
import { RunLog } from '../log.js';
import { checkRunIdentity, configHash, newRunId, prepareFreshRunDir, prepareResumeRunDir, writeRunFile, type PrepareOptions, type RunIdentity } from '../rundir.js';
import { backendInfo, initBackend, type BackendName } from './backend.js';
import { GraphSnn, disposeState, keepState, type GraphState } from './graph-snn.js';
import { SURROGATE_KINDS, surrogateSpec, type SurrogateKind } from './surrogate.js';
import { signAccuracy, maskedMse, type TaskBatch, type TemporalTask } from './task.js';
import { CueRewardTask } from './cue-reward.js';
import { PatternMemoryTask } from './pattern-memory.js';
import { buildRuleExport, writeRule } from './rule.js';

export const TASK_NAMES = ['cue-reward', 'pattern-memory'] as const;
export type TaskName = (typeof TASK_NAMES)[number];
/** 'static' = the same network with plasticity off (static-snn) */
/** (the ABCD and covariance rules are ES-only: the BPTT port does not implement them) */
export const LEARN_RULES = ['static', ...RULE_NAMES.filter((r) => r !== 'none' && !r.startsWith('abcd') && !r.startsWith('cov'))] as const;
export type LearnRule = 'static' | Exclude<RuleName, 'none' | 'abcd' | 'abcd-neuromod' | 'cov' | 'cov-neuromod' | 'cov-retro'>;

export interface LearnConfig {
  task: TaskName;
  /** task overrides (see cue-reward.ts / pattern-memory.ts for the fields and defaults) */
  taskConfig: Record<string, unknown>;
  rule: LearnRule;
  iterations: number;
  batch: number;
  seed: number;
  /** std of Gaussian input noise */
  noise: number;
  /** control steps per truncation chunk; 0 = full BPTT */
  truncation: number;
  learningRate: number;
  /** global gradient-norm clip (0 = off) */
  gradClip: number;
  surrogate: SurrogateKind;
  /** surrogate slope k; 0 = the kind's default */
  slope: number;
  evalEvery: number;
  evalBatch: number;
  checkpointEvery: number;
  /** controller config overrides (network size, connections, decay constants, ...) */
  controller: Record<string, unknown>;
}

export const LEARN_CONFIG_SCHEMA: Schema = {
  type: 'object',
  properties: {
    task: { type: 'string', enum: TASK_NAMES, default: 'cue-reward' },
    taskConfig: { type: 'record', values: { type: 'any' }, default: {} },
    rule: { type: 'string', enum: LEARN_RULES, default: 'hebbian-neuromod' },
    iterations: { type: 'number', integer: true, min: 0, default: 300 },
    batch: { type: 'number', integer: true, min: 1, default: 32 },
    seed: { type: 'number', integer: true, min: 0, default: 0 },
    noise: { type: 'number', min: 0, default: 0 },
    truncation: { type: 'number', integer: true, min: 0, default: 0 },
    learningRate: { type: 'number', min: 0, exclusiveMin: true, default: 0.01 },
    gradClip: { type: 'number', min: 0, default: 1 },
    surrogate: { type: 'string', enum: SURROGATE_KINDS, default: 'fast-sigmoid' },
    slope: { type: 'number', min: 0, default: 0 },
    evalEvery: { type: 'number', integer: true, min: 1, default: 25 },
    evalBatch: { type: 'number', integer: true, min: 1, default: 128 },
    checkpointEvery: { type: 'number', integer: true, min: 1, default: 50 },
    controller: { type: 'record', values: { type: 'any' }, default: {} },
  },
};

export function parseLearnConfig(value: unknown, where = 'learn-rule config'): LearnConfig {
  return validate<LearnConfig>(value ?? {}, LEARN_CONFIG_SCHEMA, where);
}

export function makeTask(name: TaskName, overrides: Record<string, unknown> = {}): TemporalTask {
  return name === 'cue-reward' ? new CueRewardTask(overrides) : new PatternMemoryTask(overrides);
}

/**
 * The controller config a learn-rule run trains: one SNN step per task step (K = 1), direct
 * input, membrane readout (actions = tanh(V), the targets' range), a plastic hidden→output
 * connection, the reward as a neuromodulator input; `overrides` (deep-merged) win.
 */
export function learnControllerConfig(rule: LearnRule, overrides: Record<string, unknown> = {}): ControllerConfig {
  const base: Record<string, unknown> = {
    kind: rule === 'static' ? 'static-snn' : 'plastic-snn',
    steps: 1,
    inputClip: 5,
    encoder: { kind: 'direct' },
    network: { hidden: 32, recurrent: false, beta: 0.8, outputBeta: 0.5 },
    decoder: { kind: 'membrane' },
    plasticity: { rule: rule === 'static' ? 'none' : rule, connections: ['output'], reward: true, eta: 0.1, tauTheta: 0.1, preDecay: 0.5, postDecay: 0.5 },
    init: { alphaGain: 1, fanoutStd: 0.5, inputGain: 1.5 },
  };
  return parseControllerConfig(deepMerge(base, overrides), 'learn-rule controller config');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export interface IterationStats {
  iteration: number;
  loss: number;
  metric: number;
  gradNorm: number;
  seconds: number;
}

export interface EvalStats {
  loss: number;
  metric: number;
}

/** One model + optimiser + task: the pieces a run, a test or the bench drive step by step. */
export class BpttTrainer {
  readonly config: LearnConfig;
  readonly task: TemporalTask;
  readonly controller: ControllerConfig;
  readonly model: GraphSnn;
  readonly optimizer: tf.AdamOptimizer;
  iteration = 0;

  constructor(config: LearnConfig, genome?: Float32Array) {
    this.config = config;
    this.task = makeTask(config.task, config.taskConfig);
    this.controller = learnControllerConfig(config.rule, config.controller);
    const layout = snnGenomeLayout(this.controller, this.task.nIn, this.task.nOut);
    const g = genome ?? layout.initialize(deriveSeed(config.seed, 3));
    this.model = new GraphSnn(this.controller, this.task.nIn, this.task.nOut, g, surrogateSpec(config.surrogate, config.slope || undefined));
    this.optimizer = tf.train.adam(config.learningRate);
  }

  get layout(): GenomeLayout {
    return this.model.layout;
  }

  private tensors(b: TaskBatch): { u: tf.Tensor; reward: tf.Tensor; target: tf.Tensor; mask: tf.Tensor } {
    const m = this.model;
    return {
      u: tf.tensor3d(m.encode(b.inputs, b.steps, b.batch), [b.steps * this.controller.steps, b.batch, m.shape.input]),
      reward: tf.tensor2d(b.reward, [b.steps, b.batch]),
      target: tf.tensor3d(b.targets, [b.steps, b.batch, b.nOut]),
      mask: tf.tensor3d(b.lossMask, [b.steps, b.batch, 1]),
    };
  }

  /** Masked MSE of actions [T, B, nOut] against targets (task.ts), as a scalar tensor. */
  static loss(actions: tf.Tensor, target: tf.Tensor, mask: tf.Tensor): tf.Scalar {
    const nOut = actions.shape[2]!;
    const err = tf.sum(tf.mul(mask, tf.square(tf.sub(actions, target))));
    return tf.div(err, tf.maximum(tf.mul(tf.sum(mask), nOut), 1)) as tf.Scalar;
  }

  /** One training iteration (one Adam step per truncation chunk) on the batch of `this.iteration`. */
  step(): IterationStats {
    const t0 = performance.now();
    const c = this.config;
    const b = this.task.generate(deriveSeed(c.seed, 1, this.iteration), c.batch, c.noise);
    const T = b.steps;
    const chunk = c.truncation > 0 ? Math.min(c.truncation, T) : T;
    const K = this.controller.steps;
    const vars = this.model.trainable();
    const outputs = new Float32Array(T * b.batch * b.nOut);
    let gradNormSq = 0;
    let state: GraphState = this.model.initialState(b.batch);
    const all = this.tensors(b);
    for (let t0c = 0; t0c < T; t0c += chunk) {
      const len = Math.min(chunk, T - t0c);
      let next: GraphState | null = null;
      let acts: tf.Tensor | null = null;
      const chunkState = state;
      const { value, grads } = tf.variableGrads(() => {
        const u = tf.slice(all.u, [t0c * K, 0, 0], [len * K, -1, -1]);
        const r = tf.slice(all.reward, [t0c, 0], [len, -1]);
        const res = this.model.run(u, r, chunkState);
        next = keepState(res.state);
        acts = tf.keep(res.actions);
        return BpttTrainer.loss(res.actions, tf.slice(all.target, [t0c, 0, 0], [len, -1, -1]), tf.slice(all.mask, [t0c, 0, 0], [len, -1, -1]));
      }, vars);
      value.dispose();
      outputs.set((acts as unknown as tf.Tensor).dataSync() as Float32Array, t0c * b.batch * b.nOut);
      tf.dispose(acts as unknown as tf.Tensor);
      disposeState(state);
      state = next!;
      gradNormSq += this.applyGradients(grads);
    }
    disposeState(state);
    tf.dispose([all.u, all.reward, all.target, all.mask]);
    this.iteration++;
    return { iteration: this.iteration, loss: maskedMse(b, outputs), metric: signAccuracy(b, outputs), gradNorm: Math.sqrt(gradNormSq), seconds: (performance.now() - t0) / 1000 };
  }

  /** Clip by global norm, apply Adam; returns the squared norm before clipping. */
  private applyGradients(grads: tf.NamedTensorMap): number {
    const names = Object.keys(grads);
    const sq = tf.tidy(() => tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))).dataSync()[0]);
    const clip = this.config.gradClip;
    let use = grads;
    if (clip > 0 && Number.isFinite(sq) && Math.sqrt(sq) > clip) {
      const s = clip / Math.sqrt(sq);
      use = {};
      for (const n of names) use[n] = tf.mul(grads[n], s);
      tf.dispose(Object.values(grads));
    }
    if (Number.isFinite(sq)) this.optimizer.applyGradients(use as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
    tf.dispose(Object.values(use));
    return sq;
  }

  /** Forward only on a batch; returns loss, metric and the actions. */
  evaluate(b: TaskBatch): EvalStats & { outputs: Float32Array } {
    const outputs = tf.tidy(() => {
      const x = this.tensors(b);
      const res = this.model.run(x.u, x.reward, this.model.initialState(b.batch));
      return res.actions.dataSync() as Float32Array;
    });
    return { loss: maskedMse(b, outputs), metric: signAccuracy(b, outputs), outputs };
  }

  evalBatch(): TaskBatch {
    return this.task.generate(deriveSeed(this.config.seed, 2), this.config.evalBatch, this.config.noise);
  }

  /**
   * Adam state as plain arrays: tfjs's weights (iteration count, then first and second moments in
   * variable order; names do not matter to tfjs on restore) plus the running β1^t, β2^t
   * accumulators, which tfjs's own `setWeights` recomputes with `pow` (an ulp off the running
   * product), so that a resumed run is bit-identical to an uninterrupted one.
   */
  async optimizerState(): Promise<{ shape: number[]; values: Float32Array }[]> {
    const w = await this.optimizer.getWeights();
    const out = w.map((x) => ({ shape: [...x.tensor.shape], values: new Float32Array(x.tensor.dataSync()) }));
    w[0].tensor.dispose(); // the iteration count is a fresh scalar; the moments are the live variables
    const acc = this.optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    out.push({ shape: [2], values: Float32Array.from([acc.accBeta1.dataSync()[0], acc.accBeta2.dataSync()[0]]) });
    return out;
  }

  async restoreOptimizer(state: { shape: number[]; values: Float32Array }[]): Promise<void> {
    const weights = state.slice(0, -1);
    const accs = state[state.length - 1].values;
    const names = ['iter', ...weights.slice(1).map((_, i) => `w${i}`)];
    await this.optimizer.setWeights(weights.map((s, i) => ({ name: names[i], tensor: tf.tensor(s.values, s.shape) })));
    const acc = this.optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    tf.tidy(() => {
      acc.accBeta1.assign(tf.scalar(accs[0]));
      acc.accBeta2.assign(tf.scalar(accs[1]));
    });
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

export const RUN_KIND = 'bptt-run';

export interface BpttCheckpoint {
  config: LearnConfig;
  controller: ControllerConfig;
  genomeLayout: ReturnType<GenomeLayout['toJSON']>;
  iteration: number;
  genome: Float32Array;
  optimizer: { shape: number[]; values: Float32Array }[];
  best: { metric: number; iteration: number; genome: Float32Array } | null;
  history: { iteration: number; loss: number; metric: number; evalLoss: number; evalMetric: number }[];
  backend: string;
  /** the run's identity (training/rundir.ts); absent in checkpoints written before it existed */
  runId?: string;
  configHash?: string;
}

const RUN_DIR_HINTS: PrepareOptions = {
  kind: RUN_KIND,
  startHint: 'spikeloco learn-rule --out DIR [options]',
  resumeHint: 'spikeloco learn-rule --resume --out DIR',
};

export interface RunOptions {
  outDir: string;
  resume?: boolean;
  /** on resume: train up to this many iterations (default: the checkpoint's config) */
  iterations?: number;
  backend?: BackendName;
  /**
   * called after each iteration (progress display); `secondsPerIteration` is the wall clock per
   * iteration of this run so far, evaluations and checkpoints included, as in RunResult
   */
  onIteration?: (s: IterationStats, evalStats: EvalStats | null, total: number, secondsPerIteration: number) => void;
  log?: (line: string) => void;
}

export interface RunResult {
  outDir: string;
  backend: string;
  iterations: number;
  final: EvalStats;
  best: { metric: number; iteration: number } | null;
  secondsPerIteration: number;
  rulePath: string | null;
  checkpointPath: string;
}

/** A whole learn-rule run: train, log, checkpoint, evaluate, export the rule. */
export async function runLearnRule(config: LearnConfig, opts: RunOptions): Promise<RunResult> {
  const say = opts.log ?? (() => undefined);
  const backend = await initBackend(opts.backend);
  say(`backend: ${backendInfo()?.detail ?? backend}`);
  const prepared = opts.resume ? prepareResumeRunDir(opts.outDir, RUN_DIR_HINTS) : prepareFreshRunDir(opts.outDir, RUN_DIR_HINTS);
  prepared.notes.forEach(say);
  const ckptPath = prepared.checkpointPath;
  let ck: BpttCheckpoint | null = null;
  let identity: RunIdentity;
  if (opts.resume) {
    ck = readCheckpoint<BpttCheckpoint>(ckptPath, RUN_KIND).data;
    const hash = ck.configHash ?? configHash(ck.config);
    identity = { runId: ck.runId ?? `legacy-${hash}`, configHash: hash };
    checkRunIdentity(opts.outDir, RUN_KIND, identity);
    if (opts.iterations !== undefined && opts.iterations !== ck.config.iterations) say(`resume: ${opts.iterations} iterations (--iterations), the run's own budget was ${ck.config.iterations}; stored for later resumes`);
    config = opts.iterations !== undefined ? { ...ck.config, iterations: opts.iterations } : ck.config;
  } else {
    identity = { runId: newRunId(), configHash: configHash(config) };
    writeRunFile(opts.outDir, RUN_KIND, identity);
  }
  const trainer = new BpttTrainer(config, ck?.genome);
  const notFused = trainer.model.fusedEligible();
  say(`kernel: ${notFused === null ? 'fused sequence op (fused-output.ts)' : `op-by-op graph (${notFused})`}`);
  try {
    if (ck) {
      trainer.layout.assertCompatible(ck.genomeLayout, ckptPath);
      trainer.iteration = ck.iteration;
      if (ck.optimizer.length) await trainer.restoreOptimizer(ck.optimizer);
      say(`resumed at iteration ${ck.iteration}`);
    }
    // only the columns this run has: no ES population columns (best/mean/sd of a population)
    const log = new RunLog(opts.outDir, {
      baseColumns: ['generation', 'evaluations', 'envSteps', 'elapsedS', 'stepsPerS'],
      extraColumns: ['loss', 'metric', 'evalLoss', 'evalMetric', 'bestEvalMetric', 'gradNorm'],
      resumeFromGeneration: ck ? ck.iteration : undefined,
    });
    const evalB = trainer.evalBatch();
    let best = ck?.best ?? null;
    const history = ck?.history ?? [];
    const t0 = performance.now();
    let done = 0;
    const save = async () => {
      const data: BpttCheckpoint = {
        config,
        controller: trainer.controller,
        genomeLayout: trainer.layout.toJSON(),
        iteration: trainer.iteration,
        genome: trainer.model.readGenome(),
        optimizer: await trainer.optimizerState(),
        best,
        history,
        backend,
        ...identity,
      };
      writeCheckpoint(ckptPath, RUN_KIND, data);
    };
    const tasksSteps = trainer.task.steps * config.batch;
    while (trainer.iteration < config.iterations) {
      const s = trainer.step();
      done++;
      const last = trainer.iteration === config.iterations;
      let ev: EvalStats | null = null;
      if (trainer.iteration % config.evalEvery === 0 || last) {
        const e = trainer.evaluate(evalB);
        ev = { loss: e.loss, metric: e.metric };
        if (!best || e.metric > best.metric) best = { metric: e.metric, iteration: trainer.iteration, genome: trainer.model.readGenome() };
      }
      history.push({ iteration: trainer.iteration, loss: s.loss, metric: s.metric, evalLoss: ev?.loss ?? NaN, evalMetric: ev?.metric ?? NaN });
      const elapsed = (performance.now() - t0) / 1000;
      log.append({
        generation: trainer.iteration,
        evaluations: trainer.iteration * config.batch,
        envSteps: trainer.iteration * tasksSteps,
        best: best?.metric ?? NaN,
        mean: s.metric,
        sd: NaN,
        elapsedS: elapsed,
        stepsPerS: (done * tasksSteps) / Math.max(elapsed, 1e-9),
        extra: { loss: s.loss, metric: s.metric, evalLoss: ev?.loss ?? NaN, evalMetric: ev?.metric ?? NaN, bestEvalMetric: best?.metric ?? NaN, gradNorm: s.gradNorm },
      });
      opts.onIteration?.(s, ev, config.iterations, elapsed / done);
      if (trainer.iteration % config.checkpointEvery === 0 || last) await save();
    }
    if (done === 0) await save();
    const final = trainer.evaluate(evalB);
    let rulePath: string | null = null;
    if (config.rule !== 'static') {
      rulePath = join(opts.outDir, 'rule.json');
      writeRule(rulePath, buildRuleExport(trainer, { loss: final.loss, metric: final.metric }));
    }
    return {
      outDir: opts.outDir,
      backend,
      iterations: trainer.iteration,
      final: { loss: final.loss, metric: final.metric },
      best: best ? { metric: best.metric, iteration: best.iteration } : null,
      secondsPerIteration: done > 0 ? (performance.now() - t0) / 1000 / done : NaN,
      rulePath,
      checkpointPath: ckptPath,
    };
  } finally {
    trainer.dispose();
  }
}
