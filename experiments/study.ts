/**
 * The study of issue #14, "plasticity that holds and adapts", runnable at any size
 * (`spikeloco study --help`).
 *
 * The matrix is data: a list of runs {arm, regime} (`DEFAULT_MATRIX`: every arm on the
 * `switched` regime, plus the plastic and static SNNs on `flat`), each trained for `seeds` seeds
 * with the same budget of ES generations (the same evaluations; deterministic). An arm is a
 * config file (configs/), a regime a set of overrides merged over it (conditions, episode
 * schedules). Every trained policy (best.json) is then evaluated on the same seeded episodes
 * (experiments/study-evaluation.ts): the unseen suite as whole episodes, each unseen condition
 * switched on mid-episode, and long flat episodes; all on the EvaluationBackend in parallel.
 *
 * Resumable and committed as it goes: each finished run leaves `study-run.json` (+ best.json) in
 * `out/<run>/`, its evaluation `evaluation.json` beside it, and copies its small files
 * (study-run.json, best.json, log.csv, learning-curve.svg, evaluation.json) to
 * `results/<run>/`. A later study (on another machine) skips training and evaluation for every
 * run found in either place, after checking it was trained with the same config (hash) and
 * generation budget, and evaluated with the same options. A partial report is written after
 * every run.
 *
 * Aggregation (experiments/study-report.ts): per seed, the mean over episodes; across seeds
 * mean ± sd; ratios of an arm are ratios of across-seed means; comparisons with the static SNN
 * are Welch 95% intervals over seeds (experiments/statistics.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrainConfig, type TrainConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { loadPolicy } from '../training/policy.js';
import { configHash } from '../training/rundir.js';
import { SUITES } from '../training/suites.js';
import { removeStaleTempFiles, writeFileAtomic } from '../core/atomic.js';
import { UserError } from '../core/errors.js';
import { RolloutPool } from '../training/pool.js';
import type { EvaluationBackend } from '../training/task.js';
import type { GenomeLayout } from '../controllers/genome.js';
import { loadRule, startFromRule } from '../training/bptt/rule.js';
import { evaluateForStudy, evaluationKey, type StudyEvalOptions, type StudyPolicyEvaluation } from './study-evaluation.js';
import { runLabel, writeStudy } from './study-report.js';

export { studyMarkdown, writeStudy, summariseStudy, studyPictures, runLabel } from './study-report.js';
export { welchDiff } from './statistics.js';

export interface StudyArm {
  name: string;
  /** a file under configs/, or the config itself (tests) */
  config: string | Record<string, unknown>;
  /** merged over the config's controller section (objects merged key by key, arrays replaced; a key set to undefined is dropped, so the controller's default applies) */
  controller?: Record<string, unknown>;
  /** start the plasticity parameters from this learned rule (rules/NAME/rule.json; ES evolves everything from there) */
  ruleFrom?: string;
}

export const STUDY_ARMS: StudyArm[] = [
  // the study's plastic arm: the config file, the covariance rule, which does not lock in over 60 s (controllers/plasticity.ts)
  { name: 'plastic-cov', config: 'ant-plastic.json' },
  // the same network with the Hebbian rule (the file's rule until round c): the reference for what the lock-in costs
  { name: 'plastic', config: 'ant-plastic.json', controller: { plasticity: { rule: 'hebbian-retro', tauTheta: undefined } } },
  { name: 'static SNN', config: 'ant-static.json' },
  { name: 'MLP', config: 'ant-mlp.json' },
  { name: 'najarro', config: 'ant-najarro.json' },
  // the Najarro arm with synaptic scaling (each neuron's effective weights kept at its random weights' norm): the first form of the arm that stays up (pilot, docs/results/pilots/najarro-normalize-post)
  { name: 'najarro-scaled', config: 'ant-najarro.json', controller: { plasticity: { normalize: 'post' } } },
  // the covariance arm with synaptic scaling (round h): round g's covariance gaits walk fast for 10 s, then turn or hop out of the band within the minute
  { name: 'plastic-cov-scaled', config: 'ant-plastic.json', controller: { plasticity: { normalize: 'post' } } },
  // optional arms (not in the default matrix): --runs 'bcm-neuromod/switched'
  { name: 'bcm-neuromod', config: 'ant-plastic.json', controller: { plasticity: { rule: 'bcm-neuromod', connections: ['output'], tauTheta: undefined } } },
];

/** A training regime: top-level config fields replacing the arm file's (fields it does not set stay the file's). */
export interface StudyRegime {
  name: string;
  description: string;
  overrides: Record<string, unknown>;
  /** merged key by key over the arm file's reward section (the keys it does not set stay the file's) */
  reward?: Record<string, unknown>;
}

const SWITCHED = { conditions: ['flat'], switches: { probability: 0.5, conditions: SUITES.switches.conditions, atSeconds: [3, 8], fromGeneration: 150 }, episodeSecondsMax: 40 };

export const STUDY_REGIMES: Record<string, StudyRegime> = {
  flat: { name: 'flat', description: 'flat ground, no switches; episodes of 10–40 s', overrides: { conditions: ['flat'], switches: { probability: 0, conditions: [] }, episodeSecondsMax: 40 } },
  switched: {
    name: 'switched',
    description: 'flat ground; from generation 150 on (a curriculum: a gait first), half the episodes switch on a training-side condition (the "switches" suite) at 3–8 s; episodes of 10–40 s (long episodes select against drift over a long horizon)',
    overrides: SWITCHED,
  },
  // round d: the same schedule, falls made cheaper than speed. With centred-rank fitness and one
  // episode length per generation, only the ratio of the healthy to the forward reward matters: a
  // member walking at v that falls after a fraction p of the episode out-ranks one standing still
  // in the band iff p·(v + h) > h. At h = 1 a 0.5 m/s gait must survive 67 % of the episode, at
  // h = 0.25 only 33 % (round c: 2 of 5 covariance seeds settled on standing).
  'switched-h0.25': {
    name: 'switched-h0.25',
    description: 'as switched, with the healthy reward cut from 1 to 0.25 per step: a gait that risks a fall out-ranks standing still sooner',
    overrides: SWITCHED,
    reward: { healthyReward: 0.25 },
  },
  // round e: round d's cheap standing, but an early ending now costs what 5 s of walking at
  // 1 m/s earns (100 = 100 control steps × 1 m/s). In round d every early ending over 60 s was a
  // rise: a bang-bang gait's occasional hop above the band, which at h = 0.25 cost too little to
  // select against. With P = 100 a 1 m/s gait that falls half-way through a 25-s episode still
  // out-ranks standing (312 − 100 > 125), one that falls after 80 % ranks below a 0.8 m/s gait
  // that does not (580 − 100 < 525).
  'switched-fall': {
    name: 'switched-fall',
    description: 'as switched-h0.25, and an episode that ends early (fell, flipped, rose out of the training band) costs 100 more: speed pays, falls and hops do not',
    overrides: SWITCHED,
    reward: { healthyReward: 0.25, fallPenalty: 100 },
  },
  // round e, second try: the penalty from generation 150 on, with the switches. From generation 0
  // it made standing the optimum again (covariance seed 1 never walked: a random network falls,
  // and at h = 0.25 a fall now costs more than standing still earns); first a gait, then one that
  // does not fall.
  'switched-fall-late': {
    name: 'switched-fall-late',
    description: 'as switched-fall, the fall penalty only from generation 150 on (with the switches): a gait first, then one that does not fall',
    overrides: SWITCHED,
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150 },
  },
  // round e' without the switches: the flat-ground counterpart the issue asks for ("plastic and
  // static trained on flat"), with round e' reward (h = 0.25, the fall penalty from generation 150)
  'flat-fall-late': {
    name: 'flat-fall-late',
    description: 'as switched-fall-late without the switches: flat ground only, episodes of 10–40 s, healthy reward 0.25, an early ending costs 100 from generation 150 on',
    overrides: { conditions: ['flat'], switches: { probability: 0, conditions: [] }, episodeSecondsMax: 40 },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150 },
  },
  // round g: round e' with the search's initial σ doubled. Search pilots (static SNN,
  // flat-fall-late, seed 0, 400 generations; docs/results/pilots/search-*): against 0.53 m/s
  // (10 flat 10-s episodes) with the study's search, σ 0.1 walked 0.83 (centre 0.91 m/s within
  // the 5.7 M env steps the baseline used), 96 members 0.91 at 2.5× the env steps (centre 0.71
  // within 5.7 M), ClipUp max speed 0.3 0.81 on seed 0 but 0.34 on seed 1 (baseline 0.46), 0.6
  // diverged. σ is the change with the best speed per env step.
  'switched-fall-late-s10': {
    name: 'switched-fall-late-s10',
    description: 'as switched-fall-late, with the PGPE search starting from σ = 0.1 per parameter instead of 0.05 (48 members, ClipUp max speed 0.15): a wider first search',
    overrides: { ...SWITCHED, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150 },
  },
  // round i: round g's search and reward over episodes of 20–60 s instead of 10–40 s. Round g
  // seed 0 walked 1.02 m/s straight for 10 s and then turned (41°, 61°, 108° in the next
  // windows; frozen at 10 s it held its heading for the minute), and both arms lost a third to
  // half of their 10-s speed over 60 s: with episodes up to a minute, a gait that turns or drifts
  // after 20 s earns less in every generation, not only in a third of them.
  'switched-fall-late-s10-long': {
    name: 'switched-fall-late-s10-long',
    description: 'as switched-fall-late-s10, over episodes of 20–60 s (one length per generation): the minute the 60-s evaluation asks for is inside training',
    overrides: { ...SWITCHED, episodeSeconds: 20, episodeSecondsMax: 60, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150 },
  },
  // round j: round g's regime with a heading term. In round i both arms' gaits turned in circles
  // over the minute (heading 20° → 100°+), frozen plasticity or not, and members lived 8.5–32 s of
  // 20–60-s episodes: the distance a turn loses shows in the return only late, after most members
  // have ended. w (1 − cos ψ) with w = 1 prices a turn at once: 45° costs 0.29 per step, as much
  // as the forward reward a 1 m/s gait loses there (1 − cos 45°); 90° costs 1.
  'switched-fall-late-s10-heading': {
    name: 'switched-fall-late-s10-heading',
    description: 'as switched-fall-late-s10, and a torso turned by ψ from the x axis costs 1 · (1 − cos ψ) per step: a straight gait pays at once, not only over a long episode',
    overrides: { ...SWITCHED, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150, headingWeight: 1 },
  },
  // round j', after round j's seed 0 (w = 1: every 60-s episode of both arms ended early, members
  // lived 3–5 s): a quarter of the weight, the healthy reward's 0.25 scaled by cos ψ in effect
  'switched-fall-late-s10-heading0.25': {
    name: 'switched-fall-late-s10-heading0.25',
    description: 'as switched-fall-late-s10-heading with the heading cost 0.25 · (1 − cos ψ) per step: at most the healthy reward',
    overrides: { ...SWITCHED, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150, headingWeight: 0.25 },
  },
  // round l: round g's regime over 800 generations; its first 400 are round g's exactly (the
  // same seed and config train the same generations whatever the budget). Round l': the same,
  // but from generation 400, when the gait exists, episodes of 20–60 s (round i had them from
  // generation 0, and members did not live through them: 8.5–32 s).
  'switched-fall-late-s10-long400': {
    name: 'switched-fall-late-s10-long400',
    description: 'as switched-fall-late-s10, and from generation 400 on (a gait first) episodes of 20–60 s: the minute of the 60-s evaluation inside training once a gait walks',
    overrides: { ...SWITCHED, longEpisodes: { fromGeneration: 400, episodeSeconds: 20, episodeSecondsMax: 60 }, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150 },
  },
  // round l'': round l with a heading cost from generation 400. Round l's covariance seed 0 walked
  // 0.97 m/s at 9° for 10 s, then 0.75–0.85 m/s (planar) about 30° off the x axis for the rest
  // of the minute, plasticity frozen at 10 s or not: a fixed heading error a heading cost prices
  // at once. From generation 0 it made ending early cheap (rounds j, j'); at 400 the fall penalty
  // of 100 holds against 0.5 · (1 − cos 30°) = 0.07 per step.
  'switched-fall-late-s10-heading400': {
    name: 'switched-fall-late-s10-heading400',
    description: 'as switched-fall-late-s10, and from generation 400 on (a gait first) a torso turned by ψ from the x axis costs 0.5 · (1 − cos ψ) per step',
    overrides: { ...SWITCHED, optimizer: { kind: 'pgpe', popSize: 48, sigma: 0.1, maxSpeed: 0.15 } },
    reward: { healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150, headingWeight: 0.5, headingWeightFromGeneration: 400 },
  },
  // optional (the issue #7 study's second regime)
  randomised: { name: 'randomised', description: 'conditions cycled through the "train" suite, no switches', overrides: { conditions: SUITES.train.conditions, switches: { probability: 0, conditions: [] } } },
};

export interface StudyRunKey {
  arm: string;
  regime: string;
}

/**
 * The issue's "at least": every arm on the switched regime, plus plastic and static SNN on flat;
 * the plastic arm is the best stable one, the covariance rule (τ_θ 0.005: trace means over
 * ≈ 1.7 s). The Hebbian arm `plastic` stays available (--runs 'plastic/switched').
 */
export const DEFAULT_MATRIX: StudyRunKey[] = [
  { arm: 'plastic-cov', regime: 'switched' },
  { arm: 'static SNN', regime: 'switched' },
  { arm: 'MLP', regime: 'switched' },
  { arm: 'najarro', regime: 'switched' },
  { arm: 'plastic-cov', regime: 'flat' },
  { arm: 'static SNN', regime: 'flat' },
];

/** The directory name of one run: "static-SNN-switched-seed0". */
export const runName = (arm: string, regime: string, seed: number) => `${arm}-${regime}-seed${seed}`.replace(/[^A-Za-z0-9_.-]+/g, '-');

/** "plastic/switched, static SNN/flat" → runs; names checked against the known arms and regimes. */
export function parseRuns(text: string, arms: readonly StudyArm[], regimes: Record<string, StudyRegime>): StudyRunKey[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const k = s.lastIndexOf('/');
      if (k < 0) throw new UserError(`run "${s}": expected ARM/REGIME, e.g. "plastic/switched"`);
      const key = { arm: s.slice(0, k).trim(), regime: s.slice(k + 1).trim() };
      checkRunKey(key, arms, regimes);
      return key;
    });
}

export function checkRunKey(k: StudyRunKey, arms: readonly StudyArm[], regimes: Record<string, StudyRegime>): void {
  if (!arms.some((a) => a.name === k.arm)) throw new UserError(`unknown arm "${k.arm}"; known: ${arms.map((a) => a.name).join(', ')}`);
  if (!Object.hasOwn(regimes, k.regime)) throw new UserError(`unknown regime "${k.regime}"; known: ${Object.keys(regimes).join(', ')}`);
}

/** The matrix restricted to these arms and/or regimes (undefined: no restriction); an empty result is an error. */
export function selectRuns(matrix: readonly StudyRunKey[], filter: { arms?: string[]; regimes?: string[] }): StudyRunKey[] {
  const out = matrix.filter((k) => (!filter.arms || filter.arms.includes(k.arm)) && (!filter.regimes || filter.regimes.includes(k.regime)));
  if (!out.length) throw new UserError(`no run of the matrix (${matrix.map((k) => `${k.arm}/${k.regime}`).join(', ')}) is left after --arms/--regimes; list runs outside it with --runs 'ARM/REGIME,…'`);
  return out;
}

export interface StudyOptions {
  /** training directories (checkpoints: a killed run resumes) */
  out: string;
  /** where each finished run's small files are copied (and looked for before training); null: nowhere */
  results: string | null;
  /** where every run's and evaluation's tasks run (default: one local pool of `workers` threads for the whole study); the caller closes it */
  backend?: EvaluationBackend;
  workers: number;
  /** training budget per run, in ES generations (the same number of evaluations for every arm) */
  generations: number;
  /** optional wall-clock cap per run (default: none, whatever the config says: the budget is `generations`) */
  minutes?: number;
  seeds: number;
  arms: StudyArm[];
  regimes: Record<string, StudyRegime>;
  matrix: StudyRunKey[];
  evaluation: StudyEvalOptions;
  /** train nothing, evaluate nothing: report what is finished */
  reportOnly?: boolean;
  log?: (line: string) => void;
}

/** `study-run.json`: one finished training run. */
export interface StudyRun {
  format: typeof STUDY_RUN_FORMAT;
  arm: string;
  regime: string;
  seed: number;
  /** directory name (under out/ and results/) */
  name: string;
  /** generations reached, and the budget asked for */
  generations: number;
  budget: number;
  envSteps: number;
  trainMinutes: number;
  /** forward speed of the returned policy during training (its own training conditions) */
  trainVelocity: number;
  /** hash of the resolved training config (training/rundir.ts), checked before reuse */
  configHash: string;
  runId: string;
}

export const STUDY_RUN_FORMAT = 'spikeloco-study-run-2';

export interface StudyReport {
  options: {
    generations: number;
    minutes?: number;
    seeds: number;
    matrix: StudyRunKey[];
    regimes: Record<string, StudyRegime>;
    evaluation: ReturnType<typeof evaluationKey>;
  };
  runs: StudyRun[];
  evaluations: StudyPolicyEvaluation[];
  /** planned runs (matrix × seeds), trained and evaluated so far */
  progress: { planned: number; trained: number; evaluated: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** b over a: nested objects merged key by key, everything else (arrays included) replaced. */
export function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(out[k]) ? mergeDeep(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function armFile(arm: StudyArm): Record<string, unknown> {
  if (typeof arm.config !== 'string') return arm.config;
  const path = fileURLToPath(new URL(`../../configs/${arm.config}`, import.meta.url));
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`arm "${arm.name}": cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** The training config of one run: the arm's file, its controller overrides, the regime's overrides, the seed. */
export function runConfig(arm: StudyArm, regime: StudyRegime, seed: number): TrainConfig {
  const raw = armFile(arm);
  const controller = mergeDeep((raw.controller ?? {}) as Record<string, unknown>, arm.controller ?? {});
  const where = `${typeof arm.config === 'string' ? arm.config : 'config'} (${arm.name}, ${regime.name})`;
  const reward = regime.reward ? { reward: mergeDeep((raw.reward ?? {}) as Record<string, unknown>, regime.reward) } : {};
  return parseTrainConfig({ ...raw, ...regime.overrides, ...reward, seed, name: `${arm.name} ${regime.name} seed ${seed}`, controller }, where);
}

/** The small files of a finished run, copied to the results directory (the marker last: it says the others are there). */
export const RESULT_FILES = ['best.json', 'log.csv', 'learning-curve.svg', 'study-run.json'] as const;

function readRun(path: string): StudyRun | null {
  if (!existsSync(path)) return null;
  const run = JSON.parse(readFileSync(path, 'utf8')) as StudyRun;
  if (run.format !== STUDY_RUN_FORMAT) throw new UserError(`${path}: not a study run of this version (format ${JSON.stringify(run.format)}, expected ${STUDY_RUN_FORMAT}); move its directory away to retrain it`);
  return run;
}

/**
 * The runs finished in a results directory (every `<run>/study-run.json` of a known arm and
 * regime), as the matrix of a report over all of them: `order` first (those found), then the
 * others by regime, then arm (the order of `regimes` and `arms`); `seeds` is one more than the highest seed found.
 */
export function finishedRuns(results: string, arms: readonly StudyArm[], regimes: Record<string, StudyRegime>, order: readonly StudyRunKey[] = DEFAULT_MATRIX): { matrix: StudyRunKey[]; seeds: number } {
  const id = (k: StudyRunKey) => `${k.arm}/${k.regime}`;
  const found = new Map<string, StudyRunKey>();
  let seeds = 0;
  const dirs = existsSync(results) ? readdirSync(results, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  for (const d of dirs) {
    let run: StudyRun | null;
    try {
      run = readRun(join(results, d, 'study-run.json'));
    } catch {
      continue; // another version's run: not this study's
    }
    if (!run || !arms.some((a) => a.name === run.arm) || !Object.hasOwn(regimes, run.regime)) continue;
    const key = { arm: run.arm, regime: run.regime };
    if (!found.has(id(key))) found.set(id(key), key);
    seeds = Math.max(seeds, run.seed + 1);
  }
  const first = order.filter((k, i) => found.has(id(k)) && order.findIndex((o) => id(o) === id(k)) === i);
  const rank = (k: StudyRunKey) => Object.keys(regimes).indexOf(k.regime) * arms.length + arms.findIndex((a) => a.name === k.arm);
  const rest = [...found.values()].filter((k) => !order.some((o) => id(o) === id(k))).sort((a, b) => rank(a) - rank(b));
  return { matrix: [...first, ...rest], seeds };
}

/**
 * After a study of part of the matrix: the results directory's report written again over the
 * whole study, i.e. the default matrix (its arms and regimes known here), every run finished
 * there, and the part's own runs, at the most seeds any of them has; so a `--runs X --seeds 1`
 * does not shrink it. Returns the matrix reported, or null when the part was all of that.
 */
export async function reportAllFinished(o: StudyOptions): Promise<{ matrix: StudyRunKey[]; seeds: number } | null> {
  if (!o.results) return null;
  const id = (k: StudyRunKey) => `${k.arm}/${k.regime}`;
  const known = DEFAULT_MATRIX.filter((k) => o.arms.some((a) => a.name === k.arm) && Object.hasOwn(o.regimes, k.regime));
  const found = finishedRuns(o.results, o.arms, o.regimes, [...known, ...o.matrix]);
  const matrix = [...known, ...found.matrix, ...o.matrix].filter((k, i, all) => all.findIndex((x) => id(x) === id(k)) === i);
  const seeds = Math.max(o.seeds, found.seeds);
  if (matrix.length === o.matrix.length && seeds === o.seeds) return null;
  await runStudy({ ...o, backend: undefined, matrix, seeds, reportOnly: true, log: () => {} });
  return { matrix, seeds };
}

export async function runStudy(o: StudyOptions): Promise<StudyReport> {
  mkdirSync(o.out, { recursive: true });
  removeStaleTempFiles(o.out); // study files of a study killed while writing them
  if (o.results) mkdirSync(o.results, { recursive: true });
  for (const k of o.matrix) checkRunKey(k, o.arms, o.regimes);
  const backend = o.backend ?? (o.reportOnly ? undefined : await RolloutPool.create(o.workers));
  try {
    return await study(o, o.log ?? (() => {}), backend);
  } finally {
    if (!o.backend) await backend?.close();
  }
}

async function study(o: StudyOptions, log: (line: string) => void, backend: EvaluationBackend | undefined): Promise<StudyReport> {
  const report: StudyReport = {
    options: { generations: o.generations, minutes: o.minutes, seeds: o.seeds, matrix: o.matrix, regimes: Object.fromEntries(o.matrix.map((k) => [k.regime, o.regimes[k.regime]])), evaluation: evaluationKey(o.evaluation) },
    runs: [],
    evaluations: [],
    progress: { planned: o.matrix.length * o.seeds, trained: 0, evaluated: 0 },
  };
  let k = 0;
  for (const key of o.matrix) {
    const arm = o.arms.find((a) => a.name === key.arm)!;
    const regime = o.regimes[key.regime];
    for (let seed = 0; seed < o.seeds; seed++) {
      const tag = `[${++k}/${report.progress.planned}] ${runLabel(arm.name, regime.name)} seed ${seed}`;
      const name = runName(arm.name, regime.name, seed);
      const dir = join(o.out, name);
      const resDir = o.results ? join(o.results, name) : null;
      let config = runConfig(arm, regime, seed);
      let initialGenome: ((layout: GenomeLayout, genome: Float32Array) => Uint8Array | void) | undefined;
      if (arm.ruleFrom) {
        const start = startFromRule(loadRule(arm.ruleFrom), config, { source: arm.ruleFrom, log });
        config = start.config;
        initialGenome = start.initialGenome;
      }
      const hash = configHash(config);
      const found = [dir, resDir].filter((d): d is string => d !== null).map((d) => ({ d, run: readRun(join(d, 'study-run.json')) })).find((x) => x.run && existsSync(join(x.d, 'best.json')));
      let run: StudyRun;
      let runDir: string;
      if (found) {
        run = found.run!;
        runDir = found.d;
        const where = join(found.d, 'study-run.json');
        if (run.configHash !== hash && o.reportOnly) {
          log(`${tag}: ${where} was trained with another config (hash ${run.configHash}, this study's is ${hash}); left out of the report`);
          continue;
        }
        if (run.configHash !== hash) throw new UserError(`${where}: trained with another config (hash ${run.configHash}, this study's is ${hash}: the arm's config file or the regime changed); move ${found.d} away to retrain it`);
        if (run.budget !== o.generations) throw new UserError(`${where}: trained for ${run.budget} generations, this study asks for ${o.generations}; pass --generations ${run.budget}, or move ${found.d} away to retrain it`);
        log(`${tag}: trained before (${run.generations} generations), reusing ${found.d}`);
      } else if (o.reportOnly || !backend) {
        log(`${tag}: not trained yet`);
        continue;
      } else {
        const t0 = performance.now();
        // a run killed part-way (checkpoint, no marker) continues where it stopped
        const resume = existsSync(join(dir, 'checkpoint.json'));
        // no wall-clock cap unless asked for (the arm files' own `minutes` would make the budget depend on the machine's load)
        const r = await train(config, { outDir: dir, workers: o.workers, backend, minutes: o.minutes ?? 0, generations: o.generations, progress: null, initialGenome, resume });
        run = {
          format: STUDY_RUN_FORMAT,
          arm: arm.name,
          regime: regime.name,
          seed,
          name,
          generations: r.generations,
          budget: o.generations,
          envSteps: r.history.at(-1)?.envSteps ?? 0,
          trainMinutes: (performance.now() - t0) / 60000,
          trainVelocity: r.best.meanForwardVelocity,
          configHash: hash,
          runId: r.runId,
        };
        writeFileAtomic(join(dir, 'study-run.json'), JSON.stringify(run, null, 2) + '\n');
        runDir = dir;
        log(`${tag}: ${run.generations} generations${resume ? ' (resumed)' : ''} in ${run.trainMinutes.toFixed(1)} min, ${run.trainVelocity.toFixed(2)} m/s in training`);
      }
      if (resDir && runDir !== resDir) copyInto(runDir, resDir, RESULT_FILES);
      report.runs.push(run);
      report.progress.trained++;
      const policy = loadPolicy(join(runDir, 'best.json'));
      const evaluation = await evaluateForStudy({ label: runLabel(arm.name, regime.name), run, policy, dirs: [dir, ...(resDir ? [resDir] : [])], backend: o.reportOnly ? undefined : backend, options: o.evaluation, log: (line) => log(`${tag}: ${line}`) });
      if (evaluation) {
        report.evaluations.push(evaluation);
        report.progress.evaluated++;
      }
      writeReports(report, o);
    }
  }
  writeReports(report, o);
  return report;
}

function writeReports(r: StudyReport, o: StudyOptions): void {
  writeStudy(r, o.out);
  if (o.results) writeStudy(r, o.results);
}

function copyInto(from: string, to: string, files: readonly string[]): void {
  mkdirSync(to, { recursive: true });
  // atomic copies: a study killed while copying leaves no half file behind
  for (const f of files) if (existsSync(join(from, f))) writeFileAtomic(join(to, f), readFileSync(join(from, f)));
}
