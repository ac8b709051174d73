import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { encodeFloat64 } from '../../core/codec.js';
import { readCheckpoint, writeCheckpoint } from '../../training/checkpoint.js';
import {
  antitheticGradient,
  centerOf,
  centeredRanks,
  fillNoise,
  openAIES,
  openAIESParams,
  pgpe,
  pgpeParams,
  readStrategyState,
  snes,
  snesParams,
  utilityWeights,
  StrategyStateError,
  adam,
  adamParams,
  clipUp,
  clipUpParams,
  makeOpenAIES,
  makePGPE,
  type FitnessShaping,
  type SearchState,
  type Strategy,
} from '../../training/es/index.js';
import { legacyStates, legacyTrajectories } from './es-v1-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'spikeloco-es-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// ---- problems --------------------------------------------------------------------------------

const D = 100;
const target = new Float64Array(D);
{
  const r = new Rng(1);
  for (let j = 0; j < D; j++) target[j] = r.range(-1, 1);
}
/** f(x) = −‖x − x*‖², maximum 0 at x* ∈ [−1, 1]^100. */
const quadratic = (x: Float32Array): number => {
  let s = 0;
  for (let j = 0; j < D; j++) s += (x[j] - target[j]) ** 2;
  return -s;
};

const RD = 10;
/** Negated Rastrigin, maximum 0 at the origin; start uniform in [−5.12, 5.12]^10. */
const rastrigin = (x: Float32Array): number => {
  let s = 10 * RD;
  for (let j = 0; j < RD; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return -s;
};
const rastriginStart = new Float32Array(RD);
{
  const r = new Rng(5);
  for (let j = 0; j < RD; j++) rastriginStart[j] = r.range(-5.12, 5.12);
}

/** Run `gens` generations (one preallocated population); return final and best centre fitness. */
function run<P, S extends SearchState>(st: Strategy<P, S>, p: P, s: S, f: (x: Float32Array) => number, gens: number): { final: number; best: number } {
  const fit = new Float64Array(s.popSize);
  let pop: Float32Array[] | undefined;
  let best = -Infinity;
  for (let g = 0; g < gens; g++) {
    pop = st.ask(s, p, pop);
    for (let i = 0; i < pop.length; i++) fit[i] = f(pop[i]);
    st.tell(s, p, fit);
    best = Math.max(best, f(centerOf(s)));
  }
  return { final: f(centerOf(s)), best };
}

const zeros = (n: number) => new Float32Array(n);

// ---- convergence -----------------------------------------------------------------------------

test('OpenAI-ES: 100-D quadratic to ‖θ − x*‖² < 1e-3 in 300 generations (100 members)', () => {
  const p = openAIESParams({ pairs: 50, sigma: 0.02, lr: 0.01, weightDecay: 0 });
  const s = openAIES.init(p, zeros(D), { seed: 1 });
  const start = quadratic(centerOf(s));
  const { final } = run(openAIES, p, s, quadratic, 300);
  assert.ok(start < -20, `start ${start}`);
  assert.ok(final > -1e-3, `final −‖θ − x*‖² = ${final}`);
});

test('PGPE+ClipUp: 100-D quadratic to ‖μ − x*‖² < 0.02 in 400 generations (100 members)', () => {
  const p = pgpeParams({ popSize: 100, maxSpeed: 0.03 });
  const { final } = run(pgpe, p, pgpe.init(p, zeros(D), { seed: 1 }), quadratic, 400);
  assert.ok(final > -0.02, `final −‖μ − x*‖² = ${final}`);
});

test('SNES: 100-D quadratic to ‖μ − x*‖² < 2e-3 in 800 generations (default 17 members)', () => {
  const p = snesParams(D);
  assert.equal(p.popSize, 17);
  const { final } = run(snes, p, snes.init(p, zeros(D), { seed: 1 }), quadratic, 800);
  assert.ok(final > -2e-3, `final −‖μ − x*‖² = ${final}`);
});

test('OpenAI-ES: 10-D Rastrigin from ≈ −230 to ≥ −10 in 400 generations', () => {
  const p = openAIESParams({ pairs: 50, sigma: 1.5, lr: 0.03, weightDecay: 0 });
  const s = openAIES.init(p, rastriginStart, { seed: 1 });
  assert.ok(rastrigin(centerOf(s)) < -200);
  const { final } = run(openAIES, p, s, rastrigin, 400);
  assert.ok(final >= -10, `final ${final}`);
});

test('PGPE+ClipUp: 10-D Rastrigin, best centre ≥ −20 within 400 generations', () => {
  // ClipUp keeps moving at up to maxSpeed, so on this noisy landscape the centre wanders around
  // the optimum; the best centre seen (what a run keeps) is the stable measure.
  const p = pgpeParams({ popSize: 200, maxSpeed: 0.05, radiusInit: 10 });
  const { best } = run(pgpe, p, pgpe.init(p, rastriginStart, { seed: 1 }), rastrigin, 400);
  assert.ok(best >= -20, `best ${best}`);
});

test('SNES: 10-D Rastrigin to ≥ −5 in 300 generations', () => {
  const p = snesParams(RD, { popSize: 50, stdevInit: 3 });
  const { final } = run(snes, p, snes.init(p, rastriginStart, { seed: 1 }), rastrigin, 300);
  assert.ok(final >= -5, `final ${final}`);
});

// ---- hand-computed updates ----------------------------------------------------------------------

test('antithetic gradient: 2 pairs, given ε and fitness → exact g', () => {
  const eps = [Float32Array.from([1, 2]), Float32Array.from([-1, 0.5])];
  // members [θ+σε0, θ−σε0, θ+σε1, θ−σε1] with fitness [4, 1, 2, 3] → centred ranks
  // [0.5, −0.5, −1/6, 1/6]; pair weights 1 and −1/3; g = 1/(4σ)·(ε0 − ε1/3), σ = 0.5
  const shaped = centeredRanks([4, 1, 2, 3]);
  const g = antitheticGradient(eps, shaped, 0.5, new Float64Array(2));
  assert.ok(Math.abs(g[0] - 2 / 3) < 1e-15, `g0 ${g[0]}`);
  assert.ok(Math.abs(g[1] - 11 / 12) < 1e-15, `g1 ${g[1]}`);
  // a tied pair (F⁺ = F⁻) contributes nothing
  const t = antitheticGradient(eps, centeredRanks([5, 5, 2, 3]), 0.5, new Float64Array(2));
  const w = centeredRanks([5, 5, 2, 3]);
  assert.equal(w[0] - w[1], 0);
  assert.deepEqual(Array.from(t), [((w[2] - w[3]) * -1) / 2, ((w[2] - w[3]) * 0.5) / 2]);
});

test('OpenAI-ES: members are θ ± σε from derived seeds; one tell = g, then one Adam step with decay', () => {
  const sigma = 0.1, lr = 0.05, l2 = 0.01, b1 = 0.9, b2 = 0.999, ae = 1e-8;
  const init = Float32Array.from([0.5, -1, 2]);
  const p = openAIESParams({ pairs: 2, sigma, lr, weightDecay: l2, beta1: b1, beta2: b2, eps: ae });
  const s = openAIES.init(p, init, { seed: 77 });
  const pop = openAIES.ask(s, p);
  const eps = [0, 1].map((k) => fillNoise(77, 0, k, new Float32Array(3)));
  for (let k = 0; k < 2; k++) {
    for (let j = 0; j < 3; j++) {
      assert.equal(pop[2 * k][j], Math.fround(init[j] + sigma * eps[k][j]));
      assert.equal(pop[2 * k + 1][j], Math.fround(init[j] - sigma * eps[k][j]));
    }
  }
  const { state, metrics } = openAIES.tell(s, p, [4, 1, 2, 3]);
  assert.equal(state, s, 'tell updates the record in place');
  assert.equal(s.generation, 1);
  assert.equal(s.optimizer.t, 1);
  const w = [1, -1 / 3];
  for (let j = 0; j < 3; j++) {
    const gj = (w[0] * eps[0][j] + w[1] * eps[1][j]) / (4 * sigma);
    assert.ok(Math.abs(metrics.gradient[j] - gj) < 1e-12, `g[${j}]`);
    // Adam, t = 1: m = (1−β1)d, v = (1−β2)d², step = lr·√(1−β2)/(1−β1)·m/(√v + ε)
    const d = -gj + l2 * init[j];
    const m = (1 - b1) * d, v = (1 - b2) * d * d;
    const expected = init[j] - ((lr * Math.sqrt(1 - b2)) / (1 - b1)) * (m / (Math.sqrt(v) + ae));
    assert.ok(Math.abs(s.center[j] - expected) < 1e-12, `θ[${j}] = ${s.center[j]}, expected ${expected}`);
  }
  assert.ok(Math.abs(metrics.gradNorm - Math.hypot(...metrics.gradient)) < 1e-15);
});

test('OpenAI-ES: with equal fitness only weight decay acts, shrinking θ towards 0', () => {
  const init = Float32Array.from([1, -2, 0.5]);
  const p = openAIESParams({ pairs: 3, lr: 0.01, weightDecay: 0.1 });
  const s = openAIES.init(p, init, { seed: 1 });
  openAIES.ask(s, p);
  const { metrics } = openAIES.tell(s, p, [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(metrics.gradient), [0, 0, 0]);
  const c = centerOf(s);
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(c[j]) < Math.abs(init[j]) && Math.sign(c[j]) === Math.sign(init[j]), `θ[${j}] ${c[j]}`);
  // first Adam step has magnitude ≈ lr in every coordinate
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(Math.abs(init[j] - c[j]) - 0.01) < 1e-6);
});

test('PGPE: gradients by the stated formula; ClipUp first step has length α; speed never exceeds v_max', () => {
  const dim = 4, P = 3, maxSpeed = 0.2;
  const p = pgpeParams({ popSize: 2 * P, maxSpeed, stdevInit: 0.5, momentum: 0.9 });
  const s = pgpe.init(p, zeros(dim), { seed: 9 });
  const fit = [3, -1, 0.5, 2, 7, 1];
  pgpe.ask(s, p);
  const mu0 = s.center.slice();
  const sigma0 = s.sigma.slice();
  const { metrics } = pgpe.tell(s, p, fit);
  const c = centeredRanks(fit);
  const gMu = new Float64Array(dim), gS = new Float64Array(dim);
  for (let k = 0; k < P; k++) {
    const e = fillNoise(9, 0, k, new Float32Array(dim));
    const a = (c[2 * k] - c[2 * k + 1]) / 2, b = (c[2 * k] + c[2 * k + 1]) / 2;
    for (let j = 0; j < dim; j++) {
      const sj = sigma0[j] * e[j];
      gMu[j] += (a * sj) / P;
      gS[j] += (b * (sj * sj - sigma0[j] ** 2)) / sigma0[j] / P;
    }
  }
  for (let j = 0; j < dim; j++) {
    assert.ok(Math.abs(metrics.gradient[j] - gMu[j]) < 1e-12);
    assert.ok(Math.abs(metrics.sigmaGradient![j] - gS[j]) < 1e-12);
  }
  // first step: v = α·g/‖g‖ with α = maxSpeed/2
  const norm = Math.hypot(...gMu);
  for (let j = 0; j < dim; j++) assert.ok(Math.abs(s.center[j] - mu0[j] - ((maxSpeed / 2) * gMu[j]) / norm) < 1e-12);
  // σ: relative change bounded by 0.2
  for (let j = 0; j < dim; j++) {
    const expected = sigma0[j] + Math.max(-0.2 * sigma0[j], Math.min(0.2 * sigma0[j], 0.1 * gS[j]));
    assert.ok(Math.abs(s.sigma[j] - expected) < 1e-15);
  }

  // a consistent gradient (f = x_0) accelerates to exactly maxSpeed and no further
  const lp = pgpeParams({ popSize: 20, maxSpeed, stdevInit: 0.1, stdevLearningRate: 100 });
  const lin = pgpe.init(lp, zeros(dim), { seed: 3 });
  const f = new Float64Array(20);
  let prev = lin.center.slice();
  let maxStep = 0, lastStep = 0;
  for (let g = 0; g < 30; g++) {
    const sd0 = lin.sigma.slice();
    const pop = pgpe.ask(lin, lp);
    for (let i = 0; i < 20; i++) f[i] = pop[i][0];
    pgpe.tell(lin, lp, f);
    lastStep = Math.hypot(...Array.from(lin.center, (v, j) => v - prev[j]));
    maxStep = Math.max(maxStep, lastStep);
    prev = lin.center.slice();
    for (let j = 0; j < dim; j++) assert.ok(Math.abs(lin.sigma[j] / sd0[j] - 1) <= 0.2 + 1e-12, 'σ relative change > 0.2');
  }
  assert.ok(maxStep <= maxSpeed + 1e-12, `step ${maxStep} > maxSpeed`);
  assert.ok(Math.abs(lastStep - maxSpeed) < 1e-12, `terminal speed ${lastStep}`);
});

test('SNES: update by the stated formula', () => {
  const dim = 3, n = 5;
  const init = Float32Array.from([0.1, 0.2, 0.3]);
  const p = snesParams(dim, { popSize: n, stdevInit: 0.7 });
  const s = snes.init(p, init, { seed: 4 });
  const fit = [1, 5, 3, 2, 4];
  const pop = snes.ask(s, p);
  const e = Array.from({ length: n }, (_, i) => fillNoise(4, 0, i, new Float32Array(dim)));
  for (let j = 0; j < dim; j++) assert.equal(pop[2][j], Math.fround(init[j] + 0.7 * e[2][j]));
  snes.tell(s, p, fit);
  const u = utilityWeights(fit);
  const etaS = (3 + Math.log(dim)) / (5 * Math.sqrt(dim));
  for (let j = 0; j < dim; j++) {
    let gm = 0, gs = 0;
    for (let i = 0; i < n; i++) {
      gm += u[i] * e[i][j];
      gs += u[i] * (e[i][j] ** 2 - 1);
    }
    assert.ok(Math.abs(s.center[j] - (init[j] + 0.7 * gm)) < 1e-12);
    assert.ok(Math.abs(s.sigma[j] - 0.7 * Math.exp((etaS / 2) * gs)) < 1e-15);
  }
});

// ---- the class-based optimisers' values, bit for bit -----------------------------------------------

/** The setup of the fixture (es-v1-fixture.ts): 7-D, seed 41, these params, this fitness. */
const LD = 7;
const legacyInit = Float32Array.from({ length: LD }, (_, j) => Math.sin(j + 1));
const legacyFitness = (x: Float32Array): number => -x.reduce((s, v, j) => s + (v - j / LD) ** 2, 0);
type Any = Strategy<unknown, SearchState>;
const legacySetup: Record<string, { st: Any; p: unknown }> = {
  'openai-es': { st: openAIES as unknown as Any, p: openAIESParams({ pairs: 3, sigma: 0.1, lr: 0.05, weightDecay: 0.01 }) },
  pgpe: { st: pgpe as unknown as Any, p: pgpeParams({ popSize: 6, maxSpeed: 0.1, stdevInit: 0.2 }) },
  snes: { st: snes as unknown as Any, p: snesParams(LD, { popSize: 5, stdevInit: 0.3 }) },
};
const sha = (...parts: (Float32Array | string)[]): string => {
  const h = createHash('sha256');
  for (const a of parts) h.update(typeof a === 'string' ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
};

function trajectory(st: Any, p: unknown, s: SearchState, gens: number): { pop: string; center: string; sigma: string }[] {
  const out = [];
  let pop: Float32Array[] | undefined;
  for (let g = 0; g < gens; g++) {
    pop = st.ask(s, p, pop);
    const fit = Float64Array.from(pop, legacyFitness);
    const popHash = sha(...pop);
    st.tell(s, p, fit);
    out.push({ pop: popHash, center: sha(encodeFloat64(s.center)), sigma: sha(encodeFloat64(s.sigma)) });
  }
  return out;
}

for (const [kind, { st, p }] of Object.entries(legacySetup)) {
  test(`${kind}: populations and centres of 5 generations equal the class-based optimiser's, bit for bit`, () => {
    const s = st.init(p, legacyInit, { seed: 41 });
    assert.deepEqual(trajectory(st, p, s, 5), legacyTrajectories[kind]);
    // an all-zero frozen mask is no mask: same bits
    const z = st.init(p, legacyInit, { seed: 41, frozen: new Uint8Array(LD) });
    assert.equal(z.frozen, null);
    assert.deepEqual(trajectory(st, p, z, 5), legacyTrajectories[kind]);
  });

  test(`${kind}: a version-1 state (base64 hooks) migrates on read and continues to the class-based result`, () => {
    const v1 = structuredClone(legacyStates[kind].atGen3);
    const s = readStrategyState(v1, 'optimizer');
    assert.equal(s.version, 2);
    assert.equal(s.generation, 3);
    assert.deepEqual(trajectory(st, p, s, 2), legacyTrajectories[kind].slice(3));
    const fin = legacyStates[kind].final as { arrays: Record<string, string>; scalars: Record<string, number> };
    assert.equal(encodeFloat64(s.center), fin.arrays.center);
    assert.equal(encodeFloat64(s.sigma), fin.arrays.sigma);
    const o = (s as SearchState & { optimizer?: Record<string, unknown> }).optimizer;
    if (kind === 'openai-es') {
      assert.equal(encodeFloat64(o!.m as Float64Array), fin.arrays.m);
      assert.equal(encodeFloat64(o!.v as Float64Array), fin.arrays.v);
      assert.equal(o!.t, fin.scalars.t);
    }
    if (kind === 'pgpe') assert.equal(encodeFloat64(o!.velocity as Float64Array), fin.arrays.velocity);
    // a broken version-1 state names its field
    const bad = structuredClone(legacyStates[kind].atGen3) as { arrays: Record<string, string> };
    bad.arrays.center = bad.arrays.center.slice(0, 64); // 6 of the 7 values
    assert.throws(() => readStrategyState(bad, 'optimizer'), (e: unknown) => e instanceof StrategyStateError && /^optimizer\.arrays\.center: .*expected 7 values/.test(e.message));
  });
}

// ---- determinism, memberOf, state in a checkpoint ------------------------------------------------

const makers: Record<string, { st: Any; p: unknown }> = {
  'openai-es': { st: openAIES as unknown as Any, p: openAIESParams({ pairs: 6, sigma: 0.1, lr: 0.05 }) },
  pgpe: { st: pgpe as unknown as Any, p: pgpeParams({ popSize: 12, maxSpeed: 0.1 }) },
  snes: { st: snes as unknown as Any, p: snesParams(20) },
};
const q20 = (x: Float32Array): number => -x.reduce((s, v, j) => s + (v - j / 20) ** 2, 0);
const x20 = Float32Array.from({ length: 20 }, (_, j) => Math.cos(j));

function step(st: Any, p: unknown, s: SearchState, gens: number): void {
  const fit = new Float64Array(s.popSize);
  let pop: Float32Array[] | undefined;
  for (let g = 0; g < gens; g++) {
    pop = st.ask(s, p, pop);
    for (let i = 0; i < pop.length; i++) fit[i] = q20(pop[i]);
    st.tell(s, p, fit);
  }
}

for (const [kind, { st, p }] of Object.entries(makers)) {
  test(`${kind}: same seed → identical trajectory; other seed differs`, () => {
    const a = st.init(p, x20, { seed: 11 }), b = st.init(p, x20, { seed: 11 }), c = st.init(p, x20, { seed: 12 });
    step(st, p, a, 15);
    step(st, p, b, 15);
    step(st, p, c, 15);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.center, c.center);
  });

  test(`${kind}: memberOf(state, params, i) from the seed alone equals ask()[i], in any order`, () => {
    const s = st.init(p, x20, { seed: 5 });
    step(st, p, s, 3);
    const remote = structuredClone(s); // as a worker would receive it: no shared scratch
    const pop = st.ask(s, p);
    const out = new Float32Array(s.dim);
    for (let i = s.popSize - 1; i >= 0; i--) {
      assert.deepEqual(st.memberOf(remote, p, i, out), pop[i]);
      assert.deepEqual(st.memberOf(s, p, i, out), pop[i]);
    }
    assert.throws(() => st.memberOf(s, p, s.popSize, out), /outside/);
    // evaluating by memberOf in reverse order changes nothing
    const x = st.init(p, x20, { seed: 5 }), y = st.init(p, x20, { seed: 5 });
    const fx = new Float64Array(x.popSize), fy = new Float64Array(y.popSize);
    for (let g = 0; g < 5; g++) {
      const px = st.ask(x, p);
      for (let i = 0; i < px.length; i++) fx[i] = q20(px[i]);
      for (let i = y.popSize - 1; i >= 0; i--) fy[i] = q20(st.memberOf(y, p, i, out));
      st.tell(x, p, fx);
      st.tell(y, p, fy);
    }
    assert.deepEqual(x.center, y.center);
  });

  test(`${kind}: the state record through a checkpoint file mid-run → identical continuation`, () => {
    const a = st.init(p, x20, { seed: 21 });
    step(st, p, a, 7);
    const path = join(dir, `${kind}.ckpt`);
    writeCheckpoint(path, 'es-state', { optimizer: a });
    const b = readStrategyState(readCheckpoint<{ optimizer: unknown }>(path, 'es-state').data.optimizer, 'optimizer');
    assert.deepEqual(b, a);
    step(st, p, a, 8);
    step(st, p, b, 8);
    assert.equal(b.generation, 15);
    assert.deepEqual(b, a);
  });

  test(`${kind}: a bad state is refused with the field named`, () => {
    const a = st.init(p, x20, { seed: 3 });
    step(st, p, a, 2);
    const refuse = (mutate: (s: Record<string, unknown>) => void, field: RegExp) => {
      const s = structuredClone(a) as unknown as Record<string, unknown>;
      mutate(s);
      assert.throws(() => readStrategyState(s, 'ckpt: optimizer'), (e: unknown) => e instanceof StrategyStateError && field.test(e.message), field.source);
    };
    refuse((s) => (s.kind = 'cma-es'), /^ckpt: optimizer\.kind: expected "openai-es" or "pgpe" or "snes", got "cma-es"/);
    refuse((s) => (s.version = 3), /^ckpt: optimizer\.version: expected 2, got 3/);
    refuse((s) => (s.center = new Float64Array(19)), /^ckpt: optimizer\.center: expected a Float64Array of 20, got a Float64Array of 19/);
    refuse((s) => (s.sigma = new Float32Array(20)), /^ckpt: optimizer\.sigma: expected a Float64Array of 20, got a Float32Array of 20/);
    refuse((s) => (s.frozen = new Uint8Array(20).fill(2)), /^ckpt: optimizer\.frozen\[0\]: expected 0 or 1/);
    refuse((s) => (s.generation = -1), /^ckpt: optimizer\.generation: expected an integer/);
    refuse((s) => delete s.seed, /^ckpt: optimizer\.seed: .*field missing/);
    if (kind === 'openai-es') refuse((s) => ((s.optimizer as Record<string, unknown>).m = new Float64Array(3)), /^ckpt: optimizer\.optimizer\.m: expected a Float64Array of 20/);
    if (kind === 'pgpe') refuse((s) => delete (s.optimizer as Record<string, unknown>).velocity, /^ckpt: optimizer\.optimizer\.velocity: /);
  });
}

test('tell refuses a wrong-length or NaN fitness vector and changes nothing', () => {
  const p = openAIESParams({ pairs: 2 });
  const s = openAIES.init(p, zeros(2), { seed: 0 });
  openAIES.ask(s, p);
  const before = structuredClone(s);
  assert.throws(() => openAIES.tell(s, p, [1, 2, 3]), /expected popSize = 4/);
  assert.throws(() => openAIES.tell(s, p, [1, 2, NaN, 3]), /fitness\[2\]/);
  assert.deepEqual(s, before);
  assert.throws(() => openAIES.ask(s, openAIESParams({ pairs: 3 })), /popSize 6 does not match the state's 4/);
});

// ---- frozen entries -----------------------------------------------------------------------------

for (const [kind, { st, p }] of Object.entries(makers)) {
  test(`${kind}: frozen entries get no noise and no update; the rest draws the same noise as without a mask`, () => {
    const mask = new Uint8Array(20);
    for (const j of [0, 3, 4, 19]) mask[j] = 1;
    const x0 = x20.slice();
    x0[4] = -0; // a frozen −0 must stay −0 in every member
    const s = st.init(p, x0, { seed: 8, frozen: mask });
    const free = st.init(p, x0, { seed: 8 });
    const sigma0 = s.sigma.slice();
    const pop = st.ask(s, p);
    const freePop = st.ask(free, p);
    for (let i = 0; i < s.popSize; i++) {
      for (let j = 0; j < 20; j++) {
        if (mask[j]) assert.ok(Object.is(pop[i][j], x0[j]), `member ${i} entry ${j}: ${pop[i][j]}`);
        else assert.equal(pop[i][j], freePop[i][j], `member ${i} entry ${j} draws the unmasked noise`);
      }
    }
    step(st, p, s, 10);
    let moved = 0;
    for (let j = 0; j < 20; j++) {
      if (mask[j]) {
        assert.ok(Object.is(s.center[j], x0[j]), `centre ${j}`);
        assert.equal(s.sigma[j], sigma0[j], `σ ${j}`);
      } else if (s.center[j] !== x0[j]) moved++;
    }
    assert.equal(moved, 16, 'every free entry moved');
    const out = new Float32Array(20);
    const again = st.ask(s, p);
    for (let i = 0; i < s.popSize; i++) assert.deepEqual(st.memberOf(structuredClone(s), p, i, out), again[i]);
  });
}

test('PGPE: a frozen entry does not take a share of the ClipUp step (the noise drawn there is not learned from)', () => {
  // f depends on x_0 only; with x_1 frozen, the whole step of length α goes along x_0
  const p = pgpeParams({ popSize: 8, maxSpeed: 0.2, stdevInit: 0.5 });
  const s = pgpe.init(p, zeros(2), { seed: 2, frozen: Uint8Array.from([0, 1]) });
  const pop = pgpe.ask(s, p);
  pgpe.tell(s, p, pop.map((x) => x[0]));
  assert.ok(Math.abs(Math.abs(s.center[0]) - 0.1) < 1e-12, `step along x_0: ${s.center[0]}`);
  assert.equal(s.center[1], 0);
});

test('version-1 run state with frozen entries: the mask moves into the record and the drifted centre is reset', () => {
  const v1 = structuredClone(legacyStates.pgpe.atGen3);
  const mask = new Uint8Array(LD);
  mask[2] = 1;
  const values = new Float32Array(LD);
  values[2] = 0.25;
  const s = readStrategyState(v1, 'optimizer', { mask, values });
  assert.deepEqual(s.frozen, mask);
  assert.equal(s.center[2], 0.25);
  assert.equal((s as { optimizer: { velocity: Float64Array } }).optimizer.velocity[2], 0);
  const pop = pgpe.ask(s as never, legacySetup.pgpe.p as never);
  for (const x of pop) assert.equal(x[2], 0.25);
});

// ---- composition ------------------------------------------------------------------------------------

test('the inner optimiser and the fitness shaping are arguments: OpenAI-ES with ClipUp, PGPE with Adam, a counting shaping', () => {
  let shaped = 0;
  const counting: FitnessShaping = (f, out, scratch) => {
    shaped++;
    return centeredRanks(f, out, scratch);
  };
  const esClip = makeOpenAIES(clipUp, counting);
  const p1 = { popSize: 100, sigma: 0.05, optimizer: clipUpParams({ maxSpeed: 0.05 }) };
  const s1 = esClip.init(p1, zeros(D), { seed: 2 });
  assert.equal(s1.optimizer.kind, 'clipup');
  const { best: b1 } = run(esClip, p1, s1, quadratic, 200);
  assert.equal(shaped, 200);
  assert.ok(b1 > -0.5, `OpenAI-ES + ClipUp best −‖θ − x*‖² = ${b1}`);

  const pgpeAdam = makePGPE(adam);
  const p2 = { ...pgpeParams({ popSize: 100, stdevInit: 0.05 }), stdevLearningRate: 0, optimizer: adamParams({ lr: 0.02, weightDecay: 0 }) };
  const s2 = pgpeAdam.init(p2, zeros(D), { seed: 2 });
  assert.equal(s2.optimizer.kind, 'adam');
  const { best: b2 } = run(pgpeAdam, p2, s2, quadratic, 200);
  assert.ok(b2 > -0.5, `PGPE + Adam best −‖μ − x*‖² = ${b2}`);
  // its state reads back through the matching strategy
  assert.deepEqual(pgpeAdam.read(structuredClone(s2), 'optimizer'), s2);
  assert.throws(() => pgpe.read(structuredClone(s2), 'optimizer'), /optimizer\.optimizer\.kind: expected "clipup", got "adam"/);
});
