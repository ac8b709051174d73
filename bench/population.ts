import { Rng } from '../core/rng.js';
import { initGenome, type GenomeLayout } from '../controllers/index.js';

/** A bench population: `size` genomes around initGenome(layout, 1), perturbed by N(0, 0.05²) from seed 1. */
export function benchPopulation(layout: GenomeLayout, size: number): Float32Array[] {
  const rng = new Rng(1);
  const base = initGenome(layout, 1);
  return Array.from({ length: size }, () => {
    const g = base.slice();
    for (let i = 0; i < g.length; i++) g[i] += 0.05 * rng.normal();
    return g;
  });
}
