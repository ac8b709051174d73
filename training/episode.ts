/**
 * The one stepping primitive: every episode anywhere (training workers, eval, rollout, the
 * adaptation traces, recordings and the live viewer) advances through `Episode.step`:
 *
 *   act(obs, last reward) → env.step(action) → record (steps, return, end reason)
 *
 * An episode is data (training/task.ts `EpisodeSpec`: seed, length, starting condition,
 * mid-episode switches); `runEpisode` plays one to the end in a loop, and the live viewer,
 * which steps in real time, holds an `Episode` and calls `step()` once per control step.
 *
 * Re-seating the robot on a new condition (`switchCondition`, the one rule): the new
 * condition's env is reset with the episode's seed, then every body's pose and velocity is
 * carried over from the old env (`exportBodyState`/`importBodyState`), lifted by
 * `liftBetween`: the largest rise of the new ground over the old under any body plus 1 cm, or,
 * if the ground only fell, the smallest drop (so the robot lands rather than hangs). The
 * controller keeps running (not reset: plastic weights keep adapting), the last reward carries
 * over, and the episode's step count and return continue. The new env counts its own time
 * limit from the switch, so give it a limit at least as long as what remains (workers and the
 * viewer use unbounded envs; the episode's `maxSteps` is the limit).
 */
import type { Controller } from '../controllers/controller.js';
import type { EndReason, LocomotionEnv, StepResult } from '../sim/env.js';
import { heightAt } from '../sim/terrain.js';
import type { EpisodeSpec } from './task.js';

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
  /** torso x − start x every `spec.traceEvery` steps (runEpisode with a traced spec; task.ts `EpisodeTrace`) */
  trace?: Float64Array;
}

export interface EpisodeHooks {
  /** called after every step (viewer, recorders, traces); `result` is the env's, valid until the next step */
  onStep?: (env: LocomotionEnv, action: Float32Array, reward: number, result: StepResult) => void;
}

/** The env of each condition an episode uses: one env (no switches), or a lookup by condition string. */
export type EnvSource = LocomotionEnv | ((condition: string) => LocomotionEnv);

/** An episode in progress: the env it is in, its controller and what it has recorded so far. */
export class Episode {
  seed = 0;
  /** control steps taken since `begin` */
  steps = 0;
  /** the controller's next input: the env's observation buffer */
  obs: Float32Array;
  /** the last step's reward (what the controller's neuromodulator reads next) */
  reward = 0;
  /** sum of rewards */
  ret = 0;
  /** torso x at the start */
  x0 = 0;
  /** the first termination, if any: why, and whether the state was non-finite */
  terminated: EndReason | null = null;
  nonFinite = false;

  constructor(
    public env: LocomotionEnv,
    readonly controller: Controller,
  ) {
    this.obs = env.observation;
  }

  /** A new episode: env then controller reset with `seed`. */
  begin(seed: number): void {
    this.seed = seed;
    this.obs = this.env.reset(seed);
    this.controller.reset(seed);
    this.x0 = this.env.torsoPosition()[0];
    this.steps = 0;
    this.reward = 0;
    this.ret = 0;
    this.terminated = null;
    this.nonFinite = false;
  }

  /** One control step: act → step → record. Stepping on after a termination is allowed (the viewer lets a fallen robot lie). */
  step(): StepResult {
    const action = this.controller.act(this.obs, this.reward);
    const r = this.env.step(action);
    this.lastAction = action;
    this.steps++;
    this.reward = r.reward;
    this.ret += r.reward;
    this.obs = r.obs;
    if (r.done && this.terminated === null) {
      this.terminated = r.endReason ?? 'exploded';
      this.nonFinite = r.nonFinite;
    }
    return r;
  }

  /** the action of the last step (the controller's buffer, valid until the next step) */
  lastAction: Float32Array | null = null;

  /** What the episode did, `maxSteps` being its nominal length. */
  stats(maxSteps: number): EpisodeStats {
    const env = this.env;
    const distance = this.nonFinite ? 0 : env.torsoPosition()[0] - this.x0;
    return {
      seed: this.seed,
      steps: this.steps,
      seconds: this.steps * env.controlDt,
      distance,
      meanForwardVelocity: distance / (maxSteps * env.controlDt),
      nominalSeconds: maxSteps * env.controlDt,
      endReason: this.terminated ?? 'time',
      return: this.ret,
      falls: this.terminated === null ? 0 : 1,
      nonFinite: this.nonFinite,
      hash: env.stateHash(),
    };
  }
}

/**
 * Re-seat the episode's robot on `next`'s condition by the one rule of this module's header;
 * returns the env it left (the caller frees it if it owns it). `next` may be the env it is in.
 */
export function switchCondition(ep: Episode, next: LocomotionEnv): LocomotionEnv {
  const from = ep.env;
  if (next !== from && (next.bodyNames.length !== from.bodyNames.length || next.actSize !== from.actSize)) {
    throw new Error(`switchCondition: the env of "${next.condition.label}" has another body tree than the episode's (${next.bodyNames.length} vs ${from.bodyNames.length} bodies)`);
  }
  const state = from.exportBodyState(); // before the reset: `next` may be `from`
  const dz = liftBetween(from, next, state);
  next.reset(ep.seed);
  ep.obs = next.importBodyState(state, dz);
  ep.env = next;
  return from;
}

/**
 * How far to lift the robot when the ground changes under it: the largest rise of the new
 * ground over the old under any body (plus 1 cm of clearance), or, if the ground only fell,
 * the smallest drop (so it lands rather than hangs).
 */
export function liftBetween(from: LocomotionEnv, to: LocomotionEnv, state: Float32Array): number {
  const a = from.condition.terrain, b = to.condition.terrain;
  let rise = -Infinity;
  for (let o = 0; o < state.length; o += 13) rise = Math.max(rise, heightAt(b, state[o], state[o + 1]) - heightAt(a, state[o], state[o + 1]));
  if (!Number.isFinite(rise)) return 0;
  return rise > 0 ? rise + 0.01 : rise;
}

/** Add Δv (m/s, world frame) to every body's velocity: the same kick on any robot's mass. */
export function pushBodies(env: LocomotionEnv, velocity: readonly [number, number, number]): void {
  const state = env.exportBodyState();
  for (let o = 0; o < state.length; o += 13) {
    state[o + 7] += velocity[0];
    state[o + 8] += velocity[1];
    state[o + 9] += velocity[2];
  }
  env.importBodyState(state, 0);
}

/** An episode spec of one env: `seed`, at most `maxSteps` control steps, no switches. */
export function plainEpisode(env: LocomotionEnv, seed: number, maxSteps = env.maxSteps): EpisodeSpec {
  return { seed, maxSteps, condition: env.condition.label, switches: [] };
}

/**
 * Play an episode to its end: `spec.maxSteps` control steps (never more than the starting
 * env's own limit), or a termination, or the env's time limit; the switches are applied before
 * the step of their `atStep` (a switch at step 0 starts the episode re-seated).
 */
export function runEpisode(envs: EnvSource, controller: Controller, spec: EpisodeSpec, hooks: EpisodeHooks = {}): EpisodeStats {
  const envFor = typeof envs === 'function' ? envs : (c: string) => {
    if (c !== spec.condition) throw new Error(`runEpisode: a single env cannot switch to "${c}"; pass an env per condition`);
    return envs;
  };
  const start = typeof envs === 'function' ? envs(spec.condition) : envs;
  const ep = new Episode(start, controller);
  // the env truncates at its own maxSteps: an episode is never longer than that, so neither is its nominal length
  const maxSteps = Math.min(spec.maxSteps, start.maxSteps);
  ep.begin(spec.seed);
  let sw = 0;
  const onStep = hooks.onStep;
  const every = spec.traceEvery ?? 0;
  // allocated once per episode: sample j is x after step j·every (x[0] = 0 at the start)
  const trace = every > 0 ? new Float64Array(Math.floor(maxSteps / every) + 1) : null;
  let samples = 1;
  while (ep.steps < maxSteps) {
    while (sw < spec.switches.length && spec.switches[sw].atStep <= ep.steps) switchCondition(ep, envFor(spec.switches[sw++].condition));
    const r = ep.step();
    onStep?.(ep.env, ep.lastAction!, r.reward, r);
    if (trace && ep.steps % every === 0 && !r.nonFinite) trace[samples++] = ep.env.torsoPosition()[0] - ep.x0;
    if (r.done || r.truncated) break;
  }
  const stats = ep.stats(maxSteps);
  if (trace) stats.trace = trace.slice(0, samples);
  return stats;
}
