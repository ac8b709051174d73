/**
 * Joint-space armature and soft joint limits through Rapier's implicit joint motor.
 *
 * MuJoCo adds a joint's armature A (rotor inertia reflected through the gearbox) to the
 * diagonal of the joint-space mass matrix: it resists the joint's own acceleration q̈ and
 * nothing else. Rapier has no joint-space inertia, but a revolute impulse joint has a motor
 * that the constraint solver treats implicitly: in the force-based model a motor with
 * target angle q_t, target velocity v*, stiffness K and damping D exerts
 * K·(q_t − q) + D·(v* − q̇) on the joint coordinate, q and q̇ being the end-of-step values
 * the solver computes (backward Euler). With q̇_prev the joint velocity after the previous
 * physics step of length dt and, inside the joint's range,
 *
 *   K = 0,   D = d + A/dt,   v* = (τ + (A/dt)·q̇_prev) / D
 *
 * the motor exerts τ − d·q̇ − A·(q̇ − q̇_prev)/dt = τ − d·q̇ − A·q̈: the actuator torque τ,
 * the viscous damping d and the armature A, all on the relative joint coordinate (the parent
 * gets the reaction) and all solved implicitly, so a 0.04 kg link under 150 N·m stays stable:
 * the motor, not the link's tiny inertia, carries the torque. The motor is re-aimed before
 * every physics step. Measured (single hinge, Rapier 0.21): the effective inertia is
 * A·(1.67, 1.19, 1.03, 1.001) at 1, 2, 4, 8 solver iterations, independent of dt.
 *
 * Limits as MuJoCo's default soft limits (solref 0.02 1, solimp 0.9 0.95): past a limit by
 * r > 0, MuJoCo's constraint gives (with impedance i ≈ 0.95, M ≈ A the joint's inertia)
 *   M·q̈ = (1 − i)·(τ − d·q̇) − i·M·(b·q̇ + k·r),   b = 2/(i_max·t_c), k = 1/(i_max·t_c·ζ)²,
 * t_c = 0.02 s, ζ = 1; here as the same motor with target angle at the limit:
 *   K = i·M·k,   D = (1 − i)·d + i·M·b + A/dt,   v* = ((1 − i)·τ + (A/dt)·q̇_prev) / D.
 * MuJoCo's limit is unilateral: its force only ever pushes the joint back in. With the joint's
 * free acceleration a₀ = (τ − d·q̇)/M and the reference a_ref = −b·q̇ − k·r (upper limit; the
 * lower mirrored), it is active only while a_ref < a₀ (`limitActive`). `unilateral` applies
 * that rule; without it (the default, what the 'joint' model uses) the spring also holds a
 * joint at its limit while the actuator pulls it back in (with the torso fixed: hips held at
 * ±30° for 0.5 s). Measured on the impulse-joint Ant (bench/fidelity.ts sequences), the
 * unilateral rule makes things worse there (ankle amplitude 34–41° instead of 19–37°, against
 * MuJoCo's 9–25°; worst excursion under maximal torque 25° instead of 10°): the light links'
 * joint drift, not the limit, dominates. In reduced coordinates (bench/multibody-probe.ts) it
 * is what brings the hips' overshoot to MuJoCo's. Rapier's hard limit is kept as a guard
 * LIMIT_GUARD_DEG outside the range. Locked joints keep Rapier's hard weld.
 */

export const LIMIT_TIMECONST = 0.02;
export const LIMIT_IMPEDANCE = 0.95;
export const LIMIT_GUARD_DEG = 20;
const LIMIT_B = 2 / (LIMIT_IMPEDANCE * LIMIT_TIMECONST);
const LIMIT_K = 1 / (LIMIT_IMPEDANCE * LIMIT_TIMECONST) ** 2;

/**
 * The motor command of one joint at angle q (rad) in range [lo, hi], written into `out` as
 * [target angle, target velocity, stiffness, damping]. Stiffness 0 means a velocity motor.
 * Needs d + A > 0 (a joint with neither cannot carry τ through its motor).
 */
export function jointMotorCommand(tau: number, damping: number, armature: number, q: number, qdPrev: number, lo: number, hi: number, dt: number, out: Float64Array, unilateral = false): Float64Array {
  const k = armature / dt;
  const r = q > hi ? q - hi : q < lo ? lo - q : 0;
  if (r === 0 || armature === 0 || (unilateral && !limitActive(tau, damping, armature, q, qdPrev, lo, hi))) {
    const gain = damping + k;
    out[0] = q;
    out[1] = gain > 0 ? (tau + k * qdPrev) / gain : 0;
    out[2] = 0;
    out[3] = gain;
    return out;
  }
  const i = LIMIT_IMPEDANCE, M = armature;
  const D = (1 - i) * damping + i * M * LIMIT_B + k;
  out[0] = q > hi ? hi : lo;
  out[1] = ((1 - i) * tau + k * qdPrev) / D;
  out[2] = i * M * LIMIT_K;
  out[3] = D;
  return out;
}

/**
 * Whether a joint past a limit needs the limit's push (MuJoCo's unilateral constraint): the
 * reference acceleration −b·q̇ − k·r (in the outward sense) is more inward than the joint's
 * free acceleration (τ − d·q̇)/M. Inside the range: false.
 */
export function limitActive(tau: number, damping: number, armature: number, q: number, qd: number, lo: number, hi: number): boolean {
  const free = tau - damping * qd;
  if (q > hi) return armature * (-LIMIT_B * qd - LIMIT_K * (q - hi)) < free;
  if (q < lo) return armature * (-LIMIT_B * qd + LIMIT_K * (lo - q)) > free;
  return false;
}
