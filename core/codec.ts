/**
 * The one exact, JSON-able encoding of typed arrays (checkpoints, normaliser state, anything
 * else that stores numbers): the raw little-endian bytes in base64, so every bit (including −0,
 * NaN payloads, ±Infinity) survives a round trip through `JSON.stringify` / `JSON.parse`.
 */
import { endianness } from 'node:os';

if (endianness() !== 'LE') {
  // Every platform Node 20 ships for is little-endian; refuse rather than write foreign bytes.
  throw new Error('spikeloco typed-array encoding (core/codec.ts) assumes a little-endian platform');
}

/** A base64 string (standard alphabet, padded). */
export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

type Typed = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

function encode(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decodeBytes(s: string, bytesPer: number, expectedLength: number | undefined, what: string): Uint8Array {
  if (typeof s !== 'string' || !BASE64_PATTERN.test(s) || s.length % 4 !== 0) {
    throw new Error(`${what}: expected a base64 string`);
  }
  const b = Buffer.from(s, 'base64');
  if (b.length % bytesPer !== 0) throw new Error(`${what}: ${b.length} bytes is not a whole number of ${bytesPer}-byte values`);
  const n = b.length / bytesPer;
  if (expectedLength !== undefined && n !== expectedLength) {
    throw new Error(`${what}: expected ${expectedLength} values, got ${n}`);
  }
  return b;
}

export function encodeFloat64(a: Float64Array): string {
  return encode(a);
}

export function encodeFloat32(a: Float32Array): string {
  return encode(a);
}

/** Decode into a fresh array; `expectedLength` (if given) is checked and named in the error. */
export function decodeFloat64(s: string, expectedLength?: number, what = 'float64 array'): Float64Array {
  const b = decodeBytes(s, 8, expectedLength, what);
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function decodeFloat32(s: string, expectedLength?: number, what = 'float32 array'): Float32Array {
  const b = decodeBytes(s, 4, expectedLength, what);
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function encodeTyped(a: Typed): string {
  return encode(a);
}

/** Decode bytes for any supported typed-array constructor name. */
export function decodeTyped(type: TypedName, s: string, what = `${type} array`): Typed {
  const C = TYPED[type];
  const b = decodeBytes(s, C.BYTES_PER_ELEMENT, undefined, what);
  const out = new C(b.length / C.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export type TypedName = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint32Array' | 'Uint8Array';
const TYPED = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array } as const;

/** The constructor name of a supported typed array, or undefined. */
export function typedName(v: unknown): TypedName | undefined {
  if (v instanceof Float32Array) return 'Float32Array';
  if (v instanceof Float64Array) return 'Float64Array';
  if (v instanceof Int32Array) return 'Int32Array';
  if (v instanceof Uint32Array) return 'Uint32Array';
  if (v instanceof Uint8Array) return 'Uint8Array';
  return undefined;
}
