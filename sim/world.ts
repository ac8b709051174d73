/**
 * The Rapier world of a robot: built from a morphology spec, a condition (terrain, friction,
 * gravity, …) and the physics options, then handed to the env (sim/env.ts), which resets,
 * steps, observes and rewards. Building is apart from stepping, as in Rapier's testbed demos:
 * one function, no state of its own.
 *
 * - ground: a fixed cuboid (flat) or a heightfield (Rapier's y-up heightfield rotated to z-up);
 * - bodies: one dynamic rigid body per spec body at its origin in the home pose (every joint at
 *   its `home` angle; morphologies/pose.ts), lifted by the ground under the spawn point; armature
 *   per `PhysicsOptions.armature`; colliders (sphere, box, capsule, convex hull) that meet the
 *   ground only; visuals are not built;
 * - joints: impulse revolute joints with limits set after creation; a velocity motor for the
 *   viscous damping, or the PD servo of a position actuator.
 */
import { RAPIER } from './rapier.js';
import type RapierModule from '@dimforge/rapier3d-simd-compat';
import type { MorphologySpec, Vec3 } from '../morphologies/spec.js';
import { SpecError } from '../morphologies/spec-error.js';
import type { Condition } from './conditions.js';
import { heightAt } from './terrain.js';
import { quatAxisAngle, quatFromTo } from './quat.js';
import { LIMIT_GUARD_DEG } from './armature.js';
import { hasHomePose, homeAngle, homePose } from '../morphologies/pose.js';

export interface PhysicsOptions {
  /** physics time step, s */
  dt: number;
  /** physics steps per control step */
  frameSkip: number;
  /** Rapier solver iterations (each is one internal TGS substep of dt / iterations) */
  solverIterations: number;
  /** Rapier's internal PGS iterations per solver iteration (numInternalPgsIterations) */
  pgsIterations: number;
  /**
   * Where joint armature (rotor inertia, MuJoCo `armature`) lives:
   * - 'joint': in joint space, about the joint axis only, as MuJoCo's diagonal
   *   armature (see sim/armature.ts): each joint's motor, updated every physics step, carries
   *   the torque, the damping and the armature implicitly.
   * - 'link' (default): the pre-issue-13 surrogate: isotropic inertia `armature` on the child link plus
   *   `rootArmature` × Σ armature on the root; torque and damping applied as before.
   * - 'multibody' (experimental): the robot as a Rapier multibody (reduced coordinates: the
   *   joints cannot drift apart) plus, per hinge, a generic impulse joint with no locked axis
   *   whose motor carries torque, damping and armature as in 'joint', with MuJoCo's unilateral
   *   soft limits and a hard guard. Rapier's JS bindings cannot set a multibody's velocities or
   *   joint coordinates, so reset noise enters as forces over the first physics step, and
   *   re-seating a robot (mid-episode condition switches, `importBodyState`) is refused.
   */
  armature: 'joint' | 'link' | 'multibody';
  /**
   * 'link' model only: extra isotropic inertia on the root body, as a fraction of the sum of
   * joint armatures (a torso ~100× lighter in rotation than its legs made the impulse solver
   * gain energy under the 'link' model).
   */
  rootArmature: number;
  /**
   * 'joint' model only: isotropic inertia added to every non-root link, kg·m², a solver aid
   * (light links in a chain converge slowly in Rapier's iterative solver); 0 = none.
   */
  linkInertia: number;
}

export const DEFAULT_PHYSICS: PhysicsOptions = { dt: 0.0125, frameSkip: 4, solverIterations: 4, pgsIterations: 1, armature: 'link', rootArmature: 0.25, linkInertia: 0 };

export interface JointRef {
  name: string;
  parent: number; // body index
  child: number;
  axis: Vec3; // unit, parent frame
  gear: number;
  damping: number;
  armature: number;
  lo: number; // rad
  hi: number;
  /** home angle, rad, clamped into [lo, hi]: the spawn angle and a position actuator's a = 0 */
  home: number;
  handle: number;
  /** PD position actuator (spec `actuator.kind === 'position'`), or null for a torque motor */
  pd: { kp: number; kv: number } | null;
}

const GROUND_GROUP = 0x0001;
const ROBOT_GROUP = 0x0002;
/** Rapier interaction groups: upper 16 bits membership, lower 16 bits filter */
const ROBOT_GROUPS = (ROBOT_GROUP << 16) | GROUND_GROUP;
const GROUND_GROUPS = (GROUND_GROUP << 16) | 0xfffe;

type RawAxis = ReturnType<RapierModule.RevoluteImpulseJoint['rawAxis']>;

/** What the env keeps of a built world: handles, not object graphs (they cross into WASM). */
export interface BuiltWorld {
  world: RapierModule.World;
  groundHandle: number;
  bodyHandles: number[];
  /** collider handle of each foot geom, in spec.feet order */
  footHandles: number[];
  joints: JointRef[];
  /** the revolute joints' angular motor axis (the same for every joint) */
  motorAxis: RawAxis;
}

/** Build the world of `spec` (the spec after the condition's variants) under `condition`. Rapier must be initialised. */
export function buildWorld(spec: MorphologySpec, condition: Condition, physics: PhysicsOptions): BuiltWorld {
  const footHandles: number[] = [];
  const R = RAPIER;
  const g = 9.81 * condition.gravityScale;
  const world = new R.World({ x: 0, y: 0, z: -g });
  world.timestep = physics.dt;
  world.numSolverIterations = physics.solverIterations;
  world.numInternalPgsIterations = physics.pgsIterations;

  // ground
  const t = condition.terrain;
  const groundBody = world.createRigidBody(R.RigidBodyDesc.fixed());
  let groundDesc: RapierModule.ColliderDesc;
  if (t.kind === 'flat') {
    groundDesc = R.ColliderDesc.cuboid(200, 200, 0.5).setTranslation(0, 0, -0.5);
  } else {
    // Rapier heightfields are y-up: rows along local z, columns along local x, heights
    // column-major (i + j·(nrows+1)). Rotating +90° about x maps local y → world z and
    // local z → world −y, so row i sits at world y = yMax − i·cell.
    const nrows = t.ny, ncols = t.nx;
    const hf = new Float32Array((nrows + 1) * (ncols + 1));
    for (let i = 0; i <= nrows; i++) for (let j = 0; j <= ncols; j++) hf[i + j * (nrows + 1)] = t.heights[j + (nrows - i) * (ncols + 1)];
    const sx = ncols * t.cell, sy = nrows * t.cell;
    groundDesc = R.ColliderDesc.heightfield(nrows, ncols, hf, { x: sx, y: 1, z: sy })
      .setRotation(quatAxisAngle(1, 0, 0, Math.PI / 2))
      .setTranslation(t.x0 + sx / 2, t.y0 + sy / 2, 0);
  }
  groundDesc.setFriction(condition.groundFriction ?? spec.friction).setCollisionGroups(GROUND_GROUPS);
  if (condition.groundFriction !== null) groundDesc.setFrictionCombineRule(R.CoefficientCombineRule.Min);
  const groundHandle = world.createCollider(groundDesc, groundBody).handle;

  // robot: world positions of body origins from the tree
  const index = new Map(spec.bodies.map((b, i) => [b.name, i]));
  const origin: Vec3[] = [];
  const originOf = (i: number): Vec3 => {
    if (origin[i]) return origin[i];
    const b = spec.bodies[i];
    const p: Vec3 = b.parent === null ? [0, 0, 0] : originOf(index.get(b.parent)!);
    return (origin[i] = [p[0] + b.pos[0], p[1] + b.pos[1], p[2] + b.pos[2]]);
  };
  const groundUnderSpawn = heightAt(t, 0, 0);
  // spawn in the home pose (morphologies/pose.ts); without home angles the rest pose as built before
  const home = hasHomePose(spec) ? homePose(spec) : null;
  const bodies = spec.bodies.map((b, i) => {
    const rest = originOf(i); // the rest-pose origins also place the joint anchors (below)
    const o = home ? home[i].origin : rest;
    const desc = R.RigidBodyDesc.dynamic().setTranslation(o[0], o[1], o[2] + groundUnderSpawn);
    if (home) {
      const q = home[i].rotation;
      desc.setRotation({ x: q[0], y: q[1], z: q[2], w: q[3] });
    }
    const linkArmature = physics.armature === 'link';
    // 'joint' and 'multibody' add no link inertia (the motor carries the armature)
    if (linkArmature && b.parent === null && physics.rootArmature > 0) {
      // see PhysicsOptions.rootArmature
      const a = spec.bodies.reduce((sum, o) => sum + (o.joint?.armature ?? 0), 0) * physics.rootArmature;
      desc.setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: a, y: a, z: a }, { x: 0, y: 0, z: 0, w: 1 });
    }
    if (linkArmature && b.joint && b.joint.armature > 0) {
      // 'link' model: armature as isotropic rotational inertia of the child link. An inertia along the axis
      // only (the exact rotor model) leaves the link's other principal moments ~1e-4 kg·m²
      // against a gear of 150 N·m, which the impulse solver cannot hold (measured: the joint
      // tears apart); isotropic inertia keeps the joint stiff and gives each joint the
      // reflected inertia MuJoCo's armature adds.
      const a = b.joint.armature;
      desc.setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: a, y: a, z: a }, { x: 0, y: 0, z: 0, w: 1 });
    }
    if (!linkArmature && b.parent !== null && physics.linkInertia > 0) {
      const e = physics.linkInertia;
      desc.setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: e, y: e, z: e }, { x: 0, y: 0, z: 0, w: 1 });
    }
    const body = world.createRigidBody(desc);
    for (const geom of b.geoms) {
      let cd: RapierModule.ColliderDesc;
      if (geom.shape === 'sphere') {
        const p = geom.pos ?? [0, 0, 0];
        cd = R.ColliderDesc.ball(geom.radius!).setTranslation(p[0], p[1], p[2]);
      } else if (geom.shape === 'box') {
        const p = geom.pos ?? [0, 0, 0];
        const h = geom.halfExtents!;
        cd = R.ColliderDesc.cuboid(h[0], h[1], h[2]).setTranslation(p[0], p[1], p[2]);
      } else if (geom.shape === 'convex') {
        const pts = geom.points!;
        const flat = new Float32Array(3 * pts.length);
        pts.forEach((p, k) => flat.set(p, 3 * k));
        const hull = R.ColliderDesc.convexHull(flat);
        if (!hull) throw new SpecError(`bodies[${i}].geoms[${b.geoms.indexOf(geom)}].points`, `Rapier cannot build the convex hull of geom ${JSON.stringify(geom.name)} (degenerate: its points span no volume)`, `morphology ${spec.name}`);
        cd = hull;
      } else {
        const [from, to] = geom.fromto!;
        const d: Vec3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
        const len = Math.hypot(d[0], d[1], d[2]);
        cd = R.ColliderDesc.capsule(len / 2, geom.radius!)
          .setTranslation((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, (from[2] + to[2]) / 2)
          .setRotation(len > 0 ? quatFromTo([0, 1, 0], [d[0] / len, d[1] / len, d[2] / len]) : { x: 0, y: 0, z: 0, w: 1 });
      }
      if (geom.mass !== undefined) cd.setMass(geom.mass);
      else cd.setDensity(geom.density ?? spec.density);
      cd.setFriction(geom.friction ?? spec.friction).setCollisionGroups(ROBOT_GROUPS);
      const c = world.createCollider(cd, body);
      const f = spec.feet.indexOf(geom.name);
      if (f >= 0) footHandles[f] = c.handle;
    }
    return body;
  });
  const bodyHandles = bodies.map((b) => b.handle);

  const joints: JointRef[] = [];
  let motorAxis: RawAxis | null = null;
  spec.bodies.forEach((b, ci) => {
    if (!b.joint) return;
    const pi = index.get(b.parent!)!;
    const j = b.joint;
    const axis = normalise(j.axis);
    const po = origin[pi], co = origin[ci];
    const data = R.JointData.revolute(
      { x: co[0] - po[0], y: co[1] - po[1], z: co[2] - po[2] },
      { x: 0, y: 0, z: 0 },
      { x: axis[0], y: axis[1], z: axis[2] },
    );
    let lo = (j.range[0] * Math.PI) / 180, hi = (j.range[1] * Math.PI) / 180;
    const q0 = j.home === undefined ? Math.min(hi, Math.max(lo, 0)) : homeAngle(j);
    if (j.locked) lo = hi = q0;
    // 'joint' and 'multibody': soft limits in the motor (sim/armature.ts), Rapier's hard limit a guard outside
    const guard = physics.armature !== 'link' && !j.locked && j.armature > 0 ? (LIMIT_GUARD_DEG * Math.PI) / 180 : 0;
    if (physics.armature === 'multibody') {
      if (j.actuator?.kind === 'position') throw new SpecError(`bodies[${ci}].joint.actuator`, `position actuators run with physics.armature 'link' (the 'multibody' model needs the joint motor for the armature)`, `morphology ${spec.name}`);
      // the hinge in reduced coordinates; a generic impulse joint with no locked axis between the
      // same bodies carries the motor and the limits (multibody joints have neither in the JS bindings)
      world.createMultibodyJoint(data, bodies[pi], bodies[ci], true).setContactsEnabled(false);
      const anchors = { x: co[0] - po[0], y: co[1] - po[1], z: co[2] - po[2] };
      const rows = world.createImpulseJoint(R.JointData.generic(anchors, { x: 0, y: 0, z: 0 }, { x: axis[0], y: axis[1], z: axis[2] }, 0 as RapierModule.JointAxesMask), bodies[pi], bodies[ci], true);
      rows.setContactsEnabled(false);
      const raw = world.impulseJoints.raw;
      const angX = R.JointAxis.AngX as unknown as RawAxis;
      raw.jointSetLimits(rows.handle, angX, lo - guard, hi + guard);
      raw.jointConfigureMotorModel(rows.handle, angX, R.MotorModel.ForceBased as unknown as Parameters<typeof raw.jointConfigureMotorModel>[2]);
      motorAxis = angX;
      joints.push({ name: j.name, parent: pi, child: ci, axis, gear: j.gear, damping: j.damping, armature: j.armature, lo, hi, home: q0, handle: rows.handle, pd: null });
      return;
    }
    const joint = world.createImpulseJoint(data, bodies[pi], bodies[ci], true) as RapierModule.RevoluteImpulseJoint;
    joint.setLimits(lo - guard, hi + guard);
    joint.setContactsEnabled(false);
    joint.configureMotorModel(R.MotorModel.ForceBased);
    // 'link' model: viscous damping τ = −d·q̇ as a velocity motor with target 0, solved
    // implicitly; 'joint' model: the motor is re-aimed every physics step (step()).
    const pd = j.actuator?.kind === 'position' ? { kp: j.actuator.kp, kv: j.actuator.kv } : null;
    if (pd) {
      // PD servo in Rapier's implicit joint motor (stable for stiff, light robots where an
      // explicit PD torque at the control rate is not): τ = kp (q* − q) − (kv + d) q̇, |τ| ≤ gear
      if (physics.armature === 'joint') throw new SpecError(`bodies[${ci}].joint.actuator`, `position actuators run with physics.armature 'link' (the 'joint' model needs the joint motor for the armature)`, `morphology ${spec.name}`);
      joint.setMotorMaxForce(j.gear);
      joint.configureMotorPosition(q0, pd.kp, pd.kv + j.damping);
    } else if (j.damping > 0) joint.configureMotorVelocity(0, j.damping);
    motorAxis = joint.rawAxis();
    joints.push({ name: j.name, parent: pi, child: ci, axis, gear: j.gear, damping: j.damping, armature: j.armature, lo, hi, home: q0, handle: joint.handle, pd });
  });

  return { world, groundHandle, bodyHandles, footHandles, joints, motorAxis: motorAxis ?? (null as unknown as RawAxis) };
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
