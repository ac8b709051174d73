import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antSpec } from '../../morphologies/ant.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { actuatedJoints, cloneSpec, rootBody, type MorphologySpec } from '../../morphologies/spec.js';
import { damaged, lockedJoint, payload, weakMotor, PAYLOAD_HALF_EXTENTS } from '../../morphologies/variants.js';
import { SpecError, validateSpec } from '../../morphologies/validate.js';
import { totalMass } from '../../morphologies/mass.js';

const geom = (s: MorphologySpec, name: string) => s.bodies.flatMap((b) => b.geoms).find((g) => g.name === name)!;
const joint = (s: MorphologySpec, name: string) => actuatedJoints(s).find((j) => j.joint.name === name)!.joint;

function specError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof SpecError, `not a SpecError: ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

test('damaged: Ant front-left ankle (0,0,0)→(0.4,0.4,0) becomes (0,0,0)→(0.1,0.1,0); input untouched', () => {
  const ant = antSpec();
  const before = cloneSpec(ant);
  const d = damaged(ant, 'front-left', 0.1);
  assert.deepEqual(geom(d, 'ankle_1_geom').fromto, [[0, 0, 0], [0.1, 0.1, 0]]);
  assert.deepEqual(ant, before);
  // other legs untouched
  assert.deepEqual(geom(d, 'ankle_3_geom').fromto, [[0, 0, 0], [-0.4, -0.4, 0]]);
  assert.ok(totalMass(d) < totalMass(ant));
  validateSpec(d);
});

test('damaged scales the whole vector: back-right (−0.4,−0.4,0) to extent 0.2; hexapod knee 0.4 → 0.25', () => {
  const to = geom(damaged(antSpec(), 'back-right', 0.2), 'ankle_3_geom').fromto![1];
  assert.ok(Math.abs(to[0] + 0.2) < 1e-15 && Math.abs(to[1] + 0.2) < 1e-15 && to[2] === 0, `${to}`);
  const h = damaged(hexapodSpec(), 'middle-right', 0.25);
  assert.deepEqual(geom(h, 'knee_5_geom').fromto, [[0, 0, 0], [0, -0.25, 0]]);
});

test('damaged: unknown leg lists the legs; bad length names the argument', () => {
  specError(() => damaged(antSpec(), 'middle-left', 0.1), 'damaged: leg: unknown leg "middle-left"', 'front-left, back-left, back-right, front-right');
  specError(() => damaged(antSpec(), 'toString', 0.1), 'unknown leg "toString"');
  specError(() => damaged(antSpec(), 'front-left', 0), 'length', 'got 0');
  specError(() => damaged(antSpec(), 'front-left', Number.NaN), 'length');
});

test('lockedJoint sets locked on that joint only', () => {
  const ant = antSpec();
  const l = lockedJoint(ant, 'ankle_2');
  assert.equal(joint(l, 'ankle_2').locked, true);
  assert.equal(actuatedJoints(l).filter((j) => j.joint.locked).length, 1);
  assert.equal(joint(ant, 'ankle_2').locked, undefined);
  validateSpec(l);
  specError(() => lockedJoint(ant, 'knee_1'), 'lockedJoint: joint: unknown joint "knee_1"', 'hip_1, ankle_1');
});

test('weakMotor scales one joint, or all', () => {
  const ant = antSpec();
  const one = weakMotor(ant, 0.5, 'hip_1');
  assert.deepEqual(actuatedJoints(one).map((j) => j.joint.gear), [75, 150, 150, 150, 150, 150, 150, 150]);
  const all = weakMotor(ant, 0.2);
  assert.ok(actuatedJoints(all).every((j) => Math.abs(j.joint.gear - 30) < 1e-12));
  assert.equal(actuatedJoints(weakMotor(ant, 10)).every((j) => j.joint.gear === 1500), true);
  assert.ok(actuatedJoints(ant).every((j) => j.joint.gear === 150), 'input unchanged');
  specError(() => weakMotor(ant, 0), 'weakMotor: scale', '(0, 10]');
  specError(() => weakMotor(ant, 10.5), 'scale');
  specError(() => weakMotor(ant, 0.5, 'hip_9'), 'joint: unknown joint "hip_9"', 'ankle_4');
});

test('payload: a box of that mass on the torso surface (Ant: on top of the sphere, r = 0.25)', () => {
  const ant = antSpec();
  const p = payload(ant, 2);
  const box = rootBody(p).geoms.find((g) => g.name === 'payload')!;
  assert.equal(box.shape, 'box');
  assert.equal(box.mass, 2);
  assert.deepEqual(box.halfExtents, PAYLOAD_HALF_EXTENTS);
  assert.deepEqual(box.pos, [0, 0, 0.25 + PAYLOAD_HALF_EXTENTS[2]]);
  assert.ok(Math.abs(totalMass(p) - totalMass(ant) - 2) < 1e-12);
  assert.equal(rootBody(ant).geoms.length, 5, 'input unchanged');
  validateSpec(p);
  // hexapod: box torso half height 0.06
  assert.deepEqual(rootBody(payload(hexapodSpec(), 1)).geoms.at(-1)!.pos, [0, 0, 0.06 + PAYLOAD_HALF_EXTENTS[2]]);
  // twice: one box, masses add
  const pp = payload(p, 1.5);
  assert.equal(rootBody(pp).geoms.filter((g) => g.name === 'payload').length, 1);
  assert.equal(rootBody(pp).geoms.find((g) => g.name === 'payload')!.mass, 3.5);
  assert.equal(box.mass, 2, 'first payload spec unchanged');
  specError(() => payload(ant, 0), 'payload: kg', 'got 0');
  specError(() => payload(ant, -1), 'kg');
});

test('variants compose and the result validates', () => {
  const s = payload(lockedJoint(damaged(weakMotor(hexapodSpec(), 0.5), 'front-left', 0.1), 'knee_3'), 2);
  validateSpec(s);
  assert.equal(joint(s, 'knee_3').locked, true);
  assert.equal(joint(s, 'hip_1').gear, 75);
  assert.deepEqual(geom(s, 'knee_1_geom').fromto![1], [0, 0.1, 0]);
});
