/**
 * The morphology registry and the folder's public surface.
 *
 * `loadMorphology` takes a registered name (`ant`, `hexapod`, `quadruped12`), a path to a JSON
 * spec file, an MJCF model (`*.xml`) or a URDF robot (`*.urdf`), and always returns a spec that
 * has passed `validateSpec`. A model file may have a sidecar `<file>.spikeloco.json` with
 * `ImportOverrides` (feet, legs, healthyZ, actuator, armature, home, name; see docs/ROBOTS.md). This file reads
 * files with `node:fs`; code bound for a browser bundle imports `spec.ts`, `ant.ts`,
 * `hexapod.ts`, `variants.ts` or `mjcf.ts` directly instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { antSpec } from './ant.js';
import { hexapodSpec } from './hexapod.js';
import type { MorphologySpec } from './spec.js';
import { SpecError } from './spec-error.js';
import { validateSpec } from './validate.js';
import { importMJCF, type ImportOverrides, type ImportResult } from './import/mjcf.js';
import { importURDF } from './import/urdf.js';

export type { ActuatorSpec, BodySpec, GeomShape, GeomSpec, JointSpec, MorphologySpec, Vec3, VisualShape, VisualSpec } from './spec.js';
export { actuatedJoints, cloneSpec, rootBody, MAX_CONVEX_POINTS } from './spec.js';
export { antSpec } from './ant.js';
export { hexapodSpec } from './hexapod.js';
export { damaged, lockedJoint, payload, weakMotor, PAYLOAD_GEOM, PAYLOAD_HALF_EXTENTS, MAX_MOTOR_SCALE } from './variants.js';
export { MORPHOLOGY_SCHEMA, validateSpec } from './validate.js';
export { SpecError } from './spec-error.js';
export { toMJCF } from './mjcf.js';
export { boxVolume, capsuleVolume, convexMassProperties, geomMass, geomVolume, bodyMass, sphereVolume, totalMass } from './mass.js';
export { convexHull, HullError } from './convex-hull.js';
export { importMJCF, importMJCFText, type ImportOverrides, type ImportResult } from './import/mjcf.js';
export { importURDF, importURDFText } from './import/urdf.js';

/** The model files shipped with the package (`morphologies/models/`). */
export const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'morphologies', 'models');

/** Registered morphologies by name; each call builds a fresh spec. */
export const MORPHOLOGIES: Readonly<Record<string, () => MorphologySpec>> = Object.freeze({
  ant: antSpec,
  hexapod: hexapodSpec,
  quadruped12: () => importModel(join(MODELS_DIR, 'quadruped12.urdf')).spec,
});

const SIDECAR_KEYS = ['feet', 'legs', 'healthyZ', 'actuator', 'armature', 'home', 'name'];

/** The sidecar `<file>.spikeloco.json` of a model file, or {} when there is none. */
export function readSidecar(modelPath: string): ImportOverrides {
  const path = `${modelPath}.spikeloco.json`;
  if (!existsSync(path)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SpecError('(file)', `not valid JSON: ${(e as Error).message}`, path, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SpecError('(root)', 'expected an object', path);
  for (const k of Object.keys(value)) if (!SIDECAR_KEYS.includes(k)) throw new SpecError(k, `unknown field (fields: ${SIDECAR_KEYS.join(', ')})`, path);
  return value as ImportOverrides;
}

/** Import an MJCF (`.xml`) or URDF (`.urdf`) file with its sidecar; warnings come back, not printed. */
export function importModel(path: string, overrides: ImportOverrides = {}): ImportResult {
  const o = { ...readSidecar(path), ...overrides };
  if (/\.urdf$/i.test(path)) return importURDF(path, o);
  if (/\.xml$/i.test(path)) return importMJCF(path, o);
  throw new SpecError('(file)', 'expected a .xml (MJCF) or .urdf (URDF) model file', path);
}

/**
 * A registered morphology by name, or a file by path: `.xml` MJCF, `.urdf` URDF, anything else
 * ending in `.json` or containing a path separator a JSON spec. Throws `SpecError` for an
 * unknown name (the message lists the known ones), an unreadable or unparsable file, a refused
 * model element (file, line and element path), or an invalid spec. Import warnings go to
 * `onWarning` (default: none).
 */
export function loadMorphology(nameOrPath: string, onWarning?: (message: string) => void): MorphologySpec {
  if (Object.hasOwn(MORPHOLOGIES, nameOrPath)) return validateSpec(MORPHOLOGIES[nameOrPath](), `morphology ${JSON.stringify(nameOrPath)}`);
  if (/\.(xml|urdf)$/i.test(nameOrPath)) {
    const r = importModel(nameOrPath);
    for (const w of r.warnings) onWarning?.(`${nameOrPath}: ${w}`);
    return r.spec;
  }
  const looksLikePath = /\.json$/i.test(nameOrPath) || /[/\\]/.test(nameOrPath);
  if (!looksLikePath) {
    throw new SpecError(
      'morphology',
      `unknown morphology ${JSON.stringify(nameOrPath)} (known: ${Object.keys(MORPHOLOGIES).join(', ')}; or give a path to a .json spec, an MJCF .xml or a URDF .urdf)`,
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
  const spec = validateSpec(value, nameOrPath);
  // a visual mesh's relative path is relative to the spec file
  for (const b of spec.bodies) for (const v of b.visuals ?? []) if (v.mesh !== undefined) v.mesh = resolve(dirname(nameOrPath), v.mesh);
  return spec;
}
