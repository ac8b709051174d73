/**
 * Synaptic plasticity after SpikePropamine (Schmidgall et al. 2021) and Backpropamine
 * (Miconi et al. 2019): a plastic connection has fixed weights W, a learned plasticity
 * coefficient α per synapse and a fast Hebbian trace Hebb, and transmits through
 *
 *   W_eff = W + α ⊙ Hebb                                   (see linear.ts)
 *
 * Activity enters the rules as spike traces (pre x_i, post y_j), updated at every SNN step:
 *
 *   x_i ← λ_pre·x_i + s_i,     y_j ← λ_post·y_j + s_j
 *
 * Rule terms T_ij (the "rule term" of a rule), with θ_j the BCM sliding threshold:
 *
 *   hebbian  T = x_i·y_j                                   (Hebb 1949; Backpropamine eq. 2)
 *   oja      T = y_j·(x_i − y_j·Hebb_ij)                   (Oja 1982)
 *   bcm      T = x_i·y_j·(y_j − θ_j)                       (Bienenstock, Cooper & Munro 1982)
 *   abcd     T = A_ij·x_i·y_j + B_ij·x_i + C_ij·y_j + D_ij  (Najarro & Risi 2020: per-synapse
 *                                                          A, B, C, D, all evolved)
 *   cov      T = (x_i − x̄_i)·(y_j − ȳ_j)                 covariance rule (Sejnowski 1977), with
 *                                                          running means of the traces
 *
 * Modulation:
 *
 *   none     Hebb ← clip((1 − δ)·Hebb + η·T, ±c)           plain rule, learned rate η
 *   simple   Hebb ← clip((1 − δ)·Hebb + M_j·T, ±c)         neuromodulated: M replaces η
 *                                                          (Backpropamine "simple")
 *   retro    E ← (1 − η)·E + η·T                           eligibility trace, then
 *            Hebb ← clip((1 − δ)·Hebb + M_j·E, ±c)         (Backpropamine "retroactive",
 *                                                          SpikePropamine eq. 6–7)
 *
 * δ ∈ [0, 1) is a learned decay of Hebb toward zero (0 when `plasticity.decay` is 0: the rules
 * exactly as before). Without it nothing pulls Hebb back, and over episodes longer than the
 * training horizon it random-walks into the ±c clip, where the transmitted weights freeze
 * (measured on the round-1 gait: saturated after 10–25 s, speed 1.1 → 0.2 m/s over 60 s);
 * with it |Hebb| stays below max|rate·T|/δ and the network forgets on a time scale of 1/δ
 * SNN steps, as the decaying Hebbian trace of Miconi et al. 2018 (Hebb ← (1 − η)Hebb + η·x·y) does.
 *
 * After the Hebb update (so T above used the old θ), BCM slides its threshold:
 *
 *   θ_j ← θ_j + τ_θ·(y_j² − θ_j)
 *
 * and the covariance rule its means, at the same learned rate τ_θ:
 *
 *   x̄_i ← x̄_i + τ_θ·(x_i − x̄_i),   ȳ_j ← ȳ_j + τ_θ·(y_j − ȳ_j)
 *
 * The covariance rule is the answer to a lock-in measured on the plastic gait (issue #14): once
 * the robot's pose stops changing, the pre/post traces are constant, a Hebbian term x·y keeps
 * growing the synapses of that constant pattern, the outputs pin and the gait stops. With the
 * means subtracted a constant pattern gives T → 0 and Hebb decays back to zero (W alone acts);
 * only co-fluctuation (the gait cycle, a perturbation) is learned.
 *
 * The neuromodulator (Backpropamine §3.2, with SpikePropamine's spiking source) is
 *
 *   m = tanh(b + Σ_k s_k·w_k + w_r·reward),    M_j = f_j·m
 *
 * with s the hidden layer's spikes at this step, w, w_r, b learned, and f the learned fan-out
 * to each postsynaptic neuron. Hebb, E, θ and the traces are zero at episode start.
 *
 * Float32 semantics: every operation is rounded to float32 in the order of the expressions in
 * `plasticityStepReference` (one `Math.fround` per operation), so a float32 tensor implementation
 * doing the same operations in the same order agrees bit for bit (tanh aside: see snn.ts).
 */

const f = Math.fround;

export type RuleTerm = 'hebbian' | 'oja' | 'bcm' | 'abcd' | 'cov';
export type Modulation = 'none' | 'simple' | 'retro';

export interface PlasticityRule {
  readonly term: RuleTerm;
  readonly modulation: Modulation;
}

/** Every rule name the config accepts, `none` meaning plasticity off. */
export const RULE_NAMES = [
  'none',
  'hebbian',
  'oja',
  'bcm',
  'hebbian-neuromod',
  'oja-neuromod',
  'bcm-neuromod',
  'hebbian-retro',
  'oja-retro',
  'bcm-retro',
  'abcd',
  'abcd-neuromod',
  'cov',
  'cov-neuromod',
  'cov-retro',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** `oja-neuromod` → {term: 'oja', modulation: 'simple'}; `none` → null. */
export function parseRuleName(name: RuleName): PlasticityRule | null {
  if (name === 'none') return null;
  const [term, variant] = name.split('-') as [RuleTerm, string | undefined];
  const modulation: Modulation = variant === 'neuromod' ? 'simple' : variant === 'retro' ? 'retro' : 'none';
  return { term, modulation };
}

export interface PlasticState {
  readonly nPre: number;
  readonly nPost: number;
  /** Hebb, pre-major [nPre, nPost] like W */
  readonly hebb: Float32Array;
  /** eligibility trace E, [nPre, nPost] (retro rules only; length 0 otherwise) */
  readonly elig: Float32Array;
  /** BCM sliding threshold θ_j, [nPost] */
  readonly theta: Float32Array;
  /** covariance rule: running means x̄_i [nPre] and ȳ_j [nPost] of the traces (length 0 for other terms) */
  readonly preMean: Float32Array;
  readonly postMean: Float32Array;
  /** presynaptic trace x_i, [nPre] */
  readonly pre: Float32Array;
  /** postsynaptic trace y_j, [nPost] */
  readonly post: Float32Array;
}

export function plasticState(nPre: number, nPost: number, withEligibility: boolean, withMeans = false): PlasticState {
  return {
    nPre,
    nPost,
    hebb: new Float32Array(nPre * nPost),
    elig: new Float32Array(withEligibility ? nPre * nPost : 0),
    theta: new Float32Array(nPost),
    preMean: new Float32Array(withMeans ? nPre : 0),
    postMean: new Float32Array(withMeans ? nPost : 0),
    pre: new Float32Array(nPre),
    post: new Float32Array(nPost),
  };
}

/** Episode start: Hebb, E, θ, the means and both traces back to zero. */
export function resetPlasticState(s: PlasticState): void {
  s.hebb.fill(0);
  s.elig.fill(0);
  s.theta.fill(0);
  s.preMean.fill(0);
  s.postMean.fill(0);
  s.pre.fill(0);
  s.post.fill(0);
}

export interface AbcdCoefficients {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly c: Float32Array;
  readonly d: Float32Array;
}

export interface PlasticParams {
  readonly term: RuleTerm;
  readonly modulation: Modulation;
  /** η ∈ [0, 1]: learning rate (none) or eligibility-trace rate (retro); unused by simple */
  eta: number;
  /** τ_θ ∈ [0, 1]: BCM threshold rate (bcm), rate of the traces' running means (cov) */
  tauTheta: number;
  /** δ ∈ [0, 1): Hebb decays by (1 − δ) per update (0: no decay) */
  decay: number;
  /** abcd only: the per-synapse coefficients A, B, C, D, each [nPre, nPost] like W; null otherwise */
  readonly abcd: AbcdCoefficients | null;
  /** c > 0: Hebb is clipped to [−c, c] */
  readonly clip: number;
  /** λ_pre: presynaptic trace decay */
  readonly preDecay: number;
  /** λ_post: postsynaptic trace decay */
  readonly postDecay: number;
}

/**
 * Spike trace, in place: x ← λ·x + s       rounding: fround(fround(λ·x) + s).
 */
export function updateTrace(trace: Float32Array, activity: Float32Array | Uint8Array, lambda: number): void {
  const l = f(lambda);
  for (let i = 0; i < trace.length; i++) trace[i] = f(f(l * trace[i]) + activity[i]);
}

/**
 * Both traces of a connection for this step: x ← λ_pre·x + pre, y ← λ_post·y + post.
 * (Decays are read from `p`, not passed as numbers: a double argument to a call V8 does not
 * inline is boxed on the heap, and this runs at every SNN step.)
 */
export function updateTraces(s: PlasticState, p: PlasticParams, pre: Float32Array | Uint8Array, post: Float32Array | Uint8Array): void {
  const lx = f(p.preDecay);
  const x = s.pre;
  for (let i = 0; i < x.length; i++) x[i] = f(f(lx * x[i]) + pre[i]);
  const ly = f(p.postDecay);
  const y = s.post;
  for (let j = 0; j < y.length; j++) y[j] = f(f(ly * y[j]) + post[j]);
}

export interface NeuromodulatorParams {
  /** w_k: weights from the source layer's spikes */
  readonly weights: Float32Array;
  /** b */
  readonly bias: Float32Array;
  /** w_r: weight on the external reward (length 1), or length 0 when the reward is not used */
  readonly rewardWeight: Float32Array;
  /** f_j: fan-out to each postsynaptic neuron */
  readonly fanout: Float32Array;
}

/**
 * M_j = f_j·tanh(b + Σ_k s_k·w_k + w_r·reward), written into `out`.
 * The reward arrives as reward[0] of a one-element array and nothing is returned: a double passed
 * to or returned from a call V8 does not inline is boxed on the heap, at every SNN step.
 * Sum order: acc = 0; acc = fround(acc + w_k) for k ascending with s_k = 1;
 * acc = fround(acc + fround(w_r·reward)); acc = fround(acc + b); m = fround(tanh(acc));
 * M_j = fround(f_j·m).
 */
export function neuromodulate(src: Uint8Array, reward: Float64Array, p: NeuromodulatorParams, out: Float32Array): void {
  const w = p.weights;
  let acc = 0;
  for (let k = 0; k < src.length; k++) if (src[k] !== 0) acc = f(acc + w[k]);
  if (p.rewardWeight.length > 0) acc = f(acc + f(p.rewardWeight[0] * reward[0]));
  acc = f(acc + p.bias[0]);
  const m = f(Math.tanh(acc));
  const fan = p.fanout;
  for (let j = 0; j < out.length; j++) out[j] = f(fan[j] * m);
}

function clipTo(v: number, c: number): number {
  return v > c ? c : v < -c ? -c : v;
}

/**
 * Reference: one plasticity update (after the traces have been updated for this step), the
 * equations above written as literally as possible. `mod` holds M_j (simple/retro), else null.
 */
export function plasticityStepReference(s: PlasticState, p: PlasticParams, mod: Float32Array | null): void {
  const { nPre, nPost, hebb, elig, theta, pre, post, preMean, postMean } = s;
  const eta = f(p.eta);
  const keepH = f(1 - p.decay);
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) {
      const k = i * nPost + j;
      const x = pre[i];
      const y = post[j];
      const h = hebb[k];
      let term: number;
      switch (p.term) {
        case 'hebbian':
          term = f(x * y);
          break;
        case 'oja':
          term = f(y * f(x - f(y * h)));
          break;
        case 'bcm':
          term = f(f(x * y) * f(y - theta[j]));
          break;
        case 'abcd': {
          const q = p.abcd!;
          term = f(f(f(f(q.a[k] * f(x * y)) + f(q.b[k] * x)) + f(q.c[k] * y)) + q.d[k]);
          break;
        }
        case 'cov':
          term = f(f(x - preMean[i]) * f(y - postMean[j]));
          break;
      }
      const kept = f(keepH * h);
      let next: number;
      switch (p.modulation) {
        case 'none':
          next = f(kept + f(eta * term));
          break;
        case 'simple':
          next = f(kept + f(mod![j] * term));
          break;
        case 'retro': {
          const e = f(f(f(1 - eta) * elig[k]) + f(eta * term));
          elig[k] = e;
          next = f(kept + f(mod![j] * e));
          break;
        }
      }
      hebb[k] = clipTo(next, p.clip);
    }
  }
  if (p.term === 'bcm') {
    const tau = f(p.tauTheta);
    for (let j = 0; j < nPost; j++) theta[j] = f(theta[j] + f(tau * f(f(post[j] * post[j]) - theta[j])));
  }
  if (p.term === 'cov') {
    const tau = f(p.tauTheta);
    for (let i = 0; i < nPre; i++) preMean[i] = f(preMean[i] + f(tau * f(pre[i] - preMean[i])));
    for (let j = 0; j < nPost; j++) postMean[j] = f(postMean[j] + f(tau * f(post[j] - postMean[j])));
  }
}

const TERM_HEBBIAN = 0;
const TERM_OJA = 1;
const TERM_BCM = 2;
const TERM_ABCD = 3;
const TERM_COV = 4;

function termCode(t: RuleTerm): number {
  return t === 'hebbian' ? TERM_HEBBIAN : t === 'oja' ? TERM_OJA : t === 'bcm' ? TERM_BCM : t === 'cov' ? TERM_COV : TERM_ABCD;
}

/**
 * Optimised: the same arithmetic as the reference, with the modulation dispatch hoisted out of
 * the synapse loop (one small function per modulation), the term dispatch integer-coded and
 * inline, and (hebbian, none/simple, no decay) rows skipped when the presynaptic trace is
 * exactly 0 (T = 0 then, and Hebb + 0 = Hebb). ABCD has its own loop (four more loads per
 * synapse, no silent rows: B·x, C·y and D need not vanish). With δ = 0, (1 − δ)·Hebb = Hebb
 * exactly, so the rules without decay are bitwise what they were.
 */
export function plasticityStep(s: PlasticState, p: PlasticParams, mod: Float32Array | null): void {
  const code = termCode(p.term);
  if (code === TERM_ABCD) stepAbcd(s, p, mod);
  else if (p.modulation === 'none') stepPlain(s, code, p, null);
  else if (p.modulation === 'simple') stepPlain(s, code, p, mod!);
  else stepRetro(s, code, p, mod!);
  if (code === TERM_BCM) slideTheta(s, p);
  else if (code === TERM_COV) slideMeans(s, p);
}

/** none (rate η) and simple (rate M_j) share one loop: rate = mod ? M_j : η. */
function stepPlain(s: PlasticState, code: number, p: PlasticParams, mod: Float32Array | null): void {
  const { nPre, nPost, hebb, theta, pre, post, preMean, postMean } = s;
  const cov = code === TERM_COV;
  const eta = f(p.eta);
  const keepH = f(1 - p.decay);
  const c = p.clip;
  const skipSilent = code === TERM_HEBBIAN && p.decay === 0;
  for (let i = 0; i < nPre; i++) {
    const x = pre[i];
    if (skipSilent && x === 0) continue;
    const dx = cov ? f(x - preMean[i]) : 0;
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      const h = hebb[k];
      const y = post[j];
      // rule term T, inline (a shared helper made V8 box doubles once it saw several rules)
      const term = code === TERM_HEBBIAN ? f(x * y) : code === TERM_OJA ? f(y * f(x - f(y * h))) : code === TERM_BCM ? f(f(x * y) * f(y - theta[j])) : f(dx * f(y - postMean[j]));
      const rate = mod === null ? eta : mod[j];
      hebb[k] = clipTo(f(f(keepH * h) + f(rate * term)), c);
    }
  }
}

function stepRetro(s: PlasticState, code: number, p: PlasticParams, mod: Float32Array): void {
  const { nPre, nPost, hebb, elig, theta, pre, post, preMean, postMean } = s;
  const cov = code === TERM_COV;
  const eta = f(p.eta);
  const keep = f(1 - eta);
  const keepH = f(1 - p.decay);
  const c = p.clip;
  for (let i = 0; i < nPre; i++) {
    const x = pre[i];
    const dx = cov ? f(x - preMean[i]) : 0;
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      const h = hebb[k];
      const y = post[j];
      const term = code === TERM_HEBBIAN ? f(x * y) : code === TERM_OJA ? f(y * f(x - f(y * h))) : code === TERM_BCM ? f(f(x * y) * f(y - theta[j])) : f(dx * f(y - postMean[j]));
      const e = f(f(keep * elig[k]) + f(eta * term));
      elig[k] = e;
      hebb[k] = clipTo(f(f(keepH * h) + f(mod[j] * e)), c);
    }
  }
}

/** ABCD (Najarro & Risi 2020), plain (rate η) or neuromodulated (rate M_j). */
function stepAbcd(s: PlasticState, p: PlasticParams, mod: Float32Array | null): void {
  const { nPre, nPost, hebb, pre, post } = s;
  const { a, b, c: cc, d } = p.abcd!;
  const eta = f(p.eta);
  const keepH = f(1 - p.decay);
  const c = p.clip;
  for (let i = 0; i < nPre; i++) {
    const x = pre[i];
    const row = i * nPost;
    for (let j = 0; j < nPost; j++) {
      const k = row + j;
      const y = post[j];
      const term = f(f(f(f(a[k] * f(x * y)) + f(b[k] * x)) + f(cc[k] * y)) + d[k]);
      const rate = mod === null ? eta : mod[j];
      hebb[k] = clipTo(f(f(keepH * hebb[k]) + f(rate * term)), c);
    }
  }
}

/** BCM: θ_j ← θ_j + τ_θ·(y_j² − θ_j), after the Hebb update. */
function slideTheta(s: PlasticState, p: PlasticParams): void {
  const { theta, post } = s;
  const tau = f(p.tauTheta);
  for (let j = 0; j < theta.length; j++) theta[j] = f(theta[j] + f(tau * f(f(post[j] * post[j]) - theta[j])));
}

/** Covariance rule: x̄_i ← x̄_i + τ·(x_i − x̄_i), ȳ_j ← ȳ_j + τ·(y_j − ȳ_j), after the Hebb update. */
function slideMeans(s: PlasticState, p: PlasticParams): void {
  const { pre, post, preMean, postMean } = s;
  const tau = f(p.tauTheta);
  for (let i = 0; i < preMean.length; i++) preMean[i] = f(preMean[i] + f(tau * f(pre[i] - preMean[i])));
  for (let j = 0; j < postMean.length; j++) postMean[j] = f(postMean[j] + f(tau * f(post[j] - postMean[j])));
}
