/**
 * The open-loop action sequences of the fidelity bench, written to bench/actions/*.json
 * (`node dist/bench/action-sequences.js` regenerates them; the files are committed so that
 * MuJoCo and any later build replay exactly the same numbers):
 *
 * - gait.json: the project's open-loop gait (sim/gait.ts) on the Ant, 10 s at 20 Hz.
 * - random-{1,2,3}.json: smooth random sequences, seeded: per joint
 *     a_j(t) = clip(Σ_{k<3} A_jk · sin(2π f_jk t + φ_jk), −1, 1),
 *   A ~ U[0.2, 0.6], f ~ U[0.3, 2.5] Hz, φ ~ U[0, 2π), from core/rng with seed 1, 2, 3.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { antSpec } from '../morphologies/ant.js';
import { actuatedJoints } from '../morphologies/spec.js';
import { openLoopGait } from '../sim/gait.js';
import type { ActionSequence } from '../sim/actions.js';

const CONTROL_DT = 0.05;
const STEPS = 200;

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const clip = (x: number): number => Math.max(-1, Math.min(1, x));

export function gaitSequence(): ActionSequence {
  const spec = antSpec();
  const jointNames = actuatedJoints(spec).map((j) => j.joint.name);
  const p = openLoopGait(spec, jointNames);
  const actions: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    const time = t * CONTROL_DT;
    actions.push(jointNames.map((_, j) => round(clip(p.offset[j] + p.amplitude[j] * Math.sin(2 * Math.PI * p.frequency * time + p.phase[j])))));
  }
  return { jointNames, controlDt: CONTROL_DT, actions };
}

export function randomSequence(seed: number): ActionSequence {
  const jointNames = actuatedJoints(antSpec()).map((j) => j.joint.name);
  const rng = new Rng(seed);
  const terms = jointNames.map(() => Array.from({ length: 3 }, () => ({ a: rng.range(0.2, 0.6), f: rng.range(0.3, 2.5), phi: rng.range(0, 2 * Math.PI) })));
  const actions: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    const time = t * CONTROL_DT;
    actions.push(terms.map((ks) => round(clip(ks.reduce((s, k) => s + k.a * Math.sin(2 * Math.PI * k.f * time + k.phi), 0)))));
  }
  return { jointNames, controlDt: CONTROL_DT, actions };
}

export const SEQUENCES: Record<string, () => ActionSequence> = {
  gait: gaitSequence,
  'random-1': () => randomSequence(1),
  'random-2': () => randomSequence(2),
  'random-3': () => randomSequence(3),
};

export const ACTIONS_DIR = 'bench/actions';

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(ACTIONS_DIR, { recursive: true });
  for (const [name, make] of Object.entries(SEQUENCES)) {
    const seq = make();
    // one row per line: readable diffs, small files
    const text = `{\n  "jointNames": ${JSON.stringify(seq.jointNames)},\n  "controlDt": ${seq.controlDt},\n  "actions": [\n${seq.actions.map((r) => '    ' + JSON.stringify(r)).join(',\n')}\n  ]\n}\n`;
    writeFileSync(join(ACTIONS_DIR, `${name}.json`), text);
    console.log(`wrote ${join(ACTIONS_DIR, name)}.json (${seq.actions.length} rows)`);
  }
}
