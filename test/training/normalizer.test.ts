import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { Normalizer, RunningStats, normalizeWith } from '../../training/normalizer.js';

function samples(n: number, dim: number, seed: number): Float64Array[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: dim }, (_, j) => 3 * j + (j + 1) * r.normal() + (j === 2 ? 1e4 : 0)));
}

test('Welford mean and variance match the two-pass values', () => {
  const xs = samples(1000, 4, 1);
  const s = new RunningStats(4);
  for (const x of xs) s.push(x);
  for (let j = 0; j < 4; j++) {
    const mean = xs.reduce((a, x) => a + x[j], 0) / xs.length;
    const v = xs.reduce((a, x) => a + (x[j] - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(s.mean[j] - mean) < 1e-9 * Math.max(1, Math.abs(mean)), `mean[${j}]`);
    assert.ok(Math.abs(s.variance(j) - v) < 1e-9 * v, `var[${j}]`);
  }
  assert.equal(s.count, 1000);
});

test('merging two halves equals the whole to 1e-12 (relative)', () => {
  const xs = samples(999, 5, 2);
  const whole = new RunningStats(5), a = new RunningStats(5), b = new RunningStats(5);
  xs.forEach((x, i) => {
    whole.push(x);
    (i < 400 ? a : b).push(x);
  });
  a.merge(b);
  assert.equal(a.count, whole.count);
  for (let j = 0; j < 5; j++) {
    assert.ok(Math.abs(a.mean[j] - whole.mean[j]) <= 1e-12 * Math.max(1, Math.abs(whole.mean[j])), `mean[${j}]`);
    assert.ok(Math.abs(a.m2[j] - whole.m2[j]) <= 1e-12 * whole.m2[j], `m2[${j}] ${a.m2[j]} vs ${whole.m2[j]}`);
  }
  // merging an empty accumulator changes nothing; merging into an empty one copies
  const before = a.getState();
  a.merge(new RunningStats(5));
  assert.deepEqual(a.getState(), before);
  const e = new RunningStats(5);
  e.merge(a);
  assert.deepEqual(e.getState(), a.getState());
  assert.throws(() => a.merge(new RunningStats(4)), /dim 4/);
});

test('a fixed merge order is reproducible bit for bit', () => {
  const parts = [0, 1, 2, 3].map((k) => {
    const s = new RunningStats(3);
    for (const x of samples(50 + k * 7, 3, 10 + k)) s.push(x);
    return s;
  });
  const n1 = new Normalizer(3), n2 = new Normalizer(3);
  n1.merge(...parts);
  n2.merge(...parts);
  assert.deepEqual(n1.getState(), n2.getState());
});

test('normalize uses the frozen values, floors the std, clips, works in place', () => {
  const n = new Normalizer(3, { stdFloor: 0.5, clip: 2 });
  const obs = Float32Array.from([1, 2, 3]);
  n.normalize(obs, obs); // nothing seen yet: identity, then clip
  assert.deepEqual(Array.from(obs), [1, 2, 2]);
  for (const x of [[0, 10, 5], [2, 10, 5], [4, 10, 5]]) n.stats.push(x);
  // not frozen yet: still identity
  const out = new Float32Array(3);
  n.normalize([1, 1, 1], out);
  assert.deepEqual(Array.from(out), [1, 1, 1]);
  n.freeze();
  // dim 0: mean 2, std √(8/3); dim 1: std 0 → floor 0.5; dim 2 likewise
  n.normalize([3, 10.25, 100], out);
  assert.ok(Math.abs(out[0] - 1 / Math.sqrt(8 / 3)) < 1e-6);
  assert.equal(out[1], 0.5);
  assert.equal(out[2], 2);
  const f = n.frozen();
  normalizeWith(f.mean, f.invStd, f.clip, [3, 10.25, -100], out);
  assert.equal(out[2], -2);
  assert.throws(() => n.normalize([1, 2], out), /length 2/);
});

test('normaliser state round-trips exactly through JSON', () => {
  const n = new Normalizer(4, { stdFloor: 0.02, clip: 7 });
  for (const x of samples(33, 4, 5)) n.stats.push(x);
  n.freeze();
  const m = Normalizer.fromState(JSON.parse(JSON.stringify(n.getState())));
  assert.deepEqual(m.getState(), n.getState());
  assert.deepEqual(m.frozen(), n.frozen());
  assert.throws(() => Normalizer.fromState({ ...n.getState(), clip: -1 }), /clip/);
});
