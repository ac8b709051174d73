import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antEnv, walkGait } from './helpers.js';
import { LocomotionEnv } from '../../sim/env.js';
import { antSpec } from '../../morphologies/ant.js';

test('observation layout for the Ant: 1 + 4 + 8 + 8 + 3 + 3 + 4 = 31', async () => {
  const env = await antEnv();
  assert.equal(env.obsSize, 31);
  assert.equal(env.actSize, 8);
  assert.deepEqual(env.jointNames, ['hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3', 'hip_4', 'ankle_4']);
  const obs = env.reset(0);
  assert.equal(obs.length, 31);
  assert.ok(Math.abs(obs[0] - 0.75) < 0.02, `initial torso height ${obs[0]}`);
  assert.ok(Math.abs(obs[4] - 1) < 1e-3, 'upright quaternion w ≈ 1');
  assert.equal(env.controlDt, 0.05);
  assert.equal(env.maxSteps, 200);
  env.free();
});

test('zero torque: the Ant settles on its legs and stays healthy for 10 s', async () => {
  const env = await antEnv();
  env.reset(3);
  const zero = new Float32Array(8);
  let zMin = Infinity, zMax = -Infinity;
  for (let t = 0; t < 200; t++) {
    const r = env.step(zero);
    assert.equal(r.done, false, `terminated at step ${t} (z=${r.obs[0]})`);
    if (t > 40) {
      zMin = Math.min(zMin, r.obs[0]);
      zMax = Math.max(zMax, r.obs[0]);
    }
  }
  // standing on its ankle stops: clearly above the torso radius (0.25), and still
  assert.ok(zMin > 0.4 && zMax < 0.75, `settled height range [${zMin}, ${zMax}]`);
  assert.ok(zMax - zMin < 0.02, 'settled, not bouncing');
  const contacts = env.observation.slice(27, 31);
  // it rests on its feet: at least three of four touch the ground (a relaxed Ant may lift one)
  assert.ok(contacts.reduce((s, c) => s + c, 0) >= 3, `feet touching the ground: ${contacts}`);
  env.free();
});

test('joint limits hold under maximal torque, and angles from body frames read the limit', async () => {
  for (const sign of [1, -1]) {
    const env = await antEnv({ reward: { terminateWhenFlipped: false }, morphology: { ...antSpec(), healthyZ: [0, 10] } });
    env.reset(1);
    const a = new Float32Array(8).fill(sign);
    for (let t = 0; t < 60; t++) env.step(a);
    const limits = env.jointLimits();
    for (let j = 0; j < 8; j++) {
      const q = env.observation[5 + j];
      const target = sign > 0 ? limits[j][1] : limits[j][0];
      assert.ok(Math.abs(q - target) < (4 * Math.PI) / 180, `${env.jointNames[j]} at ${(q * 180) / Math.PI}° under torque ${sign}, limit ${(target * 180) / Math.PI}°`);
    }
    env.free();
  }
});

test('a PD-held pose reads back as the commanded joint angles', async () => {
  const env = await antEnv();
  env.reset(2);
  const limits = env.jointLimits();
  // mid-range targets, hips spread a little
  const target = limits.map(([lo, hi], j) => (j % 2 === 0 ? 0.15 * (j % 4 === 0 ? 1 : -1) : (lo + hi) / 2));
  const a = new Float32Array(8);
  for (let t = 0; t < 100; t++) {
    const o = env.observation;
    for (let j = 0; j < 8; j++) a[j] = Math.max(-1, Math.min(1, 2 * (target[j] - o[5 + j]) - 0.05 * o[13 + j]));
    env.step(a);
  }
  for (let j = 0; j < 8; j++) {
    const q = env.observation[5 + j];
    assert.ok(Math.abs(q - target[j]) < (3 * Math.PI) / 180, `${env.jointNames[j]}: read ${(q * 180) / Math.PI}°, commanded ${(target[j] * 180) / Math.PI}°`);
  }
  env.free();
});

test('the open-loop gait walks the Ant at least 1.5 m forward in 10 s on flat ground', async () => {
  const env = await antEnv();
  for (const seed of [1, 2]) {
    const { distance, fell } = walkGait(env, seed, 10);
    assert.equal(fell, false, `seed ${seed} fell`);
    assert.ok(distance >= 1.5, `seed ${seed}: walked ${distance.toFixed(2)} m`);
  }
  env.free();
});

test('non-finite actions are treated as zero and never poison the state', async () => {
  const env = await antEnv();
  env.reset(0);
  const r = env.step(new Float32Array(8).fill(NaN));
  assert.ok(r.obs.every(Number.isFinite));
  assert.equal(r.nonFinite, false);
  env.free();
});

test('create() rejects nothing silently: an unknown condition names the known ones', async () => {
  await assert.rejects(() => LocomotionEnv.create({ morphology: antSpec(), condition: 'lava(temp=3)' }), /unknown condition "lava"; known: flat, slope, rough/);
});

test('the open-loop gait walks the hexapod at least 1.5 m forward in 10 s on flat ground', async () => {
  const { hexapodSpec } = await import('../../morphologies/hexapod.js');
  const env = await LocomotionEnv.create({ morphology: hexapodSpec() });
  const { distance, fell } = walkGait(env, 1, 10);
  assert.equal(fell, false, 'hexapod fell');
  assert.ok(distance >= 1.5, `hexapod walked ${distance.toFixed(2)} m`);
  env.free();
});

test('damaged, payload and weak-motor conditions change the robot the env builds', async () => {
  const dam = await antEnv({ condition: 'damaged(leg=front-left, length=0.1)' });
  const geom = dam.spec.bodies.flatMap((b) => b.geoms).find((g) => g.name === 'ankle_1_geom')!;
  assert.deepEqual(geom.fromto![1].map((v) => Number(v.toFixed(6))), [0.1, 0.1, 0]);
  dam.free();
  const pay = await antEnv({ condition: 'payload(kg=0.5)' });
  assert.ok(pay.spec.bodies[0].geoms.some((g) => g.name === 'payload' && g.mass === 0.5));
  pay.free();
  const weak = await antEnv({ condition: 'weak-motor(joint=hip_1, scale=0.5)' });
  assert.equal(weak.spec.bodies.find((b) => b.joint?.name === 'hip_1')!.joint!.gear, 75);
  weak.free();
});

test('sensor noise changes the observation only: a still robot never "falls" under noise, and episodes end for a stated reason', async () => {
  // Before the fix the healthy-height check read the noisy observation: std 0.1 on a torso at
  // ≈ 0.55 m crossed healthyZ's lower bound (0.2) in some episodes of a robot standing still.
  const env = await antEnv({ condition: 'sensor-noise(std=0.3)' });
  const zero = new Float32Array(8);
  let noisy = 0;
  for (let ep = 0; ep < 5; ep++) {
    env.reset(ep);
    for (let t = 0; t < env.maxSteps; t++) {
      const r = env.step(zero);
      if (r.obs[0] < 0.2 || r.obs[0] > 1) noisy++;
      assert.equal(r.done, false, `episode ${ep} ended at step ${t} (${r.endReason}) though the robot stands still`);
      assert.equal(r.endReason, t === env.maxSteps - 1 ? 'time' : null);
    }
  }
  assert.ok(noisy > 0, 'the noise is large enough to cross the healthy range in the observation');
  env.free();
});

test('endReason says "rose" for a torso kicked above the healthy height in low gravity', async () => {
  const low = await antEnv({ condition: 'gravity(scale=0.05)' });
  low.reset(0);
  const kick = new Float32Array(8).fill(1);
  let reason: string | null = null;
  for (let t = 0; t < low.maxSteps && !reason; t++) {
    if (t === 0) low.applyImpulse(0, 0, 20);
    reason = low.step(kick).endReason;
  }
  assert.equal(reason, 'rose', 'a robot kicked upward in low gravity leaves the healthy range from above');
  low.free();
});

test('fallPenalty costs exactly its value on the step that ends an episode early, and nothing on any other step or at the time limit', async () => {
  const run = async (fallPenalty: number, impulse: number) => {
    const env = await antEnv({ condition: 'gravity(scale=0.05)', reward: { fallPenalty }, maxSteps: 60 });
    env.reset(3);
    const kick = new Float32Array(8).fill(0.5);
    const rewards: number[] = [];
    let reason: string | null = null;
    for (let t = 0; t < env.maxSteps && !reason; t++) {
      if (t === 0) env.applyImpulse(0, 0, impulse);
      const r = env.step(kick);
      rewards.push(r.reward);
      reason = r.endReason;
    }
    env.free();
    return { rewards, reason };
  };
  const [plain, penalised] = [await run(0, 20), await run(37.5, 20)];
  assert.equal(plain.reason, 'rose');
  assert.equal(penalised.rewards.length, plain.rewards.length, 'the penalty changes the reward, not the trajectory');
  const last = plain.rewards.length - 1;
  for (let t = 0; t < last; t++) assert.equal(penalised.rewards[t], plain.rewards[t], `step ${t}`);
  assert.ok(Math.abs(plain.rewards[last] - penalised.rewards[last] - 37.5) < 1e-9, `${plain.rewards[last]} − ${penalised.rewards[last]}`);
  const [calm, calmPenalised] = [await run(0, 0), await run(37.5, 0)];
  assert.equal(calm.reason, 'time');
  assert.deepEqual(calmPenalised.rewards, calm.rewards, 'an episode that runs to its time limit pays nothing');
});

test('headingWeight costs w · (1 − cos ψ) every step, ψ the torso yaw read off the observed quaternion, and changes nothing else', async () => {
  const run = async (headingWeight: number) => {
    const env = await antEnv({ reward: { headingWeight }, maxSteps: 120 });
    env.reset(5);
    const a = new Float32Array(8);
    const rewards: number[] = [], yaws: number[] = [];
    for (let t = 0; t < env.maxSteps; t++) {
      // an asymmetric gait: the hips of one side pushed harder, so the Ant turns
      for (let j = 0; j < 8; j++) a[j] = Math.sin(0.4 * t + j) * (j < 4 ? 1 : 0.3);
      const r = env.step(a);
      rewards.push(r.reward);
      const [x, y, z, w] = [r.obs[1], r.obs[2], r.obs[3], r.obs[4]];
      yaws.push(Math.atan2(2 * (x * y + w * z), 1 - 2 * (y * y + z * z)));
      if (r.done) break;
    }
    env.free();
    return { rewards, yaws };
  };
  const [plain, paid] = [await run(0), await run(2.5)];
  assert.deepEqual(paid.yaws, plain.yaws, 'the term changes the reward, not the trajectory');
  let total = 0;
  for (let t = 0; t < plain.rewards.length; t++) {
    const cost = 2.5 * (1 - Math.cos(plain.yaws[t]));
    assert.ok(Math.abs(plain.rewards[t] - paid.rewards[t] - cost) < 1e-5, `step ${t}: ${plain.rewards[t] - paid.rewards[t]} vs ${cost}`);
    total += cost;
  }
  const turned = Math.max(...plain.yaws.map(Math.abs));
  assert.ok(turned > 0.2, `the gait turns (max |ψ| ${turned.toFixed(3)} rad), so the check is not of zeros`);
  assert.ok(total > 0.5, `${total}`);
});
