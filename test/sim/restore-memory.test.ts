/**
 * Resets without the WASM leak (sim/rapier.ts `restoreWorld`, issue #13 item 7): the world it
 * restores is bitwise the one Rapier's `World.restoreSnapshot` restores, episodes hash as they
 * did before the change, and repeated resets leave the WebAssembly heap where it was, where
 * Rapier's call grows it by ≈ 1.9 kB per reset. Loops are synchronous, so no JS finalizer can
 * run in between: the memory figures do not depend on GC timing or machine load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchWasmMemory } from '../../bench/wasm-memory.js';
import { RAPIER, initRapier, restoreWorld } from '../../sim/rapier.js';
import { buildWorld, DEFAULT_PHYSICS } from '../../sim/world.js';
import { parseCondition } from '../../sim/conditions.js';
import { openLoopGait } from '../../sim/gait.js';
import { antSpec } from '../../morphologies/ant.js';
import { antEnv, gaitAction } from './helpers.js';

// before any Rapier instance exists in this test process
const wasmBytes = watchWasmMemory();

async function antWorld() {
  await initRapier();
  return buildWorld(antSpec(), parseCondition('rough(amplitude=0.05)'), DEFAULT_PHYSICS);
}

test('restoreWorld restores bitwise the world World.restoreSnapshot restores, and both step alike', async () => {
  const { world, bodyHandles } = await antWorld();
  for (let s = 0; s < 30; s++) {
    world.getRigidBody(bodyHandles[0]).applyImpulse({ x: 0.2 * Math.sin(s), y: 0.1, z: 0 }, true);
    world.step();
  }
  const snap = world.takeSnapshot();
  world.free();
  const a = restoreWorld(snap), b = RAPIER.World.restoreSnapshot(snap);
  assert.deepEqual(a.takeSnapshot(), b.takeSnapshot());
  for (let s = 0; s < 50; s++) {
    for (const w of [a, b]) {
      w.getRigidBody(bodyHandles[1]).applyTorqueImpulse({ x: 0.01 * Math.cos(s), y: 0, z: 0.02 }, true);
      w.step();
    }
  }
  const sa = a.takeSnapshot();
  assert.deepEqual(sa, b.takeSnapshot());
  assert.notDeepEqual(sa, snap); // the worlds did move
  a.free();
  b.free();
});

test('episodes hash as before the change (hashes recorded with World.restoreSnapshot at 71547c4)', async () => {
  const env = await antEnv({ condition: 'rough(amplitude=0.05)' });
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  const hashes: string[] = [];
  for (const seed of [7, 8, 7]) {
    env.reset(seed);
    for (let t = 0; t < 60; t++) {
      env.step(gaitAction(gait, t, env.controlDt, a));
      if (seed === 8 && t === 29) {
        // env.restore goes through restoreWorld too
        const s = env.snapshot();
        env.step(a);
        env.restore(s);
      }
    }
    hashes.push(env.stateHash());
  }
  env.free();
  assert.deepEqual(hashes, ['ffce7480dd00baca', '33d864e9c3010a2a', 'ffce7480dd00baca']);
});

test('repeated restores: restoreWorld leaves the WASM heap where it was, World.restoreSnapshot grows it', async () => {
  const { world } = await antWorld();
  const snap = world.takeSnapshot();
  let w = world;
  const growth = (restore: (b: Uint8Array) => InstanceType<typeof RAPIER.World>, n: number) => {
    w.free();
    w = restore(snap); // one warm-up call
    const before = wasmBytes();
    for (let i = 0; i < n; i++) {
      w.free();
      w = restore(snap);
    }
    return wasmBytes() - before;
  };
  assert.ok(wasmBytes() > 0, 'the Rapier instance was caught');
  assert.equal(growth(restoreWorld, 2000), 0);
  // the defect restoreWorld avoids, so that this test can tell the two apart
  const leaked = growth((b) => RAPIER.World.restoreSnapshot(b), 2000);
  assert.ok(leaked >= 2000 * 1000, `World.restoreSnapshot grew the WASM heap by ${leaked} bytes over 2000 calls`);
  w.free();
});

test('env episodes (reset + 20 control steps) leave the WASM heap where it was', async () => {
  const env = await antEnv();
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  const episode = (seed: number) => {
    env.reset(seed);
    for (let t = 0; t < 20; t++) env.step(gaitAction(gait, t, env.controlDt, a));
  };
  for (let i = 0; i < 50; i++) episode(i); // the heap reaches its working size
  const before = wasmBytes();
  for (let i = 0; i < 1500; i++) episode(100 + i);
  assert.equal(wasmBytes() - before, 0);
  env.free();
});
