/**
 * ROS URDF → `MorphologySpec`.
 *
 * Read: `<link>`s with `<inertial>` (`origin`, `mass`; the inertia tensor is replaced by that of
 * the collision shapes, see `assemble.ts`) and `<collision>` geometry `box` (full sizes),
 * `cylinder` (radius, length along z), `sphere`, each at its `origin xyz rpy`; `revolute` and
 * `continuous` joints (`origin`, `axis`, `limit lower upper effort`, `dynamics damping`);
 * `fixed` joints, whose child is merged into its parent. The root link (no joint's child) is
 * free; a massless, shapeless root named `world` fixed to one link is dropped. Joint torque is
 * τ = effort · a; the rest pose clamps each angle into its limits (said once). Continuous joints
 * get ±360°.
 *
 * Warned and ignored: `<visual>`, `<material>`, `<transmission>`, `<gazebo>`,
 * `<safety_controller>`, `<calibration>`, joint `velocity` limits. Refused with the file, line
 * and element path: prismatic, floating and planar joints, `<mimic>`, mesh collision geometry
 * (the spec has no convex hull shape: replace it by primitives), a link with two parents,
 * cycles, joint friction.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Vec3 } from '../spec.js';
import { SpecError } from '../spec-error.js';
import { assemble, type IrGeom, type IrLink } from './assemble.js';
import { fromRpy, IDENTITY, type Mat3 } from './frame.js';
import type { ImportOverrides, ImportResult } from './mjcf.js';
import { ImportNotes } from './notes.js';
import { elementError, parseXml, type XmlElement } from './xml.js';

export function importURDF(file: string, overrides: ImportOverrides = {}): ImportResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError('(file)', `cannot read: ${(e as Error).message}`, file, { cause: e });
  }
  return importURDFText(text, file, overrides);
}

function nums(el: XmlElement, attr: string, count: number, fallback?: number[]): number[] {
  const s = el.attrs[attr];
  if (s === undefined) {
    if (fallback) return fallback;
    throw elementError(el, `<${el.tag}> needs ${attr}="…"`);
  }
  const v = s.trim().split(/\s+/).map(Number);
  if (v.length !== count || v.some((x) => !Number.isFinite(x))) throw elementError(el, `${attr}="${s}": expected ${count} number${count > 1 ? 's' : ''}`);
  return v;
}

function only(el: XmlElement, known: string[]): void {
  for (const a of Object.keys(el.attrs)) if (!known.includes(a)) throw elementError(el, `attribute ${a}="${el.attrs[a]}" of <${el.tag}> is not supported (supported: ${known.join(', ') || 'none'})`);
}

function origin(el: XmlElement | undefined): { pos: Vec3; rot: Mat3 } {
  if (!el) return { pos: [0, 0, 0], rot: IDENTITY };
  only(el, ['xyz', 'rpy']);
  return { pos: nums(el, 'xyz', 3, [0, 0, 0]) as Vec3, rot: fromRpy(nums(el, 'rpy', 3, [0, 0, 0]) as Vec3) };
}

const child = (el: XmlElement, tag: string): XmlElement | undefined => el.children.find((c) => c.tag === tag);

export function importURDFText(text: string, file: string, overrides: ImportOverrides = {}): ImportResult {
  const notes = new ImportNotes();
  const doc = parseXml(text, file);
  if (doc.tag !== 'robot') throw elementError(doc, `expected <robot> as the document element, found <${doc.tag}>`);
  only(doc, ['name', 'version', 'xmlns:xacro']);
  const links = new Map<string, IrLink>();
  const jointsEls: XmlElement[] = [];
  for (const c of doc.children) {
    if (c.tag === 'link') {
      only(c, ['name', 'type']);
      if (!c.attrs.name) throw elementError(c, '<link> needs name');
      if (links.has(c.attrs.name)) throw elementError(c, `duplicate link ${JSON.stringify(c.attrs.name)}`);
      links.set(c.attrs.name, readLink(c, notes));
    } else if (c.tag === 'joint') jointsEls.push(c);
    else if (['material', 'transmission', 'gazebo'].includes(c.tag)) notes.ignore(`<${c.tag}>`, c, c.tag === 'material' ? 'visual' : 'simulator and controller plumbing of ROS');
    else throw elementError(c, `<${c.tag}> is not supported (supported: link, joint; ignored: material, transmission, gazebo)`);
  }
  const parentOf = new Map<string, string>();
  for (const j of jointsEls) {
    only(j, ['name', 'type']);
    const name = j.attrs.name;
    const type = j.attrs.type;
    if (!name) throw elementError(j, '<joint> needs name');
    const p = child(j, 'parent')?.attrs.link, c = child(j, 'child')?.attrs.link;
    if (!p || !c) throw elementError(j, 'a joint needs <parent link="…"/> and <child link="…"/>');
    for (const l of [p, c]) if (!links.has(l)) throw elementError(j, `unknown link ${JSON.stringify(l)}`);
    if (parentOf.has(c)) throw elementError(j, `link ${JSON.stringify(c)} already has a parent (${parentOf.get(c)}): a URDF is a tree`);
    parentOf.set(c, p);
    const link = links.get(c)!;
    const o = origin(child(j, 'origin'));
    link.pos = o.pos;
    link.rot = o.rot;
    for (const x of j.children) {
      if (['safety_controller', 'calibration'].includes(x.tag)) notes.ignore(`<joint><${x.tag}>`, x, 'controller settings');
      else if (x.tag === 'mimic') throw elementError(x, '<mimic> joints are not supported: each joint is driven on its own');
      else if (!['parent', 'child', 'origin', 'axis', 'limit', 'dynamics'].includes(x.tag)) throw elementError(x, `<${x.tag}> in <joint> is not supported`);
    }
    if (type === 'fixed') {
      // welded: assemble merges a jointless link into its parent
    } else if (type === 'revolute' || type === 'continuous') {
      const axisEl = child(j, 'axis');
      if (axisEl) only(axisEl, ['xyz']);
      const axis = (axisEl ? nums(axisEl, 'xyz', 3) : [1, 0, 0]) as Vec3;
      if (Math.hypot(...axis) === 0) throw elementError(axisEl ?? j, 'axis is zero');
      const lim = child(j, 'limit');
      if (lim) only(lim, ['lower', 'upper', 'effort', 'velocity']);
      if (lim?.attrs.velocity !== undefined) notes.ignore('velocity= on <limit>', lim, 'the sim does not cap joint speed');
      let range: [number, number];
      if (type === 'revolute') {
        if (!lim) throw elementError(j, 'a revolute joint needs <limit lower upper effort>');
        const lo = nums(lim, 'lower', 1, [0])[0], hi = nums(lim, 'upper', 1, [0])[0];
        if (!(lo < hi)) throw elementError(lim, `lower ${lo} must be < upper ${hi}`);
        range = [(lo * 180) / Math.PI, (hi * 180) / Math.PI];
      } else {
        range = [-360, 360];
        notes.warn(`continuous joints get the range ±360° (the spec has no unlimited joint): ${name}`);
      }
      const effort = lim?.attrs.effort !== undefined ? nums(lim, 'effort', 1)[0] : undefined;
      if (!(effort! > 0)) throw elementError(lim ?? j, `joint ${JSON.stringify(name)} needs <limit effort="…"> > 0: it is the torque of a full action`);
      const dyn = child(j, 'dynamics');
      if (dyn) only(dyn, ['damping', 'friction']);
      if (dyn && dyn.attrs.friction !== undefined && Number(dyn.attrs.friction) !== 0) throw elementError(dyn, 'joint friction is not supported (only 0): the sim has viscous damping only');
      link.joint = {
        name,
        axis,
        pos: [0, 0, 0],
        range,
        gear: effort!,
        damping: dyn ? nums(dyn, 'damping', 1, [0])[0] : 0,
        armature: overrides.armature ?? 0,
        ...(overrides.actuator ? { actuator: overrides.actuator } : {}),
        el: j,
      };
    } else throw elementError(j, `joint type ${JSON.stringify(type ?? '')} is not supported (revolute, continuous, fixed)`);
  }
  for (const j of jointsEls) {
    const p = links.get(child(j, 'parent')!.attrs.link!)!;
    p.children.push(links.get(child(j, 'child')!.attrs.link!)!);
  }
  const roots = [...links.keys()].filter((n) => !parentOf.has(n));
  if (roots.length !== 1) throw new SpecError('(robot)', roots.length ? `${roots.length} root links (${roots.join(', ')}): a URDF robot is one tree` : 'no root link: the joints form a cycle', file);
  let root = links.get(roots[0])!;
  if (roots[0] === 'world' && root.geoms.length === 0 && !root.mass && root.children.length === 1 && !root.children[0].joint) {
    notes.warn('the link "world" and its fixed joint are dropped: the robot floats');
    root = root.children[0];
  }
  // the root's pose in the world is the spawn pose: upright at the origin, lifted by assemble
  root.pos = [0, 0, 0];
  root.rot = IDENTITY;
  const spec = assemble(root, {
    name: overrides.name ?? doc.attrs.name ?? basename(file).replace(/\.urdf$/i, ''),
    description: `imported from ${basename(file)} (URDF)`,
    density: 1000,
    friction: 1,
    feet: overrides.feet,
    legs: overrides.legs,
    healthyZ: overrides.healthyZ,
    home: overrides.home,
    clampRestToRange: true,
    warn: (m) => notes.warn(m),
    where: file,
  });
  return { spec, warnings: notes.list(), options: {} };
}

function readLink(el: XmlElement, notes: ImportNotes): IrLink {
  const link: IrLink = { name: el.attrs.name, pos: [0, 0, 0], rot: IDENTITY, geoms: [], children: [], el };
  let k = 0;
  for (const c of el.children) {
    if (c.tag === 'inertial') {
      for (const x of c.children) if (!['origin', 'mass', 'inertia'].includes(x.tag)) throw elementError(x, `<${x.tag}> in <inertial> is not supported`);
      const m = child(c, 'mass');
      if (!m) throw elementError(c, '<inertial> needs <mass value="…">');
      only(m, ['value']);
      link.mass = nums(m, 'value', 1)[0];
      if (!(link.mass >= 0)) throw elementError(m, 'mass must be ≥ 0');
    } else if (c.tag === 'visual') notes.ignore('<visual>', c, 'visual only: the sim and viewer use the collision shapes');
    else if (c.tag === 'collision') {
      only(c, ['name', 'group']);
      const o = origin(child(c, 'origin'));
      const geomEl = child(c, 'geometry');
      if (!geomEl || geomEl.children.length !== 1) throw elementError(c, '<collision> needs <geometry> with one shape');
      const s = geomEl.children[0];
      const g: IrGeom = { kind: 'sphere', size: [], pos: o.pos, rot: o.rot, el: s, ...(c.attrs.name ? { name: c.attrs.name } : {}) };
      if (!g.name) g.name = `${link.name}_collision${k++ ? `_${k}` : ''}`;
      if (s.tag === 'box') {
        only(s, ['size']);
        g.kind = 'box';
        g.size = nums(s, 'size', 3).map((x) => x / 2);
      } else if (s.tag === 'sphere') {
        only(s, ['radius']);
        g.size = nums(s, 'radius', 1);
      } else if (s.tag === 'cylinder') {
        only(s, ['radius', 'length']);
        g.kind = 'cylinder';
        g.size = [nums(s, 'radius', 1)[0], nums(s, 'length', 1)[0] / 2];
      } else if (s.tag === 'mesh') {
        throw elementError(s, `mesh collision geometry (${s.attrs.filename ?? 'no filename'}) is not supported: the spec has no convex hull shape; replace it by boxes, cylinders and spheres (keep the mesh as <visual>)`);
      } else if (s.tag === 'capsule') {
        only(s, ['radius', 'length']);
        g.kind = 'capsule';
        g.size = [nums(s, 'radius', 1)[0], nums(s, 'length', 1)[0] / 2];
      } else throw elementError(s, `<${s.tag}> geometry is not supported (box, cylinder, sphere)`);
      if (g.size.some((x) => !(x > 0))) throw elementError(s, 'sizes must be > 0');
      link.geoms.push(g);
    } else throw elementError(c, `<${c.tag}> in <link> is not supported (inertial, collision; ignored: visual)`);
  }
  return link;
}
