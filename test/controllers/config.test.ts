import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseControllerConfig, defaultControllerConfig } from '../../controllers/config.js';
import { createController } from '../../controllers/factory.js';
import { SchemaError } from '../../core/schema.js';

test('defaults fill every field', () => {
  const c = defaultControllerConfig();
  assert.equal(c.kind, 'plastic-snn');
  assert.equal(c.steps, 6);
  assert.equal(c.inputClip, 5);
  assert.deepEqual(c.encoder, { kind: 'direct', neurons: 8, width: 1 });
  assert.equal(c.network.hidden, 48);
  assert.equal(c.network.recurrent, false);
  assert.equal(c.decoder.kind, 'membrane');
  assert.equal(c.plasticity.rule, 'hebbian-retro');
  assert.deepEqual(c.plasticity.connections, ['output']);
  assert.deepEqual(c.mlp.hidden, [32, 32]);
  // partial objects keep the other defaults
  const d = parseControllerConfig({ network: { hidden: 16 } });
  assert.equal(d.network.hidden, 16);
  assert.equal(d.network.beta, 0.9);
});

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseControllerConfig(value, 'ctrl.json'),
    (e: unknown) => e instanceof SchemaError && pattern.test(e.message),
    `expected an error matching ${pattern}`,
  );
}

test('a bad config names the offending field', () => {
  rejects({ network: { hidden: -3 } }, /^ctrl\.json: network\.hidden: expected .*≥ 1, got -3$/);
  rejects({ network: { hidden: 2.5 } }, /network\.hidden: expected an integer/);
  rejects({ network: { hiden: 3 } }, /^ctrl\.json: network\.hiden: no such field \(did you mean "hidden"\?\); allowed: hidden, recurrent, neuron, beta/);
  rejects({ network: { beta: 0 } }, /^ctrl\.json: network\.beta: expected a number in \(0, 0\.999999\], got 0$/);
  rejects({ steps: 0 }, /steps: expected/);
  rejects({ network: { beta: 1 } }, /network\.beta/);
  rejects({ plasticity: { rule: 'hebb' } }, /plasticity\.rule: expected one of none, hebbian/);
  rejects({ plasticity: { connections: ['output', 'outptu'] } }, /plasticity\.connections\[1\]/);
  rejects({ plasticity: { connections: ['output', 'output'] } }, /plasticity\.connections\[1\]: expected each connection at most once/);
  rejects({ plasticity: { connections: ['recurrent'] } }, /plasticity\.connections\[0\]: expected a connection the network has/);
  rejects({ decoder: { kind: 'population', neuronsPerAction: 3 } }, /decoder\.neuronsPerAction: expected an even integer/);
  rejects({ encoder: { kind: 'spikes' } }, /encoder\.kind: expected one of direct, rate, population/);
  rejects({ kind: 'gait' }, /^ctrl\.json: kind: expected one of/);
  rejects({ mlp: { hidden: [32, 0] } }, /mlp\.hidden\[1\]/);
});

test('oscillator arrays must match the action size', () => {
  assert.throws(() => createController({ kind: 'oscillator', oscillator: { amplitude: [1, 1, 1] } }, 5, 2), /oscillator\.amplitude: expected an array of 2 numbers/);
});

test('keys naming JavaScript machinery are refused, not ignored', () => {
  rejects(JSON.parse('{"__proto__": {"kind": "mlp"}}'), /^ctrl\.json: __proto__: no such field; allowed: kind, inputClip/);
  rejects({ network: { constructor: 3 } }, /^ctrl\.json: network\.constructor: no such field; allowed: hidden/);
  rejects({ toString: 'x' }, /^ctrl\.json: toString: no such field/);
});

test('a "$schema" reference is accepted and not part of the config', () => {
  const c = parseControllerConfig({ $schema: '../schemas/controller-config.schema.json', kind: 'mlp' });
  assert.equal(c.kind, 'mlp');
  assert.equal('$schema' in c, false);
  assert.deepEqual(c, parseControllerConfig({ kind: 'mlp' }));
});

test('a section of another file reports its full path', () => {
  assert.throws(() => parseControllerConfig({ network: { hidden: 0 } }, 'run.json', 'controller'), { message: 'run.json: controller.network.hidden: expected an integer ≥ 1, got 0' });
  assert.throws(() => parseControllerConfig({ decoder: { kind: 'population', neuronsPerAction: 3 } }, 'run.json', 'controller'), /run\.json: controller\.decoder\.neuronsPerAction: expected an even integer/);
});
