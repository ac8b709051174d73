/**
 * The study's report (experiments/study.ts): tables in Markdown and SVG pictures, from whatever
 * runs are finished (a partial study says so, with counts).
 *
 * Aggregation per arm × regime over its seeds (one policy per seed; per policy the means over
 * its episodes, experiments/study-evaluation.ts):
 * - speeds: mean ± sd across seeds;
 * - retention and recovery ratios of an arm: ratios of across-seed means (defined when one seed
 *   barely walks), e.g. recovery end = mean end speed / mean pre-switch speed, over seeds and
 *   switched conditions;
 * - time to 80%: the median over (seed, condition) of the per-policy times (∞ = never recovered
 *   counts as the largest; NaN = no pre-switch speed, left out), with the count recovered;
 * - against the static SNN of the same regime: difference of means with a Welch 95% interval
 *   over seeds of per-seed values (experiments/statistics.ts); ratios whose denominator is under
 *   MIN_WALKING_SPEED (a policy that does not walk: 0.00 m/s before a switch made one seed's
 *   after / before 35) are left out.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { barChartSVG, heatmapSVG, lineChartSVG } from '../core/charts.js';
import { parseCondition } from '../sim/conditions.js';
import { meanSd, median, welchDiff, type WelchInterval } from './statistics.js';
import { TRACE_BIN_SECONDS } from './adaptation.js';
import { jsonReplacer, type StudyPolicyEvaluation } from './study-evaluation.js';
import type { StudyReport } from './study.js';

export const runLabel = (arm: string, regime: string) => `${arm} / ${regime}`;

type MS = { m: number; sd: number };

/** Per-seed values of one arm × regime (the Welch comparisons' inputs). */
export interface PerSeed {
  flat: number[];
  unseen: number[];
  unseenRetention: number[];
  before: number[];
  after: number[];
  end: number[];
  afterRatio: number[];
  endRatio: number[];
  long: number[];
  longRetention: number[];
}

export interface GroupSummary {
  label: string;
  arm: string;
  regime: string;
  seeds: number;
  perSeed: PerSeed;
  flat: MS;
  unseen: MS;
  unseenRetention: number;
  /** 60-s flat: whole-episode speed, first-`early`-s speed, their ratio (of across-seed means) */
  long: MS;
  longEarly: MS;
  longRetention: number;
  before: MS;
  after: MS;
  end: MS;
  afterRatio: number;
  endRatio: number;
  timeTo80: number;
  /** (seed, condition) pairs recovered to 80% / pairs with a pre-switch speed */
  recovered: [number, number];
  switchedFalls: [number, number];
  wholeFalls: [number, number];
  /** per whole-episode condition: speed across seeds */
  wholeSpeed: MS[];
  wholeRetention: number[];
  /** per switched condition: after / before and end / before (ratios of across-seed means), time to 80% (median over seeds) */
  switchedAfter: number[];
  switchedEnd: number[];
  switchedTime: number[];
  /** mean over seeds and switched conditions of the binned speed trace (m/s per TRACE_BIN_SECONDS bin) */
  trace: number[];
}

/** below this speed (m/s) a policy does not walk: a ratio over it (retention, recovery) means nothing and is left out */
export const MIN_WALKING_SPEED = 0.1;
const ratio = (a: number, b: number) => (b >= MIN_WALKING_SPEED ? a / b : NaN);
const avg = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function perSeedOf(es: StudyPolicyEvaluation[]): PerSeed {
  const flatIndex = (e: StudyPolicyEvaluation) => e.key.conditions.indexOf('flat');
  const held = (e: StudyPolicyEvaluation) => e.whole.filter((_, i) => i !== flatIndex(e));
  const sw = (e: StudyPolicyEvaluation, f: (s: StudyPolicyEvaluation['switched'][number]) => number) => (e.switched.length ? avg(e.switched.map(f)) : NaN);
  const p: PerSeed = { flat: [], unseen: [], unseenRetention: [], before: [], after: [], end: [], afterRatio: [], endRatio: [], long: [], longRetention: [] };
  for (const e of es) {
    const flat = e.whole[flatIndex(e)].speed.mean;
    const unseen = held(e).length ? avg(held(e).map((c) => c.speed.mean)) : NaN;
    const before = sw(e, (s) => s.before), after = sw(e, (s) => s.after), end = sw(e, (s) => s.end);
    p.flat.push(flat);
    p.unseen.push(unseen);
    p.unseenRetention.push(ratio(unseen, flat));
    p.before.push(before);
    p.after.push(after);
    p.end.push(end);
    p.afterRatio.push(ratio(after, before));
    p.endRatio.push(ratio(end, before));
    p.long.push(e.long?.speed ?? NaN);
    p.longRetention.push(e.long?.retention ?? NaN);
  }
  return p;
}

/** The groups (arm × regime, matrix order) that have at least one evaluated seed. */
export function summariseStudy(r: StudyReport): { conditions: string[]; switchConditions: string[]; groups: GroupSummary[] } {
  const conditions = r.options.evaluation.conditions.map((c) => parseCondition(c).label);
  const switchConditions = r.options.evaluation.switched.conditions;
  const groups: GroupSummary[] = [];
  for (const k of r.options.matrix) {
    const es = r.evaluations.filter((e) => e.arm === k.arm && e.regime === k.regime);
    if (!es.length) continue;
    const p = perSeedOf(es);
    const long = meanSd(p.long), longEarly = meanSd(es.map((e) => e.long?.earlySpeed ?? NaN));
    const before = meanSd(p.before), after = meanSd(p.after), end = meanSd(p.end);
    const times = es.flatMap((e) => e.switched.map((s) => s.timeTo80));
    const defined = times.filter((t) => !Number.isNaN(t));
    const bins = es[0].switched[0]?.speed.length ?? 0;
    const trace = Array.from({ length: bins }, (_, b) => avg(es.map((e) => avg(e.switched.map((s) => s.speed[b])))));
    const flat = meanSd(p.flat), unseen = meanSd(p.unseen);
    groups.push({
      label: runLabel(k.arm, k.regime),
      arm: k.arm,
      regime: k.regime,
      seeds: es.length,
      perSeed: p,
      flat,
      unseen,
      unseenRetention: ratio(unseen.m, flat.m),
      long,
      longEarly,
      longRetention: ratio(long.m, longEarly.m),
      before,
      after,
      end,
      afterRatio: ratio(after.m, before.m),
      endRatio: ratio(end.m, before.m),
      timeTo80: median(times),
      recovered: [defined.filter(Number.isFinite).length, defined.length],
      switchedFalls: [es.reduce((s, e) => s + e.switched.reduce((a, x) => a + x.falls, 0), 0), es.reduce((s, e) => s + e.switched.reduce((a, x) => a + x.episodes, 0), 0)],
      wholeFalls: [es.reduce((s, e) => s + e.whole.reduce((a, c) => a + Math.round(c.fallRate * c.episodes), 0), 0), es.reduce((s, e) => s + e.whole.reduce((a, c) => a + c.episodes, 0), 0)],
      wholeSpeed: conditions.map((_, c) => meanSd(es.map((e) => e.whole[c].speed.mean))),
      wholeRetention: conditions.map((_, c) => ratio(avg(es.map((e) => e.whole[c].speed.mean)), flat.m)),
      switchedAfter: switchConditions.map((_, c) => ratio(avg(es.map((e) => e.switched[c].after)), avg(es.map((e) => e.switched[c].before)))),
      switchedEnd: switchConditions.map((_, c) => ratio(avg(es.map((e) => e.switched[c].end)), avg(es.map((e) => e.switched[c].before)))),
      switchedTime: switchConditions.map((_, c) => median(es.map((e) => e.switched[c].timeTo80))),
      trace,
    });
  }
  return { conditions, switchConditions, groups };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : x === Infinity ? '∞' : '–');
const ms = (x: MS) => `${f2(x.m)} ± ${f2(x.sd)}`;
const ci = (w: WelchInterval) => (Number.isFinite(w.diff) ? `${w.diff >= 0 ? '+' : ''}${f2(w.diff)} [${f2(w.lo)}, ${f2(w.hi)}]` : '–');
const short = (c: string) => parseCondition(c).label;

/** Every group but the static SNN against the static SNN of its regime (Welch over seeds). */
export function comparisons(groups: GroupSummary[]): { label: string; ref: string; cells: WelchInterval[] }[] {
  const out: { label: string; ref: string; cells: WelchInterval[] }[] = [];
  for (const g of groups) {
    if (g.arm === 'static SNN') continue;
    const ref = groups.find((x) => x.arm === 'static SNN' && x.regime === g.regime);
    if (!ref) continue;
    const a = g.perSeed, b = ref.perSeed;
    out.push({ label: g.label, ref: ref.label, cells: [welchDiff(a.flat, b.flat), welchDiff(a.unseen, b.unseen), welchDiff(a.unseenRetention, b.unseenRetention), welchDiff(a.afterRatio, b.afterRatio), welchDiff(a.endRatio, b.endRatio), welchDiff(a.long, b.long)] });
  }
  return out;
}

export interface PooledComparison {
  arm: string;
  /** the regimes pooled, in matrix order */
  regimes: string[];
  /** per-seed values pooled: arm, static SNN */
  n: [number, number];
  cells: WelchInterval[];
}

/**
 * Each arm against the static SNN, its per-seed values pooled over every regime in which both
 * have at least `seeds` seeds (only when that is 2 regimes or more). The regimes differ, so this
 * is a bound on the size of an effect over them, not a test within one: it answers "how large a
 * difference do these rounds together leave room for".
 */
export function pooledComparisons(groups: GroupSummary[], seeds: number): PooledComparison[] {
  const out: PooledComparison[] = [];
  const arms = [...new Set(groups.map((g) => g.arm))].filter((a) => a !== 'static SNN');
  for (const arm of arms) {
    const pairs = groups
      .filter((g) => g.arm === arm && g.seeds >= seeds)
      .map((g) => [g, groups.find((x) => x.arm === 'static SNN' && x.regime === g.regime && x.seeds >= seeds)] as const)
      .filter((p): p is readonly [GroupSummary, GroupSummary] => p[1] !== undefined);
    if (pairs.length < 2) continue;
    const pool = (side: 0 | 1, k: keyof PerSeed) => pairs.flatMap((p) => p[side].perSeed[k]);
    const keys: (keyof PerSeed)[] = ['flat', 'unseen', 'unseenRetention', 'afterRatio', 'endRatio', 'long'];
    out.push({
      arm,
      regimes: pairs.map((p) => p[0].regime),
      n: [pool(0, 'flat').length, pool(1, 'flat').length],
      cells: keys.map((k) => welchDiff(pool(0, k), pool(1, k))),
    });
  }
  return out;
}

/** Markdown: status, summary, comparisons with the static SNN, per-condition tables, training runs. */
export function studyMarkdown(r: StudyReport): string {
  const { conditions, switchConditions, groups } = summariseStudy(r);
  const o = r.options, ev = o.evaluation, p = r.progress;
  const partial = p.trained < p.planned || p.evaluated < p.planned;
  const lines: string[] = [];
  lines.push(
    partial
      ? `**Partial study: ${p.trained} of ${p.planned} runs trained, ${p.evaluated} evaluated.** The tables show the finished runs only (seed counts per row).`
      : `Complete: ${p.planned} runs trained and evaluated.`,
    '',
    `Runs: ${o.matrix.map((k) => runLabel(k.arm, k.regime)).join(', ')}; ${o.seeds} seeds each, ${o.generations} ES generations per run${o.minutes ? ` (capped at ${o.minutes} min)` : ''}. Evaluation (the same seeded episodes for every policy): suite "${ev.suite}" as whole ${ev.seconds}-s episodes (${ev.episodes} per condition); ${ev.switched.conditions.length} conditions switched on at ${ev.switched.switchAt} s of ${ev.switched.seconds}-s episodes, flat before (${ev.switched.episodes} per condition); ${ev.long.episodes} flat episodes of ${ev.long.seconds} s.`,
    '',
  );
  if (!groups.length) return [...lines, 'No run evaluated yet.', ''].join('\n');
  const w = ev.switched.window;
  lines.push(
    '**Summary** (mean ± sd across seeds; ratios are ratios of across-seed means)',
    '',
    `| arm / regime | seeds | flat m/s | ${ev.long.seconds}-s flat m/s | ${ev.long.seconds}-s / first ${ev.long.early} s | unseen mean m/s | unseen retention | before switch m/s | after / before | end / before | time to 80% s (recovered) | falls switched | falls whole |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...groups.map((g) => `| ${g.label} | ${g.seeds} | ${ms(g.flat)} | ${ms(g.long)} | ${f2(g.longRetention)} | ${ms(g.unseen)} | ${f2(g.unseenRetention)} | ${ms(g.before)} | ${f2(g.afterRatio)} | ${f2(g.endRatio)} | ${f2(g.timeTo80)} (${g.recovered[0]}/${g.recovered[1]}) | ${g.switchedFalls[0]}/${g.switchedFalls[1]} | ${g.wholeFalls[0]}/${g.wholeFalls[1]} |`),
    '',
    `flat: whole ${ev.seconds}-s flat episodes. unseen mean: mean speed over the suite's held-out conditions (all but flat); retention: that / flat. Switched: before = speed over the ${w} s before the switch, after = the ${w} s after it, end = the last ${w} s; time to 80% = from the switch until the 1-s moving average (all of it after the switch: ≥ 1 s; 1 s = no visible loss) is back to ≥ 80% of the pre-switch speed, per policy and condition on its episode-mean trace, median over seeds × conditions (∞: never within the episode), recovered = pairs that got there. A fallen robot makes no more progress (its speed counts as 0). Falls: episodes that ended early / episodes.`,
    '',
  );
  const cmp = comparisons(groups);
  if (cmp.length) {
    lines.push(
      '**Against the static SNN of the same regime** (difference of means over seeds, with a Welch 95% interval; an interval that contains 0 is no evidence either way)',
      '',
      `| arm / regime | vs | flat m/s | unseen mean m/s | unseen retention | after / before | end / before | ${ev.long.seconds}-s flat m/s |`,
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...cmp.map((c) => `| ${c.label} | ${c.ref} | ${c.cells.map(ci).join(' | ')} |`),
      '',
    );
  }
  const pooled = pooledComparisons(groups, o.seeds);
  if (pooled.length) {
    lines.push(
      `**Pooled over regimes** (per-seed values of every regime in which the arm and the static SNN both have ${o.seeds} seeds, against the static SNN's of the same regimes; Welch 95%. The regimes differ: read it as a bound on how large a difference these runs together leave room for, not as a test within one regime)`,
      '',
      `| arm | regimes | policies | flat m/s | unseen mean m/s | unseen retention | after / before | end / before | ${ev.long.seconds}-s flat m/s |`,
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ...pooled.map((c) => `| ${c.arm} | ${c.regimes.join(', ')} | ${c.n[0]} + ${c.n[1]} | ${c.cells.map(ci).join(' | ')} |`),
      '',
    );
  }
  const head = (first: string) => [`| ${first} | ${groups.map((g) => g.label).join(' | ')} |`, `|---|${groups.map(() => '---:').join('|')}|`];
  lines.push(
    `**Whole episodes: forward speed, m/s** (mean ± sd across seeds; in brackets retention = mean speed here / mean speed on flat)`,
    '',
    ...head('condition'),
    ...conditions.map((c, i) => `| ${c} | ${groups.map((g) => `${ms(g.wholeSpeed[i])} (${f2(g.wholeRetention[i])})`).join(' | ')} |`),
    '',
  );
  if (switchConditions.length) {
    lines.push(
      `**Switched on at ${ev.switched.switchAt} s: recovery end / before (after / before; time to 80% in s, median over seeds)**`,
      '',
      ...head('condition'),
      ...switchConditions.map((c, i) => `| ${short(c)} | ${groups.map((g) => `${f2(g.switchedEnd[i])} (${f2(g.switchedAfter[i])}; ${f2(g.switchedTime[i])})`).join(' | ')} |`),
      '',
    );
  }
  lines.push(
    '**Training runs** (speed of the returned policy on its own training conditions)',
    '',
    '| arm / regime | seed | generations | env steps | minutes | training speed m/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.runs.map((u) => `| ${runLabel(u.arm, u.regime)} | ${u.seed} | ${u.generations} | ${u.envSteps} | ${u.trainMinutes.toFixed(1)} | ${f2(u.trainVelocity)} |`),
    '',
  );
  return lines.join('\n');
}

/** Pictures: speed around the switch, per-condition recovery bars, whole-episode speed bars and retention heatmap. */
export function studyPictures(r: StudyReport): { name: string; svg: string }[] {
  const { conditions, switchConditions, groups } = summariseStudy(r);
  if (!groups.length) return [];
  const ev = r.options.evaluation;
  const out: { name: string; svg: string }[] = [];
  const wide = (n: number) => Math.max(900, 90 * n + 260);
  if (switchConditions.length) {
    const all = groups.flatMap((g) => g.trace);
    const xs = groups[0].trace.map((_, b) => (b + 0.5) * TRACE_BIN_SECONDS - ev.switched.switchAt);
    out.push({
      name: 'switch-speed.svg',
      svg: lineChartSVG({
        title: `forward speed around the switch (t = 0), mean over seeds and the ${switchConditions.length} switched conditions (${TRACE_BIN_SECONDS}-s bins)`,
        xLabel: 'time since the switch (s)',
        yLabel: 'speed (m/s)',
        width: 900,
        series: [
          ...groups.map((g) => ({ name: g.label, xs, ys: g.trace, dashed: g.regime === 'flat' })),
          { name: 'switch', xs: [0, 0], ys: [Math.min(0, ...all), Math.max(0.1, ...all)], dashed: true, color: '#888' },
        ],
      }),
    });
    for (const [name, key, what] of [['recovery-end.svg', 'switchedEnd', 'end / before'], ['recovery-after.svg', 'switchedAfter', 'after / before']] as const) {
      out.push({
        name,
        svg: barChartSVG({
          title: `recovery ${what}: speed in the ${what.split(' ')[0] === 'end' ? 'last' : 'first'} ${ev.switched.window} s ${what.startsWith('end') ? 'of the episode' : 'after the switch'} / speed in the ${ev.switched.window} s before it (ratio of across-seed means)`,
          yLabel: 'ratio',
          categories: switchConditions.map(short),
          series: groups.map((g) => ({ name: g.label, values: g[key].map((v) => (Number.isFinite(v) ? v : 0)) })),
          width: wide(switchConditions.length),
        }),
      });
    }
  }
  out.push({
    name: 'speed.svg',
    svg: barChartSVG({
      title: `forward speed on suite "${ev.suite}", whole ${ev.seconds}-s episodes (mean ± sd across seeds)`,
      yLabel: 'm/s',
      categories: conditions,
      series: groups.map((g) => ({ name: g.label, values: g.wholeSpeed.map((s) => s.m), errors: g.wholeSpeed.map((s) => s.sd) })),
      width: Math.max(900, 110 * conditions.length + 200),
    }),
  });
  out.push({
    name: 'retention.svg',
    svg: heatmapSVG({
      title: 'retention: mean speed on the condition / mean speed on flat (whole episodes)',
      values: groups.map((g) => g.wholeRetention),
      rowLabels: groups.map((g) => g.label),
      colLabels: conditions,
      colorScale: 'viridis',
      min: 0,
      max: Math.max(1, ...groups.flatMap((g) => g.wholeRetention.filter(Number.isFinite))),
      width: wide(conditions.length),
    }),
  });
  return out;
}

/** study.json, study.md and the pictures into `dir`; returns the paths. */
export function writeStudy(r: StudyReport, dir: string): string[] {
  const files: [string, string][] = [['study.json', JSON.stringify(r, jsonReplacer, 1) + '\n'], ['study.md', studyMarkdown(r)], ...studyPictures(r).map((p): [string, string] => [p.name, p.svg])];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

