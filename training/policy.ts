/**
 * The policy: the versioned file format a training run writes (`best.json`, kind 'policy';
 * a run checkpoint, kind 'es-run', holds one too: its best centre) and the one way to read it,
 * `loadPolicy(path)`, which reads the file ONCE and returns everything running it needs:
 * the robot it was trained on, the typed controller config and genome, the frozen observation
 * normaliser, the reward weights (its neuromodulator reads the reward) and the episode length.
 *
 * A policy becomes a controller with `policyController`: the controller of its config with its
 * genome, wrapped by the observation normaliser (training/normalizer.ts `NormalizedInputs`)
 * the way the clock inputs wrap a network (controllers/clock.ts), so no loop threads a
 * normalising callback. `resolvePolicy` turns a `--controller` argument into a controller:
 *   zero · random · gait (the open-loop gait of sim/gait.ts)
 *   plastic-snn · static-snn · mlp   (default config, seeded random genome: untrained)
 *   path/to/best.json or checkpoint.json (a trained policy, with its observation normaliser)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Controller } from '../controllers/controller.js';
import type { ControllerConfig } from '../controllers/config.js';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { GenomeLayout } from '../controllers/genome.js';
import { loadMorphology } from '../morphologies/index.js';
import type { MorphologySpec } from '../morphologies/spec.js';
import type { LocomotionEnv, RewardOptions } from '../sim/env.js';
import { openLoopGait } from '../sim/gait.js';
import { readCheckpoint } from './checkpoint.js';
import { Normalizer, NormalizedInputs, type FrozenNormalization, type NormalizerState } from './normalizer.js';
import type { TrainConfig } from './config.js';
import { UserError } from '../core/errors.js';

/** checkpoint kind of a run's whole state (training/train.ts `RunState`) */
export const RUN_KIND = 'es-run';
/** checkpoint kind of a policy file (`best.json`) */
export const POLICY_KIND = 'policy';

/** What `best.json` holds: everything needed to run the policy elsewhere. */
export interface PolicyFile {
  config: TrainConfig;
  layout: ReturnType<GenomeLayout['toJSON']>;
  genome: Float32Array;
  normalizer: NormalizerState;
  generation: number;
  fitness: number;
  meanForwardVelocity: number;
  /** the run it came from (absent in files written before run identities) */
  runId?: string;
  configHash?: string;
}

/** A policy file read once, with its parts typed. */
export interface LoadedPolicy {
  /** the file it came from (names it in messages) */
  path: string;
  file: PolicyFile;
  /** the robot it was trained on (read on first use: a command may run it on another robot) */
  readonly morphology: MorphologySpec;
  controller: ControllerConfig;
  genome: Float32Array;
  layout: GenomeLayout;
  /** the frozen observation normaliser (null when trained on raw observations) */
  normalizer: FrozenNormalization | null;
  reward: Partial<RewardOptions>;
  /** the training episode length, seconds */
  episodeSeconds: number;
  /** e.g. 'plastic-snn (runs/x/best.json, generation 40)' */
  label: string;
}

/** A controller ready to drive an env, and what to call it. */
export interface ResolvedPolicy {
  controller: Controller;
  /** e.g. 'gait (open-loop)' or 'plastic-snn (runs/x/best.json, generation 40)' */
  label: string;
  /** the trained policy it came from (null for built-ins) */
  policy: LoadedPolicy | null;
}

/** The raw policy payload of a `best.json` or of a run checkpoint's best centre. */
export function policyFromFile(path: string): PolicyFile {
  const { header, data } = readCheckpoint<PolicyFile>(path);
  if (header.kind === POLICY_KIND) return data;
  if (header.kind === RUN_KIND) {
    const run = data as unknown as { config: PolicyFile['config']; layout: PolicyFile['layout']; normalizer: PolicyFile['normalizer']; best: { genome: Float32Array; fitness: number; meanForwardVelocity: number; generation: number } | null };
    if (!run.best) throw new UserError(`${path}: this run checkpoint has no evaluated best genome yet; continue it (spikeloco train --resume DIR) until it has checkpointed once`);
    return { config: run.config, layout: run.layout, normalizer: run.normalizer, genome: run.best.genome, generation: run.best.generation, fitness: run.best.fitness, meanForwardVelocity: run.best.meanForwardVelocity };
  }
  throw new UserError(`${path}: a ${header.kind} file, not a policy (best.json) or run checkpoint`);
}

/** Read a policy file (best.json or a run checkpoint) once. */
export function loadPolicy(path: string): LoadedPolicy {
  return policyOf(policyFromFile(path), path);
}

/** A policy payload already in memory (e.g. `train`'s result), typed like `loadPolicy`'s. */
export function policyOf(file: PolicyFile, path: string): LoadedPolicy {
  const controller = parseControllerConfig(file.config.controller, `${path}: config.controller`);
  let morphology: MorphologySpec | undefined;
  return {
    path,
    file,
    get morphology() {
      return (morphology ??= loadMorphology(file.config.morphology));
    },
    controller,
    genome: file.genome,
    layout: GenomeLayout.fromJSON(file.layout),
    normalizer: file.config.normalizeObservations ? Normalizer.fromState(file.normalizer).frozen() : null,
    reward: file.config.reward ?? {},
    episodeSeconds: file.config.episodeSeconds,
    label: `${controller.kind} (${path}, generation ${file.generation})`,
  };
}

/**
 * The policy's controller for a robot with these sizes: its config and genome, observations
 * normalised by its frozen normaliser. Refuses a robot of other sizes (the genome would not fit).
 */
export function policyController(policy: LoadedPolicy, obsSize: number, actSize: number): Controller {
  const layout = genomeLayoutFor(policy.controller, obsSize, actSize);
  if (!layout.equals(policy.layout)) {
    throw new UserError(`${policy.path}: the policy was trained for a robot with other observation/action sizes (genome layout differs from ${obsSize} observations, ${actSize} actions); it was trained on "${policy.file.config.morphology}": use that robot (--morphology ${policy.file.config.morphology})`);
  }
  const controller = createController(policy.controller, obsSize, actSize, policy.genome);
  return policy.normalizer ? new NormalizedInputs(controller, policy.normalizer) : controller;
}

/** A `--controller` argument (a built-in name, a policy file, or a policy loaded already) for this env. */
export function resolvePolicy(arg: string | LoadedPolicy, env: LocomotionEnv, seed = 0): ResolvedPolicy {
  const { obsSize, actSize } = env;
  if (typeof arg !== 'string') return { controller: policyController(arg, obsSize, actSize), label: arg.label, policy: arg };
  if (arg === 'gait') return gaitPolicy(env);
  if (arg === 'zero' || arg === 'random') return { controller: createController({ kind: arg }, obsSize, actSize), label: arg, policy: null };
  if (arg === 'plastic-snn' || arg === 'static-snn' || arg === 'mlp') {
    const cfg = parseControllerConfig({ kind: arg }, '--controller');
    const layout = genomeLayoutFor(cfg, obsSize, actSize);
    return { controller: createController(cfg, obsSize, actSize, initGenome(layout, seed)), label: `${arg} (untrained, seed ${seed})`, policy: null };
  }
  if (!existsSync(arg)) {
    throw new UserError(`--controller: "${arg}" is neither a built-in (${BUILTIN_CONTROLLERS.join(', ')}) nor an existing file`);
  }
  return resolvePolicy(loadPolicy(arg), env, seed);
}

export const BUILTIN_CONTROLLERS = ['zero', 'random', 'gait', 'plastic-snn', 'static-snn', 'mlp'] as const;

/** The open-loop gait of sim/gait.ts as the controllers library's oscillator. */
export function gaitPolicy(env: LocomotionEnv): ResolvedPolicy {
  const p = openLoopGait(env.spec, env.jointNames);
  return { controller: createController({ kind: 'oscillator', oscillator: { ...p, dt: env.controlDt } }, env.obsSize, env.actSize), label: 'gait (open-loop)', policy: null };
}

/** A policy argument of eval/adapt: a best.json (or checkpoint) file, or a run directory holding best.json. */
export function policyPath(arg: string): string {
  return arg.endsWith('.json') ? arg : join(arg, 'best.json');
}
