/**
 * Fidelity against MuJoCo: the action files of bench/actions replayed open loop (10 starts,
 * velocity reset noise 0.01, no termination) through our LocomotionEnv and through MuJoCo
 * (bench/mujoco/replay.c, compiled here with `cc` against Debian's libmujoco-dev) on
 * Gymnasium's ant.xml (bench/mujoco/gymnasium-ant.xml) and on our `export-mjcf ant`.
 * Per sequence and simulator: flip rate (torso up-vector z < 0 at any control step), mean and
 * std of the x displacement after 10 s, and the mean hip/ankle amplitude (half peak-to-peak
 * after the first second, degrees). Targets (issue 13): flip rates within 0.3 and mean
 * displacement within 1 m (or 30 %) of MuJoCo's on Gymnasium's ant.xml.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocomotionEnv, type PhysicsOptions } from '../sim/env.js';
import { antSpec } from '../morphologies/ant.js';
import { toMJCF } from '../morphologies/mjcf.js';
import { actionTable, loadActionSequence, toReplayText, type ActionSequence } from '../sim/actions.js';
import { ACTIONS_DIR, SEQUENCES } from './action-sequences.js';
import type { Section } from './report.js';
import { PHYSICS_BUILD } from '../sim/rapier.js';

export const STARTS = 10;
export const NOISE = 0.01;
const SETTLE_S = 1;

export interface RunSummary {
  flipRate: number;
  meanX: number;
  stdX: number;
  xs: number[];
  nonFinite: number;
  hipAmplitudeDeg: number;
  ankleAmplitudeDeg: number;
}

function summarise(runs: { x: number; flipped: boolean; finite: boolean; amp: Record<string, number> }[]): RunSummary {
  const xs = runs.map((r) => r.x);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  const ampOf = (prefix: string) => {
    const v = runs.flatMap((r) => Object.entries(r.amp).filter(([k]) => k.startsWith(prefix)).map(([, a]) => a));
    return v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  };
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    flipRate: runs.filter((r) => r.flipped).length / runs.length,
    meanX: r3(mean),
    stdX: r3(sd),
    xs: xs.map(r3),
    nonFinite: runs.filter((r) => !r.finite).length,
    hipAmplitudeDeg: r3(ampOf('hip')),
    ankleAmplitudeDeg: r3(ampOf('ankle')),
  };
}

/** Our env on one sequence: `starts` seeds 1..starts, as `rollout --actions --no-termination`. */
export async function replayOurs(seq: ActionSequence, physics: Partial<PhysicsOptions> = {}, starts = STARTS, noise = NOISE): Promise<RunSummary> {
  const env = await LocomotionEnv.create({ morphology: antSpec(), physics, resetNoise: noise, terminate: false });
  const table = actionTable(seq, env.jointNames, env.controlDt, 'sequence');
  const J = env.actSize, N = seq.actions.length;
  const settle = Math.round(SETTLE_S / env.controlDt);
  const runs = [];
  const a = new Float32Array(J);
  for (let s = 1; s <= starts; s++) {
    env.reset(s);
    const x0 = env.torsoPosition()[0];
    let flipped = false, finite = true;
    const lo = new Float64Array(J).fill(Infinity), hi = new Float64Array(J).fill(-Infinity);
    for (let t = 0; t < N; t++) {
      a.set(table.subarray(t * J, (t + 1) * J));
      const r = env.step(a);
      if (r.nonFinite) { finite = false; break; }
      if (env.torsoUpZ() < 0) flipped = true;
      if (t + 1 >= settle) for (let j = 0; j < J; j++) {
        const q = r.obs[5 + j];
        if (q < lo[j]) lo[j] = q;
        if (q > hi[j]) hi[j] = q;
      }
    }
    const amp: Record<string, number> = {};
    env.jointNames.forEach((n, j) => (amp[n] = Number.isFinite(hi[j] - lo[j]) ? ((hi[j] - lo[j]) * 90) / Math.PI : 0));
    runs.push({ x: finite ? env.torsoPosition()[0] - x0 : 0, flipped, finite, amp });
  }
  env.free();
  return summarise(runs);
}

/** Compile the replay harness; null (and why) when cc or libmujoco is missing. */
export function buildReplay(dir: string): { exe: string } | { skip: string } {
  if (!existsSync('/usr/include/mujoco/mujoco.h')) return { skip: 'libmujoco-dev not installed (apt-get install libmujoco-dev); no MuJoCo reference' };
  const exe = join(dir, 'replay');
  try {
    execFileSync('cc', ['-O2', '-o', exe, 'bench/mujoco/replay.c', '-lmujoco', '-lm'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return { skip: `cc could not build bench/mujoco/replay.c against libmujoco: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message}` };
  }
  return { exe };
}

export function replayMujoco(exe: string, model: string, seq: ActionSequence, dir: string, extra: string[] = [], starts = STARTS, noise = NOISE): RunSummary & { integrator: string; frameSkip: number } {
  const txt = join(dir, `seq-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(txt, toReplayText(seq));
  const out = execFileSync(exe, [model, txt, '--starts', String(starts), '--noise', String(noise), '--seed', '1', '--settle-from', String(SETTLE_S), ...extra], { encoding: 'utf8' });
  const j = JSON.parse(out) as { integrator: string; frameSkip: number; runs: { x: number; flipped: boolean; finite: boolean; amplitudeDeg: Record<string, number> }[] };
  return { ...summarise(j.runs.map((r) => ({ x: r.x, flipped: r.flipped, finite: r.finite, amp: r.amplitudeDeg }))), integrator: j.integrator, frameSkip: j.frameSkip };
}

function within(ours: RunSummary, ref: RunSummary): { flipRate: boolean; displacement: boolean } {
  const dx = Math.abs(ours.meanX - ref.meanX);
  return { flipRate: Math.abs(ours.flipRate - ref.flipRate) <= 0.3, displacement: dx <= 1 || dx <= 0.3 * Math.abs(ref.meanX) };
}

export async function benchFidelity(_quick: boolean): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-fidelity-'));
  const built = buildReplay(dir);
  const exported = join(dir, 'exported-ant.xml');
  writeFileSync(exported, toMJCF(antSpec()));
  const out: Section = { physicsBuild: PHYSICS_BUILD, starts: STARTS, resetNoise: NOISE, seconds: 10, sequences: {} as Record<string, unknown> };
  if ('skip' in built) out.mujoco = built.skip;
  for (const name of Object.keys(SEQUENCES)) {
    const seq = loadActionSequence(join(ACTIONS_DIR, `${name}.json`));
    const ours = await replayOurs(seq);
    // the experimental joint-space armature model (sim/armature.ts), same solver settings
    const oursJointArmature = await replayOurs(seq, { armature: 'joint' });
    // the experimental reduced-coordinate model (sim/world.ts 'multibody'), 8 solver iterations
    const oursMultibody = await replayOurs(seq, { armature: 'multibody', solverIterations: 8 });
    const row: Record<string, unknown> = { ours, oursJointArmature, oursMultibody };
    if ('exe' in built) {
      const gym = replayMujoco(built.exe, 'bench/mujoco/gymnasium-ant.xml', seq, dir);
      row.mujocoGymnasiumAnt = gym;
      row.mujocoExportedAnt = replayMujoco(built.exe, exported, seq, dir);
      row.withinTarget = { ours: within(ours, gym), oursJointArmature: within(oursJointArmature, gym), oursMultibody: within(oursMultibody, gym) };
    }
    (out.sequences as Record<string, unknown>)[name] = row;
    process.stderr.write(`fidelity ${name}: ${JSON.stringify(row.withinTarget ?? {})}\n`);
  }
  return out;
}
