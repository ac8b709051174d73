/**
 * Controller configuration: one JSON object, validated by one schema with every default in this
 * file. `parseControllerConfig(value, where)` returns a typed, fully defaulted config or throws a
 * `SchemaError` naming the offending field (`network.hidden: expected an integer ≥ 1, got -3`).
 *
 * The default network (plastic-snn) suits a locomotion robot with ~27–40 observations and ~8
 * actions: direct-current encoding of the clamped observation into one hidden LIF layer of 48
 * neurons, a plastic hidden→output connection (Hebbian with neuromodulated eligibility trace),
 * a non-spiking leaky membrane readout, K = 6 SNN steps per control step.
 */
import { validate, SchemaError, type Schema } from '../core/schema.js';
import { RULE_NAMES, type RuleName } from './plasticity.js';
import type { ResetMode } from './neurons.js';

export const CONTROLLER_KINDS = ['plastic-snn', 'static-snn', 'mlp', 'zero', 'random', 'oscillator'] as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[number];

export const CONNECTION_NAMES = ['input', 'recurrent', 'output'] as const;
export type ConnectionName = (typeof CONNECTION_NAMES)[number];

export interface ControllerConfig {
  kind: ControllerKind;
  /** observations are clamped to [−inputClip, inputClip] before encoding */
  inputClip: number;
  /** K: SNN steps per control step */
  steps: number;
  encoder: {
    kind: 'direct' | 'rate' | 'population';
    /** population coding: neurons per observation dimension */
    neurons: number;
    /** population coding: receptive-field σ in units of the centre spacing */
    width: number;
  };
  network: {
    /** hidden spiking neurons */
    hidden: number;
    /** add a hidden→hidden connection (driven by the previous step's spikes) */
    recurrent: boolean;
    neuron: 'leaky' | 'synaptic';
    /** hidden membrane decay β */
    beta: number;
    /** hidden synaptic current decay α (neuron = synaptic) */
    alpha: number;
    /** hidden threshold θ */
    threshold: number;
    reset: ResetMode;
    /** output layer membrane decay β (spiking output for rate/population, readout for membrane) */
    outputBeta: number;
    /** output layer threshold θ (spiking output only) */
    outputThreshold: number;
    /** per-neuron β for hidden and output layers in the genome (sigmoid), initialised to the values above */
    learnBeta: boolean;
  };
  decoder: {
    kind: 'rate' | 'population' | 'membrane';
    /** rate/population: spiking output neurons per action (population: even, agonists then antagonists) */
    neuronsPerAction: number;
    /** rate/population: rate filter λ_r per SNN step, r ← λ_r·r + (1−λ_r)·s */
    rateDecay: number;
    /** population: a_j = tanh(gain·(mean agonist rate − mean antagonist rate)) */
    gain: number;
  };
  plasticity: {
    rule: RuleName;
    /** which connections are plastic */
    connections: ConnectionName[];
    /** c: Hebb clipped to [−c, c] */
    clip: number;
    /** λ_pre: presynaptic trace decay, x ← λ_pre·x + s */
    preDecay: number;
    /** λ_post: postsynaptic trace decay */
    postDecay: number;
    /** neuromodulated rules: the external reward is an extra learned input to M */
    reward: boolean;
    /** initial η (learning rate / eligibility rate), stored as logit in the genome */
    eta: number;
    /** initial BCM τ_θ, stored as logit in the genome */
    tauTheta: number;
    /**
     * initial Hebb decay δ per SNN step, stored as logit in the genome (learned per connection);
     * 0: no decay and no genome entry
     */
    decay: number;
    /**
     * Najarro & Risi (2020): the weights W of the plastic connections are not evolved but drawn
     * anew every episode (from the episode seed, N(0, the initial-weight std)); only the rule's
     * parameters (and the non-plastic slices: biases, other connections) are in the genome, and
     * α ≡ 1, so W_eff = W_random + Hebb.
     */
    randomWeights: boolean;
    /**
     * random-weights mode only: α ≡ hebbGain·σ_W instead of 1, with σ_W the connection's
     * initial-weight std, so Hebb counts in units of the random weights it reshapes
     * (|α·Hebb| ≤ hebbGain·σ_W·clip). With α ≡ 1 and clip 1 the rule outweighs weights of
     * σ_W ≈ 0.07–0.15 within a second and every episode ends early (measured on the study's
     * round e'); absent: α ≡ 1.
     */
    hebbGain?: number;
    /**
     * Synaptic scaling of each plastic connection (Turrigiano's homeostatic scaling; the weight
     * normalisation Hebbian locomotion controllers use): 'post' rescales, after every plasticity
     * update, each postsynaptic neuron's incoming effective weights to the L2 norm of its fixed
     * weights, ‖s_j·(W + α⊙Hebb)_{:,j}‖ = ‖W_{:,j}‖, so the rule turns a neuron's weight vector
     * but cannot grow or shrink its drive. Absent or 'none': no scaling (s ≡ 1).
     */
    normalize?: 'none' | 'post';
  };
  /** initial-genome scales (raw space) */
  init: {
    /** input weights ~ N(0, (inputGain / √(nObs·encoder power))²) */
    inputGain: number;
    /** recurrent weights ~ N(0, (recurrentGain/√hidden)²) */
    recurrentGain: number;
    /** hidden→output weights ~ N(0, (outputGain/√hidden)²) */
    outputGain: number;
    /** hidden biases ~ N(0, biasStd²) */
    biasStd: number;
    /** plasticity coefficients α ~ N(0, (alphaGain·std(W))²) */
    alphaGain: number;
    /** std of raw η, τ_θ around their logit means */
    rateSpread: number;
    /** neuromodulator fan-out f ~ N(0, fanoutStd²) */
    fanoutStd: number;
    /** ABCD rule coefficients A, B, C, D ~ N(0, abcdStd²) */
    abcdStd: number;
  };
  mlp: {
    /** hidden layer sizes of the tanh MLP */
    hidden: number[];
  };
  random: Record<string, never>;
  /**
   * Optional clock inputs: [sin 2πft, cos 2πft] appended to the observation (t = acts · dt),
   * a phase reference a network can lock a gait to. frequency 0 = off.
   */
  clock: {
    frequency: number;
    dt: number;
  };
  oscillator: {
    /** Hz */
    frequency: number;
    /** per action; empty = all 0 */
    amplitude: number[];
    phase: number[];
    offset: number[];
    /** seconds per act (the control period) */
    dt: number;
  };
}

const unit = (def: number, description: string): Schema => ({ type: 'number', min: 0, max: 1, default: def, description });
const openUnit = (def: number, description: string): Schema => ({ type: 'number', min: 0, exclusiveMin: true, max: 0.999999, default: def, description });
const positive = (def: number, description: string): Schema => ({ type: 'number', min: 0, exclusiveMin: true, default: def, description });
const nonNegative = (def: number, description: string): Schema => ({ type: 'number', min: 0, default: def, description });
const int = (def: number, min: number, description: string): Schema => ({ type: 'number', integer: true, min, default: def, description });
const numbers: Schema = { type: 'array', items: { type: 'number' }, default: [] };

/** The controller config schema: every field, its constraint and its default. */
export const CONTROLLER_CONFIG_SCHEMA: Schema = {
  type: 'object',
  document: true,
  default: {},
  properties: {
    kind: { type: 'string', enum: CONTROLLER_KINDS, default: 'plastic-snn' },
    inputClip: positive(5, 'observations are clamped to ±inputClip'),
    steps: int(6, 1, 'K: SNN steps per control step'),
    encoder: {
      type: 'object',
      default: {},
      properties: {
        kind: { type: 'string', enum: ['direct', 'rate', 'population'], default: 'direct' },
        neurons: int(8, 2, 'population: neurons per observation dimension'),
        width: positive(1, 'population: receptive-field σ in centre spacings'),
      },
    },
    network: {
      type: 'object',
      default: {},
      properties: {
        hidden: int(48, 1, 'hidden spiking neurons'),
        recurrent: { type: 'boolean', default: false },
        neuron: { type: 'string', enum: ['leaky', 'synaptic'], default: 'leaky' },
        beta: openUnit(0.9, 'hidden membrane decay β'),
        alpha: openUnit(0.8, 'hidden synaptic current decay α'),
        threshold: positive(1, 'hidden threshold θ'),
        reset: { type: 'string', enum: ['subtract', 'zero'], default: 'subtract' },
        outputBeta: openUnit(0.8, 'output membrane decay β'),
        outputThreshold: positive(1, 'output threshold θ (spiking output)'),
        learnBeta: { type: 'boolean', default: false },
      },
    },
    decoder: {
      type: 'object',
      default: {},
      properties: {
        kind: { type: 'string', enum: ['rate', 'population', 'membrane'], default: 'membrane' },
        neuronsPerAction: int(2, 1, 'spiking output neurons per action'),
        rateDecay: { type: 'number', min: 0, max: 0.999999, default: 0.8, description: 'λ_r' },
        gain: positive(4, 'population decoding gain'),
      },
    },
    plasticity: {
      type: 'object',
      default: {},
      properties: {
        rule: { type: 'string', enum: RULE_NAMES, default: 'hebbian-retro' },
        connections: { type: 'array', items: { type: 'string', enum: CONNECTION_NAMES }, default: ['output'] },
        clip: positive(1, 'c: |Hebb| ≤ c'),
        preDecay: unit(0.8, 'λ_pre'),
        postDecay: unit(0.8, 'λ_post'),
        reward: { type: 'boolean', default: true },
        eta: openUnit(0.01, 'initial η'),
        tauTheta: openUnit(0.05, 'initial τ_θ'),
        decay: { type: 'number', min: 0, max: 0.5, default: 0, description: 'initial Hebb decay δ per SNN step (0: none); learned' },
        randomWeights: { type: 'boolean', default: false, description: 'plastic connections start from random weights every episode; only rule parameters evolve (Najarro & Risi 2020)' },
        hebbGain: { type: 'number', min: 0, max: 1000, description: 'random-weights mode only: α ≡ hebbGain × the connection\'s initial-weight std (Hebb in units of the random weights); absent: α ≡ 1' },
        normalize: { type: 'string', enum: ['none', 'post'], description: 'synaptic scaling: "post" keeps each postsynaptic neuron\'s incoming effective-weight norm at that of its fixed weights after every update (the rule turns weight vectors, it cannot grow them); absent or "none": off' },
      },
    },
    init: {
      type: 'object',
      default: {},
      properties: {
        inputGain: nonNegative(0.5, 'input weight scale'),
        recurrentGain: nonNegative(0.5, 'recurrent weight scale'),
        outputGain: nonNegative(0.5, 'hidden→output weight scale'),
        biasStd: nonNegative(0.2, 'hidden bias std'),
        alphaGain: nonNegative(0.5, 'α std relative to std(W)'),
        rateSpread: nonNegative(0.25, 'raw η, τ_θ std'),
        fanoutStd: nonNegative(0.02, 'neuromodulator fan-out std'),
        abcdStd: nonNegative(0.1, 'ABCD rule coefficient std'),
      },
    },
    mlp: {
      type: 'object',
      default: {},
      properties: {
        hidden: { type: 'array', items: { type: 'number', integer: true, min: 1 }, default: [32, 32] },
      },
    },
    random: { type: 'object', default: {}, properties: {} },
    clock: {
      type: 'object',
      default: {},
      properties: {
        frequency: nonNegative(0, 'clock frequency in Hz (0: no clock inputs)'),
        dt: positive(0.05, 'seconds per act (the control period)'),
      },
    },
    oscillator: {
      type: 'object',
      default: {},
      properties: {
        frequency: nonNegative(2.5, 'Hz'),
        amplitude: numbers,
        phase: numbers,
        offset: numbers,
        dt: positive(0.05, 'seconds per act'),
      },
    },
  },
};

/**
 * Validate and default a controller config. `where` (a file name) prefixes error messages, `path`
 * the field paths (`controller` when the config is a section of a training config).
 * Beyond the schema: a population decoder needs an even `neuronsPerAction`; a plastic
 * `recurrent` connection needs `network.recurrent`; connections are listed at most once.
 */
export function parseControllerConfig(value: unknown, where = '', path = ''): ControllerConfig {
  const c = validate<ControllerConfig>(value ?? {}, CONTROLLER_CONFIG_SCHEMA, where, path);
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (c.decoder.kind === 'population' && c.decoder.neuronsPerAction % 2 !== 0) {
    throw new SchemaError(at('decoder.neuronsPerAction'), 'an even integer ≥ 2 for population decoding (agonists, antagonists)', c.decoder.neuronsPerAction, where);
  }
  const seen = new Set<string>();
  c.plasticity.connections.forEach((name, i) => {
    if (seen.has(name)) throw new SchemaError(at(`plasticity.connections[${i}]`), 'each connection at most once', name, where);
    seen.add(name);
    if (name === 'recurrent' && !c.network.recurrent) {
      throw new SchemaError(at(`plasticity.connections[${i}]`), 'a connection the network has (set network.recurrent: true for "recurrent")', name, where);
    }
  });
  if (c.plasticity.randomWeights && c.kind === 'plastic-snn' && c.plasticity.rule === 'none') {
    throw new SchemaError(at('plasticity.randomWeights'), 'false when plasticity.rule is "none" (random weights that never learn)', true, where);
  }
  if (c.plasticity.hebbGain !== undefined && !c.plasticity.randomWeights) {
    throw new SchemaError(at('plasticity.hebbGain'), 'set only with plasticity.randomWeights: true (evolved weights have an evolved α)', c.plasticity.hebbGain, where);
  }
  if (c.plasticity.normalize === 'post' && (c.kind !== 'plastic-snn' || c.plasticity.rule === 'none')) {
    throw new SchemaError(at('plasticity.normalize'), '"none" or absent without plasticity (a plastic-snn with a rule): there is nothing to rescale', c.plasticity.normalize, where);
  }
  return c;
}

/** The fully defaulted default config (plastic-snn). */
export function defaultControllerConfig(): ControllerConfig {
  return parseControllerConfig({});
}
