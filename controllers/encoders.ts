/**
 * Encoders: observation vector → the input layer's activity for one SNN step.
 *
 * Every encoder first clamps the observation to [−clip, clip] (observations arrive roughly
 * normalised; a clamp keeps an outlier or a diverging simulator from saturating the network) and
 * maps a non-finite value to 0.
 *
 * Scalars come in a params object, not as number arguments: a double passed to a call V8 does not
 * inline is boxed on the heap, and `act` must not allocate.
 */
import type { Rng } from '../core/rng.js';

export interface EncoderParams {
  /** observations are clamped to [−clip, clip] */
  readonly clip: number;
  /** population coding: neurons per observation dimension (≥ 2) */
  readonly neurons: number;
  /** population coding: receptive-field σ in units of the centre spacing */
  readonly width: number;
}

/** c = clamp(x, −clip, clip), NaN → 0. */
export function clampObservation(x: number, clip: number): number {
  if (!(x === x)) return 0;
  return x > clip ? clip : x < -clip ? -clip : x;
}

/**
 * Direct current: u_i = clamp(x_i, −clip, clip). The same current is injected at every one of the
 * K SNN steps of a control step. Output size = obs size.
 */
export function encodeDirect(obs: Float32Array, p: Pick<EncoderParams, 'clip'>, out: Float32Array): void {
  const clip = p.clip;
  for (let i = 0; i < obs.length; i++) out[i] = clampObservation(obs[i], clip);
}

/**
 * Bernoulli rate coding (snnTorch `spikegen.rate` on a range mapped to [0, 1]):
 *   p_i = (c_i + clip) / (2·clip),   u_i = 1 if ξ_i < p_i else 0,  ξ_i ~ U[0, 1) from `rng`,
 * drawn fresh at every SNN step, one `rng.uniform()` per input in ascending index order.
 * Output size = obs size.
 */
export function encodeRate(obs: Float32Array, p: Pick<EncoderParams, 'clip'>, rng: Rng, out: Float32Array): void {
  const clip = p.clip;
  const scale = 1 / (2 * clip);
  for (let i = 0; i < obs.length; i++) {
    const p = (clampObservation(obs[i], clip) + clip) * scale;
    out[i] = rng.uniform() < p ? 1 : 0;
  }
}

/**
 * Population coding with Gaussian receptive fields: N neurons per observation dimension with
 * centres evenly spaced over [−clip, clip] and a common width,
 *   c_k = −clip + k·Δ,  Δ = 2·clip/(N − 1),  σ = width·Δ,
 *   u[i·N + k] = exp(−(c_i − c_k)² / (2σ²))          (c_i the clamped observation)
 * Output size = obs size · N; N ≥ 2. A graded current, constant over the K SNN steps.
 */
export function encodePopulation(obs: Float32Array, p: EncoderParams, out: Float32Array): void {
  const { clip, neurons, width } = p;
  const delta = (2 * clip) / (neurons - 1);
  const inv2s2 = 1 / (2 * (width * delta) * (width * delta));
  for (let i = 0; i < obs.length; i++) {
    const c = clampObservation(obs[i], clip);
    const base = i * neurons;
    for (let k = 0; k < neurons; k++) {
      const d = c - (-clip + k * delta);
      out[base + k] = Math.exp(-d * d * inv2s2);
    }
  }
}

/**
 * Mean of Σ_k u_k² per observation dimension for a unit-variance input, used to scale the
 * initial input weights so that the first hidden currents have a similar spread for every
 * encoder (direct ≈ 1; rate ≈ E[p] = 1/2; population ≈ √π·width, the integral of the squared
 * Gaussian bumps over the centre spacing).
 */
export function encoderPower(kind: 'direct' | 'rate' | 'population', width: number): number {
  if (kind === 'direct') return 1;
  if (kind === 'rate') return 0.5;
  return Math.sqrt(Math.PI) * width;
}
