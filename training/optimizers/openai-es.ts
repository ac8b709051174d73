/**
 * OpenAI-ES (Salimans, Ho, Chen, Sidor & Sutskever 2017, "Evolution Strategies as a Scalable
 * Alternative to Reinforcement Learning"), maximising fitness.
 *
 * Population n = 2·pairs; member 2k = θ + σε_k, member 2k+1 = θ − σε_k (ε_k ~ N(0, I)).
 * Fitness is replaced by centred ranks c_i ∈ [−0.5, 0.5] (see `centeredRanks`), then
 *
 *   g = 1/(n·σ) · Σ_k (c_{2k} − c_{2k+1}) · ε_k            (ascent direction; n = popSize)
 *
 * and Adam descends the loss gradient d = −g + λ·θ (L2 weight decay λ, as `l2coeff` in the
 * reference implementation):
 *
 *   t ← t+1;  m ← β1·m + (1−β1)·d;  v ← β2·v + (1−β2)·d²
 *   θ ← θ − lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε_adam)
 *
 * (The reference code divides by n but not by σ; with Adam the overall scale of g matters only
 * relative to λ and ε_adam.)
 */
import { centeredRanks } from './shaping.js';
import { SeparableOptimizer, checkPositive, checkRange, type OptimizerKind } from './optimizer.js';

export interface OpenAIESOptions {
  dim: number;
  /** Antithetic pairs; popSize = 2·pairs. */
  pairs: number;
  seed: number;
  /** Noise standard deviation (default 0.02). */
  sigma?: number;
  /** Adam step size (default 0.01). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  adamEps?: number;
  /** L2 weight decay coefficient λ (default 0.005). */
  weightDecay?: number;
  /** Initial θ (default zeros). */
  init?: Float32Array | Float64Array;
}

/**
 * g ← 1/(n·σ) Σ_k (shaped[2k] − shaped[2k+1]) · noise[k], n = shaped.length = 2·noise.length.
 * The reference version of the OpenAI-ES gradient estimate.
 */
export function antitheticGradient(noise: readonly Float32Array[], shaped: ArrayLike<number>, sigma: number, out: Float64Array): Float64Array {
  const n = shaped.length;
  if (n !== 2 * noise.length) throw new Error(`antitheticGradient: ${n} shaped values for ${noise.length} pairs`);
  out.fill(0);
  for (let k = 0; k < noise.length; k++) {
    const w = shaped[2 * k] - shaped[2 * k + 1];
    if (w === 0) continue;
    const e = noise[k];
    for (let j = 0; j < out.length; j++) out[j] += w * e[j];
  }
  const scale = 1 / (n * sigma);
  for (let j = 0; j < out.length; j++) out[j] *= scale;
  return out;
}

export class OpenAIES extends SeparableOptimizer {
  readonly kind: OptimizerKind = 'openai-es';
  private sigmaScalar: number;
  lr: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  weightDecay: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly grad: Float64Array;
  private t = 0;

  constructor(o: OpenAIESOptions) {
    if (!Number.isInteger(o.pairs) || o.pairs < 1) throw new Error(`OpenAIES: pairs must be a positive integer, got ${o.pairs}`);
    super(o.dim, 2 * o.pairs, true, o.seed, o.init);
    this.sigmaScalar = checkPositive('OpenAIES: sigma', o.sigma ?? 0.02);
    this.sigma.fill(this.sigmaScalar);
    this.lr = checkPositive('OpenAIES: lr', o.lr ?? 0.01);
    this.beta1 = checkRange('OpenAIES: beta1', o.beta1 ?? 0.9, 0, 0.999999);
    this.beta2 = checkRange('OpenAIES: beta2', o.beta2 ?? 0.999, 0, 0.999999);
    this.adamEps = checkPositive('OpenAIES: adamEps', o.adamEps ?? 1e-8);
    this.weightDecay = checkRange('OpenAIES: weightDecay', o.weightDecay ?? 0.005, 0, Infinity);
    this.m = new Float64Array(this.dim);
    this.v = new Float64Array(this.dim);
    this.grad = new Float64Array(this.dim);
  }

  /** The ascent estimate g of the last `tell` (before weight decay and Adam); a copy. */
  lastGradient(): Float64Array {
    return this.grad.slice();
  }

  /** Adam's step count. */
  get steps(): number {
    return this.t;
  }

  protected update(fitness: Float64Array): void {
    centeredRanks(fitness, this.shaped, this.rankScratch);
    antitheticGradient(this.noise, this.shaped, this.sigmaScalar, this.grad);
    const { m, v, grad, mu, beta1: b1, beta2: b2, weightDecay: l2, adamEps } = this;
    this.t++;
    const a = (this.lr * Math.sqrt(1 - Math.pow(b2, this.t))) / (1 - Math.pow(b1, this.t));
    for (let j = 0; j < this.dim; j++) {
      const d = -grad[j] + l2 * mu[j];
      m[j] = b1 * m[j] + (1 - b1) * d;
      v[j] = b2 * v[j] + (1 - b2) * d * d;
      mu[j] -= (a * m[j]) / (Math.sqrt(v[j]) + adamEps);
    }
  }

  protected hyper(): Record<string, number> {
    return { sigma: this.sigmaScalar, lr: this.lr, beta1: this.beta1, beta2: this.beta2, adamEps: this.adamEps, weightDecay: this.weightDecay };
  }

  protected setHyper(h: Record<string, number>): void {
    const sigma = checkPositive('openai-es state: hyper.sigma', h.sigma);
    const lr = checkPositive('openai-es state: hyper.lr', h.lr);
    const beta1 = checkRange('openai-es state: hyper.beta1', h.beta1, 0, 0.999999);
    const beta2 = checkRange('openai-es state: hyper.beta2', h.beta2, 0, 0.999999);
    const adamEps = checkPositive('openai-es state: hyper.adamEps', h.adamEps);
    const weightDecay = checkRange('openai-es state: hyper.weightDecay', h.weightDecay, 0, Infinity);
    this.sigmaScalar = sigma;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.adamEps = adamEps;
    this.weightDecay = weightDecay;
  }

  protected extraArrays(): Record<string, Float64Array> {
    return { m: this.m, v: this.v };
  }

  protected override extraScalars(): Record<string, number> {
    return { t: this.t };
  }

  protected override checkExtraScalars(s: Record<string, number>): void {
    if (!Number.isInteger(s.t) || s.t < 0) throw new Error(`openai-es state: scalars.t must be a non-negative integer, got ${s.t}`);
  }

  protected override setExtraScalars(s: Record<string, number>): void {
    this.t = s.t;
  }
}
