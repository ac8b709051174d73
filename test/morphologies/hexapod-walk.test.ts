/**
 * Integration check with the sim: the hexapod must walk with the open-loop tripod gait
 * (sim/gait.ts). Measured when written: about 14 m in 10 s for seeds 1-3 without falling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocomotionEnv } from '../../sim/env.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { walkGait } from '../sim/helpers.js';

test('the hexapod stands on six feet with zero torque and walks forward with the tripod gait', async () => {
  const env = await LocomotionEnv.create({ morphology: hexapodSpec() });
  env.reset(0);
  const zero = new Float32Array(env.actSize);
  for (let t = 0; t < 60; t++) assert.equal(env.step(zero).done, false, `fell at step ${t}`);
  const contacts = Array.from(env.observation.slice(env.obsSize - 6));
  assert.deepEqual(contacts, [1, 1, 1, 1, 1, 1], 'all six feet on the ground');
  assert.ok(env.observation[0] > 0.25, `standing height ${env.observation[0]}`);
  const { distance, fell } = walkGait(env, 1, 10);
  assert.equal(fell, false);
  assert.ok(distance > 3, `walked ${distance} m in 10 s`);
  env.free();
});
