/**
 * A hand-written open-loop gait for any legged spec: our physics sanity check.
 *
 * Legs are grouped like a trot (quadruped) or a tripod (hexapod): along each side, legs
 * alternate phase 0 / π from front to back, and the right side is offset by π. Per leg:
 *   hip   a = s_fwd · sin(2πft + φ)            (s_fwd: the hip sign that swings the foot to +x)
 *   other a = s_down · (0.3 + 0.5 · sin(2πft + φ + π))   (s_down: the sign that lowers the foot)
 * with f = 2.5 Hz. The numbers were found by a small grid search on the flat Ant (it walks
 * about 1.6 m/s) and are kept fixed for every morphology.
 */
import type { MorphologySpec } from '../morphologies/spec.js';

export interface OscillatorParams {
  frequency: number;
  amplitude: number[];
  phase: number[];
  offset: number[];
}

export const GAIT_FREQUENCY = 2.5;

export function openLoopGait(spec: MorphologySpec, jointNames: readonly string[]): OscillatorParams {
  const n = jointNames.length;
  const out: OscillatorParams = { frequency: GAIT_FREQUENCY, amplitude: new Array(n).fill(0), phase: new Array(n).fill(0), offset: new Array(n).fill(0) };
  const bodyOfJoint = new Map(spec.bodies.filter((b) => b.joint).map((b) => [b.joint!.name, b]));
  const legs = Object.entries(spec.legs).map(([name, joints]) => ({ name, joints, hip: bodyOfJoint.get(joints[0])! }));
  for (const side of [1, -1]) {
    const sideLegs = legs.filter((l) => Math.sign(l.hip.pos[1]) === side).sort((a, b) => b.hip.pos[0] - a.hip.pos[0]);
    sideLegs.forEach((leg, k) => {
      const phi = (((k + (side > 0 ? 0 : 1)) % 2) * Math.PI);
      leg.joints.forEach((jn, depth) => {
        const j = jointNames.indexOf(jn);
        if (j < 0) return;
        const body = bodyOfJoint.get(jn)!;
        if (depth === 0) {
          // rotation about +z moves a foot at lateral offset y along −y·x̂: swing forward = −sign(y)
          out.amplitude[j] = -side;
          out.phase[j] = phi;
        } else {
          const r = body.joint!.range;
          const down = Math.sign(r[0] + r[1]) || 1;
          out.offset[j] = 0.3 * down;
          out.amplitude[j] = 0.5 * down;
          out.phase[j] = phi + Math.PI;
        }
      });
    });
  }
  return out;
}
