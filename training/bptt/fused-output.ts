/**
 * A fused forward + backward kernel for the common BPTT network: leaky hidden layer (subtract or
 * zero reset, detached), no recurrence, a static input connection (its currents precomputed by
 * one matMul outside), and a membrane readout whose hidden→output connection is static or
 * plastic under any rule of `controllers/plasticity.ts` (hebbian | oja | bcm × none | simple |
 * retro, with the optional reward input to the neuromodulator).
 *
 * The whole sequence is one `tf.customGrad` op: the forward loop runs over preallocated typed
 * arrays and keeps what the backward needs; the backward is hand-written BPTT over the same
 * arrays. This replaces some 30 small tensor ops per SNN step (each a kernel dispatch and an
 * allocation on the wasm backend) by two tight loops, and skips silent presynaptic neurons in
 * the output current. The equations are those of `GraphSnn.run` (see graph-snn.ts), in the same
 * order, with float32 rounding after every operation; sums run in a different order than
 * `matMul`, so results agree with the op-by-op graph to float32 rounding, not bit for bit
 * (test/bptt/fused.test.ts checks forward and gradients against it for every rule).
 *
 * Backward, per step t from last to first (g· = adjoint; S_{t−1} in the reset is detached):
 *   Hebb_t = clip(Ĥ): gĤ = gHebb_t·[−c ≤ Ĥ ≤ c];  none: Ĥ = H + ηT;  simple: Ĥ = H + M T;
 *   retro: E_t = (1−η)E + ηT, Ĥ = H + M E_t;  T per term (x_i y_j | y_j(x_i − y_j H_ij) |
 *   x_i y_j (y_j − θ_j));  θ_t = θ + τ(y² − θ);  M_j = f_j tanh(Σ_k S_k w_k + w_r r + b);
 *   y_t = λ_post y + P_t; x_t = λ_pre x + S_t; P_t = tanh(V_t); V_t = β_o V + I_t;
 *   I_t = b_o + S_t (W + α⊙H_{t−1}); S_t = spike(U_t − θ_h) with surrogate σ'(U_t − θ_h);
 *   U_t = β_h U + D_t − sg(S_{t−1})θ_h  (zero reset: β_h U (1 − sg(S_{t−1})) + D_t).
 */
import * as tf from '@tensorflow/tfjs';
import type { PlasticityRule } from '../../controllers/plasticity.js';
import type { SurrogateSpec } from './surrogate.js';

export interface FusedShape {
  steps: number;
  /** SNN steps per action (the action is tanh(V) after every K-th step) */
  K: number;
  batch: number;
  hidden: number;
  output: number;
  reset: 'subtract' | 'zero';
  threshold: number;
  /** null: static output connection */
  rule: PlasticityRule | null;
  clip: number;
  preDecay: number;
  postDecay: number;
  /** the neuromodulator reads the reward input */
  modReward: boolean;
  surrogate: SurrogateSpec;
}

/** Tensor inputs, in this order (missing parameters as zeros of the stated shape). */
export const FUSED_INPUTS = [
  'drive', // [S, B, H]  b_h + u W_in
  'reward', // [acts, B]  (no gradient)
  'betaH', // [H]
  'betaO', // [O]
  'w', // [H, O]
  'bias', // [O]
  'alpha', // [H, O]
  'eta', // [1]
  'tau', // [1]
  'modW', // [H]
  'modBias', // [1]
  'modReward', // [1]
  'fanout', // [O]
  'U0', // [B, H]
  'S0', // [B, H] (no gradient: it only drives the detached reset)
  'V0', // [B, O]
  'x0', // [B, H]
  'y0', // [B, O]
  'H0', // [B, H, O]
  'E0', // [B, H, O]
  'theta0', // [B, 1, O]
] as const;

/** Sizes of the packed output: actions, then the final state in FUSED_INPUTS' state order. */
export function fusedOutputLayout(sh: Pick<FusedShape, 'steps' | 'K' | 'batch' | 'hidden' | 'output'>): { name: string; size: number; shape: number[] }[] {
  const { batch: B, hidden: H, output: O } = sh;
  const acts = sh.steps / sh.K;
  return [
    { name: 'actions', size: acts * B * O, shape: [acts, B, O] },
    { name: 'U', size: B * H, shape: [B, H] },
    { name: 'S', size: B * H, shape: [B, H] },
    { name: 'V', size: B * O, shape: [B, O] },
    { name: 'x', size: B * H, shape: [B, H] },
    { name: 'y', size: B * O, shape: [B, O] },
    { name: 'H', size: B * H * O, shape: [B, H, O] },
    { name: 'E', size: B * H * O, shape: [B, H, O] },
    { name: 'theta', size: B * O, shape: [B, 1, O] },
  ];
}

const f = Math.fround;

/** Constants of one kernel: sizes, integer rule codes, hyper-parameters. */
interface Dims {
  S: number;
  K: number;
  B: number;
  H: number;
  O: number;
  th: number;
  c: number;
  lp: number;
  lq: number;
  /** 0 none, 1 simple (neuromod), 2 retro */
  mod: number;
  /** 0 hebbian, 1 oja, 2 bcm */
  term: number;
  plastic: boolean;
  subtract: boolean;
  modReward: boolean;
  /** surrogate: 0 fast-sigmoid, 1 arctan; slope */
  sgKind: number;
  sgK: number;
}

/** Inputs as arrays (scalars unpacked). */
interface Inputs {
  drive: Float32Array;
  reward: Float32Array;
  betaH: Float32Array;
  betaO: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  alpha: Float32Array;
  eta: number;
  tau: number;
  modW: Float32Array;
  modBias: number;
  modRew: number;
  fanout: Float32Array;
}

/** What the forward keeps for the backward; index t+1 holds the state after SNN step t. */
interface Tape {
  U: Float32Array;
  Sp: Float32Array;
  V: Float32Array;
  P: Float32Array;
  X: Float32Array;
  Y: Float32Array;
  Hb: Float32Array;
  E: Float32Array;
  Th: Float32Array;
  /** m = tanh(acc) per step and episode */
  Mg: Float32Array;
  /** 1 where Ĥ was inside ±c */
  mask: Uint8Array;
  /** scratch [O] */
  Mj: Float32Array;
}

function newTape(d: Dims): Tape {
  const { S, B, H, O, plastic, mod, term } = d;
  const HO = H * O;
  return {
    U: new Float32Array((S + 1) * B * H),
    Sp: new Float32Array((S + 1) * B * H),
    V: new Float32Array((S + 1) * B * O),
    P: new Float32Array(S * B * O),
    X: new Float32Array((S + 1) * B * H),
    Y: new Float32Array((S + 1) * B * O),
    Hb: new Float32Array(plastic ? (S + 1) * B * HO : 0),
    E: new Float32Array(plastic && mod === 2 ? (S + 1) * B * HO : 0),
    Th: new Float32Array(plastic && term === 2 ? (S + 1) * B * O : 0),
    Mg: new Float32Array(plastic && mod !== 0 ? S * B : 0),
    mask: new Uint8Array(plastic ? S * B * HO : 0),
    Mj: new Float32Array(O),
  };
}

/** Hidden leaky step and spikes of episode b at SNN step s. */
function hiddenForward(d: Dims, x: Inputs, t: Tape, s: number, b: number): void {
  const { B, H, th, subtract } = d;
  const { U, Sp } = t;
  const { drive, betaH } = x;
  const prev = (s * B + b) * H, now = ((s + 1) * B + b) * H, dr = (s * B + b) * H;
  for (let h = 0; h < H; h++) {
    const up = U[prev + h], sp = Sp[prev + h];
    const u = subtract ? f(f(f(betaH[h] * up) + drive[dr + h]) - f(sp * th)) : f(f(betaH[h] * f(up * f(1 - sp))) + drive[dr + h]);
    U[now + h] = u;
    Sp[now + h] = f(u - th) > 0 ? 1 : 0;
  }
}

/** Output current over spiking neurons, readout, tanh, traces; writes the action on action steps. */
function readoutForward(d: Dims, x: Inputs, t: Tape, s: number, b: number, out: Float32Array): void {
  const { K, B, H, O, lp, lq, plastic } = d;
  const { Sp, V, P, X, Y, Hb, Mj } = t;
  const { w, alpha, bias, betaO } = x;
  const sNow = ((s + 1) * B + b) * H, sPrev = (s * B + b) * H;
  const hPrev = (s * B + b) * H * O;
  Mj.fill(0);
  for (let h = 0; h < H; h++) {
    if (Sp[sNow + h] === 0) continue;
    const r = h * O;
    if (plastic) for (let j = 0; j < O; j++) Mj[j] += f(w[r + j] + f(alpha[r + j] * Hb[hPrev + r + j]));
    else for (let j = 0; j < O; j++) Mj[j] += w[r + j];
  }
  const vPrev = (s * B + b) * O, vNow = ((s + 1) * B + b) * O;
  const act = (s + 1) % K === 0 ? ((Math.floor(s / K) * B + b) * O) : -1;
  for (let j = 0; j < O; j++) {
    const v = f(f(betaO[j] * V[vPrev + j]) + f(bias[j] + Mj[j]));
    V[vNow + j] = v;
    const p = f(Math.tanh(v));
    P[vPrev + j] = p;
    Y[vNow + j] = f(f(Y[vPrev + j] * lq) + p);
    if (act >= 0) out[act + j] = p;
  }
  for (let h = 0; h < H; h++) X[sNow + h] = f(f(X[sPrev + h] * lp) + Sp[sNow + h]);
}

/** Neuromodulator, rule term, Hebb (and E, θ) update of episode b at step s. */
function plasticForward(d: Dims, x: Inputs, t: Tape, s: number, b: number): void {
  const { B, H, O, c, mod, term, modReward } = d;
  const { Sp, X, Y, Hb, E, Th, Mg, mask, Mj } = t;
  const { eta, tau, modW, modBias, modRew, fanout, reward } = x;
  const HO = H * O;
  const sNow = ((s + 1) * B + b) * H;
  if (mod !== 0) {
    let acc = 0;
    for (let h = 0; h < H; h++) if (Sp[sNow + h] !== 0) acc += modW[h];
    acc = f(acc);
    if (modReward) acc = f(acc + f(modRew * reward[Math.floor(s / d.K) * B + b]));
    const m = f(Math.tanh(f(acc + modBias)));
    Mg[s * B + b] = m;
    for (let j = 0; j < O; j++) Mj[j] = f(fanout[j] * m);
  }
  const hPrev = (s * B + b) * HO, hNow = ((s + 1) * B + b) * HO, mk = (s * B + b) * HO;
  const yNow = ((s + 1) * B + b) * O, thPrev = (s * B + b) * O;
  const etaC = f(1 - eta);
  for (let i = 0; i < H; i++) {
    const xi = X[sNow + i];
    const r = i * O;
    for (let j = 0; j < O; j++) {
      const k = r + j;
      const yj = Y[yNow + j];
      const hp = Hb[hPrev + k];
      const T = term === 0 ? f(xi * yj) : term === 1 ? f(yj * f(xi - f(yj * hp))) : f(f(xi * yj) * f(yj - Th[thPrev + j]));
      let next: number;
      if (mod === 0) next = f(hp + f(eta * T));
      else if (mod === 1) next = f(hp + f(Mj[j] * T));
      else {
        const e = f(f(etaC * E[hPrev + k]) + f(eta * T));
        E[hNow + k] = e;
        next = f(hp + f(Mj[j] * e));
      }
      const inside = next >= -c && next <= c;
      mask[mk + k] = inside ? 1 : 0;
      Hb[hNow + k] = inside ? next : next < -c ? -c : c;
    }
  }
  if (term === 2) {
    for (let j = 0; j < O; j++) {
      const y = Y[yNow + j], tp = Th[thPrev + j];
      Th[thPrev + B * O + j] = f(tp + f(tau * f(f(y * y) - tp)));
    }
  }
}

/** Parameter gradients (float64 accumulators) and the carried state adjoints. */
interface Grads {
  drive: Float32Array;
  betaH: Float64Array;
  betaO: Float64Array;
  w: Float64Array;
  bias: Float64Array;
  alpha: Float64Array;
  /** eta, tau, modBias, modReward */
  scalars: Float64Array;
  modW: Float64Array;
  fanout: Float64Array;
  /** adjoints of the state after the step being processed, [B, ·] */
  U: Float64Array;
  V: Float64Array;
  X: Float64Array;
  Y: Float64Array;
  H: Float64Array;
  E: Float64Array;
  Th: Float64Array;
  /** per-episode scratch: adjoints of S_t [H], P_t then I_t [O], M_t [O] */
  S: Float64Array;
  P: Float64Array;
  M: Float64Array;
}

/** Backward through the plasticity of step s, episode b: fills g.S (modulator) and g.X/g.Y/g.H/g.E/g.Th. */
function plasticBackward(d: Dims, x: Inputs, t: Tape, g: Grads, s: number, b: number): void {
  const { B, H, O, mod, term, modReward } = d;
  const { Sp, X, Y, Hb, E, Th, Mg, mask, Mj } = t;
  const { eta, tau, modW, fanout, reward } = x;
  const HO = H * O;
  const gY = g.Y, gX = g.X, gH = g.H, gE = g.E, gTh = g.Th, gM = g.M;
  const yb = b * O, xb = b * H, hb = b * HO;
  const sNow = ((s + 1) * B + b) * H, yNow = ((s + 1) * B + b) * O, thPrev = (s * B + b) * O;
  const hPrev = (s * B + b) * HO, hNow = ((s + 1) * B + b) * HO, mk = (s * B + b) * HO;
  if (term === 2) {
    for (let j = 0; j < O; j++) {
      const y = Y[yNow + j], tp = Th[thPrev + j], gt = gTh[yb + j];
      g.scalars[1] += gt * (y * y - tp);
      gY[yb + j] += 2 * tau * y * gt;
      gTh[yb + j] = (1 - tau) * gt;
    }
  }
  if (mod !== 0) {
    const m = Mg[s * B + b];
    for (let j = 0; j < O; j++) Mj[j] = f(fanout[j] * m);
    gM.fill(0);
  }
  let gEta = 0;
  for (let i = 0; i < H; i++) {
    const xi = X[sNow + i];
    const r = i * O;
    let gxi = 0;
    for (let j = 0; j < O; j++) {
      const k = r + j;
      const yj = Y[yNow + j];
      const hp = Hb[hPrev + k];
      const tj = term === 2 ? Th[thPrev + j] : 0;
      const T = term === 0 ? xi * yj : term === 1 ? yj * (xi - yj * hp) : xi * yj * (yj - tj);
      const gHp = mask[mk + k] !== 0 ? gH[hb + k] : 0;
      let gT: number;
      if (mod === 0) {
        gT = eta * gHp;
        gEta += gHp * T;
      } else if (mod === 1) {
        gT = Mj[j] * gHp;
        gM[j] += gHp * T;
      } else {
        const gEp = gE[hb + k] + Mj[j] * gHp;
        gM[j] += gHp * E[hNow + k];
        gE[hb + k] = (1 - eta) * gEp;
        gT = eta * gEp;
        gEta += gEp * (T - E[hPrev + k]);
      }
      let gHk = gHp;
      if (term === 0) {
        gxi += gT * yj;
        gY[yb + j] += gT * xi;
      } else if (term === 1) {
        gxi += gT * yj;
        gY[yb + j] += gT * (xi - 2 * yj * hp);
        gHk -= gT * yj * yj;
      } else {
        gxi += gT * yj * (yj - tj);
        gY[yb + j] += gT * xi * (2 * yj - tj);
        gTh[yb + j] -= gT * xi * yj;
      }
      gH[hb + k] = gHk;
    }
    gX[xb + i] += gxi;
  }
  g.scalars[0] += gEta;
  if (mod !== 0) {
    const m = Mg[s * B + b];
    let gm = 0;
    for (let j = 0; j < O; j++) {
      g.fanout[j] += gM[j] * m;
      gm += gM[j] * fanout[j];
    }
    const gAcc = gm * (1 - m * m);
    g.scalars[2] += gAcc;
    if (modReward) g.scalars[3] += gAcc * reward[Math.floor(s / d.K) * B + b];
    for (let h = 0; h < H; h++) {
      g.modW[h] += gAcc * Sp[sNow + h];
      g.S[h] += gAcc * modW[h];
    }
  }
}

/** Backward through traces, readout, output current, spikes and membranes of step s, episode b. */
function neuronBackward(d: Dims, x: Inputs, t: Tape, g: Grads, s: number, b: number): void {
  const { B, H, O, th, lp, lq, plastic, subtract, sgKind, sgK } = d;
  const { U, Sp, V, P, Hb } = t;
  const { w, alpha, betaO, betaH } = x;
  const gS = g.S, gP = g.P, gU = g.U, gV = g.V, gX = g.X, gY = g.Y, gH = g.H;
  const yb = b * O, xb = b * H, hb = b * H * O;
  const sPrev = (s * B + b) * H, sNow = ((s + 1) * B + b) * H;
  const vPrev = (s * B + b) * O, hPrev = (s * B + b) * H * O;
  for (let j = 0; j < O; j++) {
    gP[j] += gY[yb + j];
    gY[yb + j] *= lq;
  }
  for (let h = 0; h < H; h++) {
    gS[h] += gX[xb + h];
    gX[xb + h] *= lp;
  }
  // P = tanh(V), V = β_o V' + I: gP becomes the adjoint of I
  for (let j = 0; j < O; j++) {
    const p = P[vPrev + j];
    const gv = gV[yb + j] + gP[j] * (1 - p * p);
    gP[j] = gv;
    g.betaO[j] += gv * V[vPrev + j];
    g.bias[j] += gv;
    gV[yb + j] = betaO[j] * gv;
  }
  // I = b + S (W + α⊙H_{t−1})
  for (let h = 0; h < H; h++) {
    const spk = Sp[sNow + h] !== 0;
    const r = h * O;
    let gs = 0;
    if (plastic) {
      for (let j = 0; j < O; j++) {
        const k = r + j;
        const gi = gP[j];
        const hv = Hb[hPrev + k];
        gs += (w[k] + alpha[k] * hv) * gi;
        if (spk) {
          g.w[k] += gi;
          g.alpha[k] += gi * hv;
          gH[hb + k] += alpha[k] * gi;
        }
      }
    } else {
      for (let j = 0; j < O; j++) {
        gs += w[r + j] * gP[j];
        if (spk) g.w[r + j] += gP[j];
      }
    }
    gS[h] += gs;
  }
  // S = spike(U − θ) with the surrogate; U = β_h U' + D − sg(S')θ  (zero: β_h U'(1 − sg(S')) + D)
  const dr = (s * B + b) * H;
  for (let h = 0; h < H; h++) {
    const z = f(U[sNow + h] - th);
    let sgd: number;
    if (sgKind === 1) {
      const q = (Math.PI * sgK * z) / 2;
      sgd = sgK / 2 / (1 + q * q);
    } else {
      const q = 1 + sgK * Math.abs(z);
      sgd = 1 / (q * q);
    }
    const gu = gU[xb + h] + gS[h] * sgd;
    g.drive[dr + h] = gu;
    const up = U[sPrev + h];
    if (subtract) {
      g.betaH[h] += gu * up;
      gU[xb + h] = betaH[h] * gu;
    } else {
      const keep = 1 - Sp[sPrev + h];
      g.betaH[h] += gu * up * keep;
      gU[xb + h] = betaH[h] * keep * gu;
    }
  }
}

/** The fused op: call with tensors in FUSED_INPUTS order; returns the packed output [N]. */
export function makeFusedOutputOp(sh: FusedShape): (...inputs: tf.Tensor[]) => tf.Tensor {
  const rule = sh.rule;
  const d: Dims = {
    S: sh.steps,
    K: sh.K,
    B: sh.batch,
    H: sh.hidden,
    O: sh.output,
    th: sh.threshold,
    c: sh.clip,
    lp: sh.preDecay,
    lq: sh.postDecay,
    mod: rule?.modulation === 'simple' ? 1 : rule?.modulation === 'retro' ? 2 : 0,
    term: rule?.term === 'oja' ? 1 : rule?.term === 'bcm' ? 2 : 0,
    plastic: rule !== null,
    subtract: sh.reset === 'subtract',
    modReward: sh.modReward,
    sgKind: sh.surrogate.kind === 'arctan' ? 1 : 0,
    sgK: sh.surrogate.slope,
  };
  if (sh.surrogate.kind === 'sigmoid') throw new Error('fused op: the smooth sigmoid spike is not supported (use the op-by-op graph)');
  const { S, B, H, O } = d;
  const HO = H * O;
  const retro = d.plastic && d.mod === 2;
  const bcm = d.plastic && d.term === 2;
  const layout = fusedOutputLayout(sh);
  const total = layout.reduce((n, l) => n + l.size, 0);

  // One spare tape: a forward takes it (or allocates when it is out, e.g. two calls in one
  // gradient scope), its backward hands it back. Reuse saves zeroing ~B·H·O·S floats per call.
  let spare: Tape | null = null;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const ts = args.slice(0, FUSED_INPUTS.length) as tf.Tensor[];
    const a = ts.map((v) => v.dataSync() as Float32Array);
    const x: Inputs = {
      drive: a[0], reward: a[1], betaH: a[2], betaO: a[3], w: a[4], bias: a[5], alpha: a[6],
      eta: a[7][0], tau: a[8][0], modW: a[9], modBias: a[10][0], modRew: a[11][0], fanout: a[12],
    };
    const tp = spare ?? newTape(d);
    spare = null;
    tp.U.set(a[13]);
    tp.Sp.set(a[14]);
    tp.V.set(a[15]);
    tp.X.set(a[16]);
    tp.Y.set(a[17]);
    if (d.plastic) tp.Hb.set(a[18]);
    if (retro) tp.E.set(a[19]);
    if (bcm) tp.Th.set(a[20]);
    const out = new Float32Array(total);
    for (let s = 0; s < S; s++) {
      for (let b = 0; b < B; b++) {
        hiddenForward(d, x, tp, s, b);
        readoutForward(d, x, tp, s, b, out);
        if (d.plastic) plasticForward(d, x, tp, s, b);
      }
    }
    // final state, in fusedOutputLayout order
    let off = layout[0].size;
    const put = (src: Float32Array, size: number) => {
      out.set(src.subarray(src.length - size), off);
      off += size;
    };
    put(tp.U, B * H);
    put(tp.Sp, B * H);
    put(tp.V, B * O);
    put(tp.X, B * H);
    put(tp.Y, B * O);
    put(d.plastic ? tp.Hb : a[18], B * HO);
    put(retro ? tp.E : a[19], B * HO);
    put(bcm ? tp.Th : a[20], B * O);

    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const gy = dy.dataSync() as Float32Array;
      let o = layout[0].size;
      const take = (n: number) => Float64Array.from(gy.subarray(o, (o += n)));
      const g: Grads = {
        drive: new Float32Array(S * B * H),
        betaH: new Float64Array(H),
        betaO: new Float64Array(O),
        w: new Float64Array(HO),
        bias: new Float64Array(O),
        alpha: new Float64Array(HO),
        scalars: new Float64Array(4),
        modW: new Float64Array(H),
        fanout: new Float64Array(O),
        U: take(B * H),
        V: new Float64Array(0),
        X: new Float64Array(0),
        Y: new Float64Array(0),
        H: new Float64Array(0),
        E: new Float64Array(0),
        Th: new Float64Array(0),
        S: new Float64Array(H),
        P: new Float64Array(O),
        M: new Float64Array(O),
      };
      const gSfinal = take(B * H);
      g.V = take(B * O);
      g.X = take(B * H);
      g.Y = take(B * O);
      g.H = take(B * HO);
      g.E = take(B * HO);
      g.Th = take(B * O);
      for (let s = S - 1; s >= 0; s--) {
        const act = (s + 1) % d.K === 0 ? Math.floor(s / d.K) * B * O : -1;
        for (let b = 0; b < B; b++) {
          if (s === S - 1) g.S.set(gSfinal.subarray(b * H, (b + 1) * H));
          else g.S.fill(0);
          if (act >= 0) for (let j = 0; j < O; j++) g.P[j] = gy[act + b * O + j];
          else g.P.fill(0);
          if (d.plastic) plasticBackward(d, x, tp, g, s, b);
          neuronBackward(d, x, tp, g, s, b);
        }
      }
      spare = tp;
      const T32 = (v: ArrayLike<number>, like: tf.Tensor) => tf.tensor(Float32Array.from(v), like.shape, 'float32');
      const zeros = (n: number) => new Float32Array(n);
      return [
        T32(g.drive, ts[0]),
        tf.zerosLike(ts[1]),
        T32(g.betaH, ts[2]),
        T32(g.betaO, ts[3]),
        T32(g.w, ts[4]),
        T32(g.bias, ts[5]),
        T32(g.alpha, ts[6]),
        T32([g.scalars[0]], ts[7]),
        T32([g.scalars[1]], ts[8]),
        T32(g.modW, ts[9]),
        T32([g.scalars[2]], ts[10]),
        T32([g.scalars[3]], ts[11]),
        T32(g.fanout, ts[12]),
        T32(g.U, ts[13]),
        tf.zerosLike(ts[14]),
        T32(g.V, ts[15]),
        T32(g.X, ts[16]),
        T32(g.Y, ts[17]),
        T32(d.plastic ? g.H : zeros(B * HO), ts[18]),
        T32(retro ? g.E : zeros(B * HO), ts[19]),
        T32(bcm ? g.Th : zeros(B * O), ts[20]),
      ];
    };
    return { value: tf.tensor1d(out), gradFunc };
  });
  return (...inputs: tf.Tensor[]) => {
    if (inputs.length !== FUSED_INPUTS.length) throw new Error(`fused op: expected ${FUSED_INPUTS.length} inputs, got ${inputs.length}`);
    return op(...inputs) as tf.Tensor;
  };
}
