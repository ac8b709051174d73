import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDirect, encodePopulation, encodeRate } from '../../controllers/encoders.js';
import { decodeLinearTanh, decodeMembrane, decodePopulation, filterRate } from '../../controllers/decoders.js';
import { Rng } from '../../core/rng.js';
import { F, U8, assertClose } from './helpers.js';

test('direct encoder clamps to ±clip and maps NaN to 0', () => {
  const out = new Float32Array(4);
  encodeDirect(F([0.5, 7, -9, NaN]), { clip: 5 }, out);
  assert.deepEqual([...out], [0.5, 5, -5, 0]);
});

test('rate encoder: u_i = [ξ_i < (c_i + clip)/(2·clip)], one uniform per input in order', () => {
  const obs = F([-5, 0, 5, 2.5, 99]); // p = 0, 0.5, 1, 0.75, 1
  const p = [0, 0.5, 1, 0.75, 1];
  const out = new Float32Array(5);
  const enc = new Rng(9);
  const ref = new Rng(9);
  for (let t = 0; t < 50; t++) {
    encodeRate(obs, { clip: 5 }, enc, out);
    const expected = p.map((pi) => (ref.uniform() < pi ? 1 : 0));
    assert.deepEqual([...out], expected);
  }
  // and the frequencies follow p
  const counts = new Float64Array(5);
  for (let t = 0; t < 20000; t++) {
    encodeRate(obs, { clip: 5 }, enc, out);
    for (let i = 0; i < 5; i++) counts[i] += out[i];
  }
  [...counts].forEach((c, i) => assert.ok(Math.abs(c / 20000 - p[i]) < 0.015, `rate ${i}: ${c / 20000} vs ${p[i]}`));
});

test('population encoder: Gaussian receptive fields over [−clip, clip]', () => {
  // clip 1, N = 3: centres −1, 0, 1; Δ = 1; width 1 → σ = 1
  const out = new Float32Array(6);
  encodePopulation(F([0, 0.5]), { clip: 1, neurons: 3, width: 1 }, out);
  // x = 0: d = 1, 0, −1 → e^{−1/2}, 1, e^{−1/2};  x = 0.5: d = 1.5, 0.5, −0.5
  assertClose(out, [Math.exp(-0.5), 1, Math.exp(-0.5), Math.exp(-1.125), Math.exp(-0.125), Math.exp(-0.125)]);
  // width 0.5 → σ = 0.5, and clamping: x = 3 acts as 1
  encodePopulation(F([3, -1]), { clip: 1, neurons: 3, width: 0.5 }, out);
  assertClose(out, [Math.exp(-8), Math.exp(-2), 1, 1, Math.exp(-2), Math.exp(-8)]);
});

test('rate filter: r ← λr + (1 − λ)s', () => {
  const r = new Float32Array(1);
  const seq = [1, 1, 0];
  const expected = [0.5, 0.75, 0.375];
  seq.forEach((s, t) => {
    filterRate(r, U8([s]), { rateDecay: 0.5 });
    assertClose(r, [expected[t]]);
  });
});

test('linear rate readout: a = tanh(d + r·D)', () => {
  const out = new Float32Array(2);
  // r = [0.5, 1], D = [[1, −1], [2, 0.5]] (pre-major), d = [0.1, 0]
  decodeLinearTanh(F([0.5, 1]), F([1, -1, 2, 0.5]), F([0.1, 0]), out);
  assertClose(out, [Math.tanh(0.1 + 0.5 + 2), Math.tanh(-0.5 + 0.5)]);
});

test('population decoder: a_j = tanh(gain·(mean agonist − mean antagonist))', () => {
  const out = new Float32Array(2);
  // G = 4: joint 0 agonists [1, 0.5], antagonists [0, 0.5]; joint 1 agonists [0, 0], antagonists [1, 1]
  decodePopulation(F([1, 0.5, 0, 0.5, 0, 0, 1, 1]), { neuronsPerAction: 4, gain: 2 }, out);
  assertClose(out, [Math.tanh(2 * (0.75 - 0.25)), Math.tanh(2 * (0 - 1))]);
});

test('membrane decoder: a = tanh(V)', () => {
  const out = new Float32Array(3);
  decodeMembrane(F([0, 0.5, -3]), out);
  assertClose(out, [0, Math.tanh(0.5), Math.tanh(-3)]);
});
