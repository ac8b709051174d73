/**
 * Trivial controllers: `zero` (always 0), `random` (seeded uniform in [−1, 1]) and `oscillator`
 * (open-loop sine per action). None has a genome.
 */
import { Rng } from '../core/rng.js';
import { SchemaError } from '../core/schema.js';
import type { Controller } from './controller.js';
import type { ControllerConfig } from './config.js';

export class ZeroController implements Controller {
  readonly kind = 'zero';
  private readonly action: Float32Array;
  constructor(
    readonly obsSize: number,
    readonly actSize: number,
  ) {
    this.action = new Float32Array(actSize);
  }
  reset(_seed: number): void {}
  act(_observation: Float32Array): Float32Array {
    this.action.fill(0);
    return this.action;
  }
}

/** a_j = 2ξ_j − 1, ξ_j ~ U[0, 1) from a generator reseeded with the episode seed, j ascending. */
export class RandomController implements Controller {
  readonly kind = 'random';
  private readonly action: Float32Array;
  private readonly rng = new Rng(0);
  constructor(
    readonly obsSize: number,
    readonly actSize: number,
  ) {
    this.action = new Float32Array(actSize);
  }
  reset(seed: number): void {
    this.rng.seed(seed);
  }
  act(_observation: Float32Array): Float32Array {
    for (let j = 0; j < this.action.length; j++) this.action[j] = this.rng.range(-1, 1);
    return this.action;
  }
}

/**
 * Open-loop sine per output (the same formula as sim/gait.ts's hand-written gait):
 *   a_j = clip(offset_j + amp_j·sin(2π·f·t + phase_j), −1, 1),   t = n·dt at the n-th act (n = 0, 1, …)
 * `reset` sets n back to 0. Empty amplitude/phase/offset arrays mean all zeros.
 */
export class OscillatorController implements Controller {
  readonly kind = 'oscillator';
  private readonly action: Float32Array;
  private readonly amp: Float64Array;
  private readonly phase: Float64Array;
  private readonly offset: Float64Array;
  private n = 0;
  constructor(
    private readonly params: ControllerConfig['oscillator'],
    readonly obsSize: number,
    readonly actSize: number,
    where = '',
  ) {
    const arr = (name: 'amplitude' | 'phase' | 'offset'): Float64Array => {
      const v = params[name];
      if (v.length !== 0 && v.length !== actSize) throw new SchemaError(`oscillator.${name}`, `an array of ${actSize} numbers (one per action) or []`, v, where);
      return v.length ? Float64Array.from(v) : new Float64Array(actSize);
    };
    this.amp = arr('amplitude');
    this.phase = arr('phase');
    this.offset = arr('offset');
    this.action = new Float32Array(actSize);
  }
  reset(_seed: number): void {
    this.n = 0;
  }
  act(_observation: Float32Array): Float32Array {
    const t = this.n * this.params.dt;
    const w = 2 * Math.PI * this.params.frequency * t;
    for (let j = 0; j < this.action.length; j++) {
      const v = this.offset[j] + this.amp[j] * Math.sin(w + this.phase[j]);
      this.action[j] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
    this.n++;
    return this.action;
  }
}
