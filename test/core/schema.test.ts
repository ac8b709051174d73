import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, SchemaError, schemaCompileCount, toJsonSchema, type Schema } from '../../core/schema.js';
import { UserError } from '../../core/errors.js';
import { closestName } from '../../core/closest.js';

const S: Schema = {
  type: 'object',
  required: ['name'],
  document: true,
  properties: {
    name: { type: 'string' },
    size: { type: 'number', integer: true, min: 1, default: 4 },
    rate: { type: 'number', min: 0, exclusiveMin: true, max: 1, default: 0.5 },
    kind: { type: 'string', enum: ['a', 'b'], default: 'a' },
    items: { type: 'array', items: { type: 'tuple', items: [{ type: 'number' }, { type: 'number' }] }, default: [] },
    nested: { type: 'object', default: {}, properties: { on: { type: 'boolean', default: true } } },
    tags: { type: 'record', values: { type: 'number' } },
    parent: { type: 'nullable', inner: { type: 'number', min: 0 }, default: null },
    word: { type: 'string', pattern: /^[a-z]+$/ },
    list: { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 2 },
    open: { type: 'object', properties: {}, additionalProperties: true },
  },
};

const err = (v: unknown, schema: Schema = S): string => {
  try {
    validate(v, schema, 'cfg.json');
  } catch (e) {
    assert.ok(e instanceof SchemaError, `expected a SchemaError, got ${String(e)}`);
    assert.ok(e instanceof UserError);
    return e.message;
  }
  assert.fail(`expected a SchemaError for ${JSON.stringify(v)}`);
};

test('defaults are filled in and the input is not mutated', () => {
  const input = { name: 'x' };
  const v = validate<Record<string, unknown>>(input, S);
  assert.deepEqual(v, { name: 'x', size: 4, rate: 0.5, kind: 'a', items: [], nested: { on: true }, parent: null });
  assert.deepEqual(input, { name: 'x' });
  // defaults are fresh copies: changing one result does not change the next
  (v.items as unknown[]).push([1, 2]);
  assert.deepEqual(validate<Record<string, unknown>>({ name: 'y' }, S).items, []);
  // a root default applies to a missing value
  assert.deepEqual(validate({ name: 'z', nested: undefined }, S), validate({ name: 'z' }, S));
  assert.deepEqual(validate(undefined, { type: 'object', default: {}, properties: { a: { type: 'number', default: 2 } } }), { a: 2 });
});

test('errors name the field path and say what was expected and what was found', () => {
  assert.equal(err({}), 'cfg.json: name: expected a string, got nothing (field missing)');
  assert.equal(err({ name: 'x', size: -3 }), 'cfg.json: size: expected an integer ≥ 1, got -3');
  assert.equal(err({ name: 'x', size: 2.5 }), 'cfg.json: size: expected an integer ≥ 1, got 2.5');
  assert.equal(err({ name: 'x', size: '3' }), 'cfg.json: size: expected an integer ≥ 1, got "3"');
  assert.equal(err({ name: 'x', rate: 0 }), 'cfg.json: rate: expected a number in (0, 1], got 0');
  assert.equal(err({ name: 'x', rate: 'hi' }), 'cfg.json: rate: expected a finite number in (0, 1], got "hi"');
  assert.equal(err({ name: 'x', rate: NaN }), 'cfg.json: rate: expected a finite number in (0, 1], got NaN');
  assert.equal(err({ name: 'x', rate: Infinity }), 'cfg.json: rate: expected a finite number in (0, 1], got Infinity');
  assert.equal(err({ name: 'x', kind: 'c' }), 'cfg.json: kind: expected one of a, b, got "c"');
  assert.equal(err({ name: 'x', items: [[1, 2], [3]] }), 'cfg.json: items[1]: expected an array of exactly 2 items, got an array of 1');
  assert.equal(err({ name: 'x', items: [[1, 2, 3]] }), 'cfg.json: items[0]: expected an array of exactly 2 items, got an array of 3');
  assert.equal(err({ name: 'x', items: [[1, 'a']] }), 'cfg.json: items[0][1]: expected a finite number, got "a"');
  assert.equal(err({ name: 'x', nested: { on: 'yes' } }), 'cfg.json: nested.on: expected true or false, got "yes"');
  assert.equal(err({ name: 'x', nested: [] }), 'cfg.json: nested: expected an object, got an array of 0');
  assert.equal(err({ name: 'x', tags: { a: 1, b: 'two' } }), 'cfg.json: tags.b: expected a finite number, got "two"');
  assert.equal(err({ name: 'x', parent: -1 }), 'cfg.json: parent: expected null or a number ≥ 0, got -1');
  assert.equal(err({ name: 'x', parent: 'p' }), 'cfg.json: parent: expected null or a number ≥ 0, got "p"');
  assert.equal(err({ name: 'x', word: 'A1' }), 'cfg.json: word: expected a string matching /^[a-z]+$/, got "A1"');
  assert.equal(err({ name: 'x', list: [] }), 'cfg.json: list: expected an array of at least 1 items, got an array of 0');
  assert.equal(err({ name: 'x', list: [1, 2, 3] }), 'cfg.json: list: expected an array of at most 2 items, got an array of 3');
  assert.equal(err(42), 'cfg.json: (root): expected an object, got 42');
  // a field-path prefix for a section checked on its own
  assert.throws(() => validate({ name: 'x', size: 0 }, S, 'run.json', 'controller'), { message: 'run.json: controller.size: expected an integer ≥ 1, got 0' });
});

test('unknown keys are refused, naming the key, a likely meant one, and the allowed ones', () => {
  assert.equal(err({ name: 'x', szie: 3 }), 'cfg.json: szie: no such field (did you mean "size"?); allowed: name, size, rate, kind, items, nested, tags, parent, word, list, open');
  assert.equal(err({ name: 'x', nested: { off: true } }), 'cfg.json: nested.off: no such field; allowed: on');
  assert.equal(err({ name: 'x', nested: { on: true } }, { type: 'object', properties: { name: { type: 'string' }, nested: { type: 'object', properties: {} } } }), 'cfg.json: nested.on: no such field; this object takes no fields');
});

test('__proto__, constructor, toString and prototype are refused as keys, also where any key is allowed', () => {
  // JSON.parse makes "__proto__" an own property, which a `key in properties` check passes
  const proto = JSON.parse('{"name": "x", "__proto__": {"size": 99}}');
  assert.ok(Object.hasOwn(proto, '__proto__'));
  assert.match(err(proto), /^cfg\.json: __proto__: no such field; allowed: name, size/);
  assert.match(err({ name: 'x', constructor: 1 }), /^cfg\.json: constructor: no such field; allowed: name/);
  assert.match(err({ name: 'x', toString: 1 }), /^cfg\.json: toString: no such field; allowed: name/);
  assert.match(err({ name: 'x', nested: JSON.parse('{"hasOwnProperty": true}') }), /^cfg\.json: nested\.hasOwnProperty: no such field/);
  // records and open objects take any data key, but not these
  assert.equal(err({ name: 'x', tags: JSON.parse('{"__proto__": 1}') }), 'cfg.json: tags.__proto__: "__proto__" cannot be a key (__proto__, constructor, prototype are reserved JavaScript names)');
  assert.match(err({ name: 'x', tags: { constructor: 1 } }), /^cfg\.json: tags\.constructor: "constructor" cannot be a key/);
  assert.match(err({ name: 'x', open: JSON.parse('{"a": {"b": 1}, "prototype": {}}') }), /^cfg\.json: open\.prototype: "prototype" cannot be a key/);
  // an open object keeps other keys, and its copy has a plain prototype
  const v = validate<{ open: Record<string, unknown> }>({ name: 'x', open: { a: { b: 1 } } }, S);
  assert.deepEqual(v.open, { a: { b: 1 } });
  assert.equal(Object.getPrototypeOf(v.open), Object.prototype);
});

test('a document accepts "$schema" and drops it from the result; other objects refuse it', () => {
  const v = validate<Record<string, unknown>>({ $schema: '../schemas/x.schema.json', name: 'x' }, S);
  assert.equal(v.$schema, undefined);
  assert.equal(v.name, 'x');
  assert.equal(err({ name: 'x', $schema: 3 }), 'cfg.json: $schema: expected a string, got 3');
  assert.match(err({ name: 'x', nested: { $schema: 'y' } }), /^cfg\.json: nested\.\$schema: no such field/);
});

test('each schema is compiled once, however often it is used (and once more to explain its first failure)', () => {
  const T: Schema = { type: 'object', properties: { a: { type: 'number', default: 1 } } };
  const before = schemaCompileCount();
  for (let i = 0; i < 200; i++) validate({}, T);
  assert.equal(schemaCompileCount() - before, 1);
  for (let i = 0; i < 200; i++) assert.throws(() => validate({ a: 'x' }, T), SchemaError);
  assert.equal(schemaCompileCount() - before, 2);
});

test('of several mistakes, the first in document order is reported: unknown keys, then fields in schema order', () => {
  const L: Schema = {
    type: 'object',
    required: ['format', 'version', 'items'],
    properties: {
      format: { type: 'string', enum: ['layout'] },
      version: { type: 'number', integer: true, min: 1, max: 1 },
      items: { type: 'array', items: { type: 'object', required: ['n'], properties: { n: { type: 'number' }, m: { type: 'string' } } } },
    },
  };
  // ajv alone would report the missing "version" first
  assert.equal(err({ format: 'x' }, L), 'cfg.json: format: expected one of layout, got "x"');
  assert.equal(err({ format: 'layout' }, L), 'cfg.json: version: expected an integer in [1, 1], got nothing (field missing)');
  assert.match(err({ version: 2, extra: 1 }, L), /^cfg\.json: extra: no such field/);
  assert.equal(err({ format: 'layout', version: 1, items: [{ n: 1 }, { m: 2 }, { n: 'x' }] }, L), 'cfg.json: items[1].n: expected a number, got nothing (field missing)');
  assert.equal(err({ format: 'layout', version: 1, items: [{ n: 1 }, { n: 2, m: 3 }] }, L), 'cfg.json: items[1].m: expected a string, got 3');
});

test('the JSON Schema form says the same as the compact form', () => {
  assert.deepEqual(toJsonSchema({ type: 'number', min: 0, exclusiveMin: true, max: 1, default: 0.5 }), { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 });
  assert.deepEqual(toJsonSchema({ type: 'tuple', items: [{ type: 'number' }, { type: 'boolean' }] }), {
    type: 'array',
    prefixItems: [{ type: 'number' }, { type: 'boolean' }],
    items: false,
    minItems: 2,
    maxItems: 2,
  });
  assert.deepEqual(toJsonSchema({ type: 'nullable', inner: { type: 'string' }, default: null }), { anyOf: [{ type: 'string' }, { type: 'null' }], default: null });
  assert.deepEqual(toJsonSchema({ type: 'record', values: { type: 'number', integer: true } }), {
    type: 'object',
    additionalProperties: { type: 'integer' },
    propertyNames: { not: { enum: ['__proto__', 'constructor', 'prototype'] } },
  });
  const ref: Schema = { type: 'object', properties: {}, additionalProperties: true, publishedRef: 'other.schema.json' };
  assert.deepEqual(toJsonSchema(ref, { published: true }), { $ref: 'other.schema.json' });
  assert.equal(toJsonSchema(ref).type, 'object');
});

test('closestName suggests near misses only', () => {
  assert.equal(closestName('szie', ['name', 'size']), 'size');
  assert.equal(closestName('frction', ['flat', 'friction', 'gravity']), 'friction');
  assert.equal(closestName('lava', ['flat', 'slope', 'rough']), null);
  assert.equal(closestName('GRAVITY', ['gravity']), 'gravity');
});
