import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antEnv, walkGait } from './helpers.js';
import { fnv1a64 } from '../../sim/env.js';

test('fnv1a64 matches the published FNV-1a 64-bit test vectors', () => {
  const enc = new TextEncoder();
  assert.equal(fnv1a64(new Uint8Array(0)), 'cbf29ce484222325');
  assert.equal(fnv1a64(enc.encode('a')), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64(enc.encode('foobar')), '85944171f73967e8');
});

test('same seed and actions give the same state hash; another seed or condition differs', async () => {
  const run = async (seed: number, condition = 'rough(amplitude=0.05)') => {
    const env = await antEnv({ condition });
    walkGait(env, seed, 3);
    const h = env.stateHash();
    env.free();
    return h;
  };
  const a = await run(1);
  assert.equal(await run(1), a);
  assert.notEqual(await run(2), a);
  assert.notEqual(await run(1, 'flat'), a);
});

test('snapshot mid-episode, then restore: the continuation is bitwise identical', async () => {
  const env = await antEnv({ condition: 'push(force=200, every=0.5)+sensor-noise(std=0.02)' });
  env.reset(5);
  const a = new Float32Array(8);
  const act = (t: number) => {
    for (let j = 0; j < 8; j++) a[j] = Math.sin(0.4 * t + j);
    return a;
  };
  for (let t = 0; t < 30; t++) env.step(act(t));
  const snap = env.snapshot();
  const obsA: number[] = [];
  for (let t = 30; t < 60; t++) obsA.push(...env.step(act(t)).obs);
  const hashA = env.stateHash();
  env.restore(snap);
  const obsB: number[] = [];
  for (let t = 30; t < 60; t++) obsB.push(...env.step(act(t)).obs);
  assert.equal(env.stateHash(), hashA);
  assert.deepEqual(obsB, obsA);
  env.free();
});

test('PHYSICS_BUILD names the installed Rapier package and version', async () => {
  const { PHYSICS_BUILD, initRapier } = await import('../../sim/rapier.js');
  const { readFileSync } = await import('node:fs');
  // the package's exports hide package.json: read it from node_modules, where npm installed it
  const pkgPath = new URL('../../../node_modules/@dimforge/rapier3d-simd-compat/package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name: string; version: string };
  assert.equal(PHYSICS_BUILD, `${pkg.name}@${pkg.version}`);
  const R = await initRapier();
  assert.equal(R.version(), pkg.version);
});
