import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { parseControllerConfig } from '../../controllers/config.js';
import { snnGenomeLayout } from '../../controllers/snn.js';
import { initBackend } from '../../training/bptt/backend.js';
import { GraphSnn } from '../../training/bptt/graph-snn.js';
import { surrogateSpec } from '../../training/bptt/surrogate.js';
import { strongPlasticGenome } from './genomes.js';

/**
 * With the smooth sigmoid stand-in for the spike (forward σ(k(U − θ)), its true derivative
 * backward) and the reset kept in the graph, BPTT through several steps of plasticity must
 * match central finite differences.
 */
const CASES: [string, unknown][] = [
  ['hebbian output, membrane readout', { plasticity: { rule: 'hebbian' } }],
  ['bcm-retro recurrent+output, synaptic, rate decoder', { network: { recurrent: true, neuron: 'synaptic' }, decoder: { kind: 'rate' }, plasticity: { rule: 'bcm-retro', connections: ['recurrent', 'output'] } }],
  ['oja-neuromod input+output, learnBeta, zero reset', { network: { learnBeta: true, reset: 'zero' }, plasticity: { rule: 'oja-neuromod', connections: ['input', 'output'] } }],
];

for (const [name, over] of CASES) {
  test(`gradients through plasticity match central differences: ${name}`, async () => {
    await initBackend();
    const raw = over as { network?: object; plasticity?: object; decoder?: object };
    const cfg = parseControllerConfig({ ...raw, steps: 2, network: { hidden: 4, threshold: 0.5, ...(raw.network ?? {}) }, plasticity: { eta: 0.3, tauTheta: 0.3, clip: 10, ...(raw.plasticity ?? {}) } });
    const nObs = 3, nAct = 2, B = 2, T = 4;
    const layout = snnGenomeLayout(cfg, nObs, nAct);
    const rng = new Rng(3);
    const genome = strongPlasticGenome(layout, 7, rng);
    const obs = Float32Array.from({ length: T * B * nObs }, () => rng.normal());
    const reward = Float32Array.from({ length: T * B }, () => rng.normal());
    const target = Float32Array.from({ length: T * B * nAct }, () => rng.normal() * 0.5);
    const model = new GraphSnn(cfg, nObs, nAct, genome, surrogateSpec('sigmoid', 2));
    model.detachReset = false; // the detached reset is a deliberate approximation; FD sees the true function
    const u = tf.tensor3d(model.encode(obs, T, B), [T * cfg.steps, B, model.shape.input]);
    const r = tf.tensor2d(reward, [T, B]);
    const y = tf.tensor3d(target, [T, B, nAct]);
    const lossFn = () => tf.tidy(() => tf.sum(tf.square(tf.sub(model.run(u, r, model.initialState(B)).actions, y))) as tf.Scalar);
    const { value, grads } = tf.variableGrads(lossFn, model.trainable());
    value.dispose();
    const analytic = new Map<string, Float32Array>();
    for (const s of layout.slices) analytic.set(s.name, grads[model.vars.get(s.name)!.name].dataSync() as Float32Array);
    tf.dispose(Object.values(grads));
    const eps = 1e-2;
    let checked = 0, worst = 0;
    for (const s of layout.slices) {
      for (const idx of [0, s.size - 1]) {
        const g = genome.slice();
        g[s.offset + idx] += eps;
        model.writeGenome(g);
        const lp = lossFn().arraySync() as number;
        g[s.offset + idx] -= 2 * eps;
        model.writeGenome(g);
        const lm = lossFn().arraySync() as number;
        const fd = (lp - lm) / (2 * eps);
        const an = analytic.get(s.name)![idx];
        const err = Math.abs(fd - an) / Math.max(0.05, Math.abs(fd), Math.abs(an));
        worst = Math.max(worst, err);
        assert.ok(err < 0.03, `${s.name}[${idx}]: BPTT ${an} vs finite difference ${fd}`);
        checked++;
      }
    }
    model.writeGenome(genome);
    assert.ok(checked >= 12, `only ${checked} parameters checked`);
    tf.dispose([u, r, y]);
    model.dispose();
  });
}
