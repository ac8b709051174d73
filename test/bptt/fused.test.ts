import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { parseControllerConfig } from '../../controllers/config.js';
import { snnGenomeLayout } from '../../controllers/snn.js';
import { initBackend } from '../../training/bptt/backend.js';
import { GraphSnn, stateTensors } from '../../training/bptt/graph-snn.js';
import { surrogateSpec } from '../../training/bptt/surrogate.js';
import { strongPlasticGenome } from './genomes.js';

/**
 * The fused kernel (fused-output.ts) against the op-by-op graph it replaces: same actions, same
 * final state, same gradients for every genome slice, for every rule, two chunks chained
 * (truncated BPTT carries the state), and the reference config's eligibility.
 */
const RULES = ['none', 'hebbian', 'oja', 'bcm', 'hebbian-neuromod', 'oja-neuromod', 'bcm-neuromod', 'hebbian-retro', 'oja-retro', 'bcm-retro'];

function close(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  assert.ok(worst <= tol, `${what}: worst relative difference ${worst.toExponential(2)} > ${tol}`);
}

for (const rule of RULES) {
  for (const reset of ['subtract', 'zero'] as const) {
    test(`fused kernel = op-by-op graph (forward, state, gradients): ${rule}, ${reset} reset`, async () => {
      await initBackend();
      const cfg = parseControllerConfig({
        kind: rule === 'none' ? 'static-snn' : 'plastic-snn',
        steps: 2,
        encoder: { kind: 'direct' },
        network: { hidden: 12, threshold: 0.5, reset, learnBeta: true, beta: 0.8, outputBeta: 0.6 },
        decoder: { kind: 'membrane' },
        plasticity: { rule, connections: ['output'], reward: true, eta: 0.3, tauTheta: 0.3, clip: 0.8, preDecay: 0.6, postDecay: 0.4 },
      });
      const nObs = 5, nAct = 3, B = 3, T = 10;
      const layout = snnGenomeLayout(cfg, nObs, nAct);
      const rng = new Rng(5);
      const genome = strongPlasticGenome(layout, 11, rng, 3);
      const n0 = tf.memory().numTensors;
      const model = new GraphSnn(cfg, nObs, nAct, genome, surrogateSpec('fast-sigmoid', 5));
      assert.equal(model.fusedEligible(), null);
      const obs = Float32Array.from({ length: 2 * T * B * nObs }, () => rng.normal());
      const u = tf.tensor3d(model.encode(obs, 2 * T, B), [2 * T * cfg.steps, B, nObs]);
      const [u1, u2] = tf.split(u, 2);
      const rw = tf.tensor2d(Float32Array.from({ length: 2 * T * B }, () => rng.normal()), [2 * T, B]);
      const [r1, r2] = tf.split(rw, 2);
      const wA = tf.tensor3d(Float32Array.from({ length: 2 * T * B * nAct }, () => rng.normal()), [2 * T, B, nAct]);
      const measure = (fused: boolean) => {
        model.fused = fused;
        let actions: Float32Array = new Float32Array(0);
        let state: Float32Array[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const a = model.run(u1, r1, model.initialState(B));
          const b = model.run(u2, r2, a.state); // gradient flows through the carried state
          const acts = tf.concat([a.actions, b.actions]);
          actions = acts.dataSync() as Float32Array;
          state = stateTensors(b.state).map((t) => t.dataSync() as Float32Array);
          const hebb = b.state.plastic.output?.hebb;
          let loss = tf.sum(tf.mul(acts, wA));
          loss = tf.add(loss, tf.sum(tf.square(b.state.hidMem)));
          if (hebb) loss = tf.add(loss, tf.sum(tf.mul(hebb, hebb)));
          return loss as tf.Scalar;
        }, model.trainable());
        const g = new Map(layout.slices.map((s) => [s.name, grads[model.vars.get(s.name)!.name].dataSync() as Float32Array]));
        const loss = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
        return { actions, state, g, loss };
      };
      const ref = measure(false);
      const fus = measure(true);
      close(fus.actions, ref.actions, 1e-4, 'actions');
      assert.equal(fus.state.length, ref.state.length);
      fus.state.forEach((s, i) => close(s, ref.state[i], 1e-4, `state tensor ${i}`));
      for (const s of layout.slices) {
        const r = ref.g.get(s.name)!;
        const scale = Math.max(1e-3, ...Array.from(r, Math.abs));
        const fg = fus.g.get(s.name)!;
        let worst = 0;
        for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(fg[i] - r[i]) / scale);
        assert.ok(worst < 1e-3, `gradient of ${s.name}: worst difference ${worst.toExponential(2)} of its scale ${scale.toExponential(2)}`);
      }
      assert.ok(ref.g.get('input.w')!.some((x) => x !== 0), 'gradients reach the input weights (the test can fail)');
      tf.dispose([u, u1, u2, rw, r1, r2, wA]);
      model.dispose();
      assert.equal(tf.memory().numTensors, n0, 'no tensors leak');
    });
  }
}

test('networks outside the fused kernel say why and take the op-by-op graph', async () => {
  await initBackend();
  const why = (over: object, kind = 'fast-sigmoid' as const) => {
    const cfg = parseControllerConfig({ kind: 'plastic-snn', steps: 1, decoder: { kind: 'membrane' }, network: { hidden: 4 }, plasticity: { rule: 'hebbian', connections: ['output'] }, ...over });
    const m = new GraphSnn(cfg, 3, 2, snnGenomeLayout(cfg, 3, 2).initialize(0), surrogateSpec(kind));
    const r = m.fusedEligible();
    m.dispose();
    return r;
  };
  assert.equal(why({}), null);
  assert.equal(why({ network: { hidden: 4, recurrent: true } }), 'recurrent connection');
  assert.equal(why({ network: { hidden: 4, neuron: 'synaptic' } }), 'synaptic hidden neurons');
  assert.equal(why({ plasticity: { rule: 'hebbian', connections: ['input', 'output'] } }), 'plastic input or recurrent connection');
  assert.equal(why({ decoder: { kind: 'rate' } }), 'rate decoder');
});
