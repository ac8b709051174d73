/**
 * The robot an episode runs: the base morphology with the condition's morphological changes
 * (damaged legs, locked joints, weak motors, payload) applied as spec variants.
 */
import type { MorphologySpec } from '../morphologies/spec.js';
import { damaged, lockedJoint, payload, weakMotor } from '../morphologies/variants.js';
import type { Condition } from './conditions.js';

export function applyConditionToSpec(base: MorphologySpec, c: Condition): MorphologySpec {
  let spec = base;
  for (const d of c.damaged) spec = damaged(spec, d.leg, d.length);
  for (const j of c.lockedJoints) spec = lockedJoint(spec, j);
  for (const w of c.weakMotors) spec = weakMotor(spec, w.scale, w.joint === 'all' ? undefined : w.joint);
  if (c.payloadKg > 0) spec = payload(spec, c.payloadKg);
  return spec;
}
