/**
 * The study's evaluation of one trained policy, on the same seeded episodes for every policy,
 * all in one batch on the EvaluationBackend (the local pool or Redis workers, in parallel):
 *
 *   (a) whole episodes of every condition of the evaluation suite (the unseen suite, 10 s):
 *       speed, falls, retention vs flat (experiments/evaluation.ts);
 *   (b) switched episodes: flat for `switchAt` s, then each of `switchConditions` (default: every
 *       unseen condition but flat) until `switchSeconds`: speed before/after/at the end, recovery
 *       ratios, time to 80%, falls (experiments/adaptation.ts);
 *   (c) long flat episodes (60 s): speed over the whole episode vs over its first 10 s.
 *
 * The result is cached as `evaluation.json` in the run's directories, keyed by the evaluation
 * options (and the physics build) and the policy's run id, so a killed evaluation resumes at the
 * next policy and a finished one is never repeated.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { PHYSICS_BUILD } from '../sim/rapier.js';
import { SUITES, type Suite } from '../training/suites.js';
import type { LoadedPolicy } from '../training/policy.js';
import type { EvaluationBackend } from '../training/task.js';
import { conditionRows, runEpisodes, suiteConditions, wholeEpisodes, type ConditionResult } from './evaluation.js';
import { longEpisodes, longResult, RECOVERY_DEFAULTS, switchedEpisodes, switchedResults, type LongResult, type SwitchedResult } from './adaptation.js';

export interface StudyEvalOptions {
  /** (a) */
  suite: Suite;
  episodes: number;
  seconds: number;
  /** (b); no conditions: skipped */
  switchConditions: string[];
  switchEpisodes: number;
  switchSeconds: number;
  switchAt: number;
  /** window of before/after/end, s */
  window: number;
  /** (c); 0 episodes: skipped */
  longEpisodes: number;
  longSeconds: number;
  longEarly: number;
  seed: number;
}

/**
 * Every unseen condition but flat, switched on mid-episode. Sensor noise is kept: switched on
 * mid-episode it is a sudden sensor fault, a perturbation a plastic controller might adapt to.
 */
export const DEFAULT_SWITCH_CONDITIONS = SUITES.unseen.conditions.filter((c) => c !== 'flat');

export const STUDY_EVAL_DEFAULTS: StudyEvalOptions = {
  suite: SUITES.unseen,
  episodes: 10,
  seconds: 10,
  switchConditions: DEFAULT_SWITCH_CONDITIONS,
  switchEpisodes: 10,
  switchSeconds: 20,
  switchAt: 5,
  window: 5,
  longEpisodes: 10,
  longSeconds: 60,
  longEarly: 10,
  seed: 12345,
};

/** What an evaluation depends on besides the policy (cache key; also the report's description). */
export function evaluationKey(o: StudyEvalOptions) {
  return {
    suite: o.suite.name,
    conditions: suiteConditions(o.suite),
    episodes: o.episodes,
    seconds: o.seconds,
    switched: { conditions: o.switchConditions, episodes: o.switchEpisodes, seconds: o.switchSeconds, switchAt: o.switchAt, window: o.window, average: RECOVERY_DEFAULTS.average, threshold: RECOVERY_DEFAULTS.threshold },
    long: { episodes: o.longEpisodes, seconds: o.longSeconds, early: o.longEarly },
    seed: o.seed,
    physicsBuild: PHYSICS_BUILD,
  };
}

export const STUDY_EVAL_FORMAT = 'spikeloco-study-eval-1';

export interface StudyPolicyEvaluation {
  format: typeof STUDY_EVAL_FORMAT;
  key: ReturnType<typeof evaluationKey>;
  /** "arm / regime" */
  label: string;
  arm: string;
  regime: string;
  seed: number;
  /** the training run evaluated (its best.json) */
  runId: string;
  controller: string;
  whole: ConditionResult[];
  switched: SwitchedResult[];
  long: LongResult | null;
  /** env steps this evaluation took */
  envSteps: number;
}

/** Env steps of one evaluation at most (episodes that end early take fewer). */
export function evaluationSteps(o: StudyEvalOptions, controlDt: number): number {
  const steps = (s: number) => Math.round(s / controlDt);
  return suiteConditions(o.suite).length * o.episodes * steps(o.seconds) + o.switchConditions.length * o.switchEpisodes * steps(o.switchSeconds) + o.longEpisodes * steps(o.longSeconds);
}

/** JSON with NaN and ±∞ kept (as strings): a time to 80% of ∞ (never) is not a NaN (undefined). */
export const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
export const jsonReviver = (_k: string, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

function readCached(path: string, key: ReturnType<typeof evaluationKey>, runId: string): StudyPolicyEvaluation | null {
  if (!existsSync(path)) return null;
  let e: StudyPolicyEvaluation;
  try {
    e = JSON.parse(readFileSync(path, 'utf8'), jsonReviver) as StudyPolicyEvaluation;
  } catch {
    return null; // unreadable: evaluated again
  }
  if (e.format !== STUDY_EVAL_FORMAT || e.runId !== runId || JSON.stringify(e.key) !== JSON.stringify(key)) return null;
  return e;
}

export interface EvaluateForStudy {
  label: string;
  run: { arm: string; regime: string; seed: number; runId: string };
  policy: LoadedPolicy;
  /** where the evaluation is cached (read from the first that has it, written to all) */
  dirs: string[];
  /** undefined: only read a cached evaluation */
  backend: EvaluationBackend | undefined;
  options: StudyEvalOptions;
  log?: (line: string) => void;
}

/** The cached evaluation of this policy, or a new one (written to every dir); null when not cached and no backend is given. */
export async function evaluateForStudy(a: EvaluateForStudy): Promise<StudyPolicyEvaluation | null> {
  const o = a.options;
  const key = evaluationKey(o);
  const file = 'evaluation.json';
  const write = (e: StudyPolicyEvaluation) => {
    const text = JSON.stringify(e, jsonReplacer, 1) + '\n';
    for (const d of a.dirs) {
      mkdirSync(d, { recursive: true });
      writeFileAtomic(join(d, file), text);
    }
  };
  for (const d of a.dirs) {
    const cached = readCached(join(d, file), key, a.run.runId);
    if (cached) {
      if (a.dirs.some((x) => !readCached(join(x, file), key, a.run.runId))) write(cached);
      a.log?.(`evaluated before, reusing ${join(d, file)}`);
      return cached;
    }
  }
  if (!a.backend) return null;
  const conditions = key.conditions;
  const whole = wholeEpisodes(conditions, o.episodes, o.seconds, o.seed);
  const sw = { conditions: o.switchConditions, episodes: o.switchEpisodes, seconds: o.switchSeconds, switchAt: o.switchAt, seed: o.seed };
  const switched = o.switchConditions.length ? switchedEpisodes(sw) : [];
  const lo = { episodes: o.longEpisodes, seconds: o.longSeconds, early: o.longEarly, seed: o.seed };
  const long = o.longEpisodes > 0 ? longEpisodes(lo) : [];
  const specs = [...whole, ...switched, ...long];
  const part = (i: number) => (i < whole.length ? `on ${specs[i].condition}` : i < whole.length + switched.length ? `${specs[i].switches[0].condition} switched on at ${o.switchAt} s` : `${o.longSeconds} s on flat`);
  const t0 = performance.now();
  const res = await runEpisodes(a.backend, a.label, a.policy, specs, `study-eval-${o.seed}`, (i) => `evaluating ${a.label} #${a.run.seed} ${part(i)} (task ${i + 1} of ${specs.length})`);
  const e: StudyPolicyEvaluation = {
    format: STUDY_EVAL_FORMAT,
    key,
    label: a.label,
    arm: a.run.arm,
    regime: a.run.regime,
    seed: a.run.seed,
    runId: a.run.runId,
    controller: a.policy.controller.kind,
    whole: conditionRows(conditions, res.slice(0, whole.length), o.episodes),
    switched: switched.length ? switchedResults(res.slice(whole.length, whole.length + switched.length), sw, { ...RECOVERY_DEFAULTS, window: o.window }) : [],
    long: long.length ? longResult(res.slice(whole.length + switched.length), lo) : null,
    envSteps: res.reduce((s, r) => s + r.steps, 0),
  };
  write(e);
  a.log?.(`evaluated: ${specs.length} episodes, ${e.envSteps} env steps in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  return e;
}
