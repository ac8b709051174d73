/**
 * Decoders: output-layer activity → action in [−1, 1].
 *
 * The rate and population decoders read an exponentially filtered spike rate of a spiking output
 * layer, updated at every SNN step (`filterRate`) and carried across control steps (cleared only
 * at episode start); the action is computed once per control step, after the K SNN steps.
 */

const f = Math.fround;

/**
 * Exponentially filtered spike rate, per SNN step, in place:
 *   r[t] = λ·r[t−1] + (1 − λ)·s[t]           rounding: fround(fround(λ·r) + fround((1−λ)·s))
 * r stays in [0, 1] (λ = p.rateDecay ∈ [0, 1); an object, not a number, so no double is boxed per call).
 */
export function filterRate(rate: Float32Array, spk: Uint8Array, p: { readonly rateDecay: number }): void {
  const l = f(p.rateDecay);
  const g = f(1 - l);
  for (let i = 0; i < rate.length; i++) rate[i] = f(f(l * rate[i]) + f(g * spk[i]));
}

/**
 * Linear readout of the filtered rates through tanh:
 *   a_j = tanh(d_j + Σ_i r_i·D[i, j])        D pre-major [nRate, nAct]; sum in float32 from d_j,
 *                                            i ascending (as in linear.ts)
 */
export function decodeLinearTanh(rate: Float32Array, weights: Float32Array, bias: Float32Array, out: Float32Array): void {
  const nAct = out.length;
  for (let j = 0; j < nAct; j++) out[j] = bias[j];
  for (let i = 0; i < rate.length; i++) {
    const r = rate[i];
    if (r === 0) continue;
    const row = i * nAct;
    for (let j = 0; j < nAct; j++) out[j] = f(out[j] + f(r * weights[row + j]));
  }
  for (let j = 0; j < nAct; j++) out[j] = Math.tanh(out[j]);
}

/**
 * Population (agonist/antagonist) decoding: action j owns the group of G output neurons
 * [j·G, (j+1)·G); the first G/2 push the joint one way, the last G/2 the other:
 *   a_j = tanh(gain·(mean(r[agonists]) − mean(r[antagonists])))
 * G = p.neuronsPerAction must be even.
 */
export function decodePopulation(rate: Float32Array, p: { readonly neuronsPerAction: number; readonly gain: number }, out: Float32Array): void {
  const group = p.neuronsPerAction;
  const gain = p.gain;
  const half = group >> 1;
  for (let j = 0; j < out.length; j++) {
    const base = j * group;
    let ag = 0;
    let an = 0;
    for (let k = 0; k < half; k++) {
      ag += rate[base + k];
      an += rate[base + half + k];
    }
    out[j] = Math.tanh((gain * (ag - an)) / half);
  }
}

/** Membrane readout of a non-spiking leaky layer: a_j = tanh(V_j). */
export function decodeMembrane(mem: Float32Array, out: Float32Array): void {
  for (let j = 0; j < out.length; j++) out[j] = Math.tanh(mem[j]);
}
