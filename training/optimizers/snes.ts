/**
 * Separable NES (Schaul, Glasmachers & Schmidhuber 2011, "High dimensions and heavy tails for
 * natural evolution strategies"), maximising fitness.
 *
 * Members i = 0..n−1: z_i = μ + σ ⊙ s_i, s_i ~ N(0, I) (no mirroring). Fitness → utilities u_i
 * by rank (see `utilities`; they sum to zero), then
 *
 *   ∇_μ = Σ_i u_i s_i,      ∇_σ = Σ_i u_i (s_i² − 1)
 *   μ ← μ + η_μ · σ ⊙ ∇_μ,  σ ← σ ⊙ exp(η_σ/2 · ∇_σ)
 *
 * Defaults from the paper: n = 4 + ⌊3 ln d⌋, η_μ = 1, η_σ = (3 + ln d)/(5√d).
 */
import { utilities, utilityWeights } from './shaping.js';
import { SeparableOptimizer, checkPositive, type OptimizerKind } from './optimizer.js';

export interface SNESOptions {
  dim: number;
  seed: number;
  /** Default 4 + ⌊3 ln dim⌋. */
  popSize?: number;
  /** Initial σ (number or per-dimension array; default 1). */
  stdevInit?: number | Float32Array | Float64Array;
  /** η_μ (default 1). */
  centerLearningRate?: number;
  /** η_σ (default (3 + ln d)/(5√d)). */
  stdevLearningRate?: number;
  init?: Float32Array | Float64Array;
}

export function snesDefaultPopSize(dim: number): number {
  return 4 + Math.floor(3 * Math.log(dim));
}

export class SNES extends SeparableOptimizer {
  readonly kind: OptimizerKind = 'snes';
  centerLearningRate: number;
  stdevLearningRate: number;
  private readonly table: Float64Array;
  private readonly gMu: Float64Array;
  private readonly gSigma: Float64Array;

  constructor(o: SNESOptions) {
    super(o.dim, o.popSize ?? Math.max(2, snesDefaultPopSize(o.dim)), false, o.seed, o.init);
    this.centerLearningRate = checkPositive('SNES: centerLearningRate', o.centerLearningRate ?? 1);
    this.stdevLearningRate = checkPositive('SNES: stdevLearningRate', o.stdevLearningRate ?? (3 + Math.log(this.dim)) / (5 * Math.sqrt(this.dim)));
    const s0 = o.stdevInit ?? 1;
    if (typeof s0 === 'number') this.sigma.fill(checkPositive('SNES: stdevInit', s0));
    else {
      if (s0.length !== this.dim) throw new Error(`SNES: stdevInit has length ${s0.length}, expected ${this.dim}`);
      s0.forEach((s, j) => checkPositive(`SNES: stdevInit[${j}]`, s));
      this.sigma.set(s0);
    }
    this.table = utilities(this.popSize);
    this.gMu = new Float64Array(this.dim);
    this.gSigma = new Float64Array(this.dim);
  }

  protected update(fitness: Float64Array): void {
    const u = utilityWeights(fitness, this.shaped, this.table, this.rankScratch);
    const { dim, gMu, gSigma, mu, sigma } = this;
    gMu.fill(0);
    gSigma.fill(0);
    for (let i = 0; i < this.popSize; i++) {
      const w = u[i];
      const s = this.noise[i];
      for (let j = 0; j < dim; j++) {
        gMu[j] += w * s[j];
        gSigma[j] += w * (s[j] * s[j] - 1);
      }
    }
    const half = this.stdevLearningRate / 2;
    for (let j = 0; j < dim; j++) {
      mu[j] += this.centerLearningRate * sigma[j] * gMu[j];
      sigma[j] *= Math.exp(half * gSigma[j]);
    }
  }

  protected hyper(): Record<string, number> {
    return { centerLearningRate: this.centerLearningRate, stdevLearningRate: this.stdevLearningRate };
  }

  protected setHyper(h: Record<string, number>): void {
    const c = checkPositive('snes state: hyper.centerLearningRate', h.centerLearningRate);
    const s = checkPositive('snes state: hyper.stdevLearningRate', h.stdevLearningRate);
    this.centerLearningRate = c;
    this.stdevLearningRate = s;
  }

  protected extraArrays(): Record<string, Float64Array> {
    return {};
  }
}
