import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../training/bptt/backend.js';
import { BpttTrainer, parseLearnConfig, runLearnRule, learnControllerConfig } from '../../training/bptt/learn.js';
import { applyRuleToGenome, loadRule, isPlasticitySlice } from '../../training/bptt/rule.js';
import { snnGenomeLayout } from '../../controllers/snn.js';
import { readCheckpoint } from '../../training/checkpoint.js';
import { main } from '../../cli/main.js';
import { command, run } from '../../cli/learn-rule.js';
import { parseArgs } from '../../cli/args.js';

const TINY_TASK = { nCues: 3, cueBits: 6, trials: 6, evalFrom: 3 };
const tiny = (over: Record<string, unknown> = {}) =>
  parseLearnConfig({ task: 'cue-reward', taskConfig: TINY_TASK, rule: 'hebbian-neuromod', batch: 8, evalBatch: 16, seed: 4, controller: { network: { hidden: 12 } }, ...over });

test('a few BPTT iterations on a tiny cue-reward problem reduce the loss; tensor count stays flat', async () => {
  await initBackend();
  const tr = new BpttTrainer(tiny({ learningRate: 0.03 }));
  const ev = tr.evalBatch();
  const before = tr.evaluate(ev).loss;
  tr.step();
  const n0 = tf.memory().numTensors;
  for (let i = 0; i < 24; i++) tr.step();
  assert.equal(tf.memory().numTensors, n0, 'tensors leak across iterations');
  const after = tr.evaluate(ev).loss;
  assert.ok(after < before - 0.02, `held-out loss ${before} → ${after}`);
  tr.dispose();
});

test('truncated BPTT runs chunk by chunk without leaking', async () => {
  await initBackend();
  const tr = new BpttTrainer(tiny({ truncation: 7 }));
  tr.step();
  const n0 = tf.memory().numTensors;
  const s = tr.step();
  assert.equal(tf.memory().numTensors, n0);
  assert.ok(Number.isFinite(s.loss) && s.gradNorm > 0);
  tr.dispose();
});

test('runLearnRule: resume continues the same trajectory; rule.json round-trips through applyRuleToGenome', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bptt-'));
  try {
    const cfg = tiny({ rule: 'bcm-neuromod', iterations: 4, evalEvery: 2, checkpointEvery: 2 });
    const a = await runLearnRule(cfg, { outDir: join(dir, 'a') });
    await runLearnRule({ ...cfg, iterations: 2 }, { outDir: join(dir, 'b') });
    const b = await runLearnRule(cfg, { outDir: join(dir, 'b'), resume: true, iterations: 4 });
    const ga = readCheckpoint<{ genome: Float32Array }>(a.checkpointPath, 'bptt-run').data.genome;
    const gb = readCheckpoint<{ genome: Float32Array; iteration: number }>(b.checkpointPath, 'bptt-run').data;
    assert.equal(gb.iteration, 4);
    assert.deepEqual(gb.genome, ga);
    assert.equal(readFileSync(join(dir, 'b', 'log.csv'), 'utf8').trim().split('\n').length, 1 + 4);

    const rule = loadRule(a.rulePath!);
    assert.equal(rule.rule, 'bcm-neuromod');
    assert.ok(rule.eta && rule.tauTheta.output > 0 && rule.tauTheta.output < 1);
    assert.ok(rule.neuromodulator.output.w.length === 12);
    assert.ok(rule.alphaStats.output.n === 12 * 1);
    // same network: every plasticity slice is copied exactly
    const ctl = learnControllerConfig('bcm-neuromod', { network: { hidden: 12 } });
    const layout = snnGenomeLayout(ctl, 8, 1);
    const fresh = layout.initialize(99);
    const rep = applyRuleToGenome(rule, layout, fresh, { freeze: true });
    assert.deepEqual(rep.resampled, []);
    for (const s of layout.slices) if (isPlasticitySlice(s.name)) assert.deepEqual(Array.from(layout.view(fresh, s.name)), Array.from(layout.view(ga, s.name)), s.name);
    assert.deepEqual(rep.frozen, rep.copied);
    assert.equal(rep.frozenMask.reduce((x, v) => x + v, 0), rep.copied.reduce((x, n) => x + layout.slice(n).size, 0));
    // a bigger locomotion-sized network: scalars copied, per-synapse slices resampled
    const big = learnControllerConfig('bcm-neuromod', { network: { hidden: 40 } });
    const bl = snnGenomeLayout(big, 27, 8);
    const bg = bl.initialize(1);
    const rb = applyRuleToGenome(rule, bl, bg);
    assert.ok(rb.copied.includes('output.tauTheta') && rb.copied.includes('output.mod.bias'));
    assert.ok(rb.resampled.includes('output.alpha'));
    assert.equal(rb.frozen.length, 0);
    assert.throws(() => applyRuleToGenome(rule, bl, bg, { targetRule: 'oja' }), /bcm-neuromod/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('learn-rule CLI on a tiny config writes rule.json, a checkpoint and log files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bptt-cli-'));
  try {
    const out = join(dir, 'rules', 'tiny');
    const cfgPath = join(dir, 'cfg.json');
    (await import('node:fs')).writeFileSync(cfgPath, JSON.stringify({ taskConfig: TINY_TASK, evalBatch: 8, controller: { network: { hidden: 8 } } }));
    const log = console.log;
    console.log = () => undefined;
    let code: number;
    try {
      code = await run(parseArgs(command, ['--task', 'cue-reward', '--rule', 'oja', '--out', out, '--iterations', '3', '--batch', '4', '--seed', '2', '--noise', '0.3', '--truncation', '12', '--config', cfgPath, '--quiet']));
    } finally {
      console.log = log;
    }
    assert.equal(code, 0);
    for (const f of ['rule.json', 'checkpoint.json', 'log.jsonl', 'log.csv']) assert.ok(existsSync(join(out, f)), f);
    const r = loadRule(join(out, 'rule.json'));
    assert.equal(r.rule, 'oja');
    assert.equal(r.trainedOn.noise, 0.3);
    assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 3);
    // only columns learn-rule has: no ES population columns (sd, best/mean of a population) full of NaN
    const csv = readFileSync(join(out, 'log.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'generation,evaluations,envSteps,elapsedS,stepsPerS,loss,metric,evalLoss,evalMetric,bestEvalMetric,gradNorm');
    const last = csv[csv.length - 1].split(',').map(Number);
    for (const [i, name] of csv[0].split(',').entries()) if (name !== 'evalLoss' && name !== 'evalMetric') assert.ok(Number.isFinite(last[i]), `${name} = ${last[i]}`);
    // unknown flags are usage errors through the shared parser
    assert.throws(() => parseArgs(command, ['--nope']), /unknown option/);
    void main;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
