/**
 * PGPE (Sehnke et al. 2010) with symmetric sampling and the ClipUp centre update (Toklu,
 * Liskowski & Srivastava 2020, "ClipUp: a simple and powerful optimizer for distribution-based
 * policy evolution"), maximising fitness. Follows the evotorch formulation.
 *
 * Members 2k, 2k+1 = μ ± s_k with s_k = σ ⊙ ε_k, ε_k ~ N(0, I); P = popSize/2 pairs.
 * Fitness → centred ranks c (mean zero, so the PGPE baseline is 0), then per pair
 * a_k = (c_{2k} − c_{2k+1})/2 and b_k = (c_{2k} + c_{2k+1})/2:
 *
 *   g_μ = 1/P · Σ_k a_k · s_k
 *   g_σ = 1/P · Σ_k b_k · (s_k² − σ²)/σ                    (elementwise)
 *
 * ClipUp (momentum m, step size α, max speed v_max):
 *
 *   v ← m·v + α · g_μ/‖g_μ‖;   if ‖v‖ > v_max: v ← v_max · v/‖v‖;   μ ← μ + v
 *
 * (if g_μ = 0 the normalised term is 0). σ follows plain gradient ascent with a bounded
 * relative change: Δσ_j = clip(η_σ·g_σ_j, −ρσ_j, +ρσ_j), σ_j ← σ_j + Δσ_j, then σ_j is clamped
 * to [σ_min, σ_max] if those are set.
 */
import { centeredRanks } from './shaping.js';
import { SeparableOptimizer, checkPositive, checkRange, type OptimizerKind } from './optimizer.js';

export interface PGPEOptions {
  dim: number;
  /** Even population size (symmetric pairs). */
  popSize: number;
  seed: number;
  /** ClipUp max speed v_max (default 0.15). */
  maxSpeed?: number;
  /** ClipUp step size α (default maxSpeed / 2, as recommended by Toklu et al.). */
  centerLearningRate?: number;
  /** ClipUp momentum (default 0.9). */
  momentum?: number;
  /** σ learning rate η_σ (default 0.1). */
  stdevLearningRate?: number;
  /** Max relative σ change per generation ρ (default 0.2). */
  stdevMaxChange?: number;
  /**
   * Initial σ: a number or per-dimension array. Alternatively `radiusInit` r sets
   * σ_j = √(r²/dim) so that ‖σ‖ = r. Default: radiusInit = 15·maxSpeed (Toklu et al.).
   */
  stdevInit?: number | Float32Array | Float64Array;
  radiusInit?: number;
  /** Bounds for σ (defaults 0 and Infinity). */
  stdevMin?: number;
  stdevMax?: number;
  init?: Float32Array | Float64Array;
}

export class PGPE extends SeparableOptimizer {
  readonly kind: OptimizerKind = 'pgpe';
  maxSpeed: number;
  centerLearningRate: number;
  momentum: number;
  stdevLearningRate: number;
  stdevMaxChange: number;
  stdevMin: number;
  stdevMax: number;
  private readonly velocity: Float64Array;
  private readonly gMu: Float64Array;
  private readonly gSigma: Float64Array;

  constructor(o: PGPEOptions) {
    super(o.dim, o.popSize, true, o.seed, o.init);
    this.maxSpeed = checkPositive('PGPE: maxSpeed', o.maxSpeed ?? 0.15);
    this.centerLearningRate = checkPositive('PGPE: centerLearningRate', o.centerLearningRate ?? this.maxSpeed / 2);
    this.momentum = checkRange('PGPE: momentum', o.momentum ?? 0.9, 0, 1);
    this.stdevLearningRate = checkRange('PGPE: stdevLearningRate', o.stdevLearningRate ?? 0.1, 0, Infinity);
    this.stdevMaxChange = checkRange('PGPE: stdevMaxChange', o.stdevMaxChange ?? 0.2, 0, 1);
    this.stdevMin = checkRange('PGPE: stdevMin', o.stdevMin ?? 0, 0, Infinity);
    this.stdevMax = o.stdevMax ?? Infinity;
    if (!(this.stdevMax > this.stdevMin)) throw new Error(`PGPE: stdevMax (${this.stdevMax}) must exceed stdevMin (${this.stdevMin})`);
    if (o.stdevInit !== undefined && o.radiusInit !== undefined) throw new Error('PGPE: give stdevInit or radiusInit, not both');
    if (typeof o.stdevInit === 'number') {
      this.sigma.fill(checkPositive('PGPE: stdevInit', o.stdevInit));
    } else if (o.stdevInit) {
      if (o.stdevInit.length !== this.dim) throw new Error(`PGPE: stdevInit has length ${o.stdevInit.length}, expected ${this.dim}`);
      o.stdevInit.forEach((s, j) => checkPositive(`PGPE: stdevInit[${j}]`, s));
      this.sigma.set(o.stdevInit);
    } else {
      const r = checkPositive('PGPE: radiusInit', o.radiusInit ?? 15 * this.maxSpeed);
      this.sigma.fill(Math.sqrt((r * r) / this.dim));
    }
    this.velocity = new Float64Array(this.dim);
    this.gMu = new Float64Array(this.dim);
    this.gSigma = new Float64Array(this.dim);
  }

  /** g_μ and g_σ of the last `tell` (copies). */
  lastGradients(): { mu: Float64Array; sigma: Float64Array } {
    return { mu: this.gMu.slice(), sigma: this.gSigma.slice() };
  }

  protected update(fitness: Float64Array): void {
    centeredRanks(fitness, this.shaped, this.rankScratch);
    const { dim, gMu, gSigma, sigma, mu, velocity, shaped } = this;
    const P = this.noise.length;
    gMu.fill(0);
    gSigma.fill(0);
    for (let k = 0; k < P; k++) {
      const a = (shaped[2 * k] - shaped[2 * k + 1]) / 2;
      const b = (shaped[2 * k] + shaped[2 * k + 1]) / 2;
      const e = this.noise[k];
      for (let j = 0; j < dim; j++) {
        const sj = sigma[j] * e[j];
        gMu[j] += a * sj;
        gSigma[j] += (b * (sj * sj - sigma[j] * sigma[j])) / sigma[j];
      }
    }
    let gNorm2 = 0;
    for (let j = 0; j < dim; j++) {
      gMu[j] /= P;
      gSigma[j] /= P;
      gNorm2 += gMu[j] * gMu[j];
    }
    // ClipUp
    const gScale = gNorm2 > 0 ? this.centerLearningRate / Math.sqrt(gNorm2) : 0;
    let vNorm2 = 0;
    for (let j = 0; j < dim; j++) {
      velocity[j] = this.momentum * velocity[j] + gScale * gMu[j];
      vNorm2 += velocity[j] * velocity[j];
    }
    const vNorm = Math.sqrt(vNorm2);
    if (vNorm > this.maxSpeed) {
      const c = this.maxSpeed / vNorm;
      for (let j = 0; j < dim; j++) velocity[j] *= c;
    }
    for (let j = 0; j < dim; j++) mu[j] += velocity[j];
    // σ: bounded relative change
    for (let j = 0; j < dim; j++) {
      const lim = this.stdevMaxChange * sigma[j];
      const d = Math.min(lim, Math.max(-lim, this.stdevLearningRate * gSigma[j]));
      sigma[j] = Math.min(this.stdevMax, Math.max(this.stdevMin, sigma[j] + d));
    }
  }

  protected hyper(): Record<string, number> {
    return {
      maxSpeed: this.maxSpeed,
      centerLearningRate: this.centerLearningRate,
      momentum: this.momentum,
      stdevLearningRate: this.stdevLearningRate,
      stdevMaxChange: this.stdevMaxChange,
      stdevMin: this.stdevMin,
      // JSON has no Infinity; −1 encodes "unbounded"
      stdevMax: Number.isFinite(this.stdevMax) ? this.stdevMax : -1,
    };
  }

  protected setHyper(h: Record<string, number>): void {
    const w = 'pgpe state: hyper.';
    const maxSpeed = checkPositive(w + 'maxSpeed', h.maxSpeed);
    const centerLearningRate = checkPositive(w + 'centerLearningRate', h.centerLearningRate);
    const momentum = checkRange(w + 'momentum', h.momentum, 0, 1);
    const stdevLearningRate = checkRange(w + 'stdevLearningRate', h.stdevLearningRate, 0, Infinity);
    const stdevMaxChange = checkRange(w + 'stdevMaxChange', h.stdevMaxChange, 0, 1);
    const stdevMin = checkRange(w + 'stdevMin', h.stdevMin, 0, Infinity);
    const stdevMax = h.stdevMax === -1 ? Infinity : checkPositive(w + 'stdevMax', h.stdevMax);
    this.maxSpeed = maxSpeed;
    this.centerLearningRate = centerLearningRate;
    this.momentum = momentum;
    this.stdevLearningRate = stdevLearningRate;
    this.stdevMaxChange = stdevMaxChange;
    this.stdevMin = stdevMin;
    this.stdevMax = stdevMax;
  }

  protected extraArrays(): Record<string, Float64Array> {
    return { velocity: this.velocity };
  }
}
