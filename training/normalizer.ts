/**
 * Running observation normalisation, shared across workers without changing results.
 *
 * `RunningStats` accumulates count, mean and M2 = Σ(x − mean)² per dimension in float64:
 * Welford's update for single samples, and the parallel merge of Chan, Golub & LeVeque (1979)
 * for whole accumulators:
 *
 *   n = n_a + n_b,  δ = mean_b − mean_a,  mean = mean_a + δ·n_b/n,  M2 = M2_a + M2_b + δ²·n_a·n_b/n
 *
 * The protocol for a generation: every worker normalises with the same frozen values
 * (`Normalizer.freeze()`, taken before the generation) and accumulates the raw observations it
 * sees into its own fresh `RunningStats`; afterwards the main thread merges the workers' stats
 * into the total in a fixed order (by member index, not by arrival) and freezes again. Floating
 * point merge is not associative, so the fixed order is what keeps results independent of the
 * number of workers and of timing.
 *
 * Normalisation: y_j = clip((x_j − mean_j) / max(std_j, stdFloor), −clip, clip), with
 * std_j = √(M2_j / n) (population variance). With n = 0, mean = 0 and std = 1 (identity).
 */
import { validate, type Schema } from '../core/schema.js';
import { BASE64_PATTERN, decodeFloat64, encodeFloat64 } from '../core/codec.js';
import type { Controller, ControllerIntrospection } from '../controllers/controller.js';

export interface RunningStatsState {
  dim: number;
  count: number;
  /** float64 bytes, base64 */
  mean: string;
  m2: string;
}

export class RunningStats {
  readonly dim: number;
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  constructor(dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`RunningStats: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }

  /** Welford update with one observation (no allocation). */
  push(x: ArrayLike<number>): void {
    if (x.length !== this.dim) throw new Error(`RunningStats.push: observation has length ${x.length}, expected ${this.dim}`);
    const n = ++this.count;
    const { mean, m2 } = this;
    for (let j = 0; j < this.dim; j++) {
      const d = x[j] - mean[j];
      mean[j] += d / n;
      m2[j] += d * (x[j] - mean[j]);
    }
  }

  /** Fold another accumulator into this one (Chan et al.). Order matters at the last bit. */
  merge(other: RunningStats): void {
    if (other.dim !== this.dim) throw new Error(`RunningStats.merge: dim ${other.dim} does not match ${this.dim}`);
    const nb = other.count;
    if (nb === 0) return;
    const na = this.count;
    const n = na + nb;
    for (let j = 0; j < this.dim; j++) {
      const d = other.mean[j] - this.mean[j];
      this.mean[j] += (d * nb) / n;
      this.m2[j] += other.m2[j] + (d * d * na * nb) / n;
    }
    this.count = n;
  }

  reset(): void {
    this.count = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }

  /** Population variance of dimension j (0 when count = 0). */
  variance(j: number): number {
    return this.count > 0 ? this.m2[j] / this.count : 0;
  }

  getState(): RunningStatsState {
    return { dim: this.dim, count: this.count, mean: encodeFloat64(this.mean), m2: encodeFloat64(this.m2) };
  }

  setState(state: RunningStatsState): void {
    const s = validate<RunningStatsState>(state, statsSchema, 'running stats state');
    if (s.dim !== this.dim) throw new Error(`running stats state: dim ${s.dim} does not match ${this.dim}`);
    const mean = decodeFloat64(s.mean, this.dim, 'running stats state: mean');
    const m2 = decodeFloat64(s.m2, this.dim, 'running stats state: m2');
    this.count = s.count;
    this.mean.set(mean);
    this.m2.set(m2);
  }

  static fromState(state: RunningStatsState): RunningStats {
    const r = new RunningStats(state.dim);
    r.setState(state);
    return r;
  }
}

const statsSchema: Schema = {
  type: 'object',
  required: ['dim', 'count', 'mean', 'm2'],
  properties: {
    dim: { type: 'number', min: 1, integer: true },
    count: { type: 'number', min: 0, integer: true },
    mean: { type: 'string', pattern: BASE64_PATTERN },
    m2: { type: 'string', pattern: BASE64_PATTERN },
  },
};

export interface NormalizerOptions {
  /** Lower bound on the std used for scaling (default 1e-2). */
  stdFloor?: number;
  /** Normalised values are clipped to ±clip (default 5). */
  clip?: number;
}

/** The values used for one generation; plain data, so it can be posted to workers. */
export interface FrozenNormalization {
  mean: Float32Array;
  /** 1 / max(std, stdFloor) */
  invStd: Float32Array;
  clip: number;
}

export interface NormalizerState {
  stdFloor: number;
  clip: number;
  stats: RunningStatsState;
}

export class Normalizer {
  readonly dim: number;
  readonly stdFloor: number;
  readonly clip: number;
  /** Everything seen so far (merged in a fixed order). */
  readonly stats: RunningStats;
  private readonly frozenMean: Float32Array;
  private readonly frozenInvStd: Float32Array;

  constructor(dim: number, o: NormalizerOptions = {}) {
    this.dim = dim;
    this.stats = new RunningStats(dim);
    this.stdFloor = o.stdFloor ?? 1e-2;
    this.clip = o.clip ?? 5;
    if (!(this.stdFloor > 0) || !Number.isFinite(this.stdFloor)) throw new Error(`Normalizer: stdFloor must be > 0, got ${this.stdFloor}`);
    if (!(this.clip > 0)) throw new Error(`Normalizer: clip must be > 0, got ${this.clip}`);
    this.frozenMean = new Float32Array(dim);
    this.frozenInvStd = new Float32Array(dim).fill(1);
    this.freeze();
  }

  /** Recompute the frozen mean and 1/std from the running stats; returns them (copies). */
  freeze(): FrozenNormalization {
    const s = this.stats;
    for (let j = 0; j < this.dim; j++) {
      if (s.count === 0) {
        this.frozenMean[j] = 0;
        this.frozenInvStd[j] = 1;
      } else {
        this.frozenMean[j] = s.mean[j];
        this.frozenInvStd[j] = 1 / Math.max(Math.sqrt(s.variance(j)), this.stdFloor);
      }
    }
    return this.frozen();
  }

  /** The current frozen values (copies). */
  frozen(): FrozenNormalization {
    return { mean: this.frozenMean.slice(), invStd: this.frozenInvStd.slice(), clip: this.clip };
  }

  /** out = clip((obs − mean)·invStd) with the frozen values; `out` may be `obs`. No allocation. */
  normalize(obs: ArrayLike<number>, out: Float32Array | Float64Array): void {
    normalizeWith(this.frozenMean, this.frozenInvStd, this.clip, obs, out);
  }

  /** Merge worker stats into the total, in the given (fixed) order. Does not re-freeze. */
  merge(...parts: RunningStats[]): void {
    for (const p of parts) this.stats.merge(p);
  }

  getState(): NormalizerState {
    return { stdFloor: this.stdFloor, clip: this.clip, stats: this.stats.getState() };
  }

  /** A normaliser restored from state, frozen from the restored stats. */
  static fromState(state: NormalizerState): Normalizer {
    const s = validate<NormalizerState>(state, normalizerSchema, 'normalizer state');
    const n = new Normalizer(s.stats.dim, { stdFloor: s.stdFloor, clip: s.clip });
    n.stats.setState(s.stats);
    n.freeze();
    return n;
  }
}

const normalizerSchema: Schema = {
  type: 'object',
  required: ['stdFloor', 'clip', 'stats'],
  properties: {
    stdFloor: { type: 'number', min: 0, exclusiveMin: true },
    clip: { type: 'number', min: 0, exclusiveMin: true },
    stats: { type: 'any' },
  },
};

/** The normalisation kernel on frozen values (usable in a worker from `FrozenNormalization`). */
export function normalizeWith(
  mean: Float32Array,
  invStd: Float32Array,
  clip: number,
  obs: ArrayLike<number>,
  out: Float32Array | Float64Array,
): void {
  const n = mean.length;
  if (obs.length !== n || out.length !== n) throw new Error(`normalize: obs/out have length ${obs.length}/${out.length}, expected ${n}`);
  for (let j = 0; j < n; j++) {
    const y = (obs[j] - mean[j]) * invStd[j];
    out[j] = y > clip ? clip : y < -clip ? -clip : y;
  }
}

/**
 * The observation normaliser as a controller wrapper (like controllers/clock.ts's clock
 * inputs): `act(obs)` pushes the raw observation into `stats` (when collecting), normalises it
 * with the frozen values into a buffer of its own and hands that to the inner controller.
 * Without frozen values the raw observation goes to the inner controller as it is. Genome,
 * layout and introspection pass through, so a worker can `setGenome` through the wrapper.
 */
export class NormalizedInputs implements Controller {
  readonly kind: string;
  readonly obsSize: number;
  readonly actSize: number;
  private readonly input: Float32Array;
  private frozenValues: FrozenNormalization | null;
  private collecting: RunningStats | null;

  constructor(
    readonly inner: Controller,
    frozen: FrozenNormalization | null,
    stats: RunningStats | null = null,
  ) {
    this.kind = inner.kind;
    this.obsSize = inner.obsSize;
    this.actSize = inner.actSize;
    this.input = new Float32Array(inner.obsSize);
    this.frozenValues = frozen;
    this.collecting = stats;
    if (inner.introspect) this.introspect = () => inner.introspect!();
  }

  /** Normalise with these frozen values from now on (null: raw observations). */
  setFrozen(frozen: FrozenNormalization | null): void {
    if (frozen && frozen.mean.length !== this.obsSize) throw new Error(`NormalizedInputs: normaliser has ${frozen.mean.length} dimensions, the controller ${this.obsSize} observations`);
    this.frozenValues = frozen;
  }

  /** Accumulate the raw observations seen into `stats` from now on (null: don't). */
  collectInto(stats: RunningStats | null): void {
    this.collecting = stats;
  }

  reset(seed: number): void {
    this.inner.reset(seed);
  }

  act(observation: Float32Array, reward?: number): Float32Array {
    this.collecting?.push(observation);
    const f = this.frozenValues;
    if (!f) return this.inner.act(observation, reward);
    normalizeWith(f.mean, f.invStd, f.clip, observation, this.input);
    return this.inner.act(this.input, reward);
  }

  /** present when the inner controller has it */
  readonly introspect?: () => ControllerIntrospection;
}
