/**
 * The inner optimisers a strategy hands its gradient estimate to: state as plain records,
 * steps as functions, so one strategy can be paired with another (evosax passes an optax
 * optimiser in the same way). Every step ASCENDS the estimate ĝ and leaves frozen entries
 * untouched.
 */
import { StateReader, checkPositive, checkRange } from './strategy.js';

export interface InnerOptimizer<P, S> {
  readonly kind: string;
  init(dim: number): S;
  /** x ← x + Δ(ĝ) on every entry with frozen_j ≠ 1. */
  step(state: S, params: P, g: Float64Array, x: Float64Array, frozen: Uint8Array | null): void;
  /** Validate a stored state (the `where` prefix names the field). */
  read(r: StateReader, dim: number): S;
}

// ---- Adam with L2 weight decay ------------------------------------------------------------------

/**
 * Adam (Kingma & Ba 2015) descending the loss gradient d = −ĝ + λ·x (L2 weight decay λ, as
 * `l2coeff` in the OpenAI-ES reference implementation):
 *
 *   t ← t+1;  m ← β1·m + (1−β1)·d;  v ← β2·v + (1−β2)·d²
 *   x ← x − lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε)
 */
export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamState {
  kind: 'adam';
  /** steps taken */
  t: number;
  m: Float64Array;
  v: Float64Array;
}

export function adamParams(o: Partial<AdamParams> = {}): AdamParams {
  return {
    lr: checkPositive('Adam: lr', o.lr ?? 0.01),
    beta1: checkRange('Adam: beta1', o.beta1 ?? 0.9, 0, 0.999999),
    beta2: checkRange('Adam: beta2', o.beta2 ?? 0.999, 0, 0.999999),
    eps: checkPositive('Adam: eps', o.eps ?? 1e-8),
    weightDecay: checkRange('Adam: weightDecay', o.weightDecay ?? 0.005, 0, Infinity),
  };
}

export const adam: InnerOptimizer<AdamParams, AdamState> = {
  kind: 'adam',
  init: (dim) => ({ kind: 'adam', t: 0, m: new Float64Array(dim), v: new Float64Array(dim) }),
  step(s, p, g, x, frozen) {
    const { m, v } = s;
    const { beta1: b1, beta2: b2, weightDecay: l2, eps } = p;
    s.t++;
    const a = (p.lr * Math.sqrt(1 - Math.pow(b2, s.t))) / (1 - Math.pow(b1, s.t));
    for (let j = 0; j < x.length; j++) {
      if (frozen !== null && frozen[j] === 1) continue;
      const d = -g[j] + l2 * x[j];
      m[j] = b1 * m[j] + (1 - b1) * d;
      v[j] = b2 * v[j] + (1 - b2) * d * d;
      x[j] -= (a * m[j]) / (Math.sqrt(v[j]) + eps);
    }
  },
  read(r, dim) {
    r.literal('kind', 'adam');
    return { kind: 'adam', t: r.integer('t', 0), m: r.float64('m', dim), v: r.float64('v', dim) };
  },
};

// ---- ClipUp -----------------------------------------------------------------------------------

/**
 * ClipUp (Toklu, Liskowski & Srivastava 2020): momentum m, step size α, max speed v_max:
 *
 *   v ← m·v + α · ĝ/‖ĝ‖;   if ‖v‖ > v_max: v ← v_max · v/‖v‖;   x ← x + v
 *
 * (if ĝ = 0 the normalised term is 0). Norms run over the entries that are not frozen.
 */
export interface ClipUpParams {
  /** α (Toklu et al. recommend maxSpeed / 2) */
  stepSize: number;
  maxSpeed: number;
  momentum: number;
}

export interface ClipUpState {
  kind: 'clipup';
  velocity: Float64Array;
}

export function clipUpParams(o: Partial<ClipUpParams> & { maxSpeed?: number } = {}): ClipUpParams {
  const maxSpeed = checkPositive('ClipUp: maxSpeed', o.maxSpeed ?? 0.15);
  return {
    maxSpeed,
    stepSize: checkPositive('ClipUp: stepSize', o.stepSize ?? maxSpeed / 2),
    momentum: checkRange('ClipUp: momentum', o.momentum ?? 0.9, 0, 1),
  };
}

export const clipUp: InnerOptimizer<ClipUpParams, ClipUpState> = {
  kind: 'clipup',
  init: (dim) => ({ kind: 'clipup', velocity: new Float64Array(dim) }),
  step(s, p, g, x, frozen) {
    const { velocity } = s;
    const dim = x.length;
    const live = (j: number) => frozen === null || frozen[j] !== 1;
    let gNorm2 = 0;
    for (let j = 0; j < dim; j++) if (live(j)) gNorm2 += g[j] * g[j];
    const gScale = gNorm2 > 0 ? p.stepSize / Math.sqrt(gNorm2) : 0;
    let vNorm2 = 0;
    for (let j = 0; j < dim; j++) {
      if (!live(j)) continue;
      velocity[j] = p.momentum * velocity[j] + gScale * g[j];
      vNorm2 += velocity[j] * velocity[j];
    }
    const vNorm = Math.sqrt(vNorm2);
    if (vNorm > p.maxSpeed) {
      const c = p.maxSpeed / vNorm;
      for (let j = 0; j < dim; j++) if (live(j)) velocity[j] *= c;
    }
    for (let j = 0; j < dim; j++) if (live(j)) x[j] += velocity[j];
  },
  read(r, dim) {
    r.literal('kind', 'clipup');
    return { kind: 'clipup', velocity: r.float64('velocity', dim) };
  },
};
