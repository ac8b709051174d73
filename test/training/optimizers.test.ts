import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import {
  OpenAIES,
  PGPE,
  SNES,
  antitheticGradient,
  centeredRanks,
  fillNoise,
  optimizerFromState,
  sampleMember,
  utilityWeights,
  type Optimizer,
} from '../../training/optimizers/index.js';

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

/** Run `gens` generations; return final and best centre fitness. */
function run(opt: Optimizer, f: (x: Float32Array) => number, gens: number): { final: number; best: number } {
  const fit = new Float64Array(opt.popSize);
  let best = -Infinity;
  for (let g = 0; g < gens; g++) {
    const pop = opt.ask();
    for (let i = 0; i < pop.length; i++) fit[i] = f(pop[i]);
    opt.tell(fit);
    best = Math.max(best, f(opt.center()));
  }
  return { final: f(opt.center()), best };
}

// ---- convergence -----------------------------------------------------------------------------

test('OpenAI-ES: 100-D quadratic to ‖θ − x*‖² < 1e-3 in 300 generations (100 members)', () => {
  const opt = new OpenAIES({ dim: D, pairs: 50, seed: 1, sigma: 0.02, lr: 0.01, weightDecay: 0 });
  const start = quadratic(opt.center());
  const { final } = run(opt, quadratic, 300);
  assert.ok(start < -20, `start ${start}`);
  assert.ok(final > -1e-3, `final −‖θ − x*‖² = ${final}`);
});

test('PGPE+ClipUp: 100-D quadratic to ‖μ − x*‖² < 0.02 in 400 generations (100 members)', () => {
  const opt = new PGPE({ dim: D, popSize: 100, seed: 1, maxSpeed: 0.03 });
  const { final } = run(opt, quadratic, 400);
  assert.ok(final > -0.02, `final −‖μ − x*‖² = ${final}`);
});

test('SNES: 100-D quadratic to ‖μ − x*‖² < 2e-3 in 800 generations (default 17 members)', () => {
  const opt = new SNES({ dim: D, seed: 1 });
  assert.equal(opt.popSize, 17);
  const { final } = run(opt, quadratic, 800);
  assert.ok(final > -2e-3, `final −‖μ − x*‖² = ${final}`);
});

test('OpenAI-ES: 10-D Rastrigin from ≈ −230 to ≥ −10 in 400 generations', () => {
  const opt = new OpenAIES({ dim: RD, pairs: 50, seed: 1, sigma: 1.5, lr: 0.03, weightDecay: 0, init: rastriginStart });
  assert.ok(rastrigin(opt.center()) < -200);
  const { final } = run(opt, rastrigin, 400);
  assert.ok(final >= -10, `final ${final}`);
});

test('PGPE+ClipUp: 10-D Rastrigin, best centre ≥ −20 within 400 generations', () => {
  // ClipUp keeps moving at up to maxSpeed, so on this noisy landscape the centre wanders around
  // the optimum; the best centre seen (what a run keeps) is the stable measure.
  const opt = new PGPE({ dim: RD, popSize: 200, seed: 1, maxSpeed: 0.05, radiusInit: 10, init: rastriginStart });
  const { best } = run(opt, rastrigin, 400);
  assert.ok(best >= -20, `best ${best}`);
});

test('SNES: 10-D Rastrigin to ≥ −5 in 300 generations', () => {
  const opt = new SNES({ dim: RD, popSize: 50, seed: 1, stdevInit: 3, init: rastriginStart });
  const { final } = run(opt, rastrigin, 300);
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
  const opt = new OpenAIES({ dim: 3, pairs: 2, seed: 77, sigma, lr, weightDecay: l2, beta1: b1, beta2: b2, adamEps: ae, init });
  const pop = opt.ask().map((p) => p.slice());
  const eps = [0, 1].map((k) => fillNoise(77, 0, k, new Float32Array(3)));
  for (let k = 0; k < 2; k++) {
    for (let j = 0; j < 3; j++) {
      assert.equal(pop[2 * k][j], Math.fround(init[j] + sigma * eps[k][j]));
      assert.equal(pop[2 * k + 1][j], Math.fround(init[j] - sigma * eps[k][j]));
    }
  }
  opt.tell([4, 1, 2, 3]);
  const g = opt.lastGradient();
  const w = [1, -1 / 3];
  for (let j = 0; j < 3; j++) {
    const gj = (w[0] * eps[0][j] + w[1] * eps[1][j]) / (4 * sigma);
    assert.ok(Math.abs(g[j] - gj) < 1e-12, `g[${j}]`);
    // Adam, t = 1: m = (1−β1)d, v = (1−β2)d², step = lr·√(1−β2)/(1−β1)·m/(√v + ε)
    const d = -gj + l2 * init[j];
    const m = (1 - b1) * d, v = (1 - b2) * d * d;
    const expected = init[j] - ((lr * Math.sqrt(1 - b2)) / (1 - b1)) * (m / (Math.sqrt(v) + ae));
    assert.ok(Math.abs(opt.center()[j] - Math.fround(expected)) < 1e-6, `θ[${j}] = ${opt.center()[j]}, expected ${expected}`);
  }
});

test('OpenAI-ES: with equal fitness only weight decay acts, shrinking θ towards 0', () => {
  const init = Float32Array.from([1, -2, 0.5]);
  const opt = new OpenAIES({ dim: 3, pairs: 3, seed: 1, lr: 0.01, weightDecay: 0.1, init });
  opt.ask();
  opt.tell([1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(opt.lastGradient()), [0, 0, 0]);
  const c = opt.center();
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(c[j]) < Math.abs(init[j]) && Math.sign(c[j]) === Math.sign(init[j]), `θ[${j}] ${c[j]}`);
  // first Adam step has magnitude ≈ lr in every coordinate
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(Math.abs(init[j] - c[j]) - 0.01) < 1e-6);
});

test('PGPE: gradients by the stated formula; ClipUp first step has length α; speed never exceeds v_max', () => {
  const dim = 4, P = 3, maxSpeed = 0.2;
  const opt = new PGPE({ dim, popSize: 2 * P, seed: 9, maxSpeed, stdevInit: 0.5, momentum: 0.9 });
  const fit = [3, -1, 0.5, 2, 7, 1];
  opt.ask();
  const mu0 = opt.center();
  const sigma0 = opt.stdev();
  opt.tell(fit);
  const c = centeredRanks(fit);
  const gMu = new Float64Array(dim), gS = new Float64Array(dim);
  for (let k = 0; k < P; k++) {
    const e = fillNoise(9, 0, k, new Float32Array(dim));
    const a = (c[2 * k] - c[2 * k + 1]) / 2, b = (c[2 * k] + c[2 * k + 1]) / 2;
    for (let j = 0; j < dim; j++) {
      const s = sigma0[j] * e[j];
      gMu[j] += (a * s) / P;
      gS[j] += (b * (s * s - sigma0[j] ** 2)) / sigma0[j] / P;
    }
  }
  const got = opt.lastGradients();
  for (let j = 0; j < dim; j++) {
    assert.ok(Math.abs(got.mu[j] - gMu[j]) < 1e-12);
    assert.ok(Math.abs(got.sigma[j] - gS[j]) < 1e-12);
  }
  // first step: v = α·g/‖g‖ with α = maxSpeed/2
  const norm = Math.hypot(...gMu);
  const mu1 = opt.center();
  for (let j = 0; j < dim; j++) assert.ok(Math.abs(mu1[j] - mu0[j] - ((maxSpeed / 2) * gMu[j]) / norm) < 1e-6);
  // σ: relative change bounded by 0.2
  const sigma1 = opt.stdev();
  for (let j = 0; j < dim; j++) {
    const expected = sigma0[j] + Math.max(-0.2 * sigma0[j], Math.min(0.2 * sigma0[j], 0.1 * gS[j]));
    assert.ok(Math.abs(sigma1[j] - expected) < 1e-15);
  }

  // a consistent gradient (f = x_0) accelerates to exactly maxSpeed and no further
  const lin = new PGPE({ dim, popSize: 20, seed: 3, maxSpeed, stdevInit: 0.1, stdevLearningRate: 100 });
  const f = new Float64Array(20);
  let prev = lin.center();
  let maxStep = 0, lastStep = 0;
  for (let g = 0; g < 30; g++) {
    const sd0 = lin.stdev();
    const pop = lin.ask();
    for (let i = 0; i < 20; i++) f[i] = pop[i][0];
    lin.tell(f);
    const cur = lin.center();
    lastStep = Math.hypot(...Array.from(cur, (v, j) => v - prev[j]));
    maxStep = Math.max(maxStep, lastStep);
    prev = cur;
    const sd1 = lin.stdev();
    for (let j = 0; j < dim; j++) assert.ok(Math.abs(sd1[j] / sd0[j] - 1) <= 0.2 + 1e-12, 'σ relative change > 0.2');
  }
  assert.ok(maxStep <= maxSpeed + 1e-6, `step ${maxStep} > maxSpeed`);
  assert.ok(Math.abs(lastStep - maxSpeed) < 1e-6, `terminal speed ${lastStep}`);
});

test('SNES: update by the stated formula', () => {
  const dim = 3, n = 5;
  const init = Float32Array.from([0.1, 0.2, 0.3]);
  const opt = new SNES({ dim, popSize: n, seed: 4, stdevInit: 0.7, init });
  const fit = [1, 5, 3, 2, 4];
  const pop = opt.ask();
  const s = Array.from({ length: n }, (_, i) => fillNoise(4, 0, i, new Float32Array(dim)));
  for (let j = 0; j < dim; j++) assert.equal(pop[2][j], Math.fround(init[j] + 0.7 * s[2][j]));
  opt.tell(fit);
  const u = utilityWeights(fit);
  const etaS = (3 + Math.log(dim)) / (5 * Math.sqrt(dim));
  const c = opt.center(), sd = opt.stdev();
  for (let j = 0; j < dim; j++) {
    let gm = 0, gs = 0;
    for (let i = 0; i < n; i++) {
      gm += u[i] * s[i][j];
      gs += u[i] * (s[i][j] ** 2 - 1);
    }
    assert.ok(Math.abs(c[j] - Math.fround(init[j] + 0.7 * gm)) < 1e-6);
    assert.ok(Math.abs(sd[j] - 0.7 * Math.exp((etaS / 2) * gs)) < 1e-15);
  }
});

// ---- determinism and state -----------------------------------------------------------------------

const makers: Record<string, (seed: number) => Optimizer> = {
  'openai-es': (seed) => new OpenAIES({ dim: 20, pairs: 6, seed, sigma: 0.1, lr: 0.05 }),
  pgpe: (seed) => new PGPE({ dim: 20, popSize: 12, seed, maxSpeed: 0.1 }),
  snes: (seed) => new SNES({ dim: 20, seed }),
};
const q20 = (x: Float32Array): number => -x.reduce((s, v, j) => s + (v - j / 20) ** 2, 0);

function step(opt: Optimizer, gens: number): void {
  const fit = new Float64Array(opt.popSize);
  for (let g = 0; g < gens; g++) {
    const pop = opt.ask();
    for (let i = 0; i < pop.length; i++) fit[i] = q20(pop[i]);
    opt.tell(fit);
  }
}

for (const [kind, make] of Object.entries(makers)) {
  test(`${kind}: same seed → identical trajectory; other seed differs`, () => {
    const a = make(11), b = make(11), c = make(12);
    step(a, 15);
    step(b, 15);
    step(c, 15);
    assert.deepEqual(a.center(), b.center());
    assert.deepEqual(a.getState(), b.getState());
    assert.notDeepEqual(a.center(), c.center());
  });

  test(`${kind}: members rebuilt from (generation, i) match ask() bit for bit, in any order`, () => {
    const opt = make(5);
    step(opt, 3);
    const recipe = structuredClone(opt.recipe()); // as a worker would receive it
    const pop = opt.ask().map((p) => p.slice());
    const out = new Float32Array(opt.dim);
    for (let i = opt.popSize - 1; i >= 0; i--) {
      assert.deepEqual(sampleMember(recipe, i, out), pop[i]);
      assert.deepEqual(opt.writeMember(i, out), pop[i]);
    }
    assert.equal(recipe.generation, 3);
    // evaluating in reverse order changes nothing
    const x = make(5), y = make(5);
    const fx = new Float64Array(x.popSize), fy = new Float64Array(y.popSize);
    for (let g = 0; g < 5; g++) {
      const px = x.ask();
      for (let i = 0; i < px.length; i++) fx[i] = q20(px[i]);
      for (let i = y.popSize - 1; i >= 0; i--) fy[i] = q20(y.writeMember(i, out));
      x.tell(fx);
      y.tell(fy);
    }
    assert.deepEqual(x.center(), y.center());
  });

  test(`${kind}: state through JSON mid-run → identical continuation`, () => {
    const a = make(21);
    step(a, 7);
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const b = make(999); // different seed, fresh: everything comes from the state
    b.setState(saved);
    const c = optimizerFromState(saved);
    step(a, 8);
    step(b, 8);
    step(c, 8);
    assert.equal(b.generation, 15);
    assert.deepEqual(b.center(), a.center());
    assert.deepEqual(c.center(), a.center());
    assert.deepEqual(b.getState(), a.getState());
  });

  test(`${kind}: a bad state is refused and leaves the optimiser unchanged`, () => {
    const a = make(3);
    step(a, 2);
    const before = a.getState();
    const wrongDim = { ...before, dim: 21 };
    assert.throws(() => a.setState(wrongDim), /dim 21/);
    const shortArray = { ...before, arrays: { ...before.arrays, center: before.arrays.center.slice(0, 8) } };
    assert.throws(() => a.setState(shortArray), /arrays\.center/);
    const badHyper = { ...before, hyper: Object.fromEntries(Object.keys(before.hyper).map((k) => [k, -5])) };
    assert.throws(() => a.setState(badHyper), /hyper\./);
    assert.throws(() => a.setState({ ...before, kind: 'cma-es' } as never), /kind/);
    assert.deepEqual(a.getState(), before);
  });
}

test('tell refuses a wrong-length or NaN fitness vector', () => {
  const opt = new OpenAIES({ dim: 2, pairs: 2, seed: 0 });
  opt.ask();
  assert.throws(() => opt.tell([1, 2, 3]), /expected popSize = 4/);
  assert.throws(() => opt.tell([1, 2, NaN, 3]), /fitness\[2\]/);
  assert.equal(opt.generation, 0);
});
