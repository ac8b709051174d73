/**
 * Adaptation over time, from torso-x traces (training/task.ts `EpisodeTrace`) of episodes run on
 * an EvaluationBackend (the local pool or Redis workers, in parallel):
 *
 * - switched episodes: flat ground, then at `switchAt` s a condition is switched on (the robot is
 *   re-seated by training/episode.ts `switchCondition`; the controller keeps its state, so
 *   plastic weights keep adapting) and the robot walks on to `seconds`;
 * - long flat episodes (does the gait hold for 60 s?).
 *
 * Windowed speeds come from x, so a robot that fell (episode ended) counts as making no more
 * progress: its trace is padded with its last x. Per policy and condition the metrics are taken
 * on the episode-mean x(t) (`meanTrace`), so before/after/end are the means over episodes of
 * each episode's window speed and a ratio is a ratio of those means:
 *
 *   before = (x(s) − x(s − w)) / w,  after = (x(s + w) − x(s)) / w,  end = (x(T) − x(T − w)) / w
 *   recovery after = after / before,  recovery end = end / before      (NaN when before ≤ 0)
 *   time to 80% = the first τ ≥ m after the switch with (x(s + τ) − x(s + τ − m)) / m ≥ 0.8 · before
 *
 * with s the switch time, w the window (5 s), T the episode length and m the moving-average
 * window (1 s): the 1-s average is taken only over time after the switch, so τ ≥ 1 s, and
 * τ = 1 s means no visible loss. ∞ when never reached before T; NaN when before ≤ 0 (nothing to
 * recover to).
 */
import { deriveSeed } from '../core/rng.js';
import { controlDtOf } from '../sim/env.js';
import type { EpisodeSpec, EpisodeTrace, EvaluationBackend, TaskResult } from '../training/task.js';
import type { LoadedPolicy } from '../training/policy.js';
import { runEpisodes } from './evaluation.js';

/** x at `samples` sample points (spacing: the trace's `every`), padded with the last sample after an early end. */
export function paddedX(trace: Pick<EpisodeTrace, 'x'>, samples: number): Float64Array {
  const out = new Float64Array(samples);
  const n = Math.min(samples, trace.x.length);
  out.set(trace.x.subarray(0, n));
  const last = n > 0 ? trace.x[n - 1] : 0;
  out.fill(last, n);
  return out;
}

/** The episode-mean x(t) of traces, each padded to `samples`. */
export function meanTrace(traces: readonly Pick<EpisodeTrace, 'x'>[], samples: number): Float64Array {
  const out = new Float64Array(samples);
  for (const t of traces) {
    const x = paddedX(t, samples);
    for (let i = 0; i < samples; i++) out[i] += x[i];
  }
  for (let i = 0; i < samples; i++) out[i] /= traces.length;
  return out;
}

export interface RecoveryMetrics {
  /** m/s over the window before the switch, right after it, and at the end of the episode */
  before: number;
  after: number;
  end: number;
  /** after / before and end / before (NaN when before ≤ 0) */
  afterRatio: number;
  endRatio: number;
  /** s from the switch until the 1-s average is back to ≥ 80% of `before` (header); ∞ never, NaN before ≤ 0 */
  timeTo80: number;
}

export interface RecoveryWindows {
  /** switch time, s */
  switchAt: number;
  /** window of before/after/end, s */
  window: number;
  /** moving-average window of the time to 80%, s */
  average: number;
  /** share of `before` to recover to */
  threshold: number;
}

export const RECOVERY_DEFAULTS: Omit<RecoveryWindows, 'switchAt'> = { window: 5, average: 1, threshold: 0.8 };

/** The header's metrics of one x(t) sampled every `dt` s (x[0] at t = 0, x[i] at t = i·dt). */
export function recoveryMetrics(x: ArrayLike<number>, dt: number, o: RecoveryWindows): RecoveryMetrics {
  const last = x.length - 1;
  const at = (sec: number) => Math.max(0, Math.min(last, Math.round(sec / dt)));
  const s = at(o.switchAt), w = Math.round(o.window / dt), m = Math.max(1, Math.round(o.average / dt));
  const speed = (i: number, j: number) => (j > i ? (x[j] - x[i]) / ((j - i) * dt) : NaN);
  const before = speed(Math.max(0, s - w), s);
  const after = speed(s, Math.min(last, s + w));
  const end = speed(Math.max(0, last - w), last);
  const ratio = (v: number) => (before > 0 ? v / before : NaN);
  let timeTo80 = NaN;
  if (before > 0) {
    timeTo80 = Infinity;
    for (let j = s + m; j <= last; j++) {
      if ((x[j] - x[j - m]) / (m * dt) >= o.threshold * before) {
        timeTo80 = (j - s) * dt;
        break;
      }
    }
  }
  return { before, after, end, afterRatio: ratio(after), endRatio: ratio(end), timeTo80 };
}

/** Speed per bin of `bin` samples of x (m/s), for pictures: bins[k] = (x[(k+1)·bin] − x[k·bin]) / (bin·dt). */
export function binnedSpeed(x: ArrayLike<number>, dt: number, bin: number): number[] {
  const out: number[] = [];
  for (let k = 0; (k + 1) * bin < x.length; k++) out.push(Math.round(((x[(k + 1) * bin] - x[k * bin]) / (bin * dt)) * 1e4) / 1e4);
  return out;
}

// ---- switched episodes -------------------------------------------------------------------

export interface SwitchedOptions {
  conditions: string[];
  episodes: number;
  /** episode length, s */
  seconds: number;
  /** flat ground before, s */
  switchAt: number;
  seed: number;
}

/** Stream id of the switched episodes' seeds (apart from the whole-episode evaluation's). */
const SWITCHED_STREAM = 0x535743; // "SWC"
const LONG_STREAM = 0x4c4f4e; // "LON"

/**
 * Episode e of switched condition c: seed deriveSeed(seed, SWITCHED_STREAM, e), the same for every
 * condition and policy (so a policy's flat part before the switch is the same for every
 * condition), traced every control step.
 */
export function switchedEpisodes(o: SwitchedOptions): EpisodeSpec[] {
  const dt = controlDtOf();
  const maxSteps = Math.round(o.seconds / dt), atStep = Math.round(o.switchAt / dt);
  return o.conditions.flatMap((condition) =>
    Array.from({ length: o.episodes }, (_, e) => ({ seed: deriveSeed(o.seed, SWITCHED_STREAM, e), maxSteps, condition: 'flat', switches: [{ atStep, condition }], traceEvery: 1 })),
  );
}

export interface SwitchedResult extends RecoveryMetrics {
  condition: string;
  episodes: number;
  /** episodes that ended early (fell, flipped, …), and of those the ones that ended before the switch */
  falls: number;
  fallsBeforeSwitch: number;
  /** mean speed over 0.25-s bins of the whole episode (m/s; bin k covers [k/4, (k+1)/4) s), for pictures */
  speed: number[];
}

/** Bin of the pictures' speed traces, s. */
export const TRACE_BIN_SECONDS = 0.25;

/** Aggregate the results of `switchedEpisodes(o)` (in that order: condition-major). */
export function switchedResults(results: readonly TaskResult[], o: SwitchedOptions, windows = RECOVERY_DEFAULTS): SwitchedResult[] {
  const dt = controlDtOf();
  const samples = Math.round(o.seconds / dt) + 1, atStep = Math.round(o.switchAt / dt);
  return o.conditions.map((condition, c) => {
    const rs = results.slice(c * o.episodes, (c + 1) * o.episodes);
    const traces = rs.map((r) => r.traces![0]);
    const x = meanTrace(traces, samples);
    const ended = traces.filter((t) => t.endReason !== 'time');
    return {
      condition,
      episodes: rs.length,
      ...recoveryMetrics(x, dt, { ...windows, switchAt: o.switchAt }),
      falls: ended.length,
      fallsBeforeSwitch: ended.filter((t) => t.steps <= atStep).length,
      speed: binnedSpeed(x, dt, Math.round(TRACE_BIN_SECONDS / dt)),
    };
  });
}

// ---- long flat episodes ------------------------------------------------------------------

export interface LongOptions {
  episodes: number;
  /** episode length, s (60) */
  seconds: number;
  /** the early window compared with the whole episode, s (10) */
  early: number;
  seed: number;
}

/** Episode e: flat, seed deriveSeed(seed, LONG_STREAM, e), x traced every second. */
export function longEpisodes(o: LongOptions): EpisodeSpec[] {
  const dt = controlDtOf();
  return Array.from({ length: o.episodes }, (_, e) => ({ seed: deriveSeed(o.seed, LONG_STREAM, e), maxSteps: Math.round(o.seconds / dt), condition: 'flat', switches: [], traceEvery: Math.max(1, Math.round(1 / dt)) }));
}

export interface LongResult {
  episodes: number;
  seconds: number;
  early: number;
  /** mean speed over the whole episode, over the first `early` s and over the last `early` s (m/s) */
  speed: number;
  earlySpeed: number;
  lateSpeed: number;
  /** speed / earlySpeed: does the gait hold over time (NaN when earlySpeed ≤ 0) */
  retention: number;
  falls: number;
}

export function longResult(results: readonly TaskResult[], o: LongOptions): LongResult {
  const dt = controlDtOf() * Math.max(1, Math.round(1 / controlDtOf()));
  const samples = Math.round(o.seconds / dt) + 1;
  const x = meanTrace(results.map((r) => r.traces![0]), samples);
  const k = Math.round(o.early / dt), last = samples - 1;
  const speed = x[last] / (last * dt), earlySpeed = x[k] / (k * dt), lateSpeed = (x[last] - x[last - k]) / (k * dt);
  return { episodes: results.length, seconds: o.seconds, early: o.early, speed, earlySpeed, lateSpeed, retention: earlySpeed > 0 ? speed / earlySpeed : NaN, falls: results.reduce((s, r) => s + r.falls, 0) };
}

// ---- the `adapt` command's trace ---------------------------------------------------------

export interface AdaptationTrace {
  policy: string;
  controller: string;
  /** seconds, one per control step */
  time: number[];
  /** mean forward speed over seeds, m/s (a fallen robot counts as 0 from then on) */
  speed: number[];
  /** mean speed in windows: the `window` s before the switch, right after it, and at the end */
  before: number;
  after: number;
  end: number;
  falls: number;
}

export interface AdaptationOptions {
  condition: string;
  switchAt: number;
  seconds: number;
  seeds: number;
  seed: number;
  /** averaging window for before/after/end, seconds */
  window: number;
}

/** One policy's per-step speed trace around a switch, its `seeds` episodes run on `backend`. */
export async function adaptationTrace(name: string, policy: LoadedPolicy, o: AdaptationOptions, backend: EvaluationBackend): Promise<AdaptationTrace> {
  const dt = controlDtOf();
  const n = Math.round(o.seconds / dt), nSwitch = Math.round(o.switchAt / dt);
  const specs: EpisodeSpec[] = Array.from({ length: o.seeds }, (_, s) => ({ seed: deriveSeed(o.seed, s), maxSteps: n, condition: 'flat', switches: [{ atStep: nSwitch, condition: o.condition }], traceEvery: 1 }));
  const results = await runEpisodes(backend, name, policy, specs, `adapt-${o.seed}`, (e) => `${name}: ${o.condition} at ${o.switchAt} s, episode ${e + 1} of ${o.seeds}`);
  const x = meanTrace(results.map((r) => r.traces![0]), n + 1);
  const speed = Array.from({ length: n }, (_, i) => (x[i + 1] - x[i]) / dt);
  const m = recoveryMetrics(x, dt, { switchAt: o.switchAt, window: o.window, average: 1, threshold: 0.8 });
  return { policy: name, controller: policy.controller.kind, time: speed.map((_, i) => (i + 1) * dt), speed, before: m.before, after: m.after, end: m.end, falls: results.reduce((s, r) => s + r.falls, 0) };
}

/** Moving average over `k` samples (for plotting). */
export function smooth(xs: number[], k: number): number[] {
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < xs.length; i++) {
    acc += xs[i];
    if (i >= k) acc -= xs[i - k];
    out.push(acc / Math.min(i + 1, k));
  }
  return out;
}
