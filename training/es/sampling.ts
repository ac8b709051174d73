/**
 * The one sampling rule every strategy here uses (all are separable Gaussians), so a worker
 * can rebuild member i from (seed, generation, i) and the search distribution instead of
 * receiving the whole vector:
 *
 *   ε_k  = fillNoise(seed, generation, k), then ε_kj = 0 where frozen_j = 1
 *   x_ij = fround(c_j + s_i · σ_j · ε_kj)         k = ⌊i/2⌋, s_i = ±1 (antithetic) or k = i, s_i = 1
 *   x_ij = fround(c_j)                            where frozen_j = 1
 *
 * `fillNoise` draws standard normals from `Rng(deriveSeed(seed, generation, k))`, rounded to
 * float32, so member i depends only on (seed, generation, i, c, σ, frozen): never on
 * evaluation order, worker count or what was sampled before. Frozen entries get no noise, so
 * every member carries the centre's value there and the updates (which see the same zeroed
 * noise) have nothing to move.
 */
import { Rng, deriveSeed } from '../../core/rng.js';

const noiseRng = new Rng(0);

/** ε for noise index k of a generation: standard normals (float32-rounded) into `out`. */
export function fillNoise(seed: number, generation: number, index: number, out: Float32Array): Float32Array {
  noiseRng.seed(deriveSeed(seed, generation, index));
  for (let j = 0; j < out.length; j++) out[j] = noiseRng.normal();
  return out;
}

/** `fillNoise`, then zero on frozen entries (the noise every strategy samples and learns from). */
export function fillMaskedNoise(seed: number, generation: number, index: number, frozen: Uint8Array | null, out: Float32Array): Float32Array {
  fillNoise(seed, generation, index, out);
  if (frozen !== null) for (let j = 0; j < out.length; j++) if (frozen[j] === 1) out[j] = 0;
  return out;
}

/** x = fround(c + sign·σ⊙ε), and x_j = fround(c_j) on frozen entries; the single definition of a member. `eps` may alias `out`. */
export function combineMember(center: Float64Array, sigma: Float64Array, sign: number, eps: Float32Array, frozen: Uint8Array | null, out: Float32Array): Float32Array {
  if (frozen === null) {
    for (let j = 0; j < out.length; j++) out[j] = center[j] + sign * sigma[j] * eps[j];
  } else {
    // c + (−σ·0) would turn a frozen −0 into +0 for half the members; copy instead
    for (let j = 0; j < out.length; j++) out[j] = frozen[j] === 1 ? center[j] : center[j] + sign * sigma[j] * eps[j];
  }
  return out;
}
