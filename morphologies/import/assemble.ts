/**
 * From an imported link tree to a `MorphologySpec`: the part MJCF and URDF import share.
 *
 * The importers give a tree of links, each placed and rotated in its parent's frame, with its
 * joint and collision geoms in its own frame (`IrLink`). The spec has no rotated bodies (every
 * body frame is parallel to the world frame in the rest pose), so here:
 * - every frame is composed down to the world; a joint's origin (its `pos` in the link frame)
 *   becomes the body origin; joint axes and geoms are expressed in world-parallel frames at the
 *   body origins: spheres by centre, capsules by `fromto`, boxes by centre and half extents
 *   permuted by their (axis-aligned) rotation; a box that is not axis-aligned in the rest pose
 *   is refused, naming its element;
 * - a convex geom (a colliding mesh, reduced to its hull points by the importer) has its points
 *   rotated and moved into the body frame;
 * - visuals (URDF `<visual>`, MJCF visual geoms) follow their link: placed in the owning body's
 *   frame with a rotation (a quaternion), ignored by physics; welded links bring theirs along;
 * - a cylinder (no spec shape) becomes a capsule of the same overall length and mass when it is
 *   longer than its diameter, else an axis-aligned box of the same mass; said once;
 * - links without a joint are welded: their geoms and mass join the nearest jointed ancestor
 *   (MJCF bodies without joints, URDF fixed joints);
 * - a link's inertial mass is spread over its collision geoms in proportion to their volumes
 *   (the spec derives mass and inertia from geoms, so the total mass is kept and the inertia
 *   tensor becomes that of the shapes); said once;
 * - optionally (URDF) a joint whose rest angle 0 lies outside its limits is clamped: the rest
 *   pose is built at q₀ = clamp(0, lo, hi) and the spec's range is [lo − q₀, hi − q₀], so spec
 *   angle 0 is the model's angle q₀; said once, naming the joints;
 * - feet: named links or geoms, else the leaf bodies, each by its lowest geom; legs: the joints
 *   from the root down to each foot, named after the leg's first body;
 * - optionally (`home`, by joint name, radians of the model's angle) each joint's home angle
 *   becomes the spec's `home` (degrees, spec angle: the model's angle minus the clamped q₀);
 * - the root is lifted so that the lowest point of the rest pose (of the home pose, when some
 *   joint has a home angle) is `SPAWN_CLEARANCE` above the ground when it would be lower; healthyZ defaults to [h/4, h + 0.25] for a spawn height h.
 * Numbers are rounded to 10 significant digits (and below 1e-12 to 0), so that composing and undoing frames does not
 * leave 0.19999999999999996 where the file says 0.2, and so that the MJCF export (10 digits) of an
 * imported spec imports back to it exactly.
 */
import type { ActuatorSpec, BodySpec, GeomSpec, JointSpec, MorphologySpec, Vec3, VisualSpec } from '../spec.js';
import { SpecError } from '../spec-error.js';
import { validateSpec } from '../validate.js';
import { hasHomePose, lowestPointAtHome } from '../pose.js';
import { add, apply, axisPermutation, fromAxisAngle, mul, norm, scale, sub, toQuat, type Mat3 } from './frame.js';
import { convexMassProperties } from '../mass.js';
import { elementError, type XmlElement } from './xml.js';

export const SPAWN_CLEARANCE = 0.01;

export interface IrGeom {
  name?: string;
  kind: 'sphere' | 'capsule' | 'box' | 'cylinder' | 'convex';
  /** sphere [r]; capsule and cylinder [r, half-length along the geom's z]; box half extents; convex [] */
  size: number[];
  /** convex: hull points in the geom's frame (already scaled) */
  points?: Vec3[];
  /** centre and rotation in the link frame (ignored for a capsule or cylinder given by fromto) */
  pos: Vec3;
  rot: Mat3;
  /** capsule or cylinder end points in the link frame (MJCF `fromto`) */
  fromto?: [Vec3, Vec3];
  density?: number;
  mass?: number;
  friction?: number;
  el: XmlElement;
}

export interface IrJoint {
  name: string;
  /** axis and position in the link frame */
  axis: Vec3;
  pos: Vec3;
  /** degrees */
  range: [number, number];
  gear: number;
  damping: number;
  armature: number;
  actuator?: ActuatorSpec;
  el: XmlElement;
}

/** A visual in its link's frame: the spec's `VisualSpec` fields with a rotation matrix. */
export interface IrVisual {
  visual: Omit<VisualSpec, 'pos' | 'quat'>;
  pos: Vec3;
  rot: Mat3;
}

export interface IrLink {
  name?: string;
  /** origin and rotation in the parent link's frame (root: in the world) */
  pos: Vec3;
  rot: Mat3;
  joint?: IrJoint;
  geoms: IrGeom[];
  visuals?: IrVisual[];
  /** inertial mass, kg, spread over the geoms (MJCF `<inertial>`, URDF `<inertial><mass>`) */
  mass?: number;
  children: IrLink[];
  el: XmlElement;
}

export interface AssembleOptions {
  name: string;
  description?: string;
  density: number;
  friction: number;
  /** joint names in action order; default: depth-first tree order */
  actionOrder?: string[];
  /** link or geom names of the feet, in observation order */
  feet?: string[];
  legs?: Record<string, string[]>;
  healthyZ?: [number, number];
  /** build the rest pose with every joint angle clamped into its range (URDF) */
  clampRestToRange?: boolean;
  /**
   * home angles by joint name, radians, in the model's own angle (before any clamping of the
   * rest pose): the spec's `home` (degrees, spec angle) and the pose the spawn height is for
   */
  home?: Record<string, number>;
  warn: (message: string) => void;
  /** the file, for validation messages */
  where: string;
}

const round = (x: number): number => {
  if (Math.abs(x) < 1e-12) return 0;
  const v = Number(x.toPrecision(10));
  return Object.is(v, -0) ? 0 : v;
};
const r3 = (v: Vec3): Vec3 => [round(v[0]), round(v[1]), round(v[2])];
const isZero = (v: Vec3): boolean => v.every((x) => x === 0);

interface Placed {
  link: IrLink;
  /** world rotation and origin (the joint's origin for jointed links) */
  rot: Mat3;
  origin: Vec3;
  /** the link frame's world origin (differs from `origin` when the joint has a pos) */
  frame: Vec3;
  /** the jointed ancestor (or root) this link's geoms belong to; itself when kept */
  owner: Placed;
  parentKept: Placed | null;
  range?: [number, number];
  /** the model angle the rest pose is built at (degrees; non-zero when clamped) */
  q0: number;
  body?: BodySpec;
  keptChildren: Placed[];
  extraMass: number;
}

interface WorldGeom {
  g: IrGeom;
  /** world centre and rotation */
  c: Vec3;
  rot: Mat3;
  from?: Vec3;
  to?: Vec3;
  /** share of the owning link's inertial mass */
  mass?: number;
}

export function assemble(root: IrLink, opts: AssembleOptions): MorphologySpec {
  const clamped: string[] = [];
  const placed: Placed[] = [];
  const place = (link: IrLink, parent: Placed | null): void => {
    let rel = link.rot;
    let range = link.joint?.range;
    let q0 = 0;
    if (link.joint && opts.clampRestToRange) {
      const [lo, hi] = link.joint.range;
      q0 = Math.min(hi, Math.max(lo, 0));
      if (q0 !== 0) {
        rel = mul(rel, fromAxisAngle(link.joint.axis, (q0 * Math.PI) / 180));
        range = [lo - q0, hi - q0];
        clamped.push(`${link.joint.name} → ${round(q0)}°`);
      }
    }
    const rot = parent ? mul(parent.rot, rel) : rel;
    const frame = parent ? add(parent.frame, apply(parent.rot, link.pos)) : link.pos;
    const origin = link.joint ? add(frame, apply(rot, link.joint.pos)) : frame;
    const p = { link, rot, origin, frame, range, q0, keptChildren: [], extraMass: 0 } as unknown as Placed;
    const kept = parent === null || link.joint !== undefined;
    p.owner = kept ? p : parent!.owner;
    p.parentKept = parent ? parent.owner : null;
    if (kept && p.parentKept) p.parentKept.keptChildren.push(p);
    placed.push(p);
    for (const c of link.children) place(c, p);
  };
  place(root, null);
  if (clamped.length) {
    opts.warn(`rest angle 0 lies outside the limits of ${clamped.length} joint(s); the rest pose clamps them (spec angle 0 is the model's clamped angle): ${clamped.join(', ')}`);
  }
  const kept = placed.filter((p) => p.owner === p);
  const home = homeAngles(opts, kept);

  // visuals in their owner's frame
  const visualsOf = new Map<Placed, VisualSpec[]>();
  for (const p of placed) {
    for (const v of p.link.visuals ?? []) {
      const pos = r3(sub(add(p.frame, apply(p.rot, v.pos)), p.owner.origin));
      const q = toQuat(mul(p.rot, v.rot)).map(round) as [number, number, number, number];
      const out: VisualSpec = { ...v.visual };
      if (!isZero(pos)) out.pos = pos;
      if (!(q[0] === 1 && q[1] === 0 && q[2] === 0 && q[3] === 0)) out.quat = q;
      const list = visualsOf.get(p.owner) ?? [];
      list.push(out);
      visualsOf.set(p.owner, list);
    }
  }

  // geoms in the world, inertial mass shares
  const geomsOf = new Map<Placed, WorldGeom[]>(kept.map((p) => [p, []]));
  let spreadMass = false;
  for (const p of placed) {
    const own: WorldGeom[] = p.link.geoms.map((g) => {
      const w: WorldGeom = { g, c: add(p.frame, apply(p.rot, g.pos)), rot: mul(p.rot, g.rot) };
      if (g.fromto) {
        w.from = add(p.frame, apply(p.rot, g.fromto[0]));
        w.to = add(p.frame, apply(p.rot, g.fromto[1]));
      }
      return w;
    });
    if (p.link.mass !== undefined && p.link.mass > 0) {
      spreadMass = true;
      if (own.length) {
        const vols = own.map((w) => irVolume(w));
        const total = vols.reduce((a, b) => a + b, 0);
        own.forEach((w, i) => (w.mass = (p.link.mass! * vols[i]) / total));
      } else p.owner.extraMass += p.link.mass;
    }
    geomsOf.get(p.owner)!.push(...own);
  }
  if (spreadMass) opts.warn('inertial masses are spread over each link\'s collision geoms by volume: total masses are kept, inertia tensors and centres of mass come from the shapes');

  // names
  const bodyNames = new Set<string>();
  const unique = (set: Set<string>, base: string): string => {
    let n = base;
    for (let k = 2; set.has(n); k++) n = `${base}_${k}`;
    set.add(n);
    return n;
  };
  for (const n of kept.map((p) => p.link.name).filter((n): n is string => !!n)) bodyNames.add(n);
  const nameOf = new Map<Placed, string>();
  kept.forEach((p, k) => nameOf.set(p, p.link.name ?? unique(bodyNames, p.link.joint ? `${p.link.joint.name}_link` : `body_${k}`)));
  const geomNames = new Set<string>();
  for (const p of kept) for (const w of geomsOf.get(p)!) if (w.g.name) geomNames.add(w.g.name);

  // bodies
  let approxCylinder = false;
  for (const p of kept) {
    const name = nameOf.get(p)!;
    const list = geomsOf.get(p)!;
    const geoms: GeomSpec[] = list.map((w, k) => {
      const gname = w.g.name ?? unique(geomNames, list.length > 1 ? `${name}_geom_${k}` : `${name}_geom`);
      const spec = toSpecGeom(w, gname, p.origin, opts);
      if (w.g.kind === 'cylinder') approxCylinder = true;
      return spec;
    });
    if (p.extraMass > 0) {
      if (geoms.length) {
        const m = geoms.map((g) => g.mass ?? (g.density ?? opts.density) * specVolume(g));
        const total = m.reduce((a, b) => a + b, 0);
        geoms.forEach((g, i) => {
          g.mass = round(m[i] + (p.extraMass * m[i]) / total);
          delete g.density;
        });
      } else {
        geoms.push({ name: unique(geomNames, `${name}_mass`), shape: 'sphere', radius: 0.02, mass: round(p.extraMass) });
        opts.warn(`body ${name} has mass but no collision geometry: its ${round(p.extraMass)} kg sit in a sphere of radius 0.02 m at its origin`);
      }
    }
    const body: BodySpec = { name, parent: p.parentKept ? nameOf.get(p.parentKept)! : null, pos: r3(p.parentKept ? sub(p.origin, p.parentKept.origin) : p.origin), geoms };
    const visuals = visualsOf.get(p);
    if (visuals?.length) body.visuals = visuals;
    if (p.link.joint) {
      const j = p.link.joint;
      const joint: JointSpec = { name: j.name, axis: r3(apply(p.rot, j.axis)), range: [round(p.range![0]), round(p.range![1])], gear: j.gear, damping: j.damping, armature: j.armature };
      if (j.actuator && j.actuator.kind !== 'torque') joint.actuator = j.actuator;
      const h = home.get(j.name);
      if (h !== undefined) joint.home = Math.min(joint.range[1], Math.max(joint.range[0], round(h - p.q0)));
      body.joint = joint;
    }
    p.body = body;
  }
  if (approxCylinder) opts.warn('cylinders have no spec shape: each became a capsule of the same length and mass (or, when no longer than its diameter, an axis-aligned box of the same mass)');

  // order: root, then the action order
  const rootP = kept[0];
  let ordered = kept.slice(1);
  if (opts.actionOrder) {
    const at = new Map(opts.actionOrder.map((n, i) => [n, i]));
    ordered = [...ordered].sort((a, b) => at.get(a.link.joint!.name)! - at.get(b.link.joint!.name)!);
  }
  const bodies = [rootP.body!, ...ordered.map((p) => p.body!)];

  // spawn height: the lowest point of the rest pose, or of the home pose when one is given
  let lowest = Infinity;
  if (hasHomePose({ bodies })) lowest = lowestPointAtHome({ bodies });
  else for (const p of kept) for (const g of p.body!.geoms) lowest = Math.min(lowest, p.origin[2] + lowestZ(g));
  if (lowest < SPAWN_CLEARANCE) rootP.body!.pos[2] = round(rootP.body!.pos[2] + SPAWN_CLEARANCE - lowest);
  const h = rootP.body!.pos[2];

  // feet and legs
  const keptByName = new Map(kept.map((p) => [nameOf.get(p)!, p]));
  const allGeoms = new Set(kept.flatMap((p) => p.body!.geoms.map((g) => g.name)));
  const lowestGeom = (p: Placed): string | null => {
    const gs = p.body!.geoms;
    if (!gs.length) return null;
    return gs.reduce((a, b) => (lowestZ(b) < lowestZ(a) ? b : a)).name;
  };
  let footLinks: Placed[];
  let feet: string[];
  if (opts.feet) {
    feet = opts.feet.map((n) => {
      if (allGeoms.has(n)) return n;
      const p = keptByName.get(n);
      const g = p && lowestGeom(p);
      if (!g) throw new SpecError('feet', `${JSON.stringify(n)} names no body with geoms and no geom (bodies: ${[...keptByName.keys()].join(', ')})`, opts.where);
      return g;
    });
    footLinks = feet.map((g) => kept.find((p) => p.body!.geoms.some((x) => x.name === g))!);
  } else {
    footLinks = bodies.map((b) => keptByName.get(b.name)!).filter((p) => p.keptChildren.length === 0 && p !== rootP && p.body!.geoms.length > 0);
    feet = footLinks.map((p) => lowestGeom(p)!);
  }
  let legs = opts.legs;
  if (!legs) {
    legs = {};
    const used = new Set<string>();
    for (const f of footLinks) {
      const chain: Placed[] = [];
      for (let p: Placed | null = f; p && p !== rootP; p = p.parentKept) chain.unshift(p);
      const joints = chain.map((p) => p.link.joint!.name).filter((n) => !used.has(n));
      if (!chain.length || !joints.length) continue;
      joints.forEach((n) => used.add(n));
      legs[unique(new Set(Object.keys(legs)), nameOf.get(chain[0])!)] = joints;
    }
  }

  const spec: MorphologySpec = {
    name: opts.name,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    bodies,
    feet,
    density: opts.density,
    friction: opts.friction,
    healthyZ: opts.healthyZ ?? [round(h / 4), round(h + 0.25)],
    legs,
  };
  return validateSpec(spec, opts.where);
}

/**
 * `opts.home` checked against the joints (each a known joint, a finite angle within its
 * limits), in degrees of the model's angle; errors name the field `home.<joint>`.
 */
function homeAngles(opts: AssembleOptions, kept: Placed[]): Map<string, number> {
  const out = new Map<string, number>();
  const h = opts.home as unknown;
  if (h === undefined) return out;
  if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new SpecError('home', 'expected an object: joint name → home angle in radians', opts.where);
  const joints = new Map(kept.flatMap((p) => (p.link.joint ? [[p.link.joint.name, p.link.joint] as const] : [])));
  for (const [name, v] of Object.entries(h as Record<string, unknown>)) {
    const field = `home.${name}`;
    const j = joints.get(name);
    if (!j) throw new SpecError(field, `unknown joint ${JSON.stringify(name)} (joints: ${[...joints.keys()].join(', ')})`, opts.where);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(field, `expected a finite angle in radians, got ${JSON.stringify(v)}`, opts.where);
    const deg = (v * 180) / Math.PI;
    const [lo, hi] = j.range;
    if (!(deg >= lo - 1e-9 && deg <= hi + 1e-9)) {
      const rad = (x: number): string => String(round((x * Math.PI) / 180));
      throw new SpecError(field, `${v} rad lies outside the joint's limits [${rad(lo)}, ${rad(hi)}] rad`, opts.where);
    }
    out.set(name, Math.min(hi, Math.max(lo, deg)));
  }
  return out;
}

function irVolume(w: WorldGeom): number {
  const { g } = w;
  const r = g.size[0];
  if (g.kind === 'sphere') return (4 / 3) * Math.PI * r ** 3;
  if (g.kind === 'box') return 8 * g.size[0] * g.size[1] * g.size[2];
  if (g.kind === 'convex') return convexMassProperties(g.points!).volume;
  const len = w.from && w.to ? norm(sub(w.to, w.from)) : 2 * g.size[1];
  return g.kind === 'capsule' ? Math.PI * r * r * len + (4 / 3) * Math.PI * r ** 3 : Math.PI * r * r * len;
}

function specVolume(g: GeomSpec): number {
  if (g.shape === 'convex') return convexMassProperties(g.points!).volume;
  if (g.shape === 'sphere') return (4 / 3) * Math.PI * g.radius! ** 3;
  if (g.shape === 'box') return 8 * g.halfExtents![0] * g.halfExtents![1] * g.halfExtents![2];
  return Math.PI * g.radius! ** 2 * norm(sub(g.fromto![1], g.fromto![0])) + (4 / 3) * Math.PI * g.radius! ** 3;
}

/** Lowest z of a geom relative to its body origin (body frames are world-parallel). */
function lowestZ(g: GeomSpec): number {
  if (g.shape === 'sphere') return (g.pos?.[2] ?? 0) - g.radius!;
  if (g.shape === 'box') return (g.pos?.[2] ?? 0) - g.halfExtents![2];
  if (g.shape === 'convex') return Math.min(...g.points!.map((p) => p[2]));
  return Math.min(g.fromto![0][2], g.fromto![1][2]) - g.radius!;
}

function toSpecGeom(w: WorldGeom, name: string, origin: Vec3, opts: AssembleOptions): GeomSpec {
  const { g } = w;
  const out: GeomSpec = { name, shape: 'sphere' };
  const c = r3(sub(w.c, origin));
  const axis = apply(w.rot, [0, 0, 1]);
  const density = g.density ?? opts.density;
  let mass = w.mass ?? g.mass;
  if (g.kind === 'sphere') {
    out.radius = round(g.size[0]);
    if (!isZero(c)) out.pos = c;
  } else if (g.kind === 'convex') {
    out.shape = 'convex';
    out.points = g.points!.map((q) => r3(add(sub(w.c, origin), apply(w.rot, q))));
  } else if (g.kind === 'box' || (g.kind === 'cylinder' && !w.from && g.size[1] <= g.size[0])) {
    const perm = axisPermutation(w.rot);
    if (!perm) {
      throw elementError(g.el, `this ${g.kind} is not axis-aligned in the rest pose, and the spec's boxes cannot rotate: align it with its body's axes (a multiple of 90°) or use a capsule or sphere`);
    }
    const half = g.kind === 'box' ? g.size : [g.size[0], g.size[0], g.size[1]];
    const he: Vec3 = [0, 0, 0];
    perm.forEach((i, j) => (he[i] = round(half[j])));
    out.shape = 'box';
    out.halfExtents = he;
    if (!isZero(c)) out.pos = c;
    if (g.kind === 'cylinder') mass ??= density * Math.PI * g.size[0] ** 2 * 2 * g.size[1];
  } else {
    let from: Vec3, to: Vec3;
    if (w.from && w.to) [from, to] = [sub(w.from, origin), sub(w.to, origin)];
    else [from, to] = [sub(sub(w.c, scale(axis, g.size[1])), origin), sub(add(w.c, scale(axis, g.size[1])), origin)];
    const r = g.size[0];
    if (g.kind === 'cylinder') {
      const len = norm(sub(to, from));
      if (len <= 2 * r) {
        throw elementError(g.el, `a cylinder given by fromto no longer than its diameter (length ${round(len)}, radius ${round(r)}) has no spec shape: use a box or sphere`);
      }
      mass ??= density * Math.PI * r * r * len;
      const d = scale(sub(to, from), r / len);
      [from, to] = [add(from, d), sub(to, d)];
    }
    out.shape = 'capsule';
    out.radius = round(r);
    out.fromto = [r3(from), r3(to)];
  }
  if (mass !== undefined) out.mass = round(mass);
  else if (g.density !== undefined && g.density !== opts.density) out.density = g.density;
  if (g.friction !== undefined && g.friction !== opts.friction) out.friction = g.friction;
  return out;
}

