/**
 * The morphology registry and the folder's public surface.
 *
 * `loadMorphology` takes a registered name (`ant`, `hexapod`) or a path to a JSON spec file,
 * and always returns a spec that has passed `validateSpec`. This file reads files with
 * `node:fs`; code bound for a browser bundle imports `spec.ts`, `ant.ts`, `hexapod.ts`,
 * `variants.ts` or `mjcf.ts` directly instead.
 */
import { readFileSync } from 'node:fs';
import { antSpec } from './ant.js';
import { hexapodSpec } from './hexapod.js';
import type { MorphologySpec } from './spec.js';
import { SpecError } from './spec-error.js';
import { validateSpec } from './validate.js';

export type { BodySpec, GeomShape, GeomSpec, JointSpec, MorphologySpec, Vec3 } from './spec.js';
export { actuatedJoints, cloneSpec, rootBody } from './spec.js';
export { antSpec } from './ant.js';
export { hexapodSpec } from './hexapod.js';
export { damaged, lockedJoint, payload, weakMotor, PAYLOAD_GEOM, PAYLOAD_HALF_EXTENTS, MAX_MOTOR_SCALE } from './variants.js';
export { MORPHOLOGY_SCHEMA, validateSpec } from './validate.js';
export { SpecError } from './spec-error.js';
export { toMJCF } from './mjcf.js';
export { boxVolume, capsuleVolume, geomMass, geomVolume, bodyMass, sphereVolume, totalMass } from './mass.js';

/** Registered morphologies by name; each call builds a fresh spec. */
export const MORPHOLOGIES: Readonly<Record<string, () => MorphologySpec>> = Object.freeze({
  ant: antSpec,
  hexapod: hexapodSpec,
});

/**
 * A registered morphology by name, or a JSON spec file by path (anything ending in `.json` or
 * containing a path separator is read as a file). Throws `SpecError` for an unknown name (the
 * message lists the known ones), an unreadable or unparsable file, or an invalid spec.
 */
export function loadMorphology(nameOrPath: string): MorphologySpec {
  if (Object.hasOwn(MORPHOLOGIES, nameOrPath)) return validateSpec(MORPHOLOGIES[nameOrPath](), `morphology ${JSON.stringify(nameOrPath)}`);
  const looksLikePath = /\.json$/i.test(nameOrPath) || /[/\\]/.test(nameOrPath);
  if (!looksLikePath) {
    throw new SpecError(
      'morphology',
      `unknown morphology ${JSON.stringify(nameOrPath)} (known: ${Object.keys(MORPHOLOGIES).join(', ')}; or give a path to a .json spec)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (e) {
    throw new SpecError('(file)', `cannot read: ${(e as Error).message}`, nameOrPath, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SpecError('(file)', `not valid JSON: ${(e as Error).message}`, nameOrPath, { cause: e });
  }
  return validateSpec(value, nameOrPath);
}
