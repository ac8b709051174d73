/**
 * A robot is data: a tree of rigid bodies, each carrying collision geoms, joined to its parent
 * by one revolute joint. Everything here is JSON-serialisable.
 *
 * Conventions (shared by sim/, the MJCF exporter and the viewer):
 * - Lengths in metres, masses in kg, angles in the spec in **degrees** (as in MJCF), z is up,
 *   +x is "forward" (the direction the reward pays for).
 * - No body is rotated in the rest pose: every body frame is parallel to the world frame when
 *   all joint angles are zero. (The robot spawns in its home pose, every joint at its `home`
 *   angle, which is the rest pose unless a joint sets one.) A body's `pos` is its origin relative to its parent's origin
 *   (the root's `pos` is the spawn position in the world). A joint sits at the child's origin.
 * - A joint's `axis` is given in the parent frame (equal to the child frame at rest). The joint
 *   angle q is the rotation of the child relative to the parent about that axis, right-handed,
 *   zero in the rest pose.
 * - Geoms are placed in their body's frame: a capsule by the segment `fromto` between the
 *   centres of its end caps (as MJCF's `fromto`), a sphere or box by `pos`, a convex geom by
 *   its `points` (the geom is their convex hull, in the body frame; MuJoCo likewise collides a
 *   mesh by its convex hull).
 * - Visuals (`BodySpec.visuals`) are drawn by the viewer only: physics, mass and validation of
 *   the robot's dynamics ignore them.
 */
export type Vec3 = [number, number, number];

export type GeomShape = 'sphere' | 'capsule' | 'box' | 'convex';

export interface GeomSpec {
  name: string;
  shape: GeomShape;
  /** sphere and capsule radius */
  radius?: number;
  /** capsule: [from, to], cap centres in the body frame */
  fromto?: [Vec3, Vec3];
  /** box: half extents */
  halfExtents?: Vec3;
  /** convex: points in the body frame whose convex hull is the geom (4 to MAX_CONVEX_POINTS, spanning a volume) */
  points?: Vec3[];
  /** sphere/box centre in the body frame (default origin) */
  pos?: Vec3;
  /** kg/m³; the geom's mass is density × volume unless `mass` is given */
  density?: number;
  /** kg; overrides density */
  mass?: number;
  /** Coulomb friction coefficient (default: the spec's `friction`) */
  friction?: number;
}

export interface JointSpec {
  name: string;
  /** unit-ish axis in the parent frame (normalised on use) */
  axis: Vec3;
  /** [lower, upper] in degrees, lower < upper */
  range: [number, number];
  /** torque = gear × control, control clipped to [-1, 1] */
  gear: number;
  /** viscous joint damping, N·m·s/rad: τ_d = −damping · q̇ */
  damping: number;
  /** rotor inertia reflected at the joint (MuJoCo `armature`), kg·m², added about the axis */
  armature: number;
  /** true when the joint is welded at its rest angle (a locked-joint variant) */
  locked?: boolean;
  /** how the action drives the joint; absent means `{ kind: 'torque' }` */
  actuator?: ActuatorSpec;
  /**
   * home angle, degrees (same convention as `range`; absent means 0, the rest pose), within
   * the range: the robot spawns with the joint at this angle (morphologies/pose.ts), a position
   * actuator's a = 0 holds it, and a locked joint is welded at it.
   */
  home?: number;
}

/**
 * How an action value a ∈ [−1, 1] drives a joint.
 * - `torque` (the default): τ = gear · a.
 * - `position` (a PD servo, MJCF `<position>`, the usual command of commercial quadrupeds):
 *   target q* = r + a · (hi − r) for a ≥ 0 and r + a · (r − lo) for a < 0, with r the joint's
 *   `home` angle (absent: 0) clamped into [lo, hi] (a = 0 holds the home pose, ±1 the ends of
 *   the range);
 *   τ = kp (q* − q) − (kv + damping) q̇ with |τ| ≤ gear; kp in N·m/rad, kv in N·m·s/rad. The sim
 *   runs it in Rapier's implicit joint motor (sim/env.ts), with the 'link' armature model.
 */
export type ActuatorSpec = { kind: 'torque' } | { kind: 'position'; kp: number; kv: number };

export interface BodySpec {
  name: string;
  /** null for the root (free-floating) body; exactly one root per spec */
  parent: string | null;
  /** origin relative to the parent's origin (root: spawn position in the world) */
  pos: Vec3;
  /** the revolute joint to the parent; required for every non-root body */
  joint?: JointSpec;
  geoms: GeomSpec[];
  /** what the viewer draws for this body instead of its geoms (absent: the geoms are drawn) */
  visuals?: VisualSpec[];
}

/** The most points a convex geom may have (the importers reduce larger hulls to `IMPORT_HULL_POINTS`). */
export const MAX_CONVEX_POINTS = 1024;

export type VisualShape = 'mesh' | 'sphere' | 'box' | 'cylinder' | 'capsule';

/**
 * A visual-only shape of a body, placed by `pos` and `quat` in the body frame (visuals may be
 * rotated: nothing simulates them). Sizes: sphere `radius`; box `halfExtents`; cylinder and
 * capsule `radius` and `length` (the cylinder's length, the capsule's segment between cap centres)
 * along the local z axis; mesh `mesh` (an STL or OBJ file) scaled by `scale` per axis.
 */
export interface VisualSpec {
  shape: VisualShape;
  /** mesh: the file's path; absolute once loaded (a JSON spec's relative path is resolved against the spec file's folder) */
  mesh?: string;
  /** mesh: per-axis scale of the file's coordinates (default 1 1 1) */
  scale?: Vec3;
  radius?: number;
  halfExtents?: Vec3;
  length?: number;
  /** default origin */
  pos?: Vec3;
  /** rotation, unit quaternion w x y z (default identity) */
  quat?: [number, number, number, number];
  /** colour, each in [0, 1] (default: the viewer's part colour) */
  rgba?: [number, number, number, number];
}

export interface MorphologySpec {
  name: string;
  description?: string;
  /** bodies in any order; validation checks the tree */
  bodies: BodySpec[];
  /** names of geoms whose ground contact counts as a foot contact, in observation order */
  feet: string[];
  /** default geom density, kg/m³ */
  density: number;
  /** default geom friction */
  friction: number;
  /** healthy torso-height range [lo, hi] in metres, relative to the ground under the torso */
  healthyZ: [number, number];
  /** names of legs → the joints of that leg from hip to foot (used by variants and the viewer) */
  legs: Record<string, string[]>;
}

/** Joints in the order actions index them: bodies in spec order, skipping the root. */
export function actuatedJoints(spec: MorphologySpec): { body: BodySpec; joint: JointSpec }[] {
  const out: { body: BodySpec; joint: JointSpec }[] = [];
  for (const body of spec.bodies) if (body.joint) out.push({ body, joint: body.joint });
  return out;
}

export function rootBody(spec: MorphologySpec): BodySpec {
  const root = spec.bodies.find((b) => b.parent === null);
  if (!root) throw new Error(`morphology ${spec.name}: no root body (a body with parent null)`);
  return root;
}

/** Deep copy through JSON: specs are plain data, so this is exact. */
export function cloneSpec(spec: MorphologySpec): MorphologySpec {
  return JSON.parse(JSON.stringify(spec)) as MorphologySpec;
}
