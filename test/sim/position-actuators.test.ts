import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { LocomotionEnv } from '../../sim/env.js';
import { loadMorphology } from '../../morphologies/index.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { Rng } from '../../core/rng.js';

const URDF = fileURLToPath(new URL('../../../morphologies/models/quadruped12.urdf', import.meta.url));

function positionMode(spec: MorphologySpec, kp: number, kv: number): MorphologySpec {
  return { ...spec, bodies: spec.bodies.map((b) => (b.joint ? { ...b, joint: { ...b.joint, actuator: { kind: 'position' as const, kp, kv } } } : b)) };
}

/** Max torso angular speed (rad/s) over 10 s of smooth random actions. */
async function maxSpin(spec: MorphologySpec, seed: number): Promise<{ spin: number; torque: number; finite: boolean }> {
  const env = await LocomotionEnv.create({ morphology: spec, terminate: false });
  env.reset(seed);
  const rng = new Rng(seed), a = new Float32Array(env.actSize);
  const k = 5 + 2 * env.actSize + 3;
  let spin = 0, torque = 0, finite = true;
  for (let t = 0; t < 200; t++) {
    for (let j = 0; j < a.length; j++) a[j] = 0.9 * a[j] + 0.3 * (2 * rng.uniform() - 1);
    const r = env.step(a);
    if (r.nonFinite) { finite = false; break; }
    spin = Math.max(spin, Math.hypot(r.obs[k], r.obs[k + 1], r.obs[k + 2]));
    for (const tq of env.appliedTorques) torque = Math.max(torque, Math.abs(tq));
  }
  env.free();
  return { spin, torque, finite };
}

test('PD position actuators (implicit joint motors) keep the stiff 12-joint quadruped calm where torque control throws it around', async () => {
  // the shipped sidecar makes every joint a servo; the torque-driven robot is the same spec without
  // it. Both without the sidecar's armature 0.03, a solver aid that also calms torque control (≈ 9 rad/s)
  const shipped = loadMorphology(URDF);
  const noArmature: MorphologySpec = { ...shipped, bodies: shipped.bodies.map((b) => (b.joint ? { ...b, joint: { ...b.joint, armature: 0 } } : b)) };
  const pdSpec = positionMode(noArmature, 30, 1);
  const torqueSpec: MorphologySpec = { ...pdSpec, bodies: pdSpec.bodies.map((b) => (b.joint ? { ...b, joint: { ...b.joint, actuator: { kind: 'torque' as const } } } : b)) };
  const byTorque = await maxSpin(torqueSpec, 3);
  const byPd = await maxSpin(pdSpec, 3);
  assert.ok(byTorque.finite && byPd.finite);
  // measured: ≈ 49 rad/s under torque control, ≈ 7 under the servo
  assert.ok(byPd.spin < 15, `servo: trunk spins at up to ${byPd.spin.toFixed(1)} rad/s`);
  assert.ok(byTorque.spin > 2 * byPd.spin, `torque ${byTorque.spin.toFixed(1)} vs servo ${byPd.spin.toFixed(1)} rad/s`);
  // the servo's torque is clipped to each joint's effort (23.7 / 45.43 N·m)
  assert.ok(byPd.torque <= 45.43 + 1e-9 && byPd.torque > 5, `servo torque up to ${byPd.torque}`);
});

test('a position actuator drives its joint to the target: a = 0 holds the rest pose, a > 0 moves toward the upper limit', async () => {
  const spec = positionMode(loadMorphology(URDF), 30, 1);
  // without gravity nothing loads the joints, so each settles at its target
  const env = await LocomotionEnv.create({ morphology: spec, terminate: false, condition: 'gravity(scale=0)' });
  const all = env.jointNames.map((_, j) => j);
  const hips = env.jointNames.map((n, j) => [n, j] as const).filter(([n]) => n.endsWith('hip_joint')).map(([, j]) => j);
  for (const a of [0, 0.25]) {
    env.reset(0);
    const act = new Float32Array(env.actSize);
    for (const j of all) act[j] = hips.includes(j) ? a : 0;
    for (let t = 0; t < 60; t++) env.step(act);
    const hi = (60 * Math.PI) / 180; // hip range ±60°
    for (const j of hips) {
      const q = env.observation[5 + j];
      assert.ok(Math.abs(q - a * hi) < 0.12, `${env.jointNames[j]} at ${q.toFixed(3)} rad, target ${(a * hi).toFixed(3)}`);
    }
  }
  env.free();
});

test("position actuators with the 'joint' armature model are refused, naming the field", async () => {
  const spec = positionMode(loadMorphology(URDF), 30, 1);
  await assert.rejects(() => LocomotionEnv.create({ morphology: spec, physics: { armature: 'joint' } }), (e: unknown) => e instanceof SpecError && /joint\.actuator: position actuators run with physics\.armature 'link'/.test(e.message));
});
