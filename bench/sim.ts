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

  const testspeed = which('mujoco-testspeed');
  if (!testspeed) {
    out.mujoco = 'mujoco-testspeed not installed (Debian package libmujoco-samples); no ratio';
    return out;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-mjcf-'));
  const xml = join(dir, 'ant.xml');
  writeFileSync(xml, toMJCF(antSpec()));
  const nstep = quick ? 20000 : 100000;
  // mujoco-testspeed modelfile nstep nthread ctrlnoise: one thread, the same noise as its default
  const text = execFileSync(testspeed, [xml, String(nstep), '1', '0.01'], { encoding: 'utf8' });
  const m = /Steps per second\s*:\s*([\d.e+]+)/i.exec(text);
  const mjPhysics = m ? Number(m[1]) : NaN;
  const mjFrameSkip = Math.round(env.controlDt / 0.01);
  const mjEnv = mjPhysics / mjFrameSkip;
  out.mujoco = {
    version: debianVersion('libmujoco-samples'),
    physicsDt: 0.01,
    integrator: 'RK4',
    frameSkip: mjFrameSkip,
    physicsStepsPerSec: Math.round(mjPhysics),
    envStepsPerSec: Math.round(mjEnv),
  };
  out.ratioVsMujoco = Number((envStepsPerSec / mjEnv).toFixed(3));
  return out;
}
