/**
 * The home pose of a spec: every joint at its `home` angle (absent: 0, the rest pose), by
 * forward kinematics down the body tree. The sim spawns the robot in it (sim/world.ts) and the
 * importers lift the robot so that its lowest point clears the ground in it (import/assemble.ts).
 *
 * With q_b the world rotation of body b and o_b its origin (root: the root's `pos`):
 *   q_child = q_parent ⊗ rot(axis, home),   o_child = o_parent + q_parent · pos_child
 * (a joint's axis is given in the parent frame and sits at the child's origin; spec.ts).
 */
import type { GeomSpec, JointSpec, MorphologySpec, Vec3 } from './spec.js';

/** What the pose needs of a spec: its body tree. */
type Bodies = Pick<MorphologySpec, 'bodies'>;

/** Unit quaternion [x, y, z, w] (Rapier's order). */
export type Quat = [number, number, number, number];

export interface BodyPose {
  /** body origin in the world (the spec's frame: the root at its `pos`, no terrain offset) */
  origin: Vec3;
  rotation: Quat;
}

/** A joint's home angle in radians, clamped into its range (what a = 0 of a position servo holds). */
export function homeAngle(j: JointSpec): number {
  const lo = (j.range[0] * Math.PI) / 180, hi = (j.range[1] * Math.PI) / 180;
  const h = ((j.home ?? 0) * Math.PI) / 180;
  return Math.min(hi, Math.max(lo, h));
}

/** true when some joint has a home angle other than 0 (the body frames then rotate at spawn). */
export function hasHomePose(spec: Bodies): boolean {
  return spec.bodies.some((b) => (b.joint?.home ?? 0) !== 0);
}

/**
 * Pose of every body (in spec order) with each joint at its home angle; a joint without one at
 * angle 0 (the rest pose as built, even where 0 lies outside its range, as the sim has always
 * spawned it). Validated home angles lie within their ranges, so none is clamped here.
 */
export function homePose(spec: Bodies): BodyPose[] {
  const index = new Map(spec.bodies.map((b, i) => [b.name, i]));
  const out: BodyPose[] = [];
  const poseOf = (i: number): BodyPose => {
    if (out[i]) return out[i];
    const b = spec.bodies[i];
    if (b.parent === null) return (out[i] = { origin: [b.pos[0], b.pos[1], b.pos[2]], rotation: [0, 0, 0, 1] });
    const p = poseOf(index.get(b.parent)!);
    const d = rotate(p.rotation, b.pos);
    const origin: Vec3 = [p.origin[0] + d[0], p.origin[1] + d[1], p.origin[2] + d[2]];
    const j = b.joint!;
    const n = Math.hypot(j.axis[0], j.axis[1], j.axis[2]);
    const half = ((j.home ?? 0) * Math.PI) / 360, s = Math.sin(half) / n;
    return (out[i] = { origin, rotation: multiply(p.rotation, [j.axis[0] * s, j.axis[1] * s, j.axis[2] * s, Math.cos(half)]) });
  };
  spec.bodies.forEach((_, i) => poseOf(i));
  return out;
}

/** Lowest world z of any geom with every joint at its home angle (the spec's frame). */
export function lowestPointAtHome(spec: Bodies): number {
  const poses = homePose(spec);
  let lowest = Infinity;
  spec.bodies.forEach((b, i) => {
    for (const g of b.geoms) lowest = Math.min(lowest, geomLowestZ(g, poses[i]));
  });
  return lowest;
}

function geomLowestZ(g: GeomSpec, pose: BodyPose): number {
  const at = (p: Vec3): number => pose.origin[2] + rotate(pose.rotation, p)[2];
  if (g.shape === 'sphere') return at(g.pos ?? [0, 0, 0]) - g.radius!;
  if (g.shape === 'capsule') return Math.min(at(g.fromto![0]), at(g.fromto![1])) - g.radius!;
  if (g.shape === 'convex') return Math.min(...g.points!.map(at));
  // a box: its centre minus the half extents projected on world z (the rotation's third row)
  const [x, y, z, w] = pose.rotation;
  const row: Vec3 = [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)];
  const h = g.halfExtents!;
  return at(g.pos ?? [0, 0, 0]) - (Math.abs(row[0]) * h[0] + Math.abs(row[1]) * h[1] + Math.abs(row[2]) * h[2]);
}

/** q ⊗ r */
function multiply(q: Quat, r: Quat): Quat {
  const [ax, ay, az, aw] = q, [bx, by, bz, bw] = r;
  return [
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
    aw * bw - ax * bx - ay * by - az * bz,
  ];
}

/** q · v · q* */
function rotate(q: Quat, v: Vec3): Vec3 {
  const [qx, qy, qz, qw] = q;
  const tx = 2 * (qy * v[2] - qz * v[1]), ty = 2 * (qz * v[0] - qx * v[2]), tz = 2 * (qx * v[1] - qy * v[0]);
  return [v[0] + qw * tx + (qy * tz - qz * ty), v[1] + qw * ty + (qz * tx - qx * tz), v[2] + qw * tz + (qx * ty - qy * tx)];
}
