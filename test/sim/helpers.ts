import { LocomotionEnv, type EnvOptions } from '../../sim/env.js';
import { antSpec } from '../../morphologies/ant.js';
import { openLoopGait, type OscillatorParams } from '../../sim/gait.js';

export async function antEnv(opts: Partial<EnvOptions> = {}): Promise<LocomotionEnv> {
  return LocomotionEnv.create({ morphology: antSpec(), ...opts });
}

/** Action of the open-loop gait at control step t (same formula as the oscillator controller). */
export function gaitAction(p: OscillatorParams, t: number, dt: number, out: Float32Array): Float32Array {
  const time = t * dt;
  for (let j = 0; j < out.length; j++) {
    const v = p.offset[j] + p.amplitude[j] * Math.sin(2 * Math.PI * p.frequency * time + p.phase[j]);
    out[j] = Math.max(-1, Math.min(1, v));
  }
  return out;
}

/** Run the open-loop gait for `seconds`; returns x displacement and whether it fell. */
export function walkGait(env: LocomotionEnv, seed: number, seconds: number): { distance: number; fell: boolean } {
  const p = openLoopGait(env.spec, env.jointNames);
  env.reset(seed);
  const x0 = env.torsoPosition()[0];
  const a = new Float32Array(env.actSize);
  const steps = Math.round(seconds / env.controlDt);
  for (let t = 0; t < steps; t++) {
    const r = env.step(gaitAction(p, t, env.controlDt, a));
    if (r.done) return { distance: env.torsoPosition()[0] - x0, fell: true };
  }
  return { distance: env.torsoPosition()[0] - x0, fell: false };
}
