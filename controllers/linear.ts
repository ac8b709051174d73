/**
 * Synaptic currents through a connection: out[j] += Σ_i pre[i]·W_eff[i, j].
 *
 * Weight matrices are stored pre-major, shape [nPre, nPost], element (i, j) at i·nPost + j, so
 * that a spike of presynaptic neuron i adds one contiguous row (and a tfjs engineer writes
 * `matMul(pre[1, nPre], W[nPre, nPost])`). For a plastic connection the effective weight is
 *
 *   W_eff[i, j] = W[i, j] + α[i, j]·Hebb[i, j]          (Backpropamine, Miconi et al. 2019)
 *
 * Accumulation order and rounding (the same in every kernel here): `out` starts from whatever
 * the caller put there (the bias), then for i = 0 … nPre−1 in ascending order
 *   w   = fround(W + fround(α·Hebb))        (plastic)   or   w = W   (static)
 *   out[j] = fround(out[j] + fround(pre[i]·w))
 * i.e. a float32 running sum in ascending presynaptic order. The spike kernels skip i with
 * pre[i] = 0, which only drops additions of ±0, so they agree with the dense reference (up to the
 * sign of an exact zero, which no spike can see).
 */

const f = Math.fround;

/** Reference: the obviously correct dense version, for any input (graded or spikes). */
export function addCurrentReference(
  out: Float32Array,
  pre: ArrayLike<number>,
  w: Float32Array,
  alpha: Float32Array | null,
  hebb: Float32Array | null,
): void {
  const nPre = pre.length;
  const nPost = out.length;
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) {
      const k = i * nPost + j;
      const weff = alpha && hebb ? f(w[k] + f(alpha[k] * hebb[k])) : w[k];
      out[j] = f(out[j] + f(pre[i] * weff));
    }
  }
}

/** Graded input (direct or population-coded current), static weights. */
export function addDense(out: Float32Array, pre: Float32Array, w: Float32Array): void {
  const nPre = pre.length;
  const nPost = out.length;
  for (let i = 0; i < nPre; i++) {
    const x = pre[i];
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) out[j] = f(out[j] + f(x * w[row + j]));
  }
}

/** Graded input, plastic weights W + α⊙Hebb. */
export function addDensePlastic(out: Float32Array, pre: Float32Array, w: Float32Array, alpha: Float32Array, hebb: Float32Array): void {
  const nPre = pre.length;
  const nPost = out.length;
  for (let i = 0; i < nPre; i++) {
    const x = pre[i];
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      out[j] = f(out[j] + f(x * f(w[k] + f(alpha[k] * hebb[k]))));
    }
  }
}

/** Spike input (0/1), static weights: event-driven, adds one row per spike. */
export function addSpikes(out: Float32Array, spk: Uint8Array, w: Float32Array): void {
  const nPre = spk.length;
  const nPost = out.length;
  for (let i = 0; i < nPre; i++) {
    if (spk[i] === 0) continue;
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) out[j] = f(out[j] + w[row + j]);
  }
}

/** Spike input (0/1), plastic weights: event-driven. */
export function addSpikesPlastic(out: Float32Array, spk: Uint8Array, w: Float32Array, alpha: Float32Array, hebb: Float32Array): void {
  const nPre = spk.length;
  const nPost = out.length;
  for (let i = 0; i < nPre; i++) {
    if (spk[i] === 0) continue;
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      out[j] = f(out[j] + f(w[k] + f(alpha[k] * hebb[k])));
    }
  }
}

/**
 * Synaptic scaling (`plasticity.normalize: 'post'`). A scaled plastic connection transmits
 *
 *   out[j] += s_j · Σ_i pre[i]·W_eff[i, j],    s_j = ‖W[:, j]‖ / ‖W_eff[:, j]‖
 *
 * so each postsynaptic neuron's incoming effective weights keep the L2 norm of its fixed
 * weights: the rule can turn a neuron's weight vector, not grow or shrink its drive. The sum is
 * accumulated as above into a scratch row (from 0), then added: out[j] = fround(out[j] +
 * fround(s_j·acc[j])). Norms are summed in double precision in ascending i and rounded once.
 */

/** norms[j] = fround(√Σ_i W[i, j]²) (the targets, once per episode or genome). */
export function columnNorms(w: Float32Array, nPost: number, norms: Float32Array): void {
  const nPre = w.length / nPost;
  for (let j = 0; j < nPost; j++) {
    let sum = 0;
    for (let i = 0; i < nPre; i++) {
      const v = w[i * nPost + j];
      sum += v * v;
    }
    norms[j] = f(Math.sqrt(sum));
  }
}

/**
 * scale[j] = fround(target[j] / ‖(W + α⊙Hebb)[:, j]‖), with W_eff rounded as the kernels
 * round it; 1 where the effective column is all zero (nothing to rescale). Rows outer, columns
 * inner (the storage order), the sums of squares in `sq` (nPost doubles).
 */
export function scalingFactors(w: Float32Array, alpha: Float32Array, hebb: Float32Array, target: Float32Array, sq: Float64Array, scale: Float32Array): void {
  const nPost = scale.length;
  const nPre = w.length / nPost;
  sq.fill(0);
  for (let i = 0; i < nPre; i++) {
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      const v = f(w[k] + f(alpha[k] * hebb[k]));
      sq[j] += v * v;
    }
  }
  for (let j = 0; j < nPost; j++) scale[j] = sq[j] > 0 ? f(target[j] / Math.sqrt(sq[j])) : 1;
}

/** out[j] = fround(out[j] + fround(scale[j]·acc[j])). */
export function addScaled(out: Float32Array, acc: Float32Array, scale: Float32Array): void {
  for (let j = 0; j < out.length; j++) out[j] = f(out[j] + f(scale[j] * acc[j]));
}
