import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, SchemaError, type Schema } from '../../core/schema.js';

const S: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    size: { type: 'number', integer: true, min: 1, default: 4 },
    rate: { type: 'number', min: 0, exclusiveMin: true, max: 1, default: 0.5 },
    kind: { type: 'string', enum: ['a', 'b'], default: 'a' },
    items: { type: 'array', items: { type: 'tuple', items: [{ type: 'number' }, { type: 'number' }] }, default: [] },
    nested: { type: 'object', default: {}, properties: { on: { type: 'boolean', default: true } } },
  },
};

test('defaults are filled in and the input is not mutated', () => {
  const input = { name: 'x' };
  const v = validate<Record<string, unknown>>(input, S);
  assert.deepEqual(v, { name: 'x', size: 4, rate: 0.5, kind: 'a', items: [], nested: { on: true } });
  assert.deepEqual(input, { name: 'x' });
});

test('errors name the field path and say what was expected', () => {
  const err = (v: unknown) => {
    try {
      validate(v, S, 'cfg.json');
    } catch (e) {
      assert.ok(e instanceof SchemaError);
      return e.message;
    }
    assert.fail('expected a SchemaError');
  };
  assert.equal(err({}), 'cfg.json: name: expected a string, got nothing (field missing)');
  assert.equal(err({ name: 'x', size: -3 }), 'cfg.json: size: expected an integer ≥ 1, got -3');
  assert.equal(err({ name: 'x', size: 2.5 }), 'cfg.json: size: expected an integer ≥ 1, got 2.5');
  assert.equal(err({ name: 'x', rate: 0 }), 'cfg.json: rate: expected a number in [0, 1], got 0');
  assert.equal(err({ name: 'x', kind: 'c' }), 'cfg.json: kind: expected one of a, b, got "c"');
  assert.equal(err({ name: 'x', items: [[1, 2], [3]] }), 'cfg.json: items[1]: expected an array of exactly 2 items, got an array of 1');
  assert.equal(err({ name: 'x', nested: { on: 'yes' } }), 'cfg.json: nested.on: expected true or false, got "yes"');
  assert.match(err({ name: 'x', szie: 3 }), /^cfg\.json: szie: expected no such field \(known: name, size, rate, kind, items, nested\)/);
});
