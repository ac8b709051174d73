/**
 * Separable NES (Schaul, Glasmachers & Schmidhuber 2011, "High dimensions and heavy tails for
 * natural evolution strategies"), maximising fitness.
 *
 * Members i = 0..n−1: z_i = μ + σ ⊙ s_i, s_i ~ N(0, I) (no mirroring). Fitness → shaped u_i
 * (default: NES utilities by rank, see `utilities`; they sum to zero), then
 *
 *   ∇_μ = Σ_i u_i s_i,      ∇_σ = Σ_i u_i (s_i² − 1)
 *   μ ← μ + η_μ · σ ⊙ ∇_μ,  σ ← σ ⊙ exp(η_σ/2 · ∇_σ)
 *
 * (frozen entries keep μ and σ). Defaults from the paper: n = 4 + ⌊3 ln d⌋, η_μ = 1,
 * η_σ = (3 + ln d)/(5√d). The natural-gradient step is the update itself, so SNES takes no
 * inner optimiser.
 */
import { nesUtilities, type FitnessShaping } from './shaping.js';
import { askSearch, checkPositive, initSearch, memberOfSearch, norm, readSearch, takeFitness, type SearchState, type Strategy } from './strategy.js';

export interface SNESParams {
  popSize: number;
  /** initial σ: a number or one per dimension */
  stdevInit: number | Float32Array | Float64Array;
  /** η_μ */
  centerLearningRate: number;
  /** η_σ */
  stdevLearningRate: number;
}

export interface SNESState extends SearchState {
  kind: 'snes';
}

export function snesDefaultPopSize(dim: number): number {
  return 4 + Math.floor(3 * Math.log(dim));
}

/** Defaults for a `dim`-dimensional search: see the module comment; stdevInit 1. */
export function snesParams(dim: number, o: Partial<SNESParams> = {}): SNESParams {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`SNES: dim must be a positive integer, got ${dim}`);
  return {
    popSize: o.popSize ?? Math.max(2, snesDefaultPopSize(dim)),
    stdevInit: o.stdevInit ?? 1,
    centerLearningRate: checkPositive('SNES: centerLearningRate', o.centerLearningRate ?? 1),
    stdevLearningRate: checkPositive('SNES: stdevLearningRate', o.stdevLearningRate ?? (3 + Math.log(dim)) / (5 * Math.sqrt(dim))),
  };
}

export function makeSNES(shaping: FitnessShaping = nesUtilities): Strategy<SNESParams, SNESState> {
  return {
    kind: 'snes',
    init: (p, x0, o) => initSearch('snes', p.popSize, false, x0, p.stdevInit, o),
    ask: (s, p, out) => askSearch(s, p.popSize, out),
    memberOf: (s, _p, i, out) => memberOfSearch(s, i, out),
    tell(s, p, fitness) {
      const w = takeFitness(s, p.popSize, fitness);
      const u = shaping(w.fitness, w.shaped, w.ranks);
      const { dim, center: mu, sigma, frozen } = s;
      const { g: gMu, gSigma, noise } = w;
      gMu.fill(0);
      gSigma.fill(0);
      for (let i = 0; i < s.popSize; i++) {
        const wi = u[i];
        const e = noise[i];
        for (let j = 0; j < dim; j++) {
          gMu[j] += wi * e[j];
          gSigma[j] += wi * (e[j] * e[j] - 1);
        }
      }
      const half = p.stdevLearningRate / 2;
      for (let j = 0; j < dim; j++) {
        if (frozen !== null && frozen[j] === 1) {
          gSigma[j] = 0; // ε_j = 0 made it −Σu_i; a frozen σ does not learn
          continue;
        }
        mu[j] += p.centerLearningRate * sigma[j] * gMu[j];
        sigma[j] *= Math.exp(half * gSigma[j]);
      }
      s.generation++;
      return { state: s, metrics: { gradNorm: norm(gMu), gradient: gMu, sigmaGradient: gSigma } };
    },
    read: (raw, where) => readSearch(raw, where, 'snes', false).s,
  };
}

export const snes = makeSNES();
