import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';

test('clock inputs: the network sees [obs, sin 2πft, cos 2πft] and its genome has 2 more inputs', () => {
  const withClock = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 6 }, clock: { frequency: 2, dt: 0.05 } });
  const plain = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 6 } });
  const a = genomeLayoutFor(withClock, 5, 3);
  assert.equal(a.size - genomeLayoutFor(plain, 5, 3).size, 2 * 6, 'two more input rows of 6 weights');
  assert.deepEqual(a.toJSON(), genomeLayoutFor(plain, 7, 3).toJSON());
  const genome = initGenome(a, 4);
  const clocked = createController(withClock, 5, 3, genome);
  const reference = createController(plain, 7, 3, genome);
  clocked.reset(1);
  reference.reset(1);
  const obs = new Float32Array([0.3, -0.2, 1, 0.5, -1]);
  const x = new Float32Array(7);
  for (let t = 0; t < 12; t++) {
    x.set(obs);
    x[5] = Math.sin(2 * Math.PI * 2 * 0.05 * t);
    x[6] = Math.cos(2 * Math.PI * 2 * 0.05 * t);
    assert.deepEqual(Array.from(clocked.act(obs, 0)), Array.from(reference.act(x, 0)), `step ${t}`);
  }
  clocked.reset(1);
  reference.reset(1);
  x.set(obs);
  x[5] = 0;
  x[6] = 1;
  assert.deepEqual(Array.from(clocked.act(obs, 0)), Array.from(reference.act(x, 0)), 'reset restarts the clock');
});
