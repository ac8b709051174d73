/**
 * LocomotionEnv: a legged robot from a `MorphologySpec` in a Rapier world built from a
 * terrain and a condition, stepped at a fixed control rate.
 *
 * | part            | contents                                                                                   |
 * |-----------------|--------------------------------------------------------------------------------------------|
 * | observation     | [0] torso height above the ground under it; [1..4] torso orientation quaternion (x,y,z,w);  |
 * |                 | then J joint angles (rad, 0 = rest pose), J joint velocities (rad/s), torso linear velocity  |
 * |                 | (3, world frame, m/s), torso angular velocity (3, world frame, rad/s), F foot contacts (0/1)|
 * |                 | — for the Ant: 1 + 4 + 8 + 8 + 3 + 3 + 4 = 31 values. Sensor noise adds N(0, σ²) to all.    |
 * | action          | J values, clipped to [−1, 1]; joint torque τ_j = gear_j · a_j (N·m), held for the control   |
 * |                 | step; plus joint damping τ_d = −damping_j · q̇_j applied implicitly by the solver           |
 * | reward          | forwardWeight · v_x  + healthyReward  − ctrlCostWeight · Σ a_j²                            |
 * |                 | (v_x = torso x displacement over the control step / controlDt); a non-finite or exploded   |
 * |                 | state ends the episode with reward `nanPenalty` instead; falling, flipping or rising out   |
 * |                 | of the band costs `fallPenalty` more on that step (default 0, as in MuJoCo); a torso turned  |
 * |                 | by yaw ψ from +x costs headingWeight · (1 − cos ψ) per step (default 0: none)              |
 * | termination     | non-finite state or |v| > 100 m/s; torso height outside the spec's healthyZ; flipped      |
 * |                 | (torso up-vector z < flipUpZ) when terminateWhenFlipped                                    |
 * | truncation      | after maxSteps control steps (default 10 s)                                                |
 * | control rate    | controlDt = dt · frameSkip (default 0.05 s = 20 Hz, as Gymnasium's Ant: 0.01 × 5)          |
 * | reset noise     | every body gets a random linear and angular velocity N(0, resetNoise²) from the seed       |
 *
 * Defaults follow Gymnasium Ant-v5 (forward 1, healthy 1, control cost 0.5; its contact cost is
 * left out). Joint armature (rotor inertia): `PhysicsOptions.armature` — by default added to
 * the child link as isotropic inertia (and a fraction of it to the root: `rootArmature`);
 * 'joint' puts it in joint space through the per-step joint motor (sim/armature.ts).
 * The robot collides with the ground only, as in ant.xml (robot geoms have contype 1,
 * conaffinity 0).
 */
import { RAPIER, initRapier, restoreWorld } from './rapier.js';
import type RapierModule from '@dimforge/rapier3d-simd-compat';
import { Rng } from '../core/rng.js';
import { UserError } from '../core/errors.js';
import { actuatedJoints, type MorphologySpec } from '../morphologies/spec.js';
import { parseCondition, type Condition } from './conditions.js';
import { heightAt } from './terrain.js';
import { applyConditionToSpec } from './robot.js';
import { rotateInto, twistAngle } from './quat.js';
import { jointMotorCommand } from './armature.js';
import { buildWorld, DEFAULT_PHYSICS, type JointRef, type PhysicsOptions } from './world.js';

export { DEFAULT_PHYSICS, type PhysicsOptions } from './world.js';

type World = RapierModule.World;
type Collider = RapierModule.Collider;

export interface RewardOptions {
  forwardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  /** reward of the step on which the state became non-finite or exploded */
  nanPenalty: number;
  /** subtracted from the reward of the step on which the robot fell, flipped or rose (0: none, as in MuJoCo's Ant) */
  fallPenalty: number;
  /**
   * subtracted every step: headingWeight · (1 − cos ψ), ψ the yaw of the torso's x axis from +x
   * (quadratic near 0, so a gait's small yaw sway costs nearly nothing; 2 · headingWeight walking
   * backwards). 0: none, as in MuJoCo's Ant
   */
  headingWeight: number;
  terminateWhenFlipped: boolean;
  /** flipped when the torso's up-vector z component falls below this */
  flipUpZ: number;
}

export interface EnvOptions {
  morphology: MorphologySpec;
  condition?: Condition | string;
  physics?: Partial<PhysicsOptions>;
  reward?: Partial<RewardOptions>;
  /** episode length in control steps (default: 10 s) */
  maxSteps?: number;
  /** std of the initial body velocities */
  resetNoise?: number;
  /**
   * false: only a non-finite or exploded state ends an episode (fell, flipped and rose are not
   * terminations; open-loop replays compare whole trajectories). Default true.
   */
  terminate?: boolean;
}

export const DEFAULT_REWARD: RewardOptions = {
  forwardWeight: 1,
  ctrlCostWeight: 0.5,
  healthyReward: 1,
  nanPenalty: -100,
  fallPenalty: 0,
  headingWeight: 0,
  terminateWhenFlipped: true,
  flipUpZ: -0.2,
};

/**
 * Observation and action sizes of a robot, from its spec alone (no world needed): the table at
 * the top of this file, 1 + 4 + 2J + 6 + F observations and J actions for J joints, F feet.
 */
export function envSizes(spec: MorphologySpec): { obsSize: number; actSize: number } {
  const J = actuatedJoints(spec).length;
  return { obsSize: 1 + 4 + 2 * J + 6 + spec.feet.length, actSize: J };
}

/** Control step of a physics configuration, s (dt · frameSkip). */
export function controlDtOf(physics: Partial<PhysicsOptions> = {}): number {
  const p = { ...DEFAULT_PHYSICS, ...physics };
  return p.dt * p.frameSkip;
}

export type EndReason = 'exploded' | 'flipped' | 'fell' | 'rose' | 'time';

export interface StepResult {
  /** the env's observation buffer (overwritten by the next step/reset) */
  obs: Float32Array;
  reward: number;
  /** terminated (fell, flipped or non-finite) */
  done: boolean;
  /** time limit reached */
  truncated: boolean;
  /** true when this step ended because the state was non-finite or exploded */
  nonFinite: boolean;
  /**
   * why the episode ended on this step, or null while it goes on: 'exploded' (non-finite or
   * |v| > 100 m/s), 'flipped' (torso up-vector z < flipUpZ), 'fell' (torso height below the
   * spec's healthyZ), 'rose' (above it: bounced off, e.g. in low gravity), 'time' (maxSteps)
   */
  endReason: EndReason | null;
  forwardVelocity: number;
  ctrlCost: number;
}

/** A mid-episode copy of the env: the Rapier world bytes plus the env's own counters. */
export interface EnvSnapshot {
  world: Uint8Array;
  steps: number;
  time: number;
  x: number;
  rng: ReturnType<Rng['getState']>;
  nextPush: number;
  pushLeft: number;
  pushDir: number;
  obs: Float32Array;
}

export class LocomotionEnv {
  readonly spec: MorphologySpec;
  readonly condition: Condition;
  readonly physics: PhysicsOptions;
  readonly reward: RewardOptions;
  readonly controlDt: number;
  readonly maxSteps: number;
  readonly obsSize: number;
  readonly actSize: number;
  readonly jointNames: string[];
  readonly bodyNames: string[];
  readonly footNames: string[];
  readonly resetNoise: number;
  readonly terminate: boolean;

  private world!: World;
  private pristine!: Uint8Array;
  private bodyHandles: number[] = [];
  private footHandles: number[] = [];
  private groundHandle = -1;
  private feet: Collider[] = [];
  private ground!: Collider;
  private joints: JointRef[] = [];
  private motorAxis!: ReturnType<RapierModule.RevoluteImpulseJoint["rawAxis"]>;
  /** this control step's joint torques, N·m ('joint' armature model) */
  private readonly jointTorque: Float64Array;
  private readonly rng = new Rng(0);

  // preallocated state buffers
  private readonly obs: Float32Array;
  private readonly rot: Float32Array; // 4 per body
  private readonly pos: Float32Array; // 3 per body
  private readonly lin: Float32Array; // 3 per body
  private readonly ang: Float32Array; // 3 per body
  private readonly scratch4 = new Float32Array(4);
  private readonly motorCmd = new Float64Array(4);
  /** 'multibody': per body the reset noise as force and torque for the first control step */
  private resetKick = new Float64Array(0);
  private noisePending = false;
  private readonly torque: Float64Array; // 3 per body
  private readonly axisW = new Float64Array(3);
  private readonly action: Float32Array;
  private rawVec!: RapierModule.Vector3 & { free?: () => void };
  private contactFlag = 0;
  private readonly onManifold = (m: RapierModule.TempContactManifold) => {
    if (m.numSolverContacts() > 0) this.contactFlag = 1;
  };
  private readonly result: StepResult;

  private steps = 0;
  private time = 0;
  private x = 0;
  private nextPush = 0;
  private pushLeft = 0;
  private pushDir = 1;

  /** Use `LocomotionEnv.create` (Rapier must be initialised first). */
  private constructor(opts: EnvOptions) {
    this.condition = typeof opts.condition === 'string' ? parseCondition(opts.condition) : (opts.condition ?? parseCondition('flat'));
    this.spec = applyConditionToSpec(opts.morphology, this.condition);
    this.physics = { ...DEFAULT_PHYSICS, ...opts.physics };
    this.reward = { ...DEFAULT_REWARD, ...opts.reward };
    this.controlDt = this.physics.dt * this.physics.frameSkip;
    this.maxSteps = opts.maxSteps ?? Math.round(10 / this.controlDt);
    this.resetNoise = opts.resetNoise ?? 0.1;
    this.terminate = opts.terminate ?? true;
    const js = actuatedJoints(this.spec);
    this.jointNames = js.map((j) => j.joint.name);
    this.bodyNames = this.spec.bodies.map((b) => b.name);
    this.footNames = [...this.spec.feet];
    ({ obsSize: this.obsSize, actSize: this.actSize } = envSizes(this.spec));
    const nb = this.spec.bodies.length;
    this.obs = new Float32Array(this.obsSize);
    this.rot = new Float32Array(4 * nb);
    this.pos = new Float32Array(3 * nb);
    this.lin = new Float32Array(3 * nb);
    this.ang = new Float32Array(3 * nb);
    this.torque = new Float64Array(3 * nb);
    this.action = new Float32Array(this.actSize);
    this.jointTorque = new Float64Array(this.actSize);
    this.result = { obs: this.obs, reward: 0, done: false, truncated: false, nonFinite: false, endReason: null, forwardVelocity: 0, ctrlCost: 0 };
  }

  static async create(opts: EnvOptions): Promise<LocomotionEnv> {
    await initRapier();
    const env = new LocomotionEnv(opts);
    env.build();
    return env;
  }

  /** Build the world once (sim/world.ts); `reset` restores its snapshot rather than rebuilding. */
  private build(): void {
    const w = buildWorld(this.spec, this.condition, this.physics);
    this.world = w.world;
    this.groundHandle = w.groundHandle;
    this.bodyHandles = w.bodyHandles;
    this.resetKick = new Float64Array(6 * w.bodyHandles.length);
    this.footHandles = w.footHandles;
    this.joints = w.joints;
    this.motorAxis = w.motorAxis;
    this.pristine = this.world.takeSnapshot();
    this.rawVec = RAPIER.VectorOps.intoRaw({ x: 0, y: 0, z: 0 }) as unknown as RapierModule.Vector3;
    this.bindColliders();
  }

  private bindColliders(): void {
    this.feet = this.footHandles.map((h) => this.world.getCollider(h));
    this.ground = this.world.getCollider(this.groundHandle);
  }

  private get rawBodies(): RapierModule.RigidBodySet['raw'] {
    return this.world.bodies.raw;
  }

  /** Start an episode: restore the pristine world, then add the seed's velocity noise. */
  reset(seed: number): Float32Array {
    this.world.free();
    this.world = restoreWorld(this.pristine);
    this.bindColliders();
    this.rng.seed(seed);
    const raw = this.rawBodies;
    const v = this.rawVec;
    const multibody = this.physics.armature === 'multibody';
    for (let b = 0; b < this.bodyHandles.length; b++) {
      const h = this.bodyHandles[b];
      v.x = this.resetNoise * this.rng.normal(); v.y = this.resetNoise * this.rng.normal(); v.z = this.resetNoise * this.rng.normal();
      if (multibody) this.noiseImpulse(b, 0, raw.rbMass(h), v);
      else raw.rbSetLinvel(h, v as never, true);
      v.x = this.resetNoise * this.rng.normal(); v.y = this.resetNoise * this.rng.normal(); v.z = this.resetNoise * this.rng.normal();
      if (multibody) this.noiseImpulse(b, 3, this.meanPrincipalInertia(h), v);
      else raw.rbSetAngvel(h, v as never, true);
    }
    this.noisePending = multibody;
    this.steps = 0;
    this.time = 0;
    this.nextPush = this.condition.push ? this.condition.push.every : Infinity;
    this.pushLeft = 0;
    this.readState();
    this.x = this.pos[0];
    this.writeObservation();
    return this.obs;
  }

  /** Advance one control step. Returns the env's reusable result object. */
  step(action: ArrayLike<number>): StepResult {
    const a = this.action;
    let ctrl = 0;
    for (let j = 0; j < this.actSize; j++) {
      let u = action[j];
      u = u > 1 ? 1 : u < -1 ? -1 : u === u ? u : 0; // clip; NaN → 0
      a[j] = u;
      ctrl += u * u;
    }
    if (this.physics.armature !== 'link') this.stepJointSpace(a);
    else this.stepLinkArmature(a);
    this.steps++;
    this.time += this.controlDt;

    const r = this.result;
    const finite = this.readState();
    const x = this.pos[0];
    const vx = (x - this.x) / this.controlDt;
    this.x = x;
    r.ctrlCost = this.reward.ctrlCostWeight * ctrl;
    r.truncated = this.steps >= this.maxSteps;
    if (!finite) {
      r.nonFinite = true;
      r.done = true;
      r.endReason = 'exploded';
      r.reward = this.reward.nanPenalty;
      r.forwardVelocity = 0;
      this.obs.fill(0);
      return r;
    }
    this.writeObservation();
    // Termination reads the true state, never the (possibly noisy) observation.
    const z = this.torsoHeight();
    const upZ = 1 - 2 * (this.rot[0] * this.rot[0] + this.rot[1] * this.rot[1]);
    const [zMin, zMax] = this.spec.healthyZ;
    r.endReason = !this.terminate
      ? r.truncated ? 'time' : null
      : this.reward.terminateWhenFlipped && upZ < this.reward.flipUpZ ? 'flipped' : z < zMin ? 'fell' : z > zMax ? 'rose' : r.truncated ? 'time' : null;
    r.nonFinite = false;
    r.done = r.endReason !== null && r.endReason !== 'time';
    r.forwardVelocity = vx;
    r.reward = this.reward.forwardWeight * vx + this.reward.healthyReward - r.ctrlCost - (r.done ? this.reward.fallPenalty : 0);
    if (this.reward.headingWeight !== 0) r.reward -= this.reward.headingWeight * (1 - this.headingCos());
    return r;
  }

  /** 'link' armature model: torques as body torques once per control step, motors damp. */
  private stepLinkArmature(a: Float32Array): void {
    const nb = this.bodyHandles.length;
    // joint torques: +τ·axis_world on the child, −τ·axis_world on the parent
    const tq = this.torque;
    tq.fill(0);
    const applied = this.jointTorque;
    const rawJoints = this.world.impulseJoints.raw;
    for (let j = 0; j < this.joints.length; j++) {
      const J = this.joints[j];
      if (J.pd) {
        // position actuator: a = 0 holds the home angle r, a = ±1 the ends of the range (piecewise
        // linear, so an untrained network stands); the motor applies it
        const rest = J.home;
        const target = a[j] >= 0 ? rest + a[j] * (J.hi - rest) : rest + a[j] * (rest - J.lo);
        rawJoints.jointConfigureMotorPosition(J.handle, this.motorAxis, target, J.pd.kp, J.pd.kv + J.damping);
        // the torque the servo asks for at the start of the step (for torque bars; clipped)
        const want = J.pd.kp * (target - this.jointAngle(j)) - J.pd.kv * this.jointVelocity(j);
        applied[j] = want > J.gear ? J.gear : want < -J.gear ? -J.gear : want;
        continue;
      }
      const tau = J.gear * a[j];
      applied[j] = tau;
      if (tau === 0) continue;
      const r = 4 * J.parent;
      rotateInto(this.axisW, 0, this.rot[r], this.rot[r + 1], this.rot[r + 2], this.rot[r + 3], J.axis[0], J.axis[1], J.axis[2]);
      for (let k = 0; k < 3; k++) {
        tq[3 * J.child + k] += tau * this.axisW[k];
        tq[3 * J.parent + k] -= tau * this.axisW[k];
      }
    }
    const raw = this.rawBodies;
    const v = this.rawVec;
    for (let b = 0; b < nb; b++) {
      const h = this.bodyHandles[b];
      raw.rbResetTorques(h, false);
      raw.rbResetForces(h, false);
      v.x = tq[3 * b]; v.y = tq[3 * b + 1]; v.z = tq[3 * b + 2];
      raw.rbAddTorque(h, v as never, true);
    }
    this.applyPush();

    for (let s = 0; s < this.physics.frameSkip; s++) this.world.step();
  }

  /**
   * 'joint' armature model: before every physics step each joint's motor is aimed so that it
   * exerts τ − d·q̇ − A·(q̇ − q̇_prev)/dt on the joint coordinate (sim/armature.ts), with q̇_prev
   * the joint velocity after the previous physics step; body velocities are re-read after
   * every physics step for the next one.
   */
  private stepJointSpace(a: Float32Array): void {
    const tau = this.jointTorque;
    for (let j = 0; j < this.joints.length; j++) tau[j] = this.joints[j].gear * a[j];
    const raw = this.rawBodies;
    const nb = this.bodyHandles.length;
    // body forces and torques persist across physics steps: reset them each control step;
    // only pushes and joints whose motor cannot carry τ (gain 0) add any
    const tq = this.torque;
    tq.fill(0);
    let bodyTorques = false;
    for (let j = 0; j < this.joints.length; j++) {
      const J = this.joints[j];
      if (J.damping > 0 || J.armature > 0 || tau[j] === 0) continue;
      bodyTorques = true;
      const r = 4 * J.parent;
      rotateInto(this.axisW, 0, this.rot[r], this.rot[r + 1], this.rot[r + 2], this.rot[r + 3], J.axis[0], J.axis[1], J.axis[2]);
      for (let k = 0; k < 3; k++) {
        tq[3 * J.child + k] += tau[j] * this.axisW[k];
        tq[3 * J.parent + k] -= tau[j] * this.axisW[k];
      }
    }
    const v = this.rawVec;
    const kick = this.noisePending;
    this.noisePending = false;
    for (let b = 0; b < nb; b++) {
      const h = this.bodyHandles[b];
      raw.rbResetTorques(h, false);
      raw.rbResetForces(h, false);
      if (kick) {
        const k = this.resetKick;
        v.x = k[6 * b]; v.y = k[6 * b + 1]; v.z = k[6 * b + 2];
        raw.rbAddForce(h, v as never, true);
        v.x = k[6 * b + 3]; v.y = k[6 * b + 4]; v.z = k[6 * b + 5];
        raw.rbAddTorque(h, v as never, true);
      }
      if (!bodyTorques) continue;
      v.x = tq[3 * b]; v.y = tq[3 * b + 1]; v.z = tq[3 * b + 2];
      raw.rbAddTorque(h, v as never, true);
    }
    this.applyPush();
    const rawJoints = this.world.impulseJoints.raw;
    const dt = this.physics.dt;
    const cmd = this.motorCmd;
    // in reduced coordinates the limit is MuJoCo's unilateral one (sim/armature.ts)
    const unilateral = this.physics.armature === 'multibody';
    for (let s = 0; s < this.physics.frameSkip; s++) {
      if (s > 0) this.readVelocities();
      for (let j = 0; j < this.joints.length; j++) {
        const J = this.joints[j];
        if (J.damping + J.armature <= 0) continue; // τ went on as body torques
        jointMotorCommand(tau[j], J.damping, J.armature, this.jointAngle(j), this.jointVelocity(j), J.lo, J.hi, dt, cmd, unilateral);
        if (cmd[2] === 0) rawJoints.jointConfigureMotorVelocity(J.handle, this.motorAxis, cmd[1], cmd[3]);
        else rawJoints.jointConfigureMotor(J.handle, this.motorAxis, cmd[0], cmd[1], cmd[2], cmd[3]);
      }
      this.world.step();
    }
  }

  /** Joint angle from the current body buffers, rad. */
  private jointAngle(j: number): number {
    const { parent: p, child: c, axis } = this.joints[j];
    const rot = this.rot;
    return twistAngle(rot[4 * p], rot[4 * p + 1], rot[4 * p + 2], rot[4 * p + 3], rot[4 * c], rot[4 * c + 1], rot[4 * c + 2], rot[4 * c + 3], axis[0], axis[1], axis[2]);
  }

  /** Joint velocity (ω_child − ω_parent)·axis_world from the current body buffers, rad/s. */
  private jointVelocity(j: number): number {
    const { parent: p, child: c, axis } = this.joints[j];
    const rot = this.rot, w = this.axisW;
    rotateInto(w, 0, rot[4 * p], rot[4 * p + 1], rot[4 * p + 2], rot[4 * p + 3], axis[0], axis[1], axis[2]);
    return (this.ang[3 * c] - this.ang[3 * p]) * w[0] + (this.ang[3 * c + 1] - this.ang[3 * p + 1]) * w[1] + (this.ang[3 * c + 2] - this.ang[3 * p + 2]) * w[2];
  }

  /** Rotations and angular velocities of every body (what jointVelocity needs). */
  private readVelocities(): void {
    const raw = this.rawBodies;
    const s4 = this.scratch4;
    for (let b = 0; b < this.bodyHandles.length; b++) {
      const h = this.bodyHandles[b];
      raw.rbRotation(h, s4);
      this.rot[4 * b] = s4[0]; this.rot[4 * b + 1] = s4[1]; this.rot[4 * b + 2] = s4[2]; this.rot[4 * b + 3] = s4[3];
      raw.rbAngvel(h, s4);
      this.ang[3 * b] = s4[0]; this.ang[3 * b + 1] = s4[1]; this.ang[3 * b + 2] = s4[2];
    }
  }

  private applyPush(): void {
    const p = this.condition.push;
    if (!p) return;
    if (this.pushLeft <= 0 && this.time + 1e-9 >= this.nextPush) {
      this.pushLeft = p.duration;
      this.pushDir = this.rng.uniform() < 0.5 ? -1 : 1;
      this.nextPush += p.every;
    }
    if (this.pushLeft > 0) {
      this.addForce(0, this.pushDir * p.force, 0);
      this.pushLeft -= this.controlDt;
    }
  }

  /**
   * 'multibody': Rapier cannot set a multibody's velocities, so a body's reset noise v enters as
   * a force m·v/controlDt (and a torque I·ω/controlDt, I the mean principal moment) over the
   * first control step: a random perturbation of the same size, projected onto the joints.
   */
  private noiseImpulse(b: number, o: number, inertia: number, v: { x: number; y: number; z: number }): void {
    const k = inertia / this.controlDt;
    this.resetKick[6 * b + o] = k * v.x; this.resetKick[6 * b + o + 1] = k * v.y; this.resetKick[6 * b + o + 2] = k * v.z;
  }

  private meanPrincipalInertia(h: number): number {
    const I = this.world.getRigidBody(h).principalInertia();
    return (I.x + I.y + I.z) / 3;
  }

  /** Add a force (N, world frame) to the torso for the next control step. */
  addForce(fx: number, fy: number, fz: number): void {
    const v = this.rawVec;
    v.x = fx; v.y = fy; v.z = fz;
    this.rawBodies.rbAddForce(this.bodyHandles[0], v as never, true);
  }

  /** Apply an impulse (N·s, world frame) to the torso now: a push from the viewer. */
  applyImpulse(ix: number, iy: number, iz: number): void {
    const v = this.rawVec;
    v.x = ix; v.y = iy; v.z = iz;
    this.rawBodies.rbApplyImpulse(this.bodyHandles[0], v as never, true);
  }

  /** Read every body's pose and velocity; false if anything is non-finite or exploded. */
  private readState(): boolean {
    const raw = this.rawBodies;
    const s4 = this.scratch4;
    let ok = true;
    for (let b = 0; b < this.bodyHandles.length; b++) {
      const h = this.bodyHandles[b];
      raw.rbTranslation(h, s4);
      this.pos[3 * b] = s4[0]; this.pos[3 * b + 1] = s4[1]; this.pos[3 * b + 2] = s4[2];
      raw.rbRotation(h, s4);
      this.rot[4 * b] = s4[0]; this.rot[4 * b + 1] = s4[1]; this.rot[4 * b + 2] = s4[2]; this.rot[4 * b + 3] = s4[3];
      raw.rbLinvel(h, s4);
      this.lin[3 * b] = s4[0]; this.lin[3 * b + 1] = s4[1]; this.lin[3 * b + 2] = s4[2];
      const speed = s4[0] * s4[0] + s4[1] * s4[1] + s4[2] * s4[2];
      raw.rbAngvel(h, s4);
      this.ang[3 * b] = s4[0]; this.ang[3 * b + 1] = s4[1]; this.ang[3 * b + 2] = s4[2];
      const sum = this.pos[3 * b] + this.pos[3 * b + 1] + this.pos[3 * b + 2] + this.rot[4 * b + 3] + s4[0] + s4[1] + s4[2];
      if (!Number.isFinite(sum) || !(speed < 1e4)) ok = false;
    }
    return ok;
  }

  /** cos of the torso's yaw: the angle of its x axis, projected on the ground plane, from +x (1 when it points straight up or down) */
  private headingCos(): number {
    const x = this.rot[0], y = this.rot[1], z = this.rot[2], w = this.rot[3];
    const hx = 1 - 2 * (y * y + z * z), hy = 2 * (x * y + w * z);
    const n = Math.sqrt(hx * hx + hy * hy);
    return n > 1e-9 ? hx / n : 1;
  }

  /** True torso height above the terrain under it, m (the observation's [0] before sensor noise). */
  private torsoHeight(): number {
    return this.pos[2] - heightAt(this.condition.terrain, this.pos[0], this.pos[1]);
  }

  private writeObservation(): void {
    const o = this.obs;
    const rot = this.rot;
    const J = this.joints.length;
    o[0] = this.torsoHeight();
    o[1] = rot[0]; o[2] = rot[1]; o[3] = rot[2]; o[4] = rot[3];
    for (let j = 0; j < J; j++) {
      const { parent: p, child: c, axis } = this.joints[j];
      o[5 + j] = twistAngle(rot[4 * p], rot[4 * p + 1], rot[4 * p + 2], rot[4 * p + 3], rot[4 * c], rot[4 * c + 1], rot[4 * c + 2], rot[4 * c + 3], axis[0], axis[1], axis[2]);
      rotateInto(this.axisW, 0, rot[4 * p], rot[4 * p + 1], rot[4 * p + 2], rot[4 * p + 3], axis[0], axis[1], axis[2]);
      const w = this.axisW;
      o[5 + J + j] = (this.ang[3 * c] - this.ang[3 * p]) * w[0] + (this.ang[3 * c + 1] - this.ang[3 * p + 1]) * w[1] + (this.ang[3 * c + 2] - this.ang[3 * p + 2]) * w[2];
    }
    let k = 5 + 2 * J;
    o[k++] = this.lin[0]; o[k++] = this.lin[1]; o[k++] = this.lin[2];
    o[k++] = this.ang[0]; o[k++] = this.ang[1]; o[k++] = this.ang[2];
    for (let f = 0; f < this.feet.length; f++) {
      this.contactFlag = 0;
      this.world.contactPair(this.feet[f], this.ground, this.onManifold);
      o[k++] = this.contactFlag;
    }
    const std = this.condition.sensorNoiseStd;
    if (std > 0) for (let i = 0; i < o.length; i++) o[i] += std * this.rng.normal();
  }

  /**
   * Joint torques of the last control step, N·m, in action order: gear · a for torque motors,
   * the PD servo's torque at the start of the step (clipped to ±gear) for position actuators.
   */
  get appliedTorques(): Float64Array {
    return this.jointTorque;
  }

  /** Current observation buffer (as returned by reset/step). */
  get observation(): Float32Array {
    return this.obs;
  }
  get stepCount(): number {
    return this.steps;
  }
  get simTime(): number {
    return this.time;
  }
  /** Torso origin, world frame. */
  torsoPosition(): [number, number, number] {
    return [this.pos[0], this.pos[1], this.pos[2]];
  }
  /** z component of the torso's up-vector (1 upright, < 0 upside down), true state. */
  torsoUpZ(): number {
    return 1 - 2 * (this.rot[0] * this.rot[0] + this.rot[1] * this.rot[1]);
  }
  /** The last action applied (clipped). */
  get lastAction(): Float32Array {
    return this.action;
  }
  /** Joint limits in radians, in action order. */
  jointLimits(): [number, number][] {
    return this.joints.map((j) => [j.lo, j.hi]);
  }

  /** Body poses into `out` (7 per body: x, y, z, qx, qy, qz, qw), for the viewer. */
  bodyPoses(out: Float32Array): Float32Array {
    for (let b = 0; b < this.bodyHandles.length; b++) {
      out[7 * b] = this.pos[3 * b]; out[7 * b + 1] = this.pos[3 * b + 1]; out[7 * b + 2] = this.pos[3 * b + 2];
      out[7 * b + 3] = this.rot[4 * b]; out[7 * b + 4] = this.rot[4 * b + 1]; out[7 * b + 5] = this.rot[4 * b + 2]; out[7 * b + 6] = this.rot[4 * b + 3];
    }
    return out;
  }

  /**
   * A 64-bit FNV-1a hash (hex) of every body's pose and velocity as float32 bytes: two runs
   * agree on it only if their trajectories are bitwise identical.
   */
  stateHash(): string {
    return fnv1a64(new Uint8Array(this.exportBodyState().buffer));
  }

  /**
   * Every body's pose and velocity (13 floats per body: position, quaternion x,y,z,w, linear
   * and angular velocity), e.g. to carry the robot over into an env with another condition.
   */
  exportBodyState(): Float32Array {
    const nb = this.bodyHandles.length;
    const out = new Float32Array(13 * nb);
    for (let b = 0; b < nb; b++) {
      out.set(this.pos.subarray(3 * b, 3 * b + 3), 13 * b);
      out.set(this.rot.subarray(4 * b, 4 * b + 4), 13 * b + 3);
      out.set(this.lin.subarray(3 * b, 3 * b + 3), 13 * b + 7);
      out.set(this.ang.subarray(3 * b, 3 * b + 3), 13 * b + 10);
    }
    return out;
  }

  /**
   * Put every body where `state` (from `exportBodyState` of an env with the same body tree)
   * says, lifted by `dz` metres (e.g. to clear a new terrain), and refresh the observation.
   * The episode clock and counters continue.
   */
  importBodyState(state: Float32Array, dz = 0): Float32Array {
    const nb = this.bodyHandles.length;
    if (state.length !== 13 * nb) throw new Error(`importBodyState: expected ${13 * nb} values for ${nb} bodies, got ${state.length}`);
    if (this.physics.armature === 'multibody') throw new UserError("physics.armature 'multibody' cannot re-seat a robot (mid-episode condition switches, viewer pushes): Rapier's JS bindings cannot set a multibody's joint coordinates or velocities; use 'link' or 'joint'");
    const raw = this.rawBodies;
    const v = this.rawVec;
    for (let b = 0; b < nb; b++) {
      const h = this.bodyHandles[b], o = 13 * b;
      v.x = state[o]; v.y = state[o + 1]; v.z = state[o + 2] + dz;
      raw.rbSetTranslation(h, v.x, v.y, v.z, true);
      raw.rbSetRotation(h, state[o + 3], state[o + 4], state[o + 5], state[o + 6], true);
      v.x = state[o + 7]; v.y = state[o + 8]; v.z = state[o + 9];
      raw.rbSetLinvel(h, v as never, true);
      v.x = state[o + 10]; v.y = state[o + 11]; v.z = state[o + 12];
      raw.rbSetAngvel(h, v as never, true);
    }
    this.readState();
    this.x = this.pos[0];
    this.writeObservation();
    return this.obs;
  }

  snapshot(): EnvSnapshot {
    return {
      world: this.world.takeSnapshot(),
      steps: this.steps,
      time: this.time,
      x: this.x,
      rng: this.rng.getState(),
      nextPush: this.nextPush,
      pushLeft: this.pushLeft,
      pushDir: this.pushDir,
      obs: this.obs.slice(),
    };
  }

  restore(s: EnvSnapshot): void {
    this.world.free();
    this.world = restoreWorld(s.world);
    this.bindColliders();
    this.steps = s.steps;
    this.time = s.time;
    this.x = s.x;
    this.rng.setState(s.rng);
    this.nextPush = s.nextPush;
    this.pushLeft = s.pushLeft;
    this.pushDir = s.pushDir;
    this.readState();
    this.obs.set(s.obs);
  }

  /**
   * The point of the physics ground closest to (x, y, 10): a probe of what the robot collides
   * with, independent of the terrain arrays (tests use it to check the heightfield's
   * orientation; Rapier 0.21's ray casts miss rotated heightfields, projections do not).
   */
  probeGround(x: number, y: number): [number, number, number] {
    const p = this.ground.projectPoint({ x, y, z: 10 }, true);
    return p ? [p.point.x, p.point.y, p.point.z] : [NaN, NaN, NaN];
  }

  /** Release the WASM memory of the world. The env is unusable afterwards. */
  free(): void {
    this.world.free();
    (this.rawVec as { free?: () => void }).free?.();
  }
}


/** 64-bit FNV-1a over bytes, as 16 hex digits (BigInt-free: two 32-bit halves). */
export function fnv1a64(bytes: Uint8Array): string {
  // 64-bit FNV-1a with offset 0xcbf29ce484222325 and prime 0x100000001b3, in 16-bit limbs
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // multiply by prime = 2^40 + 0x1b3
    const t0 = h0 * 0x1b3, t1 = h1 * 0x1b3, t2 = h2 * 0x1b3, t3 = h3 * 0x1b3;
    // + (h << 40): h0 << 40 lands in limb 2 shifted by 8 bits
    const s2 = t2 + (h0 << 8);
    const s3 = t3 + (h1 << 8);
    let c = t0;
    h0 = c & 0xffff; c = t1 + (c >>> 16);
    h1 = c & 0xffff; c = s2 + Math.floor(c / 65536);
    h2 = c & 0xffff; c = s3 + Math.floor(c / 65536);
    h3 = c & 0xffff;
  }
  const hex = (x: number) => x.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}
