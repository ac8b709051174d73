import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antSpec } from '../../morphologies/ant.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { cloneSpec, type MorphologySpec } from '../../morphologies/spec.js';
import { SpecError, validateSpec } from '../../morphologies/validate.js';

/** Break a fresh Ant with `edit` and expect a SpecError whose message contains each of `parts`. */
function rejects(edit: (s: MorphologySpec) => void, ...parts: string[]): SpecError {
  const s = antSpec();
  edit(s);
  let caught: unknown;
  try {
    validateSpec(JSON.parse(JSON.stringify(s)));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SpecError, `expected a SpecError, got ${String(caught)}`);
  assert.equal(caught.name, 'SpecError');
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  return caught;
}

test('the shipped specs validate and come back deep-equal (JSON round trip)', () => {
  for (const spec of [antSpec(), hexapodSpec()]) {
    const json = JSON.stringify(spec);
    const back = validateSpec(JSON.parse(json));
    assert.deepEqual(back, spec);
    assert.notEqual(back, spec);
  }
});

test('schema errors name the path: wrong type, negative radius, missing field, unknown field', () => {
  const e = rejects((s) => ((s.bodies[3].geoms[0] as unknown as Record<string, unknown>).radius = 'big'), 'bodies[3].geoms[0].radius', 'expected a finite number > 0', '"big"');
  assert.equal(e.path, 'bodies[3].geoms[0].radius');
  rejects((s) => (s.bodies[3].geoms[0].radius = -0.08), 'bodies[3].geoms[0].radius', '-0.08');
  rejects((s) => (s.bodies[0].geoms[0].radius = 0), 'bodies[0].geoms[0].radius');
  rejects((s) => delete (s.bodies[2] as Partial<MorphologySpec['bodies'][0]>).pos, 'bodies[2].pos', 'field missing');
  rejects((s) => ((s.bodies[1].joint as unknown as Record<string, unknown>).gaer = 150), 'bodies[1].joint.gaer', 'no such field');
  rejects((s) => (s.bodies[1].joint!.gear = 0), 'bodies[1].joint.gear');
  rejects((s) => (s.bodies[1].joint!.damping = -1), 'bodies[1].joint.damping');
  rejects((s) => (s.bodies[1].geoms[0].density = -5), 'bodies[1].geoms[0].density');
  rejects((s) => (s.bodies[1].geoms[0].mass = -1), 'bodies[1].geoms[0].mass');
  rejects((s) => (s.bodies[0].geoms.push({ name: 'b', shape: 'box', halfExtents: [0.1, 0, 0.1] })), 'bodies[0].geoms[5].halfExtents[1]');
  rejects((s) => ((s.bodies[0].geoms[0] as unknown as Record<string, unknown>).shape = 'cone'), 'bodies[0].geoms[0].shape', 'sphere, capsule, box');
});

test('messages say which spec: default `morphology "ant"`, or the given where', () => {
  rejects((s) => (s.bodies[1].joint!.gear = -3), 'morphology "ant": bodies[1].joint.gear');
  assert.throws(() => validateSpec({ ...antSpec(), density: -1 }, 'robots/x.json'), (e: Error) => e instanceof SpecError && e.message.startsWith('robots/x.json: density:'));
  assert.throws(() => validateSpec(42), (e: Error) => e instanceof SpecError && e.message === 'morphology: (root): expected an object, got 42');
});

test('unknown parent names the body field and the missing name', () => {
  const e = rejects((s) => (s.bodies[4].parent = 'foo'), 'bodies[4].parent: unknown body "foo"');
  assert.equal(e.path, 'bodies[4].parent');
});

test('duplicate body, geom and joint names', () => {
  rejects((s) => (s.bodies[3].name = 'hip_1_link'), 'bodies[3].name', 'duplicate body name "hip_1_link"', 'bodies[1]');
  rejects((s) => (s.bodies[4].geoms[0].name = 'torso_geom'), 'bodies[4].geoms[0].name', 'duplicate geom name "torso_geom"', 'bodies[0].geoms[0]');
  rejects((s) => (s.bodies[3].joint!.name = 'hip_1'), 'bodies[3].joint.name', 'duplicate joint name "hip_1"');
});

test('exactly one root: none, or two', () => {
  rejects((s) => (s.bodies[0].parent = 'hip_1_link'), 'bodies: no root body');
  rejects(
    (s) => {
      s.bodies[5].parent = null;
      delete s.bodies[5].joint;
    },
    'bodies[5].parent',
    'a second root',
  );
});

test('a cycle in the parent graph is reported with its path', () => {
  // hip_2_link → ankle_2_link → hip_2_link, while the torso stays the root
  rejects((s) => (s.bodies[3].parent = 'ankle_2_link'), 'bodies[3].parent', 'cycle', 'hip_2_link → ankle_2_link → hip_2_link');
});

test('joints: non-root without one, root with one, range out of order, zero axis', () => {
  rejects((s) => delete s.bodies[2].joint, 'bodies[2].joint', 'needs a joint');
  rejects((s) => (s.bodies[0].joint = { ...s.bodies[1].joint!, name: 'extra' }), 'bodies[0].joint', 'takes no joint');
  rejects((s) => (s.bodies[2].joint!.range = [-10, -20]), 'bodies[2].joint.range: lower -10 must be < upper -20');
  rejects((s) => (s.bodies[2].joint!.range = [30, 30]), 'bodies[2].joint.range');
  rejects((s) => (s.bodies[2].joint!.axis = [0, 0, 0]), 'bodies[2].joint.axis', 'non-zero');
});

test('geoms: shape fields, zero-length capsule, no mass', () => {
  rejects((s) => delete s.bodies[2].geoms[0].fromto, 'bodies[2].geoms[0].fromto', 'a capsule needs fromto');
  rejects((s) => (s.bodies[2].geoms[0].pos = [0, 0, 0]), 'bodies[2].geoms[0].pos', 'placed by fromto');
  rejects((s) => (s.bodies[0].geoms[0].halfExtents = [1, 1, 1]), 'bodies[0].geoms[0].halfExtents', 'a sphere takes no halfExtents');
  rejects((s) => (s.bodies[2].geoms[0].fromto = [[0.1, 0.1, 0], [0.1, 0.1, 0]]), 'bodies[2].geoms[0].fromto', 'zero length');
  rejects((s) => (s.density = 0), 'bodies[0].geoms[0]', 'has no mass');
  rejects((s) => (s.bodies[2].geoms[0].mass = 0), 'bodies[2].geoms', 'body "ankle_1_link" has no mass');
  // density 0 in the spec is fine when every geom brings its own
  const own = antSpec();
  own.density = 0;
  for (const b of own.bodies) for (const g of b.geoms) g.density = 5;
  assert.equal(validateSpec(own).density, 0);
});

test('feet and legs must name known geoms and joints', () => {
  rejects((s) => (s.feet[2] = 'ankle_9_geom'), 'feet[2]: unknown geom "ankle_9_geom"');
  rejects((s) => (s.feet[3] = s.feet[0]), 'feet[3]', 'listed twice');
  rejects((s) => (s.legs['front-left'] = ['hip_1', 'knee_1']), 'legs.front-left[1]: unknown joint "knee_1"');
  rejects((s) => (s.legs['front-left'] = ['ankle_1', 'hip_1']), 'legs.front-left[1]', 'hip to foot');
  rejects((s) => (s.legs['back-left'] = ['hip_1']), 'legs.back-left[0]', 'already in leg "front-left"');
  rejects((s) => (s.legs.empty = []), 'legs.empty');
  rejects((s) => (s.healthyZ = [1, 0.2]), 'healthyZ: lower 1 must be < upper 0.2');
});

test('validateSpec never changes its input', () => {
  const s = antSpec();
  const before = cloneSpec(s);
  validateSpec(s);
  assert.deepEqual(s, before);
});

test('keys naming JavaScript machinery are refused, in the spec and in its legs record; "$schema" is allowed', () => {
  /** the Ant as parsed JSON with an own property `key` (as JSON.parse makes even for "__proto__") on the object `at` picks */
  const withKey = (key: string, at: (v: Record<string, unknown>) => object, value: unknown): unknown => {
    const v = JSON.parse(JSON.stringify(antSpec()));
    Object.defineProperty(at(v), key, { value, enumerable: true, writable: true, configurable: true });
    return v;
  };
  const refuse = (value: unknown, path: string, detail: RegExp): void => {
    assert.throws(() => validateSpec(value), (e: unknown) => e instanceof SpecError && e.path === path && detail.test(e.message), `${path} ${detail}`);
  };
  assert.ok(Object.hasOwn(JSON.parse('{"__proto__": 1}'), '__proto__'), 'JSON.parse makes an own __proto__ property');
  refuse(withKey('__proto__', (v) => v, { density: 1 }), '__proto__', /^morphology "ant": __proto__: no such field; allowed: name, description, bodies/);
  refuse(withKey('constructor', (v) => (v.bodies as { joint: object }[])[1].joint, 1), 'bodies[1].joint.constructor', /no such field; allowed: name, axis/);
  refuse(withKey('__proto__', (v) => v.legs as object, ['hip_1']), 'legs.__proto__', /"__proto__" cannot be a key/);
  refuse(withKey('prototype', (v) => v.legs as object, ['hip_1']), 'legs.prototype', /"prototype" cannot be a key/);
  const back = validateSpec({ $schema: '../schemas/morphology.schema.json', ...JSON.parse(JSON.stringify(antSpec())) });
  assert.deepEqual(back, antSpec());
});
