/**
 * PGPE (Sehnke et al. 2010) with symmetric sampling, by default with the ClipUp centre update
 * (Toklu, Liskowski & Srivastava 2020), maximising fitness. Follows the evotorch formulation.
 *
 * Members 2k, 2k+1 = μ ± s_k with s_k = σ ⊙ ε_k, ε_k ~ N(0, I); P = popSize/2 pairs.
 * Fitness → shaped c (default centred ranks: mean zero, so the PGPE baseline is 0), then per
 * pair a_k = (c_{2k} − c_{2k+1})/2 and b_k = (c_{2k} + c_{2k+1})/2:
 *
 *   g_μ = 1/P · Σ_k a_k · s_k
 *   g_σ = 1/P · Σ_k b_k · (s_k² − σ²)/σ                    (elementwise)
 *
 * g_μ goes to the inner optimiser (default ClipUp, see inner.ts). σ follows plain gradient
 * ascent with a bounded relative change: Δσ_j = clip(η_σ·g_σ_j, −ρσ_j, +ρσ_j),
 * σ_j ← σ_j + Δσ_j, then σ_j is clamped to [σ_min, σ_max]. Frozen entries keep their σ.
 */
import { centeredRanks, type FitnessShaping } from './shaping.js';
import { clipUp, clipUpParams, type ClipUpParams, type ClipUpState, type InnerOptimizer } from './inner.js';
import { askSearch, checkPositive, checkRange, initSearch, memberOfSearch, norm, readSearch, takeFitness, type SearchState, type Strategy } from './strategy.js';

export interface PGPEParams<OP = ClipUpParams> {
  /** even (symmetric pairs) */
  popSize: number;
  /** Initial σ: a number or one per dimension; or `radiusInit` r: σ_j = √(r²/dim), so ‖σ‖ = r. */
  stdevInit?: number | Float32Array | Float64Array;
  radiusInit?: number;
  /** η_σ */
  stdevLearningRate: number;
  /** ρ, max relative σ change per generation */
  stdevMaxChange: number;
  stdevMin: number;
  /** Infinity: unbounded */
  stdevMax: number;
  optimizer: OP;
}

export interface PGPEState<OS = ClipUpState> extends SearchState {
  kind: 'pgpe';
  optimizer: OS;
}

export interface PGPEOptions {
  popSize: number;
  /** ClipUp max speed (default 0.15) */
  maxSpeed?: number;
  /** ClipUp step size α (default maxSpeed / 2, as recommended by Toklu et al.) */
  centerLearningRate?: number;
  /** ClipUp momentum (default 0.9) */
  momentum?: number;
  /** default 0.1 */
  stdevLearningRate?: number;
  /** default 0.2 */
  stdevMaxChange?: number;
  stdevInit?: number | Float32Array | Float64Array;
  /** default 15·maxSpeed (Toklu et al.) when stdevInit is not given */
  radiusInit?: number;
  stdevMin?: number;
  stdevMax?: number;
}

export function pgpeParams(o: PGPEOptions): PGPEParams {
  if (!Number.isInteger(o.popSize) || o.popSize < 2 || o.popSize % 2 !== 0) throw new Error(`PGPE: popSize must be an even integer ≥ 2, got ${o.popSize}`);
  const optimizer = clipUpParams({ maxSpeed: o.maxSpeed, stepSize: o.centerLearningRate, momentum: o.momentum });
  const stdevMin = checkRange('PGPE: stdevMin', o.stdevMin ?? 0, 0, Infinity);
  const stdevMax = o.stdevMax ?? Infinity;
  if (!(stdevMax > stdevMin)) throw new Error(`PGPE: stdevMax (${stdevMax}) must exceed stdevMin (${stdevMin})`);
  if (o.stdevInit !== undefined && o.radiusInit !== undefined) throw new Error('PGPE: give stdevInit or radiusInit, not both');
  return {
    popSize: o.popSize,
    ...(o.stdevInit !== undefined ? { stdevInit: o.stdevInit } : { radiusInit: checkPositive('PGPE: radiusInit', o.radiusInit ?? 15 * optimizer.maxSpeed) }),
    stdevLearningRate: checkRange('PGPE: stdevLearningRate', o.stdevLearningRate ?? 0.1, 0, Infinity),
    stdevMaxChange: checkRange('PGPE: stdevMaxChange', o.stdevMaxChange ?? 0.2, 0, 1),
    stdevMin,
    stdevMax,
    optimizer,
  };
}

/** PGPE over any inner optimiser and fitness shaping. */
export function makePGPE<OP, OS>(inner: InnerOptimizer<OP, OS>, shaping: FitnessShaping = centeredRanks): Strategy<PGPEParams<OP>, PGPEState<OS>> {
  return {
    kind: 'pgpe',
    init(p, x0, o) {
      const dim = x0.length;
      let sigma0: number | ArrayLike<number>;
      if (p.stdevInit !== undefined) sigma0 = p.stdevInit;
      else {
        const r = checkPositive('PGPE: radiusInit', p.radiusInit ?? NaN);
        sigma0 = Math.sqrt((r * r) / dim);
      }
      const s = initSearch('pgpe', p.popSize, true, x0, sigma0, o);
      return { ...s, optimizer: inner.init(dim) };
    },
    ask: (s, p, out) => askSearch(s, p.popSize, out),
    memberOf: (s, _p, i, out) => memberOfSearch(s, i, out),
    tell(s, p, fitness) {
      const w = takeFitness(s, p.popSize, fitness);
      shaping(w.fitness, w.shaped, w.ranks);
      const { dim, sigma, frozen } = s;
      const { g: gMu, gSigma, shaped, noise } = w;
      const P = noise.length;
      gMu.fill(0);
      gSigma.fill(0);
      for (let k = 0; k < P; k++) {
        const a = (shaped[2 * k] - shaped[2 * k + 1]) / 2;
        const b = (shaped[2 * k] + shaped[2 * k + 1]) / 2;
        const e = noise[k];
        for (let j = 0; j < dim; j++) {
          const sj = sigma[j] * e[j];
          gMu[j] += a * sj;
          gSigma[j] += (b * (sj * sj - sigma[j] * sigma[j])) / sigma[j];
        }
      }
      for (let j = 0; j < dim; j++) {
        gMu[j] /= P;
        gSigma[j] /= P;
        if (frozen !== null && frozen[j] === 1) gSigma[j] = 0; // ε_j = 0 made it −b·σ_j; a frozen σ does not learn
      }
      inner.step(s.optimizer, p.optimizer, gMu, s.center, frozen);
      for (let j = 0; j < dim; j++) {
        if (frozen !== null && frozen[j] === 1) continue;
        const lim = p.stdevMaxChange * sigma[j];
        const d = Math.min(lim, Math.max(-lim, p.stdevLearningRate * gSigma[j]));
        sigma[j] = Math.min(p.stdevMax, Math.max(p.stdevMin, sigma[j] + d));
      }
      s.generation++;
      return { state: s, metrics: { gradNorm: norm(gMu), gradient: gMu, sigmaGradient: gSigma } };
    },
    read(raw, where) {
      const { r, s } = readSearch(raw, where, 'pgpe', true);
      return { ...s, optimizer: inner.read(r.object('optimizer'), s.dim) };
    },
  };
}

export const pgpe = makePGPE(clipUp);
