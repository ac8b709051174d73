/**
 * `validateSpec`: the one gate every morphology passes (registered specs, JSON files, variants
 * in tests). Two stages, each error a `SpecError` naming the field by path:
 *
 * 1. Shape, by the `core/schema.ts` schema `MORPHOLOGY_SCHEMA`: types, required fields, no
 *    unknown fields (a `"$schema"` reference to `schemas/morphology.schema.json` is allowed and
 *    dropped), finite numbers, and the simple bounds: radius > 0, half extents > 0,
 *    density ≥ 0, mass ≥ 0, friction ≥ 0, gear > 0, damping ≥ 0, armature ≥ 0, a convex geom's
 *    points 4 to `MAX_CONVEX_POINTS`, visual sizes > 0, rgba in [0, 1].
 *    (`bodies[3].geoms[0].radius: expected a number > 0, got -0.08`)
 * 2. Meaning: non-empty names; body, geom and joint names unique (each kind its own namespace,
 *    as in MuJoCo); exactly one root (parent null); every parent a known body; no cycles; every
 *    non-root body has a joint and the root has none; each geom has the fields of its shape and
 *    none of another's (a capsule is placed by `fromto`, not `pos`); a capsule's segment has
 *    non-zero length (a zero-length capsule is a sphere: write a sphere; MuJoCo also rejects
 *    `fromto` end points that coincide); a convex geom's points span a volume (not all coplanar);
 *    each visual has the fields of its shape (a mesh an `.stl` or `.obj` path), a non-zero quat;
 *    every geom has a mass, from `mass` or from a density
 *    > 0 (its own or the spec's); every body weighs more than zero; joint range lower < upper;
 *    joint axis not zero; a joint's home angle within its range; a position actuator has kp and kv, a torque one neither; feet name known geoms, once each; legs name known joints, each in one
 *    leg only, ordered hip to foot (each joint's body below the previous one's); healthyZ
 *    lower < upper.
 *
 * Returns the validated value as a new `MorphologySpec` (a deep copy; no defaults are filled
 * in, so a valid spec comes back deep-equal to its input).
 */
import { SchemaError, validate, type Schema } from '../core/schema.js';
import { MAX_CONVEX_POINTS, type BodySpec, type MorphologySpec } from './spec.js';
import { bodyMass, convexMassProperties, segmentLength } from './mass.js';
import { HullError } from './convex-hull.js';
import { SpecError } from './spec-error.js';

export { SpecError } from './spec-error.js';

const finite: Schema = { type: 'number' };
const positive: Schema = { type: 'number', min: 0, exclusiveMin: true };
const nonNegative: Schema = { type: 'number', min: 0 };
const vec3: Schema = { type: 'tuple', items: [finite, finite, finite] };
const name: Schema = { type: 'string' };

const GEOM_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name,
    shape: { type: 'string', enum: ['sphere', 'capsule', 'box', 'convex'] },
    radius: positive,
    fromto: { type: 'tuple', items: [vec3, vec3] },
    halfExtents: { type: 'tuple', items: [positive, positive, positive] },
    points: { type: 'array', items: vec3, minItems: 4, maxItems: MAX_CONVEX_POINTS },
    pos: vec3,
    density: nonNegative,
    mass: nonNegative,
    friction: nonNegative,
  },
  required: ['name', 'shape'],
};

const unit: Schema = { type: 'number', min: 0, max: 1 };
const VISUAL_SCHEMA: Schema = {
  type: 'object',
  properties: {
    shape: { type: 'string', enum: ['mesh', 'sphere', 'box', 'cylinder', 'capsule'] },
    mesh: { type: 'string' },
    scale: { type: 'tuple', items: [positive, positive, positive] },
    radius: positive,
    halfExtents: { type: 'tuple', items: [positive, positive, positive] },
    length: positive,
    pos: vec3,
    quat: { type: 'tuple', items: [finite, finite, finite, finite] },
    rgba: { type: 'tuple', items: [unit, unit, unit, unit] },
  },
  required: ['shape'],
};

const JOINT_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name,
    axis: vec3,
    range: { type: 'tuple', items: [finite, finite] },
    gear: positive,
    damping: nonNegative,
    armature: nonNegative,
    locked: { type: 'boolean' },
    home: { type: 'number', description: 'degrees, within range (default 0, the rest pose): the spawn angle, the centre of a position actuator, the angle a locked joint is welded at' },
    actuator: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['torque', 'position'] }, kp: positive, kv: nonNegative },
      required: ['kind'],
    },
  },
  required: ['name', 'axis', 'range', 'gear', 'damping', 'armature'],
};

const BODY_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name,
    parent: { type: 'nullable', inner: name },
    pos: vec3,
    joint: JOINT_SCHEMA,
    geoms: { type: 'array', items: GEOM_SCHEMA },
    visuals: { type: 'array', items: VISUAL_SCHEMA, maxItems: 256 },
  },
  required: ['name', 'parent', 'pos', 'geoms'],
};

/** The shape of a `MorphologySpec` as a `core/schema.ts` schema (stage 1 of `validateSpec`). */
export const MORPHOLOGY_SCHEMA: Schema = {
  type: 'object',
  document: true,
  properties: {
    name,
    description: { type: 'string' },
    bodies: { type: 'array', items: BODY_SCHEMA, minItems: 1 },
    feet: { type: 'array', items: name },
    density: nonNegative,
    friction: nonNegative,
    healthyZ: { type: 'tuple', items: [finite, finite] },
    legs: { type: 'record', values: { type: 'array', items: name, minItems: 1 } },
  },
  required: ['name', 'bodies', 'feet', 'density', 'friction', 'healthyZ', 'legs'],
};

/**
 * Check that `value` is a well-formed morphology and return it typed. `where` (a file name)
 * prefixes messages; by default `morphology "<name>"`.
 */
export function validateSpec(value: unknown, where?: string): MorphologySpec {
  const label = where ?? defaultWhere(value);
  let spec: MorphologySpec;
  try {
    spec = validate<MorphologySpec>(value, MORPHOLOGY_SCHEMA, label);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    const prefix = `${label ? label + ': ' : ''}${e.path || '(root)'}: `;
    const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    throw new SpecError(e.path, detail, label, { cause: e });
  }
  checkMeaning(spec, label);
  return spec;
}

function defaultWhere(value: unknown): string {
  const n = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
  return typeof n === 'string' ? `morphology ${JSON.stringify(n)}` : 'morphology';
}

const q = (s: string): string => JSON.stringify(s);

function checkMeaning(spec: MorphologySpec, where: string): void {
  const fail = (path: string, detail: string): never => {
    throw new SpecError(path, detail, where);
  };
  if (spec.name.trim() === '') fail('name', 'expected a non-empty name');

  // names, one namespace per kind
  const bodyIndex = new Map<string, number>();
  const geomAt = new Map<string, string>();
  const jointAt = new Map<string, number>();
  spec.bodies.forEach((b, i) => {
    const at = `bodies[${i}]`;
    if (b.name.trim() === '') fail(`${at}.name`, 'expected a non-empty name');
    const seen = bodyIndex.get(b.name);
    if (seen !== undefined) fail(`${at}.name`, `duplicate body name ${q(b.name)} (also bodies[${seen}])`);
    bodyIndex.set(b.name, i);
    b.geoms.forEach((g, k) => {
      const gat = `${at}.geoms[${k}]`;
      if (g.name.trim() === '') fail(`${gat}.name`, 'expected a non-empty name');
      const other = geomAt.get(g.name);
      if (other !== undefined) fail(`${gat}.name`, `duplicate geom name ${q(g.name)} (also ${other})`);
      geomAt.set(g.name, gat);
    });
    if (b.joint) {
      if (b.joint.name.trim() === '') fail(`${at}.joint.name`, 'expected a non-empty name');
      const other = jointAt.get(b.joint.name);
      if (other !== undefined) fail(`${at}.joint.name`, `duplicate joint name ${q(b.joint.name)} (also bodies[${other}].joint)`);
      jointAt.set(b.joint.name, i);
    }
  });

  // the tree: one root, known parents, no cycles, joints where they belong
  const roots = spec.bodies.flatMap((b, i) => (b.parent === null ? [i] : []));
  if (roots.length === 0) fail('bodies', 'no root body: exactly one body needs parent null');
  if (roots.length > 1) {
    fail(`bodies[${roots[1]}].parent`, `a second root (bodies[${roots[0]}] ${q(spec.bodies[roots[0]].name)} is already the root): exactly one body has parent null`);
  }
  spec.bodies.forEach((b, i) => {
    if (b.parent !== null && !bodyIndex.has(b.parent)) {
      fail(`bodies[${i}].parent`, `unknown body ${q(b.parent)} (bodies: ${[...bodyIndex.keys()].join(', ')})`);
    }
  });
  spec.bodies.forEach((b, i) => {
    const chain = [b.name];
    const visited = new Set([i]);
    let cur: BodySpec = b;
    while (cur.parent !== null) {
      const p = bodyIndex.get(cur.parent)!;
      chain.push(cur.parent);
      if (visited.has(p)) fail(`bodies[${i}].parent`, `cycle in the body tree: ${chain.join(' → ')}`);
      visited.add(p);
      cur = spec.bodies[p];
    }
  });
  spec.bodies.forEach((b, i) => {
    const at = `bodies[${i}]`;
    if (b.parent === null && b.joint) fail(`${at}.joint`, `the root body ${q(b.name)} is free-floating and takes no joint`);
    if (b.parent !== null && !b.joint) fail(`${at}.joint`, `body ${q(b.name)} needs a joint to its parent ${q(b.parent)}`);
  });

  // geoms and masses
  spec.bodies.forEach((b, i) => {
    b.geoms.forEach((g, k) => {
      const at = `bodies[${i}].geoms[${k}]`;
      const needs = { sphere: ['radius'], capsule: ['radius', 'fromto'], box: ['halfExtents'], convex: ['points'] }[g.shape];
      const forbids = {
        sphere: ['fromto', 'halfExtents', 'points'],
        capsule: ['halfExtents', 'pos', 'points'],
        box: ['radius', 'fromto', 'points'],
        convex: ['radius', 'fromto', 'halfExtents', 'pos'],
      }[g.shape];
      for (const f of needs) if (g[f as keyof typeof g] === undefined) fail(`${at}.${f}`, `a ${g.shape} needs ${f}`);
      for (const f of forbids) {
        if (g[f as keyof typeof g] !== undefined) {
          const why = g.shape === 'capsule' && f === 'pos' ? ' (a capsule is placed by fromto)' : g.shape === 'convex' && f === 'pos' ? ' (its points are in the body frame)' : '';
          fail(`${at}.${f}`, `a ${g.shape} takes no ${f}${why}`);
        }
      }
      if (g.shape === 'capsule' && segmentLength(g.fromto!) <= 1e-9) {
        fail(`${at}.fromto`, 'the capsule has zero length (from = to); use a sphere');
      }
      if (g.shape === 'convex') {
        try {
          convexMassProperties(g.points!);
        } catch (e) {
          if (!(e instanceof HullError)) throw e;
          fail(`${at}.points`, `the convex geom ${q(g.name)} is degenerate: ${e.message}`);
        }
      }
      if (g.mass === undefined && (g.density ?? spec.density) <= 0) {
        fail(at, `geom ${q(g.name)} has no mass: give it mass, or a density > 0 here or in the spec's density (now ${g.density ?? spec.density})`);
      }
    });
    if (!(bodyMass(b, spec.density) > 0)) fail(`bodies[${i}].geoms`, `body ${q(b.name)} has no mass: it needs at least one geom with mass > 0`);
    b.visuals?.forEach((v, k) => {
      const at = `bodies[${i}].visuals[${k}]`;
      const needs = { mesh: ['mesh'], sphere: ['radius'], box: ['halfExtents'], cylinder: ['radius', 'length'], capsule: ['radius', 'length'] }[v.shape];
      const all = ['mesh', 'scale', 'radius', 'halfExtents', 'length'];
      const allowed = v.shape === 'mesh' ? ['mesh', 'scale'] : needs;
      for (const f of needs) if (v[f as keyof typeof v] === undefined) fail(`${at}.${f}`, `a ${v.shape} visual needs ${f}`);
      for (const f of all) if (!allowed.includes(f) && v[f as keyof typeof v] !== undefined) fail(`${at}.${f}`, `a ${v.shape} visual takes no ${f}`);
      if (v.shape === 'mesh' && !/\.(stl|obj)$/i.test(v.mesh!)) fail(`${at}.mesh`, `expected the path of an .stl or .obj file, got ${q(v.mesh!)}`);
      if (v.quat && !(Math.hypot(...v.quat) > 1e-9)) fail(`${at}.quat`, 'expected a non-zero quaternion (w x y z)');
    });
  });

  // joints
  spec.bodies.forEach((b, i) => {
    const j = b.joint;
    if (!j) return;
    const at = `bodies[${i}].joint`;
    if (!(j.range[0] < j.range[1])) fail(`${at}.range`, `lower ${j.range[0]} must be < upper ${j.range[1]}`);
    if (j.home !== undefined && !(j.home >= j.range[0] && j.home <= j.range[1])) fail(`${at}.home`, `home angle ${j.home}° lies outside the joint's range [${j.range[0]}, ${j.range[1]}]°`);
    if (Math.hypot(...j.axis) < 1e-9) fail(`${at}.axis`, `expected a non-zero axis, got [${j.axis.join(', ')}]`);
    const act = j.actuator as { kind: string; kp?: number; kv?: number } | undefined;
    if (act?.kind === 'position' && (act.kp === undefined || act.kv === undefined)) fail(`${at}.actuator`, 'a position actuator needs kp (> 0) and kv (≥ 0)');
    if (act?.kind === 'torque' && (act.kp !== undefined || act.kv !== undefined)) fail(`${at}.actuator`, 'a torque actuator takes no kp or kv');
  });

  // feet and legs
  const feetSeen = new Map<string, number>();
  spec.feet.forEach((f, i) => {
    if (!geomAt.has(f)) fail(`feet[${i}]`, `unknown geom ${q(f)} (geoms: ${[...geomAt.keys()].join(', ')})`);
    if (feetSeen.has(f)) fail(`feet[${i}]`, `geom ${q(f)} is listed twice (also feet[${feetSeen.get(f)}])`);
    feetSeen.set(f, i);
  });
  const legOf = new Map<string, string>();
  for (const [leg, joints] of Object.entries(spec.legs)) {
    joints.forEach((jn, k) => {
      const at = `legs.${leg}[${k}]`;
      const bi = jointAt.get(jn);
      if (bi === undefined) fail(at, `unknown joint ${q(jn)} (joints: ${[...jointAt.keys()].join(', ')})`);
      const other = legOf.get(jn);
      if (other !== undefined) fail(at, `joint ${q(jn)} is already in leg ${q(other)}`);
      legOf.set(jn, leg);
      if (k > 0 && !isBelow(spec, bodyIndex, bi!, jointAt.get(joints[k - 1])!)) {
        fail(at, `joint ${q(jn)} is not below ${q(joints[k - 1])}: list a leg's joints from hip to foot`);
      }
    });
  }

  if (!(spec.healthyZ[0] < spec.healthyZ[1])) fail('healthyZ', `lower ${spec.healthyZ[0]} must be < upper ${spec.healthyZ[1]}`);
}

/** true when body `i` is a strict descendant of body `ancestor` */
function isBelow(spec: MorphologySpec, bodyIndex: Map<string, number>, i: number, ancestor: number): boolean {
  let p = spec.bodies[i].parent;
  while (p !== null) {
    const pi = bodyIndex.get(p)!;
    if (pi === ancestor) return true;
    p = spec.bodies[pi].parent;
  }
  return false;
}
