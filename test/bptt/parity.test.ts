import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { parseControllerConfig } from '../../controllers/config.js';
import { SnnController } from '../../controllers/snn.js';
import { initBackend } from '../../training/bptt/backend.js';
import { GraphSnn, disposeState } from '../../training/bptt/graph-snn.js';
import { surrogateSpec } from '../../training/bptt/surrogate.js';

/**
 * A genome with strong plasticity (α, fan-out ~ N(0, 0.2²), η ≈ 0.12) so that Hebb matters
 * within 200 steps. Much larger values (α, fan-out ~ N(0, 0.25²) or more, with a plastic recurrent or retro loop) make the plastic loop
 * V → y → E → Hebb → V expand errors (loop gain > 1): both implementations then still spike
 * identically, but float32 rounding differences grow to ~1e-3 on membranes of size ~1–100.
 */
function strongGenome(ctl: SnnController, seed: number): Float32Array {
  const L = ctl.layout;
  const g = L.initialize(seed);
  const rng = new Rng(seed + 1);
  for (const s of L.slices) {
    const v = L.view(g, s.name);
    if (s.name.endsWith('.alpha')) for (let i = 0; i < v.length; i++) v[i] = 0.2 * rng.normal();
    if (s.name.endsWith('.mod.fanout') || s.name.endsWith('.mod.reward')) for (let i = 0; i < v.length; i++) v[i] = 0.2 * rng.normal();
    if (s.name.endsWith('.eta')) v[0] = -2; // η ≈ 0.12
    if (s.name.endsWith('.tauTheta')) v[0] = -1; // τ ≈ 0.27
    if (s.name.endsWith('.beta')) for (let i = 0; i < v.length; i++) v[i] = 1 + 0.5 * rng.normal();
  }
  return g;
}

const CASES: [string, unknown][] = [
  ['hebbian output, leaky, membrane decoder', { steps: 1, network: { hidden: 24 }, plasticity: { rule: 'hebbian' } }],
  ['static-snn, recurrent, rate decoder', { kind: 'static-snn', steps: 1, network: { hidden: 20, recurrent: true }, decoder: { kind: 'rate' } }],
  ['oja input+output, zero reset, population decoder, learnBeta', { steps: 1, network: { hidden: 16, reset: 'zero', learnBeta: true }, decoder: { kind: 'population', neuronsPerAction: 4 }, plasticity: { rule: 'oja', connections: ['input', 'output'] } }],
  ['bcm-neuromod recurrent+output, synaptic', { steps: 1, network: { hidden: 20, recurrent: true, neuron: 'synaptic' }, plasticity: { rule: 'bcm-neuromod', connections: ['recurrent', 'output'] } }],
  ['hebbian-retro output, population encoder', { steps: 1, encoder: { kind: 'population', neurons: 4 }, network: { hidden: 16 }, plasticity: { rule: 'hebbian-retro' } }],
  ['oja-retro, rate encoder, K = 3', { steps: 3, encoder: { kind: 'rate' }, network: { hidden: 16, recurrent: true }, decoder: { kind: 'rate' }, plasticity: { rule: 'oja-retro', connections: ['recurrent', 'output'] } }],
];

for (const [name, raw] of CASES) {
  test(`parity with controllers/ over 200 steps: ${name}`, async () => {
    await initBackend();
    const cfg = parseControllerConfig(raw);
    const nObs = 6, nAct = 2, B = 3, T = 200;
    const ref = new SnnController(cfg, nObs, nAct);
    const genome = strongGenome(ref, 5);
    const rng = new Rng(9);
    const obs = new Float32Array(T * B * nObs);
    for (let i = 0; i < obs.length; i++) obs[i] = 1.5 * rng.normal() + 0.3;
    const reward = new Float32Array(T * B);
    for (let i = 0; i < reward.length; i++) reward[i] = rng.normal();
    const seeds = [11, 12, 13];
    const model = new GraphSnn(cfg, nObs, nAct, genome, surrogateSpec('arctan'));
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const u = tf.tensor3d(model.encode(obs, T, B, seeds), [T * cfg.steps, B, model.shape.input]);
      const st = model.initialState(B);
      const r = model.run(u, tf.tensor2d(reward, [T, B]), st, { record: true });
      const hebb = r.record!.hebbOut ? (r.record!.hebbOut.arraySync() as number[][][][]) : [];
      return { hebb, a: r.actions.arraySync() as number[][][], hm: r.record!.hidMem.arraySync() as number[][][], hs: r.record!.hidSpk.arraySync() as number[][][], om: r.record!.outMem.arraySync() as number[][][] };
    });
    assert.equal(tf.memory().numTensors, before);
    let maxMem = 0, maxAct = 0, spikes = 0, maxHebb = 0, hebbSize = 0;
    for (let b = 0; b < B; b++) {
      const ctl = new SnnController(cfg, nObs, nAct, genome);
      ctl.reset(seeds[b]);
      const view = ctl.introspect();
      const hid = view.layers[1];
      const outL = view.layers[2];
      for (let t = 0; t < T; t++) {
        const act = ctl.act(obs.subarray((t * B + b) * nObs, (t * B + b + 1) * nObs), reward[t * B + b]);
        const last = (t + 1) * cfg.steps - 1;
        for (let j = 0; j < nAct; j++) maxAct = Math.max(maxAct, Math.abs(act[j] - out.a[t][b][j]));
        for (let i = 0; i < hid.size; i++) {
          assert.equal(out.hs[last][b][i], hid.spikes![i], `hidden spike ${i} of episode ${b} differs at act ${t}`);
          spikes += hid.spikes![i];
          maxMem = Math.max(maxMem, Math.abs(hid.membrane![i] - out.hm[last][b][i]) / Math.max(1, Math.abs(hid.membrane![i])));
        }
        for (let j = 0; j < outL.size; j++) maxMem = Math.max(maxMem, Math.abs(outL.membrane![j] - out.om[last][b][j]) / Math.max(1, Math.abs(outL.membrane![j])));
      }
      const h = ctl.plasticState('output')?.hebb;
      if (h && out.hebb.length) {
        const g = out.hebb[T * cfg.steps - 1][b].flat();
        for (let k = 0; k < h.length; k++) maxHebb = Math.max(maxHebb, Math.abs(h[k] - g[k]));
        hebbSize = Math.max(hebbSize, ...Array.from(h, Math.abs));
      }
    }
    assert.ok(spikes > T * B, `too few spikes (${spikes}) for a meaningful test`);
    // |ΔU| ≤ 1e-4·max(1, |U|): absolute for membranes of order 1, relative for large ones
    assert.ok(maxMem < 1e-4, `membranes differ by ${maxMem} (relative to max(1, |U|))`);
    assert.ok(maxAct < 1e-4, `actions differ by ${maxAct}`);
    assert.ok(maxHebb < 1e-4, `final output Hebb differs by ${maxHebb}`);
    if (ref.shape.plastic.includes('output')) assert.ok(hebbSize > 0.05, `output Hebb stayed tiny (${hebbSize}): plasticity untested`);
    // the genome round-trips through the variables
    assert.deepEqual(model.readGenome(), genome);
    model.dispose();
  });
}

test('GraphSnn state disposal leaves no tensors behind', async () => {
  await initBackend();
  const cfg = parseControllerConfig({ steps: 1, network: { hidden: 8 }, plasticity: { rule: 'bcm-retro' } });
  const ref = new SnnController(cfg, 3, 2);
  const model = new GraphSnn(cfg, 3, 2, ref.genome, surrogateSpec('arctan'));
  const n0 = tf.memory().numTensors;
  const st = model.initialState(4);
  disposeState(st);
  assert.equal(tf.memory().numTensors, n0);
  model.dispose();
});

test('GraphSnn refuses what its port does not implement, naming it (random weights, synaptic scaling, ABCD)', async () => {
  await initBackend();
  const cfg = parseControllerConfig({ plasticity: { rule: 'hebbian', normalize: 'post' } });
  const genome = new SnnController(cfg, 6, 2).genome;
  assert.throws(() => new GraphSnn(cfg, 6, 2, genome, surrogateSpec('fast-sigmoid')), /does not implement plasticity\.normalize "post"/);
  const abcd = parseControllerConfig({ plasticity: { rule: 'abcd', randomWeights: true } });
  assert.throws(() => new GraphSnn(abcd, 6, 2, new SnnController(abcd, 6, 2).genome, surrogateSpec('fast-sigmoid')), /rule "abcd".*plasticity\.randomWeights/);
});
