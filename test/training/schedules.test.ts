/**
 * Episode schedules (issue #14): episode lengths drawn per generation and a training condition
 * switched on mid-episode, derived on the coordinator (train.ts `episodeSpec`), run for real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { episodeSpec, rewardCurriculum, train } from '../../training/train.js';
import { parseTrainConfig } from '../../training/config.js';
import { SUITES, unseenReason } from '../../training/suites.js';
import { combineConditions } from '../../sim/conditions.js';
import { deriveSeed } from '../../core/rng.js';
import { tinyConfig } from './tiny-config.js';
import { loadPolicy } from '../../training/policy.js';
import { antSpec } from '../../morphologies/ant.js';

const DT = 0.05;
const tmp = () => mkdtempSync(join(tmpdir(), 'spikeloco-sched-'));

test('no range and no switches: the fixed-length episode of before (seed, length, condition)', () => {
  const cfg = tinyConfig({ episodeSeconds: 2, conditions: ['flat', 'slope(deg=3)'] });
  for (const [s, k] of [[0, 0], [3, 0], [7, 0]]) {
    const e = episodeSpec(cfg, DT, s, k);
    assert.deepEqual(e, { seed: deriveSeed(cfg.seed, s, k), maxSteps: 40, condition: cfg.conditions[s % 2], switches: [] });
  }
  assert.equal(episodeSpec(cfg, DT, 5, 0, 3).seed, deriveSeed(cfg.seed, 5, 3, 0), 'centre evaluations: distinct seeds per evaluation');
});

test('episode lengths: drawn per generation inside [episodeSeconds, episodeSecondsMax], common to all members; centre evaluations use the longest', () => {
  const cfg = tinyConfig({ episodeSeconds: 10, episodeSecondsMax: 30 });
  const lengths = Array.from({ length: 200 }, (_, s) => episodeSpec(cfg, DT, s, 0).maxSteps);
  assert.ok(lengths.every((n) => n >= 200 && n <= 600), 'inside the range');
  assert.ok(Math.min(...lengths) < 260 && Math.max(...lengths) > 540, `spread over the range: ${Math.min(...lengths)}–${Math.max(...lengths)} steps`);
  assert.equal(episodeSpec(cfg, DT, 4, 0).maxSteps, episodeSpec(cfg, DT, 4, 0).maxSteps);
  assert.equal(episodeSpec(cfg, DT, 4, 0, 2).maxSteps, 600);
  assert.throws(() => parseTrainConfig({ controller: {}, episodeSeconds: 10, episodeSecondsMax: 5 }), /episodeSecondsMax/);
});

test('switches: with probability p a condition of the list at a time inside atSeconds, combined with the starting condition', () => {
  const cfg = tinyConfig({ episodeSeconds: 10, conditions: ['flat', 'slope(deg=3)'], switches: { probability: 0.5, conditions: ['friction(mu=0.5)', 'payload(kg=0.25)'], atSeconds: [3, 8] } });
  let switched = 0;
  for (let s = 0; s < 400; s++) {
    const e = episodeSpec(cfg, DT, s, 0);
    if (!e.switches.length) continue;
    switched++;
    const [sw] = e.switches;
    assert.ok(sw.atStep >= 60 && sw.atStep <= 160, `switch at step ${sw.atStep}`);
    const base = cfg.conditions[s % 2];
    assert.ok([combineConditions(base, 'friction(mu=0.5)'), combineConditions(base, 'payload(kg=0.25)')].includes(sw.condition), sw.condition);
  }
  assert.ok(switched > 160 && switched < 240, `${switched} of 400 episodes switched at p = 0.5`);
  // a curriculum: no switch before fromGeneration, the same draws from then on
  const later = tinyConfig({ ...cfg, switches: { ...cfg.switches, fromGeneration: 200 } });
  for (let s = 0; s < 400; s++) assert.deepEqual(episodeSpec(later, DT, s, 0), s < 200 ? { ...episodeSpec(cfg, DT, s, 0), switches: [] } : episodeSpec(cfg, DT, s, 0));
  assert.equal(combineConditions('flat', 'friction(mu=0.5)'), 'friction(mu=0.5)');
  assert.equal(combineConditions('slope(deg=3)', 'friction(mu=0.5)'), 'slope(deg=3)+friction(mu=0.5)');
  assert.equal(combineConditions('slope(deg=3)', 'slope(deg=5)'), 'slope(deg=5)', 'a terrain replaces the terrain');
  assert.equal(combineConditions('friction(mu=0.7)', 'friction(mu=0.5)'), 'friction(mu=0.5)', 'a term replaces its namesake');
});

test('switch conditions are checked like training conditions: held-out ones are refused, the switches suite is trainable', () => {
  const over = (conditions: string[]) => ({ controller: {}, switches: { probability: 0.5, conditions, atSeconds: [2, 5] } });
  assert.throws(() => parseTrainConfig(over(['damaged(leg=front-left, length=0.2)'])), /switches\.conditions\[0\].*held out/);
  assert.throws(() => parseTrainConfig(over(['friction(mu=0.3)'])), /switches\.conditions\[0\].*held out/);
  assert.throws(() => parseTrainConfig(over(['friction(mu=0.5'])), /switches\.conditions\[0\]/);
  assert.throws(() => parseTrainConfig(over([])), /switches\.conditions/);
  assert.throws(() => parseTrainConfig({ controller: {}, episodeSeconds: 4, switches: { probability: 1, conditions: ['friction(mu=0.5)'], atSeconds: [5, 6] } }), /switches\.atSeconds/);
  for (const c of SUITES.switches.conditions) assert.equal(unseenReason(c), null, `${c} is trainable`);
  assert.equal(unseenReason('damaged(leg=back-left, length=0.1)'), null);
  assert.notEqual(unseenReason('damaged(leg=front-left, length=0.3)'), null, 'the held-out leg, any length');
});

test('training with switched episodes of varying length runs on the real pool, bitwise the same on 1 and 2 workers', async () => {
  const cfg = tinyConfig({ episodeSeconds: 1, episodeSecondsMax: 2, generations: 4, switches: { probability: 1, conditions: ['damaged(leg=back-right, length=0.1)', 'push(force=200, every=0.5)'], atSeconds: [0.3, 0.8] } });
  const a = await train(cfg, { outDir: tmp(), workers: 1, progress: null });
  const b = await train(cfg, { outDir: tmp(), workers: 2, progress: null });
  assert.deepEqual(a.history.map((h) => [h.best, h.mean, h.envSteps]), b.history.map((h) => [h.best, h.mean, h.envSteps]));
  // episodes of different lengths: the generations' step counts differ (population × length)
  const perGen = a.history.map((h, i) => h.envSteps - (i ? a.history[i - 1].envSteps : 0));
  assert.ok(new Set(perGen).size > 1, `steps per generation ${perGen.join(', ')}`);
  assert.ok(a.history.every((h) => Number.isFinite(h.mean)));
});

test('a switch curriculum: best.json comes from a centre evaluated with switches once they have started', async () => {
  const cfg = tinyConfig({ generations: 4, checkpointEvery: 1, switches: { probability: 1, conditions: ['damaged(leg=back-right, length=0.1)'], atSeconds: [0.2, 0.5], fromGeneration: 2 } });
  const r = await train(cfg, { outDir: tmp(), workers: 2, progress: null });
  assert.ok(r.best.generation >= 3, `best from generation ${r.best.generation} (switches from generation 2 on, i.e. centres after generation 3 and 4)`);
});

test('trainingHealthyZ: training episodes end on the stricter band, the policy is judged on the robot\'s own', async () => {
  assert.throws(() => parseTrainConfig({ controller: {}, trainingHealthyZ: [0.9, 0.5] }), /trainingHealthyZ/);
  assert.throws(() => parseTrainConfig({ controller: {}, trainingHealthyZ: [0.2] }), /trainingHealthyZ/);
  assert.equal('trainingHealthyZ' in tinyConfig(), false, 'absent unless given (old configs keep their hash)');
  // the Ant spawns with its torso at 0.75 m: a band topped at 0.7 ends every training episode at once
  const cfg = tinyConfig({ generations: 2, checkpointEvery: 1, trainingHealthyZ: [0.2, 0.7] });
  const dir = tmp();
  const strict = await train(cfg, { outDir: dir, workers: 1, progress: null });
  const steps = strict.history[0].envSteps;
  assert.equal(steps, cfg.optimizer.popSize + cfg.finalEpisodes, `one control step per member episode and per centre evaluation (${steps})`);
  const plain = await train(tinyConfig({ generations: 2, checkpointEvery: 1 }), { outDir: tmp(), workers: 1, progress: null });
  assert.ok(plain.history[0].envSteps > 10 * steps, `the robot's own band: ${plain.history[0].envSteps} steps`);
  // what evaluates the policy (eval, study, watch, rollout) builds the robot from its name
  const policy = loadPolicy(join(dir, 'best.json'));
  assert.deepEqual(policy.file.config.trainingHealthyZ, [0.2, 0.7]);
  assert.deepEqual(policy.morphology.healthyZ, antSpec().healthyZ);
});

test('a fall-penalty curriculum: reward.fallPenalty counts from reward.fallPenaltyFromGeneration on, in the members\' and the centre\'s fitness', async () => {
  assert.throws(() => parseTrainConfig({ controller: {}, reward: { fallPenaltyFromGeneration: -1 } }), /fallPenaltyFromGeneration/);
  assert.equal('fallPenaltyFromGeneration' in tinyConfig().reward, false, 'absent unless given (old configs keep their hash)');
  // a band topped at 0.7 ends every training episode on its first step: every episode "falls"
  const base = { generations: 4, checkpointEvery: 1, trainingHealthyZ: [0.2, 0.7] as [number, number] };
  const plain = await train(tinyConfig(base), { outDir: tmp(), workers: 2, progress: null });
  const cfg = tinyConfig({ ...base, reward: { ...tinyConfig().reward, fallPenalty: 40, fallPenaltyFromGeneration: 2 } });
  const late = await train(cfg, { outDir: tmp(), workers: 2, progress: null });
  for (const g of [0, 1]) {
    assert.equal(late.history[g].mean, plain.history[g].mean, `generation ${g + 1}: no penalty yet`);
    assert.equal(late.history[g].extra.centerFitness, plain.history[g].extra.centerFitness);
  }
  // every member pays the same constant, so ranks and hence the search stay the same: fitness is exactly 40 lower
  for (const g of [2, 3]) {
    assert.ok(Math.abs(plain.history[g].mean - late.history[g].mean - 40) < 1e-9, `generation ${g + 1}: ${plain.history[g].mean} vs ${late.history[g].mean}`);
    assert.ok(Math.abs(plain.history[g].extra.centerFitness - late.history[g].extra.centerFitness - 40) < 1e-9);
  }
  assert.ok(late.best.generation >= 3, `best from a centre evaluated with the penalty (generation ${late.best.generation})`);
});

test('a reward curriculum: each term off before its generation, one spec per phase, phases counted', () => {
  const made: Array<Record<string, unknown>> = [];
  const make = (reward: Record<string, unknown>) => {
    made.push(reward);
    return { key: JSON.stringify(reward) } as never;
  };
  const at = rewardCurriculum({ forwardWeight: 1, ctrlCostWeight: 0.5, healthyReward: 0.25, fallPenalty: 100, fallPenaltyFromGeneration: 150, headingWeight: 0.5, headingWeightFromGeneration: 400 }, make);
  const reward = (g: number) => JSON.parse((at(g) as unknown as { key: string }).key);
  assert.deepEqual(reward(0), { forwardWeight: 1, ctrlCostWeight: 0.5, healthyReward: 0.25, fallPenalty: 0, headingWeight: 0 });
  assert.deepEqual(reward(149), reward(0));
  assert.deepEqual(reward(150), { forwardWeight: 1, ctrlCostWeight: 0.5, healthyReward: 0.25, fallPenalty: 100, headingWeight: 0 });
  assert.deepEqual(reward(400), { forwardWeight: 1, ctrlCostWeight: 0.5, healthyReward: 0.25, fallPenalty: 100, headingWeight: 0.5 });
  assert.deepEqual([0, 149, 150, 399, 400, 800].map(at.phase), [0, 0, 1, 1, 2, 2]);
  assert.equal(at(10), at(20), 'the same spec within a phase (workers cache policies by key)');
  assert.equal(made.length, 3);
  // a term without a weight, or from generation 0, is no phase
  const plain = rewardCurriculum({ forwardWeight: 1, ctrlCostWeight: 0.5, healthyReward: 1, headingWeightFromGeneration: 5 }, make);
  assert.deepEqual([0, 5, 9].map(plain.phase), [0, 0, 0]);
  assert.equal(plain(0), plain(9));
  assert.throws(() => parseTrainConfig({ controller: {}, reward: { headingWeightFromGeneration: 1.5 } }), /headingWeightFromGeneration/);
  assert.equal('headingWeightFromGeneration' in tinyConfig().reward, false, 'absent unless given (old configs keep their hash)');
});

test('a heading-cost curriculum in training: generations before it are those of the run without the term, the first one after pays it', async () => {
  const base = { generations: 3, checkpointEvery: 1, episodeSeconds: 2 };
  const plain = await train(tinyConfig(base), { outDir: tmp(), workers: 2, progress: null });
  const late = await train(tinyConfig({ ...base, reward: { ...tinyConfig().reward, headingWeight: 5, headingWeightFromGeneration: 2 } }), { outDir: tmp(), workers: 2, progress: null });
  for (const g of [0, 1]) {
    assert.equal(late.history[g].mean, plain.history[g].mean, `generation ${g + 1}: no heading cost yet`);
    assert.equal(late.history[g].extra.centerFitness, plain.history[g].extra.centerFitness);
  }
  // the same population in generation 3 (same ranks before), each member's return less a cost ≥ 0
  assert.ok(late.history[2].mean < plain.history[2].mean, `generation 3: ${late.history[2].mean} < ${plain.history[2].mean}`);
  assert.equal(late.best.generation, 3, 'the best is the centre evaluated with the heading cost');
});

test('an episode-length curriculum: longEpisodes lengths from its generation on, the centre evaluated on its longest', () => {
  const cfg = tinyConfig({ episodeSeconds: 10, episodeSecondsMax: 40, longEpisodes: { fromGeneration: 100, episodeSeconds: 20, episodeSecondsMax: 60 } });
  const plain = tinyConfig({ episodeSeconds: 10, episodeSecondsMax: 40 });
  for (let s = 0; s < 100; s++) assert.deepEqual(episodeSpec(cfg, DT, s, 0), episodeSpec(plain, DT, s, 0), `generation ${s}: as without the curriculum`);
  const late = Array.from({ length: 100 }, (_, i) => episodeSpec(cfg, DT, 100 + i, 0).maxSteps);
  assert.ok(late.every((n) => n >= 400 && n <= 1200), 'inside [20, 60] s');
  assert.ok(Math.min(...late) < 500 && Math.max(...late) > 1100, `spread: ${Math.min(...late)}–${Math.max(...late)}`);
  assert.equal(episodeSpec(cfg, DT, 99, 0, 1).maxSteps, 800, 'centre before: 40 s');
  assert.equal(episodeSpec(cfg, DT, 100, 0, 1).maxSteps, 1200, 'centre after: 60 s');
  assert.equal('longEpisodes' in plain, false, 'absent unless given (old configs keep their hash)');
  assert.throws(() => tinyConfig({ longEpisodes: { fromGeneration: 5, episodeSeconds: 30, episodeSecondsMax: 20 } }), /longEpisodes\.episodeSecondsMax/);
  assert.throws(() => tinyConfig({ longEpisodes: { episodeSeconds: 30 } }), /fromGeneration/);
  assert.throws(() => tinyConfig({ episodeSeconds: 10, switches: { probability: 0.5, conditions: ['friction(mu=0.5)'], atSeconds: [3, 8] }, longEpisodes: { fromGeneration: 5, episodeSeconds: 2 } }), /longEpisodes\.episodeSeconds/);
});
