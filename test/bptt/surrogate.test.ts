import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendInfo } from '../../training/bptt/backend.js';
import { makeSpikeFn, stopGradient, surrogateDerivative, surrogateSpec } from '../../training/bptt/surrogate.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('backend selection reports a working backend name', async () => {
  const name = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(name));
  assert.equal(tf.getBackend(), name);
  assert.ok(backendInfo()?.detail.startsWith(name));
  // here tfjs-node is not installed, so it must be reported as skipped with a reason
  if (name !== 'tensorflow') assert.match(backendInfo()!.skipped.join('\n'), /tfjs-node/);
  assert.equal(await initBackend('cpu'), 'cpu');
  assert.equal(await initBackend(name), name);
});

test('surrogate derivatives equal hand-computed values', () => {
  // arctan, k = 2: dS/dU = (k/2)/(1+(πkU/2)²) = 1/(1+(πU)²)
  const at = surrogateSpec('arctan');
  assert.equal(at.slope, 2);
  close(surrogateDerivative(at, 0), 1);
  close(surrogateDerivative(at, 0.5), 1 / (1 + (Math.PI * 0.5) ** 2)); // 0.288400...
  close(surrogateDerivative(at, 0.5), 0.2884003);
  close(surrogateDerivative(surrogateSpec('arctan', 4), -0.25), 2 / (1 + Math.PI ** 2 / 4)); // 0.5768...
  // fast sigmoid, k = 25: 1/(1+25|U|)²
  const fs = surrogateSpec('fast-sigmoid');
  assert.equal(fs.slope, 25);
  close(surrogateDerivative(fs, 0), 1);
  close(surrogateDerivative(fs, 0.04), 0.25);
  close(surrogateDerivative(fs, -0.12), 1 / 16);
  // sigmoid k = 10 at 0: k/4
  close(surrogateDerivative(surrogateSpec('sigmoid'), 0), 2.5);
});

test('spike ops: Heaviside forward (strict >), surrogate backward matches the formula', async () => {
  await initBackend();
  const u = [-0.3, -0.01, 0, 0.01, 0.5];
  for (const spec of [surrogateSpec('arctan'), surrogateSpec('arctan', 5), surrogateSpec('fast-sigmoid'), surrogateSpec('fast-sigmoid', 3)]) {
    const spike = makeSpikeFn(spec);
    const [v, g] = tf.tidy(() => {
      const x = tf.tensor1d(u);
      return [Array.from(spike(x).dataSync()), Array.from(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(spike(z), 2)))(x).dataSync())];
    });
    assert.deepEqual(v, [0, 0, 0, 1, 1]);
    u.forEach((x, i) => close(g[i], 2 * surrogateDerivative(spec, x), 1e-5));
  }
  const sg = makeSpikeFn(surrogateSpec('sigmoid', 10));
  const gs = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => tf.sum(sg(z)))(tf.tensor1d(u)).dataSync()));
  u.forEach((x, i) => close(gs[i], surrogateDerivative(surrogateSpec('sigmoid', 10), x), 1e-5));
});

test('stopGradient: identity forward, zero backward', async () => {
  await initBackend();
  const [v, g] = tf.tidy(() => {
    const x = tf.tensor1d([1, 2]);
    const f = (z: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(z), z), z));
    return [Array.from(stopGradient(x).dataSync()), Array.from(tf.grad(f)(x).dataSync())];
  });
  assert.deepEqual(v, [1, 2]);
  assert.deepEqual(g, [2, 3]); // d/dz (sg(z)·z + z) = sg(z) + 1
});
