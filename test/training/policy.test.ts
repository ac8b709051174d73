/**
 * The policy module: the shipped pretrained best.json loads through `loadPolicy` (read once),
 * and its controller, wrapped by the observation normaliser, acts exactly as the policy's
 * controller fed by hand-normalised observations did (the normalising callback it replaced).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocomotionEnv } from '../../sim/env.js';
import { createController } from '../../controllers/index.js';
import { loadPolicy, policyController, resolvePolicy, policyPath } from '../../training/policy.js';
import { NormalizedInputs, Normalizer, RunningStats, normalizeWith } from '../../training/normalizer.js';

const PRETRAINED = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));

test('the shipped pretrained policy loads once, with its parts typed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-policy-'));
  try {
    const path = join(dir, 'best.json');
    copyFileSync(PRETRAINED, path);
    const p = loadPolicy(policyPath(dir));
    assert.equal(p.path, path);
    assert.equal(p.controller.kind, 'plastic-snn');
    assert.equal(p.morphology.name, 'ant');
    assert.ok(p.normalizer, 'trained with normalised observations');
    assert.equal(p.episodeSeconds, p.file.config.episodeSeconds);
    assert.deepEqual(p.reward, p.file.config.reward);
    assert.match(p.label, /^plastic-snn \(.*best\.json, generation \d+\)$/);
    // everything a run needs is in memory: the file may go away
    rmSync(path);
    const env = await LocomotionEnv.create({ morphology: p.morphology, reward: p.reward });
    try {
      const r = resolvePolicy(p, env, 0);
      assert.ok(r.controller instanceof NormalizedInputs, 'the normaliser wraps the controller');
      assert.equal(r.policy, p);
      assert.equal(r.label, p.label);
    } finally {
      env.free();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the normaliser wrapper acts bitwise like normalising by hand', async () => {
  const p = loadPolicy(PRETRAINED);
  const env = await LocomotionEnv.create({ morphology: p.morphology, reward: p.reward });
  try {
    const wrapped = policyController(p, env.obsSize, env.actSize);
    const bare = createController(p.controller, env.obsSize, env.actSize, p.genome);
    const f = Normalizer.fromState(p.file.normalizer).frozen();
    const input = new Float32Array(env.obsSize);
    const traces: number[][] = [[], []];
    for (const [k, c] of [wrapped, bare].entries()) {
      let obs = env.reset(5);
      c.reset(5);
      let reward = 0;
      for (let t = 0; t < 40; t++) {
        let x = obs;
        if (c === bare) {
          normalizeWith(f.mean, f.invStd, f.clip, obs, input);
          x = input;
        }
        const a = c.act(x, reward);
        traces[k].push(...a);
        const r = env.step(a);
        obs = r.obs;
        reward = r.reward;
      }
    }
    assert.deepEqual(traces[0], traces[1]);
    assert.ok(traces[0].some((v) => v !== 0));
  } finally {
    env.free();
  }
});

test('the wrapper collects the raw observations it sees, with or without frozen values', () => {
  const inner = createController({ kind: 'zero' }, 3, 2);
  const stats = new RunningStats(3);
  const w = new NormalizedInputs(inner, null, stats);
  w.act(Float32Array.from([1, 2, 3]));
  w.setFrozen({ mean: Float32Array.from([1, 1, 1]), invStd: Float32Array.from([2, 2, 2]), clip: 5 });
  w.act(Float32Array.from([3, 4, 5]));
  assert.equal(stats.count, 2);
  assert.deepEqual(Array.from(stats.mean), [2, 3, 4]);
  w.collectInto(null);
  w.act(Float32Array.from([3, 4, 5]));
  assert.equal(stats.count, 2);
  assert.throws(() => w.setFrozen({ mean: new Float32Array(2), invStd: new Float32Array(2), clip: 1 }), /2 dimensions/);
});
