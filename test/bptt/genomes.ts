import { Rng } from '../../core/rng.js';
import type { GenomeLayout } from '../../controllers/genome.js';

/**
 * A genome with plasticity strong enough to matter over a few steps: the layout's seeded
 * initialisation, then every α and neuromodulator weight redrawn as N(0, 0.5²) from `rng`
 * (which the caller keeps drawing inputs from). `inputGain` scales the input weights.
 */
export function strongPlasticGenome(layout: GenomeLayout, seed: number, rng: Rng, inputGain = 1): Float32Array {
  const genome = layout.initialize(seed);
  for (const s of layout.slices) {
    const v = layout.view(genome, s.name);
    if (s.name.endsWith('.alpha') || s.name.includes('.mod.')) for (let i = 0; i < v.length; i++) v[i] = 0.5 * rng.normal();
    if (s.name === 'input.w') for (let i = 0; i < v.length; i++) v[i] *= inputGain;
  }
  return genome;
}
