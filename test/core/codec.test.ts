import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE64_PATTERN, decodeFloat32, decodeFloat64, decodeTyped, encodeFloat32, encodeFloat64, encodeTyped, typedName, type TypedName } from '../../core/codec.js';

const bits = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('float64 and float32 round trips keep every bit: −0, ±Infinity, NaN payloads, subnormals', () => {
  const all64 = Float64Array.from([0, -0, 1 / 3, Infinity, -Infinity, 5e-324, -1.7976931348623157e308, 0]);
  new DataView(all64.buffer).setBigUint64(8 * 7, 0x7ff800000000002an, true); // a NaN with a payload
  assert.ok(Number.isNaN(all64[7]));
  const back64 = decodeFloat64(JSON.parse(JSON.stringify(encodeFloat64(all64))), all64.length);
  assert.equal(bits(back64), bits(all64));
  assert.ok(Object.is(back64[1], -0));

  const f32 = Float32Array.from([0.1, -0, 1e-45, 3.4e38, -Infinity, NaN]);
  assert.equal(bits(decodeFloat32(encodeFloat32(f32), 6)), bits(f32));
});

test('a view encodes only its own bytes (byteOffset honoured)', () => {
  const base = Float64Array.from([1, 2, 3, 4]);
  const view = base.subarray(1, 3);
  assert.deepEqual(Array.from(decodeFloat64(encodeFloat64(view))), [2, 3]);
});

test('every supported typed array decodes to its own type', () => {
  const samples: [TypedName, ArrayBufferView & ArrayLike<number>][] = [
    ['Float32Array', Float32Array.from([1.5, -2])],
    ['Float64Array', Float64Array.from([Math.PI])],
    ['Int32Array', Int32Array.from([-7, 2 ** 31 - 1])],
    ['Uint32Array', Uint32Array.from([0xffffffff, 3])],
    ['Uint8Array', Uint8Array.from([0, 1, 255])],
  ];
  for (const [name, a] of samples) {
    assert.equal(typedName(a), name);
    const s = encodeTyped(a as Float32Array);
    assert.match(s, BASE64_PATTERN);
    const back = decodeTyped(name, s);
    assert.equal(typedName(back), name);
    assert.deepEqual(Array.from(back), Array.from(a));
  }
  assert.equal(typedName([1, 2]), undefined);
  assert.equal(typedName(new Int16Array(2)), undefined);
  assert.equal(typedName(Buffer.from('x')), 'Uint8Array', 'a Buffer is a Uint8Array');
});

test('bad input is refused with the field named', () => {
  const good = encodeFloat64(Float64Array.from([1, 2, 3]));
  assert.throws(() => decodeFloat64('not base64!', undefined, 'state.center'), /^Error: state\.center: expected a base64 string/);
  assert.throws(() => decodeFloat64(good.slice(0, good.length - 1), undefined, 'state.center'), /state\.center: expected a base64 string/, 'unpadded length');
  assert.throws(() => decodeFloat64(good, 4, 'state.center'), /state\.center: expected 4 values, got 3/);
  assert.throws(() => decodeFloat64(encodeFloat32(Float32Array.from([1, 2, 3])), undefined, 'state.m'), /state\.m: 12 bytes is not a whole number of 8-byte values/);
  assert.throws(() => decodeFloat32(5 as unknown as string, undefined, 'x'), /x: expected a base64 string/);
  assert.deepEqual(Array.from(decodeFloat64('')), [], 'empty is an empty array');
});
