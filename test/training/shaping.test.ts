import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centeredRanks, utilities, utilityWeights } from '../../training/es/shaping.js';

test('centred ranks: hand-computed cases', () => {
  assert.deepEqual(Array.from(centeredRanks([3, 1, 2])), [0.5, -0.5, 0]);
  assert.deepEqual(Array.from(centeredRanks([4, 1, 2, 3])), [0.5, -0.5, 1 / 3 - 0.5, 2 / 3 - 0.5]);
  assert.deepEqual(Array.from(centeredRanks([7])), [0]);
  // monotone transformations do not matter
  assert.deepEqual(Array.from(centeredRanks([-1e9, 5, 0.001])), Array.from(centeredRanks([1, 3, 2])));
  // ±Infinity rank like numbers; NaN is refused with the member index
  assert.deepEqual(Array.from(centeredRanks([-Infinity, 0, Infinity])), [-0.5, 0, 0.5]);
  assert.throws(() => centeredRanks([1, NaN, 2]), /fitness\[1\] is NaN/);
});

test('centred ranks: ties share the average rank, whatever the order', () => {
  // ranks 0,1 tied → 0.5 each → 0.5/2 − 0.5 = −0.25
  assert.deepEqual(Array.from(centeredRanks([1, 1, 2])), [-0.25, -0.25, 0.5]);
  assert.deepEqual(Array.from(centeredRanks([2, 1, 1])), [0.5, -0.25, -0.25]);
  assert.deepEqual(Array.from(centeredRanks([5, 5, 5, 5])), [0, 0, 0, 0]);
  // sums to zero
  const r = centeredRanks([3, 9, 9, 1, 4, 4, 4]);
  assert.ok(Math.abs(r.reduce((a, b) => a + b, 0)) < 1e-15);
});

test('utilities: hand-computed for n = 4, sum to zero, best gets most', () => {
  const top = Math.log(3);
  const raw = [top - Math.log(1), top - Math.log(2), 0, 0]; // ln 3 − ln 4 < 0 → 0
  const sum = raw[0] + raw[1];
  const expected = raw.map((r) => r / sum - 0.25);
  const u = utilities(4);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(u[i] - expected[i]) < 1e-15, `u[${i}] = ${u[i]}, expected ${expected[i]}`);
  assert.ok(Math.abs(utilities(17).reduce((a, b) => a + b, 0)) < 1e-14);
  assert.throws(() => utilities(0), /positive integer/);
});

test('utility weights follow rank (0 = best) and average over ties', () => {
  const u = utilities(4);
  const w = utilityWeights([10, 40, 20, 30]); // ranks: 40→0, 30→1, 20→2, 10→3
  assert.deepEqual(Array.from(w), [u[3], u[0], u[2], u[1]]);
  const t = utilityWeights([1, 2, 2, 0]); // the two 2s share ranks 0 and 1
  assert.equal(t[1], (u[0] + u[1]) / 2);
  assert.equal(t[2], (u[0] + u[1]) / 2);
  assert.equal(t[0], u[2]);
  assert.equal(t[3], u[3]);
});
