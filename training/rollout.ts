/**
 * One episode of a controller in an env: the loop every command shares (rollout, training
 * workers, eval, the viewer's live run uses the same step order).
 */
import type { Controller } from '../controllers/controller.js';
import type { EndReason, LocomotionEnv } from '../sim/env.js';

export interface EpisodeStats {
  seed: number;
  steps: number;
  seconds: number;
  /** torso x displacement, m */
  distance: number;
  /**
   * distance / the episode's nominal length (maxSteps · controlDt), m/s: a robot that falls
   * early is not credited with the speed of its dive
   */
  meanForwardVelocity: number;
  /** the nominal length in seconds: min(requested maxSteps, the env's maxSteps) · controlDt */
  nominalSeconds: number;
  /** why the episode ended ('time' at the nominal length) */
  endReason: EndReason;
  /** sum of rewards */
  return: number;
  /** 1 if the episode ended by termination (fell, flipped, non-finite) before the time limit */
  falls: number;
  nonFinite: boolean;
  /** hash of the final physics state (bitwise reproducibility check) */
  hash: string;
}

export interface EpisodeOptions {
  /** stop after this many control steps (default: the env's maxSteps; the env's own maxSteps truncates too, so more is never simulated) */
  maxSteps?: number;
  /** maps the raw observation to the controller's input, in place into `out` */
  normalize?: (obs: Float32Array, out: Float32Array) => void;
  /** called after every step (viewer, recorders) */
  onStep?: (env: LocomotionEnv, action: Float32Array, reward: number) => void;
}

export function runEpisode(env: LocomotionEnv, controller: Controller, seed: number, opts: EpisodeOptions = {}): EpisodeStats {
  // the env truncates at its own maxSteps: an episode is never longer than that, so neither is its nominal length
  const maxSteps = Math.min(opts.maxSteps ?? env.maxSteps, env.maxSteps);
  let obs = env.reset(seed);
  controller.reset(seed);
  const input = opts.normalize ? new Float32Array(obs.length) : obs;
  const x0 = env.torsoPosition()[0];
  let ret = 0, reward = 0, steps = 0, falls = 0, nonFinite = false;
  let endReason: EndReason = 'time';
  while (steps < maxSteps) {
    if (opts.normalize) opts.normalize(obs, input);
    const action = controller.act(opts.normalize ? input : obs, reward);
    const r = env.step(action);
    steps++;
    reward = r.reward;
    ret += reward;
    obs = r.obs;
    opts.onStep?.(env, action, reward);
    if (r.done) {
      falls = 1;
      nonFinite = r.nonFinite;
      endReason = r.endReason ?? 'exploded';
      break;
    }
    if (r.truncated) break;
  }
  const seconds = steps * env.controlDt;
  const distance = nonFinite ? 0 : env.torsoPosition()[0] - x0;
  return {
    seed,
    steps,
    seconds,
    distance,
    meanForwardVelocity: distance / (maxSteps * env.controlDt),
    nominalSeconds: maxSteps * env.controlDt,
    endReason,
    return: ret,
    falls,
    nonFinite,
    hash: env.stateHash(),
  };
}
