/**
 * Rigid-body frames for the importers: rotations as row-major 3×3 matrices (`Mat3`), built from
 * the orientation forms MJCF and URDF use, and applied to vectors. The spec has no rotated
 * bodies, so the importers compose every frame down to the world and express all geometry in
 * world-parallel frames at the body origins (see `assemble.ts`).
 */
import type { Vec3 } from '../spec.js';

export type Mat3 = [number, number, number, number, number, number, number, number, number];

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function mul(a: Mat3, b: Mat3): Mat3 {
  const o = new Array(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  return o;
}

export function apply(r: Mat3, v: Vec3): Vec3 {
  return [r[0] * v[0] + r[1] * v[1] + r[2] * v[2], r[3] * v[0] + r[4] * v[1] + r[5] * v[2], r[6] * v[0] + r[7] * v[1] + r[8] * v[2]];
}

export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Rotation of a unit quaternion (w, x, y, z), normalised first (as MuJoCo does). */
export function fromQuat(w: number, x: number, y: number, z: number): Mat3 {
  const n = Math.hypot(w, x, y, z);
  if (!(n > 0)) throw new RangeError('zero quaternion');
  w /= n; x /= n; y /= n; z /= n;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

/** The unit quaternion (w, x, y, z), w ≥ 0, of a rotation matrix (Shepperd's method: the largest diagonal term first). */
export function toQuat(r: Mat3): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = r;
  const tr = m00 + m11 + m22;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = 2 * Math.sqrt(1 + tr);
    q = [s / 4, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    q = [(m21 - m12) / s, s / 4, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    q = [(m02 - m20) / s, (m01 + m10) / s, s / 4, (m12 + m21) / s];
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, s / 4];
  }
  const n = Math.hypot(...q) * (q[0] < 0 ? -1 : 1);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Rotation by `angle` rad about `axis` (Rodrigues: R = I + sin θ K + (1 − cos θ) K²). */
export function fromAxisAngle(axis: Vec3, angle: number): Mat3 {
  const n = norm(axis);
  if (!(n > 0)) throw new RangeError('zero axis');
  const half = angle / 2, s = Math.sin(half) / n;
  return fromQuat(Math.cos(half), axis[0] * s, axis[1] * s, axis[2] * s);
}

const AXES: Record<string, Vec3> = { x: [1, 0, 0], y: [0, 1, 0], z: [0, 0, 1] };

/**
 * MJCF `euler` with `<compiler eulerseq>`: lower-case letters rotate about the moving frame's
 * axes (intrinsic: R = R₁R₂R₃), upper-case about the fixed frame's (extrinsic: R = R₃R₂R₁).
 */
export function fromEuler(angles: Vec3, seq: string): Mat3 {
  let r = IDENTITY;
  for (let i = 0; i < 3; i++) {
    const c = seq[i];
    const step = fromAxisAngle(AXES[c.toLowerCase()], angles[i]);
    r = c === c.toLowerCase() ? mul(r, step) : mul(step, r);
  }
  return r;
}

/** URDF `rpy`: roll about x, pitch about y, yaw about z, all about fixed axes: R = Rz(y) Ry(p) Rx(r). */
export function fromRpy(rpy: Vec3): Mat3 {
  return fromEuler(rpy, 'XYZ');
}

/** MJCF `xyaxes`: the frame's x and y axes (y made orthogonal to x), z = x × y. */
export function fromXyAxes(x: Vec3, y: Vec3): Mat3 {
  const xn = scale(x, 1 / norm(x));
  const yo = sub(y, scale(xn, xn[0] * y[0] + xn[1] * y[1] + xn[2] * y[2]));
  const yn = scale(yo, 1 / norm(yo));
  const zn = cross(xn, yn);
  return [xn[0], yn[0], zn[0], xn[1], yn[1], zn[1], xn[2], yn[2], zn[2]];
}

/** MJCF `zaxis`: the shortest rotation taking +z to the given direction. */
export function fromZAxis(z: Vec3): Mat3 {
  const zn = scale(z, 1 / norm(z));
  const c = zn[2];
  const axis = cross([0, 0, 1], zn);
  if (norm(axis) < 1e-12) return c > 0 ? IDENTITY : fromAxisAngle([1, 0, 0], Math.PI);
  return fromAxisAngle(axis, Math.acos(Math.max(-1, Math.min(1, c))));
}

/**
 * When `r` is a signed permutation (an axis-aligned rotation, within `tol`), the index of the
 * world axis each local axis maps to; else null. A box keeps its half extents permuted.
 */
export function axisPermutation(r: Mat3, tol = 1e-6): [number, number, number] | null {
  const out: number[] = [];
  for (let j = 0; j < 3; j++) {
    const col = [r[j], r[3 + j], r[6 + j]];
    const i = col.findIndex((v) => Math.abs(Math.abs(v) - 1) < tol);
    if (i < 0 || col.some((v, k) => k !== i && Math.abs(v) > tol)) return null;
    out.push(i);
  }
  return out as [number, number, number];
}
