/**
 * The spiking controller: `plastic-snn` and `static-snn` (the same network, plasticity off).
 *
 *   obs ─clamp─▶ encoder ─u─▶ [input W_in] ─▶ hidden LIF (H) ─s_h─▶ [output W_out] ─▶ output layer ─▶ decoder ─▶ action
 *                                              ▲      │
 *                                              └──────┘ [recurrent W_rec] (optional, s_h of the previous step)
 *
 * Every connection may be plastic (config `plasticity.connections`); its weights are then
 * W + α⊙Hebb. All matrices are pre-major [nPre, nPost] (see linear.ts).
 *
 * ══ THE ORDER OF OPERATIONS (the one place it is written down; the tfjs port must follow it) ══
 *
 * act(obs, reward):                      (reward = 0 when not given; constant over the K steps)
 *   A. c = clamp(obs, ±inputClip), NaN → 0.
 *   B. direct/population encoder: u = encode(c) once (constant over the K steps).
 *   C. if u is constant and `input` is not plastic: base = b_h + u·W_in once
 *      (float32 running sum from b_h, i ascending; linear.ts).
 *   D. for t = 1 … K (one SNN step):
 *      1. rate encoder: u = Bernoulli(p(c)), one rng.uniform() per input, i ascending.
 *      2. I_h = base, or b_h + u·W_in_eff (plastic input or rate encoder);
 *         if recurrent: I_h += s_h[t−1]·W_rec_eff        (s_h[t−1]: hidden spikes of the previous
 *                                                         SNN step, also across act calls)
 *      3. hidden step: leaky (U ← βU + I_h − S·θ; S ← U > θ) or synaptic
 *         (I_syn ← αI_syn + I_h, then leaky on I_syn); neurons.ts.  → s_h[t]
 *      4. I_o = b_o + s_h[t]·W_out_eff
 *      5. output step: spiking leaky (rate/population decoders) → s_o[t],
 *         or non-spiking readout V ← β_o V + I_o (membrane decoder), post activity tanh(V).
 *      6. rate/population decoders: r ← λ_r·r + (1−λ_r)·s_o[t].
 *      7. plasticity, for each plastic connection in the fixed order input, recurrent, output
 *         (plasticity.ts), using only values from steps 1–6 of this step:
 *         a. traces: x ← λ_pre·x + pre[t];  y ← λ_post·y + post[t]
 *            pre[t] is exactly the vector this connection multiplied at step t:
 *              input: u[t];  recurrent: s_h[t−1];  output: s_h[t]
 *            post[t] is the postsynaptic layer's output at step t:
 *              input, recurrent: s_h[t];  output: s_o[t], or tanh(V[t]) for the membrane readout
 *         b. neuromodulated rules: m = tanh(b_m + Σ_k s_h[t]_k·w_m,k + w_r·reward), M_j = f_j·m
 *         c. Hebb (and E) update, clip to ±c   d. BCM: θ_j ← θ_j + τ_θ(y_j² − θ_j)
 *         e. synaptic scaling (plasticity.normalize 'post'): s_j = ‖W_{:,j}‖ / ‖W_eff_{:,j}‖;
 *            the connection then transmits s_j·(pre·W_eff)_j (linear.ts; s ≡ 1 at reset)
 *         The new Hebb takes effect at step t+1.
 *   E. action: rate       a = tanh(d + r·D)
 *              population a_j = tanh(gain·(mean r[agonists_j] − mean r[antagonists_j]))
 *              membrane   a = tanh(V)
 *
 * reset(seed): membranes, spikes, synaptic currents, rates, Hebb, E, θ, traces → 0; the rate
 * encoder's generator is reseeded with `seed`.
 *
 * Float32: each elementwise operation is rounded to float32 in the written order (Math.fround),
 * sums are float32 running sums in ascending presynaptic order. `tanh`/`exp` come from JS Math
 * (may differ from a tensor library's by an ulp: the population encoder, M, tanh(V) post
 * activity and the action are the places where this can enter).
 *
 * Hot path: `act` allocates nothing; every buffer is made in the constructor.
 */
import { Rng, deriveSeed } from '../core/rng.js';
import type { Controller, ControllerIntrospection, LayerView, MatrixView } from './controller.js';
import type { ConnectionName, ControllerConfig } from './config.js';
import { CONNECTION_NAMES } from './config.js';
import { encodeDirect, encodePopulation, encodeRate, encoderPower, type EncoderParams } from './encoders.js';
import { decodeLinearTanh, decodeMembrane, decodePopulation, filterRate } from './decoders.js';
import { GenomeLayout, constant, constrain, logit, normal, type SliceSpec } from './genome.js';
import { addDense, addDensePlastic, addScaled, addSpikes, addSpikesPlastic, columnNorms, scalingFactors } from './linear.js';
import {
  leakyState,
  leakyStep,
  readoutState,
  readoutStep,
  synapticState,
  synapticStep,
  type LeakyParams,
  type LeakyState,
  type ReadoutState,
  type SynapticParams,
  type SynapticState,
} from './neurons.js';
import {
  neuromodulate,
  parseRuleName,
  plasticState,
  plasticityStep,
  resetPlasticState,
  updateTraces,
  type NeuromodulatorParams,
  type PlasticParams,
  type PlasticState,
  type PlasticityRule,
} from './plasticity.js';

const f = Math.fround;

/** Sizes derived from a config and the robot's observation/action sizes. */
export interface SnnShape {
  obs: number;
  act: number;
  /** encoded input size */
  input: number;
  hidden: number;
  /** output layer size */
  output: number;
  /** the plasticity rule, or null when plasticity is off (static-snn, rule 'none', no connections) */
  rule: PlasticityRule | null;
  plastic: readonly ConnectionName[];
}

export function snnShape(config: ControllerConfig, obsSize: number, actSize: number): SnnShape {
  const input = config.encoder.kind === 'population' ? obsSize * config.encoder.neurons : obsSize;
  const output = config.decoder.kind === 'membrane' ? actSize : actSize * config.decoder.neuronsPerAction;
  const rule = config.kind === 'static-snn' ? null : parseRuleName(config.plasticity.rule);
  const plastic = rule ? CONNECTION_NAMES.filter((c) => config.plasticity.connections.includes(c)) : [];
  return { obs: obsSize, act: actSize, input, hidden: config.network.hidden, output, rule: plastic.length ? rule : null, plastic };
}

function connectionSize(shape: SnnShape, c: ConnectionName): [number, number] {
  if (c === 'input') return [shape.input, shape.hidden];
  if (c === 'recurrent') return [shape.hidden, shape.hidden];
  return [shape.hidden, shape.output];
}

/**
 * The genome layout of an SNN controller. Slices, in order:
 *   input.w [nIn, H], hidden.bias [H], recurrent.w [H, H]?, output.w [H, nOut], output.bias [nOut],
 *   hidden.beta [H]?, output.beta [nOut]? (learnBeta, sigmoid),
 *   decoder.w [nOut, A], decoder.bias [A] (rate decoder),
 *   per plastic connection c (input, recurrent, output order):
 *     c.alpha [nPre, nPost]; c.eta [1] (sigmoid; rules none/retro); c.tauTheta [1] (sigmoid; bcm, cov);
 *     c.mod.w [H], c.mod.bias [1], c.mod.reward [1]? (plasticity.reward), c.mod.fanout [nPost]
 *     (neuromodulated rules).
 */
export function snnGenomeLayout(config: ControllerConfig, obsSize: number, actSize: number): GenomeLayout {
  const s = snnShape(config, obsSize, actSize);
  const { init, network: net, plasticity: pl } = config;
  const std = weightStds(config, s);
  // random-weights mode: the plastic connections' W are drawn per episode, not evolved, and α is a constant (1, or hebbGain·σ_W)
  const evolved = (c: ConnectionName) => !(pl.randomWeights && s.plastic.includes(c));
  const specs: SliceSpec[] = [];
  if (evolved('input')) specs.push({ name: 'input.w', shape: [s.input, s.hidden], init: normal(0, std.input), doc: 'input → hidden weights' });
  specs.push({ name: 'hidden.bias', shape: [s.hidden], init: normal(0, init.biasStd), doc: 'hidden bias current' });
  if (net.recurrent && evolved('recurrent')) specs.push({ name: 'recurrent.w', shape: [s.hidden, s.hidden], init: normal(0, std.recurrent), doc: 'hidden → hidden weights' });
  // A spiking output layer starts with a bias that holds its membrane at half the threshold
  // (steady state V = b/(1 − β)), so sparse hidden input makes it fire from the first episode.
  const spikingOut = config.decoder.kind !== 'membrane';
  const outBias = spikingOut ? 0.5 * (1 - net.outputBeta) * net.outputThreshold : 0;
  if (evolved('output')) specs.push({ name: 'output.w', shape: [s.hidden, s.output], init: normal(0, std.output), doc: 'hidden → output weights' });
  specs.push({ name: 'output.bias', shape: [s.output], init: constant(outBias), doc: 'output bias current' });
  if (net.learnBeta) {
    specs.push({ name: 'hidden.beta', shape: [s.hidden], transform: 'sigmoid', init: constant(logit(net.beta)), doc: 'hidden β' });
    specs.push({ name: 'output.beta', shape: [s.output], transform: 'sigmoid', init: constant(logit(net.outputBeta)), doc: 'output β' });
  }
  if (config.decoder.kind === 'rate') {
    specs.push({ name: 'decoder.w', shape: [s.output, s.act], init: normal(0, 4 / Math.sqrt(s.output)), doc: 'rate readout' });
    specs.push({ name: 'decoder.bias', shape: [s.act], init: constant(0), doc: 'rate readout bias' });
  }
  if (s.rule) {
    const rule = s.rule;
    for (const c of s.plastic) {
      const [nPre, nPost] = connectionSize(s, c);
      if (evolved(c)) specs.push({ name: `${c}.alpha`, shape: [nPre, nPost], init: normal(0, init.alphaGain * std[c]), doc: 'plasticity coefficients α' });
      if (rule.term === 'abcd') {
        for (const q of ['A', 'B', 'C', 'D']) specs.push({ name: `${c}.${q}`, shape: [nPre, nPost], init: normal(0, init.abcdStd), doc: `ABCD rule coefficient ${q} per synapse` });
      }
      if (rule.modulation !== 'simple') specs.push({ name: `${c}.eta`, shape: [1], transform: 'sigmoid', init: normal(logit(pl.eta), init.rateSpread), doc: 'η' });
      if (rule.term === 'bcm' || rule.term === 'cov') specs.push({ name: `${c}.tauTheta`, shape: [1], transform: 'sigmoid', init: normal(logit(pl.tauTheta), init.rateSpread), doc: rule.term === 'bcm' ? 'BCM τ_θ' : 'rate of the covariance rule\'s trace means' });
      if (pl.decay > 0) specs.push({ name: `${c}.decay`, shape: [1], transform: 'sigmoid', init: normal(logit(pl.decay), init.rateSpread), doc: 'Hebb decay δ per SNN step' });
      if (rule.modulation !== 'none') {
        specs.push({ name: `${c}.mod.w`, shape: [s.hidden], init: normal(0, 1 / Math.sqrt(s.hidden)), doc: 'neuromodulator weights from hidden spikes' });
        specs.push({ name: `${c}.mod.bias`, shape: [1], init: constant(0), doc: 'neuromodulator bias' });
        if (pl.reward) specs.push({ name: `${c}.mod.reward`, shape: [1], init: normal(0, 0.5), doc: 'neuromodulator weight on the reward' });
        specs.push({ name: `${c}.mod.fanout`, shape: [nPost], init: normal(0, init.fanoutStd), doc: 'neuromodulator fan-out per postsynaptic neuron' });
      }
    }
  }
  return new GenomeLayout(specs);
}

/**
 * Initial-weight std of each connection: input N(0, (inputGain/√(nObs·encoder power))²),
 * recurrent recurrentGain/√H, output outputGain/√H (×2 for a spiking output layer, which
 * needs a stronger drive than a leaky readout to cross threshold). Random-weights mode draws
 * every episode's W from the same distributions.
 */
function weightStds(config: ControllerConfig, s: SnnShape): Record<ConnectionName, number> {
  const init = config.init;
  return {
    input: init.inputGain / Math.sqrt(s.obs * encoderPower(config.encoder.kind, config.encoder.width)),
    recurrent: init.recurrentGain / Math.sqrt(s.hidden),
    output: ((config.decoder.kind === 'membrane' ? 1 : 2) * init.outputGain) / Math.sqrt(s.hidden),
  };
}

/** deriveSeed stream of the per-episode random weights (random-weights mode), apart from the rate encoder's. */
const RANDOM_WEIGHTS_STREAM = 0x52574754; // "RWGT"

interface PlasticConnection {
  readonly name: ConnectionName;
  readonly state: PlasticState;
  readonly params: PlasticParams;
  readonly alpha: Float32Array;
  readonly mod: NeuromodulatorParams | null;
  /** M_j of the last step */
  readonly m: Float32Array;
  etaView: Float32Array | null;
  tauView: Float32Array | null;
  decayView: Float32Array | null;
  /** random-weights mode: this connection's W, redrawn at every reset from N(0, std²); null otherwise */
  randomW: { w: Float32Array; std: number } | null;
  /** synaptic scaling (plasticity.normalize 'post'), else null: the fixed W, its column norms (the targets), s_j, and scratch rows */
  scaling: { w: Float32Array; target: Float32Array; scale: Float32Array; sq: Float64Array; acc: Float32Array } | null;
}

const EMPTY = new Float32Array(0);

/** A synaptically scaled connection's current: acc = pre·W_eff (graded or spikes), then out += s ⊙ acc (linear.ts). */
function addScaledCurrent(out: Float32Array, p: PlasticConnection, pre: Float32Array | Uint8Array): void {
  const sc = p.scaling!;
  sc.acc.fill(0);
  if (pre instanceof Uint8Array) addSpikesPlastic(sc.acc, pre, sc.w, p.alpha, p.state.hebb);
  else addDensePlastic(sc.acc, pre, sc.w, p.alpha, p.state.hebb);
  addScaled(out, sc.acc, sc.scale);
}

/** dst[i] = src[i] (a plain loop: TypedArray#set showed per-call heap allocation in the hot path). */
function copyInto(dst: Float32Array | Uint8Array, src: Float32Array | Uint8Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] = src[i];
}

export class SnnController implements Controller {
  readonly kind: 'plastic-snn' | 'static-snn';
  readonly obsSize: number;
  readonly actSize: number;
  readonly shape: SnnShape;
  readonly layout: GenomeLayout;
  private readonly cfg: ControllerConfig;
  private readonly genomeBuf: Float32Array;

  // parameters (views into genomeBuf) and derived constrained parameters
  private readonly wIn: Float32Array;
  private readonly bHid: Float32Array;
  private readonly wRec: Float32Array;
  private readonly wOut: Float32Array;
  private readonly bOut: Float32Array;
  private readonly decW: Float32Array;
  private readonly decB: Float32Array;
  private readonly hidParams: SynapticParams;
  private readonly outParams: LeakyParams;

  // state
  private readonly rng = new Rng(0);
  private readonly encoderParams: EncoderParams;
  private readonly u: Float32Array;
  private readonly base: Float32Array;
  private readonly iHid: Float32Array;
  private readonly hid: SynapticState | LeakyState;
  private readonly synaptic: boolean;
  private readonly prevHid: Uint8Array;
  private readonly iOut: Float32Array;
  private readonly outSpiking: LeakyState | null;
  private readonly outReadout: ReadoutState | null;
  private readonly outActivity: Float32Array;
  private readonly rate: Float32Array;
  private readonly action: Float32Array;
  private readonly hidCounts: Uint8Array;
  private readonly outCounts: Uint8Array | null;
  private readonly plastic: PlasticConnection[] = [];
  private readonly pIn: PlasticConnection | null;
  private readonly pRec: PlasticConnection | null;
  private readonly pOut: PlasticConnection | null;
  /** this act's reward, as a one-element array (see neuromodulate) */
  private readonly reward = new Float64Array(1);
  private readonly view: ControllerIntrospection;

  constructor(config: ControllerConfig, obsSize: number, actSize: number, genome?: Float32Array) {
    if (config.kind !== 'plastic-snn' && config.kind !== 'static-snn') throw new Error(`SnnController: config.kind is "${config.kind}"`);
    this.kind = config.kind;
    this.cfg = config;
    this.obsSize = obsSize;
    this.actSize = actSize;
    const s = (this.shape = snnShape(config, obsSize, actSize));
    this.layout = snnGenomeLayout(config, obsSize, actSize);
    this.genomeBuf = new Float32Array(this.layout.size);
    const L = this.layout;
    const g = this.genomeBuf;
    const opt = (name: string): Float32Array => (L.has(name) ? L.view(g, name) : EMPTY);
    // weights of random-weights plastic connections live outside the genome (drawn at reset)
    const weights = (name: string, size: number): Float32Array => (L.has(name) ? L.view(g, name) : new Float32Array(size));
    this.wIn = weights('input.w', s.input * s.hidden);
    this.bHid = L.view(g, 'hidden.bias');
    this.wRec = config.network.recurrent ? weights('recurrent.w', s.hidden * s.hidden) : EMPTY;
    this.wOut = weights('output.w', s.hidden * s.output);
    this.bOut = L.view(g, 'output.bias');
    this.decW = opt('decoder.w');
    this.decB = opt('decoder.bias');
    const net = config.network;
    this.hidParams = {
      beta: new Float32Array(s.hidden).fill(net.beta),
      alpha: new Float32Array(s.hidden).fill(net.alpha),
      threshold: new Float32Array(s.hidden).fill(net.threshold),
      reset: net.reset,
    };
    this.outParams = { beta: new Float32Array(s.output).fill(net.outputBeta), threshold: new Float32Array(s.output).fill(net.outputThreshold), reset: net.reset };

    this.encoderParams = { clip: config.inputClip, neurons: config.encoder.neurons, width: config.encoder.width };
    this.u = new Float32Array(s.input);
    this.base = new Float32Array(s.hidden);
    this.iHid = new Float32Array(s.hidden);
    this.synaptic = net.neuron === 'synaptic';
    this.hid = this.synaptic ? synapticState(s.hidden) : leakyState(s.hidden);
    this.prevHid = new Uint8Array(s.hidden);
    this.iOut = new Float32Array(s.output);
    const spikingOut = config.decoder.kind !== 'membrane';
    this.outSpiking = spikingOut ? leakyState(s.output) : null;
    this.outReadout = spikingOut ? null : readoutState(s.output);
    this.outActivity = new Float32Array(s.output);
    this.rate = new Float32Array(spikingOut ? s.output : 0);
    this.action = new Float32Array(actSize);
    this.hidCounts = new Uint8Array(s.hidden);
    this.outCounts = spikingOut ? new Uint8Array(s.output) : null;

    if (s.rule) {
      const rule = s.rule;
      const std = weightStds(config, s);
      for (const c of s.plastic) {
        const [nPre, nPost] = connectionSize(s, c);
        const random = config.plasticity.randomWeights;
        const hebbGain = config.plasticity.hebbGain;
        const w = c === 'input' ? this.wIn : c === 'recurrent' ? this.wRec : this.wOut;
        const mod: NeuromodulatorParams | null =
          rule.modulation === 'none'
            ? null
            : { weights: L.view(g, `${c}.mod.w`), bias: L.view(g, `${c}.mod.bias`), rewardWeight: opt(`${c}.mod.reward`), fanout: L.view(g, `${c}.mod.fanout`) };
        this.plastic.push({
          name: c,
          state: plasticState(nPre, nPost, rule.modulation === 'retro', rule.term === 'cov'),
          params: {
            term: rule.term,
            modulation: rule.modulation,
            eta: 0,
            tauTheta: 0,
            decay: 0,
            abcd: rule.term === 'abcd' ? { a: L.view(g, `${c}.A`), b: L.view(g, `${c}.B`), c: L.view(g, `${c}.C`), d: L.view(g, `${c}.D`) } : null,
            clip: config.plasticity.clip,
            preDecay: config.plasticity.preDecay,
            postDecay: config.plasticity.postDecay,
          },
          alpha: random ? new Float32Array(nPre * nPost).fill(hebbGain === undefined ? 1 : f(hebbGain * std[c])) : L.view(g, `${c}.alpha`),
          mod,
          m: new Float32Array(mod ? nPost : 0),
          etaView: L.has(`${c}.eta`) ? L.view(g, `${c}.eta`) : null,
          tauView: L.has(`${c}.tauTheta`) ? L.view(g, `${c}.tauTheta`) : null,
          decayView: L.has(`${c}.decay`) ? L.view(g, `${c}.decay`) : null,
          randomW: random ? { w, std: std[c] } : null,
          scaling:
            config.plasticity.normalize === 'post'
              ? { w, target: new Float32Array(nPost), scale: new Float32Array(nPost).fill(1), sq: new Float64Array(nPost), acc: new Float32Array(nPost) }
              : null,
        });
      }
    }
    const find = (n: ConnectionName): PlasticConnection | null => this.plastic.find((p) => p.name === n) ?? null;
    this.pIn = find('input');
    this.pRec = find('recurrent');
    this.pOut = find('output');

    this.setGenome(genome ?? this.layout.initialize(0));
    this.view = this.buildIntrospection();
    this.reset(0);
  }

  /** The controller's own copy of its genome (read it; write through `setGenome`). */
  get genome(): Float32Array {
    return this.genomeBuf;
  }

  /** Load a genome of this layout (copied) and recompute the constrained parameters. */
  setGenome(genome: Float32Array): void {
    this.layout.checkLength(genome, `${this.kind} genome`);
    this.genomeBuf.set(genome);
    const L = this.layout;
    if (L.has('hidden.beta')) {
      const raw = L.view(this.genomeBuf, 'hidden.beta');
      for (let i = 0; i < raw.length; i++) this.hidParams.beta[i] = constrain('sigmoid', raw[i]);
      const rawO = L.view(this.genomeBuf, 'output.beta');
      for (let i = 0; i < rawO.length; i++) this.outParams.beta[i] = constrain('sigmoid', rawO[i]);
    }
    for (const p of this.plastic) {
      p.params.eta = p.etaView ? f(constrain('sigmoid', p.etaView[0])) : 0;
      p.params.tauTheta = p.tauView ? f(constrain('sigmoid', p.tauView[0])) : 0;
      p.params.decay = p.decayView ? f(constrain('sigmoid', p.decayView[0])) : 0;
    }
    this.resetScaling();
  }

  /** Synaptic scaling back to its episode start: targets = the current W's column norms, s ≡ 1. */
  private resetScaling(): void {
    for (const p of this.plastic) {
      const sc = p.scaling;
      if (!sc) continue;
      columnNorms(sc.w, p.state.nPost, sc.target);
      sc.scale.fill(1);
    }
  }

  reset(seed: number): void {
    this.plasticityFrozen = false;
    this.rng.seed(seed);
    this.hid.mem.fill(0);
    this.hid.spk.fill(0);
    if (this.synaptic) (this.hid as SynapticState).syn.fill(0);
    this.prevHid.fill(0);
    this.outSpiking?.mem.fill(0);
    this.outSpiking?.spk.fill(0);
    this.outReadout?.mem.fill(0);
    this.outActivity.fill(0);
    this.rate.fill(0);
    this.hidCounts.fill(0);
    this.outCounts?.fill(0);
    this.u.fill(0);
    for (const p of this.plastic) {
      resetPlasticState(p.state);
      p.m.fill(0);
    }
    // random-weights mode: this episode's W, from its own stream of the episode seed (input,
    // recurrent, output order; i, j ascending), independent of the rate encoder's stream
    const wRng = this.plastic.some((p) => p.randomW) ? new Rng(deriveSeed(seed, RANDOM_WEIGHTS_STREAM)) : null;
    for (const p of this.plastic) {
      if (!p.randomW) continue;
      const { w, std } = p.randomW;
      for (let k = 0; k < w.length; k++) w[k] = f(std * wRng!.normal());
    }
    this.resetScaling();
    this.action.fill(0);
  }

  act(observation: Float32Array, reward?: number): Float32Array {
    const cfg = this.cfg;
    const ep = this.encoderParams;
    this.reward[0] = reward === undefined || !Number.isFinite(reward) ? 0 : reward;
    const enc = cfg.encoder.kind;
    // A–B
    if (enc === 'direct') encodeDirect(observation, ep, this.u);
    else if (enc === 'population') encodePopulation(observation, ep, this.u);
    // C
    const constantDrive = enc !== 'rate' && this.pIn === null;
    if (constantDrive) {
      copyInto(this.base, this.bHid);
      addDense(this.base, this.u, this.wIn);
    }
    this.hidCounts.fill(0);
    this.outCounts?.fill(0);
    // D
    for (let t = 0; t < cfg.steps; t++) {
      if (enc === 'rate') encodeRate(observation, ep, this.rng, this.u);
      this.snnStep(constantDrive);
    }
    // E
    if (cfg.decoder.kind === 'rate') decodeLinearTanh(this.rate, this.decW, this.decB, this.action);
    else if (cfg.decoder.kind === 'population') decodePopulation(this.rate, cfg.decoder, this.action);
    else decodeMembrane(this.outReadout!.mem, this.action);
    return this.action;
  }

  /** Steps D.2–D.7 of the order of operations above. */
  private snnStep(constantDrive: boolean): void {
    const iHid = this.iHid;
    const hid = this.hid;
    // 2. hidden current
    if (constantDrive) copyInto(iHid, this.base);
    else {
      copyInto(iHid, this.bHid);
      const pIn = this.pIn;
      if (pIn?.scaling) addScaledCurrent(iHid, pIn, this.u);
      else if (pIn) addDensePlastic(iHid, this.u, this.wIn, pIn.alpha, pIn.state.hebb);
      else addDense(iHid, this.u, this.wIn);
    }
    if (this.cfg.network.recurrent) {
      const pRec = this.pRec;
      if (pRec?.scaling) addScaledCurrent(iHid, pRec, hid.spk);
      else if (pRec) addSpikesPlastic(iHid, hid.spk, this.wRec, pRec.alpha, pRec.state.hebb);
      else addSpikes(iHid, hid.spk, this.wRec);
      if (this.pRec) copyInto(this.prevHid, hid.spk);
    }
    // 3. hidden neurons
    if (this.synaptic) synapticStep(iHid, hid as SynapticState, this.hidParams);
    else leakyStep(iHid, hid, this.hidParams);
    const sh = hid.spk;
    const counts = this.hidCounts;
    for (let i = 0; i < sh.length; i++) counts[i] += sh[i];
    // 4. output current
    const iOut = this.iOut;
    copyInto(iOut, this.bOut);
    const pOut = this.pOut;
    if (pOut?.scaling) addScaledCurrent(iOut, pOut, sh);
    else if (pOut) addSpikesPlastic(iOut, sh, this.wOut, pOut.alpha, pOut.state.hebb);
    else addSpikes(iOut, sh, this.wOut);
    // 5–6. output layer, rate filter
    let post: Float32Array | Uint8Array;
    if (this.outSpiking) {
      leakyStep(iOut, this.outSpiking, this.outParams);
      const so = this.outSpiking.spk;
      const oc = this.outCounts!;
      for (let j = 0; j < so.length; j++) oc[j] += so[j];
      filterRate(this.rate, so, this.cfg.decoder);
      post = so;
    } else {
      const v = this.outReadout!.mem;
      readoutStep(iOut, this.outReadout!, this.outParams);
      const a = this.outActivity;
      for (let j = 0; j < v.length; j++) a[j] = f(Math.tanh(v[j]));
      post = a;
    }
    // 7. plasticity: input, recurrent, output
    if (this.pIn) this.plasticUpdate(this.pIn, this.u, sh);
    if (this.pRec) this.plasticUpdate(this.pRec, this.prevHid, sh);
    if (this.pOut) this.plasticUpdate(this.pOut, sh, post);
  }

  /**
   * Experiments only (`spikeloco windows --freeze-hebb-at`): while true, Hebb, E, θ and the means
   * stay as they are (the traces still run), so W_eff is fixed; `reset` clears it.
   */
  plasticityFrozen = false;

  private plasticUpdate(p: PlasticConnection, pre: Float32Array | Uint8Array, post: Float32Array | Uint8Array): void {
    updateTraces(p.state, p.params, pre, post);
    if (this.plasticityFrozen) return;
    if (p.mod) neuromodulate(this.hid.spk, this.reward, p.mod, p.m);
    plasticityStep(p.state, p.params, p.mod ? p.m : null);
    const sc = p.scaling;
    if (sc) scalingFactors(sc.w, p.alpha, p.state.hebb, sc.target, sc.sq, sc.scale);
  }

  /** Synaptic-scaling factors s_j of one plastic connection (tests, viewer); null when it is not scaled. */
  scalingOf(name: ConnectionName): Float32Array | null {
    return this.plastic.find((p) => p.name === name)?.scaling?.scale ?? null;
  }

  introspect(): ControllerIntrospection {
    return this.view;
  }

  private buildIntrospection(): ControllerIntrospection {
    const s = this.shape;
    const layers: LayerView[] = [
      { name: 'input', size: s.input, spikes: null, counts: null, membrane: null, activity: this.u },
      { name: 'hidden', size: s.hidden, spikes: this.hid.spk, counts: this.hidCounts, membrane: this.hid.mem, activity: null },
      this.outSpiking
        ? { name: 'output', size: s.output, spikes: this.outSpiking.spk, counts: this.outCounts, membrane: this.outSpiking.mem, activity: this.rate }
        : { name: 'output', size: s.output, spikes: null, counts: null, membrane: this.outReadout!.mem, activity: this.outActivity },
      { name: 'action', size: s.act, spikes: null, counts: null, membrane: null, activity: this.action },
    ];
    const hebb: MatrixView[] = this.plastic.map((p) => ({ name: p.name, rows: p.state.nPre, cols: p.state.nPost, values: p.state.hebb }));
    const modulation = this.plastic.filter((p) => p.mod).map((p) => ({ name: p.name, values: p.m }));
    return { layers, hebb, modulation };
  }

  /** α of one plastic connection (evolved, or the constant of random-weights mode); null if not plastic. */
  plasticityCoefficients(name: ConnectionName): Float32Array | null {
    return this.plastic.find((p) => p.name === name)?.alpha ?? null;
  }

  /** Plastic state of one connection (tests, viewer): Hebb, E, θ, traces; null if not plastic. */
  plasticState(name: ConnectionName): PlasticState | null {
    return this.plastic.find((p) => p.name === name)?.state ?? null;
  }

  /** Constrained η and τ_θ of a plastic connection, as used by the kernels. */
  plasticParams(name: ConnectionName): Readonly<PlasticParams> | null {
    return this.plastic.find((p) => p.name === name)?.params ?? null;
  }
}
