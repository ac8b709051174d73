/**
 * OpenAI-ES (Salimans, Ho, Chen, Sidor & Sutskever 2017, "Evolution Strategies as a Scalable
 * Alternative to Reinforcement Learning"), maximising fitness.
 *
 * Population n = 2·pairs; member 2k = θ + σε_k, member 2k+1 = θ − σε_k (ε_k ~ N(0, I)), σ fixed.
 * Fitness is shaped (default: centred ranks c_i ∈ [−0.5, 0.5], see `centeredRanks`), then
 *
 *   ĝ = 1/(n·σ) · Σ_k (c_{2k} − c_{2k+1}) · ε_k            (ascent direction; n = popSize)
 *
 * goes to the inner optimiser (default: Adam with L2 weight decay, see inner.ts).
 * (The reference code divides by n but not by σ; with Adam the overall scale of ĝ matters only
 * relative to λ and ε_adam.)
 */
import { centeredRanks, type FitnessShaping } from './shaping.js';
import { adam, adamParams, type AdamParams, type AdamState, type InnerOptimizer } from './inner.js';
import { askSearch, checkPositive, initSearch, memberOfSearch, norm, readSearch, takeFitness, type SearchState, type Strategy } from './strategy.js';

export interface OpenAIESParams<OP = AdamParams> {
  /** 2·pairs */
  popSize: number;
  /** noise standard deviation (fixed) */
  sigma: number;
  optimizer: OP;
}

export interface OpenAIESState<OS = AdamState> extends SearchState {
  kind: 'openai-es';
  optimizer: OS;
}

/** Defaults: σ = 0.02, Adam lr 0.01, β = (0.9, 0.999), ε 1e-8, weight decay 0.005. */
export function openAIESParams(o: { pairs: number; sigma?: number } & Partial<AdamParams>): OpenAIESParams {
  if (!Number.isInteger(o.pairs) || o.pairs < 1) throw new Error(`OpenAI-ES: pairs must be a positive integer, got ${o.pairs}`);
  return { popSize: 2 * o.pairs, sigma: checkPositive('OpenAI-ES: sigma', o.sigma ?? 0.02), optimizer: adamParams(o) };
}

/**
 * ĝ ← 1/(n·σ) Σ_k (shaped[2k] − shaped[2k+1]) · noise[k], n = shaped.length = 2·noise.length.
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

/** OpenAI-ES over any inner optimiser and fitness shaping. */
export function makeOpenAIES<OP, OS>(inner: InnerOptimizer<OP, OS>, shaping: FitnessShaping = centeredRanks): Strategy<OpenAIESParams<OP>, OpenAIESState<OS>> {
  return {
    kind: 'openai-es',
    init(p, x0, o) {
      const s = initSearch('openai-es', p.popSize, true, x0, p.sigma, o);
      return { ...s, optimizer: inner.init(s.dim) };
    },
    ask: (s, p, out) => askSearch(s, p.popSize, out),
    memberOf: (s, _p, i, out) => memberOfSearch(s, i, out),
    tell(s, p, fitness) {
      const w = takeFitness(s, p.popSize, fitness);
      shaping(w.fitness, w.shaped, w.ranks);
      antitheticGradient(w.noise, w.shaped, p.sigma, w.g);
      inner.step(s.optimizer, p.optimizer, w.g, s.center, s.frozen);
      s.generation++;
      return { state: s, metrics: { gradNorm: norm(w.g), gradient: w.g, sigmaGradient: null } };
    },
    read(raw, where) {
      const { r, s } = readSearch(raw, where, 'openai-es', true);
      return { ...s, optimizer: inner.read(r.object('optimizer'), s.dim) };
    },
  };
}

export const openAIES = makeOpenAIES(adam);
