import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActionFileError, actionTable, parseActionSequence, toReplayText } from '../../sim/actions.js';
import { OpenLoopController } from '../../controllers/open-loop.js';
import { jointMotorCommand, limitActive } from '../../sim/armature.js';
import { antEnv } from './helpers.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/spikeloco.js');
const GAIT = join(ROOT, 'bench/actions/gait.json');
const RANDOM1 = join(ROOT, 'bench/actions/random-1.json');
const rollout = async (...args: string[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-actions-'));
  const json = join(dir, 'r.json');
  await exec(process.execPath, [BIN, 'rollout', ...args, '--json', json]);
  return JSON.parse(readFileSync(json, 'utf8')) as { distance: number; flipped: boolean; steps: number; stateHash: string; nonFinite: boolean; controller: string };
};

test('action files: a bad field is named with the file and what to do', () => {
  const ok = { jointNames: ['a', 'b'], controlDt: 0.05, actions: [[0, 1], [0.5, -1]] };
  assert.deepEqual(parseActionSequence(ok, 'f.json'), ok);
  const bad: [unknown, RegExp][] = [
    [{ ...ok, controlDt: 0 }, /f\.json: controlDt: expected seconds per row > 0, got 0/],
    [{ ...ok, jointNames: [] }, /jointNames: expected a non-empty array/],
    [{ ...ok, jointNames: ['a', 'a'] }, /joint "a" appears twice/],
    [{ ...ok, actions: [[0, 1], [0]] }, /actions\[1\]: expected a row of 2 numbers .* got 1 values/],
    [{ ...ok, actions: [[0, 'x']] }, /actions\[0\]\[1\]: expected a finite number, got "x"/],
    [{ ...ok, speed: 3 }, /speed: unknown field/],
    [[1, 2], /\(root\): expected an object/],
  ];
  for (const [v, re] of bad) assert.throws(() => parseActionSequence(v, 'f.json'), (e: Error) => e instanceof ActionFileError && re.test(e.message), String(re));
});

test('action tables map columns by joint name and refuse a wrong robot or control step', () => {
  const seq = { jointNames: ['b', 'a'], controlDt: 0.05, actions: [[1, 2], [3, 4]] };
  assert.deepEqual(Array.from(actionTable(seq, ['a', 'b'], 0.05, 'f')), [2, 1, 4, 3]);
  assert.throws(() => actionTable(seq, ['a', 'b', 'c'], 0.05, 'f'), /no column for the robot's joint\(s\) c/);
  assert.throws(() => actionTable(seq, ['a'], 0.05, 'f'), /the robot has no joint\(s\) b/);
  assert.throws(() => actionTable(seq, ['a', 'b'], 0.02, 'f'), /controlDt: the file steps every 0\.05 s, the env every 0\.02 s/);
  assert.equal(toReplayText(seq), 'spikeloco-actions 1\njoints 2 b a\ncontrolDt 0.05\nsteps 2\n1 2\n3 4\n');
  const c = new OpenLoopController(new Float32Array([1, 2, 3, 4]), 5, 2);
  c.reset(0);
  assert.deepEqual([Array.from(c.act(new Float32Array(5))), Array.from(c.act(new Float32Array(5))), Array.from(c.act(new Float32Array(5)))], [[1, 2], [3, 4], [0, 0]]);
});

test('rollout --actions replays deterministically and reports flipped: upright on flat ground, flipped under pushes', async () => {
  const args = ['--actions', RANDOM1, '--reset-noise', '0.01', '--no-termination', '--seed', '1'];
  const a = await rollout(...args);
  const b = await rollout(...args);
  assert.equal(a.stateHash, b.stateHash);
  assert.equal(a.steps, 200);
  assert.equal(a.flipped, false);
  assert.match(a.controller, /open-loop/);
  // the same replay under lateral pushes rolls the 0.9 kg Ant over; --no-termination runs it to the end
  const pushed = await rollout(...args, '--condition', 'push(force=200, every=2, duration=0.2)');
  assert.equal(pushed.flipped, true);
  assert.equal(pushed.steps, 200);
  assert.equal(pushed.nonFinite, false);
  // another seed's reset noise gives another trajectory
  const c = await rollout('--actions', RANDOM1, '--reset-noise', '0.01', '--no-termination', '--seed', '2');
  assert.notEqual(c.stateHash, a.stateHash);
});

test('rollout --actions: a file for another robot is a usage error naming the joints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-actions-'));
  const f = join(dir, 'hex.json');
  const seq = JSON.parse(readFileSync(GAIT, 'utf8')) as { jointNames: string[] };
  seq.jointNames[0] = 'coxa_9';
  writeFileSync(f, JSON.stringify(seq));
  await assert.rejects(exec(process.execPath, [BIN, 'rollout', '--actions', f]), (e: { code: number; stderr: string }) => e.code === 2 && /hex\.json: jointNames: no column for the robot's joint\(s\) hip_1/.test(e.stderr));
});

test('joint-space armature motor: τ − d·q̇ − A·(q̇ − q̇_prev)/dt inside the range, a spring toward the limit outside', () => {
  const out = new Float64Array(4);
  const dt = 0.0125, A = 1, d = 1;
  // inside: force G·(v* − q̇) at q̇ = q̇_prev equals τ − d·q̇_prev
  jointMotorCommand(30, d, A, 0, 2, -0.5, 0.5, dt, out);
  assert.equal(out[2], 0);
  assert.ok(Math.abs(out[3] * (out[1] - 2) - (30 - d * 2)) < 1e-9);
  // past the upper limit, driven outward: target angle at the limit, positive stiffness
  jointMotorCommand(30, d, A, 0.6, 0, -0.5, 0.5, dt, out);
  assert.equal(out[0], 0.5);
  assert.ok(out[2] > 0);
  // MuJoCo's limit is unilateral. Reference acceleration here: −b·q̇ − k·r with b = 2/(0.95·0.02)
  // = 105.26, k = 1/(0.95·0.02)² = 2770.08, r = 0.1, q̇ = 0: −277.0 rad/s² (A = 1). An actuator
  // pulling the joint back in harder than that (τ = −300) leaves the limit inactive: the free
  // motor command, as inside the range; τ = −250 pulls back less hard, so the limit still pushes.
  assert.equal(limitActive(-300, d, A, 0.6, 0, -0.5, 0.5), false);
  assert.equal(limitActive(-250, d, A, 0.6, 0, -0.5, 0.5), true);
  jointMotorCommand(-300, d, A, 0.6, 0, -0.5, 0.5, dt, out);
  assert.ok(out[2] > 0, 'the default (bilateral) spring stays on');
  jointMotorCommand(-300, d, A, 0.6, 0, -0.5, 0.5, dt, out, true);
  assert.equal(out[2], 0);
  assert.ok(Math.abs(out[3] * out[1] - -300) < 1e-9, 'free command: G·v* = τ + (A/dt)·q̇_prev with q̇_prev = 0');
  // mirrored at the lower limit, and moving back in fast enough deactivates it too
  assert.equal(limitActive(300, d, A, -0.6, 0, -0.5, 0.5), false);
  assert.equal(limitActive(250, d, A, -0.6, 0, -0.5, 0.5), true);
  assert.equal(limitActive(0, d, A, -0.6, 3, -0.5, 0.5), false, 'moving back in at 3 rad/s: reference −b·q̇ + k·r = −38.8 rad/s², below the free −d·q̇ = −3: inactive');
  assert.equal(limitActive(0, d, A, 0.2, 0, -0.5, 0.5), false, 'inside the range');
});

test("the 'joint' armature model stays finite under maximal torque and keeps joints near their limits", async () => {
  const env = await antEnv({ physics: { armature: 'joint' }, terminate: false });
  env.reset(1);
  const a = new Float32Array(8).fill(1);
  for (let t = 0; t < 60; t++) assert.equal(env.step(a).nonFinite, false);
  const limits = env.jointLimits();
  for (let j = 0; j < 8; j++) {
    const q = env.observation[5 + j];
    // soft limits (as MuJoCo's) let a joint overshoot by a few degrees under 150 N·m
    assert.ok(q > limits[j][0] - 0.35 && q < limits[j][1] + 0.35, `${env.jointNames[j]} at ${(q * 180) / Math.PI}°`);
  }
  env.free();
});

test("the 'multibody' model (reduced coordinates): joints held at their limits under maximal torque, seeded, deterministic; re-seating refused", async () => {
  const env = await antEnv({ physics: { armature: 'multibody' }, terminate: false });
  const limits = env.jointLimits();
  for (const sign of [1, -1]) {
    env.reset(1);
    const a = new Float32Array(8).fill(sign);
    let worst = 0;
    for (let t = 0; t < 60; t++) {
      assert.equal(env.step(a).nonFinite, false);
      if (t < 20) continue;
      for (let j = 0; j < 8; j++) worst = Math.max(worst, limits[j][0] - env.observation[5 + j], env.observation[5 + j] - limits[j][1]);
    }
    // the joints cannot drift apart in reduced coordinates: measured ≤ 1.7° (impulse joints, 'joint': up to 10°)
    assert.ok(worst < (3 * Math.PI) / 180, `a = ${sign}: worst excursion past a limit ${((worst * 180) / Math.PI).toFixed(1)}°`);
  }
  const run = (seed: number) => {
    env.reset(seed);
    const a = new Float32Array(8);
    for (let t = 0; t < 40; t++) {
      for (let j = 0; j < 8; j++) a[j] = Math.sin(0.3 * t + j);
      env.step(a);
    }
    return env.stateHash();
  };
  assert.equal(run(3), run(3), 'same seed, same state');
  assert.notEqual(run(3), run(4), 'the reset noise (forces over the first control step) depends on the seed');
  assert.throws(() => env.importBodyState(env.exportBodyState()), /multibody.*cannot re-seat/);
  env.free();
});
