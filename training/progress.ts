/**
 * Progress reporting for training runs.
 *
 * On a TTY: one line, redrawn in place (at most every `ttyIntervalMs`):
 *   gen 12/200 [===>                ] best 312.4 mean 201.7 | 4,820 steps/s | ETA 3m12s
 * Otherwise (logs, CI, pipes): the same text as plain lines, at most one every `intervalMs`,
 * plus always the first and the last generation.
 *
 * ETA = (total − generation) / rate, rate = generations done since the reporter started
 * (counting from `startGeneration`, so a resumed run estimates from its own speed) per second.
 * With a wall-clock budget the run ends at whichever comes first, so the ETA is
 * min(that, budget − elapsed) and the line says "(time budget)" when the budget binds.
 */

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Total generations. */
  total: number;
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** Override TTY detection (default: stream.isTTY). */
  tty?: boolean;
  /**
   * Wall-clock budget in seconds from the reporter's construction (training stops after the
   * generation that exceeds it); undefined or 0: none.
   */
  budgetSeconds?: number;
  /** Generation the run starts (or resumes) from (default 0). */
  startGeneration?: number;
  /** Minimum time between plain lines (default 10 000 ms). */
  intervalMs?: number;
  /** Minimum time between TTY redraws (default 100 ms). */
  ttyIntervalMs?: number;
  /** Bar width in characters (default 20). */
  barWidth?: number;
  /** Clock in ms (default performance.now); injectable for tests. */
  now?: () => number;
}

export interface ProgressUpdate {
  /** Generations completed. */
  generation: number;
  best?: number;
  mean?: number;
  stepsPerS?: number;
  /** Free text appended to the line (e.g. "σ 0.021"). */
  note?: string;
}

/** 42 → "42s", 192 → "3m12s", 7380 → "2h03m", 200000 → "2d07h"; non-finite or negative → "--". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const t = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${pad(t % 60)}s`;
  if (t < 86400) return `${Math.floor(t / 3600)}h${pad(Math.floor((t % 3600) / 60))}m`;
  return `${Math.floor(t / 86400)}d${pad(Math.floor((t % 86400) / 3600))}h`;
}

/**
 * Locale-independent number formatting with thousands separators: 4820 → "4,820",
 * 312.44 → "312.4", 0.01234 → "0.0123". `decimals` defaults to 0 for |n| ≥ 1000, 1 for
 * |n| ≥ 1, else 4. NaN → "--", ±Infinity → "∞" / "-∞".
 */
export function formatNumber(n: number, decimals?: number): string {
  if (Number.isNaN(n)) return '--';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const a = Math.abs(n);
  const d = decimals ?? (a >= 1000 ? 0 : a >= 1 ? 1 : 4);
  const s = a.toFixed(d);
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const neg = n < 0 && Number(s) !== 0;
  return `${neg ? '-' : ''}${grouped}${frac}`;
}

/** "[=====>    ]" for a fraction in [0, 1]. */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(f * width);
  if (filled >= width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}]`;
}

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly total: number;
  private readonly startGeneration: number;
  private readonly budgetSeconds: number;
  private readonly intervalMs: number;
  private readonly ttyIntervalMs: number;
  private readonly barWidth: number;
  private readonly now: () => number;
  private readonly t0: number;
  private lastWrite = -Infinity;
  private last: ProgressUpdate | undefined;
  private dirty = false;
  private finished = false;

  constructor(o: ProgressOptions) {
    if (!Number.isInteger(o.total) || o.total < 0) throw new Error(`ProgressReporter: total must be a non-negative integer, got ${o.total}`);
    this.total = o.total;
    this.stream = o.stream ?? process.stderr;
    this.tty = o.tty ?? this.stream.isTTY === true;
    this.startGeneration = o.startGeneration ?? 0;
    this.budgetSeconds = o.budgetSeconds && o.budgetSeconds > 0 ? o.budgetSeconds : Infinity;
    this.intervalMs = o.intervalMs ?? 10_000;
    this.ttyIntervalMs = o.ttyIntervalMs ?? 100;
    this.barWidth = o.barWidth ?? 20;
    this.now = o.now ?? (() => performance.now());
    this.t0 = this.now();
  }

  /** The status text for an update (no control characters). */
  line(u: ProgressUpdate): string {
    const parts = [`gen ${u.generation}/${this.total} ${progressBar(this.total > 0 ? u.generation / this.total : 1, this.barWidth)}`];
    const stats: string[] = [];
    if (u.best !== undefined) stats.push(`best ${formatNumber(u.best)}`);
    if (u.mean !== undefined) stats.push(`mean ${formatNumber(u.mean)}`);
    if (stats.length) parts[0] += ' ' + stats.join(' ');
    if (u.stepsPerS !== undefined) parts.push(`${formatNumber(u.stepsPerS, 0)} steps/s`);
    const eta = this.eta(u.generation);
    parts.push(`ETA ${formatDuration(eta.seconds)}${eta.binds === 'time' ? ' (time budget)' : ''}`);
    if (u.note) parts.push(u.note);
    return parts.join(' | ');
  }

  /** Seconds left: the earlier of the generation budget (at the rate observed since construction) and the time budget; NaN before any progress without a time budget. */
  etaSeconds(generation: number): number {
    return this.eta(generation).seconds;
  }

  /** The ETA and which budget binds: 'generations' or 'time'. */
  eta(generation: number): { seconds: number; binds: 'generations' | 'time' } {
    const done = generation - this.startGeneration;
    const elapsed = (this.now() - this.t0) / 1000;
    if (generation >= this.total) return { seconds: 0, binds: 'generations' };
    const byTime = Math.max(0, this.budgetSeconds - elapsed);
    const byGenerations = done <= 0 || elapsed <= 0 ? NaN : ((this.total - generation) * elapsed) / done;
    if (byTime < Infinity && !(byGenerations <= byTime)) return { seconds: byTime, binds: 'time' };
    return { seconds: byGenerations, binds: 'generations' };
  }

  update(u: ProgressUpdate): void {
    if (this.finished) return;
    this.last = u;
    const t = this.now();
    const first = this.lastWrite === -Infinity;
    const final = u.generation >= this.total;
    if (!first && !final && t - this.lastWrite < (this.tty ? this.ttyIntervalMs : this.intervalMs)) {
      this.dirty = true;
      return;
    }
    this.write(u);
    this.lastWrite = t;
    this.dirty = false;
  }

  /** Flush the last update (if throttled away) and end the TTY line. Idempotent. */
  done(final?: ProgressUpdate): void {
    if (this.finished) return;
    if (final) this.last = final;
    if (this.last && (this.dirty || final)) this.write(this.last);
    if (this.tty && this.last) this.stream.write('\n');
    this.finished = true;
  }

  private write(u: ProgressUpdate): void {
    let text = this.line(u);
    if (this.tty) {
      const cols = this.stream.columns;
      if (cols && text.length > cols - 1) text = text.slice(0, Math.max(0, cols - 1));
      this.stream.write(`\r${text}\x1b[K`);
    } else {
      this.stream.write(text + '\n');
    }
  }
}
