/**
 * The study (experiments/study.ts and friends): the recovery metrics on a hand-made trace, the
 * Welch interval against hand-computed numbers, and a tiny study end to end on the real pool:
 * report, resume after a simulated kill, reuse of the results directory on a fresh out dir, a
 * partial report, and refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { configHash } from '../../training/rundir.js';
import { DEFAULT_MATRIX, finishedRuns, mergeDeep, reportAllFinished, parseRuns, runConfig, runName, runStudy, selectRuns, STUDY_ARMS, STUDY_REGIMES, type StudyArm, type StudyOptions, type StudyRegime } from '../../experiments/study.js';
import { meanTrace, paddedX, recoveryMetrics } from '../../experiments/adaptation.js';
import { median, studentTQuantile, welchDiff } from '../../experiments/statistics.js';
import { evaluationSteps, jsonReviver, type StudyPolicyEvaluation } from '../../experiments/study-evaluation.js';
import { MIN_WALKING_SPEED, pooledComparisons, summariseStudy, type GroupSummary } from '../../experiments/study-report.js';
import { policyFromFile } from '../../training/policy.js';
import { SUITES } from '../../training/suites.js';
import { tinyConfig } from '../training/tiny-config.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));

// ---- recovery metrics --------------------------------------------------------------------

/** x(t) of a robot at 1 m/s for 5 s, 0.2 m/s for 3 s after a switch at 5 s, then 0.9 m/s to 20 s; dt = 0.1 s. */
function handTrace(): Float64Array {
  const dt = 0.1, x = new Float64Array(201);
  for (let i = 1; i <= 200; i++) {
    const t = (i - 0.5) * dt;
    x[i] = x[i - 1] + dt * (t < 5 ? 1 : t < 8 ? 0.2 : 0.9);
  }
  return x;
}

test('recovery metrics of a hand-made trace: before, after, end, their ratios and the time to 80%', () => {
  const m = recoveryMetrics(handTrace(), 0.1, { switchAt: 5, window: 5, average: 1, threshold: 0.8 });
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
  near(m.before, 1, 'before: 5 m in the 5 s before the switch');
  near(m.after, (3 * 0.2 + 2 * 0.9) / 5, 'after: 3 s at 0.2 and 2 s at 0.9');
  near(m.end, 0.9, 'end');
  near(m.afterRatio, 0.48, 'after / before');
  near(m.endRatio, 0.9, 'end / before');
  // 1-s average ending at τ ∈ [8, 9] s: 0.2·(9 − τ) + 0.9·(τ − 8) = 0.7τ − 5.4 ≥ 0.8 ⇔ τ ≥ 8.857: first sample 8.9 s, 3.9 s after the switch
  near(m.timeTo80, 3.9, 'time to 80%');
  // no loss at all: the first 1-s average wholly after the switch is already there
  const steady = Float64Array.from({ length: 201 }, (_, i) => i * 0.1);
  near(recoveryMetrics(steady, 0.1, { switchAt: 5, window: 5, average: 1, threshold: 0.8 }).timeTo80, 1, 'no loss: 1 s');
  // never back: 0.5 m/s after the switch
  const slow = Float64Array.from({ length: 201 }, (_, i) => (i <= 50 ? i * 0.1 : 5 + (i - 50) * 0.05));
  const s = recoveryMetrics(slow, 0.1, { switchAt: 5, window: 5, average: 1, threshold: 0.8 });
  assert.equal(s.timeTo80, Infinity);
  near(s.endRatio, 0.5, 'end / before of the slow one');
  // standing still before the switch: nothing to recover to
  const still = recoveryMetrics(new Float64Array(201), 0.1, { switchAt: 5, window: 5, average: 1, threshold: 0.8 });
  assert.ok(Number.isNaN(still.timeTo80) && Number.isNaN(still.endRatio));
  assert.equal(still.before, 0);
});

test('a fallen episode is padded with its last x; the mean trace averages episodes sample by sample; the median sorts ∞ last', () => {
  assert.deepEqual(Array.from(paddedX({ x: new Float64Array([0, 1, 2]) }, 5)), [0, 1, 2, 2, 2]);
  assert.deepEqual(Array.from(meanTrace([{ x: new Float64Array([0, 1, 2, 3]) }, { x: new Float64Array([0, 3]) }], 4)), [0, 2, 2.5, 3]);
  assert.equal(median([3, Infinity, 1, NaN]), 3);
  assert.equal(median([Infinity, Infinity, 1]), Infinity);
  assert.equal(median([1, 2, 4, 10]), 3);
  assert.ok(Number.isNaN(median([NaN])));
});

test('per-seed ratios of a policy that does not walk (pre-switch or flat speed under 0.1 m/s) are left out, not counted as 35', () => {
  const walking = { mean: 0.8 }, still = { mean: 0.004 };
  const evaluation = (seed: number, before: number, flat: { mean: number }) =>
    ({
      key: { conditions: ['flat', 'friction(mu=0.3)'] },
      arm: 'a',
      regime: 'r',
      seed,
      whole: [{ speed: flat }, { speed: { mean: flat.mean / 2 } }],
      switched: [{ before, after: before / 2 + 0.14, end: before / 4 + 0.05, timeTo80: NaN, speed: [0] }],
      long: { speed: flat.mean, earlySpeed: flat.mean, retention: 1 },
    }) as unknown as StudyPolicyEvaluation;
  const report = {
    options: { evaluation: { conditions: ['flat', 'friction(mu=0.3)'], switched: { conditions: ['friction(mu=0.3)'] } }, matrix: [{ arm: 'a', regime: 'r' }] },
    evaluations: [evaluation(0, 0.8, walking), evaluation(1, 0.6, walking), evaluation(2, 0.004, still)],
  } as unknown as Parameters<typeof summariseStudy>[0];
  const g = summariseStudy(report).groups[0];
  assert.equal(MIN_WALKING_SPEED, 0.1);
  assert.ok(Number.isNaN(g.perSeed.afterRatio[2]) && Number.isNaN(g.perSeed.endRatio[2]) && Number.isNaN(g.perSeed.unseenRetention[2]), JSON.stringify(g.perSeed));
  assert.ok(Math.abs(g.perSeed.afterRatio[0] - (0.4 + 0.14) / 0.8) < 1e-12);
  assert.equal(welchDiff(g.perSeed.afterRatio, [0.5, 0.5]).df > 0, true, 'the two walking seeds still give an interval');
});

test('pooled comparisons: per-seed values of every regime where both arms have the full seeds, against hand values', () => {
  const group = (arm: string, regime: string, flat: number[]) =>
    ({ arm, regime, seeds: flat.length, perSeed: { flat, unseen: flat, unseenRetention: flat, afterRatio: flat, endRatio: flat, long: flat } }) as unknown as GroupSummary;
  const groups = [
    group('p', 'r1', [1, 2]), group('static SNN', 'r1', [2, 3]),
    group('p', 'r2', [3, 4]), group('static SNN', 'r2', [4, 5]),
    group('p', 'r3', [5, 6]), group('static SNN', 'r3', [7]), // the static SNN has 1 seed here: left out
    group('q', 'r1', [9, 9]), // one regime only: no pooled row
  ];
  const pooled = pooledComparisons(groups, 2);
  assert.equal(pooled.length, 1);
  assert.deepEqual(pooled[0].regimes, ['r1', 'r2']);
  assert.deepEqual(pooled[0].n, [4, 4]);
  // a = 1..4, b = 2..5: s² = 5/3 each, se = √(5/6), ν = 6 exactly, t(0.975, 6) = 2.446912
  const w = pooled[0].cells[0], h = 2.446911851 * Math.sqrt(5 / 6);
  assert.equal(w.diff, -1);
  assert.ok(Math.abs(w.df - 6) < 1e-12, String(w.df));
  assert.ok(Math.abs(w.lo - (-1 - h)) < 1e-7 && Math.abs(w.hi - (-1 + h)) < 1e-7, `${w.lo} ${w.hi}`);
  assert.equal(pooledComparisons(groups, 3).length, 0, 'no regime has 3 seeds a side');
});

// ---- Welch ---------------------------------------------------------------------------------

test('Student t quantiles at integer and fractional degrees of freedom (scipy.stats.t.ppf(0.975, ν))', () => {
  for (const [nu, t] of [[1, 12.70620474], [2, 4.30265273], [2.5, 3.57465484], [4, 2.77644511], [10, 2.22813885], [30, 2.04227246], [1000, 1.96233908]]) {
    assert.ok(Math.abs(studentTQuantile(0.975, nu) - t) < 1e-6, `ν = ${nu}: ${studentTQuantile(0.975, nu)} vs ${t}`);
  }
});

test('welchDiff: difference of means with the Welch–Satterthwaite 95% interval, against hand computations', () => {
  // a = 1,2,3 and b = 2,3,4: s² = 1 each, v_a = v_b = 1/3, se = √(2/3); ν = (2/3)² / (2·(1/3)²/2) = 4 exactly, t(0.975, 4) = 2.776445
  const w = welchDiff([1, 2, 3], [2, 3, 4]);
  const h = 2.776445105 * Math.sqrt(2 / 3);
  assert.equal(w.diff, -1);
  assert.ok(Math.abs(w.df - 4) < 1e-12);
  assert.ok(Math.abs(w.lo - (-1 - h)) < 1e-7 && Math.abs(w.hi - (-1 + h)) < 1e-7, `${w.lo} ${w.hi}`);
  // a = 1,2,3 and b = 2,4,6: v_a = 1/3, v_b = 4/3, ν = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 50/17 = 2.941 (kept fractional: t = 3.218759, not the 4.303 of ν rounded down to 2)
  const f = welchDiff([1, 2, 3], [2, 4, 6]);
  assert.ok(Math.abs(f.df - 50 / 17) < 1e-12);
  assert.ok(Math.abs(f.lo - -6.1553995031825055) < 1e-7 && Math.abs(f.hi - 2.1553995031825055) < 1e-7, `${f.lo} ${f.hi}`);
  // five seeds each, as in the study (scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval())
  const five = welchDiff([0.52, 0.61, 0.48, 0.7, 0.55], [0.4, 0.35, 0.52, 0.3, 0.44]);
  assert.ok(Math.abs(five.lo - 0.04585427316583962) < 1e-7 && Math.abs(five.hi - 0.29414572683416) < 1e-7, `${five.lo} ${five.hi}`);
  assert.ok(Number.isNaN(welchDiff([1], [2, 3]).lo), 'one seed: no interval');
  assert.ok(Number.isNaN(welchDiff([1, NaN], [2, 3]).lo), 'non-finite values are left out');
  assert.deepEqual({ ...welchDiff([1, 1], [0, 0]), df: 0 }, { diff: 1, lo: 1, hi: 1, df: 0 });
});

// ---- matrix and configs --------------------------------------------------------------------

test('the default matrix, run lists and filters; regimes merge over the arm file and keep what they do not set', () => {
  assert.deepEqual(DEFAULT_MATRIX.map((k) => `${k.arm}/${k.regime}`), ['plastic-cov/switched', 'static SNN/switched', 'MLP/switched', 'najarro/switched', 'plastic-cov/flat', 'static SNN/flat']);
  assert.deepEqual(parseRuns('plastic/switched, static SNN/flat', STUDY_ARMS, STUDY_REGIMES), [{ arm: 'plastic', regime: 'switched' }, { arm: 'static SNN', regime: 'flat' }]);
  assert.throws(() => parseRuns('lstm/flat', STUDY_ARMS, STUDY_REGIMES), /unknown arm "lstm"; known: plastic-cov, plastic, static SNN, MLP, najarro, najarro-scaled, plastic-cov-scaled, bcm-neuromod/);
  assert.throws(() => parseRuns('plastic/moon', STUDY_ARMS, STUDY_REGIMES), /unknown regime "moon"; known: flat, switched/);
  assert.throws(() => parseRuns('plastic', STUDY_ARMS, STUDY_REGIMES), /expected ARM\/REGIME/);
  assert.deepEqual(selectRuns(DEFAULT_MATRIX, { regimes: ['flat'] }).map((k) => k.arm), ['plastic-cov', 'static SNN']);
  assert.deepEqual(selectRuns(DEFAULT_MATRIX, { arms: ['MLP', 'plastic-cov'], regimes: ['switched'] }).map((k) => k.arm), ['plastic-cov', 'MLP']);
  const cov = runConfig(STUDY_ARMS.find((a) => a.name === 'plastic-cov')!, STUDY_REGIMES.switched, 0).controller as { plasticity: Record<string, unknown> };
  assert.deepEqual([cov.plasticity.rule, cov.plasticity.tauTheta, cov.plasticity.decay], ['cov-retro', 0.005, 0.02], 'the covariance arm is the plastic config file');
  const hebb = runConfig(STUDY_ARMS.find((a) => a.name === 'plastic')!, STUDY_REGIMES.switched, 0);
  assert.deepEqual((hebb.controller as { plasticity: unknown }).plasticity, { rule: 'hebbian-retro', connections: ['output'], decay: 0.02 }, "the Hebbian reference drops the file's τ_θ: the config it was trained with before round c, so its hash is unchanged");
  assert.equal(configHash(hebb), 'bfa33fb69fa512e3', 'the hash of docs/results/study/plastic-switched-seed0');
  assert.throws(() => selectRuns(DEFAULT_MATRIX, { arms: ['MLP'], regimes: ['flat'] }), /no run of the matrix .* --runs/);
  assert.deepEqual(mergeDeep({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } }), { a: { b: 1, c: [3] }, d: 1 });

  const arm = (name: string) => STUDY_ARMS.find((a) => a.name === name)!;
  const sw = runConfig(arm('plastic'), STUDY_REGIMES.switched, 3);
  assert.equal(sw.seed, 3);
  assert.deepEqual(sw.conditions, ['flat']);
  assert.deepEqual(sw.switches, { probability: 0.5, conditions: SUITES.switches.conditions, atSeconds: [3, 8], fromGeneration: 150 });
  assert.equal(sw.episodeSecondsMax, 40);
  const flat = runConfig(arm('static SNN'), STUDY_REGIMES.flat, 0);
  assert.equal(flat.switches.probability, 0);
  assert.equal(flat.episodeSecondsMax, 40, 'both regimes train on 10–40-s episodes');
  const fileReward = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../configs/ant-static.json', import.meta.url)), 'utf8')) as { reward: unknown }).reward;
  assert.equal((flat.reward as { ctrlCostWeight: number }).ctrlCostWeight, (fileReward as { ctrlCostWeight: number }).ctrlCostWeight, "a regime keeps the file's fields it does not set");
  const naj = runConfig(arm('najarro'), STUDY_REGIMES.switched, 0).controller as { kind: string; plasticity: Record<string, unknown> };
  assert.deepEqual([naj.kind, naj.plasticity.rule, naj.plasticity.connections, naj.plasticity.randomWeights, naj.plasticity.decay], ['plastic-snn', 'abcd', ['input', 'output'], true, 0.02]);
  const bcm = runConfig(arm('bcm-neuromod'), STUDY_REGIMES.flat, 0).controller as { plasticity: Record<string, unknown>; clock: unknown };
  assert.equal(bcm.plasticity.rule, 'bcm-neuromod');
  assert.ok(bcm.clock, 'the rest of the controller section stays');
  assert.equal(runName('static SNN', 'switched', 2), 'static-SNN-switched-seed2');
  const cheap = runConfig(arm('static SNN'), STUDY_REGIMES['switched-h0.25'], 1);
  const plain = runConfig(arm('static SNN'), STUDY_REGIMES.switched, 1);
  assert.deepEqual(cheap.reward, { ...plain.reward, healthyReward: 0.25 }, "the round-d regime merges its reward over the file's: ctrlCostWeight stays");
  assert.deepEqual([cheap.switches, cheap.conditions, cheap.episodeSecondsMax], [plain.switches, plain.conditions, plain.episodeSecondsMax], 'the same schedule as switched');
  assert.equal(runName('plastic-cov', 'switched-h0.25', 0), 'plastic-cov-switched-h0.25-seed0');
  const fall = runConfig(arm('plastic-cov'), STUDY_REGIMES['switched-fall'], 1);
  assert.deepEqual(fall.reward, { ...plain.reward, healthyReward: 0.25, fallPenalty: 100 }, 'round e: round d plus a fall penalty');
  assert.deepEqual(runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late'], 1).reward, { ...fall.reward, fallPenaltyFromGeneration: 150 });
  const flatLate = runConfig(arm('plastic-cov'), STUDY_REGIMES['flat-fall-late'], 1);
  const late = runConfig(arm('plastic-cov'), STUDY_REGIMES['switched-fall-late'], 1);
  assert.deepEqual(flatLate.reward, late.reward, "the flat counterpart of round e' has its reward");
  assert.deepEqual([flatLate.conditions, flatLate.switches.probability, flatLate.episodeSecondsMax], [['flat'], 0, 40], 'and no switches');
  const scaled = runConfig(arm('najarro-scaled'), STUDY_REGIMES['switched-fall-late'], 1);
  const najarro = runConfig(arm('najarro'), STUDY_REGIMES['switched-fall-late'], 1);
  assert.equal((scaled.controller as { plasticity: { normalize?: string } }).plasticity.normalize, 'post');
  assert.deepEqual({ ...scaled, name: '', controller: { ...scaled.controller, plasticity: { ...(scaled.controller as { plasticity: object }).plasticity, normalize: undefined } } }, { ...najarro, name: '', controller: { ...najarro.controller, plasticity: { ...(najarro.controller as { plasticity: object }).plasticity, normalize: undefined } } }, 'najarro-scaled is najarro with synaptic scaling only');
  const covScaled = runConfig(arm('plastic-cov-scaled'), STUDY_REGIMES['switched-fall-late-s10'], 1);
  const cov10 = runConfig(arm('plastic-cov'), STUDY_REGIMES['switched-fall-late-s10'], 1);
  const pl = (c: typeof cov10) => (c.controller as { plasticity: Record<string, unknown> }).plasticity;
  assert.equal(pl(covScaled).normalize, 'post');
  assert.deepEqual({ ...covScaled, name: '', controller: { ...covScaled.controller, plasticity: { ...pl(covScaled), normalize: undefined } } }, { ...cov10, name: '', controller: { ...cov10.controller, plasticity: { ...pl(cov10), normalize: undefined } } }, 'plastic-cov-scaled is plastic-cov with synaptic scaling only');
  const g = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10'], 1);
  const e = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late'], 1);
  assert.deepEqual({ ...g, name: '', optimizer: { ...g.optimizer, sigma: 0.05 } }, { ...e, name: '' }, "round g is round e' with only the search's σ changed");
  assert.equal(g.optimizer.sigma, 0.1);
  const long = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10-long'], 1);
  assert.deepEqual([long.episodeSeconds, long.episodeSecondsMax], [20, 60]);
  assert.deepEqual({ ...long, name: '', episodeSeconds: g.episodeSeconds, episodeSecondsMax: g.episodeSecondsMax }, { ...g, name: '' }, 'round i is round g with only the episode lengths changed');
  const heading = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10-heading'], 1);
  assert.equal(heading.reward.headingWeight, 1);
  assert.deepEqual({ ...heading, name: '', reward: { ...heading.reward, headingWeight: undefined } }, { ...g, name: '', reward: { ...g.reward, headingWeight: undefined } }, 'round j is round g with only the heading term added');
  assert.equal('headingWeight' in g.reward, false, 'and round g resolves as before');
  const quarter = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10-heading0.25'], 1);
  assert.deepEqual({ ...quarter, name: '', reward: { ...quarter.reward, headingWeight: 1 } }, { ...heading, name: '' }, "round j' is round j with only the weight changed");
  assert.equal(quarter.reward.headingWeight, 0.25);
  const long400 = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10-long400'], 1);
  assert.deepEqual(long400.longEpisodes, { fromGeneration: 400, episodeSeconds: 20, episodeSecondsMax: 60 });
  assert.deepEqual({ ...long400, name: '', longEpisodes: undefined }, { ...g, name: '', longEpisodes: undefined }, "round l' is round g with only the episode-length curriculum added");
  assert.equal('longEpisodes' in g, false, 'and round g resolves as before');
  const heading400 = runConfig(arm('static SNN'), STUDY_REGIMES['switched-fall-late-s10-heading400'], 1);
  assert.deepEqual([heading400.reward.headingWeight, heading400.reward.headingWeightFromGeneration], [0.5, 400]);
  assert.deepEqual({ ...heading400, name: '', reward: { ...heading400.reward, headingWeight: undefined, headingWeightFromGeneration: undefined } }, { ...g, name: '', reward: { ...g.reward, headingWeight: undefined, headingWeightFromGeneration: undefined } }, "round l'' is round g with only the late heading term added");
  assert.equal(configHash(plain), configHash(runConfig(arm('static SNN'), STUDY_REGIMES.switched, 1)));
  assert.equal('fallPenalty' in plain.reward, false, 'a config without the penalty resolves as before (the finished runs keep their hashes)');
});

// ---- a tiny study end to end -----------------------------------------------------------------

const TINY_ARMS: StudyArm[] = [
  // a config's own wall-clock cap does not bind in the study (the budget is generations): every run reaches 2
  { name: 'plastic', config: { ...tinyConfig({ generations: 2, minutes: 1e-6 }) } },
  { name: 'static SNN', config: { ...tinyConfig({ generations: 2, controller: { kind: 'static-snn', network: { hidden: 8 }, steps: 2, plasticity: { rule: 'none' } } }) } },
];
const TINY_REGIMES: Record<string, StudyRegime> = {
  flat: STUDY_REGIMES.flat,
  switched: { name: 'switched', description: 'tiny', overrides: { conditions: ['flat'], switches: { probability: 0.5, conditions: ['friction(mu=0.5)', 'payload(kg=0.25)'], atSeconds: [0.2, 0.6] }, episodeSecondsMax: 1.5 } },
};

function tinyStudy(out: string, results: string | null, over: Partial<StudyOptions> = {}, lines: string[] = []): StudyOptions {
  return {
    out,
    results,
    workers: 2,
    generations: 2,
    seeds: 2,
    arms: TINY_ARMS,
    regimes: TINY_REGIMES,
    matrix: [
      { arm: 'plastic', regime: 'switched' },
      { arm: 'static SNN', regime: 'switched' },
      { arm: 'plastic', regime: 'flat' },
      { arm: 'static SNN', regime: 'flat' },
    ],
    evaluation: {
      suite: { name: 'mini', description: '', conditions: ['flat', 'friction(mu=0.3)'] },
      episodes: 2,
      seconds: 1,
      switchConditions: ['friction(mu=0.3)', 'payload(kg=0.5)'],
      switchEpisodes: 2,
      switchSeconds: 2,
      switchAt: 1,
      window: 0.5,
      longEpisodes: 2,
      longSeconds: 3,
      longEarly: 1,
      seed: 7,
    },
    log: (l) => lines.push(l),
    ...over,
  };
}

test('a tiny study trains and evaluates on the pool, reports, resumes after a kill, and reuses the results directory on a fresh machine', async () => {
  const root = mkdtempSync(join(tmpdir(), 'spikeloco-study-'));
  try {
    const out = join(root, 'out'), results = join(root, 'results');
    const first = await runStudy(tinyStudy(out, results));
    assert.deepEqual(first.progress, { planned: 8, trained: 8, evaluated: 8 });
    assert.deepEqual(first.runs.map((r) => `${r.arm}/${r.regime}/${r.seed}/${r.generations}`), ['plastic/switched/0/2', 'plastic/switched/1/2', 'static SNN/switched/0/2', 'static SNN/switched/1/2', 'plastic/flat/0/2', 'plastic/flat/1/2', 'static SNN/flat/0/2', 'static SNN/flat/1/2']);
    const e = first.evaluations[0];
    assert.deepEqual(e.whole.map((c) => c.condition), ['flat', 'friction(mu=0.3)']);
    assert.deepEqual(e.switched.map((s) => s.condition), ['friction(mu=0.3)', 'payload(kg=0.5)']);
    assert.equal(e.switched[0].speed.length, 8, '2 s in 0.25-s bins');
    assert.equal(e.envSteps <= evaluationSteps(tinyStudy(out, results).evaluation, 0.05), true);
    assert.ok(e.long && Number.isFinite(e.long.speed) && e.long.episodes === 2);
    for (const s of e.switched) assert.ok(Number.isFinite(s.before) && (Number.isNaN(s.timeTo80) || s.timeTo80 >= 0.5), JSON.stringify(s));
    // the regimes reached the configs
    const cfg = (name: string) => policyFromFile(join(out, name, 'best.json')).config;
    assert.equal(cfg('plastic-switched-seed0').switches.probability, 0.5);
    assert.equal(cfg('plastic-switched-seed0').episodeSecondsMax, 1.5);
    assert.equal(cfg('static-SNN-flat-seed1').switches.probability, 0);
    assert.equal((cfg('static-SNN-flat-seed1').controller as { kind: string }).kind, 'static-snn');
    // results: every run's small files, and the report
    for (const f of ['study-run.json', 'best.json', 'log.csv', 'learning-curve.svg', 'evaluation.json']) assert.ok(existsSync(join(results, 'static-SNN-flat-seed1', f)), f);
    assert.ok(!existsSync(join(results, 'static-SNN-flat-seed1', 'checkpoint.json')), 'no checkpoints in the results');
    for (const f of ['study.md', 'study.json', 'switch-speed.svg', 'recovery-end.svg', 'recovery-after.svg', 'speed.svg', 'retention.svg']) {
      assert.ok(existsSync(join(out, f)) && existsSync(join(results, f)), f);
    }
    assert.match(readFileSync(join(results, 'switch-speed.svg'), 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    const md = readFileSync(join(out, 'study.md'), 'utf8');
    assert.match(md, /^Complete: 8 runs trained and evaluated\./);
    assert.match(md, /\| plastic \/ switched \| 2 \| -?\d+\.\d\d ± \d+\.\d\d \|/);
    assert.match(md, /\| plastic \/ flat \| static SNN \/ flat \| [-+]\d+\.\d\d \[-?\d+\.\d\d, -?\d+\.\d\d\] \|/);
    assert.match(md, /\| plastic \/ switched \| static SNN \/ switched \|/);
    assert.match(md, /\| friction\(mu=0\.3\) \| /);
    const json = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8'), jsonReviver) as typeof first;
    assert.deepEqual(json.evaluations, first.evaluations, 'study.json keeps NaN and ∞');

    // a simulated kill: one run lost its marker and its evaluation (here and in the results), its checkpoint stays
    const killed = 'static-SNN-switched-seed1';
    for (const d of [out, results]) for (const f of ['study-run.json', 'evaluation.json']) rmSync(join(d, killed, f));
    const kept = statSync(join(out, 'plastic-flat-seed0', 'best.json')).mtimeMs;
    const lines: string[] = [];
    const second = await runStudy(tinyStudy(out, results, {}, lines));
    assert.ok(lines.some((l) => l.includes('static SNN / switched seed 1: 2 generations (resumed)')), lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('trained before')).length, 7);
    assert.equal(lines.filter((l) => l.includes('evaluated before')).length, 7);
    assert.equal(statSync(join(out, 'plastic-flat-seed0', 'best.json')).mtimeMs, kept, 'finished runs are not retrained');
    assert.deepEqual(second.evaluations, first.evaluations, 'the resumed run and its new evaluation are the same as before');

    // a fresh machine: an empty out dir, the results dir only
    const fresh = join(root, 'fresh');
    const lines3: string[] = [];
    const third = await runStudy(tinyStudy(fresh, results, {}, lines3));
    assert.equal(lines3.filter((l) => l.includes('trained before') && l.includes(results)).length, 8);
    assert.ok(!existsSync(join(fresh, 'plastic-switched-seed0', 'checkpoint.json')), 'nothing trained');
    assert.deepEqual(third.evaluations, first.evaluations);

    // a part of the matrix (one run, one seed) reported alone, then the results' report again over every finished run
    const partOpts = tinyStudy(join(root, 'one'), results, { matrix: [{ arm: 'static SNN', regime: 'flat' }], seeds: 1 });
    await runStudy(partOpts);
    assert.match(readFileSync(join(results, 'study.md'), 'utf8'), /^Complete: 1 runs trained and evaluated\./);
    assert.deepEqual(finishedRuns(results, TINY_ARMS, TINY_REGIMES, [{ arm: 'static SNN', regime: 'flat' }]), {
      matrix: [{ arm: 'static SNN', regime: 'flat' }, { arm: 'plastic', regime: 'flat' }, { arm: 'plastic', regime: 'switched' }, { arm: 'static SNN', regime: 'switched' }],
      seeds: 2,
    });
    const whole = await reportAllFinished(partOpts);
    assert.deepEqual(whole?.matrix.map((k) => `${k.arm}/${k.regime}`), ['static SNN/switched', 'static SNN/flat', 'plastic/flat', 'plastic/switched']);
    assert.equal(whole?.seeds, 2);
    assert.match(readFileSync(join(results, 'study.md'), 'utf8'), /^Complete: 8 runs trained and evaluated\./);
    assert.equal(await reportAllFinished(tinyStudy(join(root, 'one'), results)), null, 'the whole matrix asked for: nothing more to report');
    // report-only with a changed arm: its runs are left out with a line, not an error
    const changedArms = TINY_ARMS.map((a) => (a.name === 'plastic' ? { ...a, controller: { network: { hidden: 9 } } } : a));
    const skipped: string[] = [];
    const left = await runStudy(tinyStudy(join(root, 'one'), results, { arms: changedArms, reportOnly: true }, skipped));
    assert.equal(left.runs.length, 4);
    assert.equal(skipped.filter((l) => /trained with another config .*left out of the report/.test(l)).length, 4, skipped.join('\n'));
    await reportAllFinished(tinyStudy(join(root, 'one'), results, { seeds: 1 }));

    // a partial report: two runs missing from a copy of the results
    const part = join(root, 'partial');
    cpSync(results, part, { recursive: true });
    rmSync(join(part, 'plastic-flat-seed1'), { recursive: true });
    rmSync(join(part, 'static-SNN-flat-seed0'), { recursive: true });
    const partial = await runStudy(tinyStudy(join(root, 'empty'), part, { reportOnly: true }));
    assert.deepEqual(partial.progress, { planned: 8, trained: 6, evaluated: 6 });
    assert.match(readFileSync(join(part, 'study.md'), 'utf8'), /^\*\*Partial study: 6 of 8 runs trained, 6 evaluated\.\*\*/);
    assert.match(readFileSync(join(part, 'study.md'), 'utf8'), /\| plastic \/ flat \| 1 \|/);

    // refusals: another budget or another config than the one the results were trained with
    await assert.rejects(runStudy(tinyStudy(join(root, 'x'), results, { generations: 3 })), /trained for 2 generations, this study asks for 3; pass --generations 2/);
    const changed = TINY_ARMS.map((a) => (a.name === 'plastic' ? { ...a, controller: { network: { hidden: 9 } } } : a));
    await assert.rejects(runStudy(tinyStudy(join(root, 'y'), results, { arms: changed })), /trained with another config/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// ---- the command -------------------------------------------------------------------------------

test('study --help names the matrix and the evaluation; unknown arms, regimes and empty filters are refused', async () => {
  const help = (await run(process.execPath, [BIN, 'study', '--help'])).stdout;
  for (const o of ['--runs', '--results', '--report-only', '--switch-at', '--long-seconds', '--redis']) assert.ok(help.includes(o), o);
  assert.ok(help.includes('plastic-cov/switched,static SNN/switched,MLP/switched,najarro/switched,plastic-cov/flat,static SNN/flat'));
  await assert.rejects(run(process.execPath, [BIN, 'study', '--runs', 'lstm/flat']), (e: { stderr: string }) => /unknown arm "lstm"; known: plastic/.test(e.stderr));
  await assert.rejects(run(process.execPath, [BIN, 'study', '--regimes', 'moon']), (e: { stderr: string }) => /no run of the matrix/.test(e.stderr));
  await assert.rejects(run(process.execPath, [BIN, 'study', '--switch-at', '30']), (e: { stderr: string }) => /--switch-at must be inside/.test(e.stderr));
});

test('study --rule-from adds an arm started from a learned rule; --report-only reports what is finished', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-study-rule-'));
  try {
    await run(process.execPath, [BIN, 'learn-rule', '--task', 'cue-reward', '--rule', 'hebbian-retro', '--iterations', '2', '--hidden', '8', '--batch', '4', '--quiet', '--out', join(dir, 'rule')], { maxBuffer: 1 << 24 });
    const suite = join(dir, 'suite.json');
    writeFileSync(suite, JSON.stringify({ name: 'mini', conditions: ['flat'] }));
    const out = join(dir, 'study'), results = join(dir, 'results');
    const small = ['--generations', '1', '--seeds', '1', '--episodes', '1', '--seconds', '1', '--suite', suite, '--switch', 'none', '--long-episodes', '0', '--workers', '2'];
    const r = await run(process.execPath, [BIN, 'study', '--out', out, '--results', results, '--runs', 'static SNN/flat', '--rule-from', join(dir, 'rule', 'rule.json'), ...small], { maxBuffer: 1 << 24 });
    assert.match(r.stderr, /rule .*rule\.json: copied .*eta/);
    assert.match(r.stdout, /^Complete: 2 runs trained and evaluated\./);
    // the files in --results report the whole study (the default matrix and the rule arm), not only the part run
    assert.match(readFileSync(join(results, 'study.md'), 'utf8'), /^\*\*Partial study: 2 of 7 runs trained, 2 evaluated\.\*\*/);
    const p = policyFromFile(join(out, 'plastic-hebbian-retro-from-learned-rule-flat-seed0', 'best.json'));
    assert.equal((p.config.controller as { plasticity: { rule: string } }).plasticity.rule, 'hebbian-retro');
    const again = await run(process.execPath, [BIN, 'study', '--report-only', '--out', join(dir, 'other'), '--results', results, '--runs', 'static SNN/flat,plastic/flat', ...small], { maxBuffer: 1 << 24 });
    assert.match(again.stdout, /^\*\*Partial study: 1 of 2 runs trained, 1 evaluated\.\*\*/);
    assert.match(again.stderr, /plastic \/ flat seed 0: not trained yet/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
