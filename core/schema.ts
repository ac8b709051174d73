/**
 * One small schema language for every kind of configuration (controller and training configs,
 * morphology specs, websocket messages, suites). A schema is data; `validate` returns the value
 * with defaults filled in, or throws a `SchemaError` that names the offending field by path
 * (`network.hidden`, `bodies[3].joint.range`) and says what was expected.
 */
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
      default?: Record<string, unknown>;
      description?: string;
    }
  | { type: 'record'; values: Schema; description?: string; default?: Record<string, unknown> }
  | { type: 'nullable'; inner: Schema; default?: null; description?: string }
  | { type: 'any'; description?: string; default?: unknown };

export class SchemaError extends UserError {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
    readonly where = '',
  ) {
    super(`${where ? where + ': ' : ''}${path || '(root)'}: expected ${expected}, got ${describe(got)}`);
    this.name = 'SchemaError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/**
 * Check `value` against `schema`; return a deep copy with defaults filled in.
 * `where` (a file name or message kind) prefixes error messages.
 */
export function validate<T = unknown>(value: unknown, schema: Schema, where = '', path = ''): T {
  return check(value, schema, path, where) as T;
}

function check(value: unknown, s: Schema, path: string, where: string): unknown {
  if (value === undefined && 'default' in s && s.default !== undefined) value = structuredClone(s.default);
  const fail = (expected: string): never => {
    throw new SchemaError(path, expected, value, where);
  };
  switch (s.type) {
    case 'any':
      return value;
    case 'nullable':
      if (value === null || (value === undefined && 'default' in s)) return null;
      return check(value, s.inner, path, where);
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${s.integer ? 'an integer' : 'a finite number'}${range(s)}`);
      const n = value as number;
      if (s.integer && !Number.isInteger(n)) fail(`an integer${range(s)}`);
      const what = s.integer ? 'an integer' : 'a number';
      if (s.min !== undefined && (s.exclusiveMin ? n <= s.min : n < s.min)) fail(`${what}${range(s)}`);
      if (s.max !== undefined && n > s.max) fail(`${what}${range(s)}`);
      return n;
    }
    case 'string': {
      if (typeof value !== 'string') fail(s.enum ? `one of ${s.enum.join(', ')}` : 'a string');
      if (s.enum && !s.enum.includes(value as string)) fail(`one of ${s.enum.join(', ')}`);
      if (s.pattern && !s.pattern.test(value as string)) fail(`a string matching ${s.pattern}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return value;
    case 'array': {
      if (!Array.isArray(value)) fail('an array');
      const a = value as unknown[];
      if (s.minItems !== undefined && a.length < s.minItems) fail(`an array of at least ${s.minItems} items`);
      if (s.maxItems !== undefined && a.length > s.maxItems) fail(`an array of at most ${s.maxItems} items`);
      return a.map((item, i) => check(item, s.items, join(path, i), where));
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== s.items.length) fail(`an array of exactly ${s.items.length} items`);
      return (value as unknown[]).map((item, i) => check(item, s.items[i], join(path, i), where));
    }
    case 'record': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('an object');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = check(v, s.values, join(path, k), where);
      return out;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('an object');
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) {
        if (!(key in s.properties) && !s.additionalProperties) {
          throw new SchemaError(join(path, key), `no such field (known: ${Object.keys(s.properties).join(', ')})`, obj[key], where);
        }
      }
      for (const [key, sub] of Object.entries(s.properties)) {
        const v = obj[key];
        if (v === undefined && !('default' in sub && sub.default !== undefined) && sub.type !== 'nullable') {
          if (s.required?.includes(key)) throw new SchemaError(join(path, key), describeSchema(sub), undefined, where);
          continue;
        }
        out[key] = check(v, sub, join(path, key), where);
      }
      if (s.additionalProperties) for (const key of Object.keys(obj)) if (!(key in out)) out[key] = obj[key];
      return out;
    }
  }
}

function range(s: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (s.min !== undefined && s.max !== undefined) return ` in [${s.min}, ${s.max}]`;
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
