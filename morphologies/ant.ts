import type { BodySpec, MorphologySpec, Vec3 } from './spec.js';

/**
 * The Gymnasium Ant (`ant.xml`, Ant-v4/v5) as a spec.
 *
 * Torso: sphere r = 0.25 at z = 0.75. Per leg: a hip capsule welded to the torso from the
 * centre to (±0.2, ±0.2, 0); a hip link (0.2, 0.2) about z with range ±30°; an ankle link
 * (0.4, 0.4) about the horizontal axis perpendicular to the leg, range 30..70° or −70..−30°
 * so that positive travel lifts or lowers the foot as in the original. Capsule radius 0.08,
 * density 5, friction 1, joint damping 1, armature 1, gear 150, control in [−1, 1].
 *
 * Legs are named by where they sit with +x forward and +y left; joints keep the Gymnasium
 * names (hip_1 … ankle_4). Action order is body order: hip_1, ankle_1, hip_2, … ankle_4
 * (Gymnasium's actuator order starts at hip_4; the MJCF exporter writes ours).
 */
interface LegLayout {
  leg: string;
  index: number;
  dir: [number, number];
  ankleAxis: Vec3;
  ankleRange: [number, number];
}

const LEGS: LegLayout[] = [
  { leg: 'front-left', index: 1, dir: [1, 1], ankleAxis: [-1, 1, 0], ankleRange: [30, 70] },
  { leg: 'back-left', index: 2, dir: [-1, 1], ankleAxis: [1, 1, 0], ankleRange: [-70, -30] },
  { leg: 'back-right', index: 3, dir: [-1, -1], ankleAxis: [-1, 1, 0], ankleRange: [-70, -30] },
  { leg: 'front-right', index: 4, dir: [1, -1], ankleAxis: [1, 1, 0], ankleRange: [30, 70] },
];

const RADIUS = 0.08;
const JOINT = { gear: 150, damping: 1, armature: 1 };

export function antSpec(): MorphologySpec {
  const torsoGeoms: BodySpec['geoms'] = [{ name: 'torso_geom', shape: 'sphere', radius: 0.25 }];
  const bodies: BodySpec[] = [{ name: 'torso', parent: null, pos: [0, 0, 0.75], geoms: torsoGeoms }];
  const legs: Record<string, string[]> = {};
  const feet: string[] = [];
  for (const { leg, index, dir, ankleAxis, ankleRange } of LEGS) {
    const [sx, sy] = dir;
    torsoGeoms.push({
      name: `aux_${index}_geom`,
      shape: 'capsule',
      radius: RADIUS,
      fromto: [[0, 0, 0], [0.2 * sx, 0.2 * sy, 0]],
    });
    bodies.push({
      name: `hip_${index}_link`,
      parent: 'torso',
      pos: [0.2 * sx, 0.2 * sy, 0],
      joint: { name: `hip_${index}`, axis: [0, 0, 1], range: [-30, 30], ...JOINT },
      geoms: [{ name: `leg_${index}_geom`, shape: 'capsule', radius: RADIUS, fromto: [[0, 0, 0], [0.2 * sx, 0.2 * sy, 0]] }],
    });
    bodies.push({
      name: `ankle_${index}_link`,
      parent: `hip_${index}_link`,
      pos: [0.2 * sx, 0.2 * sy, 0],
      joint: { name: `ankle_${index}`, axis: ankleAxis, range: ankleRange, ...JOINT },
      geoms: [{ name: `ankle_${index}_geom`, shape: 'capsule', radius: RADIUS, fromto: [[0, 0, 0], [0.4 * sx, 0.4 * sy, 0]] }],
    });
    legs[leg] = [`hip_${index}`, `ankle_${index}`];
    feet.push(`ankle_${index}_geom`);
  }
  return {
    name: 'ant',
    description: 'Gymnasium Ant quadruped (ant.xml): 9 bodies, 8 hinge joints, gear 150',
    bodies,
    feet,
    density: 5,
    friction: 1,
    healthyZ: [0.2, 1.0],
    legs,
  };
}
