import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Leaky, Synaptic, fillParam, leakyState, leakyStep, readoutState, readoutStep } from '../../controllers/neurons.js';
import { addCurrentReference, addDense, addDensePlastic, addScaled, addSpikes, addSpikesPlastic, columnNorms, scalingFactors } from '../../controllers/linear.js';
import { Rng } from '../../core/rng.js';
import { F, assertClose, assertSame } from './helpers.js';

test('leaky, reset by subtraction: U ← βU + I − S·θ, spike when U > θ (per-neuron β, θ)', () => {
  // neuron 0: β = 0.5, θ = 1;  neuron 1: β = 0.9, θ = 0.5; both get 0.8, 0.8, 0.8, 0
  const n = new Leaky({ beta: F([0.5, 0.9]), threshold: F([1, 0.5]), reset: 'subtract' });
  const inputs = [0.8, 0.8, 0.8, 0];
  // by hand, neuron 0: 0.8 → 0.4+0.8 = 1.2 (spike) → 0.6+0.8−1 = 0.4 → 0.2
  // neuron 1: 0.8 (spike) → 0.72+0.8−0.5 = 1.02 (spike) → 0.918+0.8−0.5 = 1.218 (spike) → 1.0962−0.5 = 0.5962 (spike)
  const mem = [[0.8, 0.8], [1.2, 1.02], [0.4, 1.218], [0.2, 0.5962]];
  const spk = [[0, 1], [1, 1], [0, 1], [0, 1]];
  inputs.forEach((x, t) => {
    const s = n.step(F([x, x]));
    assertClose(n.state.mem, mem[t], 1e-6, `U at t=${t}`);
    assert.deepEqual([...s], spk[t], `S at t=${t}`);
  });
  n.reset();
  assert.deepEqual([...n.state.mem, ...n.state.spk], [0, 0, 0, 0]);
});

test('leaky, zero reset: U ← β(1 − S)U + I (snnTorch code)', () => {
  const st = leakyState(1);
  const p = { beta: fillParam(1, 0.5), threshold: fillParam(1, 1), reset: 'zero' as const };
  // 0.8 → 0.4+0.8 = 1.2 (spike) → 0·… + 0.8 = 0.8 → 0.4 + 0 = 0.4
  const expected = [0.8, 1.2, 0.8, 0.4];
  const spikes = [0, 1, 0, 0];
  [0.8, 0.8, 0.8, 0].forEach((x, t) => {
    leakyStep(F([x]), st, p);
    assertClose(st.mem, [expected[t]], 1e-6, `U at t=${t}`);
    assert.equal(st.spk[0], spikes[t]);
  });
});

test('spike threshold is strict: U = θ does not spike', () => {
  const st = leakyState(1);
  leakyStep(F([1]), st, { beta: fillParam(1, 0.5), threshold: fillParam(1, 1), reset: 'subtract' });
  assert.equal(st.mem[0], 1);
  assert.equal(st.spk[0], 0);
});

test('synaptic: I_syn ← αI_syn + I_in, then leaky on I_syn', () => {
  const n = new Synaptic({ alpha: fillParam(1, 0.5), beta: fillParam(1, 0.5), threshold: fillParam(1, 1), reset: 'subtract' });
  // I_syn: 1, 1.5, 0.75, 0.375;  U: 1 (no spike), 0.5+1.5 = 2 (spike), 1+0.75−1 = 0.75, 0.375+0.375 = 0.75
  const syn = [1, 1.5, 0.75, 0.375];
  const mem = [1, 2, 0.75, 0.75];
  const spk = [0, 1, 0, 0];
  [1, 1, 0, 0].forEach((x, t) => {
    n.step(F([x]));
    assertClose(n.state.syn, [syn[t]], 1e-6, 'I_syn');
    assertClose(n.state.mem, [mem[t]], 1e-6, 'U');
    assert.equal(n.state.spk[0], spk[t]);
  });
});

test('non-spiking leaky readout: V ← βV + I', () => {
  const st = readoutState(2);
  const p = { beta: F([0.5, 0.25]) };
  readoutStep(F([1, 4]), st, p);
  readoutStep(F([1, 0]), st, p);
  readoutStep(F([0, 2]), st, p);
  // neuron 0: 1 → 1.5 → 0.75;  neuron 1: 4 → 1 → 2.25
  assertClose(st.mem, [0.75, 2.25]);
});

test('connection current: out += pre·(W + α⊙Hebb), pre-major weights', () => {
  // W = [[1,2],[3,4]], α = [[0.5,0.5],[0,1]], Hebb = [[2,0],[1,−2]] → W_eff = [[2,2],[3,2]]
  const w = F([1, 2, 3, 4]);
  const a = F([0.5, 0.5, 0, 1]);
  const h = F([2, 0, 1, -2]);
  const out = F([0.5, -1]);
  addDensePlastic(out, F([1, 2]), w, a, h);
  // 0.5 + 1·2 + 2·3 = 8.5;  −1 + 1·2 + 2·2 = 5
  assertClose(out, [8.5, 5]);
  const out2 = F([0, 0]);
  addSpikes(out2, Uint8Array.from([0, 1]), w);
  assertClose(out2, [3, 4]);
});

test('synaptic scaling: s_j = ‖W[:, j]‖ / ‖(W + α⊙Hebb)[:, j]‖, then out += s ⊙ (pre·W_eff)', () => {
  // W = [[3, 0], [4, 1]] (column norms 5 and 1); α = 1; Hebb = [[3, 0], [−4, 0]] → W_eff = [[6, 0], [0, 1]]
  const w = F([3, 0, 4, 1]);
  const a = F([1, 1, 1, 1]);
  const h = F([3, 0, -4, 0]);
  const target = new Float32Array(2);
  columnNorms(w, 2, target);
  assertClose(target, [5, 1]);
  const scale = new Float32Array(2);
  scalingFactors(w, a, h, target, new Float64Array(2), scale);
  // column 0: ‖(6, 0)‖ = 6 → 5/6; column 1 untouched: 1
  assertClose(scale, [5 / 6, 1]);
  // the scaled column keeps the target norm: 5/6·(6, 0) = (5, 0)
  const acc = F([0, 0]);
  addDensePlastic(acc, F([1, 2]), w, a, h); // (1·6 + 2·0, 1·0 + 2·1) = (6, 2)
  const out = F([0.5, -1]);
  addScaled(out, acc, scale);
  assertClose(out, [0.5 + 5, -1 + 2]);
  // an all-zero effective column keeps s = 1 (nothing to rescale, no 0/0)
  scalingFactors(F([0, 0, 0, 0]), a, F([0, 0, 0, 0]), F([0, 0]), new Float64Array(2), scale);
  assertClose(scale, [1, 1]);
});

test('optimised connection kernels agree bit for bit with the dense reference', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const nPre = 1 + rng.int(40);
    const nPost = 1 + rng.int(20);
    const w = new Float32Array(nPre * nPost);
    const a = new Float32Array(nPre * nPost);
    const h = new Float32Array(nPre * nPost);
    rng.fillNormal(w);
    rng.fillNormal(a, 0.3);
    rng.fillNormal(h);
    const graded = new Float32Array(nPre);
    rng.fillNormal(graded);
    const spk = new Uint8Array(nPre).map(() => (rng.uniform() < 0.3 ? 1 : 0));
    const bias = new Float32Array(nPost);
    rng.fillNormal(bias);
    const ref = (pre: ArrayLike<number>, plastic: boolean): Float32Array => {
      const o = bias.slice();
      addCurrentReference(o, pre, w, plastic ? a : null, plastic ? h : null);
      return o;
    };
    const run = (k: (o: Float32Array) => void): Float32Array => {
      const o = bias.slice();
      k(o);
      return o;
    };
    assertSame(run((o) => addDense(o, graded, w)), ref(graded, false), 'dense');
    assertSame(run((o) => addDensePlastic(o, graded, w, a, h)), ref(graded, true), 'dense plastic');
    assertSame(run((o) => addSpikes(o, spk, w)), ref(spk, false), 'spikes');
    assertSame(run((o) => addSpikesPlastic(o, spk, w, a, h)), ref(spk, true), 'spikes plastic');
  }
});
