/**
 * Micro-benchmark (not a test): microseconds per `act` of a controller, for the project bench.
 */
import { Rng } from '../core/rng.js';
import type { ControllerConfig } from './config.js';
import { createController, genomeLayoutFor, resolveConfig } from './factory.js';

/**
 * Median µs per `act` over 5 timed blocks of `steps` acts each, after a warm-up of `steps` acts,
 * with a random genome (seed 1) and a rotating set of 64 N(0, 1) observations (reward 0.1).
 */
export function benchController(config: ControllerConfig | unknown, obsSize: number, actSize: number, steps = 10_000): number {
  const c = resolveConfig(config);
  const layout = genomeLayoutFor(c, obsSize, actSize);
  const ctrl = createController(c, obsSize, actSize, layout.size ? layout.initialize(1) : undefined);
  const rng = new Rng(2);
  const obs: Float32Array[] = [];
  for (let i = 0; i < 64; i++) {
    const o = new Float32Array(obsSize);
    rng.fillNormal(o);
    obs.push(o);
  }
  ctrl.reset(1);
  let sink = 0;
  for (let i = 0; i < steps; i++) sink += ctrl.act(obs[i & 63], 0.1)[0];
  const times: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) sink += ctrl.act(obs[i & 63], 0.1)[0];
    times.push(Number(process.hrtime.bigint() - t0) / 1000 / steps);
  }
  if (Number.isNaN(sink)) throw new Error('benchController: non-finite action');
  times.sort((a, b) => a - b);
  return times[2];
}
