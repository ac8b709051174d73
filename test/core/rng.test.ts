import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../core/rng.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextU32());
  const xb = Array.from({ length: 8 }, () => b.nextU32());
  const xc = Array.from({ length: 8 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniform and normal have the right first two moments', () => {
  const r = new Rng(7);
  let s = 0, s2 = 0, n = 0, m = 0, m2 = 0;
  const N = 200_000;
  for (let i = 0; i < N; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u; s2 += u * u;
    const z = r.normal();
    m += z; m2 += z * z; n++;
  }
  assert.ok(Math.abs(s / N - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / N - 1 / 3) < 0.005);
  assert.ok(Math.abs(m / n) < 0.01);
  assert.ok(Math.abs(m2 / n - 1) < 0.02);
});

test('state round-trips exactly, including the Box-Muller spare', () => {
  const r = new Rng(3);
  r.normal(); // leaves a spare
  const st = r.getState();
  const a = [r.normal(), r.normal(), r.uniform()];
  const q = new Rng(999);
  q.setState(JSON.parse(JSON.stringify(st)));
  assert.deepEqual([q.normal(), q.normal(), q.uniform()], a);
  assert.throws(() => q.setState({ s: [1, 2, 3] as unknown as [number, number, number, number], spare: null }), /four uint32/);
});

test('deriveSeed separates paths', () => {
  assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
  assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
  assert.notEqual(deriveSeed(1, 0), deriveSeed(2, 0));
});
