/**
 * The evolution strategies (plain state records with init/ask/tell, see strategy.ts), their
 * inner optimisers and fitness shapings, and reading a stored state of any kind.
 */
import { openAIES, type OpenAIESState } from './openai-es.js';
import { pgpe, type PGPEState } from './pgpe.js';
import { snes, type SNESState } from './snes.js';
import { isLegacyState, migrateLegacyState, type LegacyFrozen } from './legacy.js';
import { STRATEGY_KINDS, StateReader, type FitnessVector, type SearchState, type Strategy, type StrategyKind, type TellMetrics } from './strategy.js';

export * from './strategy.js';
export * from './sampling.js';
export * from './shaping.js';
export * from './inner.js';
export { openAIES, makeOpenAIES, openAIESParams, antitheticGradient, type OpenAIESParams, type OpenAIESState } from './openai-es.js';
export { pgpe, makePGPE, pgpeParams, type PGPEParams, type PGPEState, type PGPEOptions } from './pgpe.js';
export { snes, makeSNES, snesParams, snesDefaultPopSize, type SNESParams, type SNESState } from './snes.js';
export { isLegacyState, migrateLegacyState, type LegacyFrozen } from './legacy.js';

export type AnyState = OpenAIESState | PGPEState | SNESState;

/** The default strategy of each kind (OpenAI-ES + Adam, PGPE + ClipUp, SNES). */
export const strategies = { 'openai-es': openAIES, pgpe, snes } as const;

/**
 * Validate a stored state of any kind (version 2), or convert a version-1 `OptimizerState`
 * (`legacyFrozen`: the frozen entries a version-1 run kept beside it). Errors name the field.
 */
export function readStrategyState(raw: unknown, where: string, legacyFrozen: LegacyFrozen | null = null): AnyState {
  if (isLegacyState(raw)) return migrateLegacyState(raw, where, legacyFrozen);
  const kind = StateReader.of(raw, where).literal<StrategyKind>('kind', ...STRATEGY_KINDS);
  return strategies[kind].read(raw, where);
}

/**
 * A strategy with its params and state held together, for a loop that does not care which
 * kind it runs (the run loop). Holds nothing of its own: `state` is the record to checkpoint.
 */
export interface SearchRun<S extends SearchState = SearchState> {
  readonly kind: StrategyKind;
  readonly state: S;
  ask(out?: Float32Array[]): Float32Array[];
  tell(fitness: FitnessVector): TellMetrics;
  memberOf(i: number, out: Float32Array): Float32Array;
}

export function searchRun<P, S extends SearchState>(strategy: Strategy<P, S>, params: P, state: S): SearchRun<S> {
  if (state.kind !== strategy.kind) throw new Error(`searchRun: a ${state.kind} state for the ${strategy.kind} strategy`);
  return {
    kind: strategy.kind,
    state,
    ask: (out) => strategy.ask(state, params, out),
    tell: (fitness) => strategy.tell(state, params, fitness).metrics,
    memberOf: (i, out) => strategy.memberOf(state, params, i, out),
  };
}
