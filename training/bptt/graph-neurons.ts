/**
 * The neurons of `controllers/neurons.ts` as TensorFlow.js ops over a batch ([batch, n]
 * tensors), with the same operations in the same order so that float32 results agree:
 *
 *   Leaky, reset 'subtract':  U[t] = (β·U[t−1] + I[t]) − sg(S[t−1])·θ
 *   Leaky, reset 'zero':      U[t] = β·(U[t−1]·(1 − sg(S[t−1]))) + I[t]
 *   spike:                    S[t] = spike(U[t] − θ)   (Heaviside forward, surrogate backward)
 *   Synaptic:                 I_syn[t] = α·I_syn[t−1] + I_in[t], then Leaky with I = I_syn
 *   Readout:                  V[t] = β·V[t−1] + I[t]
 *
 * sg(·) is `stopGradient`: the spike that drives the reset is detached from the graph (as
 * snnTorch's `reset_mechanism` with `detach_reset=True`), so gradients flow only through the
 * spike function's surrogate and the membrane's leak. U·(1 − S) with S ∈ {0, 1} is exact, so
 * the zero-reset form matches the typed-array `β·(S ? 0 : U)` bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResetMode } from '../../controllers/neurons.js';
import { stopGradient, type SpikeFn } from './surrogate.js';

export interface LeakyGraphParams {
  /** [n] */
  beta: tf.Tensor;
  /** [n] */
  threshold: tf.Tensor;
  reset: ResetMode;
}

export interface SynapticGraphParams extends LeakyGraphParams {
  /** [n] */
  alpha: tf.Tensor;
}

export interface LeakyGraphState {
  /** [batch, n] */
  mem: tf.Tensor;
  /** [batch, n] */
  spk: tf.Tensor;
}

export interface SynapticGraphState extends LeakyGraphState {
  syn: tf.Tensor;
}

/**
 * `detachReset` (default true) applies sg(·) to the reset spike; false keeps the reset in the
 * graph, which the finite-difference check needs (its smooth forward then has the exact
 * gradient).
 */
export function leakyGraphStep(input: tf.Tensor, s: LeakyGraphState, p: LeakyGraphParams, spike: SpikeFn, detachReset = true): LeakyGraphState {
  const prev = detachReset ? stopGradient(s.spk) : s.spk;
  const mem =
    p.reset === 'subtract'
      ? tf.sub(tf.add(tf.mul(p.beta, s.mem), input), tf.mul(prev, p.threshold))
      : tf.add(tf.mul(p.beta, tf.mul(s.mem, tf.sub(1, prev))), input);
  return { mem, spk: spike(tf.sub(mem, p.threshold)) };
}

export function synapticGraphStep(input: tf.Tensor, s: SynapticGraphState, p: SynapticGraphParams, spike: SpikeFn, detachReset = true): SynapticGraphState {
  const syn = tf.add(tf.mul(p.alpha, s.syn), input);
  const l = leakyGraphStep(syn, s, p, spike, detachReset);
  return { mem: l.mem, spk: l.spk, syn };
}

export function readoutGraphStep(input: tf.Tensor, mem: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(beta, mem), input);
}
