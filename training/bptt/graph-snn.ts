/**
 * The `plastic-snn` / `static-snn` controller of `controllers/snn.ts` as a TensorFlow.js graph
 * over a batch of episodes, for BPTT. It follows the order of operations written at the top of
 * `controllers/snn.ts` step for step (A–E, D.1–D.7), with the same genome layout
 * (`snnGenomeLayout`) and the same parameter mappings (`constrain`: sigmoid for η, τ_θ, β):
 *
 *   per SNN step t (K per control step; `u` precomputed by the controllers' own encoders):
 *     I_h  = b_h + u[t]·W_in_eff  (+ s_h[t−1]·W_rec_eff)           W_eff = W + α⊙Hebb
 *     hidden leaky / synaptic step (graph-neurons.ts)          → s_h[t]
 *     I_o  = b_o + s_h[t]·W_out_eff
 *     output: spiking leaky → s_o[t]  (rate/population), or readout V ← β_o V + I_o, tanh(V)
 *     rate filter r ← λ_r r + (1−λ_r) s_o[t]
 *     plasticity for input, recurrent, output (in that order):
 *       x ← λ_pre x + pre[t];  y ← λ_post y + post[t]
 *       m = tanh(Σ_k s_h[t]_k w_k + w_r·reward + b),  M_j = f_j·m
 *       T: hebbian x_i y_j | oja y_j (x_i − y_j Hebb_ij) | bcm (x_i y_j)(y_j − θ_j)
 *       none: Hebb ← clip(Hebb + η T) | simple: clip(Hebb + M T) |
 *       retro: E ← (1−η)E + ηT, Hebb ← clip(Hebb + M E)
 *       bcm: θ ← θ + τ_θ (y² − θ)
 *   after K steps: action = tanh(V) | tanh(d + r·D) | tanh(gain·(mean r_ag − mean r_an))
 *
 * Every per-synapse state (Hebb, E) has a batch dimension: [batch, nPre, nPost]. Sums use
 * `matMul`, whose summation order differs from the typed arrays' ascending running sum, so
 * membranes agree to float32 rounding (≈1e-6), not bit for bit; the parity test checks spikes
 * equal and membranes within 1e-4 over 200 steps.
 *
 * Each genome slice is one `tf.Variable` holding the raw (unconstrained) values, so the
 * gradient is taken in the same coordinates ES uses, and `readGenome` / `writeGenome` copy
 * to and from the flat `Float32Array`.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import type { ConnectionName, ControllerConfig } from '../../controllers/config.js';
import { encodeDirect, encodePopulation, encodeRate } from '../../controllers/encoders.js';
import type { GenomeLayout } from '../../controllers/genome.js';
import { snnGenomeLayout, snnShape, type SnnShape } from '../../controllers/snn.js';
import { UserError } from '../../core/errors.js';
import { leakyGraphStep, readoutGraphStep, synapticGraphStep, type LeakyGraphParams, type SynapticGraphParams } from './graph-neurons.js';
import { makeSpikeFn, type SpikeFn, type SurrogateSpec } from './surrogate.js';
import { fusedOutputLayout, makeFusedOutputOp } from './fused-output.js';

export interface PlasticGraphState {
  hebb: tf.Tensor;
  elig: tf.Tensor | null;
  theta: tf.Tensor | null;
  pre: tf.Tensor;
  post: tf.Tensor;
}

/** Everything carried from one SNN step to the next (and across truncation chunks). */
export interface GraphState {
  hidMem: tf.Tensor;
  hidSpk: tf.Tensor;
  hidSyn: tf.Tensor | null;
  outMem: tf.Tensor;
  outSpk: tf.Tensor | null;
  rate: tf.Tensor | null;
  plastic: Partial<Record<ConnectionName, PlasticGraphState>>;
}

export interface RunOptions {
  /** keep per-SNN-step hidden/output membranes and spikes (parity tests, plots) */
  record?: boolean;
}

export interface RunResult {
  /** [acts, batch, act] */
  actions: tf.Tensor;
  state: GraphState;
  /** when `record`: [steps, batch, n] each */
  record?: { hidMem: tf.Tensor; hidSpk: tf.Tensor; outMem: tf.Tensor; outSpk: tf.Tensor | null; hebbOut: tf.Tensor | null };
}

export function stateTensors(s: GraphState): tf.Tensor[] {
  const out: tf.Tensor[] = [s.hidMem, s.hidSpk, s.outMem];
  if (s.hidSyn) out.push(s.hidSyn);
  if (s.outSpk) out.push(s.outSpk);
  if (s.rate) out.push(s.rate);
  for (const p of Object.values(s.plastic)) {
    if (!p) continue;
    out.push(p.hebb, p.pre, p.post);
    if (p.elig) out.push(p.elig);
    if (p.theta) out.push(p.theta);
  }
  return out;
}

export function keepState(s: GraphState): GraphState {
  for (const t of stateTensors(s)) tf.keep(t);
  return s;
}

export function disposeState(s: GraphState): void {
  tf.dispose(stateTensors(s));
}

function connectionSize(s: SnnShape, c: ConnectionName): [number, number] {
  if (c === 'input') return [s.input, s.hidden];
  if (c === 'recurrent') return [s.hidden, s.hidden];
  return [s.hidden, s.output];
}

let variableCounter = 0;

export class GraphSnn {
  readonly config: ControllerConfig;
  readonly shape: SnnShape;
  readonly layout: GenomeLayout;
  /** one variable per genome slice, raw values, in layout order */
  readonly vars: ReadonlyMap<string, tf.Variable>;
  readonly spike: SpikeFn;
  /** stopGradient on the reset spike (true for training; false only for finite-difference checks) */
  detachReset = true;
  /**
   * Run eligible networks through the fused kernel of fused-output.ts (same equations, one
   * custom op per sequence); false forces the op-by-op graph. See `fusedEligible`.
   */
  fused = true;
  readonly surrogate: SurrogateSpec;
  /** fused ops by sequence length × batch (each keeps a reusable tape) */
  private readonly fusedOps = new Map<string, ReturnType<typeof makeFusedOutputOp>>();
  private readonly consts: tf.Tensor[] = [];

  constructor(config: ControllerConfig, obsSize: number, actSize: number, genome: Float32Array, surrogate: SurrogateSpec, trainable = true) {
    if (config.kind !== 'plastic-snn' && config.kind !== 'static-snn') throw new Error(`GraphSnn: config.kind is "${config.kind}", expected plastic-snn or static-snn`);
    if (config.decoder.kind === 'population' && config.decoder.neuronsPerAction % 2 !== 0) throw new Error('GraphSnn: population decoder needs an even neuronsPerAction');
    const pl = config.plasticity;
    const unported = [(pl.rule.startsWith('abcd') || pl.rule.startsWith('cov')) && `rule "${pl.rule}"`, pl.decay > 0 && `plasticity.decay ${pl.decay}`, pl.randomWeights && 'plasticity.randomWeights', pl.normalize === 'post' && 'plasticity.normalize "post"'].filter(Boolean);
    if (config.kind === 'plastic-snn' && unported.length) {
      throw new UserError(`the BPTT port of the SNN (training/bptt) does not implement ${unported.join(', ')}; train this network with ES (spikeloco train), or use a rule without them for learn-rule`);
    }
    this.config = config;
    this.shape = snnShape(config, obsSize, actSize);
    this.layout = snnGenomeLayout(config, obsSize, actSize);
    this.layout.checkLength(genome, 'GraphSnn genome');
    const vars = new Map<string, tf.Variable>();
    for (const s of this.layout.slices) {
      const init = tf.tensor(genome.slice(s.offset, s.offset + s.size), [...s.shape], 'float32');
      vars.set(s.name, tf.variable(init, trainable, `graphsnn${++variableCounter}/${s.name}`));
      init.dispose(); // the variable holds its own reference to the data
    }
    this.vars = vars;
    this.spike = makeSpikeFn(surrogate);
    this.surrogate = surrogate;
  }

  /** Variables to train (all slices, or those passing `filter`). */
  trainable(filter?: (sliceName: string) => boolean): tf.Variable[] {
    return [...this.vars.entries()].filter(([n]) => !filter || filter(n)).map(([, v]) => v);
  }

  readGenome(): Float32Array {
    const g = new Float32Array(this.layout.size);
    for (const s of this.layout.slices) g.set(this.vars.get(s.name)!.dataSync() as Float32Array, s.offset);
    return g;
  }

  writeGenome(genome: Float32Array): void {
    this.layout.checkLength(genome, 'GraphSnn genome');
    for (const s of this.layout.slices) {
      const v = this.vars.get(s.name)!;
      tf.tidy(() => v.assign(tf.tensor(genome.slice(s.offset, s.offset + s.size), [...s.shape], 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    tf.dispose(this.consts);
  }

  private v(name: string): tf.Variable {
    const x = this.vars.get(name);
    if (!x) throw new Error(`GraphSnn: no genome slice "${name}"`);
    return x;
  }

  private opt(name: string): tf.Variable | null {
    return this.vars.get(name) ?? null;
  }

  /**
   * Encode observations exactly as the controller does (steps A, B, D.1), in JS with the
   * controllers' own encoders: obs [acts, batch, obs] → u [acts·K, batch, input]. The rate
   * encoder draws from `Rng(episodeSeeds[b])` per episode, as `reset(seed)` does.
   */
  encode(obs: Float32Array, acts: number, batch: number, episodeSeeds?: readonly number[]): Float32Array {
    const c = this.config;
    const K = c.steps;
    const nObs = this.shape.obs;
    const nIn = this.shape.input;
    if (obs.length !== acts * batch * nObs) throw new Error(`GraphSnn.encode: expected ${acts}×${batch}×${nObs} observations, got ${obs.length}`);
    const out = new Float32Array(acts * K * batch * nIn);
    const u = new Float32Array(nIn);
    const ep = { clip: c.inputClip, neurons: c.encoder.neurons, width: c.encoder.width };
    const rngs = c.encoder.kind === 'rate' ? Array.from({ length: batch }, (_, b) => new Rng(episodeSeeds?.[b] ?? 0)) : [];
    for (let t = 0; t < acts; t++) {
      for (let b = 0; b < batch; b++) {
        const o = obs.subarray((t * batch + b) * nObs, (t * batch + b + 1) * nObs);
        if (c.encoder.kind === 'direct') encodeDirect(o, ep, u);
        else if (c.encoder.kind === 'population') encodePopulation(o, ep, u);
        for (let k = 0; k < K; k++) {
          if (c.encoder.kind === 'rate') encodeRate(o, ep, rngs[b], u);
          out.set(u, ((t * K + k) * batch + b) * nIn);
        }
      }
    }
    return out;
  }

  /** Zero state for `batch` episodes (reset). */
  initialState(batch: number): GraphState {
    const s = this.shape;
    const c = this.config;
    const spikingOut = c.decoder.kind !== 'membrane';
    const plastic: GraphState['plastic'] = {};
    if (s.rule) {
      for (const name of s.plastic) {
        const [nPre, nPost] = connectionSize(s, name);
        plastic[name] = {
          hebb: tf.zeros([batch, nPre, nPost]),
          elig: s.rule.modulation === 'retro' ? tf.zeros([batch, nPre, nPost]) : null,
          theta: s.rule.term === 'bcm' ? tf.zeros([batch, 1, nPost]) : null,
          pre: tf.zeros([batch, nPre]),
          post: tf.zeros([batch, nPost]),
        };
      }
    }
    return {
      hidMem: tf.zeros([batch, s.hidden]),
      hidSpk: tf.zeros([batch, s.hidden]),
      hidSyn: c.network.neuron === 'synaptic' ? tf.zeros([batch, s.hidden]) : null,
      outMem: tf.zeros([batch, s.output]),
      outSpk: spikingOut ? tf.zeros([batch, s.output]) : null,
      rate: spikingOut ? tf.zeros([batch, s.output]) : null,
      plastic,
    };
  }

  /**
   * Run `acts` control steps. `u`: encoded input [acts·K, batch, input] (from `encode`);
   * `reward`: [acts, batch] (the reward passed to each `act`). Call inside a tidy / gradient
   * scope; the returned tensors belong to the caller.
   */
  run(u: tf.Tensor, reward: tf.Tensor, state: GraphState, opts: RunOptions = {}): RunResult {
    const c = this.config;
    const s = this.shape;
    const K = c.steps;
    const [S, B] = u.shape;
    const acts = S / K;
    if (!Number.isInteger(acts) || reward.shape[0] !== acts || reward.shape[1] !== B) throw new Error(`GraphSnn.run: u has ${S} steps, reward ${reward.shape}; K = ${K}`);
    if (this.fused && !opts.record && this.fusedEligible() === null) return this.runFused(u, reward, state);
    const sigmoidOr = (name: string, value: number, n: number): tf.Tensor => {
      const raw = this.opt(name);
      return raw ? tf.sigmoid(raw) : tf.fill([n], value);
    };
    const hidP: SynapticGraphParams = {
      beta: sigmoidOr('hidden.beta', c.network.beta, s.hidden),
      alpha: tf.fill([s.hidden], c.network.alpha),
      threshold: tf.fill([s.hidden], c.network.threshold),
      reset: c.network.reset,
    };
    const outBeta = sigmoidOr('output.beta', c.network.outputBeta, s.output);
    const outP: LeakyGraphParams = { beta: outBeta, threshold: tf.fill([s.output], c.network.outputThreshold), reset: c.network.reset };
    const wIn = this.v('input.w');
    const bHid = this.v('hidden.bias');
    const wRec = this.opt('recurrent.w');
    const wOut = this.v('output.w');
    const bOut = this.v('output.bias');
    const rule = s.rule;
    const conn = (name: ConnectionName) => {
      if (!rule || !s.plastic.includes(name)) return null;
      const eta = this.opt(`${name}.eta`);
      const tau = this.opt(`${name}.tauTheta`);
      const modW = this.opt(`${name}.mod.w`);
      return {
        name,
        alpha: this.v(`${name}.alpha`),
        eta: eta ? tf.sigmoid(eta) : null,
        tau: tau ? tf.sigmoid(tau) : null,
        mod: modW ? { w: tf.reshape(modW, [s.hidden, 1]), bias: this.v(`${name}.mod.bias`), reward: this.opt(`${name}.mod.reward`), fanout: this.v(`${name}.mod.fanout`) } : null,
      };
    };
    const pIn = conn('input');
    const pRec = conn('recurrent');
    const pOut = conn('output');
    const plasticCurrent = (pre: tf.Tensor, w: tf.Tensor, alpha: tf.Tensor, hebb: tf.Tensor): tf.Tensor => {
      const wEff = tf.add(w, tf.mul(alpha, hebb)); // [B, nPre, nPost]
      return tf.squeeze(tf.matMul(tf.expandDims(pre, 1), wEff), [1]);
    };
    // input currents of all steps at once when the input connection is static (one matMul)
    const nIn = s.input;
    const uSteps = tf.unstack(u);
    const driveAll = pIn ? null : tf.unstack(tf.reshape(tf.add(tf.matMul(tf.reshape(u, [S * B, nIn]), wIn), bHid), [S, B, s.hidden]));
    const rewards = tf.unstack(tf.reshape(reward, [acts, B, 1]));
    const spike = this.spike;

    let hid = { mem: state.hidMem, spk: state.hidSpk, syn: state.hidSyn ?? state.hidMem };
    let outMem = state.outMem;
    let outSpk = state.outSpk;
    let rate = state.rate;
    const pl: GraphState['plastic'] = { ...state.plastic };
    const actions: tf.Tensor[] = [];
    const rec = opts.record ? { hidMem: [] as tf.Tensor[], hidSpk: [] as tf.Tensor[], outMem: [] as tf.Tensor[], outSpk: [] as tf.Tensor[], hebbOut: [] as tf.Tensor[] } : null;
    const lamR = c.decoder.rateDecay;
    const decW = this.opt('decoder.w');
    const decB = this.opt('decoder.bias');

    const plasticUpdate = (p: NonNullable<ReturnType<typeof conn>>, pre: tf.Tensor, post: tf.Tensor, sh: tf.Tensor, rw: tf.Tensor): void => {
      const st = pl[p.name]!;
      const lp = c.plasticity;
      const x = tf.add(tf.mul(st.pre, lp.preDecay), pre);
      const y = tf.add(tf.mul(st.post, lp.postDecay), post);
      let M: tf.Tensor | null = null;
      if (p.mod) {
        let acc = tf.matMul(sh, p.mod.w); // [B, 1]
        if (p.mod.reward) acc = tf.add(acc, tf.mul(p.mod.reward, rw));
        acc = tf.add(acc, p.mod.bias);
        M = tf.expandDims(tf.mul(p.mod.fanout, tf.tanh(acc)), 1); // [B, 1, nPost]
      }
      const xi = tf.expandDims(x, 2); // [B, nPre, 1]
      const yj = tf.expandDims(y, 1); // [B, 1, nPost]
      const h = st.hebb;
      let term: tf.Tensor;
      if (rule!.term === 'hebbian') term = tf.mul(xi, yj);
      else if (rule!.term === 'oja') term = tf.mul(yj, tf.sub(xi, tf.mul(yj, h)));
      else term = tf.mul(tf.mul(xi, yj), tf.sub(yj, st.theta!));
      let next: tf.Tensor;
      let elig = st.elig;
      if (rule!.modulation === 'none') next = tf.add(h, tf.mul(p.eta!, term));
      else if (rule!.modulation === 'simple') next = tf.add(h, tf.mul(M!, term));
      else {
        elig = tf.add(tf.mul(tf.sub(1, p.eta!), st.elig!), tf.mul(p.eta!, term));
        next = tf.add(h, tf.mul(M!, elig));
      }
      const hebb = tf.clipByValue(next, -lp.clip, lp.clip);
      let theta = st.theta;
      if (rule!.term === 'bcm') theta = tf.add(st.theta!, tf.mul(p.tau!, tf.sub(tf.mul(yj, yj), st.theta!)));
      pl[p.name] = { hebb, elig, theta, pre: x, post: y };
    };

    for (let a = 0; a < acts; a++) {
      const rw = rewards[a];
      for (let k = 0; k < K; k++) {
        const t = a * K + k;
        const ut = uSteps[t];
        // D.2 hidden current
        let iHid = driveAll ? driveAll[t] : tf.add(bHid, plasticCurrent(ut, wIn, pIn!.alpha, pl.input!.hebb));
        const prevSpk = hid.spk;
        if (wRec) iHid = tf.add(iHid, pRec ? plasticCurrent(prevSpk, wRec, pRec.alpha, pl.recurrent!.hebb) : tf.matMul(prevSpk, wRec));
        // D.3 hidden neurons
        if (c.network.neuron === 'synaptic') {
          const n = synapticGraphStep(iHid, { mem: hid.mem, spk: hid.spk, syn: hid.syn }, hidP, spike, this.detachReset);
          hid = { mem: n.mem, spk: n.spk, syn: n.syn };
        } else {
          const n = leakyGraphStep(iHid, hid, hidP, spike, this.detachReset);
          hid = { mem: n.mem, spk: n.spk, syn: hid.syn };
        }
        const sh = hid.spk;
        // D.4 output current
        const iOut = tf.add(bOut, pOut ? plasticCurrent(sh, wOut, pOut.alpha, pl.output!.hebb) : tf.matMul(sh, wOut));
        // D.5–6 output layer, rate filter
        let post: tf.Tensor;
        if (outSpk) {
          const n = leakyGraphStep(iOut, { mem: outMem, spk: outSpk }, outP, spike, this.detachReset);
          outMem = n.mem;
          outSpk = n.spk;
          rate = tf.add(tf.mul(rate!, lamR), tf.mul(outSpk, 1 - lamR));
          post = outSpk;
        } else {
          outMem = readoutGraphStep(iOut, outMem, outBeta);
          post = tf.tanh(outMem);
        }
        // D.7 plasticity: input, recurrent, output
        if (pIn) plasticUpdate(pIn, ut, sh, sh, rw);
        if (pRec) plasticUpdate(pRec, prevSpk, sh, sh, rw);
        if (pOut) plasticUpdate(pOut, sh, post, sh, rw);
        if (rec) {
          rec.hidMem.push(hid.mem);
          rec.hidSpk.push(sh);
          rec.outMem.push(outMem);
          if (outSpk) rec.outSpk.push(outSpk);
          if (pl.output) rec.hebbOut.push(pl.output.hebb);
        }
      }
      // E. action
      if (c.decoder.kind === 'membrane') actions.push(tf.tanh(outMem));
      else if (c.decoder.kind === 'rate') actions.push(tf.tanh(tf.add(decB!, tf.matMul(rate!, decW!))));
      else actions.push(tf.tanh(tf.matMul(rate!, this.populationMatrix())));
    }
    const result: RunResult = {
      actions: tf.stack(actions),
      state: { hidMem: hid.mem, hidSpk: hid.spk, hidSyn: state.hidSyn ? hid.syn : null, outMem, outSpk, rate, plastic: pl },
    };
    if (rec) {
      result.record = {
        hidMem: tf.stack(rec.hidMem),
        hidSpk: tf.stack(rec.hidSpk),
        outMem: tf.stack(rec.outMem),
        outSpk: rec.outSpk.length ? tf.stack(rec.outSpk) : null,
        hebbOut: rec.hebbOut.length ? tf.stack(rec.hebbOut) : null,
      };
    }
    return result;
  }

  /**
   * Why this network cannot take the fused kernel, or null if it can: leaky hidden neurons, no
   * recurrence, plasticity (if any) on the output connection only, membrane decoder, a
   * Heaviside spike (not the smooth check surrogate), detached reset.
   */
  fusedEligible(): string | null {
    const c = this.config;
    if (c.network.neuron !== 'leaky') return 'synaptic hidden neurons';
    if (this.vars.has('recurrent.w')) return 'recurrent connection';
    if (this.shape.plastic.some((n) => n !== 'output')) return 'plastic input or recurrent connection';
    if (c.decoder.kind !== 'membrane') return `${c.decoder.kind} decoder`;
    if (this.surrogate.kind === 'sigmoid') return 'smooth sigmoid spike';
    if (!this.detachReset) return 'reset kept in the graph';
    return null;
  }

  private runFused(u: tf.Tensor, reward: tf.Tensor, state: GraphState): RunResult {
    const c = this.config;
    const s = this.shape;
    const [S, B, nIn] = u.shape;
    const H = s.hidden;
    const O = s.output;
    const p = state.plastic.output;
    const rule = s.rule;
    const key = `${S}x${B}`;
    const op = this.fusedOps.get(key) ?? makeFusedOutputOp({
      steps: S,
      K: c.steps,
      batch: B,
      hidden: H,
      output: O,
      reset: c.network.reset,
      threshold: c.network.threshold,
      rule,
      clip: c.plasticity.clip,
      preDecay: c.plasticity.preDecay,
      postDecay: c.plasticity.postDecay,
      modReward: this.vars.has('output.mod.reward'),
      surrogate: this.surrogate,
    });
    this.fusedOps.set(key, op);
    const raw = (name: string, shape: number[]): tf.Tensor => this.opt(name) ?? tf.zeros(shape);
    const squashed = (name: string, value: number, n: number): tf.Tensor => {
      const v = this.opt(name);
      return v ? tf.sigmoid(v) : tf.fill([n], value);
    };
    const drive = tf.reshape(tf.add(tf.matMul(tf.reshape(u, [S * B, nIn]), this.v('input.w')), this.v('hidden.bias')), [S, B, H]);
    const packed = op(
      drive,
      reward,
      squashed('hidden.beta', c.network.beta, H),
      squashed('output.beta', c.network.outputBeta, O),
      this.v('output.w'),
      this.v('output.bias'),
      raw('output.alpha', [H, O]),
      this.opt('output.eta') ? tf.sigmoid(this.v('output.eta')) : tf.zeros([1]),
      this.opt('output.tauTheta') ? tf.sigmoid(this.v('output.tauTheta')) : tf.zeros([1]),
      raw('output.mod.w', [H]),
      raw('output.mod.bias', [1]),
      raw('output.mod.reward', [1]),
      raw('output.mod.fanout', [O]),
      state.hidMem,
      state.hidSpk,
      state.outMem,
      p?.pre ?? tf.zeros([B, H]),
      p?.post ?? tf.zeros([B, O]),
      p?.hebb ?? tf.zeros([B, H, O]),
      p?.elig ?? tf.zeros([B, H, O]),
      p?.theta ?? tf.zeros([B, 1, O]),
    );
    const parts: Record<string, tf.Tensor> = {};
    let off = 0;
    for (const l of fusedOutputLayout({ steps: S, K: c.steps, batch: B, hidden: H, output: O })) {
      parts[l.name] = tf.reshape(tf.slice(packed, off, l.size), l.shape);
      off += l.size;
    }
    const plastic: GraphState['plastic'] = {};
    if (rule && p) plastic.output = { hebb: parts.H, elig: p.elig ? parts.E : null, theta: p.theta ? parts.theta : null, pre: parts.x, post: parts.y };
    return {
      actions: parts.actions,
      state: { hidMem: parts.U, hidSpk: parts.S, hidSyn: null, outMem: parts.V, outSpk: null, rate: null, plastic },
    };
  }

  /** [output, act]: +gain/half for agonists, −gain/half for antagonists (population decoder). */
  private populationMatrix(): tf.Tensor {
    const s = this.shape;
    const G = this.config.decoder.neuronsPerAction;
    const half = G >> 1;
    const m = new Float32Array(s.output * s.act);
    for (let j = 0; j < s.act; j++) {
      for (let k = 0; k < half; k++) {
        m[(j * G + k) * s.act + j] = this.config.decoder.gain / half;
        m[(j * G + half + k) * s.act + j] = -this.config.decoder.gain / half;
      }
    }
    return tf.tensor2d(m, [s.output, s.act]);
  }
}
