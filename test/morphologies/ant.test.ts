import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antSpec } from '../../morphologies/ant.js';
import { actuatedJoints, rootBody } from '../../morphologies/spec.js';
import { validateSpec } from '../../morphologies/validate.js';
import { totalMass } from '../../morphologies/mass.js';

test('the Ant validates and has 9 bodies, 8 joints, 4 feet', () => {
  const ant = validateSpec(antSpec());
  assert.equal(ant.bodies.length, 9);
  assert.equal(actuatedJoints(ant).length, 8);
  assert.deepEqual(ant.feet, ['ankle_1_geom', 'ankle_2_geom', 'ankle_3_geom', 'ankle_4_geom']);
  assert.equal(rootBody(ant).name, 'torso');
  assert.deepEqual(rootBody(ant).pos, [0, 0, 0.75]);
  assert.deepEqual(Object.keys(ant.legs).sort(), ['back-left', 'back-right', 'front-left', 'front-right']);
});

test('Ant joints: gear 150, damping 1, armature 1, Gymnasium ranges', () => {
  const js = actuatedJoints(antSpec()).map((j) => j.joint);
  for (const j of js) {
    assert.equal(j.gear, 150, j.name);
    assert.equal(j.damping, 1, j.name);
    assert.equal(j.armature, 1, j.name);
  }
  const ranges = Object.fromEntries(js.map((j) => [j.name, j.range]));
  assert.deepEqual(ranges, {
    hip_1: [-30, 30], ankle_1: [30, 70],
    hip_2: [-30, 30], ankle_2: [-70, -30],
    hip_3: [-30, 30], ankle_3: [-70, -30],
    hip_4: [-30, 30], ankle_4: [30, 70],
  });
});

test('Ant mass: sphere r 0.25 plus 12 capsules r 0.08 at density 5', () => {
  const r = 0.08;
  const cap = (len: number): number => 5 * (Math.PI * r * r * len + (4 / 3) * Math.PI * r ** 3);
  const d = Math.SQRT2 * 0.2;
  const expected = 5 * (4 / 3) * Math.PI * 0.25 ** 3 + 4 * (2 * cap(d) + cap(2 * d));
  assert.ok(Math.abs(totalMass(antSpec()) - expected) < 1e-12, `${totalMass(antSpec())} vs ${expected}`);
  assert.ok(Math.abs(expected - 0.9109) < 1e-4, `the Ant weighs about 0.911 kg, got ${expected}`);
});
