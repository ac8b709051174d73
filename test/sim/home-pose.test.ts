import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocomotionEnv } from '../../sim/env.js';
import { loadMorphology } from '../../morphologies/index.js';
import { antSpec } from '../../morphologies/ant.js';
import { lockedJoint } from '../../morphologies/variants.js';
import { actuatedJoints, type MorphologySpec } from '../../morphologies/spec.js';

const rad = (deg: number) => (deg * Math.PI) / 180;

test('quadruped12 spawns standing in its home pose and a = 0 holds it for 10 s with a finite state', async () => {
  const spec = loadMorphology('quadruped12');
  const env = await LocomotionEnv.create({ morphology: spec, maxSteps: 200 });
  const J = env.actSize;
  const home = actuatedJoints(spec).map((j) => rad(j.joint.home ?? 0));
  const obs = env.reset(3);
  // the joints start at their home angles (thigh 0.8 rad; calf −1.5 rad in the URDF, −0.662 in the spec)
  for (let j = 0; j < J; j++) assert.ok(Math.abs(obs[5 + j] - home[j]) < 1e-4, `${env.jointNames[j]} starts at ${obs[5 + j]}, home ${home[j]}`);
  assert.ok(Math.abs(obs[0] - spec.bodies[0].pos[2]) < 1e-6 && obs[0] > 0.3 && obs[0] < 0.36, `trunk starts at ${obs[0]} m`);
  const a = new Float32Array(J);
  let steps = 0, zMin = Infinity;
  for (let t = 0; t < 200; t++) {
    const r = env.step(a);
    steps++;
    assert.ok(r.obs.every(Number.isFinite) && !r.nonFinite, `finite at step ${t}`);
    zMin = Math.min(zMin, r.obs[0]);
    if (r.done) break;
  }
  assert.equal(steps, 200, 'no fall: the episode runs its 10 s');
  // measured: the trunk settles at 0.316 m (servo sag under 15 kg), feet where they started
  assert.ok(zMin > 0.28, `lowest trunk height ${zMin} m`);
  const end = env.observation;
  for (let j = 0; j < J; j++) assert.ok(Math.abs(end[5 + j] - home[j]) < 0.2, `${env.jointNames[j]} at ${end[5 + j].toFixed(3)}, home ${home[j].toFixed(3)}`);
  assert.deepEqual(Array.from(end.subarray(end.length - 4)), [1, 1, 1, 1], 'four feet on the ground');
  assert.ok(Math.abs(env.torsoPosition()[0]) < 0.15, `stays in place (x = ${env.torsoPosition()[0]})`);
  assert.ok(env.torsoUpZ() > 0.98);
  env.free();
});

test('with a home angle, a = ±1 still commands the ends of the range and a = 0 the home angle', async () => {
  const spec = loadMorphology('quadruped12');
  // no gravity: nothing loads the joints, so each settles at its target
  const env = await LocomotionEnv.create({ morphology: spec, terminate: false, condition: 'gravity(scale=0)', resetNoise: 0 });
  const limits = env.jointLimits();
  const home = actuatedJoints(spec).map((j) => rad(j.joint.home ?? 0));
  const calf = env.jointNames.indexOf('FL_calf_joint'), thigh = env.jointNames.indexOf('RR_thigh_joint');
  assert.ok(home[calf] < -0.5 && home[thigh] > 0.5, 'both have a home angle away from 0');
  const settle = (j: number, a: number): number => {
    env.reset(0);
    const act = new Float32Array(env.actSize);
    act[j] = a;
    for (let t = 0; t < 60; t++) env.step(act);
    return env.observation[5 + j];
  };
  const [lo, hi] = limits[calf];
  const cases: [number, number, number][] = [
    [calf, 1, hi],
    [calf, -1, lo],
    [calf, 0.5, home[calf] + 0.5 * (hi - home[calf])],
    [calf, -0.5, home[calf] - 0.5 * (home[calf] - lo)],
    [thigh, -1, limits[thigh][0]],
    [thigh, 0.25, home[thigh] + 0.25 * (limits[thigh][1] - home[thigh])],
    [thigh, 0, home[thigh]],
  ];
  for (const [j, a, want] of cases) {
    const q = settle(j, a);
    assert.ok(Math.abs(q - want) < 0.02, `${env.jointNames[j]}, a = ${a}: at ${q.toFixed(4)} rad, expected ${want.toFixed(4)}`);
  }
  env.free();
});

test('a torque-driven robot with a home angle spawns with the joint there; a locked joint is welded at it', async () => {
  const spec: MorphologySpec = antSpec();
  const hip = spec.bodies.find((b) => b.joint?.name === 'hip_1')!;
  hip.joint!.home = 20;
  const env = await LocomotionEnv.create({ morphology: spec, condition: 'gravity(scale=0)', resetNoise: 0, terminate: false });
  const j = env.jointNames.indexOf('hip_1');
  assert.ok(Math.abs(env.reset(0)[5 + j] - rad(20)) < 1e-5, `starts at ${env.observation[5 + j]}`);
  env.free();
  // locked: a = 1 cannot move it off its home angle
  const locked = await LocomotionEnv.create({ morphology: lockedJoint(spec, 'hip_1'), condition: 'gravity(scale=0)', resetNoise: 0, terminate: false });
  locked.reset(0);
  const a = new Float32Array(locked.actSize).fill(1);
  for (let t = 0; t < 40; t++) locked.step(a);
  assert.ok(Math.abs(locked.observation[5 + j] - rad(20)) < 0.02, `locked at ${locked.observation[5 + j]}`);
  locked.free();
});
