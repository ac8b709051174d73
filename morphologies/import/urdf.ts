/**
 * ROS URDF → `MorphologySpec`.
 *
 * Read: `<link>`s with `<inertial>` (`origin`, `mass`; the inertia tensor is replaced by that of
 * the collision shapes, see `assemble.ts`) and `<collision>` geometry `box` (full sizes),
 * `cylinder` (radius, length along z), `sphere`, `mesh filename scale` (an STL or OBJ file,
 * collided by its convex hull), each at its `origin xyz rpy`; `<visual>` box, cylinder, sphere
 * and mesh with `material` colours (inline or named), kept as the body's visuals for the
 * viewer; mesh paths relative to the URDF, `file://` absolute, `package://pkg/…` found in a
 * folder `pkg` that is the URDF's folder, one of its ancestors, or a child of one of them; `revolute` and
 * `continuous` joints (`origin`, `axis`, `limit lower upper effort`, `dynamics damping`);
 * `fixed` joints, whose child is merged into its parent. The root link (no joint's child) is
 * free; a massless, shapeless root named `world` fixed to one link is dropped. Joint torque is
 * τ = effort · a; the rest pose clamps each angle into its limits (said once). Continuous joints
 * get ±360°.
 *
 * Warned and ignored: material textures, `<transmission>`, `<gazebo>`,
 * `<safety_controller>`, `<calibration>`, joint `velocity` limits. Refused with the file, line
 * and element path: prismatic, floating and planar joints, `<mimic>`, meshes that cannot be
 * found or read (or span no volume, for collision), a link with two parents, cycles, joint
 * friction.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Vec3, VisualSpec } from '../spec.js';
import { SpecError } from '../spec-error.js';
import { assemble, type IrGeom, type IrLink, type IrVisual } from './assemble.js';
import { IMPORT_HULL_POINTS, meshFormat, meshHullPoints, readMeshFile, type MeshData } from './mesh-file.js';
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
  const ctx: LinkContext = { file, notes, materials: new Map(), meshes: new Map() };
  for (const c of doc.children) if (c.tag === 'material' && c.attrs.name) ctx.materials.set(c.attrs.name, materialColor(c, ctx));
  for (const c of doc.children) {
    if (c.tag === 'link') {
      only(c, ['name', 'type']);
      if (!c.attrs.name) throw elementError(c, '<link> needs name');
      if (links.has(c.attrs.name)) throw elementError(c, `duplicate link ${JSON.stringify(c.attrs.name)}`);
      links.set(c.attrs.name, readLink(c, ctx));
    } else if (c.tag === 'joint') jointsEls.push(c);
    else if (c.tag === 'material') continue;
    else if (['transmission', 'gazebo'].includes(c.tag)) notes.ignore(`<${c.tag}>`, c, 'simulator and controller plumbing of ROS');
    else throw elementError(c, `<${c.tag}> is not supported (supported: link, joint, material; ignored: transmission, gazebo)`);
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

interface LinkContext {
  file: string;
  notes: ImportNotes;
  /** named top-level materials → rgba (undefined: no colour) */
  materials: Map<string, [number, number, number, number] | undefined>;
  /** mesh files read so far, by absolute path */
  meshes: Map<string, MeshData>;
}

/**
 * A mesh `filename` of a URDF: relative to the URDF's folder; `file://` absolute; `package://pkg/rest`
 * at `dir/rest` for an ancestor folder `dir` named `pkg` (the URDF's own folder included), or at
 * `dir/pkg/rest` for any ancestor `dir`. ROS's package path is not searched.
 */
export function resolveUrdfMesh(filename: string, urdfFile: string, el: XmlElement): string {
  const base = dirname(resolve(urdfFile));
  const pkg = /^package:\/\/([^/]+)\/(.+)$/.exec(filename);
  if (pkg) {
    const [, name, rest] = pkg;
    const tried: string[] = [];
    for (let dir = base; ; dir = dirname(dir)) {
      const candidates = basename(dir) === name ? [join(dir, rest), join(dir, name, rest)] : [join(dir, name, rest)];
      for (const c of candidates) {
        if (existsSync(c)) return c;
        tried.push(c);
      }
      if (dirname(dir) === dir) break;
    }
    throw elementError(el, `mesh ${JSON.stringify(filename)} not found: package "${name}" is looked for as the URDF's folder, an ancestor of it, or a folder "${name}" beside one of them (tried ${tried.slice(0, 3).join(', ')}${tried.length > 3 ? ', …' : ''}); ROS's package path is not searched: copy or link the package next to the URDF, or use a relative path`);
  }
  if (filename.startsWith('file://')) return filename.slice('file://'.length);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(filename)) throw elementError(el, `mesh ${JSON.stringify(filename)}: only relative paths, file:// and package:// are supported`);
  return isAbsolute(filename) ? filename : resolve(base, filename);
}

function readMesh(s: XmlElement, ctx: LinkContext): { path: string; mesh: MeshData; scale: Vec3 } {
  only(s, ['filename', 'scale']);
  if (!s.attrs.filename) throw elementError(s, '<mesh> needs filename="…"');
  const path = resolveUrdfMesh(s.attrs.filename, ctx.file, s);
  if (!meshFormat(path)) throw elementError(s, `mesh ${JSON.stringify(s.attrs.filename)}: only .stl and .obj files are supported (convert .dae and others)`);
  if (!existsSync(path)) throw elementError(s, `mesh file not found: ${path}`);
  let mesh = ctx.meshes.get(path);
  if (!mesh) ctx.meshes.set(path, (mesh = readMeshFile(path)));
  const scale = nums(s, 'scale', 3, [1, 1, 1]) as Vec3;
  if (scale.some((x) => !(x > 0))) throw elementError(s, `scale="${s.attrs.scale}": expected three numbers > 0 (mirrored meshes are not supported)`);
  return { path, mesh, scale };
}

function materialColor(m: XmlElement, ctx: LinkContext): [number, number, number, number] | undefined {
  only(m, ['name']);
  let rgba: [number, number, number, number] | undefined;
  for (const x of m.children) {
    if (x.tag === 'color') {
      only(x, ['rgba']);
      rgba = nums(x, 'rgba', 4) as [number, number, number, number];
      if (rgba.some((c) => c < 0 || c > 1)) throw elementError(x, `rgba="${x.attrs.rgba}": expected four numbers in [0, 1]`);
    } else if (x.tag === 'texture') ctx.notes.ignore('<material><texture>', x, 'the viewer draws plain colours');
    else throw elementError(x, `<${x.tag}> in <material> is not supported (color, texture)`);
  }
  return rgba;
}

function readVisual(c: XmlElement, ctx: LinkContext): IrVisual {
  only(c, ['name']);
  const o = origin(child(c, 'origin'));
  const geomEl = child(c, 'geometry');
  if (!geomEl || geomEl.children.length !== 1) throw elementError(c, '<visual> needs <geometry> with one shape');
  for (const x of c.children) if (!['origin', 'geometry', 'material'].includes(x.tag)) throw elementError(x, `<${x.tag}> in <visual> is not supported (origin, geometry, material)`);
  const s = geomEl.children[0];
  let v: VisualSpec;
  if (s.tag === 'mesh') {
    const m = readMesh(s, ctx);
    v = { shape: 'mesh', mesh: m.path };
    if (m.scale.some((x) => x !== 1)) v.scale = m.scale;
  } else if (s.tag === 'box') {
    only(s, ['size']);
    v = { shape: 'box', halfExtents: nums(s, 'size', 3).map((x) => x / 2) as Vec3 };
  } else if (s.tag === 'sphere') {
    only(s, ['radius']);
    v = { shape: 'sphere', radius: nums(s, 'radius', 1)[0] };
  } else if (s.tag === 'cylinder' || s.tag === 'capsule') {
    only(s, ['radius', 'length']);
    v = { shape: s.tag, radius: nums(s, 'radius', 1)[0], length: nums(s, 'length', 1)[0] };
  } else throw elementError(s, `<${s.tag}> visual geometry is not supported (box, cylinder, sphere, mesh)`);
  for (const k of ['radius', 'length'] as const) if (v[k] !== undefined && !(v[k] > 0)) throw elementError(s, `${k} must be > 0`);
  if (v.halfExtents?.some((x) => !(x > 0))) throw elementError(s, 'sizes must be > 0');
  const mat = child(c, 'material');
  if (mat) {
    const inline = mat.children.length ? materialColor(mat, ctx) : undefined;
    if (!mat.children.length && mat.attrs.name !== undefined && !ctx.materials.has(mat.attrs.name)) throw elementError(mat, `unknown material ${JSON.stringify(mat.attrs.name)} (materials: ${[...ctx.materials.keys()].join(', ') || 'none'})`);
    const rgba = inline ?? (mat.attrs.name !== undefined ? ctx.materials.get(mat.attrs.name) : undefined);
    if (rgba) v.rgba = rgba;
  }
  return { visual: v, pos: o.pos, rot: o.rot };
}

function readLink(el: XmlElement, ctx: LinkContext): IrLink {
  const notes = ctx.notes;
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
    } else if (c.tag === 'visual') (link.visuals ??= []).push(readVisual(c, ctx));
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
        const m = readMesh(s, ctx);
        const hull = meshHullPoints(m.mesh, m.scale, m.path);
        if (hull.reduced) notes.warn(`collision meshes with large hulls are reduced to at most ${IMPORT_HULL_POINTS} hull points (first: ${m.path})`);
        g.kind = 'convex';
        g.points = hull.points;
        g.size = [];
        notes.warn('collision meshes become their convex hulls (as in MuJoCo): concave parts are filled');
      } else if (s.tag === 'capsule') {
        only(s, ['radius', 'length']);
        g.kind = 'capsule';
        g.size = [nums(s, 'radius', 1)[0], nums(s, 'length', 1)[0] / 2];
      } else throw elementError(s, `<${s.tag}> geometry is not supported (box, cylinder, sphere)`);
      if (g.size.some((x) => !(x > 0))) throw elementError(s, 'sizes must be > 0');
      link.geoms.push(g);
    } else throw elementError(c, `<${c.tag}> in <link> is not supported (inertial, collision, visual)`);
  }
  return link;
}
