/**
 * Clock inputs: wraps a network controller so that it sees the observation followed by
 * [sin 2πft, cos 2πft], t = (acts since reset) · dt. The inner controller is built for
 * obsSize + 2 inputs; its genome, layout and introspection pass through unchanged.
 */
import type { Controller, ControllerIntrospection } from './controller.js';
import type { GenomeController } from './factory.js';
import type { GenomeLayout } from './genome.js';

export const CLOCK_INPUTS = 2;

export class ClockInputs implements GenomeController {
  readonly kind: string;
  readonly actSize: number;
  private readonly input: Float32Array;
  private step = 0;
  private readonly omegaDt: number;

  constructor(
    clock: { frequency: number; dt: number },
    readonly obsSize: number,
    private readonly inner: GenomeController,
  ) {
    this.kind = inner.kind;
    this.actSize = inner.actSize;
    this.input = new Float32Array(obsSize + CLOCK_INPUTS);
    this.omegaDt = 2 * Math.PI * clock.frequency * clock.dt;
    const inner2 = inner as Controller;
    if (inner2.introspect) this.introspect = () => inner2.introspect!();
  }

  get layout(): GenomeLayout {
    return this.inner.layout;
  }
  get genome(): Float32Array {
    return this.inner.genome;
  }
  setGenome(genome: Float32Array): void {
    this.inner.setGenome(genome);
  }

  reset(seed: number): void {
    this.step = 0;
    this.inner.reset(seed);
  }

  act(observation: Float32Array, reward?: number): Float32Array {
    const n = this.obsSize;
    this.input.set(observation.length === n ? observation : observation.subarray(0, n));
    const phase = this.omegaDt * this.step++;
    this.input[n] = Math.sin(phase);
    this.input[n + 1] = Math.cos(phase);
    return this.inner.act(this.input, reward);
  }

  /** present when the inner controller has it */
  readonly introspect?: () => ControllerIntrospection;
}
