/**
 * What every evolution strategy here is: pure functions over a plain state record, in the
 * shape of evosax's strategies (`algorithms/base.py`):
 *
 *   init(params, x0, {seed, frozen}) → state
 *   ask(state, params, out?)         → population     (member i = memberOf(state, params, i))
 *   tell(state, params, fitness)     → {state, metrics}
 *
 * `params` are the hyperparameters (plain numbers, never stored: a run rebuilds them from its
 * config); `state` is everything that changes (plain data: numbers, booleans and typed arrays),
 * which a checkpoint stores as it is and `read` validates when it comes back. `tell` updates
 * the state IN PLACE and returns the same object (no copies of large arrays per generation).
 *
 * Per-state scratch (this generation's noise, shaped fitness, gradients) lives in a WeakMap
 * keyed by the state object. It is a cache of values computed from the state (seed,
 * generation, frozen), never a second source of truth: dropping it changes nothing.
 */
import { UserError } from '../../core/errors.js';
import { combineMember, fillMaskedNoise } from './sampling.js';

export type StrategyKind = 'openai-es' | 'pgpe' | 'snes';
export const STRATEGY_KINDS: readonly StrategyKind[] = ['openai-es', 'pgpe', 'snes'];
/** Version of the state records (version 1 was the class-based `OptimizerState`, see legacy.ts). */
export const STATE_VERSION = 2;

export type FitnessVector = Float64Array | Float32Array | readonly number[];

/** The fields every state record has: a separable Gaussian N(center, diag(σ²)) and its sampling. */
export interface SearchState {
  kind: StrategyKind;
  version: typeof STATE_VERSION;
  dim: number;
  popSize: number;
  /** Members 2k and 2k+1 share ε_k with signs + and −. */
  antithetic: boolean;
  /** Run seed of the noise (uint32). */
  seed: number;
  /** Generations completed (`tell` increments it). */
  generation: number;
  center: Float64Array;
  /** Per-dimension standard deviation. */
  sigma: Float64Array;
  /** 1 = entry held fixed (no noise, never updated); null when nothing is frozen. */
  frozen: Uint8Array | null;
}

export interface InitOptions {
  seed: number;
  /** Entries held at x0 (1 = frozen), length dim; all zeros counts as none. */
  frozen?: Uint8Array | null;
}

/** What `tell` reports. Arrays are views of scratch, valid until the next `tell` on that state. */
export interface TellMetrics {
  /** ‖ĝ‖ of the centre's ascent estimate. */
  gradNorm: number;
  /** The centre's ascent estimate ĝ (before the inner optimiser). */
  gradient: Float64Array;
  /** The σ gradient estimate (PGPE, SNES); null when σ is fixed. */
  sigmaGradient: Float64Array | null;
}

export interface Strategy<P, S extends SearchState> {
  readonly kind: StrategyKind;
  init(params: P, x0: ArrayLike<number>, options: InitOptions): S;
  /** This generation's population into `out` (allocated if absent; reuse it across generations). */
  ask(state: S, params: P, out?: Float32Array[]): Float32Array[];
  /** Fitness by member index, higher is better; updates `state` in place. */
  tell(state: S, params: P, fitness: FitnessVector): { state: S; metrics: TellMetrics };
  /** Member i of the current generation from the seed alone, into `out` (equals `ask(…)[i]`). */
  memberOf(state: S, params: P, i: number, out: Float32Array): Float32Array;
  /** Validate a state read back from a file (kind, version, dims, array types and lengths). */
  read(raw: unknown, where: string): S;
}

/** The centre as float32 (what a policy stores). */
export function centerOf(state: SearchState): Float32Array {
  return Float32Array.from(state.center);
}

// ---- scratch -----------------------------------------------------------------------------------

export interface Workspace {
  seed: number;
  generation: number;
  frozen: Uint8Array | null;
  /** ε per noise index (popSize/2 if antithetic, else popSize), masked. */
  noise: Float32Array[];
  fitness: Float64Array;
  shaped: Float64Array;
  ranks: Uint32Array;
  /** two dim-length gradient buffers */
  g: Float64Array;
  gSigma: Float64Array;
}

const workspaces = new WeakMap<SearchState, Workspace>();

/** The state's scratch, with `noise` holding ε of the state's current generation. */
export function workspace(s: SearchState): Workspace {
  let w = workspaces.get(s);
  const nNoise = s.antithetic ? s.popSize / 2 : s.popSize;
  if (!w || w.noise.length !== nNoise || w.g.length !== s.dim) {
    w = {
      seed: -1,
      generation: -1,
      frozen: null,
      noise: Array.from({ length: nNoise }, () => new Float32Array(s.dim)),
      fitness: new Float64Array(s.popSize),
      shaped: new Float64Array(s.popSize),
      ranks: new Uint32Array(s.popSize),
      g: new Float64Array(s.dim),
      gSigma: new Float64Array(s.dim),
    };
    workspaces.set(s, w);
  }
  if (w.generation !== s.generation || w.seed !== s.seed || w.frozen !== s.frozen) {
    for (let k = 0; k < nNoise; k++) fillMaskedNoise(s.seed, s.generation, k, s.frozen, w.noise[k]);
    w.seed = s.seed;
    w.generation = s.generation;
    w.frozen = s.frozen;
  }
  return w;
}

// ---- the shared pieces of init / ask / tell / memberOf --------------------------------------------

/** The common part of `init`; `sigma0` fills σ (a number or one value per dimension). */
export function initSearch<K extends StrategyKind>(
  kind: K,
  popSize: number,
  antithetic: boolean,
  x0: ArrayLike<number>,
  sigma0: number | ArrayLike<number>,
  o: InitOptions,
): SearchState & { kind: K } {
  const dim = x0.length;
  const who = `${kind}: init`;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${who}: x0 must have at least one entry, got ${dim}`);
  if (!Number.isInteger(popSize) || popSize < 2) throw new Error(`${who}: population size must be an integer ≥ 2, got ${popSize}`);
  if (antithetic && popSize % 2 !== 0) throw new Error(`${who}: antithetic sampling needs an even population, got ${popSize}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new Error(`${who}: seed must be a uint32, got ${o.seed}`);
  const sigma = new Float64Array(dim);
  if (typeof sigma0 === 'number') sigma.fill(checkPositive(`${who}: initial σ`, sigma0));
  else {
    if (sigma0.length !== dim) throw new Error(`${who}: initial σ has length ${sigma0.length}, expected dim = ${dim}`);
    for (let j = 0; j < dim; j++) sigma[j] = checkPositive(`${who}: initial σ[${j}]`, sigma0[j]);
  }
  let frozen: Uint8Array | null = null;
  if (o.frozen) {
    if (o.frozen.length !== dim) throw new Error(`${who}: frozen mask has length ${o.frozen.length}, expected dim = ${dim}`);
    for (let j = 0; j < dim; j++) if (o.frozen[j] !== 0 && o.frozen[j] !== 1) throw new Error(`${who}: frozen[${j}] is ${o.frozen[j]}; expected 0 or 1`);
    if (o.frozen.some((m) => m === 1)) frozen = Uint8Array.from(o.frozen);
  }
  const center = new Float64Array(dim);
  center.set(x0);
  return { kind, version: STATE_VERSION, dim, popSize, antithetic, seed: o.seed, generation: 0, center, sigma, frozen };
}

export function askSearch(s: SearchState, popSize: number, out?: Float32Array[]): Float32Array[] {
  if (popSize !== s.popSize) throw new Error(`${s.kind} ask: params.popSize ${popSize} does not match the state's ${s.popSize}`);
  const pop = out ?? Array.from({ length: s.popSize }, () => new Float32Array(s.dim));
  if (pop.length !== s.popSize) throw new Error(`${s.kind} ask: out holds ${pop.length} members, expected ${s.popSize}`);
  const { noise } = workspace(s);
  const anti = s.antithetic;
  for (let i = 0; i < s.popSize; i++) {
    if (pop[i].length !== s.dim) throw new Error(`${s.kind} ask: out[${i}] has length ${pop[i].length}, expected ${s.dim}`);
    combineMember(s.center, s.sigma, anti && (i & 1) === 1 ? -1 : 1, noise[anti ? i >> 1 : i], s.frozen, pop[i]);
  }
  return pop;
}

/** Member i rebuilt from the seed alone (no workspace: what a remote worker would run). */
export function memberOfSearch(s: SearchState, i: number, out: Float32Array): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= s.popSize) throw new Error(`${s.kind} memberOf: member ${i} outside [0, ${s.popSize})`);
  if (out.length !== s.dim) throw new Error(`${s.kind} memberOf: out has length ${out.length}, expected ${s.dim}`);
  const index = s.antithetic ? i >> 1 : i;
  const sign = s.antithetic && (i & 1) === 1 ? -1 : 1;
  fillMaskedNoise(s.seed, s.generation, index, s.frozen, out); // ε into out, then x_j overwrites ε_j
  return combineMember(s.center, s.sigma, sign, out, s.frozen, out);
}

/** Copy and check fitness into the workspace (nothing changes on a bad vector). */
export function takeFitness(s: SearchState, popSize: number, fitness: FitnessVector): Workspace {
  if (popSize !== s.popSize) throw new Error(`${s.kind} tell: params.popSize ${popSize} does not match the state's ${s.popSize}`);
  if (fitness.length !== s.popSize) throw new Error(`tell: got ${fitness.length} fitness values, expected popSize = ${s.popSize}`);
  for (let i = 0; i < s.popSize; i++) {
    const f = fitness[i];
    if (typeof f !== 'number' || Number.isNaN(f)) throw new Error(`tell: fitness[${i}] is ${String(f)}; expected a number`);
  }
  const w = workspace(s);
  for (let i = 0; i < s.popSize; i++) w.fitness[i] = fitness[i];
  return w;
}

export function norm(a: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * a[j];
  return Math.sqrt(s);
}

// ---- checks -------------------------------------------------------------------------------------

export function checkPositive(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what} must be a finite number > 0, got ${v}`);
  return v;
}

export function checkRange(what: string, v: number, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${what} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** A stored strategy state that cannot be used; the message names the field. */
export class StrategyStateError extends UserError {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'StrategyStateError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as Float64Array).length}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/** Field readers for `read`: each throws a StrategyStateError naming `where.field`. */
export class StateReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly where: string,
  ) {}

  static of(raw: unknown, where: string): StateReader {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StrategyStateError(where, `expected a strategy state record, got ${describe(raw)}`);
    return new StateReader(raw as Record<string, unknown>, where);
  }

  fail(field: string, expected: string): never {
    throw new StrategyStateError(`${this.where}.${field}`, `expected ${expected}, got ${describe(this.raw[field])}`);
  }

  integer(field: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) this.fail(field, `an integer in [${lo}, ${hi}]`);
    return v as number;
  }

  boolean(field: string): boolean {
    const v = this.raw[field];
    if (typeof v !== 'boolean') this.fail(field, 'true or false');
    return v as boolean;
  }

  float64(field: string, length: number): Float64Array {
    const v = this.raw[field];
    if (!(v instanceof Float64Array) || v.length !== length) this.fail(field, `a Float64Array of ${length}`);
    return v as Float64Array;
  }

  /** A Float64Array of finite values ≥ 0 (σ). */
  nonNegative64(field: string, length: number): Float64Array {
    const a = this.float64(field, length);
    for (let j = 0; j < length; j++) {
      if (!(a[j] >= 0) || !Number.isFinite(a[j])) throw new StrategyStateError(`${this.where}.${field}[${j}]`, `expected a finite number ≥ 0, got ${a[j]}`);
    }
    return a;
  }

  mask(field: string, length: number): Uint8Array | null {
    const v = this.raw[field];
    if (v === null) return null;
    if (!(v instanceof Uint8Array) || v.length !== length) this.fail(field, `null or a Uint8Array of ${length}`);
    const m = v as Uint8Array;
    for (let j = 0; j < length; j++) if (m[j] > 1) throw new StrategyStateError(`${this.where}.${field}[${j}]`, `expected 0 or 1, got ${m[j]}`);
    return m;
  }

  object(field: string): StateReader {
    const v = this.raw[field];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) this.fail(field, 'a record');
    return new StateReader(v as Record<string, unknown>, `${this.where}.${field}`);
  }

  literal<T extends string | number>(field: string, ...allowed: T[]): T {
    const v = this.raw[field] as T;
    if (!allowed.includes(v)) this.fail(field, allowed.map((a) => JSON.stringify(a)).join(' or '));
    return v;
  }
}

/** Validate the fields of `SearchState` for `kind`. */
export function readSearch<K extends StrategyKind>(raw: unknown, where: string, kind: K, antithetic: boolean): { r: StateReader; s: SearchState & { kind: K } } {
  const r = StateReader.of(raw, where);
  r.literal('kind', kind);
  r.literal('version', STATE_VERSION);
  const dim = r.integer('dim', 1);
  const popSize = r.integer('popSize', 2);
  if (r.boolean('antithetic') !== antithetic) r.fail('antithetic', String(antithetic));
  if (antithetic && popSize % 2 !== 0) r.fail('popSize', 'an even number (antithetic pairs)');
  const s = {
    kind,
    version: STATE_VERSION,
    dim,
    popSize,
    antithetic,
    seed: r.integer('seed', 0, 0xffffffff),
    generation: r.integer('generation', 0),
    center: r.float64('center', dim),
    sigma: r.nonNegative64('sigma', dim),
    frozen: r.mask('frozen', dim),
  } as SearchState & { kind: K };
  return { r, s };
}
