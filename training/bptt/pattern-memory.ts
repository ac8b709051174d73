/**
 * Pattern memorisation and completion, after Miconi, Clune & Stanley 2018 ("Differentiable
 * plasticity", §4.2), at a small scale.
 *
 * Each episode draws `nPatterns` random ±1 patterns of `bits` bits. Each is shown for
 * `showSteps` steps followed by `gapSteps` of silence, the whole sequence `repeats` times.
 * Then a degraded copy of one of them (a random half of its bits set to 0) is shown for
 * `probeSteps` steps with the "probe" channel at 1, and the network must output the complete
 * pattern (all `bits` outputs, targets ±1) on the probe steps after the first. The metric
 * is the sign accuracy on the *zeroed* bits only (chance 0.5): the visible bits could be
 * copied through without any memory.
 *
 * Input channels: [pattern bits (bits), probe flag]; `bits` outputs. No reward (0).
 */
import { Rng, deriveSeed } from '../../core/rng.js';
import { validate, type Schema } from '../../core/schema.js';
import { addInputNoise, allocBatch, type TaskBatch, type TemporalTask } from './task.js';

export interface PatternMemoryConfig {
  nPatterns: number;
  bits: number;
  showSteps: number;
  gapSteps: number;
  repeats: number;
  probeSteps: number;
}

export const patternMemorySchema: Schema = {
  type: 'object',
  properties: {
    nPatterns: { type: 'number', integer: true, min: 1, max: 64, default: 3 },
    bits: { type: 'number', integer: true, min: 2, max: 1024, default: 8 },
    showSteps: { type: 'number', integer: true, min: 1, default: 3 },
    gapSteps: { type: 'number', integer: true, min: 0, default: 2 },
    repeats: { type: 'number', integer: true, min: 1, default: 2 },
    probeSteps: { type: 'number', integer: true, min: 2, default: 4 },
  },
};

export class PatternMemoryTask implements TemporalTask<PatternMemoryConfig> {
  readonly name = 'pattern-memory';
  readonly metricName = 'bit accuracy on the zeroed bits';
  readonly config: PatternMemoryConfig;
  readonly nIn: number;
  readonly nOut: number;
  readonly steps: number;
  readonly probeStart: number;

  constructor(config: Partial<PatternMemoryConfig> = {}) {
    this.config = validate<PatternMemoryConfig>(config, patternMemorySchema, 'pattern-memory task');
    const c = this.config;
    this.nIn = c.bits + 1;
    this.nOut = c.bits;
    this.probeStart = c.repeats * c.nPatterns * (c.showSteps + c.gapSteps);
    this.steps = this.probeStart + c.probeSteps;
  }

  /** Patterns, the probed index and the zeroed-bit mask of one episode (exposed for tests). */
  episode(seed: number): { patterns: Int8Array[]; probe: number; zeroed: Uint8Array } {
    const c = this.config;
    const rng = new Rng(seed);
    const patterns: Int8Array[] = [];
    for (let p = 0; p < c.nPatterns; p++) {
      const x = new Int8Array(c.bits);
      for (let i = 0; i < c.bits; i++) x[i] = rng.uniform() < 0.5 ? 1 : -1;
      patterns.push(x);
    }
    const probe = rng.int(c.nPatterns);
    // a random half of the bits (Fisher-Yates prefix)
    const idx = Array.from({ length: c.bits }, (_, i) => i);
    for (let i = 0; i < c.bits - 1; i++) {
      const j = i + rng.int(c.bits - i);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const zeroed = new Uint8Array(c.bits);
    for (let i = 0; i < c.bits >> 1; i++) zeroed[idx[i]] = 1;
    return { patterns, probe, zeroed };
  }

  generate(seed: number, batch: number, noise = 0): TaskBatch {
    const c = this.config;
    const out = allocBatch(this.name, this.steps, batch, this.nIn, this.nOut);
    for (let e = 0; e < batch; e++) {
      const { patterns, probe, zeroed } = this.episode(deriveSeed(seed, e));
      let t = 0;
      for (let r = 0; r < c.repeats; r++) {
        for (let p = 0; p < c.nPatterns; p++) {
          for (let s = 0; s < c.showSteps; s++, t++) {
            const row = (t * batch + e) * this.nIn;
            for (let i = 0; i < c.bits; i++) out.inputs[row + i] = patterns[p][i];
          }
          t += c.gapSteps;
        }
      }
      const target = patterns[probe];
      for (let s = 0; s < c.probeSteps; s++, t++) {
        const row = (t * batch + e) * this.nIn;
        for (let i = 0; i < c.bits; i++) out.inputs[row + i] = zeroed[i] ? 0 : target[i];
        out.inputs[row + c.bits] = 1;
        if (s === 0) continue; // one step for the input to reach the output
        out.lossMask[t * batch + e] = 1;
        for (let i = 0; i < c.bits; i++) {
          out.targets[(t * batch + e) * this.nOut + i] = target[i];
          if (zeroed[i]) out.metricMask[(t * batch + e) * this.nOut + i] = 1;
        }
      }
    }
    addInputNoise(out, noise, new Rng(deriveSeed(seed, 0x6e6f6973, batch)), null);
    return out;
  }
}
