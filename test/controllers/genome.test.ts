import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenomeLayout, constant, constrain, logit, normal, transferGenome } from '../../controllers/genome.js';
import { genomeLayoutFor } from '../../controllers/factory.js';
import { parseControllerConfig } from '../../controllers/config.js';

const small = (): GenomeLayout =>
  new GenomeLayout([
    { name: 'a.w', shape: [2, 3], init: normal(0, 1) },
    { name: 'a.eta', shape: [1], transform: 'sigmoid', init: constant(logit(0.1)) },
    { name: 'b', shape: [4], init: constant(0.5) },
  ]);

test('layout describes names, shapes, offsets and total size', () => {
  const L = small();
  assert.equal(L.size, 11);
  assert.deepEqual(
    L.slices.map((s) => [s.name, s.shape, s.offset, s.size]),
    [['a.w', [2, 3], 0, 6], ['a.eta', [1], 6, 1], ['b', [4], 7, 4]],
  );
  assert.match(L.describe(), /11 parameters in 3 slices/);
  assert.match(L.describe(), /a\.eta\s+\[1\]/);
  assert.throws(() => L.slice('nope'), /no slice "nope"/);
  assert.throws(() => new GenomeLayout([{ name: 'x', shape: [1], init: constant(0) }, { name: 'x', shape: [2], init: constant(0) }]), /duplicate/);
});

test('views are subarrays of the one flat vector', () => {
  const L = small();
  const g = L.initialize(1);
  const w = L.view(g, 'a.w');
  assert.equal(w.length, 6);
  assert.equal(w.buffer, g.buffer);
  w[0] = 42;
  assert.equal(g[0], 42);
  assert.deepEqual([...L.view(g, 'b')], [0.5, 0.5, 0.5, 0.5]);
  assert.ok(Math.abs(constrain('sigmoid', L.view(g, 'a.eta')[0]) - 0.1) < 1e-6);
  assert.throws(() => L.view(new Float32Array(3), 'b'), /expected 11 parameters/);
});

test('seeded initialisers: same seed, same genome; different seed, different genome', () => {
  const L = small();
  assert.deepEqual(L.initialize(7), L.initialize(7));
  assert.notDeepEqual(L.initialize(7), L.initialize(8));
});

test('layout JSON round-trips and compares; a foreign layout is refused, naming the slice', () => {
  const cfg = parseControllerConfig({});
  const L = genomeLayoutFor(cfg, 29, 8);
  const json = JSON.parse(JSON.stringify(L.toJSON()));
  const back = GenomeLayout.fromJSON(json);
  assert.ok(back.equals(L) && L.equals(json));
  assert.equal(back.size, L.size);
  L.assertCompatible(json);
  const foreign = genomeLayoutFor(parseControllerConfig({ network: { hidden: 32 } }), 29, 8);
  assert.ok(!L.equals(foreign));
  assert.throws(() => L.assertCompatible(foreign.toJSON(), 'run.ckpt'), /run\.ckpt: genome layout does not match.*input\.w.*\[29, 48\].*\[29, 32\]/);
  const otherRule = genomeLayoutFor(parseControllerConfig({ plasticity: { rule: 'oja' } }), 29, 8);
  assert.throws(() => L.assertCompatible(otherRule), /genome layout does not match/);
  // tampered JSON: offsets inconsistent with shapes, or not a layout at all
  const bad = JSON.parse(JSON.stringify(json));
  bad.slices[1].offset += 1;
  assert.throws(() => GenomeLayout.fromJSON(bad, 'ckpt.json'), /ckpt\.json: slices\[1\]\.offset/);
  assert.throws(() => GenomeLayout.fromJSON({ format: 'x' }, 'ckpt.json'), /ckpt\.json: format/);
});

test('constrain maps raw values in one place; logit inverts the sigmoid', () => {
  assert.equal(constrain('none', -3), -3);
  assert.equal(constrain('sigmoid', 0), 0.5);
  assert.ok(Math.abs(constrain('sigmoid', logit(0.01)) - 0.01) < 1e-12);
  assert.ok(constrain('sigmoid', 1e6) <= 1 && constrain('sigmoid', -1e6) >= 0);
});

test('transferGenome copies the slices two layouts share', () => {
  const plastic = genomeLayoutFor(parseControllerConfig({}), 10, 2);
  const stat = genomeLayoutFor(parseControllerConfig({ kind: 'static-snn' }), 10, 2);
  const g = plastic.initialize(3);
  const h = new Float32Array(stat.size);
  const copied = transferGenome(plastic, g, stat, h);
  assert.deepEqual(copied, stat.slices.map((s) => s.name));
  assert.deepEqual(stat.view(h, 'output.w'), plastic.view(g, 'output.w'));
});
