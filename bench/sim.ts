/**
 * Physics throughput: Ant env steps per second on one core at the default control rate, and,
 * when Debian's `mujoco-testspeed` is installed, MuJoCo on the MJCF that `export-mjcf` writes
 * for the same Ant, at the same control rate, measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocomotionEnv } from '../sim/env.js';
import { antSpec } from '../morphologies/ant.js';
import { hexapodSpec } from '../morphologies/hexapod.js';
import type { MorphologySpec } from '../morphologies/spec.js';
import { buildWorld, DEFAULT_PHYSICS, type PhysicsOptions } from '../sim/world.js';
import { parseCondition } from '../sim/conditions.js';
import { PHYSICS_BUILD } from '../sim/rapier.js';
import { toMJCF } from '../morphologies/mjcf.js';
import { openLoopGait } from '../sim/gait.js';
import { heapDeltaPerStep, median, type Section } from './report.js';

function which(cmd: string): string | null {
  try {
    return execFileSync('which', [cmd], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function debianVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** One env step of the open-loop gait per call (resets when an episode ends). */
function gaitStepper(env: LocomotionEnv): () => void {
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  let t = 0;
  env.reset(0);
  return () => {
    const time = t * env.controlDt;
    for (let j = 0; j < a.length; j++) a[j] = gait.offset[j] + gait.amplitude[j] * Math.sin(2 * Math.PI * gait.frequency * time + gait.phase[j]);
    const r = env.step(a);
    t++;
    if (r.done || r.truncated) {
      env.reset(t);
      t = 0;
    }
  };
}

/** The armature models of sim/world.ts side by side (the faithful one is the slow one). */
const ARMATURE_MODELS: Record<string, Partial<PhysicsOptions>> = {
  'link (default, 4 iterations)': { armature: 'link' },
  'joint (8 iterations)': { armature: 'joint', solverIterations: 8 },
  'multibody (4 iterations)': { armature: 'multibody', solverIterations: 4 },
  'multibody (8 iterations, the fidelity row)': { armature: 'multibody', solverIterations: 8 },
};

/** Ant env steps/s per armature model: interleaved rounds in one process, median per model. */
async function armatureModelRates(quick: boolean): Promise<Record<string, number>> {
  const steppers: [string, () => void][] = [];
  const envs: LocomotionEnv[] = [];
  for (const [name, physics] of Object.entries(ARMATURE_MODELS)) {
    const env = await LocomotionEnv.create({ morphology: antSpec(), physics });
    envs.push(env);
    const step = gaitStepper(env);
    for (let i = 0; i < 200; i++) step(); // warm-up
    steppers.push([name, step]);
  }
  const n = quick ? 500 : 2000;
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, step] of steppers) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) step();
      (rates[name] ??= []).push(n / ((performance.now() - t0) / 1000));
    }
  }
  for (const env of envs) env.free();
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Math.round(median(v))]));
}

/**
 * µs per `world.step()` of the bare Ant world (sim/world.ts buildWorld, small torques on the
 * legs, no env): where the multibody model's cost lies, in the reduced-coordinate solve itself
 * or in the generic impulse joint per hinge that carries its motor (removed in one variant).
 */
function worldStepMicros(quick: boolean): Record<string, number> {
  const variants: Record<string, { physics: Partial<PhysicsOptions>; dropRows?: boolean }> = {
    'link, 4 iterations': { physics: { armature: 'link' } },
    'multibody, 4 iterations': { physics: { armature: 'multibody', solverIterations: 4 } },
    'multibody without its motor rows, 4 iterations': { physics: { armature: 'multibody', solverIterations: 4 }, dropRows: true },
    'multibody, 8 iterations': { physics: { armature: 'multibody', solverIterations: 8 } },
    'multibody without its motor rows, 8 iterations': { physics: { armature: 'multibody', solverIterations: 8 }, dropRows: true },
  };
  const out: Record<string, number[]> = {};
  const n = quick ? 1000 : 4000;
  for (let round = 0; round < 3; round++) {
    for (const [name, v] of Object.entries(variants)) {
      const w = buildWorld(antSpec(), parseCondition('flat'), { ...DEFAULT_PHYSICS, ...v.physics });
      if (v.dropRows) for (const j of w.joints) w.world.removeImpulseJoint(w.world.getImpulseJoint(j.handle), true);
      const bodies = w.bodyHandles.map((h) => w.world.getRigidBody(h));
      const torque = { x: 0, y: 0, z: 0 };
      let ms = 0;
      for (let i = 0; i < n + 200; i++) {
        if (i % 4 === 0) for (let b = 1; b < bodies.length; b++) {
          const s = 0.02 * Math.sin(0.025 * i + b);
          torque.x = torque.y = torque.z = s;
          bodies[b].resetTorques(true);
          bodies[b].addTorque(torque, true);
        }
        const t0 = performance.now();
        w.world.step();
        if (i >= 200) ms += performance.now() - t0;
      }
      w.world.free();
      (out[name] ??= []).push((ms / n) * 1000);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(median(v).toFixed(1))]));
}

export async function benchSim(quick: boolean): Promise<Section> {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const step = gaitStepper(env);
  for (let i = 0; i < 500; i++) step(); // warm-up (JIT)
  const n = quick ? 2000 : 8000;
  const rates: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  const envStepsPerSec = median(rates);
  const heapPerStep = heapDeltaPerStep(step, 5000);
  const out: Section = {
    robot: 'ant',
    condition: 'flat',
    controller: 'open-loop gait (resets when an episode ends)',
    physicsDt: env.physics.dt,
    frameSkip: env.physics.frameSkip,
    solverIterations: env.physics.solverIterations,
    controlHz: 1 / env.controlDt,
    envStepsPerSec: Math.round(envStepsPerSec),
    physicsStepsPerSec: Math.round(envStepsPerSec * env.physics.frameSkip),
    heapBytesPerStep: Number.isFinite(heapPerStep) ? Math.round(heapPerStep) : 'run with --expose-gc',
  };
  env.free();

  out.physicsBuild = PHYSICS_BUILD;
  const models = await armatureModelRates(quick);
  out.worldStepMicros = worldStepMicros(quick);
  out.armatureModels = { envStepsPerSec: models, relativeToLink: Object.fromEntries(Object.entries(models).map(([k, v]) => [k, Number((v / models['link (default, 4 iterations)']).toFixed(3))])) };
  out.costSplit = { ant: await costSplit(antSpec(), quick), hexapod: await costSplit(hexapodSpec(), quick) };

  const testspeed = which('mujoco-testspeed');
  if (!testspeed) {
    out.mujoco = 'mujoco-testspeed not installed (Debian package libmujoco-samples); no ratio';
    return out;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-mjcf-'));
  const xml = join(dir, 'ant.xml');
  writeFileSync(xml, toMJCF(antSpec()));
  const nstep = quick ? 20000 : 100000;
  const mjFrameSkip = Math.round(env.controlDt / 0.01);
  const mjcfModels: Record<string, string> = { exportedAnt: xml, gymnasiumAnt: 'bench/mujoco/gymnasium-ant.xml' };
  const mj: Record<string, unknown> = { version: debianVersion('libmujoco-samples'), physicsDt: 0.01, integrator: 'RK4', frameSkip: mjFrameSkip };
  const ratios: Record<string, number> = {};
  for (const [name, file] of Object.entries(mjcfModels)) {
    // mujoco-testspeed modelfile nstep nthread ctrlnoise: one thread, the same noise as its default
    const text = execFileSync(testspeed, [file, String(nstep), '1', '0.01'], { encoding: 'utf8' });
    const m = /Steps per second\s*:\s*([\d.e+]+)/i.exec(text);
    const mjPhysics = m ? Number(m[1]) : NaN;
    mj[name] = { physicsStepsPerSec: Math.round(mjPhysics), envStepsPerSec: Math.round(mjPhysics / mjFrameSkip) };
    ratios[name] = Number((envStepsPerSec / (mjPhysics / mjFrameSkip)).toFixed(3));
  }
  out.mujoco = mj;
  // ours (ant, env steps/s) over MuJoCo native env steps/s at the same 20 Hz control rate
  out.ratioVsMujoco = ratios;
  const gym = (mj.gymnasiumAnt as { envStepsPerSec: number }).envStepsPerSec;
  // each armature model against Gymnasium's Ant in MuJoCo (the faithful model's cost)
  out.armatureModelsVsMujoco = Object.fromEntries(Object.entries(models).map(([k, v]) => [k, Number((v / gym).toFixed(3))]));
  return out;
}

/**
 * Where an env step goes: every call of the world's step, of the env's body-state read, of its
 * observation writer and of the world's contact query is timed (performance.now() around each,
 * ≈ 0.1 µs overhead per call); "rest" is the step minus those: torques, reward, termination.
 * The controller is left out (the open-loop gait costs ~nothing; see the controller bench).
 */
async function costSplit(spec: MorphologySpec, quick: boolean): Promise<Section> {
  const env = await LocomotionEnv.create({ morphology: spec });
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  const acc = { worldStep: 0, bodyStateReads: 0, observation: 0, contactQueries: 0 };
  const e = env as unknown as Record<string, unknown>;
  const timed = <F extends (...args: never[]) => unknown>(f: F, key: keyof typeof acc): F =>
    ((...args: never[]) => {
      const t0 = performance.now();
      const r = f(...args);
      acc[key] += performance.now() - t0;
      return r;
    }) as F;
  const proto = Object.getPrototypeOf(env) as Record<string, (...args: never[]) => unknown>;
  e.readState = timed(proto.readState.bind(env), 'bodyStateReads');
  e.writeObservation = timed(proto.writeObservation.bind(env), 'observation');
  const instrumentWorld = () => {
    const w = e.world as { step: () => void; contactPair: (...args: never[]) => void };
    w.step = timed(Object.getPrototypeOf(w).step.bind(w), 'worldStep');
    w.contactPair = timed(Object.getPrototypeOf(w).contactPair.bind(w), 'contactQueries');
  };
  let t = 0;
  const reset = (seed: number) => {
    env.reset(seed);
    instrumentWorld();
    t = 0;
  };
  reset(0);
  const n = quick ? 1000 : 4000;
  let total = 0;
  for (let i = 0; i < n + 300; i++) {
    if (i === 300) { total = 0; for (const k of Object.keys(acc) as (keyof typeof acc)[]) acc[k] = 0; } // after JIT warm-up
    const time = t * env.controlDt;
    for (let j = 0; j < a.length; j++) a[j] = gait.offset[j] + gait.amplitude[j] * Math.sin(2 * Math.PI * gait.frequency * time + gait.phase[j]);
    const t0 = performance.now();
    const r = env.step(a);
    total += performance.now() - t0;
    t++;
    if (r.done || r.truncated) reset(i);
  }
  env.free();
  const us = (ms: number) => Math.round((ms / n) * 1000 * 10) / 10;
  // observation includes the contact queries; report it without them
  const obsOnly = acc.observation - acc.contactQueries;
  const rest = total - acc.worldStep - acc.bodyStateReads - acc.observation;
  return {
    bodies: spec.bodies.length,
    joints: env.actSize,
    envStepMicros: us(total),
    envStepsPerSec: Math.round(n / (total / 1000)),
    microsPerEnvStep: { worldStep: us(acc.worldStep), bodyStateReads: us(acc.bodyStateReads), contactQueries: us(acc.contactQueries), observation: us(obsOnly), torquesRewardTermination: us(rest) },
    fractions: {
      worldStep: Number((acc.worldStep / total).toFixed(3)),
      bodyStateReads: Number((acc.bodyStateReads / total).toFixed(3)),
      contactQueries: Number((acc.contactQueries / total).toFixed(3)),
      observation: Number((obsOnly / total).toFixed(3)),
      torquesRewardTermination: Number((rest / total).toFixed(3)),
    },
  };
}
