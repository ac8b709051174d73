/**
 * Fitness shaping: turn raw returns into rank-based weights, so the update is invariant to
 * monotone transformations of fitness and robust to outliers.
 *
 * Ties: members with equal fitness share the average of the ranks (or utilities) they span.
 * This is deterministic and independent of member order, and it matters for antithetic
 * pairs: when F(θ+σε) = F(θ−σε) (e.g. both robots fell at step 0) the pair contributes exactly
 * zero, where breaking ties by index would inject a spurious step along −ε.
 */

/**
 * A fitness shaping as the strategies take it: raw fitness → one weight per member into `out`
 * (scratch: member indices). Strategies are built with one (`makeOpenAIES(adam, centeredRanks)`).
 */
export type FitnessShaping = (fitness: Float64Array, out: Float64Array, scratch: Uint32Array) => Float64Array;

/** Indices sorted by fitness, ascending (ties by index, only to make the sort total). */
function sortIndices(fitness: ArrayLike<number>, idx: Uint32Array): void {
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => fitness[a] - fitness[b] || a - b);
}

function checkFinite(fitness: ArrayLike<number>): void {
  for (let i = 0; i < fitness.length; i++) {
    const f = fitness[i];
    if (typeof f !== 'number' || Number.isNaN(f)) throw new Error(`fitness[${i}] is ${String(f)}; expected a number (±Infinity allowed, NaN not)`);
  }
}

/**
 * Centred ranks (Salimans et al. 2017): rank r ∈ {0..n−1} ascending by fitness, mapped to
 * r/(n−1) − 0.5 ∈ [−0.5, 0.5]. Example: [3, 1, 2] → [0.5, −0.5, 0]. n = 1 gives [0].
 * `out` and `scratch` may be passed to avoid allocation.
 */
export function centeredRanks(
  fitness: ArrayLike<number>,
  out: Float64Array = new Float64Array(fitness.length),
  scratch: Uint32Array = new Uint32Array(fitness.length),
): Float64Array {
  const n = fitness.length;
  if (out.length !== n || scratch.length !== n) throw new Error(`centeredRanks: out/scratch must have length ${n}`);
  checkFinite(fitness);
  if (n === 1) {
    out[0] = 0;
    return out;
  }
  sortIndices(fitness, scratch);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && fitness[scratch[j]] === fitness[scratch[i]]) j++;
    const rank = (i + j - 1) / 2; // average rank of the tie group i..j−1
    const v = rank / (n - 1) - 0.5;
    for (let k = i; k < j; k++) out[scratch[k]] = v;
    i = j;
  }
  return out;
}

/**
 * NES utilities (Wierstra et al. 2014, Schaul et al. 2011) for population size n, indexed by
 * rank with 0 = best: u_r = max(0, ln(n/2 + 1) − ln(r + 1)) / Σ_s max(0, ln(n/2 + 1) − ln(s + 1)) − 1/n.
 * They sum to zero.
 */
export function utilities(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`utilities: n must be a positive integer, got ${n}`);
  const u = new Float64Array(n);
  const top = Math.log(n / 2 + 1);
  let sum = 0;
  for (let r = 0; r < n; r++) {
    u[r] = Math.max(0, top - Math.log(r + 1));
    sum += u[r];
  }
  for (let r = 0; r < n; r++) u[r] = u[r] / sum - 1 / n;
  return u;
}

/**
 * Per-member utilities: member i gets `table[rank_i]` with rank 0 = best; tied members share
 * the mean utility of their tie group. `table` defaults to `utilities(n)`.
 */
export function utilityWeights(
  fitness: ArrayLike<number>,
  out: Float64Array = new Float64Array(fitness.length),
  table: Float64Array = utilities(fitness.length),
  scratch: Uint32Array = new Uint32Array(fitness.length),
): Float64Array {
  const n = fitness.length;
  if (out.length !== n || table.length !== n || scratch.length !== n) throw new Error(`utilityWeights: out/table/scratch must have length ${n}`);
  checkFinite(fitness);
  sortIndices(fitness, scratch); // ascending: scratch[n−1] is the best, rank 0
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && fitness[scratch[j]] === fitness[scratch[i]]) j++;
    let s = 0;
    for (let k = i; k < j; k++) s += table[n - 1 - k];
    const v = s / (j - i);
    for (let k = i; k < j; k++) out[scratch[k]] = v;
    i = j;
  }
  return out;
}

const utilityTables = new Map<number, Float64Array>();

/** `utilityWeights` with the table for n = fitness.length (computed once per n): SNES's shaping. */
export const nesUtilities: FitnessShaping = (fitness, out, scratch) => {
  let table = utilityTables.get(fitness.length);
  if (!table) utilityTables.set(fitness.length, (table = utilities(fitness.length)));
  return utilityWeights(fitness, out, table, scratch);
};
