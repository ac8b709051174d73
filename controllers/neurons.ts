/**
 * Discrete-time neurons in the snnTorch parameterisation, as pure step functions that update
 * preallocated state in place (Norse style). Parameters are per neuron (`Float32Array` of the
 * layer's size); a per-layer value is the same number in every slot (`fillParam`).
 *
 * Float32 semantics: every elementwise operation is rounded to float32 (`Math.fround`) in the
 * order written in the equations below, so a float32 tensor implementation (TensorFlow.js) that
 * performs the same operations in the same order reproduces the state bit for bit.
 *
 * Spikes are `Uint8Array` (0 or 1). `state.spk` holds the spikes of the most recent step; on entry
 * to a step it is S[t−1], the previous step's spikes, which drive the reset.
 */

const f = Math.fround;

/** How a spiking neuron resets after a spike. */
export type ResetMode = 'subtract' | 'zero';

export interface LeakyParams {
  /** membrane decay β ∈ (0, 1), per neuron */
  readonly beta: Float32Array;
  /** firing threshold θ > 0, per neuron */
  readonly threshold: Float32Array;
  readonly reset: ResetMode;
}

export interface LeakyState {
  /** membrane potential U */
  readonly mem: Float32Array;
  /** spikes S of the last step (0/1) */
  readonly spk: Uint8Array;
}

export interface SynapticParams extends LeakyParams {
  /** synaptic current decay α ∈ (0, 1), per neuron */
  readonly alpha: Float32Array;
}

export interface SynapticState extends LeakyState {
  /** synaptic current I_syn */
  readonly syn: Float32Array;
}

export interface ReadoutParams {
  /** membrane decay β ∈ (0, 1), per neuron */
  readonly beta: Float32Array;
}

export interface ReadoutState {
  readonly mem: Float32Array;
}

export function leakyState(n: number): LeakyState {
  return { mem: new Float32Array(n), spk: new Uint8Array(n) };
}

export function synapticState(n: number): SynapticState {
  return { mem: new Float32Array(n), spk: new Uint8Array(n), syn: new Float32Array(n) };
}

export function readoutState(n: number): ReadoutState {
  return { mem: new Float32Array(n) };
}

/** A per-neuron parameter array holding one per-layer value. */
export function fillParam(n: number, value: number): Float32Array {
  return new Float32Array(n).fill(value);
}

/**
 * Leaky integrate-and-fire (snnTorch `Leaky`), one step, in place.
 *
 * reset = 'subtract':  U[t] = βU[t−1] + I[t] − S[t−1]·θ
 * reset = 'zero':      U[t] = β(1 − S[t−1])·U[t−1] + I[t]      (snnTorch's code: zero the
 *                                                               membrane that spiked, then leak
 *                                                               and integrate)
 * spike:               S[t] = 1 if U[t] > θ else 0               (strict: U = θ does not spike)
 *
 * Rounding order (subtract): U = fround(fround(fround(β·U) + I) − fround(S·θ)).
 * Rounding order (zero):     U = fround(fround(β·(S ? 0 : U)) + I).
 */
export function leakyStep(input: Float32Array, state: LeakyState, p: LeakyParams): void {
  const { mem, spk } = state;
  const { beta, threshold } = p;
  const n = mem.length;
  if (p.reset === 'subtract') {
    for (let i = 0; i < n; i++) {
      const th = threshold[i];
      const u = f(f(f(beta[i] * mem[i]) + input[i]) - f(spk[i] * th));
      mem[i] = u;
      spk[i] = u > th ? 1 : 0;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const u = f(f(beta[i] * (spk[i] ? 0 : mem[i])) + input[i]);
      mem[i] = u;
      spk[i] = u > threshold[i] ? 1 : 0;
    }
  }
}

/**
 * Synaptic (second-order) LIF (snnTorch `Synaptic`), one step, in place:
 *
 *   I_syn[t] = α·I_syn[t−1] + I_in[t]          rounding: fround(fround(α·I_syn) + I_in)
 *   then the Leaky step above with I[t] = I_syn[t].
 */
export function synapticStep(input: Float32Array, state: SynapticState, p: SynapticParams): void {
  const { syn } = state;
  const { alpha } = p;
  for (let i = 0; i < syn.length; i++) syn[i] = f(f(alpha[i] * syn[i]) + input[i]);
  leakyStep(syn, state, p);
}

/**
 * Non-spiking leaky readout (a Leaky neuron without threshold or reset), one step, in place:
 *
 *   V[t] = β·V[t−1] + I[t]                     rounding: fround(fround(β·V) + I)
 */
export function readoutStep(input: Float32Array, state: ReadoutState, p: ReadoutParams): void {
  const { mem } = state;
  const { beta } = p;
  for (let i = 0; i < mem.length; i++) mem[i] = f(f(beta[i] * mem[i]) + input[i]);
}

/** Thin stateful wrapper over `leakyStep` for scripts and tests: owns its state. */
export class Leaky {
  readonly state: LeakyState;
  constructor(readonly params: LeakyParams) {
    this.state = leakyState(params.beta.length);
  }
  /** One step; returns the live spike buffer (valid until the next step). */
  step(input: Float32Array): Uint8Array {
    leakyStep(input, this.state, this.params);
    return this.state.spk;
  }
  reset(): void {
    this.state.mem.fill(0);
    this.state.spk.fill(0);
  }
}

/** Thin stateful wrapper over `synapticStep`. */
export class Synaptic {
  readonly state: SynapticState;
  constructor(readonly params: SynapticParams) {
    this.state = synapticState(params.beta.length);
  }
  step(input: Float32Array): Uint8Array {
    synapticStep(input, this.state, this.params);
    return this.state.spk;
  }
  reset(): void {
    this.state.mem.fill(0);
    this.state.spk.fill(0);
    this.state.syn.fill(0);
  }
}
