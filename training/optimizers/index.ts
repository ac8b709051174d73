/** The evolution strategies, their shared interface, and construction from a saved state. */
import type { Optimizer, OptimizerState } from './optimizer.js';
import { OpenAIES } from './openai-es.js';
import { PGPE } from './pgpe.js';
import { SNES } from './snes.js';

export * from './optimizer.js';
export * from './shaping.js';
export { OpenAIES, antitheticGradient, type OpenAIESOptions } from './openai-es.js';
export { PGPE, type PGPEOptions } from './pgpe.js';
export { SNES, snesDefaultPopSize, type SNESOptions } from './snes.js';

/** Rebuild an optimiser (any kind) from `getState()` output, e.g. when resuming a run. */
export function optimizerFromState(state: OptimizerState): Optimizer {
  let opt: Optimizer;
  const base = { dim: state?.dim, seed: state?.seed };
  switch (state?.kind) {
    case 'openai-es':
      opt = new OpenAIES({ ...base, pairs: state.popSize / 2 });
      break;
    case 'pgpe':
      opt = new PGPE({ ...base, popSize: state.popSize });
      break;
    case 'snes':
      opt = new SNES({ ...base, popSize: state.popSize });
      break;
    default:
      throw new Error(`optimizer state: unknown kind ${JSON.stringify(state?.kind)} (expected openai-es, pgpe or snes)`);
  }
  opt.setState(state);
  return opt;
}
