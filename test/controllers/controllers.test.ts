import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createController, genomeLayoutFor, hasGenome } from '../../controllers/factory.js';
import { parseControllerConfig, type ControllerConfig } from '../../controllers/config.js';
import { SnnController } from '../../controllers/snn.js';
import { transferGenome } from '../../controllers/genome.js';
import { benchController } from '../../controllers/act-timing.js';
import type { Controller } from '../../controllers/controller.js';
import { Rng } from '../../core/rng.js';
import { F, assertClose } from './helpers.js';
import { sampleAllocations } from './alloc-probe.js';

function observations(n: number, size: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const o = new Float32Array(size);
    rng.fillNormal(o);
    return o;
  });
}

function actions(c: Controller, obs: Float32Array[], seed: number): number[][] {
  c.reset(seed);
  return obs.map((o, t) => [...c.act(o, Math.sin(t))]);
}

function snn(over: unknown, obsSize: number, actSize: number, genomeSeed = 1): SnnController {
  const cfg = parseControllerConfig(over);
  const layout = genomeLayoutFor(cfg, obsSize, actSize);
  return new SnnController(cfg, obsSize, actSize, layout.initialize(genomeSeed));
}

test('hand-computed network: order of operations of one act (direct, LIF, plastic hebbian output, membrane readout)', () => {
  const c = snn(
    {
      steps: 2,
      network: { hidden: 2, beta: 0.5, threshold: 1, outputBeta: 0.5 },
      plasticity: { rule: 'hebbian', connections: ['output'], preDecay: 0.5, postDecay: 0.5, clip: 10 },
    },
    2,
    1,
  );
  const g = new Float32Array(c.layout.size);
  const set = (name: string, v: number[]): void => c.layout.view(g, name).set(v);
  set('input.w', [1, 0.5, 0, -0.5]); // pre-major [2 obs, 2 hidden]
  set('hidden.bias', [0.25, 0]);
  set('output.w', [0.5, 2]); // [2 hidden, 1 output]
  set('output.bias', [0]);
  set('output.alpha', [1, 1]);
  set('output.eta', [0]); // η = sigmoid(0) = 0.5
  c.setGenome(g);
  c.reset(0);
  const a = c.act(F([1, -1]));
  // I_h = b + u·W_in = [0.25 + 1, 0 + 0.5 + 0.5] = [1.25, 1]
  // t=1: U = [1.25, 1] → S = [1, 0];  I_o = 0.5;  V = 0.5;  y = tanh(0.5), x = [1, 0]
  //      Hebb = [0.5·1·tanh(0.5), 0]
  // t=2: U = [0.625 + 1.25 − 1, 0.5 + 1] = [0.875, 1.5] → S = [0, 1];  I_o = 2 + 1·Hebb_10 = 2;  V = 0.25 + 2
  //      x = [0.5, 1],  y = 0.5·tanh(0.5) + tanh(2.25);  Hebb += 0.5·x·y
  const y1 = Math.tanh(0.5);
  const y2 = 0.5 * y1 + Math.tanh(2.25);
  const hebb = [0.5 * y1 + 0.5 * 0.5 * y2, 0.5 * 1 * y2];
  assertClose(a, [Math.tanh(2.25)]);
  const I = c.introspect();
  assertClose(I.layers[1].membrane!, [0.875, 1.5]);
  assert.deepEqual([...I.layers[1].spikes!], [0, 1]);
  assert.deepEqual([...I.layers[1].counts!], [1, 1]);
  assertClose(I.hebb[0].values, hebb);
  assert.deepEqual([I.hebb[0].name, I.hebb[0].rows, I.hebb[0].cols], ['output', 2, 1]);
  // next act: the new Hebb is in the weights
  // t=3: U = [0.4375 + 1.25, 0.75 + 1 − 1] = [1.6875, 0.75] → S = [1, 0];  I_o = 0.5 + Hebb_00;  V = 1.125 + I_o
  const a2 = c.act(F([1, -1]));
  const v3 = 1.125 + 0.5 + hebb[0];
  const y3 = 0.5 * y2 + Math.tanh(v3);
  const x3 = [0.25 + 1, 0.5];
  const hebb3 = [hebb[0] + 0.5 * x3[0] * y3, hebb[1] + 0.5 * x3[1] * y3];
  // t=4: U = [0.84375 + 1.25 − 1, 0.375 + 1] = [1.09375, 1.375] → S = [1, 1]
  //      I_o = (0.5 + Hebb3_00) + (2 + Hebb3_10);  V = 0.5·v3 + I_o
  const v4 = 0.5 * v3 + (0.5 + hebb3[0]) + (2 + hebb3[1]);
  assertClose(a2, [Math.tanh(v4)], 1e-5);
  assertClose(I.layers[1].membrane!, [1.09375, 1.375]);
});

test('recurrent connection: I_h[t] includes s_h[t−1]·W_rec', () => {
  const c = snn({ kind: 'static-snn', steps: 2, network: { hidden: 2, recurrent: true, beta: 0.5, threshold: 1 } }, 2, 1);
  const g = new Float32Array(c.layout.size);
  c.layout.view(g, 'input.w').set([1, 0.5, 0, -0.5]);
  c.layout.view(g, 'hidden.bias').set([0.25, 0]);
  c.layout.view(g, 'recurrent.w').set([0, 0.25, 0, 0]); // neuron 0 → neuron 1: 0.25
  c.setGenome(g);
  c.reset(0);
  c.act(F([1, -1]));
  // t=1: U = [1.25, 1], S = [1, 0];  t=2: I_h = [1.25, 1 + 0.25] → U = [0.625 + 1.25 − 1, 0.5 + 1.25] = [0.875, 1.75]
  assertClose(c.introspect().layers[1].membrane!, [0.875, 1.75]);
});

test('K SNN steps per act: spike counts add up over K steps', () => {
  for (const steps of [1, 4, 8]) {
    const c = snn({ steps }, 29, 8);
    c.reset(0);
    c.act(observations(1, 29, 3)[0]);
    const counts = c.introspect().layers[1].counts!;
    assert.ok(counts.every((n) => n <= steps));
  }
});

test('determinism: same genome and seed give the same actions; reset replays the episode', () => {
  const obs = observations(200, 29, 4);
  for (const over of [{}, { encoder: { kind: 'rate' } }, { kind: 'random' }, { kind: 'mlp' }]) {
    const cfg = parseControllerConfig(over);
    const layout = genomeLayoutFor(cfg, 29, 8);
    const g = layout.size ? layout.initialize(5) : undefined;
    const a = createController(cfg, 29, 8, g);
    const b = createController(cfg, 29, 8, g);
    const first = actions(a, obs, 3);
    assert.deepEqual(actions(b, obs, 3), first, JSON.stringify(over));
    assert.deepEqual(actions(a, obs, 3), first, `${JSON.stringify(over)} after reset`);
  }
  // the rate encoder and the random controller depend on the episode seed
  const rate = createController({ encoder: { kind: 'rate' } }, 29, 8);
  assert.notDeepEqual(actions(rate, obs, 3), actions(rate, obs, 4));
});

test('a random default genome spikes and gives nonzero actions for every encoder/decoder', () => {
  const obs = observations(50, 29, 6);
  for (const encoder of ['direct', 'rate', 'population']) {
    for (const decoder of ['rate', 'population', 'membrane']) {
      const c = snn({ encoder: { kind: encoder }, decoder: { kind: decoder } }, 29, 8, 2);
      c.reset(0);
      let spikes = 0;
      let nonzero = 0;
      for (const o of obs) {
        const a = c.act(o);
        assert.ok(a.every((v) => Number.isFinite(v) && v >= -1 && v <= 1));
        nonzero += a.filter((v) => v !== 0).length;
        spikes += c.introspect().layers[1].counts!.reduce((s, n) => s + n, 0);
      }
      assert.ok(spikes > 50 * 6 * 48 * 0.02, `${encoder}/${decoder}: hidden spikes ${spikes}`);
      assert.ok(nonzero > 50 * 8 * 0.5, `${encoder}/${decoder}: nonzero actions ${nonzero}`);
    }
  }
});

test('with plasticity on, Hebb changes during an episode and resets on reset', () => {
  const obs = observations(100, 29, 7);
  for (const rule of ['hebbian', 'oja', 'bcm', 'hebbian-neuromod', 'oja-neuromod', 'bcm-neuromod', 'hebbian-retro', 'oja-retro', 'bcm-retro']) {
    const c = snn({ network: { recurrent: true }, plasticity: { rule, connections: ['input', 'recurrent', 'output'], eta: 0.05 } }, 29, 8);
    c.reset(0);
    const I = c.introspect();
    assert.deepEqual(I.hebb.map((h) => h.name), ['input', 'recurrent', 'output']);
    const snapshots: number[][] = [];
    for (let t = 0; t < obs.length; t++) {
      c.act(obs[t], 1);
      if (t === 10 || t === 99) snapshots.push(I.hebb.flatMap((h) => [...h.values]));
    }
    for (const h of I.hebb) assert.ok(h.values.some((v) => v !== 0), `${rule}: ${h.name} Hebb moved`);
    assert.notDeepEqual(snapshots[0], snapshots[1], `${rule}: Hebb keeps changing`);
    c.reset(1);
    for (const h of I.hebb) assert.ok(h.values.every((v) => v === 0), `${rule}: ${h.name} Hebb reset`);
    for (const name of ['input', 'recurrent', 'output'] as const) {
      const s = c.plasticState(name)!;
      for (const a of [s.elig, s.theta, s.pre, s.post]) assert.ok(a.every((v) => v === 0), `${rule}: ${name} state reset`);
    }
    if (rule.includes('neuromod') || rule.includes('retro')) assert.equal(I.modulation.length, 3);
  }
});

test('Hebb decay: a learned δ per connection; without it Hebb saturates at the clip over a long run, with it it stays inside', () => {
  const obs = observations(64, 29, 3);
  // |Hebb| ≤ η·max|T|/δ under decay; traces are ≤ 1/(1 − λ) = 5, so |T| = |x·y| ≤ 25 and, with
  // η = 0.005 and δ ≈ 0.2, |Hebb| ≤ 0.625 < c = 1 whatever the activity
  const over = (decay: number) => ({ plasticity: { rule: 'hebbian', connections: ['output'], eta: 0.005, decay }, init: { rateSpread: 0 } });
  const plain = snn(over(0), 29, 8, 4);
  const decayed = snn(over(0.2), 29, 8, 4);
  assert.ok(!plain.layout.has('output.decay') && decayed.layout.has('output.decay'));
  // δ enters through the sigmoid of its genome entry (initialised around logit(0.02))
  const d = decayed.plasticParams('output')!.decay;
  assert.ok(Math.abs(d - 0.2) < 1e-6, `δ = ${d}`);
  const saturated = (c: SnnController) => {
    c.reset(0);
    for (let t = 0; t < 2400; t++) c.act(obs[t & 63], 0); // 2 min of control at 20 Hz
    const h = c.plasticState('output')!.hebb;
    return h.filter((v) => Math.abs(v) >= 1).length / h.length;
  };
  const sPlain = saturated(plain);
  const sDecayed = saturated(decayed);
  assert.ok(sPlain > 0.2, `without decay ${(100 * sPlain).toFixed(0)}% of Hebb at the clip`);
  assert.equal(sDecayed, 0, `with decay ${(100 * sDecayed).toFixed(0)}% of Hebb at the clip`);
  assert.ok(decayed.plasticState('output')!.hebb.some((v) => v !== 0), 'and Hebb still moves');
});

test('ABCD rule and random weights (Najarro & Risi 2020): W redrawn from the episode seed, only rule parameters evolved', () => {
  const over = { network: { recurrent: true }, plasticity: { rule: 'abcd', connections: ['input', 'recurrent', 'output'], randomWeights: true } };
  const c = snn(over, 29, 8, 2);
  const names = c.layout.slices.map((s) => s.name);
  for (const w of ['input.w', 'recurrent.w', 'output.w', 'input.alpha', 'output.alpha']) assert.ok(!names.includes(w), `${w} is not evolved`);
  for (const q of ['input.A', 'input.B', 'input.C', 'input.D', 'output.D', 'recurrent.A', 'output.eta', 'hidden.bias']) assert.ok(names.includes(q), `${q} is in the genome`);
  // the rule's parameters: 4 per synapse plus η per connection, plus the biases
  const synapses = 29 * 48 + 48 * 48 + 48 * 8;
  assert.equal(c.layout.size, 4 * synapses + 3 + 48 + 8);
  const obs = observations(40, 29, 5);
  const a0 = actions(c, obs, 7);
  assert.deepEqual(actions(c, obs, 7), a0, 'same episode seed: same weights, same actions');
  assert.notDeepEqual(actions(c, obs, 8), a0, 'another episode seed: other weights');
  // weights drawn with the initial-weight std; Hebb moves them
  c.reset(7);
  const I = c.introspect();
  c.act(obs[0], 0);
  for (const h of I.hebb) assert.ok(h.values.some((v) => v !== 0), `${h.name}: ABCD changed Hebb`);
  // plain (evolved) weights with abcd keep W and α in the genome
  const evolvedW = snn({ plasticity: { rule: 'abcd', connections: ['output'] } }, 29, 8);
  assert.ok(evolvedW.layout.has('output.w') && evolvedW.layout.has('output.alpha') && evolvedW.layout.has('output.A'));
  assert.throws(() => parseControllerConfig({ plasticity: { rule: 'none', randomWeights: true } }), /plasticity\.randomWeights/);
  assert.ok(c.plasticityCoefficients('output')!.every((a) => a === 1), 'α ≡ 1 without hebbGain');
});

test('random weights with hebbGain: α ≡ hebbGain·σ_W per connection, the genome unchanged, and it acts', () => {
  const plain = { plasticity: { rule: 'abcd', connections: ['input', 'output'], randomWeights: true } };
  const scaled = { plasticity: { ...plain.plasticity, hebbGain: 0.5 } };
  const a = snn(plain, 29, 8);
  const b = snn(scaled, 29, 8);
  assert.equal(b.layout.size, a.layout.size, 'hebbGain adds nothing to the genome');
  // σ_W by hand (defaults: 48 hidden, outputGain 0.5, membrane readout: no ×2 of a spiking output layer)
  const cfg = parseControllerConfig(scaled);
  assert.deepEqual([cfg.network.hidden, cfg.init.outputGain, cfg.decoder.kind], [48, 0.5, 'membrane']);
  const sigmaOut = 0.5 / Math.sqrt(48);
  assert.ok(b.plasticityCoefficients('output')!.every((v) => v === Math.fround(0.5 * sigmaOut)), `output α ≡ 0.5·${sigmaOut.toFixed(4)}`);
  const aIn = b.plasticityCoefficients('input')!;
  assert.ok(aIn.every((v) => v === aIn[0]) && aIn[0] > 0 && aIn[0] < 0.5, `input α ≡ 0.5·σ_in (${aIn[0]})`);
  const g = a.layout.initialize(3);
  for (let i = 0; i < g.length; i++) g[i] += 0.3; // a rule strong enough to move the outputs
  a.setGenome(g);
  b.setGenome(g);
  const obs = observations(30, 29, 5);
  assert.notDeepEqual(actions(b, obs, 7), actions(a, obs, 7), 'the smaller α changes what the rule transmits');
  assert.throws(() => parseControllerConfig({ plasticity: { rule: 'abcd', hebbGain: 1 } }), /plasticity\.hebbGain.*randomWeights/);
});

test('synaptic scaling (normalize "post"): every scaled column keeps its fixed weights\' norm while Hebb turns it; off is the old network', () => {
  const base = { plasticity: { rule: 'abcd', connections: ['input', 'output'], randomWeights: true } };
  const norm = { plasticity: { ...base.plasticity, normalize: 'post' } };
  const a = snn(base, 29, 8);
  const b = snn(norm, 29, 8);
  const off = snn({ plasticity: { ...base.plasticity, normalize: 'none' } }, 29, 8);
  assert.equal(b.layout.size, a.layout.size, 'normalize adds nothing to the genome');
  const g = a.layout.initialize(3);
  for (let i = 0; i < g.length; i++) g[i] += 0.3; // a rule that grows Hebb (D > 0) within a few acts
  a.setGenome(g);
  b.setGenome(g);
  off.setGenome(g);
  const obs = observations(40, 29, 5);
  assert.deepEqual(actions(off, obs, 7), actions(a, obs, 7), '"none" is the unscaled network, bit for bit');
  assert.equal(a.scalingOf('output'), null);
  b.reset(7);
  assert.ok(b.scalingOf('output')!.every((v) => v === 1), 's ≡ 1 at reset');
  for (const o of obs) b.act(o, 0);
  for (const c of ['input', 'output'] as const) {
    const st = b.plasticState(c)!;
    const alpha = b.plasticityCoefficients(c)!;
    const w = c === 'input' ? (b as unknown as { wIn: Float32Array }).wIn : (b as unknown as { wOut: Float32Array }).wOut;
    const s = b.scalingOf(c)!;
    let moved = 0;
    for (let j = 0; j < st.nPost; j++) {
      let fixed = 0;
      let eff = 0;
      for (let i = 0; i < st.nPre; i++) {
        const k = i * st.nPost + j;
        fixed += w[k] * w[k];
        const v = s[j] * (w[k] + alpha[k] * st.hebb[k]);
        eff += v * v;
      }
      assert.ok(Math.abs(Math.sqrt(eff) - Math.sqrt(fixed)) <= 1e-5 * Math.sqrt(fixed), `${c}[${j}]: ‖s·W_eff‖ ${Math.sqrt(eff)} vs ‖W‖ ${Math.sqrt(fixed)}`);
      if (Math.abs(s[j] - 1) > 0.05) moved++;
    }
    assert.ok(moved > 0, `${c}: Hebb moved the norms (some s_j ≠ 1)`);
  }
  assert.notDeepEqual(actions(b, obs, 7), actions(a, obs, 7), 'scaling changes what the network does');
  assert.deepEqual(actions(b, obs, 7), actions(b, obs, 7), 'and stays deterministic across resets');
  assert.throws(() => parseControllerConfig({ kind: 'static-snn', plasticity: { normalize: 'post' } }), /plasticity\.normalize/);
  assert.throws(() => parseControllerConfig({ plasticity: { rule: 'abcd', normalize: 'max' } }), /plasticity\.normalize/);
});

test('plasticity off is exactly the static SNN (α = 0, and rule "none")', () => {
  const obs = observations(300, 29, 8);
  const variants: unknown[] = [
    {},
    { network: { recurrent: true, neuron: 'synaptic' }, plasticity: { rule: 'oja-neuromod', connections: ['input', 'recurrent', 'output'] } },
    { encoder: { kind: 'rate' }, decoder: { kind: 'rate' }, plasticity: { rule: 'bcm' } },
    { encoder: { kind: 'population' }, decoder: { kind: 'population' }, network: { reset: 'zero' }, plasticity: { rule: 'hebbian', connections: ['input'] } },
  ];
  for (const over of variants) {
    const pcfg = parseControllerConfig(over);
    const scfg: ControllerConfig = { ...pcfg, kind: 'static-snn' };
    const pl = genomeLayoutFor(pcfg, 29, 8);
    const sl = genomeLayoutFor(scfg, 29, 8);
    const g = pl.initialize(9);
    const h = new Float32Array(sl.size);
    transferGenome(pl, g, sl, h);
    const stat = createController(scfg, 29, 8, h);
    const expected = actions(stat, obs, 2);
    // plastic with α = 0: Hebb still learns, but W + 0·Hebb = W
    for (const c of ['input', 'recurrent', 'output']) if (pl.has(`${c}.alpha`)) pl.view(g, `${c}.alpha`).fill(0);
    const plastic = createController(pcfg, 29, 8, g) as SnnController;
    assert.deepEqual(actions(plastic, obs, 2), expected, `α = 0: ${JSON.stringify(over)}`);
    assert.ok(plastic.introspect().hebb.some((m) => m.values.some((v) => v !== 0)), 'Hebb did change');
    // rule none: the same layout as static-snn and the same actions
    const ncfg = parseControllerConfig({ ...(over as object), plasticity: { ...((over as { plasticity?: object }).plasticity ?? {}), rule: 'none' } });
    assert.ok(genomeLayoutFor(ncfg, 29, 8).equals(sl));
    assert.deepEqual(actions(createController(ncfg, 29, 8, h), obs, 2), expected, `rule none: ${JSON.stringify(over)}`);
  }
});

test('introspection: live views, one object, with shapes', () => {
  const c = snn({ decoder: { kind: 'rate' } }, 29, 8);
  const I = c.introspect();
  assert.equal(c.introspect(), I);
  assert.deepEqual(I.layers.map((l) => [l.name, l.size]), [['input', 29], ['hidden', 48], ['output', 16], ['action', 8]]);
  assert.ok(I.layers[1].spikes instanceof Uint8Array && I.layers[1].membrane instanceof Float32Array);
  assert.deepEqual(I.hebb.map((h) => [h.name, h.rows, h.cols, h.values.length]), [['output', 48, 16, 768]]);
  const a = c.act(observations(1, 29, 1)[0]);
  assert.equal(I.layers[3].activity, a);
});

test('mlp: a = tanh(b1 + tanh(b0 + x·W0)·W1)', () => {
  const c = createController({ kind: 'mlp', mlp: { hidden: [2] } }, 2, 1);
  assert.ok(hasGenome(c));
  const g = new Float32Array(c.layout.size);
  c.layout.view(g, 'mlp.l0.w').set([1, -1, 0.5, 2]);
  c.layout.view(g, 'mlp.l0.bias').set([0.1, 0]);
  c.layout.view(g, 'mlp.l1.w').set([1, -0.5]);
  c.layout.view(g, 'mlp.l1.bias').set([0.2]);
  c.setGenome(g);
  const a = c.act(F([1, 9])); // 9 is clamped to 5
  const h0 = Math.tanh(0.1 + 1 + 5 * 0.5);
  const h1 = Math.tanh(0 - 1 + 5 * 2);
  assertClose(a, [Math.tanh(0.2 + h0 - 0.5 * h1)]);
});

test('zero, random and oscillator controllers', () => {
  const z = createController({ kind: 'zero' }, 3, 2);
  assert.deepEqual([...z.act(F([1, 2, 3]))], [0, 0]);
  const r = createController({ kind: 'random' }, 3, 4);
  const acts = actions(r, observations(500, 3, 1), 12);
  assert.ok(acts.flat().every((v) => v >= -1 && v < 1));
  const ref = new Rng(12);
  assertClose(acts[0], [0, 1, 2, 3].map(() => ref.range(-1, 1)));
  const o = createController({ kind: 'oscillator', oscillator: { frequency: 2, amplitude: [0.5, 3], phase: [0, Math.PI / 2], offset: [0.1, 0], dt: 0.05 } }, 3, 2);
  o.reset(0);
  const seq = [0, 1, 2, 3].map(() => [...o.act(F([0, 0, 0]))]);
  for (let n = 0; n < 4; n++) {
    const t = n * 0.05;
    const expected = [0.1 + 0.5 * Math.sin(2 * Math.PI * 2 * t), Math.max(-1, Math.min(1, 3 * Math.sin(2 * Math.PI * 2 * t + Math.PI / 2)))];
    assertClose(seq[n], expected);
  }
  o.reset(0);
  assertClose(o.act(F([0, 0, 0])), seq[0]);
});

test('genome size is checked', () => {
  assert.throws(() => createController({}, 29, 8, new Float32Array(10)), /plastic-snn genome: expected \d+ parameters for this layout, got 10/);
});

/** script URLs of the controllers' own modules (not this test's folder, also named controllers) */
const CONTROLLERS = new URL('../../controllers/', import.meta.url).href;

test('act allocates nothing: under 8 bytes per act over 10,000 steps, by the sampling heap profiler', async () => {
  const obs = observations(64, 29, 2);
  const configs: unknown[] = [
    {},
    { network: { recurrent: true, neuron: 'synaptic' }, encoder: { kind: 'rate' }, decoder: { kind: 'rate' }, plasticity: { rule: 'bcm-retro', connections: ['input', 'recurrent', 'output'] } },
    { encoder: { kind: 'population' }, decoder: { kind: 'population' }, plasticity: { rule: 'oja-neuromod' } },
    { kind: 'static-snn' },
    { kind: 'mlp' },
    { plasticity: { rule: 'abcd', connections: ['input', 'output'], randomWeights: true, decay: 0.01 } },
    { plasticity: { rule: 'abcd', connections: ['input', 'output'], randomWeights: true, normalize: 'post' } },
    { plasticity: { rule: 'cov-retro', connections: ['input', 'recurrent', 'output'] }, network: { recurrent: true } },
  ];
  for (const over of configs) {
    const c = createController(over, 29, 8, undefined);
    c.reset(0);
    for (let i = 0; i < 5000; i++) c.act(obs[i & 63], 0.5); // warm-up: let the JIT optimise
    // Only allocations on stacks through the controllers' modules count. Up to five windows of 10,000
    // acts: a real per-act allocation shows in every window, while code still running
    // unoptimised (the optimising compiler is late on a busy machine, or re-optimises after
    // another config ran) shows in the first ones only.
    const samples = [];
    for (let w = 0; w < 5; w++) {
      const s = await sampleAllocations(() => {
        for (let i = 0; i < 10_000; i++) c.act(obs[i & 63], 0.5);
      }, CONTROLLERS);
      samples.push(s);
      if (s.bytes < 80_000) break;
    }
    const best = samples.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    const sites = best.top.map((t) => `${t.site} ${t.bytes} B`).join('; ');
    assert.ok(best.bytes < 80_000, `${JSON.stringify(over)}: ${samples.map((s) => s.bytes).join(', ')} bytes per 10,000 acts; largest sites: ${sites}`);
  }
});

test('the allocation probe sees an allocation: an act that keeps a new array per call reads its bytes', async () => {
  const kept: Float32Array[] = [];
  const c = createController({}, 29, 8, undefined);
  c.reset(0);
  const obs = observations(4, 29, 3);
  const s = await sampleAllocations(() => {
    for (let i = 0; i < 2000; i++) kept.push(c.act(obs[i & 3], 0).slice());
  }, import.meta.url);
  // 2000 copies of an 8-float array: ≥ 2000 × (32 B data + header) on the heap
  assert.ok(s.bytes > 2000 * 32, `sampled ${s.bytes} bytes`);
});

test('benchController returns µs per act', () => {
  const us = benchController({}, 29, 8, 500);
  assert.ok(Number.isFinite(us) && us > 0);
});

test('learnBeta: per-neuron β from the genome through the sigmoid', () => {
  const c = snn({ kind: 'static-snn', steps: 2, network: { hidden: 2, learnBeta: true, threshold: 10 } }, 1, 1);
  const g = new Float32Array(c.layout.size);
  c.layout.view(g, 'input.w').set([1, 1]);
  c.layout.view(g, 'hidden.beta').set([0, Math.log(3)]); // β = sigmoid: 0.5 and 0.75
  c.setGenome(g);
  c.reset(0);
  c.act(F([2]));
  // I = 2 for both; U after 2 steps: 0.5·2 + 2 = 3 and 0.75·2 + 2 = 3.5
  assertClose(c.introspect().layers[1].membrane!, [3, 3.5]);
  assert.equal(c.layout.slice('hidden.beta').transform, 'sigmoid');
});
