/**
 * The ask/tell interface shared by every evolution strategy, and the one sampling rule they
 * all use, so that a worker can rebuild member i from (seed, generation, i) and the current
 * search distribution instead of receiving the whole vector.
 *
 * Sampling (all optimisers here are separable Gaussians):
 *
 *   ε_k  = fillNoise(seed, generation, k)           k = ⌊i/2⌋ if antithetic, else i
 *   x_ij = fround(center_j + s_i · σ_j · ε_kj)      s_i = −1 for odd i if antithetic, else +1
 *
 * `fillNoise` draws standard normals from `Rng(deriveSeed(seed, generation, k))`, rounded to
 * float32, so member i depends only on (seed, generation, i, center, σ): never on evaluation
 * order, worker count or what was sampled before.
 */
import { Rng, deriveSeed } from '../../core/rng.js';
import { validate, type Schema } from '../../core/schema.js';
import { BASE64_PATTERN, decodeFloat64, encodeFloat64 } from './state.js';

export type FitnessVector = Float64Array | Float32Array | readonly number[];

export interface Optimizer {
  /** Which algorithm (`'openai-es'`, `'pgpe'`, `'snes'`); also the `kind` of its state. */
  readonly kind: OptimizerKind;
  readonly dim: number;
  readonly popSize: number;
  /** Generations completed (incremented by `tell`). */
  readonly generation: number;
  /**
   * Sample this generation's population into preallocated vectors (the same arrays every
   * call; copy them if you keep them past the next `ask`).
   */
  ask(): readonly Float32Array[];
  /** Fitness of each member of this generation, by member index; higher is better. */
  tell(fitness: FitnessVector): void;
  /** The distribution's centre (the current best guess), as a new float32 array. */
  center(): Float32Array;
  /** Everything needed to rebuild members of the current generation elsewhere. */
  recipe(): SampleRecipe;
  /** Member i of the current generation, written into `out` (same values as `ask()[i]`). */
  writeMember(i: number, out: Float32Array): Float32Array;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
}

export type OptimizerKind = 'openai-es' | 'pgpe' | 'snes';

/** A structured-clone / JSON-friendly description of one generation's sampling. */
export interface SampleRecipe {
  seed: number;
  generation: number;
  popSize: number;
  antithetic: boolean;
  center: Float64Array;
  /** Per-dimension standard deviation. */
  sigma: Float64Array;
}

const noiseRng = new Rng(0);

/** ε for noise index k of a generation: standard normals (float32-rounded) into `out`. */
export function fillNoise(seed: number, generation: number, index: number, out: Float32Array): Float32Array {
  noiseRng.seed(deriveSeed(seed, generation, index));
  for (let j = 0; j < out.length; j++) out[j] = noiseRng.normal();
  return out;
}

/** Noise index and sign of member i. */
export function memberNoise(antithetic: boolean, i: number): { index: number; sign: 1 | -1 } {
  return antithetic ? { index: i >> 1, sign: (i & 1) === 0 ? 1 : -1 } : { index: i, sign: 1 };
}

/** x = fround(center + sign·σ⊙ε); the single definition of a member. */
export function combineMember(center: Float64Array, sigma: Float64Array, sign: number, eps: Float32Array, out: Float32Array): Float32Array {
  for (let j = 0; j < out.length; j++) out[j] = center[j] + sign * sigma[j] * eps[j];
  return out;
}

/**
 * Rebuild member i from a recipe (e.g. inside a worker). `scratch` (length dim) avoids an
 * allocation; it receives ε.
 */
export function sampleMember(recipe: SampleRecipe, i: number, out: Float32Array, scratch = new Float32Array(out.length)): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= recipe.popSize) throw new Error(`sampleMember: member ${i} outside [0, ${recipe.popSize})`);
  if (out.length !== recipe.center.length) throw new Error(`sampleMember: out has length ${out.length}, expected ${recipe.center.length}`);
  const { index, sign } = memberNoise(recipe.antithetic, i);
  fillNoise(recipe.seed, recipe.generation, index, scratch);
  return combineMember(recipe.center, recipe.sigma, sign, scratch, out);
}

// ---- state ----------------------------------------------------------------------------------

/** Serialisable optimiser state: plain JSON; arrays are base64 of float64 bytes (exact). */
export interface OptimizerState {
  kind: OptimizerKind;
  version: 1;
  dim: number;
  popSize: number;
  seed: number;
  generation: number;
  /** Hyperparameters, by name. */
  hyper: Record<string, number>;
  /** Float64 arrays (centre, σ, moments, velocity …), base64. */
  arrays: Record<string, string>;
  /** Scalar running quantities (e.g. Adam's step count). */
  scalars: Record<string, number>;
}

const stateSchema: Schema = {
  type: 'object',
  required: ['kind', 'version', 'dim', 'popSize', 'seed', 'generation', 'hyper', 'arrays', 'scalars'],
  properties: {
    kind: { type: 'string', enum: ['openai-es', 'pgpe', 'snes'] },
    version: { type: 'number', min: 1, max: 1, integer: true },
    dim: { type: 'number', min: 1, integer: true },
    popSize: { type: 'number', min: 1, integer: true },
    seed: { type: 'number', min: 0, max: 0xffffffff, integer: true },
    generation: { type: 'number', min: 0, integer: true },
    hyper: { type: 'record', values: { type: 'number' } },
    arrays: { type: 'record', values: { type: 'string', pattern: BASE64_PATTERN } },
    scalars: { type: 'record', values: { type: 'number' } },
  },
};

/**
 * Shared machinery: the population buffers, the noise of the current generation, the
 * separable Gaussian (center, σ), state encoding. Subclasses implement `update`.
 */
export abstract class SeparableOptimizer implements Optimizer {
  abstract readonly kind: OptimizerKind;
  readonly dim: number;
  readonly popSize: number;
  readonly antithetic: boolean;
  protected seed: number;
  protected gen = 0;
  protected readonly mu: Float64Array;
  protected readonly sigma: Float64Array;
  /** ε per noise index for generation `noiseGen` (popSize/2 vectors if antithetic). */
  protected readonly noise: Float32Array[];
  private noiseGen = -1;
  private readonly population: Float32Array[];
  protected readonly fitness: Float64Array;
  protected readonly shaped: Float64Array;
  protected readonly rankScratch: Uint32Array;

  protected constructor(dim: number, popSize: number, antithetic: boolean, seed: number, init: Float32Array | Float64Array | undefined) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`optimizer: dim must be a positive integer, got ${dim}`);
    if (!Number.isInteger(popSize) || popSize < 2) throw new Error(`optimizer: population size must be an integer ≥ 2, got ${popSize}`);
    if (antithetic && popSize % 2 !== 0) throw new Error(`optimizer: antithetic sampling needs an even population, got ${popSize}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`optimizer: seed must be a uint32, got ${seed}`);
    if (init && init.length !== dim) throw new Error(`optimizer: initial centre has length ${init.length}, expected dim = ${dim}`);
    this.dim = dim;
    this.popSize = popSize;
    this.antithetic = antithetic;
    this.seed = seed;
    this.mu = new Float64Array(dim);
    if (init) this.mu.set(init);
    this.sigma = new Float64Array(dim);
    const nNoise = antithetic ? popSize / 2 : popSize;
    this.noise = Array.from({ length: nNoise }, () => new Float32Array(dim));
    this.population = Array.from({ length: popSize }, () => new Float32Array(dim));
    this.fitness = new Float64Array(popSize);
    this.shaped = new Float64Array(popSize);
    this.rankScratch = new Uint32Array(popSize);
  }

  get generation(): number {
    return this.gen;
  }

  /** Make `noise` hold this generation's ε (regenerated after `setState`, cheap otherwise). */
  protected ensureNoise(): void {
    if (this.noiseGen === this.gen) return;
    for (let k = 0; k < this.noise.length; k++) fillNoise(this.seed, this.gen, k, this.noise[k]);
    this.noiseGen = this.gen;
  }

  ask(): readonly Float32Array[] {
    this.ensureNoise();
    const anti = this.antithetic;
    for (let i = 0; i < this.popSize; i++) {
      // inline memberNoise: no allocation per member
      combineMember(this.mu, this.sigma, anti && (i & 1) === 1 ? -1 : 1, this.noise[anti ? i >> 1 : i], this.population[i]);
    }
    return this.population;
  }

  writeMember(i: number, out: Float32Array): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.popSize) throw new Error(`writeMember: member ${i} outside [0, ${this.popSize})`);
    if (out.length !== this.dim) throw new Error(`writeMember: out has length ${out.length}, expected ${this.dim}`);
    this.ensureNoise();
    const { index, sign } = memberNoise(this.antithetic, i);
    return combineMember(this.mu, this.sigma, sign, this.noise[index], out);
  }

  recipe(): SampleRecipe {
    return {
      seed: this.seed,
      generation: this.gen,
      popSize: this.popSize,
      antithetic: this.antithetic,
      center: this.mu.slice(),
      sigma: this.sigma.slice(),
    };
  }

  tell(fitness: FitnessVector): void {
    if (fitness.length !== this.popSize) throw new Error(`tell: got ${fitness.length} fitness values, expected popSize = ${this.popSize}`);
    for (let i = 0; i < this.popSize; i++) {
      const f = fitness[i];
      if (typeof f !== 'number' || Number.isNaN(f)) throw new Error(`tell: fitness[${i}] is ${String(f)}; expected a number`);
      this.fitness[i] = f;
    }
    this.ensureNoise();
    this.update(this.fitness);
    this.gen++;
  }

  /** Apply one generation's update from the (copied) fitness vector. */
  protected abstract update(fitness: Float64Array): void;

  center(): Float32Array {
    return Float32Array.from(this.mu);
  }

  /** Per-dimension σ, as a copy. */
  stdev(): Float64Array {
    return this.sigma.slice();
  }

  protected abstract hyper(): Record<string, number>;
  /** Validate all of `h`, then assign (all or nothing). */
  protected abstract setHyper(h: Record<string, number>): void;
  /** Extra float64 arrays of the subclass (besides center and sigma), by name. */
  protected abstract extraArrays(): Record<string, Float64Array>;
  protected extraScalars(): Record<string, number> {
    return {};
  }
  /** Throw if the scalars of a state are unusable (called before anything is assigned). */
  protected checkExtraScalars(_s: Record<string, number>): void {}
  protected setExtraScalars(_s: Record<string, number>): void {}

  getState(): OptimizerState {
    const arrays: Record<string, string> = { center: encodeFloat64(this.mu), sigma: encodeFloat64(this.sigma) };
    for (const [k, a] of Object.entries(this.extraArrays())) arrays[k] = encodeFloat64(a);
    return {
      kind: this.kind,
      version: 1,
      dim: this.dim,
      popSize: this.popSize,
      seed: this.seed,
      generation: this.gen,
      hyper: { ...this.hyper() },
      arrays,
      scalars: { ...this.extraScalars() },
    };
  }

  /**
   * Restore a state from `getState` (possibly through JSON). All checks run before anything is
   * assigned, so a bad state leaves the optimiser unchanged.
   */
  setState(state: OptimizerState): void {
    const s = validate<OptimizerState>(state, stateSchema, `${this.kind} state`);
    const where = `${this.kind} state`;
    if (s.kind !== this.kind) throw new Error(`${where}: holds a '${s.kind}' optimiser state`);
    if (s.dim !== this.dim || s.popSize !== this.popSize) {
      throw new Error(`${where}: dim ${s.dim} / popSize ${s.popSize} do not match this optimiser (${this.dim} / ${this.popSize})`);
    }
    const want = Object.keys(this.hyper());
    for (const k of want) if (!(k in s.hyper)) throw new Error(`${where}: hyper.${k} missing`);
    const extras = this.extraArrays();
    const decoded: Record<string, Float64Array> = {};
    for (const k of ['center', 'sigma', ...Object.keys(extras)]) {
      const v = s.arrays[k];
      if (v === undefined) throw new Error(`${where}: arrays.${k} missing`);
      decoded[k] = decodeFloat64(v, this.dim, `${where}: arrays.${k}`);
    }
    this.checkExtraScalars(s.scalars);
    this.setHyper(s.hyper); // validates every value before assigning any
    this.seed = s.seed;
    this.gen = s.generation;
    this.noiseGen = -1;
    this.mu.set(decoded.center);
    this.sigma.set(decoded.sigma);
    for (const [k, a] of Object.entries(extras)) a.set(decoded[k]);
    this.setExtraScalars(s.scalars);
  }
}

export function checkPositive(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what} must be a finite number > 0, got ${v}`);
  return v;
}

export function checkRange(what: string, v: number, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${what} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}
