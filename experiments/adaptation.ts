/**
 * Adaptation over time: a policy walks on flat ground, then at `switchAt` seconds the world is
 * swapped for one with another condition (an episode with one switch: the robot is re-seated
 * by training/episode.ts `switchCondition`, the rule the live viewer uses too; the controller
 * keeps its state: plastic weights keep adapting) and it walks on until `seconds`. Forward speed is
 * recorded every control step, averaged over seeds (a fall counts as speed 0 from then on).
 */
import { LocomotionEnv, type StepResult } from '../sim/env.js';
import { deriveSeed } from '../core/rng.js';
import { policyController, type LoadedPolicy } from '../training/policy.js';
import { runEpisode } from '../training/episode.js';

export interface AdaptationTrace {
  policy: string;
  controller: string;
  /** seconds, one per control step */
  time: number[];
  /** mean forward speed over seeds, m/s */
  speed: number[];
  /** mean speed in windows: the `window` s before the switch, right after it, and at the end */
  before: number;
  after: number;
  end: number;
  falls: number;
}

export interface AdaptationOptions {
  condition: string;
  switchAt: number;
  seconds: number;
  seeds: number;
  seed: number;
  /** averaging window for before/after/end, seconds */
  window: number;
}

export async function adaptationTrace(name: string, policy: LoadedPolicy, o: AdaptationOptions): Promise<AdaptationTrace> {
  const spec = policy.morphology;
  const big = 1_000_000;
  const reward = policy.reward;
  const envA = await LocomotionEnv.create({ morphology: spec, condition: 'flat', maxSteps: big, reward });
  const envB = await LocomotionEnv.create({ morphology: spec, condition: o.condition, maxSteps: big, reward });
  const controller = policyController(policy, envA.obsSize, envA.actSize);
  const dt = envA.controlDt;
  const n = Math.round(o.seconds / dt), nSwitch = Math.round(o.switchAt / dt);
  const sum = new Float64Array(n);
  const envFor = (c: string) => (c === 'flat' ? envA : envB);
  let falls = 0;
  for (let s = 0; s < o.seeds; s++) {
    // flat, then the condition from step nSwitch on (re-seated by training/episode.ts's rule)
    const episode = { seed: deriveSeed(o.seed, s), maxSteps: n, condition: 'flat', switches: [{ atStep: nSwitch, condition: o.condition }] };
    let t = 0;
    // a fall ends the episode: its speed counts as 0 from that step on
    const onStep = (_env: LocomotionEnv, _action: Float32Array, _reward: number, r: StepResult) => {
      if (!r.done) sum[t] += r.forwardVelocity;
      t++;
    };
    falls += runEpisode(envFor, controller, episode, { onStep }).falls;
  }
  envA.free();
  envB.free();
  const speed = Array.from(sum, (v) => v / o.seeds);
  const w = Math.round(o.window / dt);
  const avg = (a: number, b: number) => {
    const lo = Math.max(0, a), hi = Math.min(n, b);
    let acc = 0;
    for (let i = lo; i < hi; i++) acc += speed[i];
    return hi > lo ? acc / (hi - lo) : NaN;
  };
  return {
    policy: name,
    controller: policy.controller.kind,
    time: speed.map((_, i) => (i + 1) * dt),
    speed,
    before: avg(nSwitch - w, nSwitch),
    after: avg(nSwitch, nSwitch + w),
    end: avg(n - w, n),
    falls,
  };
}

/** Moving average over `k` samples (for plotting). */
export function smooth(xs: number[], k: number): number[] {
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < xs.length; i++) {
    acc += xs[i];
    if (i >= k) acc -= xs[i - k];
    out.push(acc / Math.min(i + 1, k));
  }
  return out;
}
