import type { BodySpec, GeomSpec, MorphologySpec, Vec3 } from './spec.js';

/**
 * A hexapod in the Ant's regime (same capsule radius, density, damping, armature and gear),
 * built to walk with a tripod gait.
 *
 * Torso: a box with half extents (0.4, 0.15, 0.06), spawned at z = 0.55. Six legs, three per
 * side, at x = +0.3, 0, −0.3 on the torso's side faces (y = ±0.15), each pointing straight
 * out sideways (±y). Per leg: a hip link (0.2 along ±y) about z with range ±30°, and a knee
 * link (0.4 along ±y) about the horizontal axis perpendicular to the leg, oriented so that
 * positive travel lowers the foot; range 30..70°, so as in the Ant the joint stop holds the
 * foot below the hip. Capsule radius 0.08, density 5, friction 1, joint damping 1, armature
 * 1, gear 150, control in [−1, 1].
 *
 * Legs are numbered counter-clockwise seen from above, starting front-left (as the Ant's):
 * 1 front-left, 2 middle-left, 3 back-left, 4 back-right, 5 middle-right, 6 front-right.
 * Joints hip_i and knee_i, bodies hip_i_link and knee_i_link, feet knee_i_geom. Action order is
 * body order: hip_1, knee_1, hip_2, knee_2, …, hip_6, knee_6.
 *
 * A tripod is {front-left, back-left, middle-right} against {middle-left, front-right,
 * back-right}: the sim's open-loop gait (`sim/gait.ts`) alternates phase front to back along
 * each side and offsets the right side by π, which is exactly this grouping.
 */
interface LegLayout {
  leg: string;
  index: number;
  /** hip x on the torso */
  x: number;
  /** +1 left, −1 right */
  side: 1 | -1;
}

const LEGS: LegLayout[] = [
  { leg: 'front-left', index: 1, x: 0.3, side: 1 },
  { leg: 'middle-left', index: 2, x: 0, side: 1 },
  { leg: 'back-left', index: 3, x: -0.3, side: 1 },
  { leg: 'back-right', index: 4, x: -0.3, side: -1 },
  { leg: 'middle-right', index: 5, x: 0, side: -1 },
  { leg: 'front-right', index: 6, x: 0.3, side: -1 },
];

export const HEXAPOD = {
  torsoHalfExtents: [0.4, 0.15, 0.06] as Vec3,
  spawnZ: 0.55,
  radius: 0.08,
  hipLength: 0.2,
  kneeLength: 0.4,
  hipRange: [-30, 30] as [number, number],
  kneeRange: [30, 70] as [number, number],
  joint: { gear: 150, damping: 1, armature: 1 },
} as const;

export function hexapodSpec(): MorphologySpec {
  const H = HEXAPOD;
  const [hx, hy, hz] = H.torsoHalfExtents;
  const torsoGeoms: GeomSpec[] = [{ name: 'torso_geom', shape: 'box', halfExtents: [hx, hy, hz] }];
  const bodies: BodySpec[] = [{ name: 'torso', parent: null, pos: [0, 0, H.spawnZ], geoms: torsoGeoms }];
  const legs: Record<string, string[]> = {};
  const feet: string[] = [];
  for (const { leg, index, x, side } of LEGS) {
    // leg direction d = (0, side, 0); knee axis (−d_y, d_x, 0) gives axis × d = −z: positive lowers the foot
    const kneeAxis: Vec3 = [-side, 0, 0];
    bodies.push({
      name: `hip_${index}_link`,
      parent: 'torso',
      pos: [x, side * hy, 0],
      joint: { name: `hip_${index}`, axis: [0, 0, 1], range: [H.hipRange[0], H.hipRange[1]], ...H.joint },
      geoms: [{ name: `hip_${index}_geom`, shape: 'capsule', radius: H.radius, fromto: [[0, 0, 0], [0, side * H.hipLength, 0]] }],
    });
    bodies.push({
      name: `knee_${index}_link`,
      parent: `hip_${index}_link`,
      pos: [0, side * H.hipLength, 0],
      joint: { name: `knee_${index}`, axis: kneeAxis, range: [H.kneeRange[0], H.kneeRange[1]], ...H.joint },
      geoms: [{ name: `knee_${index}_geom`, shape: 'capsule', radius: H.radius, fromto: [[0, 0, 0], [0, side * H.kneeLength, 0]] }],
    });
    legs[leg] = [`hip_${index}`, `knee_${index}`];
    feet.push(`knee_${index}_geom`);
  }
  return {
    name: 'hexapod',
    description: 'six-legged walker, box torso, two hinge joints per leg (hip yaw, knee), gear 150',
    bodies,
    feet,
    density: 5,
    friction: 1,
    healthyZ: [0.12, 1.0],
    legs,
  };
}
