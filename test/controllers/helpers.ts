import assert from 'node:assert/strict';

/** Element-wise |a − b| ≤ tol, with the index in the message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6, what = 'value'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
  }
}

/** Element-wise === (so +0 and −0 count as equal; NaN never does). */
export function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'value'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assert.ok(actual[i] === expected[i], `${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
}

export const F = (xs: number[]): Float32Array => Float32Array.from(xs);
export const U8 = (xs: number[]): Uint8Array => Uint8Array.from(xs);
