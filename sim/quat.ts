/**
 * Quaternion helpers on plain numbers, [x, y, z, w] convention (Rapier's), writing into
 * caller-owned arrays so hot loops allocate nothing.
 */

/** out = q ⊗ v ⊗ q* (rotate vector v by unit quaternion q). */
export function rotateInto(out: Float64Array, o: number, qx: number, qy: number, qz: number, qw: number, vx: number, vy: number, vz: number): void {
  // t = 2 q_vec × v ; v' = v + w t + q_vec × t
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[o] = vx + qw * tx + (qy * tz - qz * ty);
  out[o + 1] = vy + qw * ty + (qz * tx - qx * tz);
  out[o + 2] = vz + qw * tz + (qx * ty - qy * tx);
}

/**
 * Angle of the rotation q_rel = q_parent⁻¹ ⊗ q_child about a unit axis (its swing-twist
 * twist angle), in (−π, π]. For a revolute joint q_rel is a pure twist, so this is the joint
 * angle; the twist decomposition keeps it well defined when the joint drifts slightly.
 */
export function twistAngle(
  px: number, py: number, pz: number, pw: number,
  cx: number, cy: number, cz: number, cw: number,
  ax: number, ay: number, az: number,
): number {
  // q_rel = conj(p) ⊗ c
  const rw = pw * cw + px * cx + py * cy + pz * cz;
  const rx = pw * cx - px * cw - py * cz + pz * cy;
  const ry = pw * cy + px * cz - py * cw - pz * cx;
  const rz = pw * cz - px * cy + py * cx - pz * cw;
  const d = rx * ax + ry * ay + rz * az;
  let angle = 2 * Math.atan2(d, rw);
  if (angle > Math.PI) angle -= 2 * Math.PI;
  else if (angle <= -Math.PI) angle += 2 * Math.PI;
  return angle;
}

/** Unit quaternion rotating unit vector a onto unit vector b (shortest arc). */
export function quatFromTo(a: [number, number, number], b: [number, number, number]): { x: number; y: number; z: number; w: number } {
  const d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  if (d < -0.999999) {
    // opposite: rotate π about any axis orthogonal to a
    const ox = Math.abs(a[0]) < 0.9 ? 1 : 0;
    const oy = ox ? 0 : 1;
    let cx = a[1] * 0 - a[2] * oy, cy = a[2] * ox - a[0] * 0, cz = a[0] * oy - a[1] * ox;
    const n = Math.hypot(cx, cy, cz);
    cx /= n; cy /= n; cz /= n;
    return { x: cx, y: cy, z: cz, w: 0 };
  }
  const cx = a[1] * b[2] - a[2] * b[1];
  const cy = a[2] * b[0] - a[0] * b[2];
  const cz = a[0] * b[1] - a[1] * b[0];
  const w = 1 + d;
  const n = Math.hypot(cx, cy, cz, w);
  return { x: cx / n, y: cy / n, z: cz / n, w: w / n };
}

/** Quaternion for a rotation of `angle` radians about unit axis (x, y, z). */
export function quatAxisAngle(x: number, y: number, z: number, angle: number): { x: number; y: number; z: number; w: number } {
  const s = Math.sin(angle / 2);
  return { x: x * s, y: y * s, z: z * s, w: Math.cos(angle / 2) };
}
