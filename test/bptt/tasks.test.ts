import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CueRewardTask } from '../../training/bptt/cue-reward.js';
import { PatternMemoryTask } from '../../training/bptt/pattern-memory.js';
import { maskedMse, signAccuracy } from '../../training/bptt/task.js';
import { deriveSeed } from '../../core/rng.js';

test('cue-reward: shapes, determinism per seed, episodes independent of batch', () => {
  const task = new CueRewardTask();
  assert.equal(task.nIn, 10);
  assert.equal(task.steps, 12 * 8);
  const a = task.generate(5, 4);
  const b = task.generate(5, 4);
  const c = task.generate(6, 4);
  assert.equal(a.inputs.length, task.steps * 4 * task.nIn);
  assert.equal(a.targets.length, task.steps * 4);
  assert.deepEqual(a.inputs, b.inputs);
  assert.notDeepEqual(a.inputs, c.inputs);
  // episode 1 of a batch of 4 equals episode 1 of a batch of 2
  const d = task.generate(5, 2);
  for (let t = 0; t < task.steps; t++) for (let i = 0; i < task.nIn; i++) assert.equal(d.inputs[(t * 2 + 1) * task.nIn + i], a.inputs[(t * 4 + 1) * task.nIn + i]);
  // loss on 2 response steps per trial, metric on trials 6..11
  const sum = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
  assert.equal(sum(a.lossMask), 4 * 12 * 2);
  assert.equal(sum(a.metricMask), 4 * 6 * 2);
});

test('cue-reward: a hand-checkable small case', () => {
  const task = new CueRewardTask({ nCues: 2, cueBits: 3, trials: 2, cueSteps: 1, respSteps: 1, rewardSteps: 1, gapSteps: 1, evalFrom: 1 });
  const b = task.generate(11, 1);
  const ep = task.episode(deriveSeed(11, 0));
  assert.equal(b.steps, 8);
  for (let k = 0; k < 2; k++) {
    const cue = Array.from(ep.cues[ep.shown[k]]);
    const pays = ep.shown[k] === ep.target ? 1 : -1;
    const row = (t: number) => Array.from(b.inputs.subarray(t * 5, t * 5 + 5));
    assert.deepEqual(row(4 * k), [...cue, 0, 0]); // cue
    assert.deepEqual(row(4 * k + 1), [...cue, 1, 0]); // respond
    assert.deepEqual(row(4 * k + 2), [...cue, 0, pays]); // reward
    assert.deepEqual(row(4 * k + 3), [0, 0, 0, 0, 0]); // gap
    assert.equal(b.targets[4 * k + 1], pays);
    assert.equal(b.reward[4 * k + 2], pays);
    assert.equal(b.metricMask[4 * k + 1], k >= 1 ? 1 : 0);
  }
  // the target is shown about half the time over many episodes
  const big = new CueRewardTask({ trials: 40, evalFrom: 1 });
  let pays = 0, n = 0;
  for (let s = 0; s < 50; s++) { const e = big.episode(s); pays += e.shown.filter((x) => x === e.target).length; n += e.shown.length; }
  assert.ok(Math.abs(pays / n - 0.5) < 0.05, String(pays / n));
});

test('pattern-memory: shapes, degraded probe, metric only on zeroed bits', () => {
  const task = new PatternMemoryTask({ nPatterns: 2, bits: 4, showSteps: 1, gapSteps: 1, repeats: 1, probeSteps: 2 });
  assert.equal(task.steps, 2 * 2 + 2);
  const b = task.generate(3, 2);
  assert.deepEqual(b.inputs, task.generate(3, 2).inputs);
  const ep = task.episode(deriveSeed(3, 1));
  const row = (t: number) => Array.from(b.inputs.subarray((t * 2 + 1) * 5, (t * 2 + 1) * 5 + 5));
  assert.deepEqual(row(0), [...ep.patterns[0], 0]);
  assert.deepEqual(row(1), [0, 0, 0, 0, 0]);
  assert.deepEqual(row(2), [...ep.patterns[1], 0]);
  const probe = ep.patterns[ep.probe];
  assert.equal(ep.zeroed.reduce((s, v) => s + v, 0), 2);
  assert.deepEqual(row(4), [...Array.from(probe, (x, i) => (ep.zeroed[i] ? 0 : x)), 1]);
  assert.equal(b.lossMask[4 * 2 + 1], 0); // first probe step: no loss
  assert.equal(b.lossMask[5 * 2 + 1], 1);
  assert.deepEqual(Array.from(b.targets.subarray((5 * 2 + 1) * 4, (5 * 2 + 1) * 4 + 4)), Array.from(probe));
  assert.deepEqual(Array.from(b.metricMask.subarray((5 * 2 + 1) * 4, (5 * 2 + 1) * 4 + 4)), Array.from(ep.zeroed));
  // perfect outputs: loss 0, accuracy 1; flipped: accuracy 0
  assert.equal(maskedMse(b, b.targets), 0);
  assert.equal(signAccuracy(b, b.targets), 1);
  assert.equal(signAccuracy(b, b.targets.map((x) => -x)), 0);
});

test('input noise: zero-mean with the requested std, reward channel kept equal to reward', () => {
  const task = new CueRewardTask();
  const clean = task.generate(1, 8);
  const noisy = task.generate(1, 8, 0.5);
  let s = 0, s2 = 0;
  for (let i = 0; i < clean.inputs.length; i++) { const d = noisy.inputs[i] - clean.inputs[i]; s += d; s2 += d * d; }
  const n = clean.inputs.length;
  assert.ok(Math.abs(s / n) < 0.03);
  assert.ok(Math.abs(Math.sqrt(s2 / n) - 0.5) < 0.03);
  for (let t = 0; t < task.steps; t++) for (let e = 0; e < 8; e++) assert.equal(noisy.reward[t * 8 + e], noisy.inputs[(t * 8 + e) * task.nIn + task.nIn - 1]);
  assert.deepEqual(noisy.targets, clean.targets);
});
