/**
 * What travels through Redis, as plain JSON text with typed arrays in core/codec.ts base64:
 * nothing executable is ever deserialised (no functions, no classes, no eval; JSON.parse of
 * bounded strings, then a field-by-field check). Every decoder here throws a `MessageFormatError`
 * naming the field; workers and the coordinator log it and never execute or reduce the record.
 *
 * Keys (all under the prefix `spikeloco:`, see `keys`):
 *   policy:<key>                 the PolicySpec JSON (set by the coordinator, read once per worker)
 *   session:<runId>              the coordinator session currently driving a run (stale sessions' jobs are skipped)
 *   res:<runId>:<session>:<b>    hash task index → TaskResult JSON (HSETNX: first write wins)
 *   err:<runId>:<session>:<b>    hash chunk → error text (a task that threw, a refused job)
 *   note:<runId>:<session>:<b>   list the coordinator blocks on (one push per finished chunk)
 *   worker:<id>                  heartbeat of a worker process (threads, host, pid; expires)
 */
import { BASE64_PATTERN, decodeFloat32, decodeFloat64, encodeFloat32, encodeFloat64 } from '../../core/codec.js';
import { UserError } from '../../core/errors.js';
import { TASK_FORMAT_VERSION, type EpisodeSpec, type EpisodeTrace, type PolicySpec, type TaskResult, type WorkerTask } from '../task.js';
import type { EndReason } from '../../sim/env.js';

export const QUEUE_NAME = 'spikeloco-tasks';
export const KEY_PREFIX = 'spikeloco:';
/** Envelope format of a job (the tasks inside carry TASK_FORMAT_VERSION). */
export const JOB_FORMAT = 'spikeloco-chunk-1';

/** Bounds on what a worker or coordinator will parse (bytes of JSON text). */
export const MAX_JOB_BYTES = 32 * 1024 * 1024;
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;
export const MAX_RESULT_BYTES = 1024 * 1024;
export const MAX_TASKS_PER_JOB = 10_000;
export const MAX_EPISODES_PER_TASK = 10_000;

export const keys = {
  policy: (key: string) => `${KEY_PREFIX}policy:${key}`,
  session: (runId: string) => `${KEY_PREFIX}session:${runId}`,
  results: (runId: string, session: string, batch: number) => `${KEY_PREFIX}res:${runId}:${session}:${batch}`,
  errors: (runId: string, session: string, batch: number) => `${KEY_PREFIX}err:${runId}:${session}:${batch}`,
  note: (runId: string, session: string, batch: number) => `${KEY_PREFIX}note:${runId}:${session}:${batch}`,
  worker: (id: string) => `${KEY_PREFIX}worker:${id}`,
  workerPattern: `${KEY_PREFIX}worker:*`,
};

/** Job ids may not contain ':' in BullMQ; run ids and sessions are [A-Za-z0-9_-]. */
export function jobId(runId: string, session: string, batch: number, chunk: number, attempt = 0): string {
  return `${runId}.${session}.${batch}.${chunk}${attempt ? `.r${attempt}` : ''}`;
}

export class MessageFormatError extends UserError {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'MessageFormatError';
  }
}

/** The data of one BullMQ job: a chunk of one batch's tasks. */
export interface ChunkJob {
  format: typeof JOB_FORMAT;
  taskVersion: number;
  physicsBuild: string;
  runId: string;
  session: string;
  batch: number;
  chunk: number;
  policyKey: string;
  /** JSON text of the encoded tasks (a string, so its size is checked before it is parsed) */
  tasks: string;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

type Obj = Record<string, unknown>;
function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MessageFormatError(what, `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v as Obj;
}
function int(o: Obj, k: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new MessageFormatError(what, `${k}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}
function finite(o: Obj, k: string, what: string): number {
  const v = o[k];
  // results may hold non-finite values (a diverged rollout) and −0; they are encoded as strings
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  if (typeof v !== 'number') throw new MessageFormatError(what, `${k}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function string(o: Obj, k: string, what: string, pattern?: RegExp): string {
  const v = o[k];
  if (typeof v !== 'string' || (pattern && !pattern.test(v))) throw new MessageFormatError(what, `${k}: expected ${pattern ? `a string matching ${pattern}` : 'a string'}, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v;
}
function b64(o: Obj, k: string, what: string): string {
  const v = string(o, k, what);
  if (!BASE64_PATTERN.test(v) || v.length % 4 !== 0) throw new MessageFormatError(what, `${k}: expected base64`);
  return v;
}
/** JSON numbers cannot hold NaN, ±Infinity or −0 (it prints as 0): keep those as strings so every value survives. */
const num = (x: number): number | string => (Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : String(x));

function parseBounded(text: unknown, max: number, what: string): unknown {
  if (typeof text !== 'string') throw new MessageFormatError(what, `expected JSON text, got ${typeof text}`);
  if (text.length > max) throw new MessageFormatError(what, `${text.length} bytes is over the limit of ${max}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MessageFormatError(what, `not JSON (${(e as Error).message})`);
  }
}

// ---- tasks -------------------------------------------------------------------------------

export function encodeTasks(tasks: WorkerTask[]): string {
  return JSON.stringify(
    tasks.map((t) => ({
      version: t.version,
      runId: t.runId,
      label: t.label,
      index: t.index,
      policyKey: t.policyKey,
      genome: encodeFloat32(t.genome),
      normalizer: t.normalizer ? { mean: encodeFloat32(t.normalizer.mean), invStd: encodeFloat32(t.normalizer.invStd), clip: t.normalizer.clip } : null,
      collectStats: t.collectStats,
      episodes: t.episodes,
    })),
  );
}

function decodeEpisode(v: unknown, what: string): EpisodeSpec {
  const o = obj(v, what);
  const switches = o.switches;
  if (!Array.isArray(switches) || switches.length > 1000) throw new MessageFormatError(what, 'switches: expected an array (≤ 1000)');
  const spec: EpisodeSpec = {
    seed: int(o, 'seed', what, 0, 2 ** 32 - 1),
    maxSteps: int(o, 'maxSteps', what, 1, 100_000_000),
    condition: string(o, 'condition', what),
    switches: switches.map((s, i) => {
      const so = obj(s, `${what} switch ${i}`);
      return { atStep: int(so, 'atStep', `${what} switch ${i}`), condition: string(so, 'condition', `${what} switch ${i}`) };
    }),
  };
  // optional (absent in untraced episodes): kept absent, so a decoded spec equals the sent one
  if (o.traceEvery !== undefined) spec.traceEvery = int(o, 'traceEvery', what, 0, 100_000_000);
  return spec;
}

export function decodeTasks(text: unknown, what: string): WorkerTask[] {
  const arr = parseBounded(text, MAX_JOB_BYTES, what);
  if (!Array.isArray(arr) || arr.length === 0 || arr.length > MAX_TASKS_PER_JOB) throw new MessageFormatError(what, `tasks: expected 1..${MAX_TASKS_PER_JOB} tasks`);
  return arr.map((v, i) => {
    const w = `${what} task ${i}`;
    const o = obj(v, w);
    const version = int(o, 'version', w);
    if (version !== TASK_FORMAT_VERSION) throw new MessageFormatError(w, `task format version ${version}; this build reads version ${TASK_FORMAT_VERSION}`);
    if (typeof o.collectStats !== 'boolean') throw new MessageFormatError(w, 'collectStats: expected a boolean');
    const eps = o.episodes;
    if (!Array.isArray(eps) || eps.length === 0 || eps.length > MAX_EPISODES_PER_TASK) throw new MessageFormatError(w, `episodes: expected 1..${MAX_EPISODES_PER_TASK} episodes`);
    let normalizer: WorkerTask['normalizer'] = null;
    if (o.normalizer !== null) {
      const n = obj(o.normalizer, `${w} normalizer`);
      normalizer = { mean: decodeFloat32(b64(n, 'mean', w), undefined, `${w} normalizer.mean`), invStd: decodeFloat32(b64(n, 'invStd', w), undefined, `${w} normalizer.invStd`), clip: finite(n, 'clip', w) };
    }
    return {
      version: TASK_FORMAT_VERSION,
      runId: string(o, 'runId', w, ID),
      label: string(o, 'label', w).slice(0, 500),
      index: int(o, 'index', w),
      policyKey: string(o, 'policyKey', w, ID),
      genome: decodeFloat32(b64(o, 'genome', w), undefined, `${w} genome`),
      normalizer,
      collectStats: o.collectStats,
      episodes: eps.map((e, k) => decodeEpisode(e, `${w} episode ${k}`)),
    };
  });
}

// ---- the job envelope --------------------------------------------------------------------

/** Check a job's envelope (not its tasks: those are parsed only after the checks pass). */
export function decodeJob(data: unknown, what: string): ChunkJob {
  const o = obj(data, what);
  const format = string(o, 'format', what);
  if (format !== JOB_FORMAT) throw new MessageFormatError(what, `job format "${format}"; this build reads "${JOB_FORMAT}"`);
  const tasks = o.tasks;
  if (typeof tasks !== 'string') throw new MessageFormatError(what, 'tasks: expected JSON text');
  if (tasks.length > MAX_JOB_BYTES) throw new MessageFormatError(what, `tasks: ${tasks.length} bytes is over the limit of ${MAX_JOB_BYTES}`);
  return {
    format: JOB_FORMAT,
    taskVersion: int(o, 'taskVersion', what),
    physicsBuild: string(o, 'physicsBuild', what),
    runId: string(o, 'runId', what, ID),
    session: string(o, 'session', what, ID),
    batch: int(o, 'batch', what),
    chunk: int(o, 'chunk', what),
    policyKey: string(o, 'policyKey', what, ID),
    tasks,
  };
}

// ---- policy specs ------------------------------------------------------------------------

export function encodePolicy(p: PolicySpec): string {
  const text = JSON.stringify(p);
  if (text.length > MAX_POLICY_BYTES) throw new MessageFormatError(`policy ${p.key}`, `${text.length} bytes is over the limit of ${MAX_POLICY_BYTES}`);
  return text;
}

/** Shape check only: the morphology and controller are validated again when the env and controller are built. */
export function decodePolicy(text: unknown, key: string): PolicySpec {
  const what = `policy ${key}`;
  const o = obj(parseBounded(text, MAX_POLICY_BYTES, what), what);
  if (string(o, 'key', what, ID) !== key) throw new MessageFormatError(what, `key: the stored spec is ${JSON.stringify(o.key)}`);
  return { key, morphology: obj(o.morphology, `${what} morphology`) as unknown as PolicySpec['morphology'], controller: obj(o.controller, `${what} controller`) as unknown as PolicySpec['controller'], reward: obj(o.reward, `${what} reward`), physics: obj(o.physics, `${what} physics`) };
}

// ---- results -----------------------------------------------------------------------------

export function encodeResult(r: TaskResult): string {
  return JSON.stringify({
    version: r.version,
    runId: r.runId,
    index: r.index,
    fitness: num(r.fitness),
    meanForwardVelocity: num(r.meanForwardVelocity),
    meanDistance: num(r.meanDistance),
    steps: r.steps,
    falls: r.falls,
    nonFinite: r.nonFinite,
    stats: r.stats ? { count: r.stats.count, mean: encodeFloat64(r.stats.mean), m2: encodeFloat64(r.stats.m2) } : null,
    traces: r.traces ? r.traces.map((t) => ({ every: t.every, steps: t.steps, endReason: t.endReason, x: encodeFloat64(t.x) })) : null,
  });
}

const END_REASONS: readonly EndReason[] = ['exploded', 'flipped', 'fell', 'rose', 'time'];

function decodeTraces(v: unknown, expected: number, what: string): EpisodeTrace[] | null {
  if (v === null || v === undefined) {
    if (expected > 0) throw new MessageFormatError(what, `traces of ${expected} episodes were asked for and are missing`);
    return null;
  }
  if (!Array.isArray(v)) throw new MessageFormatError(what, 'traces: expected an array or null');
  if (v.length !== expected) throw new MessageFormatError(what, `traces: ${v.length} episode traces, the task asked for ${expected}`);
  return v.map((t, i) => {
    const w = `${what} trace ${i}`;
    const o = obj(t, w);
    const endReason = string(o, 'endReason', w) as EndReason;
    if (!END_REASONS.includes(endReason)) throw new MessageFormatError(w, `endReason: expected one of ${END_REASONS.join(', ')}, got ${JSON.stringify(endReason)}`);
    return { every: int(o, 'every', w), steps: int(o, 'steps', w), endReason, x: decodeFloat64(b64(o, 'x', w), undefined, `${w} x`) };
  });
}

/** A result as stored, checked against what the coordinator asked for (run, index, stats, `traced`: the task's episode count when it asked for traces). */
export function decodeResult(text: unknown, expect: { runId: string; index: number; collectStats: boolean; traced?: number }, what: string): TaskResult {
  const o = obj(parseBounded(text, MAX_RESULT_BYTES, what), what);
  const version = int(o, 'version', what);
  if (version !== TASK_FORMAT_VERSION) throw new MessageFormatError(what, `result format version ${version}; this build reads ${TASK_FORMAT_VERSION}`);
  const runId = string(o, 'runId', what, ID);
  if (runId !== expect.runId) throw new MessageFormatError(what, `belongs to run ${runId}, not to this run (${expect.runId})`);
  const index = int(o, 'index', what);
  if (index !== expect.index) throw new MessageFormatError(what, `index ${index} stored under task ${expect.index}`);
  let stats: TaskResult['stats'] = null;
  if (o.stats !== null) {
    const s = obj(o.stats, `${what} stats`);
    const mean = decodeFloat64(b64(s, 'mean', what), undefined, `${what} stats.mean`);
    stats = { count: int(s, 'count', what), mean, m2: decodeFloat64(b64(s, 'm2', what), mean.length, `${what} stats.m2`) };
  }
  if (expect.collectStats !== (stats !== null)) throw new MessageFormatError(what, expect.collectStats ? 'observation statistics were asked for and are missing' : 'carries statistics that were not asked for');
  return {
    version: TASK_FORMAT_VERSION,
    runId,
    index,
    fitness: finite(o, 'fitness', what),
    meanForwardVelocity: finite(o, 'meanForwardVelocity', what),
    meanDistance: finite(o, 'meanDistance', what),
    steps: int(o, 'steps', what),
    falls: int(o, 'falls', what),
    nonFinite: int(o, 'nonFinite', what),
    stats,
    traces: decodeTraces(o.traces, expect.traced ?? 0, what),
  };
}
