/**
 * Evaluate trained policies on a suite of conditions: N seeded episodes per (policy, condition)
 * on the worker pool; mean ± 95% CI of distance and forward speed, fall rate, and retention =
 * mean distance on the condition / mean distance on flat (the same policy, same seeds).
 *
 * Episode e of condition c uses seed deriveSeed(evalSeed, c, e, 0): the same seeds for every
 * policy, so policies are compared on identical episodes. Each episode is one worker task
 * (training/task.ts) run on an `EvaluationBackend` (the local pool unless one is given).
 *
 * Retention R = d̄_c / d̄_flat has a 95% interval from the delta method for a ratio of two
 * independent means (different seeds per condition):
 *   se(R) = |R| · √( s_c² / (n_c d̄_c²) + s_f² / (n_f d̄_f²) ),   R ± t95(n) · se(R)
 * A retention whose interval includes 1 is no evidence of a change from flat.
 */
import type { MorphologySpec } from '../morphologies/spec.js';
import { controlDtOf } from '../sim/env.js';
import { parseCondition } from '../sim/conditions.js';
import { RolloutPool } from '../training/pool.js';
import { policySpec } from '../training/task-runner.js';
import { deriveSeed } from '../core/rng.js';
import { TASK_FORMAT_VERSION, type EpisodeSpec, type EvaluationBackend, type TaskResult, type WorkerTask } from '../training/task.js';
import type { LoadedPolicy } from '../training/policy.js';
import type { Suite } from '../training/suites.js';

export interface ConditionResult {
  condition: string;
  episodes: number;
  distance: { mean: number; ci95: number; sd: number };
  speed: { mean: number; ci95: number };
  fallRate: number;
  /** mean simulated seconds per episode (less than the report's `seconds` when episodes ended early: falls) */
  meanSeconds: number;
  /** mean distance here / mean distance on flat */
  retention: number;
  /** half-width of the 95% interval of the retention (delta method; 0 on flat, NaN with one episode) */
  retentionCi95: number;
}

export interface PolicyEvaluation {
  policy: string;
  controller: string;
  conditions: ConditionResult[];
}

export interface EvaluationReport {
  suite: string;
  episodes: number;
  seconds: number;
  seed: number;
  policies: PolicyEvaluation[];
}

/** Two-sided 95% Student-t quantile for n − 1 degrees of freedom (n ≥ 2). */
export function t95(n: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  const df = n - 1;
  if (df < 1) return NaN;
  return df <= table.length ? table[df - 1] : df <= 30 ? 2.05 : df <= 60 ? 2.01 : 1.98;
}

export function meanCi(xs: number[]): { mean: number; ci95: number; sd: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, ci95: n > 1 ? (t95(n) * sd) / Math.sqrt(n) : NaN };
}

export interface EvaluateOptions {
  suite: Suite;
  episodes: number;
  seconds: number;
  workers: number;
  seed: number;
  morphology?: MorphologySpec;
  /** where the episodes run (default: a local pool of `workers` threads, closed at the end; a given backend is left open) */
  backend?: EvaluationBackend;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluatePolicies(policies: { name: string; policy: LoadedPolicy }[], o: EvaluateOptions): Promise<EvaluationReport> {
  const conditions = suiteConditions(o.suite);
  const out: EvaluationReport = { suite: o.suite.name, episodes: o.episodes, seconds: o.seconds, seed: o.seed, policies: [] };
  let done = 0;
  const backend = o.backend ?? (await RolloutPool.create(o.workers));
  try {
    for (const { name, policy } of policies) {
      const specs = wholeEpisodes(conditions, o.episodes, o.seconds, o.seed);
      // one batch per policy: every condition's episodes in parallel on the backend
      const res = await runEpisodes(backend, name, policy, specs, `eval-${o.seed}`, (i) => `evaluating ${name} on ${specs[i].condition} (episode ${(i % o.episodes) + 1} of ${o.episodes})`, o.morphology);
      out.policies.push({ policy: name, controller: policy.controller.kind, conditions: conditionRows(conditions, res, o.episodes) });
      o.onProgress?.(++done * conditions.length, policies.length * conditions.length);
    }
  } finally {
    if (!o.backend) await backend.close();
  }
  return out;
}

/** A suite's conditions with flat first if it lacks flat (retention is relative to flat); each is checked. */
export function suiteConditions(suite: Suite): string[] {
  const conditions = suite.conditions.includes('flat') ? suite.conditions : ['flat', ...suite.conditions];
  conditions.forEach((c) => parseCondition(c));
  return conditions;
}

/**
 * Whole episodes of each condition, condition-major: episode e of condition c has seed
 * deriveSeed(evalSeed, c, e, 0), the same for every policy.
 */
export function wholeEpisodes(conditions: string[], episodes: number, seconds: number, seed: number): EpisodeSpec[] {
  const maxSteps = Math.round(seconds / controlDtOf());
  return conditions.flatMap((condition, c) => Array.from({ length: episodes }, (_, e) => ({ seed: deriveSeed(seed, c, e, 0), maxSteps, condition, switches: [] })));
}

/** Per condition of `wholeEpisodes(conditions, episodes, …)`'s results (same order): speed, distance, falls, retention vs flat. */
export function conditionRows(conditions: string[], res: readonly TaskResult[], episodes: number): ConditionResult[] {
  const controlDt = controlDtOf();
  const rows = conditions.map((condition, c): ConditionResult => {
    const rs = res.slice(c * episodes, (c + 1) * episodes);
    const dist = meanCi(rs.map((r) => r.meanDistance));
    const speed = meanCi(rs.map((r) => r.meanForwardVelocity));
    return {
      condition: parseCondition(condition).label,
      episodes,
      distance: dist,
      speed: { mean: speed.mean, ci95: speed.ci95 },
      fallRate: rs.reduce((s, r) => s + r.falls, 0) / rs.length,
      meanSeconds: (rs.reduce((s, r) => s + r.steps, 0) / rs.length) * controlDt,
      retention: NaN,
      retentionCi95: NaN,
    };
  });
  const flatRow = rows[conditions.indexOf('flat')];
  for (const r of rows) {
    const { retention, ci95 } = retentionInterval(r.distance, flatRow.distance, episodes);
    r.retention = retention;
    r.retentionCi95 = r === flatRow ? 0 : ci95;
  }
  return rows;
}

/**
 * Run one task per episode of one policy on `backend`, all in one batch (parallel on the pool or
 * on Redis workers); results in episode order.
 */
export function runEpisodes(backend: EvaluationBackend, name: string, policy: LoadedPolicy, episodes: EpisodeSpec[], runId: string, label: (i: number) => string, morphology?: MorphologySpec): Promise<TaskResult[]> {
  const spec = policySpec({ morphology: morphology ?? policy.morphology, controller: policy.controller, reward: policy.reward });
  const tasks: WorkerTask[] = episodes.map((ep, i) => ({
    version: TASK_FORMAT_VERSION,
    runId: runId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128),
    label: label(i),
    index: i,
    policyKey: spec.key,
    genome: policy.genome,
    normalizer: policy.normalizer,
    collectStats: false,
    episodes: [ep],
  }));
  return backend.run(spec, tasks);
}

/** Retention and the half-width of its 95% interval (see the header), n episodes each. */
export function retentionInterval(c: { mean: number; sd: number }, flat: { mean: number; sd: number }, n: number): { retention: number; ci95: number } {
  if (flat.mean === 0) return { retention: NaN, ci95: NaN };
  const retention = c.mean / flat.mean;
  if (n < 2) return { retention, ci95: NaN };
  const relC = c.mean !== 0 ? (c.sd * c.sd) / (n * c.mean * c.mean) : Infinity;
  const relF = (flat.sd * flat.sd) / (n * flat.mean * flat.mean);
  // c.mean = 0: se from the condition's own spread, sd_c / (√n |d̄_f|)
  const se = c.mean !== 0 ? Math.abs(retention) * Math.sqrt(relC + relF) : c.sd / (Math.sqrt(n) * Math.abs(flat.mean));
  return { retention, ci95: t95(n) * se };
}

/** True when the retention's 95% interval includes 1 (no evidence of a change from flat). */
export function includesNoChange(c: ConditionResult): boolean {
  return Number.isFinite(c.retention) && Number.isFinite(c.retentionCi95) && c.retentionCi95 > 0 && Math.abs(c.retention - 1) <= c.retentionCi95;
}

/** Marks a retention whose 95% interval includes 1 in formatEvaluation's table. */
export const NO_CHANGE_MARK = '≈';

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** A fixed-width text table: one block per policy, one row per condition. */
export function formatEvaluation(r: EvaluationReport): string {
  const lines: string[] = [`suite ${r.suite}: ${r.episodes} episodes × ${r.seconds} s per condition (mean ± 95% CI)`];
  const w = Math.max(9, ...r.policies.flatMap((p) => p.conditions.map((c) => c.condition.length))) + 2;
  for (const p of r.policies) {
    lines.push('', `${p.policy} (${p.controller})`);
    lines.push(`${'condition'.padEnd(w)}${'distance m'.padStart(16)}${'speed m/s'.padStart(16)}${'falls'.padStart(8)}${'retention'.padStart(16)}`);
    for (const c of p.conditions) {
      const ret = Number.isFinite(c.retentionCi95) && c.retentionCi95 > 0 ? `${fmt(c.retention)} ± ${fmt(c.retentionCi95)}` : fmt(c.retention);
      const mark = includesNoChange(c) ? NO_CHANGE_MARK : ' ';
      lines.push(
        `${c.condition.padEnd(w)}${`${fmt(c.distance.mean)} ± ${fmt(c.distance.ci95)}`.padStart(16)}${`${fmt(c.speed.mean, 3)} ± ${fmt(c.speed.ci95, 3)}`.padStart(16)}${`${Math.round(c.fallRate * 100)}%`.padStart(8)}${ret.padStart(14)} ${mark}`,
      );
    }
  }
  lines.push('', `falls = episodes that ended before ${r.seconds} s (fell, flipped, …; speed = distance / ${r.seconds} s)`);
  lines.push(`retention = distance / flat distance; ${NO_CHANGE_MARK}: its 95% interval includes 1, no evidence of a change from flat (neither a loss nor a gain)`);
  return lines.join('\n');
}

export function evaluationCsv(r: EvaluationReport): string {
  const rows = ['policy,controller,condition,episodes,distance_mean,distance_ci95,distance_sd,speed_mean,speed_ci95,fall_rate,retention,retention_ci95,retention_includes_1'];
  for (const p of r.policies) {
    for (const c of p.conditions) {
      rows.push([p.policy, p.controller, `"${c.condition}"`, c.episodes, c.distance.mean, c.distance.ci95, c.distance.sd, c.speed.mean, c.speed.ci95, c.fallRate, c.retention, c.retentionCi95, includesNoChange(c) ? 1 : 0].join(','));
    }
  }
  return rows.join('\n') + '\n';
}
