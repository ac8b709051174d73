/**
 * Spike functions with surrogate gradients, as `tf.customGrad` ops over U' = U − θ.
 *
 * Forward (all hard variants): S = H(U') = 1 if U' > 0 else 0 — the same strict comparison as
 * the typed-array neurons (`spike when U > θ`).
 *
 * Backward, with slope k (`SurrogateSpec.slope`):
 *
 *   arctan        dS/dU' = (k/2) / (1 + (π·k·U'/2)²)
 *                 the derivative of S̃ = 1/2 + arctan(π·k·U'/2)/π; peak k/2 at U' = 0. This is
 *                 what snnTorch's `atan` *code* computes (its docstring drops the k/2 factor).
 *   fast-sigmoid  dS/dU' = 1 / (1 + k·|U'|)²
 *                 (Zenke & Ganguli's SuperSpike; snnTorch `fast_sigmoid`); peak 1 at U' = 0.
 *   sigmoid       a *smooth* stand-in used for finite-difference checks: the forward is
 *                 S = σ(k·U') itself and dS/dU' = k·σ(k·U')·(1 − σ(k·U')), so the gradient
 *                 is the true gradient of the forward.
 *
 * Defaults follow snnTorch: arctan k = 2, fast-sigmoid k = 25.
 */
import * as tf from '@tensorflow/tfjs';

export type SurrogateKind = 'arctan' | 'fast-sigmoid' | 'sigmoid';
export const SURROGATE_KINDS: readonly SurrogateKind[] = ['arctan', 'fast-sigmoid', 'sigmoid'];

export interface SurrogateSpec {
  kind: SurrogateKind;
  slope: number;
}

export const DEFAULT_SLOPE: Readonly<Record<SurrogateKind, number>> = { arctan: 2, 'fast-sigmoid': 25, sigmoid: 10 };

export function surrogateSpec(kind: SurrogateKind = 'arctan', slope?: number): SurrogateSpec {
  return { kind, slope: slope ?? DEFAULT_SLOPE[kind] };
}

/** dS/dU' at one point, in plain numbers (the reference the tests check the ops against). */
export function surrogateDerivative(spec: SurrogateSpec, u: number): number {
  const k = spec.slope;
  switch (spec.kind) {
    case 'arctan': {
      const z = (Math.PI * k * u) / 2;
      return k / 2 / (1 + z * z);
    }
    case 'fast-sigmoid': {
      const d = 1 + k * Math.abs(u);
      return 1 / (d * d);
    }
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-k * u));
      return k * s * (1 - s);
    }
  }
}

/** The surrogate derivative as a tensor op (elementwise over U'). */
export function surrogateGradOp(spec: SurrogateSpec, u: tf.Tensor): tf.Tensor {
  const k = spec.slope;
  switch (spec.kind) {
    case 'arctan': {
      const z = tf.mul(u, (Math.PI * k) / 2);
      return tf.div(tf.scalar(k / 2), tf.add(tf.scalar(1), tf.square(z)));
    }
    case 'fast-sigmoid': {
      const d = tf.add(tf.scalar(1), tf.mul(tf.abs(u), k));
      return tf.reciprocal(tf.square(d));
    }
    case 'sigmoid': {
      const s = tf.sigmoid(tf.mul(u, k));
      return tf.mul(tf.mul(s, tf.sub(tf.scalar(1), s)), k);
    }
  }
}

export type SpikeFn = (uMinusTheta: tf.Tensor) => tf.Tensor;

/** S = spike(U − θ) with the surrogate backward of `spec`. */
export function makeSpikeFn(spec: SurrogateSpec): SpikeFn {
  if (spec.kind === 'sigmoid') {
    const k = spec.slope;
    return (u: tf.Tensor) => tf.sigmoid(tf.mul(u, k));
  }
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const u = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([u]);
    return {
      value: tf.cast(tf.greater(u, 0), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, surrogateGradOp(spec, saved[0])),
    };
  });
  return (u: tf.Tensor) => f(u) as tf.Tensor;
}

/** Identity forward, zero gradient: the spike used for reset is detached from the graph. */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = (() => {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({ value: tf.clone(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return (x: tf.Tensor) => f(x) as tf.Tensor;
})();
