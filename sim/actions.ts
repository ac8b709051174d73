/**
 * Open-loop action files: a sequence of control-step actions named by joint, replayed by
 * `spikeloco rollout --actions FILE` and by MuJoCo's replay harness (bench/mujoco/replay.c),
 * so the same torques drive both simulators.
 *
 *   { "jointNames": ["hip_1", ...], "controlDt": 0.05, "actions": [[a_1, ..., a_J], ...] }
 *
 * Row t is the action held during control step t (values clipped to [−1, 1] by the env).
 * Columns are matched to a robot's actuated joints by name, so a file written in Gymnasium's
 * actuator order replays on our joint order and vice versa.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

export interface ActionSequence {
  jointNames: string[];
  /** seconds per row; must equal the env's control step */
  controlDt: number;
  actions: number[][];
}

export class ActionFileError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ActionFileError';
  }
}

/** Check a parsed JSON value is an action sequence; errors name the field and the file. */
export function parseActionSequence(v: unknown, where: string): ActionSequence {
  const fail = (field: string, msg: string): never => {
    throw new ActionFileError(`${where}: ${field}: ${msg}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('(root)', 'expected an object { jointNames, controlDt, actions }');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['jointNames', 'controlDt', 'actions', 'description'].includes(k)) fail(k, 'unknown field (known: jointNames, controlDt, actions, description)');
  const names = o.jointNames;
  if (!Array.isArray(names) || names.length === 0) fail('jointNames', 'expected a non-empty array of joint names');
  (names as unknown[]).forEach((n, i) => {
    if (typeof n !== 'string' || n === '') fail(`jointNames[${i}]`, `expected a joint name, got ${JSON.stringify(n)}`);
  });
  const seen = new Set<string>();
  for (const n of names as string[]) {
    if (seen.has(n)) fail('jointNames', `joint "${n}" appears twice`);
    seen.add(n);
  }
  const dt = o.controlDt;
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt)) fail('controlDt', `expected seconds per row > 0, got ${JSON.stringify(dt)}`);
  const rows = o.actions;
  if (!Array.isArray(rows) || rows.length === 0) fail('actions', 'expected a non-empty array of rows');
  const J = (names as string[]).length;
  (rows as unknown[]).forEach((row, t) => {
    if (!Array.isArray(row) || row.length !== J) fail(`actions[${t}]`, `expected a row of ${J} numbers (one per joint name), got ${Array.isArray(row) ? row.length + ' values' : JSON.stringify(row)}`);
    (row as unknown[]).forEach((a, j) => {
      if (typeof a !== 'number' || !Number.isFinite(a)) fail(`actions[${t}][${j}]`, `expected a finite number, got ${JSON.stringify(a)}`);
    });
  });
  return { jointNames: names as string[], controlDt: dt as number, actions: rows as number[][] };
}

export function loadActionSequence(path: string): ActionSequence {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ActionFileError(`${path}: cannot read the action file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ActionFileError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseActionSequence(v, path);
}

/**
 * The sequence as a row-major table in the robot's action order (`jointNames` of the env).
 * Every robot joint must have a column and every column a joint; the control step must match.
 */
export function actionTable(seq: ActionSequence, robotJoints: readonly string[], controlDt: number, where: string): Float32Array {
  const missing = robotJoints.filter((n) => !seq.jointNames.includes(n));
  if (missing.length) throw new ActionFileError(`${where}: jointNames: no column for the robot's joint(s) ${missing.join(', ')} (the robot has ${robotJoints.join(', ')})`);
  const extra = seq.jointNames.filter((n) => !robotJoints.includes(n));
  if (extra.length) throw new ActionFileError(`${where}: jointNames: the robot has no joint(s) ${extra.join(', ')} (it has ${robotJoints.join(', ')})`);
  if (Math.abs(seq.controlDt - controlDt) > 1e-9) throw new ActionFileError(`${where}: controlDt: the file steps every ${seq.controlDt} s, the env every ${controlDt} s; write the file at the env's control step`);
  const J = robotJoints.length;
  const col = robotJoints.map((n) => seq.jointNames.indexOf(n));
  const out = new Float32Array(seq.actions.length * J);
  seq.actions.forEach((row, t) => {
    for (let j = 0; j < J; j++) out[t * J + j] = row[col[j]];
  });
  return out;
}

/** The text form bench/mujoco/replay.c reads (see its header). */
export function toReplayText(seq: ActionSequence): string {
  const lines = ['spikeloco-actions 1', `joints ${seq.jointNames.length} ${seq.jointNames.join(' ')}`, `controlDt ${seq.controlDt}`, `steps ${seq.actions.length}`];
  for (const row of seq.actions) lines.push(row.map((a) => String(a)).join(' '));
  return lines.join('\n') + '\n';
}
