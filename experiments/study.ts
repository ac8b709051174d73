/**
 * The adaptation study (issue #7), runnable at any size (`spikeloco study --help`).
 *
 * Every arm (plastic SNN with two rules, one neuromodulated; static SNN; MLP) is trained with
 * the same budget of ES generations per seed (same evaluations; bitwise reproducible), once on flat ground and once on the randomised `train`
 * suite (conditions cycled per generation), then every resulting policy is evaluated on the
 * unseen suite with the same seeded episodes. Each finished run leaves `study-run.json` in its
 * directory, so a killed study restarts where it stopped.
 *
 * Aggregation: per seed, the mean over episodes; across seeds, mean ± sd. Retention of an arm
 * is the ratio of its across-seed mean speeds (condition / flat), which stays defined when one
 * seed barely walks on flat, plus the across-seed mean ± sd of per-seed retention.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrainConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { loadPolicy, type LoadedPolicy } from '../training/policy.js';
import { evaluatePolicies, t95, type EvaluationReport } from './evaluation.js';
import { SUITES, type Suite } from '../training/suites.js';
import { barChartSVG, heatmapSVG, lineChartSVG } from '../core/charts.js';
import { adaptationTrace, smooth, type AdaptationTrace } from './adaptation.js';
import { removeStaleTempFiles, writeFileAtomic } from '../core/atomic.js';
import { RolloutPool } from '../training/pool.js';
import type { EvaluationBackend } from '../training/task.js';
import { loadRule, startFromRule } from '../training/bptt/rule.js';

export interface StudyArm {
  name: string;
  /** file under configs/ */
  config: string;
  /** merged over the config's controller section */
  controller?: Record<string, unknown>;
  /** start the plasticity parameters from this learned rule (rules/NAME/rule.json; ES evolves everything from there) */
  ruleFrom?: string;
}

export const STUDY_ARMS: StudyArm[] = [
  { name: 'plastic hebbian-retro', config: 'ant-plastic.json' },
  { name: 'plastic bcm-neuromod', config: 'ant-plastic.json', controller: { plasticity: { rule: 'bcm-neuromod', connections: ['output'] } } },
  { name: 'static SNN', config: 'ant-static.json' },
  { name: 'MLP', config: 'ant-mlp.json' },
];

/** Training regimes: flat ground only, or cycling through the randomised `train` suite. */
export const STUDY_REGIMES: Record<string, Suite> = { flat: SUITES.flat, randomised: SUITES.train };

export interface StudyOptions {
  out: string;
  /** where every run's and the evaluation's tasks run (default: one local pool of `workers` threads for the whole study) */
  backend?: EvaluationBackend;
  /** training budget per run, in ES generations (the same number of evaluations for every arm) */
  generations: number;
  /** optional wall-clock cap per run (default: the config's own, which should not bind) */
  minutes?: number;
  /** conditions switched on mid-episode for the adaptation-over-time part (empty: skip it) */
  adaptConditions: string[];
  /** episodes per policy and condition in that part; flat for `adaptSwitchAt` s, then the condition */
  adaptSeeds: number;
  adaptSeconds: number;
  adaptSwitchAt: number;
  seeds: number;
  episodes: number;
  seconds: number;
  workers: number;
  /** run training and evaluation rollouts here (e.g. Redis workers); the caller closes it */
  arms: StudyArm[];
  regimes: string[];
  evalSuite: Suite;
  evalSeed: number;
  log?: (line: string) => void;
  onEvalProgress?: (done: number, total: number) => void;
}

export interface StudyRun {
  arm: string;
  regime: string;
  seed: number;
  dir: string;
  generations: number;
  envSteps: number;
  trainMinutes: number;
  /** forward speed of the returned policy during training (its own training conditions) */
  trainVelocity: number;
}

export interface StudyReport {
  options: Omit<StudyOptions, 'log' | 'onEvalProgress' | 'arms' | 'evalSuite'> & { arms: string[]; evalSuite: string };
  runs: StudyRun[];
  evaluation: EvaluationReport;
  /** per adaptation condition, one trace per policy (policy = `arm / regime #seed`) */
  adaptation: { condition: string; traces: AdaptationTrace[] }[];
}

export const runLabel = (arm: string, regime: string) => `${arm} / ${regime}`;

function armConfig(arm: StudyArm, regime: string, seed: number) {
  const raw = JSON.parse(readFileSync(fileURLToPath(new URL(`../../configs/${arm.config}`, import.meta.url)), 'utf8')) as Record<string, unknown>;
  const suite = STUDY_REGIMES[regime];
  if (!suite) throw new Error(`unknown study regime "${regime}"; known: ${Object.keys(STUDY_REGIMES).join(', ')}`);
  return parseTrainConfig(
    { ...raw, seed, conditions: suite.conditions, name: `${arm.name} ${regime} seed ${seed}`, controller: { ...(raw.controller as object), ...(arm.controller ?? {}) } },
    `${arm.config} (${arm.name}, ${regime})`,
  );
}

export async function runStudy(o: StudyOptions): Promise<StudyReport> {
  const log = o.log ?? (() => {});
  mkdirSync(o.out, { recursive: true });
  removeStaleTempFiles(o.out); // study files of a study killed while writing them
  const backend = o.backend ?? (await RolloutPool.create(o.workers));
  try {
    return await study(o, log, backend);
  } finally {
    if (!o.backend) await backend.close();
  }
}

async function study(o: StudyOptions, log: (line: string) => void, backend: EvaluationBackend): Promise<StudyReport> {
  const runs: StudyRun[] = [];
  const policies: { name: string; policy: LoadedPolicy }[] = [];
  const total = o.regimes.length * o.arms.length * o.seeds;
  for (const regime of o.regimes) {
    for (const arm of o.arms) {
      for (let seed = 0; seed < o.seeds; seed++) {
        const dir = join(o.out, `${arm.name}-${regime}-seed${seed}`.replace(/\s+/g, '-'));
        const marker = join(dir, 'study-run.json');
        const k = `[${runs.length + 1}/${total}]`;
        let run: StudyRun;
        if (existsSync(marker)) {
          run = JSON.parse(readFileSync(marker, 'utf8')) as StudyRun;
          log(`${k} ${runLabel(arm.name, regime)} seed ${seed}: done before (${run.generations} generations), reusing ${dir}`);
        } else {
          const t0 = performance.now();
          let config = armConfig(arm, regime, seed);
          let initialGenome;
          if (arm.ruleFrom) {
            const start = startFromRule(loadRule(arm.ruleFrom), config, { source: arm.ruleFrom, log });
            config = start.config;
            initialGenome = start.initialGenome;
          }
          // a run killed part-way (checkpoint, no marker) continues where it stopped
          const resume = existsSync(join(dir, 'checkpoint.json'));
          const r = await train(config, { outDir: dir, workers: o.workers, backend, minutes: o.minutes, generations: o.generations, progress: null, initialGenome, resume });
          run = {
            arm: arm.name,
            regime,
            seed,
            dir,
            generations: r.generations,
            envSteps: r.history.at(-1)?.envSteps ?? 0,
            trainMinutes: (performance.now() - t0) / 60000,
            trainVelocity: r.best.meanForwardVelocity,
          };
          writeFileAtomic(marker, JSON.stringify(run, null, 2) + '\n');
          log(`${k} ${runLabel(arm.name, regime)} seed ${seed}: ${run.generations} generations in ${run.trainMinutes.toFixed(1)} min, ${run.trainVelocity.toFixed(2)} m/s in training`);
        }
        runs.push(run);
        policies.push({ name: `${runLabel(arm.name, regime)} #${seed}`, policy: loadPolicy(join(dir, 'best.json')) });
      }
    }
  }
  const evaluation = await evaluatePolicies(policies, {
    suite: o.evalSuite,
    episodes: o.episodes,
    seconds: o.seconds,
    workers: o.workers,
    backend,
    seed: o.evalSeed,
    onProgress: o.onEvalProgress,
  });
  const adaptation: StudyReport['adaptation'] = [];
  for (const condition of o.adaptConditions) {
    const traces: AdaptationTrace[] = [];
    for (const p of policies) {
      traces.push(await adaptationTrace(p.name, p.policy, { condition, switchAt: o.adaptSwitchAt, seconds: o.adaptSeconds, seeds: o.adaptSeeds, seed: o.evalSeed, window: 2 }));
    }
    log(`adaptation to ${condition}: ${traces.length} policies × ${o.adaptSeeds} episodes`);
    adaptation.push({ condition, traces });
  }
  const { log: _l, onEvalProgress: _p, backend: _b, arms, evalSuite, ...rest } = o;
  return { options: { ...rest, arms: arms.map((a) => a.name), evalSuite: evalSuite.name }, runs, evaluation, adaptation };
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { m, sd };
};

export interface ArmSummary {
  label: string;
  /** per condition: across-seed mean ± sd of speed, and retention of the across-seed means */
  speed: { m: number; sd: number }[];
  retention: number[];
  perSeedRetention: { m: number; sd: number }[];
  /** mean speed over the held-out conditions (all but flat): per seed, then mean ± sd across seeds */
  unseenSpeed: { m: number; sd: number };
  /** that mean over the across-seed mean flat speed */
  unseenRetention: number;
}

/**
 * Difference of means a − b with a Welch 95% confidence interval (Welch–Satterthwaite degrees
 * of freedom, rounded down; NaN when either side has fewer than 2 values).
 */
export function welchDiff(a: number[], b: number[]): { diff: number; lo: number; hi: number } {
  const A = meanSd(a), B = meanSd(b);
  const diff = A.m - B.m;
  if (a.length < 2 || b.length < 2) return { diff, lo: NaN, hi: NaN };
  const va = (A.sd * A.sd) / a.length, vb = (B.sd * B.sd) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { diff, lo: diff, hi: diff };
  const df = (va + vb) ** 2 / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
  const h = t95(Math.max(1, Math.floor(df)) + 1) * se;
  return { diff, lo: diff - h, hi: diff + h };
}

/** Per seed of one (arm, regime): flat speed and mean speed over the held-out conditions. */
function perSeed(r: StudyReport, label: string): { flat: number[]; unseen: number[] } {
  const ev = r.evaluation;
  const conditions = ev.policies[0]?.conditions.map((c) => c.condition) ?? [];
  const flatIndex = conditions.indexOf('flat');
  const rows = ev.policies.filter((p) => p.policy.startsWith(`${label} #`));
  return {
    flat: rows.map((p) => p.conditions[flatIndex].speed.mean),
    unseen: rows.map((p) => p.conditions.reduce((acc, c, i) => acc + (i === flatIndex ? 0 : c.speed.mean), 0) / (conditions.length - 1)),
  };
}

/** Aggregate the evaluation by (arm, regime) across seeds. */
export function summariseStudy(r: StudyReport): { conditions: string[]; arms: ArmSummary[] } {
  const ev = r.evaluation;
  const conditions = ev.policies[0]?.conditions.map((c) => c.condition) ?? [];
  const flatIndex = conditions.indexOf('flat');
  const arms: ArmSummary[] = [];
  for (const regime of r.options.regimes) {
    for (const arm of r.options.arms) {
      const label = runLabel(arm, regime);
      const rows = ev.policies.filter((p) => p.policy.startsWith(`${label} #`));
      if (!rows.length) continue;
      const speed = conditions.map((_, c) => meanSd(rows.map((p) => p.conditions[c].speed.mean)));
      const held = conditions.map((_, c) => c).filter((c) => c !== flatIndex);
      const unseenSpeed = meanSd(rows.map((p) => held.reduce((acc, c) => acc + p.conditions[c].speed.mean, 0) / held.length));
      arms.push({
        label,
        unseenSpeed,
        unseenRetention: speed[flatIndex].m !== 0 ? unseenSpeed.m / speed[flatIndex].m : NaN,
        speed,
        retention: speed.map((s) => (speed[flatIndex].m !== 0 ? s.m / speed[flatIndex].m : NaN)),
        perSeedRetention: conditions.map((_, c) => meanSd(rows.map((p) => p.conditions[c].retention))),
      });
    }
  }
  return { conditions, arms };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** Per arm: the speed trace averaged over training seeds (± sd band) and the window speeds. */
export function summariseAdaptation(r: StudyReport, condition: string) {
  const block = r.adaptation.find((a) => a.condition === condition);
  if (!block) throw new Error(`no adaptation block for ${condition}`);
  const out: { label: string; time: number[]; mean: number[]; sd: number[]; before: { m: number; sd: number }; after: { m: number; sd: number }; end: { m: number; sd: number }; falls: number; episodes: number }[] = [];
  for (const regime of r.options.regimes) {
    for (const arm of r.options.arms) {
      const label = runLabel(arm, regime);
      const ts = block.traces.filter((t) => t.policy.startsWith(`${label} #`));
      if (!ts.length) continue;
      const n = ts[0].speed.length;
      const cols = Array.from({ length: n }, (_, i) => meanSd(ts.map((t) => t.speed[i])));
      out.push({
        label,
        time: ts[0].time,
        mean: cols.map((c) => c.m),
        sd: cols.map((c) => c.sd),
        before: meanSd(ts.map((t) => t.before)),
        after: meanSd(ts.map((t) => t.after)),
        end: meanSd(ts.map((t) => t.end)),
        falls: ts.reduce((s, t) => s + t.falls, 0),
        episodes: ts.length * r.options.adaptSeeds,
      });
    }
  }
  return out;
}

/** Markdown tables: speed, retention, adaptation over time, and the training runs. */
export function studyMarkdown(r: StudyReport): string {
  const { conditions, arms } = summariseStudy(r);
  const o = r.options;
  const head = (first: string) => [`| ${first} | ${arms.map((a) => a.label).join(' | ')} |`, `|---|${arms.map(() => '---:').join('|')}|`];
  const lines = [
    `Suite "${o.evalSuite}", ${o.episodes} episodes × ${o.seconds} s per condition (same seeds for every policy); ${o.seeds} training seeds × ${o.generations} ES generations per arm and regime${o.minutes ? ` (capped at ${o.minutes} min)` : ''}.`,
    '',
    '**Forward speed, m/s** (mean ± sd across seeds of each seed\'s mean over episodes)',
    '',
    ...head('condition'),
    ...conditions.map((c, i) => `| ${c} | ${arms.map((a) => `${f2(a.speed[i].m)} ± ${f2(a.speed[i].sd)}`).join(' | ')} |`),
    `| **mean of the held-out conditions** | ${arms.map((a) => `**${f2(a.unseenSpeed.m)} ± ${f2(a.unseenSpeed.sd)}**`).join(' | ')} |`,
    `| retention of that mean | ${arms.map((a) => f2(a.unseenRetention)).join(' | ')} |`,
    '',
    '**Retention** = mean speed on the condition / mean speed on flat (ratio of the across-seed means; in brackets the mean ± sd of per-seed distance retention)',
    '',
    ...head('condition'),
    ...conditions.map((c, i) => `| ${c} | ${arms.map((a) => `${f2(a.retention[i])} (${f2(a.perSeedRetention[i].m)} ± ${f2(a.perSeedRetention[i].sd)})`).join(' | ')} |`),
    '',
    ...r.adaptation.flatMap((a) => [
      `**Adaptation: ${a.condition} switched on at ${o.adaptSwitchAt} s** (speed in m/s over 2-s windows: just before the switch, just after it, at the end of the ${o.adaptSeconds}-s episode; mean ± sd across training seeds of each policy's mean over ${o.adaptSeeds} episodes; falls over all episodes)`,
      '',
      '| arm / regime | before | after | end | falls |',
      '|---|---:|---:|---:|---:|',
      ...summariseAdaptation(r, a.condition).map((x) => `| ${x.label} | ${f2(x.before.m)} ± ${f2(x.before.sd)} | ${f2(x.after.m)} ± ${f2(x.after.sd)} | ${f2(x.end.m)} ± ${f2(x.end.sd)} | ${x.falls}/${x.episodes} |`),
      '',
    ]),
    ...comparisonLines(r),
    '**Training runs** (generations reached in the budget; speed of the returned policy on its own training conditions)',
    '',
    '| arm / regime | seed | generations | env steps | minutes | training speed m/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.runs.map((u) => `| ${runLabel(u.arm, u.regime)} | ${u.seed} | ${u.generations} | ${u.envSteps} | ${u.trainMinutes.toFixed(1)} | ${f2(u.trainVelocity)} |`),
  ];
  return lines.join('\n') + '\n';
}

/** Every other arm against the static SNN of the same regime: Welch 95% CIs over seeds. */
function comparisonLines(r: StudyReport): string[] {
  const rows: string[] = [];
  const fmt = (w: { diff: number; lo: number; hi: number }) => `${w.diff >= 0 ? '+' : ''}${f2(w.diff)} [${f2(w.lo)}, ${f2(w.hi)}]`;
  for (const regime of r.options.regimes) {
    const ref = perSeed(r, runLabel('static SNN', regime));
    if (!ref.flat.length) continue;
    for (const arm of r.options.arms) {
      if (arm === 'static SNN') continue;
      const x = perSeed(r, runLabel(arm, regime));
      if (!x.flat.length) continue;
      rows.push(`| ${runLabel(arm, regime)} | ${fmt(welchDiff(x.flat, ref.flat))} | ${fmt(welchDiff(x.unseen, ref.unseen))} |`);
    }
  }
  if (!rows.length) return [];
  return [
    '**Against the static SNN of the same regime** (difference in speed, m/s, with a Welch 95% confidence interval over training seeds; an interval that contains 0 is no evidence either way)',
    '',
    '| arm / regime | on flat | mean over held-out conditions |',
    '|---|---:|---:|',
    ...rows,
    '',
  ];
}

/** Pictures: speed per condition (bars ± sd across seeds), a retention heatmap, adaptation traces. */
export function studyPictures(r: StudyReport): { speed: string; retention: string; adaptation: { condition: string; svg: string }[] } {
  const { conditions, arms } = summariseStudy(r);
  const speed = barChartSVG({
    title: `forward speed on suite "${r.options.evalSuite}" (mean ± sd across ${r.options.seeds} seeds)`,
    yLabel: 'm/s',
    categories: conditions,
    series: arms.map((a) => ({ name: a.label, values: a.speed.map((s) => s.m), errors: a.speed.map((s) => s.sd) })),
    width: Math.max(900, 110 * conditions.length + 200),
  });
  const retention = heatmapSVG({
    title: 'retention: mean speed on the condition / mean speed on flat',
    values: arms.map((a) => a.retention),
    rowLabels: arms.map((a) => a.label),
    colLabels: conditions,
    colorScale: 'viridis',
    min: 0,
    max: Math.max(1, ...arms.flatMap((a) => a.retention.filter(Number.isFinite))),
    width: Math.max(900, 90 * conditions.length + 300),
  });
  const adaptation = r.adaptation.map((a) => {
    const arms = summariseAdaptation(r, a.condition);
    const k = 20; // 1-s moving average at 20 Hz control
    const all = arms.flatMap((x) => smooth(x.mean, k));
    return {
      condition: a.condition,
      svg: lineChartSVG({
        title: `forward speed, ${a.condition} switched on at ${r.options.adaptSwitchAt} s (1-s moving average; band ± sd across seeds)`,
        xLabel: 'time (s)',
        yLabel: 'speed (m/s)',
        width: 900,
        series: [
          ...arms.map((x) => {
            const m = smooth(x.mean, k), sd = smooth(x.sd, k);
            return { name: x.label, xs: x.time, ys: m, band: { lo: m.map((v, i) => v - sd[i]), hi: m.map((v, i) => v + sd[i]) }, dashed: x.label.endsWith('randomised') };
          }),
          { name: 'switch', xs: [r.options.adaptSwitchAt, r.options.adaptSwitchAt], ys: [Math.min(0, ...all), Math.max(0.1, ...all)], dashed: true, color: '#888' },
        ],
      }),
    };
  });
  return { speed, retention, adaptation };
}

export function writeStudy(r: StudyReport, out: string): string[] {
  const pics = studyPictures(r);
  const files: [string, string][] = [
    ['study.json', JSON.stringify(r, null, 2) + '\n'],
    ['study.md', studyMarkdown(r)],
    ['speed.svg', pics.speed],
    ['retention.svg', pics.retention],
    ...pics.adaptation.map((a, i): [string, string] => [`adapt-${i + 1}-${a.condition.replace(/\(.*$/, '')}.svg`, a.svg]),
  ];
  for (const [name, text] of files) writeFileAtomic(join(out, name), text);
  return files.map(([name]) => join(out, name));
}
