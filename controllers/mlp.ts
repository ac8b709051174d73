/**
 * `mlp`: the non-spiking baseline, a tanh multilayer perceptron parameterised by the same kind of
 * genome layout as the SNN:
 *
 *   h_0 = clamp(obs, ±inputClip);   h_{l+1} = tanh(b_l + h_l·W_l)   for every layer incl. the last
 *
 * so the action is tanh of the last layer, in [−1, 1]. W_l pre-major [n_l, n_{l+1}], float32
 * running sums as in linear.ts. Stateless between steps; `reset` only clears the views.
 */
import type { Controller, ControllerIntrospection, LayerView } from './controller.js';
import type { ControllerConfig } from './config.js';
import { encodeDirect } from './encoders.js';
import { GenomeLayout, constant, normal, type SliceSpec } from './genome.js';
import { addDense } from './linear.js';

function sizes(config: ControllerConfig, obsSize: number, actSize: number): number[] {
  return [obsSize, ...config.mlp.hidden, actSize];
}

/** Slices `mlp.l<k>.w` [n_k, n_{k+1}] ~ N(0, 1/n_k) and `mlp.l<k>.bias` [n_{k+1}] = 0, k = 0, 1, … */
export function mlpGenomeLayout(config: ControllerConfig, obsSize: number, actSize: number): GenomeLayout {
  const n = sizes(config, obsSize, actSize);
  const specs: SliceSpec[] = [];
  for (let k = 0; k + 1 < n.length; k++) {
    specs.push({ name: `mlp.l${k}.w`, shape: [n[k], n[k + 1]], init: normal(0, 1 / Math.sqrt(n[k])), doc: `layer ${k} weights` });
    specs.push({ name: `mlp.l${k}.bias`, shape: [n[k + 1]], init: constant(0), doc: `layer ${k} bias` });
  }
  return new GenomeLayout(specs);
}

export class MlpController implements Controller {
  readonly kind = 'mlp';
  readonly layout: GenomeLayout;
  private readonly genomeBuf: Float32Array;
  private readonly weights: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private readonly acts: Float32Array[] = [];
  private readonly view: ControllerIntrospection;
  private readonly encoderParams: { readonly clip: number };

  constructor(
    config: ControllerConfig,
    readonly obsSize: number,
    readonly actSize: number,
    genome?: Float32Array,
  ) {
    this.layout = mlpGenomeLayout(config, obsSize, actSize);
    this.encoderParams = { clip: config.inputClip };
    this.genomeBuf = new Float32Array(this.layout.size);
    const n = sizes(config, obsSize, actSize);
    for (let k = 0; k + 1 < n.length; k++) {
      this.weights.push(this.layout.view(this.genomeBuf, `mlp.l${k}.w`));
      this.biases.push(this.layout.view(this.genomeBuf, `mlp.l${k}.bias`));
    }
    for (const size of n) this.acts.push(new Float32Array(size));
    this.setGenome(genome ?? this.layout.initialize(0));
    const layers: LayerView[] = this.acts.map((a, k) => ({
      name: k === 0 ? 'input' : k === n.length - 1 ? 'action' : `hidden${k - 1}`,
      size: a.length,
      spikes: null,
      counts: null,
      membrane: null,
      activity: a,
    }));
    this.view = { layers, hebb: [], modulation: [] };
  }

  get genome(): Float32Array {
    return this.genomeBuf;
  }

  setGenome(genome: Float32Array): void {
    this.layout.checkLength(genome, 'mlp genome');
    this.genomeBuf.set(genome);
  }

  reset(_seed: number): void {
    for (const a of this.acts) a.fill(0);
  }

  act(observation: Float32Array): Float32Array {
    encodeDirect(observation, this.encoderParams, this.acts[0]);
    for (let k = 0; k < this.weights.length; k++) {
      const out = this.acts[k + 1];
      out.set(this.biases[k]);
      addDense(out, this.acts[k], this.weights[k]);
      for (let j = 0; j < out.length; j++) out[j] = Math.tanh(out[j]);
    }
    return this.acts[this.acts.length - 1];
  }

  introspect(): ControllerIntrospection {
    return this.view;
  }
}
