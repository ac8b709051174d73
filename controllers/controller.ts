/**
 * The interface every controller implements. Controllers see numbers, not robots: an
 * observation vector in, an action vector in [-1, 1] out, at the control rate.
 */
export interface Controller {
  /** short kind name: 'zero', 'random', 'gait', 'plastic-snn', 'static-snn', 'mlp' */
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
}
