/**
 * Reading version-1 optimiser states (the class-based `OptimizerState` that run checkpoints
 * held before the state records): hyperparameters under `hyper`, float64 arrays as base64
 * strings under `arrays`, Adam's step count under `scalars`. They convert to the version-2
 * record exactly (same bits in every array), so an old run resumes where it stopped.
 *
 * Version-1 runs with frozen entries kept the mask outside the optimiser and overwrote the
 * members after sampling, so their centre drifted on frozen entries; the conversion puts the
 * frozen values back into the centre, which is what every evaluated member carried there.
 */
import { decodeFloat64 } from '../../core/codec.js';
import { STATE_VERSION, StateReader, StrategyStateError, STRATEGY_KINDS, type SearchState, type StrategyKind } from './strategy.js';
import type { OpenAIESState } from './openai-es.js';
import type { PGPEState } from './pgpe.js';
import type { SNESState } from './snes.js';

export function isLegacyState(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { version?: unknown }).version === 1 && 'arrays' in raw;
}

/** The frozen entries as version-1 run checkpoints stored them (next to the optimiser). */
export interface LegacyFrozen {
  mask: Uint8Array;
  values: Float32Array;
}

export function migrateLegacyState(raw: unknown, where: string, frozen: LegacyFrozen | null = null): OpenAIESState | PGPEState | SNESState {
  const r = StateReader.of(raw, where);
  const kind = r.literal<StrategyKind>('kind', ...STRATEGY_KINDS);
  const dim = r.integer('dim', 1);
  const popSize = r.integer('popSize', 2);
  const arrays = r.object('arrays');
  const scalars = kind === 'openai-es' ? r.object('scalars') : null;
  const f64 = (name: string): Float64Array => {
    const v = arrays.raw[name];
    if (typeof v !== 'string') arrays.fail(name, `a base64 string of ${dim} float64 values`);
    try {
      return decodeFloat64(v as string, dim, `${arrays.where}.${name}`);
    } catch (e) {
      throw new StrategyStateError(`${arrays.where}.${name}`, (e as Error).message.replace(`${arrays.where}.${name}: `, ''));
    }
  };
  const base: SearchState = {
    kind,
    version: STATE_VERSION,
    dim,
    popSize,
    antithetic: kind !== 'snes',
    seed: r.integer('seed', 0, 0xffffffff),
    generation: r.integer('generation', 0),
    center: f64('center'),
    sigma: f64('sigma'),
    frozen: null,
  };
  if (base.antithetic && popSize % 2 !== 0) r.fail('popSize', 'an even number (antithetic pairs)');
  let velocity: Float64Array | null = null;
  let state: OpenAIESState | PGPEState | SNESState;
  if (kind === 'openai-es') {
    state = { ...base, kind, optimizer: { kind: 'adam', t: scalars!.integer('t', 0), m: f64('m'), v: f64('v') } };
  } else if (kind === 'pgpe') {
    velocity = f64('velocity');
    state = { ...base, kind, optimizer: { kind: 'clipup', velocity } };
  } else {
    state = { ...base, kind };
  }
  if (frozen && frozen.mask.some((m) => m === 1)) {
    if (frozen.mask.length !== dim || frozen.values.length !== dim) {
      throw new StrategyStateError(`${where} (frozen)`, `mask/values have ${frozen.mask.length}/${frozen.values.length} entries, expected dim = ${dim}`);
    }
    state.frozen = Uint8Array.from(frozen.mask);
    for (let j = 0; j < dim; j++) {
      if (frozen.mask[j] !== 1) continue;
      state.center[j] = frozen.values[j];
      if (velocity) velocity[j] = 0;
    }
  }
  return state;
}
