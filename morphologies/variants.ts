/**
 * Morphology variants: pure functions from a spec to a new spec (the input is never changed).
 * They are what the sim's conditions `damaged(...)`, `locked-joint(...)`, `weak-motor(...)`
 * and `payload(...)` apply. A bad argument throws a `SpecError` naming the argument and the
 * valid choices.
 */
import { cloneSpec, rootBody, type GeomSpec, type MorphologySpec, type Vec3 } from './spec.js';
import { SpecError } from './spec-error.js';

/**
 * Shorten (or lengthen) the last link of a leg: the capsule foot geom on the body of the leg's
 * last joint. `length` is the new extent of the capsule's `fromto` vector along its largest
 * horizontal component (|dx| or |dy|), in metres; the whole vector `to − from` is scaled by
 * `length / oldExtent`, so the link keeps its direction and `from` stays put.
 *
 * Ant front-left ankle (0,0,0)→(0.4,0.4,0) with length 0.1 gives (0,0,0)→(0.1,0.1,0): the
 * held-out morphology of Najarro & Risi (2020).
 */
export function damaged(spec: MorphologySpec, leg: string, length: number): MorphologySpec {
  const where = 'damaged';
  const joints = spec.legs[leg];
  if (!Object.hasOwn(spec.legs, leg) || !joints || joints.length === 0) {
    throw new SpecError('leg', `unknown leg ${JSON.stringify(leg)} (legs of ${spec.name}: ${Object.keys(spec.legs).join(', ')})`, where);
  }
  if (typeof length !== 'number' || !Number.isFinite(length) || length <= 0) {
    throw new SpecError('length', `expected a number > 0 (metres), got ${String(length)}`, where);
  }
  const out = cloneSpec(spec);
  const last = joints[joints.length - 1];
  const body = out.bodies.find((b) => b.joint?.name === last);
  if (!body) throw new SpecError('leg', `leg ${JSON.stringify(leg)} ends in joint ${JSON.stringify(last)}, which no body has`, where);
  const geom = body.geoms.find((g) => out.feet.includes(g.name)) ?? body.geoms.find((g) => g.shape === 'capsule');
  if (!geom || geom.shape !== 'capsule' || !geom.fromto) {
    throw new SpecError(
      'leg',
      `the last link of leg ${JSON.stringify(leg)} (body ${body.name}) has no capsule foot to shorten` +
        (geom ? ` (its foot ${geom.name} is a ${geom.shape})` : ''),
      where,
    );
  }
  const [from, to] = geom.fromto;
  const d: Vec3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
  const extent = Math.max(Math.abs(d[0]), Math.abs(d[1]));
  if (extent === 0) {
    throw new SpecError('leg', `the foot ${geom.name} of leg ${JSON.stringify(leg)} is vertical: no horizontal extent to shorten`, where);
  }
  const k = length / extent;
  geom.fromto = [from, [from[0] + k * d[0], from[1] + k * d[1], from[2] + k * d[2]]];
  return out;
}

/** Weld a joint at its rest angle (0, clipped into its range): sets `locked: true`. */
export function lockedJoint(spec: MorphologySpec, joint: string): MorphologySpec {
  const out = cloneSpec(spec);
  const body = out.bodies.find((b) => b.joint?.name === joint);
  if (!body?.joint) throw new SpecError('joint', `unknown joint ${JSON.stringify(joint)} (${jointList(spec)})`, 'lockedJoint');
  body.joint.locked = true;
  return out;
}

/** Largest gear multiplier `weakMotor` accepts (values above 1 make a stronger motor). */
export const MAX_MOTOR_SCALE = 10;

/**
 * Multiply the gear of one joint, or of every joint when `joint` is omitted, by `scale`
 * (0 < scale ≤ 10; below 1 weakens, above 1 strengthens).
 */
export function weakMotor(spec: MorphologySpec, scale: number, joint?: string): MorphologySpec {
  const where = 'weakMotor';
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_MOTOR_SCALE) {
    throw new SpecError('scale', `expected a number in (0, ${MAX_MOTOR_SCALE}], got ${String(scale)}`, where);
  }
  const out = cloneSpec(spec);
  const targets = out.bodies.filter((b) => b.joint && (joint === undefined || b.joint.name === joint));
  if (joint !== undefined && targets.length === 0) {
    throw new SpecError('joint', `unknown joint ${JSON.stringify(joint)} (${jointList(spec)}; omit it for all joints)`, where);
  }
  for (const b of targets) b.joint!.gear *= scale;
  return out;
}

/** Name of the geom `payload` adds. */
export const PAYLOAD_GEOM = 'payload';
/** Half extents of the payload box, m: a 0.2 × 0.2 × 0.1 slab whatever its mass. */
export const PAYLOAD_HALF_EXTENTS: Vec3 = [0.1, 0.1, 0.05];

/**
 * Add `kg` of payload on top of the root body: a box geom named `payload` with half extents
 * `PAYLOAD_HALF_EXTENTS` and an explicit `mass`, centred over the root's origin with its
 * bottom face on the highest point of the root's geoms (for the Ant: on top of the torso
 * sphere, centre at z = 0.25 + 0.05 in the torso frame). Applied to a spec that already
 * carries a payload, the mass is added to that box (so payloads accumulate, one geom).
 */
export function payload(spec: MorphologySpec, kg: number): MorphologySpec {
  const where = 'payload';
  if (typeof kg !== 'number' || !Number.isFinite(kg) || kg <= 0) {
    throw new SpecError('kg', `expected a mass > 0 (kg), got ${String(kg)}`, where);
  }
  const out = cloneSpec(spec);
  const root = rootBody(out);
  const existing = root.geoms.find((g) => g.name === PAYLOAD_GEOM);
  if (existing) {
    if (existing.mass === undefined) throw new SpecError('kg', `the root's geom "${PAYLOAD_GEOM}" has no mass to add to`, where);
    existing.mass += kg;
    return out;
  }
  const clash = out.bodies.find((b) => b.geoms.some((g) => g.name === PAYLOAD_GEOM));
  if (clash) throw new SpecError('kg', `body ${clash.name} already has a geom named "${PAYLOAD_GEOM}"`, where);
  const top = Math.max(...root.geoms.map(topZ));
  const h = PAYLOAD_HALF_EXTENTS;
  root.geoms.push({ name: PAYLOAD_GEOM, shape: 'box', halfExtents: [h[0], h[1], h[2]], pos: [0, 0, top + h[2]], mass: kg });
  return out;
}

/** Highest z of a geom in its body frame. */
function topZ(g: GeomSpec): number {
  const r = g.radius ?? 0;
  if (g.shape === 'capsule' && g.fromto) return Math.max(g.fromto[0][2], g.fromto[1][2]) + r;
  const z = g.pos?.[2] ?? 0;
  if (g.shape === 'box' && g.halfExtents) return z + g.halfExtents[2];
  return z + r;
}

function jointList(spec: MorphologySpec): string {
  return `joints of ${spec.name}: ${spec.bodies.flatMap((b) => (b.joint ? [b.joint.name] : [])).join(', ')}`;
}
