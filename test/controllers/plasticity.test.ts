import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  neuromodulate,
  parseRuleName,
  plasticState,
  plasticityStep,
  plasticityStepReference,
  resetPlasticState,
  updateTrace,
  updateTraces,
  RULE_NAMES,
  type AbcdCoefficients,
  type Modulation,
  type PlasticParams,
  type PlasticState,
  type RuleTerm,
} from '../../controllers/plasticity.js';
import { Rng } from '../../core/rng.js';
import { F, U8, assertClose, assertSame } from './helpers.js';

/**
 * The 2×2 scenario used by every hand computation below: λ_pre = λ_post = 0.5 and
 *   step 1: pre spikes [1, 0], post spikes [0, 1]  → x = [1, 0],       y = [0, 1]
 *   step 2: pre spikes [1, 1], post spikes [1, 1]  → x = [1.5, 1],     y = [1, 1.5]
 *   step 3: pre spikes [0, 0], post spikes [0, 1]  → x = [0.75, 0.5],  y = [0.5, 1.75]
 * Hebb is pre-major: [H00, H01, H10, H11] with H_ij from pre i to post j.
 */
const PRE = [[1, 0], [1, 1], [0, 0]];
const POST = [[0, 1], [1, 1], [0, 1]];

function run(
  term: RuleTerm,
  modulation: Modulation,
  opts: { eta?: number; tau?: number; clip?: number; mod?: number[]; steps?: number; post?: number[][]; decay?: number; abcd?: AbcdCoefficients },
  kernel = plasticityStep,
): { s: PlasticState; after: { hebb: number[]; elig: number[]; theta: number[] }[] } {
  const s = plasticState(2, 2, modulation === 'retro', term === 'cov');
  const p: PlasticParams = { term, modulation, eta: opts.eta ?? 0, tauTheta: opts.tau ?? 0, decay: opts.decay ?? 0, abcd: opts.abcd ?? null, clip: opts.clip ?? 10, preDecay: 0.5, postDecay: 0.5 };
  const mod = opts.mod ? F(opts.mod) : null;
  const post = opts.post ?? POST;
  const after: { hebb: number[]; elig: number[]; theta: number[] }[] = [];
  for (let t = 0; t < (opts.steps ?? 3); t++) {
    updateTraces(s, p, U8(PRE[t]), U8(post[t]));
    kernel(s, p, mod);
    after.push({ hebb: [...s.hebb], elig: [...s.elig], theta: [...s.theta] });
  }
  return { s, after };
}

test('decay: Hebb ← (1 − δ)·Hebb + η·T, hand-computed; δ = 0 is the rule without decay', () => {
  // hebbian, η = 0.25, δ = 0.5, no clip (c = 10); traces as in the table above
  // step 1: T = [[0, 1], [0, 0]]                 → H = [0, 0.25, 0, 0]
  // step 2: T = [[1.5, 2.25], [1, 1.5]]          → H = 0.5·[0, 0.25, 0, 0] + 0.25·T = [0.375, 0.6875, 0.25, 0.375]
  // step 3: T = [[0.375, 1.3125], [0.25, 0.875]] → H = [0.28125, 0.671875, 0.1875, 0.40625]
  const { after } = run('hebbian', 'none', { eta: 0.25, decay: 0.5 });
  assertClose(after[0].hebb, [0, 0.25, 0, 0]);
  assertClose(after[1].hebb, [0.375, 0.6875, 0.25, 0.375]);
  assertClose(after[2].hebb, [0.28125, 0.671875, 0.1875, 0.40625]);
  // the silent-row skip must not skip decay: pre 0 at step 3 still decays H0* and H1*
  const none = run('hebbian', 'none', { eta: 0.25, decay: 0 });
  assertSame(new Float32Array(none.after[2].hebb), new Float32Array(run('hebbian', 'none', { eta: 0.25 }).after[2].hebb), 'δ = 0');
  // bounded: constant drive T = 1 under δ converges to η/δ, never beyond
  const s = plasticState(1, 1, false);
  const p: PlasticParams = { term: 'hebbian', modulation: 'none', eta: 0.02, tauTheta: 0, decay: 0.01, abcd: null, clip: 10, preDecay: 0, postDecay: 0 };
  for (let t = 0; t < 5000; t++) {
    updateTraces(s, p, U8([1]), U8([1]));
    plasticityStep(s, p, null);
  }
  assert.ok(Math.abs(s.hebb[0] - 2) < 1e-3 && s.hebb[0] <= 2 + 1e-6, `steady state η/δ = 2, got ${s.hebb[0]}`);
});

test('cov: T = (x − x̄)(y − ȳ) with running means at rate τ, hand-computed', () => {
  // η = 0.5, τ = 0.5; traces as in the table at the top; means start at 0 and move after the update
  // step 1: T = x·y = [[0, 1], [0, 0]]                       → H = [0, 0.5, 0, 0];   x̄ = [0.5, 0],  ȳ = [0, 0.5]
  // step 2: x − x̄ = [1, 1], y − ȳ = [1, 1]: T = 1 everywhere → H = [0.5, 1, 0.5, 0.5]; x̄ = [1, 0.5], ȳ = [0.5, 1]
  // step 3: x − x̄ = [−0.25, 0], y − ȳ = [0, 0.75]: T01 = −0.1875 → H = [0.5, 0.90625, 0.5, 0.5]; x̄ = [0.875, 0.5], ȳ = [0.5, 1.375]
  for (const kernel of [plasticityStep, plasticityStepReference]) {
    const { s, after } = run('cov', 'none', { eta: 0.5, tau: 0.5 }, kernel);
    assertClose(after[0].hebb, [0, 0.5, 0, 0]);
    assertClose(after[1].hebb, [0.5, 1, 0.5, 0.5]);
    assertClose(after[2].hebb, [0.5, 0.90625, 0.5, 0.5]);
    assertClose(s.preMean, [0.875, 0.5]);
    assertClose(s.postMean, [0.5, 1.375]);
    resetPlasticState(s);
    assert.ok(s.preMean.every((v) => v === 0) && s.postMean.every((v) => v === 0), 'reset clears the means');
  }
  // the lock-in it exists for: a constant pattern (pre and post spiking every step). Hebbian
  // grows to η·x·y/δ = 0.02·4/0.01 = 8; the covariance term goes to 0 and decay takes Hebb to 0.
  const constant = (term: RuleTerm) => {
    const st = plasticState(1, 1, false, term === 'cov');
    const p: PlasticParams = { term, modulation: 'none', eta: 0.02, tauTheta: 0.05, decay: 0.01, abcd: null, clip: 10, preDecay: 0.5, postDecay: 0.5 };
    for (let t = 0; t < 5000; t++) {
      updateTraces(st, p, U8([1]), U8([1]));
      plasticityStep(st, p, null);
    }
    return st.hebb[0];
  };
  assert.ok(Math.abs(constant('hebbian') - 8) < 1e-3, `hebbian: ${constant('hebbian')}`);
  assert.ok(Math.abs(constant('cov')) < 1e-6, `cov: ${constant('cov')}`);
});

test('abcd: ΔHebb = η·(A·x·y + B·x + C·y + D) per synapse (Najarro & Risi 2020), hand-computed', () => {
  // η = 0.5; A = 1, B = 0.5, C = -1, D = 0.25 on every synapse; pre-major [H00, H01, H10, H11]
  // step 1: x = [1, 0], y = [0, 1]: T00 = 0 + 0.5 + 0 + 0.25 = 0.75; T01 = 1 + 0.5 − 1 + 0.25 = 0.75;
  //         T10 = 0 + 0 + 0 + 0.25 = 0.25; T11 = 0 + 0 − 1 + 0.25 = −0.75     → H = 0.5·T
  const all = (v: number) => F([v, v, v, v]);
  const abcd = { a: all(1), b: all(0.5), c: all(-1), d: all(0.25) };
  const { after } = run('abcd', 'none', { eta: 0.5, abcd, steps: 1 });
  assertClose(after[0].hebb, [0.375, 0.375, 0.125, -0.375]);
  // neuromodulated: M_j replaces η
  const m = run('abcd', 'simple', { abcd, mod: [1, -2], steps: 1 });
  assertClose(m.after[0].hebb, [0.75, -1.5, 0.25, 1.5]);
});

test('traces: x ← λx + s (updateTraces: both sides with λ_pre, λ_post)', () => {
  const x = new Float32Array(2);
  updateTrace(x, U8([1, 0]), 0.5);
  updateTrace(x, U8([1, 1]), 0.5);
  updateTrace(x, U8([0, 0]), 0.5);
  assertClose(x, [0.75, 0.5]);
  updateTrace(x, F([0.25, -1]), 0.5); // graded activity too
  assertClose(x, [0.625, -0.75]);
  const s = plasticState(2, 1, false);
  const p: PlasticParams = { term: 'hebbian', modulation: 'none', eta: 0, tauTheta: 0, decay: 0, abcd: null, clip: 1, preDecay: 0.5, postDecay: 0.25 };
  updateTraces(s, p, U8([1, 1]), F([2]));
  updateTraces(s, p, U8([0, 1]), F([1]));
  assertClose(s.pre, [0.5, 1.5]);
  assertClose(s.post, [1.5]);
});

test('hebbian: ΔHebb = η·x_i·y_j, clipped to ±c', () => {
  // η = 0.25, c = 1
  // step 1: T01 = 1·1 → H01 = 0.25
  // step 2: T = [[1.5, 2.25], [1, 1.5]] → H = [0.375, 0.25 + 0.5625 = 0.8125, 0.25, 0.375]
  // step 3: T = [[0.375, 1.3125], [0.25, 0.875]] → H = [0.46875, 1.140625 → clip 1, 0.3125, 0.59375]
  const { after } = run('hebbian', 'none', { eta: 0.25, clip: 1 });
  assertClose(after[0].hebb, [0, 0.25, 0, 0]);
  assertClose(after[1].hebb, [0.375, 0.8125, 0.25, 0.375]);
  assertClose(after[2].hebb, [0.46875, 1, 0.3125, 0.59375]);
});

test('oja: ΔHebb = η·y_j·(x_i − y_j·Hebb_ij)', () => {
  // η = 0.5
  // step 1: T01 = 1·(1 − 0) = 1 → H01 = 0.5
  // step 2: T00 = 1·(1.5 − 0) = 1.5; T01 = 1.5·(1.5 − 1.5·0.5) = 1.125; T10 = 1; T11 = 1.5
  //         → H = [0.75, 0.5 + 0.5625 = 1.0625, 0.5, 0.75]
  // step 3: T00 = 0.5·(0.75 − 0.5·0.75) = 0.1875;  T01 = 1.75·(0.75 − 1.75·1.0625) = −1.94140625
  //         T10 = 0.5·(0.5 − 0.5·0.5) = 0.125;     T11 = 1.75·(0.5 − 1.75·0.75) = −1.421875
  //         → H = [0.84375, 0.091796875, 0.5625, 0.0390625]
  const { after } = run('oja', 'none', { eta: 0.5 });
  assertClose(after[0].hebb, [0, 0.5, 0, 0]);
  assertClose(after[1].hebb, [0.75, 1.0625, 0.5, 0.75]);
  assertClose(after[2].hebb, [0.84375, 0.091796875, 0.5625, 0.0390625]);
});

test('bcm: ΔHebb = η·x_i·y_j·(y_j − θ_j), then θ_j ← θ_j + τ(y_j² − θ_j)', () => {
  // η = 0.5, τ = 0.5
  // step 1: θ = 0: T01 = 1·1·1 = 1 → H01 = 0.5;  θ = [0, 0.5·1] = [0, 0.5]
  // step 2: T00 = 1.5·1·(1 − 0) = 1.5; T01 = 1.5·1.5·(1.5 − 0.5) = 2.25; T10 = 1; T11 = 1.5
  //         → H = [0.75, 1.625, 0.5, 0.75];  θ = [0.5·1, 0.5 + 0.5·(2.25 − 0.5)] = [0.5, 1.375]
  // step 3: T00 = 0.75·0.5·(0.5 − 0.5) = 0;  T01 = 0.75·1.75·(1.75 − 1.375) = 0.4921875
  //         T10 = 0;                         T11 = 0.5·1.75·0.375 = 0.328125
  //         → H = [0.75, 1.87109375, 0.5, 0.9140625];
  //         θ = [0.5 + 0.5·(0.25 − 0.5), 1.375 + 0.5·(3.0625 − 1.375)] = [0.375, 2.21875]
  const { after } = run('bcm', 'none', { eta: 0.5, tau: 0.5 });
  assertClose(after[0].hebb, [0, 0.5, 0, 0]);
  assertClose(after[0].theta, [0, 0.5]);
  assertClose(after[1].hebb, [0.75, 1.625, 0.5, 0.75]);
  assertClose(after[1].theta, [0.5, 1.375]);
  assertClose(after[2].hebb, [0.75, 1.87109375, 0.5, 0.9140625]);
  assertClose(after[2].theta, [0.375, 2.21875]);
});

test('hebbian-neuromod (simple): ΔHebb = M_j·x_i·y_j', () => {
  // M = [0.5, −0.25]
  // step 1: H01 = −0.25·1 = −0.25
  // step 2: T = [[1.5, 2.25], [1, 1.5]] → H = [0.75, −0.25 − 0.5625 = −0.8125, 0.5, −0.375]
  const { after } = run('hebbian', 'simple', { mod: [0.5, -0.25], steps: 2 });
  assertClose(after[0].hebb, [0, -0.25, 0, 0]);
  assertClose(after[1].hebb, [0.75, -0.8125, 0.5, -0.375]);
});

test('oja-neuromod (simple): ΔHebb = M_j·y_j·(x_i − y_j·Hebb_ij)', () => {
  // M = [0.5, 0.25]
  // step 1: H01 = 0.25·1 = 0.25
  // step 2: T00 = 1.5 → 0.75; T01 = 1.5·(1.5 − 1.5·0.25) = 1.6875 → 0.25 + 0.421875 = 0.671875
  //         T10 = 1 → 0.5;    T11 = 1.5·(1 − 0) = 1.5 → 0.375
  const { after } = run('oja', 'simple', { mod: [0.5, 0.25], steps: 2 });
  assertClose(after[0].hebb, [0, 0.25, 0, 0]);
  assertClose(after[1].hebb, [0.75, 0.671875, 0.5, 0.375]);
});

test('hebbian-retro: E ← (1−η)E + η·x_i·y_j, Hebb ← Hebb + M_j·E (keeps changing after activity stops)', () => {
  // η = 0.5, M = [1, −0.5]; step 3 here has no post spikes: y = [0.5, 0.75]
  // step 1: E01 = 0.5·1 = 0.5 → H01 = −0.5·0.5 = −0.25
  // step 2: T = [[1.5, 2.25], [1, 1.5]] → E = [0.75, 0.25 + 1.125 = 1.375, 0.5, 0.75]
  //         → H = [0.75, −0.25 − 0.6875 = −0.9375, 0.5, −0.375]
  // step 3: T = [[0.375, 0.5625], [0.25, 0.375]] → E = [0.5625, 0.96875, 0.375, 0.5625]
  //         → H = [1.3125, −1.421875, 0.875, −0.65625]
  const post = [[0, 1], [1, 1], [0, 0]];
  const { after } = run('hebbian', 'retro', { eta: 0.5, mod: [1, -0.5], post });
  assertClose(after[0].elig, [0, 0.5, 0, 0]);
  assertClose(after[0].hebb, [0, -0.25, 0, 0]);
  assertClose(after[1].elig, [0.75, 1.375, 0.5, 0.75]);
  assertClose(after[1].hebb, [0.75, -0.9375, 0.5, -0.375]);
  assertClose(after[2].elig, [0.5625, 0.96875, 0.375, 0.5625]);
  assertClose(after[2].hebb, [1.3125, -1.421875, 0.875, -0.65625]);
});

test('bcm-retro: eligibility over the BCM term, θ slides as in bcm', () => {
  // η = 0.5, τ = 0.5, M = [1, 1]
  // step 1: T01 = 1 → E01 = 0.5 → H01 = 0.5;  θ = [0, 0.5]
  // step 2: T = [[1.5, 2.25], [1, 1.5]] (as in bcm) → E = [0.75, 1.375, 0.5, 0.75] → H = [0.75, 1.875, 0.5, 0.75]
  //         θ = [0.5, 1.375]
  const { after } = run('bcm', 'retro', { eta: 0.5, tau: 0.5, mod: [1, 1], steps: 2 });
  assertClose(after[0].hebb, [0, 0.5, 0, 0]);
  assertClose(after[0].theta, [0, 0.5]);
  assertClose(after[1].elig, [0.75, 1.375, 0.5, 0.75]);
  assertClose(after[1].hebb, [0.75, 1.875, 0.5, 0.75]);
  assertClose(after[1].theta, [0.5, 1.375]);
});

test('clip applies to modulated updates too', () => {
  const { after } = run('hebbian', 'simple', { mod: [-10, 10], clip: 0.5, steps: 2 });
  assertClose(after[1].hebb, [-0.5, 0.5, -0.5, 0.5]);
});

test('neuromodulator: M_j = f_j·tanh(b + Σ s_k w_k + w_r·reward)', () => {
  const out = new Float32Array(2);
  const p = { weights: F([0.5, 2, -0.25]), bias: F([0.1]), rewardWeight: F([0.5]), fanout: F([1, -2]) };
  neuromodulate(U8([1, 0, 1]), Float64Array.of(1), p, out);
  // 0.5 − 0.25 + 0.5·1 + 0.1 = 0.85
  assertClose(out, [Math.tanh(0.85), -2 * Math.tanh(0.85)]);
  // without a reward weight the reward is ignored
  neuromodulate(U8([1, 0, 1]), Float64Array.of(100), { ...p, rewardWeight: new Float32Array(0) }, out);
  assertClose(out, [Math.tanh(0.35), -2 * Math.tanh(0.35)]);
});

test('rule names parse into term and modulation', () => {
  assert.equal(parseRuleName('none'), null);
  assert.deepEqual(parseRuleName('hebbian'), { term: 'hebbian', modulation: 'none' });
  assert.deepEqual(parseRuleName('oja-neuromod'), { term: 'oja', modulation: 'simple' });
  assert.deepEqual(parseRuleName('bcm-retro'), { term: 'bcm', modulation: 'retro' });
  assert.deepEqual(parseRuleName('abcd-neuromod'), { term: 'abcd', modulation: 'simple' });
  assert.deepEqual(parseRuleName('cov-retro'), { term: 'cov', modulation: 'retro' });
  assert.equal(RULE_NAMES.length, 15);
});

test('reset clears Hebb, E, θ and traces', () => {
  const { s } = run('bcm', 'retro', { eta: 0.5, tau: 0.5, mod: [1, 1] });
  assert.ok(s.hebb.some((v) => v !== 0) && s.elig.some((v) => v !== 0) && s.theta.some((v) => v !== 0));
  resetPlasticState(s);
  for (const a of [s.hebb, s.elig, s.theta, s.pre, s.post]) assert.ok(a.every((v) => v === 0));
});

test('optimised plasticity kernel agrees bit for bit with the reference for every rule, with and without decay', () => {
  const rng = new Rng(5);
  const cases: [RuleTerm, Modulation, number][] = [];
  for (const decay of [0, 0.01]) {
    for (const term of ['hebbian', 'oja', 'bcm'] as const) for (const modulation of ['none', 'simple', 'retro'] as const) cases.push([term, modulation, decay]);
    cases.push(['abcd', 'none', decay], ['abcd', 'simple', decay]);
    for (const modulation of ['none', 'simple', 'retro'] as const) cases.push(['cov', modulation, decay]);
  }
  for (const [term, modulation, decay] of cases) {
    {
      const nPre = 7;
      const nPost = 5;
      const a = plasticState(nPre, nPost, modulation === 'retro', term === 'cov');
      const b = plasticState(nPre, nPost, modulation === 'retro', term === 'cov');
      const coef = () => new Float32Array(nPre * nPost).map(() => 0.3 * rng.normal());
      const abcd = term === 'abcd' ? { a: coef(), b: coef(), c: coef(), d: coef() } : null;
      const p: PlasticParams = { term, modulation, eta: 0.1, tauTheta: 0.2, decay, abcd, clip: 1, preDecay: 0.8, postDecay: 0.7 };
      const mod = new Float32Array(nPost);
      for (let t = 0; t < 200; t++) {
        const pre = new Uint8Array(nPre).map(() => (rng.uniform() < 0.3 ? 1 : 0));
        const post = new Float32Array(nPost).map(() => (rng.uniform() < 0.5 ? rng.normal() : 0));
        rng.fillNormal(mod, 0.1);
        for (const s of [a, b]) {
          updateTrace(s.pre, pre, 0.8);
          updateTrace(s.post, post, 0.7);
        }
        plasticityStepReference(a, p, modulation === 'none' ? null : mod);
        plasticityStep(b, p, modulation === 'none' ? null : mod);
      }
      const what = `${term}/${modulation}/δ=${decay}`;
      assertSame(b.hebb, a.hebb, `${what} hebb`);
      assertSame(b.elig, a.elig, `${what} elig`);
      assertSame(b.theta, a.theta, `${what} theta`);
      assertSame(b.preMean, a.preMean, `${what} pre means`);
      assertSame(b.postMean, a.postMean, `${what} post means`);
      if (term === 'cov') assert.ok(a.preMean.some((v) => v !== 0) && a.postMean.some((v) => v !== 0), `${what} means moved`);
      assert.ok(a.hebb.some((v) => v !== 0), `${what} moved`);
    }
  }
});

test('the reference and optimised kernels give the hand-computed hebbian values', () => {
  const ref = run('hebbian', 'none', { eta: 0.25, clip: 1 }, plasticityStepReference);
  assertClose(ref.after[2].hebb, [0.46875, 1, 0.3125, 0.59375]);
});
