import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR, importModel, loadMorphology, validateSpec } from '../../morphologies/index.js';
import { antSpec } from '../../morphologies/ant.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { homePose, lowestPointAtHome } from '../../morphologies/pose.js';
import { SPAWN_CLEARANCE } from '../../morphologies/import/assemble.js';

const QUADRUPED = join(MODELS_DIR, 'quadruped12.urdf');
const specError = (field: string, detail: RegExp) => (e: unknown) => e instanceof SpecError && e.message.includes(field) && detail.test(e.message);

test('home pose: forward kinematics of quadruped12 put each foot under its hip, SPAWN_CLEARANCE above the ground', () => {
  const spec = loadMorphology('quadruped12');
  // by hand: thigh 0.8 rad, calf −1.5 rad (URDF angles), links of 0.213 m, foot sphere r = 0.022 m
  const trunkZ = spec.bodies[0].pos[2];
  const footZ = trunkZ - 0.213 * Math.cos(0.8) - 0.213 * Math.cos(0.8 - 1.5) - 0.022;
  assert.ok(Math.abs(footZ - SPAWN_CLEARANCE) < 1e-8, `foot bottom at ${footZ}`);
  assert.ok(Math.abs(lowestPointAtHome(spec) - SPAWN_CLEARANCE) < 1e-8, `${lowestPointAtHome(spec)}`);
  const pose = homePose(spec);
  const at = (name: string) => pose[spec.bodies.findIndex((b) => b.name === name)];
  // the knee (calf origin) sits 0.213 sin 0.8 behind the hip and 0.213 cos 0.8 below it
  const hip = at('FL_thigh').origin, knee = at('FL_calf').origin;
  assert.ok(Math.abs(knee[0] - (hip[0] - 0.213 * Math.sin(0.8))) < 1e-8 && Math.abs(knee[2] - (hip[2] - 0.213 * Math.cos(0.8))) < 1e-8);
  // the calf body rotates about y from its rest frame (the URDF knee clamped to −0.83776 rad) by
  // the thigh's 0.8 plus the knee's −1.5 + 0.83776
  const q = at('RR_calf').rotation;
  assert.ok(Math.abs(2 * Math.atan2(q[1], q[3]) - (0.8 - 1.5 + 0.83776)) < 1e-6, `${q}`);
  // without home angles the pose is the rest pose: no body rotates
  assert.ok(homePose(antSpec()).every((p) => p.rotation[3] === 1));
});

test('home: validateSpec refuses an angle outside the range or not a number, naming the field', () => {
  const bad = antSpec();
  bad.bodies[1].joint!.home = 45; // hip_1, range ±30°
  assert.throws(() => validateSpec(bad), specError('bodies[1].joint.home', /home angle 45° lies outside the joint's range \[-30, 30\]/));
  const notNumber = antSpec() as unknown as { bodies: { joint?: { home?: unknown } }[] };
  notNumber.bodies[1].joint!.home = '10';
  assert.throws(() => validateSpec(notNumber), specError('bodies[1].joint.home', /number/));
  const ok = antSpec();
  ok.bodies[1].joint!.home = 30;
  assert.deepEqual(validateSpec(ok), ok, 'the end of the range is allowed');
});

test('home in the sidecar or overrides: unknown joint, out of limits, not a number are refused by field', () => {
  assert.throws(() => importModel(QUADRUPED, { home: { FL_knee: -1.5 } }), specError('home.FL_knee', /unknown joint "FL_knee" \(joints: FL_hip_joint/));
  // URDF calf limits −2.7227 … −0.83776 rad: 0 is outside
  assert.throws(() => importModel(QUADRUPED, { home: { FL_calf_joint: 0 } }), specError('home.FL_calf_joint', /0 rad lies outside the joint's limits \[-2\.7227, -0\.83776\] rad/));
  assert.throws(() => importModel(QUADRUPED, { home: { FL_calf_joint: 'bent' as unknown as number } }), specError('home.FL_calf_joint', /expected a finite angle in radians, got "bent"/));
  assert.throws(() => importModel(QUADRUPED, { home: [0.8] as unknown as Record<string, number> }), specError('home', /expected an object/));

  // a real sidecar file beside a copy of the model
  const dir = mkdtempSync(join(tmpdir(), 'home-'));
  try {
    const model = join(dir, 'dog.urdf');
    writeFileSync(model, readFileSync(QUADRUPED, 'utf8'));
    writeFileSync(`${model}.spikeloco.json`, JSON.stringify({ home: { RL_thigh_joint: 5 } }));
    assert.throws(() => loadMorphology(model), (e: unknown) => e instanceof SpecError && e.message.includes('dog.urdf') && /home\.RL_thigh_joint: 5 rad lies outside/.test(e.message));
    writeFileSync(`${model}.spikeloco.json`, JSON.stringify({ home: { RL_thigh_joint: 1 } }));
    const spec = loadMorphology(model);
    assert.ok(Math.abs(spec.bodies.find((b) => b.joint?.name === 'RL_thigh_joint')!.joint!.home! - (180 / Math.PI)) < 1e-8);
    assert.equal(spec.bodies.find((b) => b.joint?.name === 'RR_thigh_joint')!.joint!.home, undefined, 'joints the sidecar leaves out have no home angle');
    assert.ok(Math.abs(lowestPointAtHome(spec) - SPAWN_CLEARANCE) < 1e-8, 'lifted for the home pose');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
