/**
 * One small schema language for every kind of configuration (controller and training configs,
 * morphology specs, websocket messages, suites, checkpoint records), checked by ajv.
 *
 * A `Schema` is data written in this file's compact form; `toJsonSchema` turns it into JSON
 * Schema (draft 2020-12), which is both what ajv compiles and what `schemas/*.schema.json`
 * publishes for editors, so the two cannot differ. `validate` returns a copy of the value with
 * every default filled in (the one place defaults are applied) or throws a `SchemaError` that
 * names the field by path (`network.hidden`, `bodies[3].joint.range`), says what was expected
 * and what was found. Each schema is compiled once, on first use, and cached by identity: keep
 * schemas in module constants, never build one per call.
 *
 * Unknown keys are errors (a typo never passes silently), and so are the JavaScript names
 * `__proto__`, `constructor` and `prototype` as keys anywhere (records and open objects
 * included): `JSON.parse('{"__proto__": …}')` makes an own property of that name, which a
 * naive `key in properties` check waves through.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closestName } from './closest.js';
import { UserError } from './errors.js';

export type Schema =
  | { type: 'number'; min?: number; max?: number; integer?: boolean; default?: number; description?: string; exclusiveMin?: boolean }
  | { type: 'string'; enum?: readonly string[]; pattern?: RegExp; default?: string; description?: string }
  | { type: 'boolean'; default?: boolean; description?: string }
  | { type: 'array'; items: Schema; minItems?: number; maxItems?: number; default?: unknown[]; description?: string }
  | { type: 'tuple'; items: readonly Schema[]; description?: string; default?: unknown[] }
  | {
      type: 'object';
      properties: Readonly<Record<string, Schema>>;
      required?: readonly string[];
      /** false (default): unknown keys are an error, so a typo never passes silently */
      additionalProperties?: boolean;
      /**
       * A file's top level: accepts a `"$schema"` string (the published JSON Schema, for editors'
       * completion and checking), which `validate` drops from its result.
       */
      document?: boolean;
      /** In the published JSON Schema only: this field is described by that published file. */
      publishedRef?: string;
      default?: Record<string, unknown>;
      description?: string;
    }
  | { type: 'record'; values: Schema; description?: string; default?: Record<string, unknown> }
  | { type: 'nullable'; inner: Schema; default?: null; description?: string }
  | { type: 'any'; description?: string; default?: unknown };

/** Keys refused everywhere: they name JavaScript machinery, never data. */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export class SchemaError extends UserError {
  /**
   * `where: path: expected EXPECTED, got GOT`, or `where: path: DETAIL` when `detail` is given
   * (e.g. an unknown field). `where` names the file or message; `path` the field.
   */
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
    readonly where = '',
    detail?: string,
  ) {
    super(`${where ? where + ': ' : ''}${path || '(root)'}: ${detail ?? `expected ${expected}, got ${describeValue(got)}`}`);
    this.name = 'SchemaError';
  }
}

/** A short description of a found value for messages: `"abc"`, `-3`, `an array of 2`, `an object`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// Schema → JSON Schema

/** A JSON Schema (draft 2020-12) document or sub-schema, as plain data. */
export type JsonSchema = { [key: string]: unknown };

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const reservedKeyNames: JsonSchema = { not: { enum: [...RESERVED_KEYS] } };

/**
 * The JSON Schema (draft 2020-12) form of `s`. `published: true` is for the files in
 * `schemas/`: fields with `publishedRef` become `$ref`s to the other published file (the code
 * checks such a field with its own parser, e.g. a training config's `controller`).
 */
export function toJsonSchema(s: Schema, opts: { published?: boolean } = {}): JsonSchema {
  const sub = (x: Schema) => toJsonSchema(x, opts);
  const out: JsonSchema = {};
  if (s.description) out.description = s.description;
  switch (s.type) {
    case 'any':
      break;
    case 'number':
      out.type = s.integer ? 'integer' : 'number';
      if (s.min !== undefined) out[s.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = s.min;
      if (s.max !== undefined) out.maximum = s.max;
      break;
    case 'string':
      out.type = 'string';
      if (s.enum) out.enum = [...s.enum];
      if (s.pattern) {
        if (s.pattern.flags) throw new Error(`schema: pattern ${s.pattern} has flags; JSON Schema patterns take none`);
        out.pattern = s.pattern.source;
      }
      break;
    case 'boolean':
      out.type = 'boolean';
      break;
    case 'array':
      out.type = 'array';
      out.items = sub(s.items);
      if (s.minItems !== undefined) out.minItems = s.minItems;
      if (s.maxItems !== undefined) out.maxItems = s.maxItems;
      break;
    case 'tuple':
      out.type = 'array';
      out.prefixItems = s.items.map(sub);
      out.items = false;
      out.minItems = s.items.length;
      out.maxItems = s.items.length;
      break;
    case 'object': {
      if (opts.published && s.publishedRef) {
        return { $ref: s.publishedRef, ...(s.description ? { description: s.description } : {}), ...(s.default !== undefined ? { default: s.default } : {}) };
      }
      out.type = 'object';
      const props: JsonSchema = {};
      if (s.document) props.$schema = { type: 'string', description: 'the JSON Schema of this file (for editors); ignored by spikeloco' };
      for (const [k, v] of Object.entries(s.properties)) props[k] = sub(v);
      out.properties = props;
      if (s.required?.length) out.required = [...s.required];
      if (s.additionalProperties) {
        out.additionalProperties = true;
        out.propertyNames = reservedKeyNames;
      } else {
        out.additionalProperties = false;
      }
      break;
    }
    case 'record':
      out.type = 'object';
      out.additionalProperties = sub(s.values);
      out.propertyNames = reservedKeyNames;
      break;
    case 'nullable':
      // ajv applies no defaults inside anyOf (and strict mode refuses them there)
      if (s.inner.default !== undefined) throw new Error('schema: a nullable schema takes its default on itself, not on its inner schema');
      out.anyOf = [sub(s.inner), { type: 'null' }];
      break;
  }
  if (s.default !== undefined) out.default = s.default;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compile once, validate many

let ajv: Ajv2020 | null = null;
let ajvAllErrors: Ajv2020 | null = null;
/** per schema: the checker (stops at the first error) and, compiled on the first failure, the explainer (all errors) */
const compiled = new WeakMap<Schema, { check: ValidateFunction; explain?: ValidateFunction }>();
let compileCount = 0;

/** How many ajv compilations have run so far (for the compile-once tests and the bench). */
export function schemaCompileCount(): number {
  return compileCount;
}

// strict: unknown keywords, ignored defaults and NaN/Infinity as numbers are all errors.
// validateSchema off: checking each schema against the meta-schema tripled the compile time;
// toJsonSchema's output is checked against it by test/core/published-schemas.test.ts instead.
const AJV_OPTIONS = { strict: true, useDefaults: true, allowUnionTypes: false, validateSchema: false } as const;

function compileJson(schema: Schema, allErrors: boolean): ValidateFunction {
  const js = toJsonSchema(schema);
  delete js.default; // the root default is applied by `validate` itself (ajv has no slot for it)
  const instance = allErrors ? (ajvAllErrors ??= new Ajv2020({ ...AJV_OPTIONS, allErrors: true })) : (ajv ??= new Ajv2020({ ...AJV_OPTIONS, allErrors: false }));
  compileCount++;
  return instance.compile(js);
}

function compiledFor(schema: Schema): { check: ValidateFunction; explain?: ValidateFunction } {
  let entry = compiled.get(schema);
  if (!entry) {
    entry = { check: compileJson(schema, false) };
    compiled.set(schema, entry);
  }
  return entry;
}

/** Compile `schemas` now (e.g. at server start) rather than on their first message. */
export function precompile(...schemas: Schema[]): void {
  for (const s of schemas) compiledFor(s);
}

/**
 * Check `value` against `schema`; return a deep copy with defaults filled in (the input is not
 * changed). `where` (a file name or message kind) prefixes error messages; `path` prefixes
 * field paths (for a section checked on its own, e.g. `controller`).
 *
 * When several things are wrong, the message names the first in document order: at each
 * object, unknown keys first, then fields in the schema's order (so `{ "format": "x" }` is
 * reported as the wrong format, not as a missing later field); at each array, the first item.
 */
export function validate<T = unknown>(value: unknown, schema: Schema, where = '', path = ''): T {
  const entry = compiledFor(schema);
  const fresh = (): unknown => (value === undefined && schema.default !== undefined ? copyJson(schema.default) : copyJson(value));
  const data = fresh();
  if (!entry.check(data)) {
    entry.explain ??= compileJson(schema, true);
    const again = fresh();
    entry.explain(again);
    throw schemaErrorFrom(entry.explain.errors ?? entry.check.errors ?? [], schema, again, where, path);
  }
  if (schema.type === 'object' && schema.document && isPlainObject(data)) delete data.$schema;
  return data as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of plain data: arrays and plain objects copied, keys whose value is undefined
 * dropped (as JSON does), own `__proto__` keys kept as plain data properties (defineProperty, so
 * they reach the validator instead of changing the copy's prototype). Anything else (numbers,
 * strings, typed arrays, …) is kept as it is for the validator to judge.
 */
function copyJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyJson);
  if (typeof v !== 'object' || v === null || (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) Object.defineProperty(out, k, { value: copyJson(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ajv error → SchemaError

/** The sub-schema for one step of a path (nullable looked through). */
function child(s: Schema | undefined, key: string): Schema | undefined {
  const t = strip(s);
  if (!t) return undefined;
  switch (t.type) {
    case 'object':
      if (t.document && key === '$schema') return { type: 'string' };
      return Object.hasOwn(t.properties, key) ? t.properties[key] : undefined;
    case 'record':
      return t.values;
    case 'array':
      return t.items;
    case 'tuple':
      return t.items[Number(key)];
    default:
      return undefined;
  }
}

function strip(s: Schema | undefined): Schema | undefined {
  return s?.type === 'nullable' ? s.inner : s;
}

function own(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

function segments(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Where an error sits in document order, as a sort key: per path step the field's index in its
 * schema (or the item's index), then -1 for an unknown or reserved key (reported before the
 * fields), or the missing field's index.
 */
function errorRank(err: ErrorObject, root: Schema, data: unknown): number[] {
  const rank: number[] = [];
  let node: Schema | undefined = root;
  let value: unknown = data;
  for (const seg of segments(err.instancePath)) {
    const t = strip(node);
    if (Array.isArray(value)) rank.push(Number(seg));
    else if (t?.type === 'object') rank.push(Object.keys(t.properties).indexOf(seg));
    else rank.push(isPlainObject(value) ? Object.keys(value).indexOf(seg) : 0);
    value = Array.isArray(value) ? value[Number(seg)] : own(value, seg);
    node = child(node, seg);
  }
  const t = strip(node);
  if (err.keyword === 'additionalProperties' || err.keyword === 'propertyNames') rank.push(-1);
  else if (err.keyword === 'required') rank.push(t?.type === 'object' ? Object.keys(t.properties).indexOf(String(err.params.missingProperty)) : 0);
  return rank;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * One SchemaError from ajv's errors (all of them): the first in document order. Left out: the
 * bookkeeping errors of a nullable (its `null` branch and the `anyOf` summary) and the inner
 * error of a reserved key (its `propertyNames` error says it better).
 */
function schemaErrorFrom(errors: ErrorObject[], root: Schema, data: unknown, where: string, prefix: string): SchemaError {
  const relevant = errors.filter((e) => e.keyword !== 'anyOf' && !/\/anyOf\/1\/type$/.test(e.schemaPath) && !(e.propertyName !== undefined && e.keyword !== 'propertyNames'));
  const ranked = (relevant.length ? relevant : errors).map((e, i) => ({ e, i, rank: errorRank(e, root, data) }));
  ranked.sort((a, b) => compareRanks(a.rank, b.rank) || a.i - b.i);
  const err = ranked[0]?.e;
  if (!err) return new SchemaError(prefix, describeSchema(root), data, where);
  // walk the instance path through the value and the schema together
  let node: Schema | undefined = root;
  let value: unknown = data;
  let path = prefix;
  for (const seg of segments(err.instancePath)) {
    path = Array.isArray(value) ? join(path, Number(seg)) : join(path, seg);
    value = Array.isArray(value) ? value[Number(seg)] : own(value, seg);
    node = child(node, seg);
  }
  const p = err.params as Record<string, unknown>;
  const s = strip(node);
  switch (err.keyword) {
    case 'propertyNames': {
      const key = String(p.propertyName);
      return new SchemaError(join(path, key), 'a data key', undefined, where, `${JSON.stringify(key)} cannot be a key (${RESERVED_KEYS.join(', ')} are reserved JavaScript names)`);
    }
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = s?.type === 'object' ? Object.keys(s.properties) : [];
      const guess = closestName(key, known);
      const allowed = known.length ? `allowed: ${known.join(', ')}` : 'this object takes no fields';
      return new SchemaError(join(path, key), 'a known field', own(value, key), where, `no such field${guess ? ` (did you mean "${guess}"?)` : ''}; ${allowed}`);
    }
    case 'required': {
      const key = String(p.missingProperty);
      const sub = child(node, key);
      return new SchemaError(join(path, key), sub ? describeSchema(sub) : 'a value', undefined, where);
    }
    case 'minItems':
    case 'maxItems':
    case 'items':
      if (s?.type === 'tuple') return new SchemaError(path, `an array of exactly ${s.items.length} items`, value, where);
      if (err.keyword === 'minItems') return new SchemaError(path, `an array of at least ${p.limit} items`, value, where);
      if (err.keyword === 'maxItems') return new SchemaError(path, `an array of at most ${p.limit} items`, value, where);
      break;
    case 'pattern':
      if (s?.type === 'string' && s.pattern) return new SchemaError(path, `a string matching ${s.pattern}`, value, where);
      break;
    case 'type':
      if (node?.type === 'number') return new SchemaError(path, `${node.integer ? 'an integer' : 'a finite number'}${range(node)}`, value, where);
      break;
  }
  return new SchemaError(path, node ? describeSchema(node) : `valid (${err.message ?? err.keyword})`, value, where);
}

function range(s: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (s.min !== undefined && s.max !== undefined) return s.exclusiveMin ? ` in (${s.min}, ${s.max}]` : ` in [${s.min}, ${s.max}]`;
  if (s.min !== undefined) return s.exclusiveMin ? ` > ${s.min}` : ` ≥ ${s.min}`;
  if (s.max !== undefined) return ` ≤ ${s.max}`;
  return '';
}

/** A one-line human description of what a schema accepts (used in messages and --help). */
export function describeSchema(s: Schema): string {
  switch (s.type) {
    case 'number':
      return `${s.integer ? 'an integer' : 'a number'}${range(s)}`;
    case 'string':
      return s.enum ? `one of ${s.enum.join(', ')}` : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return `an array of ${describeSchema(s.items)}`;
    case 'tuple':
      return `an array of exactly ${s.items.length} items`;
    case 'object':
    case 'record':
      return 'an object';
    case 'nullable':
      return `null or ${describeSchema(s.inner)}`;
    case 'any':
      return 'anything';
  }
}
