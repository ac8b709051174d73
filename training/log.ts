/**
 * Per-run training logs: `log.jsonl` (one JSON object per generation) and `log.csv` (the same
 * rows, fixed columns) side by side in the run directory, appended once per generation. A log
 * belongs to one run: a new run refuses existing rows, a resumed one first drops rows written
 * after its checkpoint (training/rundir.ts decides which directory may be used).
 *
 * Columns: generation, evaluations, envSteps, best, mean, sd, elapsedS, stepsPerS, then the
 * extra numeric columns declared when the log is opened (in that order). Numbers are written
 * with JavaScript's shortest round-trip formatting; non-finite values are `NaN`/`Infinity` in
 * the CSV and `null` in the JSONL.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileWriteError, writeFileAtomic } from '../core/atomic.js';
import { UserError } from '../core/errors.js';

export interface LogRow {
  generation: number;
  /** Episodes evaluated so far. */
  evaluations: number;
  /** Environment steps so far. */
  envSteps: number;
  best: number;
  mean: number;
  sd: number;
  elapsedS: number;
  stepsPerS: number;
  /** Values for the extra columns declared at open. */
  extra?: Record<string, number>;
}

export const BASE_COLUMNS = ['generation', 'evaluations', 'envSteps', 'best', 'mean', 'sd', 'elapsedS', 'stepsPerS'] as const;

export interface RunLogOptions {
  /** the base columns this log writes, a subset of BASE_COLUMNS in their order (default: all; learn-rule has no population statistics) */
  baseColumns?: readonly (typeof BASE_COLUMNS)[number][];
  /** Extra numeric columns, in order (names: letters, digits, _ . -). */
  extraColumns?: readonly string[];
  /**
   * Resuming from a checkpoint at this generation: existing rows with a larger generation
   * (written after that checkpoint, before a crash) are dropped and new rows follow. Without
   * it the log starts a new run: logs already there (another run's) are refused, never
   * appended to.
   */
  resumeFromGeneration?: number;
}

export class RunLog {
  readonly jsonlPath: string;
  readonly csvPath: string;
  readonly columns: readonly string[];
  private readonly extra: readonly string[];
  private readonly base: readonly (typeof BASE_COLUMNS)[number][];

  constructor(runDir: string, o: RunLogOptions = {}) {
    this.extra = o.extraColumns ?? [];
    this.base = BASE_COLUMNS.filter((c) => !o.baseColumns || o.baseColumns.includes(c));
    for (const c of this.extra) {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(c)) throw new Error(`RunLog: extra column name ${JSON.stringify(c)} must match [A-Za-z_][A-Za-z0-9_.-]*`);
      if ((BASE_COLUMNS as readonly string[]).includes(c)) throw new Error(`RunLog: extra column "${c}" clashes with a base column`);
    }
    if (new Set(this.extra).size !== this.extra.length) throw new Error('RunLog: extra column names repeat');
    this.columns = [...this.base, ...this.extra];
    mkdirSync(runDir, { recursive: true });
    this.jsonlPath = join(runDir, 'log.jsonl');
    this.csvPath = join(runDir, 'log.csv');
    const headerLine = this.columns.join(',');
    if (o.resumeFromGeneration === undefined) {
      const rows = [this.csvPath, this.jsonlPath].filter((p) => existsSync(p) && readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0).length > (p === this.csvPath ? 1 : 0));
      if (rows.length) {
        throw new UserError(`${rows[0]} already holds rows of another run; a new run never appends to them: resume that run, or start this one in another directory`);
      }
      writeFileAtomic(this.csvPath, headerLine + '\n');
      writeFileAtomic(this.jsonlPath, '');
      return;
    }
    if (existsSync(this.csvPath)) {
      const first = readFileSync(this.csvPath, 'utf8').split('\n', 1)[0];
      if (first !== headerLine) {
        throw new UserError(`${this.csvPath} has columns "${first}", this run writes "${headerLine}"; it is another kind of run's log: use another run directory`);
      }
    } else {
      writeFileAtomic(this.csvPath, headerLine + '\n');
    }
    if (!existsSync(this.jsonlPath)) writeFileAtomic(this.jsonlPath, '');
    this.truncateAfter(o.resumeFromGeneration);
  }

  /** Append one generation's row to both files. */
  append(row: LogRow): void {
    const values = this.values(row);
    const obj: Record<string, number | null> = {};
    this.columns.forEach((c, i) => (obj[c] = Number.isFinite(values[i]) ? values[i] : null));
    appendRow(this.jsonlPath, JSON.stringify(obj) + '\n');
    appendRow(this.csvPath, values.map((v) => String(v)).join(',') + '\n');
  }

  private values(row: LogRow): number[] {
    const extra = row.extra ?? {};
    for (const k of Object.keys(extra)) {
      if (!this.extra.includes(k)) throw new Error(`RunLog: column "${k}" was not declared when the log was opened (declared: ${this.extra.join(', ') || 'none'})`);
    }
    const out: number[] = [];
    for (const c of this.base) out.push(checkNumber(c, row[c]));
    for (const c of this.extra) out.push(c in extra ? checkNumber(c, extra[c]) : NaN);
    return out;
  }

  /** Drop rows with generation > g from both files (each rewritten atomically). */
  private truncateAfter(g: number): void {
    const csv = readFileSync(this.csvPath, 'utf8').split('\n').filter((l) => l.length > 0);
    const keptCsv = [csv[0], ...csv.slice(1).filter((l) => Number(l.split(',', 1)[0]) <= g)];
    const jsonl = readFileSync(this.jsonlPath, 'utf8').split('\n').filter((l) => l.length > 0);
    const keptJsonl = jsonl.filter((l) => {
      try {
        return (JSON.parse(l) as { generation: number }).generation <= g;
      } catch {
        return false; // a torn last line from a crash
      }
    });
    rewrite(this.csvPath, keptCsv);
    rewrite(this.jsonlPath, keptJsonl);
  }
}

function appendRow(path: string, line: string): void {
  try {
    appendFileSync(path, line);
  } catch (e) {
    throw fileWriteError(path, e, 'cannot append to', '; the checkpoint holds the run up to its last save: fix this, then resume');
  }
}

function rewrite(path: string, lines: string[]): void {
  writeFileAtomic(path, lines.map((l) => l + '\n').join(''));
}

function checkNumber(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new Error(`RunLog: column "${name}" must be a number, got ${v === undefined ? 'nothing' : typeof v}`);
  return v;
}

/** Parse a log.csv back into rows of numbers by column name (for plots and reports). */
export function readLogCsv(path: string): Record<string, number>[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const cols = lines[0].split(',');
  return lines.slice(1).map((l, i) => {
    const cells = l.split(',');
    if (cells.length !== cols.length) throw new Error(`${path}:${i + 2}: ${cells.length} cells, expected ${cols.length}`);
    const row: Record<string, number> = {};
    cols.forEach((c, k) => (row[c] = Number(cells[k])));
    return row;
  });
}
