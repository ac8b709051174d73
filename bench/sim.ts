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

export async function benchSim(quick: boolean): Promise<Section> {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  let t = 0;
  const step = () => {
    const time = t * env.controlDt;
    for (let j = 0; j < a.length; j++) a[j] = gait.offset[j] + gait.amplitude[j] * Math.sin(2 * Math.PI * gait.frequency * time + gait.phase[j]);
    const r = env.step(a);
    t++;
    if (r.done || r.truncated) {
      env.reset(t);
      t = 0;
    }
  };
  env.reset(0);
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
  const models: Record<string, string> = { exportedAnt: xml, gymnasiumAnt: 'bench/mujoco/gymnasium-ant.xml' };
  const mj: Record<string, unknown> = { version: debianVersion('libmujoco-samples'), physicsDt: 0.01, integrator: 'RK4', frameSkip: mjFrameSkip };
  const ratios: Record<string, number> = {};
  for (const [name, file] of Object.entries(models)) {
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
