/**
 * Resolve a `--controller` argument into something that can drive an env:
 *   zero · random · gait (the open-loop gait of sim/gait.ts)
 *   plastic-snn · static-snn · mlp   (default config, seeded random genome: untrained)
 *   path/to/best.json or checkpoint.json (a trained policy, with its observation normaliser)
 */
import { existsSync } from 'node:fs';
import type { Controller } from '../controllers/controller.js';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { GenomeLayout } from '../controllers/genome.js';
import type { LocomotionEnv } from '../sim/env.js';
import { openLoopGait } from '../sim/gait.js';
import { readCheckpoint } from './checkpoint.js';
import { Normalizer, normalizeWith } from './normalizer.js';
import { POLICY_KIND, RUN_KIND, type PolicyFile } from './train.js';
import { UserError } from '../core/errors.js';

export const BUILTIN_CONTROLLERS = ['zero', 'random', 'gait', 'plastic-snn', 'static-snn', 'mlp'] as const;

export interface ResolvedPolicy {
  controller: Controller;
  /** observation normaliser of a trained policy (null for built-ins) */
  normalize: ((obs: Float32Array, out: Float32Array) => void) | null;
  /** e.g. 'gait' or 'plastic-snn (runs/x/best.json, generation 40)' */
  label: string;
  policy: PolicyFile | null;
}

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

export function controllerForPolicy(policy: PolicyFile, obsSize: number, actSize: number, where: string): { controller: Controller; normalize: ResolvedPolicy['normalize'] } {
  const cfg = parseControllerConfig(policy.config.controller, `${where}: config.controller`);
  const layout = genomeLayoutFor(cfg, obsSize, actSize);
  if (!layout.equals(GenomeLayout.fromJSON(policy.layout))) {
    throw new UserError(`${where}: the policy was trained for a robot with other observation/action sizes (genome layout differs from ${obsSize} observations, ${actSize} actions); it was trained on "${policy.config.morphology}": use that robot (--morphology ${policy.config.morphology})`);
  }
  const controller = createController(cfg, obsSize, actSize, policy.genome);
  const norm = Normalizer.fromState(policy.normalizer);
  const frozen = norm.frozen();
  const normalize = policy.config.normalizeObservations ? (obs: Float32Array, out: Float32Array) => normalizeWith(frozen.mean, frozen.invStd, frozen.clip, obs, out) : null;
  return { controller, normalize };
}

export function resolvePolicy(arg: string, env: LocomotionEnv, seed = 0): ResolvedPolicy {
  const { obsSize, actSize } = env;
  if (arg === 'gait') {
    const p = openLoopGait(env.spec, env.jointNames);
    const controller = createController({ kind: 'oscillator', oscillator: { ...p, dt: env.controlDt } }, obsSize, actSize);
    return { controller, normalize: null, label: 'gait (open-loop)', policy: null };
  }
  if (arg === 'zero' || arg === 'random') return { controller: createController({ kind: arg }, obsSize, actSize), normalize: null, label: arg, policy: null };
  if (arg === 'plastic-snn' || arg === 'static-snn' || arg === 'mlp') {
    const cfg = parseControllerConfig({ kind: arg }, '--controller');
    const layout = genomeLayoutFor(cfg, obsSize, actSize);
    return { controller: createController(cfg, obsSize, actSize, initGenome(layout, seed)), normalize: null, label: `${arg} (untrained, seed ${seed})`, policy: null };
  }
  if (!existsSync(arg)) {
    throw new UserError(`--controller: "${arg}" is neither a built-in (${BUILTIN_CONTROLLERS.join(', ')}) nor an existing file`);
  }
  const policy = policyFromFile(arg);
  const { controller, normalize } = controllerForPolicy(policy, obsSize, actSize, arg);
  return { controller, normalize, label: `${controller.kind} (${arg}, generation ${policy.generation})`, policy };
}
