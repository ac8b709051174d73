/**
 * The interface every controller implements. Controllers see numbers, not robots: an
 * observation vector in, an action vector in [-1, 1] out, at the control rate.
 */
export interface Controller {
  /** short kind name: 'zero', 'random', 'oscillator', 'plastic-snn', 'static-snn', 'mlp' */
  readonly kind: string;
  readonly obsSize: number;
  readonly actSize: number;
  /** Start an episode: clear state (membranes, traces, Hebb), reseed any randomness. */
  reset(seed: number): void;
  /**
   * One control step. `reward` is the last step's reward (for neuromodulation), if any.
   * Returns an internal buffer of length actSize, valid until the next call: copy to keep.
   */
  act(observation: Float32Array, reward?: number): Float32Array;
  /** Live, read-only views of internal state for a viewer (network controllers only). */
  introspect?(): ControllerIntrospection;
}

/** One layer as the viewer sees it. Arrays are live views into the controller: read, don't write. */
export interface LayerView {
  readonly name: string;
  readonly size: number;
  /** spikes (0/1) of the last SNN step of the last act; null for a non-spiking layer */
  readonly spikes: Uint8Array | null;
  /** spikes summed over the K SNN steps of the last act; null for a non-spiking layer */
  readonly counts: Uint8Array | null;
  /** membrane potential after the last SNN step; null if the layer has none */
  readonly membrane: Float32Array | null;
  /** graded activity (encoded input current, readout tanh(V), MLP activations); null if none */
  readonly activity: Float32Array | null;
}

/** A matrix stored pre-major: element (row i = presynaptic, col j = postsynaptic) at i·cols + j. */
export interface MatrixView {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

/** Read-only introspection for a live viewer; the same object (and arrays) on every call. */
export interface ControllerIntrospection {
  readonly layers: readonly LayerView[];
  /** Hebb of each plastic connection (empty without plasticity) */
  readonly hebb: readonly MatrixView[];
  /** neuromodulator M_j per plastic connection at the last SNN step (empty unless neuromodulated) */
  readonly modulation: readonly { readonly name: string; readonly values: Float32Array }[];
}
