/**
 * The one stepping primitive (training/episode.ts): `runEpisode` is act → step → record, the
 * incremental `Episode` (the live viewer's) plays the same episode bit for bit, and a
 * mid-episode switch re-seats the robot by the one documented rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocomotionEnv } from '../../sim/env.js';
import { heightAt } from '../../sim/terrain.js';
import { antSpec } from '../../morphologies/index.js';
import { gaitPolicy } from '../../training/policy.js';
import { Episode, liftBetween, plainEpisode, pushBodies, runEpisode, switchCondition } from '../../training/episode.js';
import type { EpisodeSpec } from '../../training/task.js';

const ROUGH = 'rough(amplitude=0.08)';

test('runEpisode is act(obs, last reward) → step, and stops at its length', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  try {
    const { controller } = gaitPolicy(env);
    const stats = runEpisode(env, controller, plainEpisode(env, 4, 50));
    // the same by hand
    let obs = env.reset(4);
    controller.reset(4);
    const x0 = env.torsoPosition()[0];
    let reward = 0, ret = 0;
    for (let t = 0; t < 50; t++) {
      const r = env.step(controller.act(obs, reward));
      obs = r.obs;
      reward = r.reward;
      ret += reward;
    }
    assert.equal(stats.steps, 50);
    assert.equal(stats.endReason, 'time');
    assert.equal(stats.return, ret);
    assert.equal(stats.distance, env.torsoPosition()[0] - x0);
    assert.equal(stats.hash, env.stateHash());
  } finally {
    env.free();
  }
});

test('an Episode stepped one control step at a time (the viewer) equals runEpisode, switch included', async () => {
  const flat = await LocomotionEnv.create({ morphology: antSpec(), maxSteps: 1e6 });
  const rough = await LocomotionEnv.create({ morphology: antSpec(), condition: ROUGH, maxSteps: 1e6 });
  try {
    const { controller } = gaitPolicy(flat);
    const spec: EpisodeSpec = { seed: 7, maxSteps: 60, condition: 'flat', switches: [{ atStep: 25, condition: ROUGH }] };
    const envFor = (c: string) => (c === 'flat' ? flat : rough);
    const batch = runEpisode(envFor, controller, spec);
    const ep = new Episode(flat, controller);
    ep.begin(7);
    for (let t = 0; t < 60; t++) {
      if (t === 25) assert.equal(switchCondition(ep, rough), flat, 'returns the env it left');
      ep.step();
    }
    assert.equal(ep.env, rough);
    const live = ep.stats(60);
    assert.equal(live.hash, batch.hash);
    assert.equal(live.return, batch.return);
    assert.equal(live.distance, batch.distance);
    // and the switch changed the episode (the rough ground is under it)
    const plain = runEpisode(flat, controller, plainEpisode(flat, 7, 60));
    assert.notEqual(plain.hash, batch.hash);
    assert.throws(() => runEpisode(flat, controller, spec), /single env cannot switch/);
  } finally {
    flat.free();
    rough.free();
  }
});

test('switchCondition re-seats every body by liftBetween: the largest rise under any body plus 1 cm', async () => {
  const flat = await LocomotionEnv.create({ morphology: antSpec() });
  const rough = await LocomotionEnv.create({ morphology: antSpec(), condition: ROUGH });
  try {
    const { controller } = gaitPolicy(flat);
    const ep = new Episode(flat, controller);
    ep.begin(3);
    for (let t = 0; t < 10; t++) ep.step();
    // carry the robot 3 m on, onto the rough patch (the start area is smoothed)
    const moved = flat.exportBodyState();
    for (let o = 0; o < moved.length; o += 13) moved[o] += 3;
    flat.importBodyState(moved, 0);
    const before = flat.exportBodyState();
    const dz = liftBetween(flat, rough, before);
    let rise = -Infinity;
    for (let o = 0; o < before.length; o += 13) rise = Math.max(rise, heightAt(rough.condition.terrain, before[o], before[o + 1]) - heightAt(flat.condition.terrain, before[o], before[o + 1]));
    assert.ok(rise > 0, 'rough ground rises under some body');
    assert.equal(dz, rise + 0.01);
    const stepsBefore = ep.steps, retBefore = ep.ret, rewardBefore = ep.reward;
    switchCondition(ep, rough);
    const after = rough.exportBodyState();
    for (let o = 0; o < before.length; o += 13) {
      assert.equal(after[o], before[o]);
      assert.equal(after[o + 1], before[o + 1]);
      assert.ok(Math.abs(after[o + 2] - (before[o + 2] + dz)) < 1e-6, 'lifted by dz');
      assert.equal(after[o + 7], before[o + 7], 'velocity carried over');
    }
    assert.deepEqual([ep.steps, ep.ret, ep.reward], [stepsBefore, retBefore, rewardBefore], 'the episode goes on');
    assert.equal(ep.obs, rough.observation);
  } finally {
    flat.free();
    rough.free();
  }
});

test('pushBodies adds the same velocity change to every body', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  try {
    env.reset(1);
    const a = env.exportBodyState();
    pushBodies(env, [0.5, -0.25, 1]);
    const b = env.exportBodyState();
    for (let o = 0; o < a.length; o += 13) {
      assert.ok(Math.abs(b[o + 7] - a[o + 7] - 0.5) < 1e-6 && Math.abs(b[o + 8] - a[o + 8] + 0.25) < 1e-6 && Math.abs(b[o + 9] - a[o + 9] - 1) < 1e-6);
      assert.equal(b[o], a[o]);
    }
  } finally {
    env.free();
  }
});
