/**
 * A run directory's lifecycle and identity (ES `train` and BPTT `learn-rule` runs alike).
 *
 * Files: `checkpoint.json` (the resumable state), `run.json` (the identity below), the logs
 * (`log.jsonl`, `log.csv`) and outputs (`best.json`, `learning-curve.svg`, `rule.json`).
 *
 * Identity: `run.json` = {format, version, kind, runId, configHash, created}. `runId` is drawn
 * at creation (time + 48 random bits: it never touches the seeded RNGs, so trajectories are
 * unaffected); `configHash` is the SHA-256 (first 16 hex digits) of the canonical JSON of the
 * parsed config. The checkpoint carries the same two values; a checkpoint whose runId differs
 * from `run.json` (copied in from another run) is refused on resume, so logs and `best.json`
 * never mix two runs.
 *
 * Rules:
 * - a fresh start into a directory holding `checkpoint.json` is refused (resume it, or choose
 *   another directory);
 * - a fresh start into a directory holding only the logs of a run that stopped before its first
 *   checkpoint clears those logs (nothing there can be resumed) and says so; one holding
 *   results (`best.json`, `rule.json`) without a checkpoint is refused, never cleared;
 * - `--resume` without `checkpoint.json` is refused with what to do instead;
 * - on either, temp files of killed writes (`*.tmp-<pid>` of dead processes) are removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { fileWriteError, removeStaleTempFiles, writeFileAtomic } from '../core/atomic.js';

export const RUN_FORMAT = 'spikeloco-run';
export const RUN_FILE = 'run.json';
export const CHECKPOINT_FILE = 'checkpoint.json';
/** Files a run writes before its first checkpoint; a fresh start clears them when no checkpoint exists. */
export const RUN_LOGS = [RUN_FILE, 'log.jsonl', 'log.csv', 'learning-curve.svg'] as const;
/** Results a run writes only with or after a checkpoint: a directory holding them is never cleared. */
export const RUN_RESULTS = ['best.json', 'rule.json'] as const;

export interface RunIdentity {
  runId: string;
  configHash: string;
  /**
   * the physics build the run simulates with (`sim/rapier.ts` PHYSICS_BUILD), for runs that
   * step physics: another build gives other trajectories, so a resume on it is refused
   */
  physicsBuild?: string;
}

export interface RunFile extends RunIdentity {
  format: typeof RUN_FORMAT;
  version: 1;
  /** checkpoint kind of the run, e.g. 'es-run', 'bptt-run' */
  kind: string;
  created: string;
}

/** A run directory that cannot be used as asked (the message says why and what to do). */
export class RunDirError extends UserError {
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunDirError';
  }
}

/** JSON with object keys sorted at every level, so equal data hashes equally. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) out[k] = (x as Record<string, unknown>)[k];
    return out;
  });
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(6).toString('hex')}`;
}

/** Field paths where two configs differ ("optimizer.sigma", "generations"), for messages. */
export function configDifferences(a: unknown, b: unknown, path = ''): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObj(a) || !isObj(b)) return [path || '(whole config)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => configDifferences(a[k], b[k], path ? `${path}.${k}` : k));
}

export interface PrepareOptions {
  /** checkpoint kind of the run ('es-run', 'bptt-run') */
  kind: string;
  /** how to start a new run there, for messages, e.g. "spikeloco train --config FILE --out DIR" */
  startHint: string;
  /** how to resume it, e.g. "spikeloco train --resume DIR" */
  resumeHint: string;
}

export interface Prepared {
  checkpointPath: string;
  /** what was done that the user should hear about (cleared logs, removed temp files) */
  notes: string[];
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileWriteError(dir, e, 'cannot create the run directory', '; choose another directory');
  }
  if (!statSync(dir).isDirectory()) throw new RunDirError(dir, `${dir} is not a directory; choose another run directory`);
}

function logRows(dir: string): number {
  const csv = join(dir, 'log.csv');
  if (!existsSync(csv)) return 0;
  return Math.max(0, readFileSync(csv, 'utf8').split('\n').filter((l) => l.length > 0).length - 1);
}

function staleNote(dir: string): string[] {
  const removed = removeStaleTempFiles(dir);
  return removed.length ? [`removed ${removed.length} temp file(s) of an interrupted write in ${dir}: ${removed.join(', ')}`] : [];
}

/** Make `dir` ready for a new run: refuse one that holds a checkpoint, clear a run that never checkpointed. */
export function prepareFreshRunDir(dir: string, o: PrepareOptions): Prepared {
  ensureDir(dir);
  const notes = staleNote(dir);
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (existsSync(checkpointPath)) {
    throw new RunDirError(dir, `${dir} already holds a run (${CHECKPOINT_FILE}); continue it with ${o.resumeHint.replace('DIR', dir)} or choose another --out`);
  }
  const results = RUN_RESULTS.filter((f) => existsSync(join(dir, f)));
  if (results.length) {
    throw new RunDirError(dir, `${dir} holds results of another run (${results.join(', ')}) without a ${CHECKPOINT_FILE}; choose another --out (or move them away)`);
  }
  const present = RUN_LOGS.filter((f) => existsSync(join(dir, f)));
  if (present.length) {
    const rows = logRows(dir);
    for (const f of present) {
      try {
        rmSync(join(dir, f), { force: true });
      } catch (e) {
        throw fileWriteError(join(dir, f), e, 'cannot remove', '; remove it yourself or choose another --out');
      }
    }
    notes.push(`${dir} held a run that stopped before its first checkpoint (${rows} logged row${rows === 1 ? '' : 's'}, nothing to resume); cleared ${present.join(', ')} and starting afresh`);
  }
  return { checkpointPath, notes };
}

/** Check that `dir` holds a checkpoint to resume; say what to do otherwise. */
export function prepareResumeRunDir(dir: string, o: PrepareOptions): Prepared {
  const start = o.startHint.replace('DIR', dir);
  if (!existsSync(dir)) throw new RunDirError(dir, `--resume ${dir}: no such directory, so no run to resume; start one with ${start}`);
  const notes = staleNote(dir);
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (!existsSync(checkpointPath)) {
    const rows = logRows(dir);
    if (rows > 0 || existsSync(join(dir, RUN_FILE))) {
      throw new RunDirError(dir, `--resume ${dir}: the run there stopped before its first checkpoint (${rows} logged row${rows === 1 ? '' : 's'}, no ${CHECKPOINT_FILE}), so there is nothing to resume; start it again with ${start} (its logs are replaced)`);
    }
    throw new RunDirError(dir, `--resume ${dir}: no ${CHECKPOINT_FILE} there, so no run to resume; start one with ${start}`);
  }
  return { checkpointPath, notes };
}

export function readRunFile(dir: string): RunFile | null {
  const path = join(dir, RUN_FILE);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunDirError(dir, `${path} is not valid JSON (${(e as Error).message}); restore it from the checkpoint by deleting it, then resume`);
  }
  const r = raw as Partial<RunFile> | null;
  if (!r || r.format !== RUN_FORMAT || typeof r.runId !== 'string' || typeof r.configHash !== 'string' || typeof r.kind !== 'string') {
    throw new RunDirError(dir, `${path} is not a ${RUN_FORMAT} file; delete it (resume rewrites it from the checkpoint) or choose another directory`);
  }
  return r as RunFile;
}

export function writeRunFile(dir: string, kind: string, id: RunIdentity, created = new Date()): RunFile {
  const file: RunFile = { format: RUN_FORMAT, version: 1, kind, runId: id.runId, configHash: id.configHash, ...(id.physicsBuild ? { physicsBuild: id.physicsBuild } : {}), created: created.toISOString() };
  writeFileAtomic(join(dir, RUN_FILE), JSON.stringify(file, null, 2) + '\n');
  return file;
}

/**
 * On resume: the checkpoint's identity must be the directory's (`run.json`). A directory from
 * before run identities (no run.json) adopts the checkpoint's.
 */
export function checkRunIdentity(dir: string, kind: string, checkpoint: RunIdentity, physicsBuild?: string): void {
  if (physicsBuild && checkpoint.physicsBuild && checkpoint.physicsBuild !== physicsBuild) {
    throw new RunDirError(
      dir,
      `${join(dir, CHECKPOINT_FILE)} was trained on physics build ${checkpoint.physicsBuild}, but this install simulates with ${physicsBuild}: resuming would not continue the same trajectory; start a new run with --out, or resume with the spikeloco version that has ${checkpoint.physicsBuild}`,
    );
  }
  const own = readRunFile(dir);
  if (!own) {
    writeRunFile(dir, kind, checkpoint);
    return;
  }
  if (own.kind !== kind) {
    throw new RunDirError(dir, `${join(dir, RUN_FILE)} describes a "${own.kind}" run, but ${CHECKPOINT_FILE} is a "${kind}" checkpoint; use a directory that holds one run`);
  }
  if (own.runId !== checkpoint.runId) {
    const why = own.configHash === checkpoint.configHash ? 'another run of the same config' : `another run with another config (config hash ${checkpoint.configHash}, this directory's ${own.configHash})`;
    throw new RunDirError(
      dir,
      `${join(dir, CHECKPOINT_FILE)} belongs to run ${checkpoint.runId}, ${why}, not to run ${own.runId} whose logs are in ${dir}; put the checkpoint back in its own directory, or resume that run there`,
    );
  }
}
