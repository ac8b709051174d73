/**
 * Cue-reward association, after Backpropamine (Miconi et al. 2019, §4.1), made differentiable.
 *
 * Each episode draws `nCues` fresh random binary cue patterns ({0,1}^cueBits, all distinct) and
 * picks one as the rewarded target. The episode is `trials` trials of
 *   cueSteps    the cue is shown;
 *   respSteps   the cue is still shown and the "respond" channel is 1: the network must output
 *               +1 if this cue pays, −1 if not (loss on these steps);
 *   rewardSteps the cue is still shown and the reward channel carries +1 (the cue was the
 *               target) or −1 (it was not); the same value is the neuromodulator's reward;
 *   gapSteps    nothing.
 * Each trial shows the target with probability 1/2, else a uniformly drawn non-target, so
 * chance is 0.5 and "always no" does not pay. Nothing but the rewards of earlier trials says
 * which cue is the target, so the network must learn it within the episode. Metric: response
 * accuracy (sign of the mean output over the response steps... taken per step here) on the
 * trials from `evalFrom` on.
 *
 * Difference from Backpropamine: the reward is the outcome of the shown cue (Pavlovian), not
 * contingent on the network's choice, so the inputs do not depend on the outputs and the
 * loss is a plain function of the parameters.
 *
 * Input channels: [cue bits (cueBits), respond flag, reward]; one output.
 */
import { Rng, deriveSeed } from '../../core/rng.js';
import { validate, type Schema } from '../../core/schema.js';
import { addInputNoise, allocBatch, type TaskBatch, type TemporalTask } from './task.js';

export interface CueRewardConfig {
  nCues: number;
  cueBits: number;
  trials: number;
  cueSteps: number;
  respSteps: number;
  rewardSteps: number;
  gapSteps: number;
  /** first trial (0-based) counted by the metric */
  evalFrom: number;
}

export const cueRewardSchema: Schema = {
  type: 'object',
  properties: {
    nCues: { type: 'number', integer: true, min: 2, max: 64, default: 4 },
    cueBits: { type: 'number', integer: true, min: 2, max: 256, default: 8 },
    trials: { type: 'number', integer: true, min: 1, default: 12 },
    cueSteps: { type: 'number', integer: true, min: 1, default: 3 },
    respSteps: { type: 'number', integer: true, min: 1, default: 2 },
    rewardSteps: { type: 'number', integer: true, min: 1, default: 2 },
    gapSteps: { type: 'number', integer: true, min: 0, default: 1 },
    evalFrom: { type: 'number', integer: true, min: 0, default: 6 },
  },
};

export class CueRewardTask implements TemporalTask<CueRewardConfig> {
  readonly name = 'cue-reward';
  readonly metricName = 'accuracy on later trials';
  readonly config: CueRewardConfig;
  readonly nIn: number;
  readonly nOut = 1;
  readonly steps: number;
  readonly trialSteps: number;

  constructor(config: Partial<CueRewardConfig> = {}) {
    this.config = validate<CueRewardConfig>(config, cueRewardSchema, 'cue-reward task');
    const c = this.config;
    if (c.nCues > 2 ** c.cueBits - 1) throw new Error(`cue-reward task: nCues ${c.nCues} distinct non-zero cues do not fit in ${c.cueBits} bits`);
    if (c.evalFrom >= c.trials) throw new Error(`cue-reward task: evalFrom ${c.evalFrom} must be < trials ${c.trials}`);
    this.nIn = c.cueBits + 2;
    this.trialSteps = c.cueSteps + c.respSteps + c.rewardSteps + c.gapSteps;
    this.steps = c.trials * this.trialSteps;
  }

  /** Cue patterns and trial sequence of one episode (exposed for tests). */
  episode(seed: number): { cues: Uint8Array[]; target: number; shown: number[] } {
    const c = this.config;
    const rng = new Rng(seed);
    const cues: Uint8Array[] = [];
    const seen = new Set<string>();
    while (cues.length < c.nCues) {
      const p = new Uint8Array(c.cueBits);
      for (let i = 0; i < c.cueBits; i++) p[i] = rng.uniform() < 0.5 ? 1 : 0;
      const key = p.join('');
      if (!p.some((x) => x) || seen.has(key)) continue;
      seen.add(key);
      cues.push(p);
    }
    const target = rng.int(c.nCues);
    const shown: number[] = [];
    for (let k = 0; k < c.trials; k++) {
      if (rng.uniform() < 0.5) shown.push(target);
      else {
        const j = rng.int(c.nCues - 1);
        shown.push(j >= target ? j + 1 : j);
      }
    }
    return { cues, target, shown };
  }

  generate(seed: number, batch: number, noise = 0): TaskBatch {
    const c = this.config;
    const out = allocBatch(this.name, this.steps, batch, this.nIn, this.nOut);
    const respond = c.cueBits;
    const rewardCh = c.cueBits + 1;
    for (let e = 0; e < batch; e++) {
      const epSeed = deriveSeed(seed, e);
      const { cues, target, shown } = this.episode(epSeed);
      for (let k = 0; k < c.trials; k++) {
        const cue = cues[shown[k]];
        const pays = shown[k] === target ? 1 : -1;
        const t0 = k * this.trialSteps;
        for (let s = 0; s < this.trialSteps; s++) {
          const t = t0 + s;
          const row = (t * batch + e) * this.nIn;
          const phase = s < c.cueSteps ? 'cue' : s < c.cueSteps + c.respSteps ? 'resp' : s < c.cueSteps + c.respSteps + c.rewardSteps ? 'reward' : 'gap';
          if (phase !== 'gap') for (let i = 0; i < c.cueBits; i++) out.inputs[row + i] = cue[i];
          if (phase === 'resp') {
            out.inputs[row + respond] = 1;
            out.targets[t * batch + e] = pays;
            out.lossMask[t * batch + e] = 1;
            if (k >= c.evalFrom) out.metricMask[t * batch + e] = 1;
          }
          if (phase === 'reward') {
            out.inputs[row + rewardCh] = pays;
            out.reward[t * batch + e] = pays;
          }
        }
      }
    }
    addInputNoise(out, noise, new Rng(deriveSeed(seed, 0x6e6f6973, batch)), rewardCh);
    return out;
  }
}
