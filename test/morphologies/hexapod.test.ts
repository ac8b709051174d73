import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { antSpec } from '../../morphologies/ant.js';
import { actuatedJoints, rootBody, type Vec3 } from '../../morphologies/spec.js';
import { validateSpec } from '../../morphologies/validate.js';
import { totalMass } from '../../morphologies/mass.js';

const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

test('the hexapod validates: 13 bodies, 12 joints, 6 feet, six named legs of hip and knee', () => {
  const h = validateSpec(hexapodSpec());
  assert.equal(h.bodies.length, 13);
  assert.equal(actuatedJoints(h).length, 12);
  assert.equal(h.feet.length, 6);
  assert.deepEqual(Object.keys(h.legs), ['front-left', 'middle-left', 'back-left', 'back-right', 'middle-right', 'front-right']);
  assert.deepEqual(h.legs['middle-right'], ['hip_5', 'knee_5']);
  assert.equal(rootBody(h).geoms[0].shape, 'box');
  assert.ok(h.healthyZ[0] < rootBody(h).pos[2] && rootBody(h).pos[2] < h.healthyZ[1]);
});

test('hexapod legs: three per side, hips about z, knees lower the foot on positive travel', () => {
  const h = hexapodSpec();
  const bodies = new Map(h.bodies.filter((b) => b.joint).map((b) => [b.joint!.name, b]));
  let left = 0, right = 0;
  for (const [leg, [hip, knee]] of Object.entries(h.legs)) {
    const hb = bodies.get(hip)!, kb = bodies.get(knee)!;
    if (hb.pos[1] > 0) left++;
    else right++;
    assert.equal(leg.endsWith('left'), hb.pos[1] > 0, `${leg} sits on its side`);
    assert.deepEqual(hb.joint!.axis, [0, 0, 1]);
    const [from, to] = kb.geoms[0].fromto!;
    const link: Vec3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
    // the foot tip moves along axis × link for positive angle: straight down
    const v = cross(kb.joint!.axis, link);
    assert.ok(v[2] < 0 && Math.abs(v[0]) < 1e-12 && Math.abs(v[1]) < 1e-12, `${knee}: axis × link = ${v}`);
    assert.ok(kb.joint!.range[0] > 0, 'the knee stop holds the foot below the hip');
    assert.ok(h.feet.includes(kb.geoms[0].name));
  }
  assert.equal(left, 3);
  assert.equal(right, 3);
});

test('hexapod is in the Ant regime: gear 150, damping 1, armature 1, radius 0.08, mass within 2x of the Ant', () => {
  const h = hexapodSpec();
  for (const { joint } of actuatedJoints(h)) assert.deepEqual([joint.gear, joint.damping, joint.armature], [150, 1, 1]);
  for (const b of h.bodies.slice(1)) for (const g of b.geoms) assert.equal(g.radius, 0.08);
  assert.equal(h.density, 5);
  const m = totalMass(h), ma = totalMass(antSpec());
  assert.ok(m > ma / 2 && m < 2 * ma, `hexapod ${m} kg vs Ant ${ma} kg`);
});

test('hexapodSpec returns a fresh spec each call', () => {
  const a = hexapodSpec();
  a.bodies[0].pos[2] = 99;
  assert.equal(hexapodSpec().bodies[0].pos[2], 0.55);
});
