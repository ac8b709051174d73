/**
 * MuJoCo MJCF → `MorphologySpec`.
 *
 * Read: `<include file>` (spliced in, relative to the including file); `<compiler angle
 * eulerseq coordinate="local" inertiafromgeom autolimits>`; `<option timestep gravity>`
 * (returned, the sim keeps its own); `<default>` classes (nested, with `class` and a body's
 * `childclass`); the one robot body tree in `<worldbody>` with body `pos` and `quat` / `euler` /
 * `axisangle` / `xyaxes` / `zaxis`; geoms sphere, capsule, box, cylinder by `size` + `pos` +
 * orientation or `fromto`, with `density`, `mass`, `friction` (sliding); mesh geoms of
 * `<asset><mesh file scale>` (STL or OBJ, under `<compiler meshdir>` or `assetdir`) or of
 * `<mesh vertex="…">` (what `export-mjcf` writes), collided by their convex hull as MuJoCo does;
 * `contype`/`conaffinity` both 0: a visual geom, kept as a body visual for the viewer (mesh,
 * sphere, box, capsule, cylinder) and not counted in the mass; hinge joints (`pos`, `axis`, `range`, `limited`, `damping`,
 * `armature`); a free root joint; bodies without joints welded to their parent; `<inertial
 * mass>`; `<motor joint gear ctrlrange ctrllimited forcerange>` (torque, gear × the control
 * bound) and `<position joint kp kv forcerange>` (the spec's position actuator); our own
 * exporter's `<custom><text name="spikeloco.spec">` (feet, legs, healthyZ, description, locked
 * joints: what MJCF cannot say).
 *
 * Warned and ignored: purely visual or bookkeeping elements (`site`, `camera`, `light`,
 * `<asset>` textures and materials, visual meshes given by vertices, `<visual>`, `<statistic>`, `<size>`, `<keyframe>`,
 * `<sensor>`, contact `exclude`s, world geoms such as the floor) and contact or solver
 * parameters (`margin`, `solref`, `integrator`, …), which Rapier does not share.
 * Refused with a `SpecError` naming the file, line and element path: everything else, e.g.
 * slide and ball joints, tendons, equality constraints, ellipsoid, plane, hfield collision
 * geoms, unreadable or flat meshes,
 * a second hinge in one body, an unactuated hinge, a non-axis-aligned box.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ActuatorSpec, MorphologySpec, Vec3 } from '../spec.js';
import { SpecError } from '../spec-error.js';
import { assemble, type IrGeom, type IrJoint, type IrLink, type IrVisual } from './assemble.js';
import { hullPoints, IMPORT_HULL_POINTS, meshFormat, meshHullPoints, readMeshFile, type MeshData } from './mesh-file.js';
import type { VisualSpec } from '../spec.js';
import { fromAxisAngle, fromEuler, fromQuat, fromXyAxes, fromZAxis, IDENTITY, type Mat3 } from './frame.js';
import { ImportNotes } from './notes.js';
import { elementError, parseXml, type XmlElement } from './xml.js';

/** What a user can add beside a model file (the sidecar `<file>.spikeloco.json`, or a config). */
export interface ImportOverrides {
  /** link/body or geom names of the feet, in observation order */
  feet?: string[];
  legs?: Record<string, string[]>;
  healthyZ?: [number, number];
  /** URDF: how every joint is driven (default torque, gear = effort) */
  actuator?: ActuatorSpec;
  /** URDF: rotor inertia at every joint, kg·m² (URDF has no field for it; default 0) */
  armature?: number;
  /**
   * home angles by joint name, radians, in the model's own angle convention (a URDF joint's
   * angle before the importer clamps the rest pose into the limits): the robot spawns in this
   * pose and a position actuator's a = 0 holds it (the spec's `home`, in degrees)
   */
  home?: Record<string, number>;
  name?: string;
}

export interface ImportResult {
  spec: MorphologySpec;
  warnings: string[];
  /** `<option>` values, for a caller that wants to match the model's physics */
  options: { timestep?: number; gravity?: Vec3 };
}

/** Our exporter's metadata: the spec fields MJCF has no element for. */
export interface SpecMetadata {
  description?: string;
  feet?: string[];
  legs?: Record<string, string[]>;
  healthyZ?: [number, number];
  /** locked joints and their true ranges (the export pins a locked joint's range) */
  locked?: Record<string, [number, number]>;
  /** home angles by joint, degrees (MJCF's own start is qpos 0, the rest pose) */
  home?: Record<string, number>;
}
export const METADATA_NAME = 'spikeloco.spec';

const VISUAL = 'purely visual';

export function importMJCF(file: string, overrides: ImportOverrides = {}): ImportResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError('(file)', `cannot read: ${(e as Error).message}`, file, { cause: e });
  }
  return importMJCFText(text, file, overrides);
}

export function importMJCFText(text: string, file: string, overrides: ImportOverrides = {}): ImportResult {
  const notes = new ImportNotes();
  const doc = parseXml(text, file);
  if (doc.tag !== 'mujoco') throw elementError(doc, `expected <mujoco> as the document element, found <${doc.tag}>`);
  expandIncludes(doc, [resolve(file)]);
  return new MjcfReader(doc, file, notes, overrides).read();
}

function expandIncludes(el: XmlElement, chain: string[]): void {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.tag !== 'include') {
      expandIncludes(c, chain);
      out.push(c);
      continue;
    }
    checkAttrs(c, ['file'], []);
    if (!c.attrs.file) throw elementError(c, '<include> needs file="…"');
    const path = resolve(dirname(c.file), c.attrs.file);
    if (chain.includes(path)) throw elementError(c, `include cycle: ${[...chain, path].join(' → ')}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw elementError(c, `cannot read included file ${path}: ${(e as Error).message}`);
    }
    const inc = parseXml(text, path);
    if (inc.tag !== 'mujoco') throw elementError(inc, `an included file's document element must be <mujoco>, found <${inc.tag}>`);
    expandIncludes(inc, [...chain, path]);
    out.push(...inc.children);
  }
  el.children = out;
}

/** Refuse attributes outside `known`; `ignored` ones are accepted without effect. */
function checkAttrs(el: XmlElement, known: string[], ignored: string[], notes?: ImportNotes): void {
  for (const a of Object.keys(el.attrs)) {
    if (known.includes(a)) continue;
    if (ignored.includes(a)) {
      notes?.ignore(`${a}= on <${el.tag}>`, el, 'not modelled by the sim (Rapier has its own contact and solver parameters)');
      continue;
    }
    throw elementError(el, `attribute ${a}="${el.attrs[a]}" of <${el.tag}> is not supported (supported: ${[...known, ...ignored].join(', ')})`);
  }
}

function numbers(el: XmlElement, attr: string, value: string, count?: number): number[] {
  const v = value.trim().split(/\s+/).map(Number);
  if (value.trim() === '' || v.some((x) => !Number.isFinite(x)) || (count !== undefined && v.length !== count)) {
    throw elementError(el, `${attr}="${value}": expected ${count ?? 'some'} number${count === 1 ? '' : 's'}`);
  }
  return v;
}
const vec3 = (el: XmlElement, attr: string, value: string): Vec3 => numbers(el, attr, value, 3) as Vec3;

function bool(el: XmlElement, attr: string, value: string | undefined): boolean | 'auto' | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'auto') return 'auto';
  throw elementError(el, `${attr}="${value}": expected true, false or auto`);
}

type Attrs = Record<string, string>;
type Defaults = Map<string, Map<string, Attrs>>;

const GEOM_ATTRS = ['name', 'class', 'type', 'size', 'fromto', 'pos', 'quat', 'euler', 'axisangle', 'xyaxes', 'zaxis', 'density', 'mass', 'friction', 'contype', 'conaffinity', 'condim', 'rgba', 'material', 'group', 'user', 'mesh'];
const GEOM_IGNORED = ['margin', 'gap', 'solref', 'solimp', 'solmix', 'priority', 'shellinertia', 'fluidshape', 'fluidcoef'];
const JOINT_ATTRS = ['name', 'class', 'type', 'pos', 'axis', 'range', 'limited', 'damping', 'armature', 'stiffness', 'springref', 'ref', 'frictionloss', 'group', 'user'];
const JOINT_IGNORED = ['margin', 'solreflimit', 'solimplimit', 'solreffriction', 'solimpfriction', 'actuatorfrclimited', 'actuatorfrcrange'];
const MOTOR_ATTRS = ['name', 'class', 'joint', 'gear', 'ctrlrange', 'ctrllimited', 'forcerange', 'forcelimited', 'group', 'user'];
const POSITION_ATTRS = [...MOTOR_ATTRS, 'kp', 'kv', 'inheritrange'];
const ORIENTATIONS = ['quat', 'euler', 'axisangle', 'xyaxes', 'zaxis'];
const MESH_ATTRS = ['name', 'class', 'file', 'scale', 'vertex', 'face', 'normal', 'texcoord', 'content_type', 'smoothnormal'];
const MESH_IGNORED = ['maxhullvert', 'inertia'];

/** An `<asset><mesh>`: its file (absolute) or inline vertices, and its scale. */
interface MeshAsset {
  el: XmlElement;
  path?: string;
  data: MeshData;
  /** inline `vertex` values as written (a Float32Array would round them) */
  exact?: number[];
  scale: Vec3;
  /** hull points after scaling, computed on first colliding use */
  hull?: Vec3[];
}

class MjcfReader {
  private angleScale = Math.PI / 180; // compiler angle="degree" is MuJoCo's default
  private eulerseq = 'xyz';
  private autolimits = true;
  /** compiler inertiafromgeom="true": MuJoCo then ignores <inertial> and takes mass from the geoms */
  private inertiaFromGeom = false;
  private readonly defaults: Defaults = new Map();
  private readonly options: ImportResult['options'] = {};
  private metadata: SpecMetadata | null = null;
  private readonly joints = new Map<string, IrJoint>();
  private jointCount = 0;
  private meshdir: string | undefined;
  private assetdir: string | undefined;
  private readonly meshes = new Map<string, MeshAsset>();

  constructor(
    private readonly doc: XmlElement,
    private readonly file: string,
    private readonly notes: ImportNotes,
    private readonly overrides: ImportOverrides,
  ) {}

  read(): ImportResult {
    const doc = this.doc;
    checkAttrs(doc, ['model'], []);
    const byTag = (t: string): XmlElement[] => doc.children.filter((c) => c.tag === t);
    for (const c of byTag('compiler')) this.compiler(c);
    for (const c of byTag('option')) this.option(c);
    for (const c of byTag('default')) this.readDefault(c, null);
    for (const c of byTag('asset')) this.assets(c);
    let root: IrLink | null = null;
    let actuators: XmlElement[] = [];
    for (const c of doc.children) {
      switch (c.tag) {
        case 'compiler':
        case 'option':
        case 'default':
          break;
        case 'custom':
          this.custom(c);
          break;
        case 'asset':
          break;
        case 'visual':
        case 'statistic':
          this.notes.ignore(`<${c.tag}>`, c, VISUAL);
          break;
        case 'size':
          this.notes.ignore('<size>', c, 'memory sizes of MuJoCo');
          break;
        case 'keyframe':
          this.notes.ignore('<keyframe>', c, 'the sim starts every episode in the home pose (the sidecar\'s home, else the rest pose)');
          break;
        case 'sensor':
          this.notes.ignore('<sensor>', c, 'the sim has its own observation');
          break;
        case 'contact':
          for (const x of c.children) {
            if (x.tag === 'exclude') this.notes.ignore('<contact><exclude>', x, 'the sim has no self-collision, so every pair is excluded already');
            else throw elementError(x, `<contact><${x.tag}> is not supported: the robot collides with the ground only`);
          }
          break;
        case 'worldbody':
          root = this.worldbody(c);
          break;
        case 'actuator':
          actuators = c.children;
          break;
        default:
          throw elementError(c, `<${c.tag}> is not supported (supported: compiler, option, default, custom, asset, worldbody, actuator, include; ignored: visual, statistic, size, keyframe, sensor, contact excludes)`);
      }
    }
    if (!root) throw elementError(doc, 'no robot: <worldbody> has no <body>');
    const order = this.actuators(actuators);
    for (const [name, j] of this.joints) if (!order.includes(name)) throw elementError(j.el, `hinge ${JSON.stringify(name)} has no actuator: the spec drives every joint, so add a <motor joint="${name}" …/>`);

    const main = this.defaults.get('main')?.get('geom') ?? {};
    const density = main.density !== undefined ? numbers(doc, 'density', main.density, 1)[0] : 1000;
    const friction = main.friction !== undefined ? numbers(doc, 'friction', main.friction)[0] : 1;
    const meta = this.metadata;
    const spec = assemble(root, {
      name: this.overrides.name ?? doc.attrs.model ?? basename(this.file).replace(/\.xml$/i, ''),
      description: meta ? meta.description : `imported from ${basename(this.file)} (MJCF)`,
      density,
      friction,
      actionOrder: order,
      feet: this.overrides.feet ?? meta?.feet,
      legs: this.overrides.legs ?? meta?.legs,
      healthyZ: this.overrides.healthyZ ?? meta?.healthyZ,
      home: this.overrides.home ?? (meta?.home ? Object.fromEntries(Object.entries(meta.home).map(([k, d]) => [k, (d * Math.PI) / 180])) : undefined),
      warn: (m) => this.notes.warn(m),
      where: this.file,
    });
    if (meta?.locked) {
      for (const b of spec.bodies) {
        const r = b.joint && meta.locked[b.joint.name];
        if (r) {
          b.joint!.locked = true;
          b.joint!.range = r;
        }
      }
    }
    return { spec, warnings: this.notes.list(), options: this.options };
  }

  private compiler(el: XmlElement): void {
    checkAttrs(el, ['angle', 'eulerseq', 'coordinate', 'inertiafromgeom', 'autolimits', 'meshdir', 'texturedir', 'assetdir', 'strippath', 'discardvisual'], []);
    const a = el.attrs;
    if (a.angle !== undefined) {
      if (a.angle !== 'degree' && a.angle !== 'radian') throw elementError(el, `angle="${a.angle}": expected degree or radian`);
      this.angleScale = a.angle === 'degree' ? Math.PI / 180 : 1;
    }
    if (a.eulerseq !== undefined) {
      if (!/^[xyzXYZ]{3}$/.test(a.eulerseq)) throw elementError(el, `eulerseq="${a.eulerseq}": expected three of x, y, z (lower case: moving axes, upper case: fixed axes)`);
      this.eulerseq = a.eulerseq;
    }
    if (a.coordinate !== undefined && a.coordinate !== 'local') throw elementError(el, `coordinate="${a.coordinate}" is not supported: only local coordinates (MuJoCo 2.3.3 removed global ones)`);
    if (a.inertiafromgeom === 'false') this.notes.warn('inertiafromgeom="false": the spec derives inertia from the geoms anyway');
    this.inertiaFromGeom = a.inertiafromgeom === 'true';
    if (a.autolimits !== undefined) this.autolimits = bool(el, 'autolimits', a.autolimits) !== false;
    if (a.meshdir !== undefined) this.meshdir = a.meshdir;
    if (a.assetdir !== undefined) this.assetdir = a.assetdir;
  }

  /** `<asset>`: meshes are read (files relative to meshdir, else assetdir, else the model's folder); the rest is visual. */
  private assets(el: XmlElement): void {
    for (const a of el.children) {
      if (a.tag !== 'mesh') {
        if (['texture', 'material', 'skin', 'hfield'].includes(a.tag)) this.notes.ignore(`<asset><${a.tag}>`, a, a.tag === 'hfield' ? 'used only by world geoms here' : VISUAL);
        else throw elementError(a, `<${a.tag}> in <asset> is not supported`);
        continue;
      }
      const m = this.resolved(a, undefined);
      checkAttrs({ ...a, attrs: m }, MESH_ATTRS, MESH_IGNORED, this.notes);
      const scale = m.scale !== undefined ? vec3(a, 'scale', m.scale) : ([1, 1, 1] as Vec3);
      if (scale.some((x) => !(x > 0))) throw elementError(a, `scale="${m.scale}": expected three numbers > 0 (mirrored meshes are not supported)`);
      let asset: MeshAsset;
      if (m.file !== undefined) {
        if (m.vertex !== undefined) throw elementError(a, 'give file or vertex, not both');
        const path = resolve(dirname(this.file), this.meshdir ?? this.assetdir ?? '', m.file);
        if (!meshFormat(path)) throw elementError(a, `mesh file ${JSON.stringify(m.file)}: only .stl and .obj are supported (convert .msh and others)`);
        let data: MeshData;
        try {
          data = readMeshFile(path);
        } catch (e) {
          if (e instanceof SpecError) throw elementError(a, `mesh ${JSON.stringify(m.file)}: ${e.message}`);
          throw e;
        }
        asset = { el: a, path, data, scale };
      } else if (m.vertex !== undefined) {
        const v = numbers(a, 'vertex', m.vertex);
        if (v.length % 3 !== 0) throw elementError(a, `vertex has ${v.length} numbers, not a multiple of 3`);
        asset = { el: a, data: { vertices: Float32Array.from(v), triangles: new Uint32Array(0) }, exact: v, scale };
      } else throw elementError(a, '<mesh> needs file="…" or vertex="…"');
      const name = m.name ?? (m.file !== undefined ? basename(m.file).replace(/\.[^.]*$/, '') : undefined);
      if (name === undefined) throw elementError(a, 'a <mesh> given by vertex needs a name');
      if (this.meshes.has(name)) throw elementError(a, `duplicate mesh name ${JSON.stringify(name)}`);
      this.meshes.set(name, asset);
    }
  }

  private meshOf(el: XmlElement, a: Attrs): MeshAsset {
    if (a.mesh === undefined) throw elementError(el, 'a mesh geom needs mesh="…"');
    const m = this.meshes.get(a.mesh);
    if (!m) throw elementError(el, `unknown mesh ${JSON.stringify(a.mesh)} (meshes: ${[...this.meshes.keys()].join(', ') || 'none'})`);
    return m;
  }

  private hullOf(m: MeshAsset): Vec3[] {
    if (m.hull) return m.hull;
    const exact = m.exact;
    const where = m.path ?? `${m.el.file}:${m.el.line} ${m.el.path}`;
    let hull: { points: Vec3[]; reduced: boolean };
    if (exact) {
      const pts: Vec3[] = [];
      for (let i = 0; i < exact.length; i += 3) pts.push([exact[i] * m.scale[0], exact[i + 1] * m.scale[1], exact[i + 2] * m.scale[2]]);
      hull = hullPoints(pts, where);
    } else hull = meshHullPoints(m.data, m.scale, where);
    if (hull.reduced) this.notes.warn(`collision meshes with large hulls are reduced to at most ${IMPORT_HULL_POINTS} hull points (first: ${where})`);
    return (m.hull = hull.points);
  }

  private option(el: XmlElement): void {
    checkAttrs(el, ['timestep', 'gravity', 'magnetic'], ['integrator', 'iterations', 'ls_iterations', 'solver', 'tolerance', 'cone', 'impratio', 'jacobian', 'noslip_iterations', 'noslip_tolerance', 'o_margin', 'o_solref', 'o_solimp'], this.notes);
    if (el.attrs.timestep !== undefined) this.options.timestep = numbers(el, 'timestep', el.attrs.timestep, 1)[0];
    if (el.attrs.gravity !== undefined) {
      const g = vec3(el, 'gravity', el.attrs.gravity);
      this.options.gravity = g;
      if (g[0] !== 0 || g[1] !== 0 || Math.abs(g[2] + 9.81) > 1e-9) this.notes.warn(`gravity ${g.join(' ')} differs from the sim's (0 0 −9.81): scale it with the gravity(scale=…) condition`);
    }
    for (const c of el.children) {
      if (c.tag === 'flag') this.notes.ignore('<option><flag>', c, 'solver flags are MuJoCo\'s');
      else throw elementError(c, `<${c.tag}> in <option> is not supported`);
    }
  }

  private custom(el: XmlElement): void {
    for (const c of el.children) {
      if (c.tag === 'text' && c.attrs.name === METADATA_NAME) {
        try {
          this.metadata = JSON.parse(c.attrs.data ?? '') as SpecMetadata;
        } catch (e) {
          throw elementError(c, `data is not valid JSON: ${(e as Error).message}`);
        }
      } else this.notes.ignore(`<custom><${c.tag}>`, c, 'custom data has no meaning to the sim');
    }
  }

  private readDefault(el: XmlElement, parent: Map<string, Attrs> | null): void {
    checkAttrs(el, ['class'], []);
    const name = el.attrs.class ?? (parent === null ? 'main' : undefined);
    if (name === undefined) throw elementError(el, 'a nested <default> needs class="…"');
    if (this.defaults.has(name)) throw elementError(el, `default class ${JSON.stringify(name)} is defined twice`);
    const own = new Map<string, Attrs>();
    for (const [tag, attrs] of parent ?? []) own.set(tag, { ...attrs });
    this.defaults.set(name, own);
    for (const c of el.children) {
      if (c.tag === 'default') continue;
      if (['joint', 'geom', 'motor', 'position', 'mesh'].includes(c.tag)) own.set(c.tag, { ...(own.get(c.tag) ?? {}), ...c.attrs });
      else if (['site', 'camera', 'light', 'material', 'tendon', 'general'].includes(c.tag)) this.notes.ignore(`<default><${c.tag}>`, c, c.tag === 'general' || c.tag === 'tendon' ? 'not used by supported elements' : VISUAL);
      else throw elementError(c, `<${c.tag}> in <default> is not supported`);
    }
    for (const c of el.children) if (c.tag === 'default') this.readDefault(c, own);
  }

  /** An element's attributes over its class defaults (class: its own, else the enclosing childclass, else main). */
  private resolved(el: XmlElement, childclass: string | undefined): Attrs {
    const cls = el.attrs.class ?? childclass ?? 'main';
    const d = this.defaults.get(cls);
    if (!d && cls !== 'main') throw elementError(el, `unknown default class ${JSON.stringify(cls)} (classes: ${[...this.defaults.keys()].join(', ') || 'none'})`);
    return { ...(d?.get(el.tag) ?? {}), ...el.attrs };
  }

  private orientation(el: XmlElement, a: Attrs): Mat3 {
    const given = ORIENTATIONS.filter((k) => a[k] !== undefined);
    if (given.length > 1) throw elementError(el, `give one orientation, not ${given.join(' and ')}`);
    if (a.quat !== undefined) {
      const q = numbers(el, 'quat', a.quat, 4);
      if (Math.hypot(...q) === 0) throw elementError(el, 'quat is zero');
      return fromQuat(q[0], q[1], q[2], q[3]);
    }
    if (a.axisangle !== undefined) {
      const v = numbers(el, 'axisangle', a.axisangle, 4);
      return fromAxisAngle([v[0], v[1], v[2]], v[3] * this.angleScale);
    }
    if (a.euler !== undefined) return fromEuler(vec3(el, 'euler', a.euler).map((x) => x * this.angleScale) as Vec3, this.eulerseq);
    if (a.xyaxes !== undefined) {
      const v = numbers(el, 'xyaxes', a.xyaxes, 6);
      return fromXyAxes([v[0], v[1], v[2]], [v[3], v[4], v[5]]);
    }
    if (a.zaxis !== undefined) return fromZAxis(vec3(el, 'zaxis', a.zaxis));
    return IDENTITY;
  }

  private worldbody(el: XmlElement): IrLink {
    let root: IrLink | null = null;
    for (const c of el.children) {
      if (c.tag === 'body') {
        if (root) throw elementError(c, 'a second top-level body: a file holds one robot (one body tree under <worldbody>)');
        root = this.body(c, undefined, true);
      } else if (c.tag === 'geom') this.notes.ignore('world <geom>', c, 'the sim brings its own ground (terrain conditions)');
      else if (['light', 'camera', 'site'].includes(c.tag)) this.notes.ignore(`<${c.tag}>`, c, VISUAL);
      else throw elementError(c, `<${c.tag}> in <worldbody> is not supported`);
    }
    if (!root) throw elementError(el, 'no robot: <worldbody> has no <body>');
    return root;
  }

  private body(el: XmlElement, childclass: string | undefined, isRoot: boolean): IrLink {
    checkAttrs(el, ['name', 'pos', 'childclass', 'user', 'gravcomp', 'mocap', ...ORIENTATIONS], []);
    if (el.attrs.mocap === 'true') throw elementError(el, 'mocap bodies are not supported');
    if (el.attrs.gravcomp !== undefined && Number(el.attrs.gravcomp) !== 0) throw elementError(el, 'gravcomp is not supported');
    const cls = el.attrs.childclass ?? childclass;
    if (el.attrs.childclass !== undefined && !this.defaults.has(el.attrs.childclass)) throw elementError(el, `unknown childclass ${JSON.stringify(el.attrs.childclass)}`);
    const link: IrLink = {
      name: el.attrs.name,
      pos: el.attrs.pos !== undefined ? vec3(el, 'pos', el.attrs.pos) : [0, 0, 0],
      rot: this.orientation(el, el.attrs),
      geoms: [],
      children: [],
      el,
    };
    let free = false;
    for (const c of el.children) {
      switch (c.tag) {
        case 'freejoint':
          checkAttrs(c, ['name', 'group'], []);
          if (!isRoot) throw elementError(c, 'a free joint is allowed on the root body only');
          free = true;
          break;
        case 'joint': {
          const a = this.resolved(c, cls);
          const type = a.type ?? 'hinge';
          if (type === 'free') {
            checkAttrs(c, JOINT_ATTRS, JOINT_IGNORED, this.notes);
            if (!isRoot) throw elementError(c, 'a free joint is allowed on the root body only');
            free = true;
          } else if (type === 'hinge') {
            if (isRoot) throw elementError(c, 'the root body is free-floating: a hinge between it and the world is not supported');
            if (link.joint) throw elementError(c, `a second joint in body ${JSON.stringify(link.name ?? '')}: the spec has one hinge per body (split it into nested bodies)`);
            link.joint = this.hinge(c, a);
          } else throw elementError(c, `joint type "${type}" is not supported (hinge, or free on the root)`);
          break;
        }
        case 'geom': {
          const g = this.geom(c, cls);
          if (g && 'kind' in g) link.geoms.push(g);
          else if (g) (link.visuals ??= []).push(g);
          break;
        }
        case 'inertial':
          checkAttrs(c, ['pos', 'mass', 'diaginertia', 'fullinertia', 'quat', 'euler', 'axisangle', 'xyaxes', 'zaxis'], []);
          if (c.attrs.mass === undefined) throw elementError(c, '<inertial> needs mass');
          if (this.inertiaFromGeom) this.notes.ignore('<inertial>', c, 'inertiafromgeom="true": mass and inertia come from the geoms, as in MuJoCo');
          else link.mass = numbers(c, 'mass', c.attrs.mass, 1)[0];
          break;
        case 'body':
          link.children.push(this.body(c, cls, false));
          break;
        case 'site':
        case 'camera':
        case 'light':
          this.notes.ignore(`<${c.tag}>`, c, VISUAL);
          break;
        default:
          throw elementError(c, `<${c.tag}> in <body> is not supported (supported: joint, freejoint, geom, inertial, body; ignored: site, camera, light)`);
      }
    }
    if (isRoot && !free) this.notes.warn(`the root body ${JSON.stringify(link.name ?? '')} has no free joint: MuJoCo would fix it to the world; the sim lets it float`);
    return link;
  }

  private hinge(el: XmlElement, a: Attrs): IrJoint {
    checkAttrs(el, JOINT_ATTRS, JOINT_IGNORED, this.notes);
    for (const k of ['stiffness', 'ref', 'frictionloss']) {
      if (a[k] !== undefined && Number(a[k]) !== 0) throw elementError(el, `${k}="${a[k]}" is not supported (only 0): the sim's joints have no spring, reference offset or dry friction`);
    }
    const name = a.name ?? `joint_${++this.jointCount}`;
    if (this.joints.has(name)) throw elementError(el, `duplicate joint name ${JSON.stringify(name)}`);
    const limited = bool(el, 'limited', a.limited) ?? (this.autolimits ? 'auto' : false);
    let range: [number, number];
    const isLimited = limited === 'auto' ? a.range !== undefined : limited;
    if (isLimited) {
      if (a.range === undefined) throw elementError(el, 'limited="true" needs range');
      const r = numbers(el, 'range', a.range, 2);
      const toDeg = (this.angleScale * 180) / Math.PI;
      range = [r[0] * toDeg, r[1] * toDeg];
      if (!(range[0] < range[1])) throw elementError(el, `range="${a.range}": lower must be < upper`);
    } else {
      range = [-360, 360];
      this.notes.warn(`unlimited hinges get the range ±360° (the spec has no unlimited joint): ${name}`);
    }
    const axis = a.axis !== undefined ? vec3(el, 'axis', a.axis) : ([0, 0, 1] as Vec3);
    if (Math.hypot(...axis) === 0) throw elementError(el, 'axis is zero');
    const j: IrJoint = {
      name,
      axis,
      pos: a.pos !== undefined ? vec3(el, 'pos', a.pos) : [0, 0, 0],
      range,
      gear: 1,
      damping: a.damping !== undefined ? numbers(el, 'damping', a.damping, 1)[0] : 0,
      armature: a.armature !== undefined ? numbers(el, 'armature', a.armature, 1)[0] : 0,
      el,
    };
    this.joints.set(name, j);
    return j;
  }

  /** A collision geom, a visual (contype = conaffinity = 0), or null for a visual the viewer cannot draw. */
  private geom(el: XmlElement, cls: string | undefined): IrGeom | IrVisual | null {
    const a = this.resolved(el, cls);
    checkAttrs({ ...el, attrs: a }, GEOM_ATTRS, GEOM_IGNORED, this.notes);
    const type = a.type ?? 'sphere';
    const contype = a.contype !== undefined ? Number(a.contype) : 1;
    const conaffinity = a.conaffinity !== undefined ? Number(a.conaffinity) : 1;
    if (contype === 0 && conaffinity === 0) return this.visualGeom(el, a, type);
    if (type === 'ellipsoid' || type === 'plane' || type === 'hfield' || type === 'sdf') {
      throw elementError(el, `a colliding ${type} geom is not supported (supported: sphere, capsule, box, cylinder, mesh); make it visual with contype="0" conaffinity="0" and add primitive collision geoms`);
    }
    if (type === 'mesh') {
      if (a.fromto !== undefined) throw elementError(el, 'fromto does not place a mesh geom: use pos and an orientation');
      const m = this.meshOf(el, a);
      const g: IrGeom = { name: a.name, kind: 'convex', size: [], points: this.hullOf(m), pos: a.pos !== undefined ? vec3(el, 'pos', a.pos) : [0, 0, 0], rot: this.orientation(el, a), el };
      if (a.mass !== undefined) g.mass = numbers(el, 'mass', a.mass, 1)[0];
      else if (a.density !== undefined) g.density = numbers(el, 'density', a.density, 1)[0];
      if (a.friction !== undefined) g.friction = numbers(el, 'friction', a.friction)[0];
      if (g.density === undefined) g.density = 1000;
      this.notes.warn('mesh geoms collide by their convex hulls (as in MuJoCo): concave parts are filled');
      return g;
    }
    if (!['sphere', 'capsule', 'box', 'cylinder'].includes(type)) throw elementError(el, `unknown geom type "${type}"`);
    if (a.condim !== undefined && a.condim !== '3') this.notes.ignore(`condim="${a.condim}"`, el, 'contacts are frictional (condim 3) in the sim');
    const size = a.size !== undefined ? numbers(el, 'size', a.size) : [];
    const need = type === 'sphere' ? 1 : type === 'box' ? 3 : a.fromto !== undefined ? 1 : 2;
    if (size.length < need || size.slice(0, need).some((s) => !(s > 0))) throw elementError(el, `a ${type} needs ${need} size value${need > 1 ? 's' : ''} > 0${type === 'capsule' || type === 'cylinder' ? ' (radius, half-length; or radius with fromto)' : ''}`);
    const g: IrGeom = { name: a.name, kind: type as IrGeom['kind'], size: size.slice(0, type === 'box' ? 3 : 2), pos: [0, 0, 0], rot: IDENTITY, el };
    if (a.fromto !== undefined) {
      if (type !== 'capsule' && type !== 'cylinder') throw elementError(el, `fromto places capsules and cylinders, not a ${type}`);
      const v = numbers(el, 'fromto', a.fromto, 6);
      g.fromto = [[v[0], v[1], v[2]], [v[3], v[4], v[5]]];
      if (Math.hypot(v[3] - v[0], v[4] - v[1], v[5] - v[2]) === 0) throw elementError(el, 'fromto has zero length');
    } else {
      g.pos = a.pos !== undefined ? vec3(el, 'pos', a.pos) : [0, 0, 0];
      g.rot = this.orientation(el, a);
    }
    if (a.mass !== undefined) g.mass = numbers(el, 'mass', a.mass, 1)[0];
    else if (a.density !== undefined) g.density = numbers(el, 'density', a.density, 1)[0];
    if (a.friction !== undefined) g.friction = numbers(el, 'friction', a.friction)[0];
    if (g.density === undefined) g.density = 1000;
    return g;
  }

  /** A visual geom as a body visual, placed like a collision geom; its rgba only when the geom or its own class sets one. */
  private visualGeom(el: XmlElement, a: Attrs, type: string): IrVisual | null {
    let v: VisualSpec;
    let pos: Vec3 = a.pos !== undefined ? vec3(el, 'pos', a.pos) : [0, 0, 0];
    let rot = this.orientation(el, a);
    const size = a.size !== undefined ? numbers(el, 'size', a.size) : [];
    const need = (k: number): void => {
      if (size.length < k || size.slice(0, k).some((x) => !(x > 0))) throw elementError(el, `a ${type} needs ${k} size value${k > 1 ? 's' : ''} > 0`);
    };
    if (type === 'mesh') {
      const m = this.meshOf(el, a);
      if (!m.path) {
        this.notes.ignore('visual mesh given by vertices', el, 'the viewer loads meshes from files');
        return null;
      }
      v = { shape: 'mesh', mesh: m.path };
      if (m.scale.some((x) => x !== 1)) v.scale = m.scale;
    } else if (type === 'sphere') {
      need(1);
      v = { shape: 'sphere', radius: size[0] };
    } else if (type === 'box') {
      need(3);
      v = { shape: 'box', halfExtents: [size[0], size[1], size[2]] };
    } else if (type === 'capsule' || type === 'cylinder') {
      if (a.fromto !== undefined) {
        need(1);
        const f = numbers(el, 'fromto', a.fromto, 6);
        const d: Vec3 = [f[3] - f[0], f[4] - f[1], f[5] - f[2]];
        const len = Math.hypot(...d);
        if (len === 0) throw elementError(el, 'fromto has zero length');
        pos = [(f[0] + f[3]) / 2, (f[1] + f[4]) / 2, (f[2] + f[5]) / 2];
        rot = fromZAxis(d);
        v = { shape: type, radius: size[0], length: len };
      } else {
        need(2);
        v = { shape: type, radius: size[0], length: 2 * size[1] };
      }
    } else {
      this.notes.ignore(`visual ${type} <geom>`, el, 'the viewer draws mesh, sphere, box, capsule and cylinder visuals');
      return null;
    }
    const mainRgba = this.defaults.get('main')?.get('geom')?.rgba;
    const rgbaText = el.attrs.rgba ?? (a.rgba !== mainRgba ? a.rgba : undefined);
    if (rgbaText !== undefined) {
      const c = numbers(el, 'rgba', rgbaText, 4);
      if (c.some((x) => x < 0 || x > 1)) throw elementError(el, `rgba="${rgbaText}": expected four numbers in [0, 1]`);
      v.rgba = c as [number, number, number, number];
    }
    return { visual: v, pos, rot };
  }

  /** Read the actuators into their joints; returns the joint names in actuator (= action) order. */
  private actuators(list: XmlElement[]): string[] {
    const order: string[] = [];
    for (const el of list) {
      let a: Attrs;
      let tag = el.tag;
      if (el.tag === 'general') {
        a = this.resolved(el, undefined);
        checkAttrs({ ...el, attrs: a }, [...MOTOR_ATTRS, 'gaintype', 'biastype', 'gainprm', 'biasprm', 'dyntype'], [], this.notes);
        a = { ...a, ...pdOfGeneral(el, a) };
        tag = 'position';
      } else if (el.tag === 'motor' || el.tag === 'position') {
        a = this.resolved(el, undefined);
        checkAttrs({ ...el, attrs: a }, el.tag === 'motor' ? MOTOR_ATTRS : POSITION_ATTRS, [], this.notes);
      } else {
        throw elementError(el, `<${el.tag}> actuators are not supported (motor: torque; position, or general in the PD form: servo)`);
      }
      if (a.joint === undefined) throw elementError(el, 'only joint transmissions are supported: give joint="…"');
      const j = this.joints.get(a.joint);
      if (!j) throw elementError(el, `unknown hinge ${JSON.stringify(a.joint)} (hinges: ${[...this.joints.keys()].join(', ')})`);
      if (order.includes(a.joint)) throw elementError(el, `a second actuator on joint ${JSON.stringify(a.joint)}: the spec has one per joint`);
      const gear = a.gear !== undefined ? numbers(el, 'gear', a.gear)[0] : 1;
      if (!(gear > 0)) throw elementError(el, `gear="${a.gear}": expected a first value > 0`);
      const ctrlrange = a.ctrlrange !== undefined ? numbers(el, 'ctrlrange', a.ctrlrange, 2) : undefined;
      const forcerange = a.forcerange !== undefined ? numbers(el, 'forcerange', a.forcerange, 2) : undefined;
      const ctrlLimited = (bool(el, 'ctrllimited', a.ctrllimited) ?? (this.autolimits ? 'auto' : false)) === 'auto' ? ctrlrange !== undefined : bool(el, 'ctrllimited', a.ctrllimited) === true;
      const forceLimited = (bool(el, 'forcelimited', a.forcelimited) ?? (this.autolimits ? 'auto' : false)) === 'auto' ? forcerange !== undefined : bool(el, 'forcelimited', a.forcelimited) === true;
      const fmax = forceLimited ? symmetric(el, 'forcerange', forcerange) : Infinity;
      if (tag === 'motor') {
        const cmax = ctrlLimited ? symmetric(el, 'ctrlrange', ctrlrange) : Infinity;
        const tmax = Math.min(gear * cmax, fmax);
        if (!Number.isFinite(tmax)) throw elementError(el, 'an unbounded motor: give ctrlrange (and ctrllimited) or forcerange, so that the action [−1, 1] has a torque scale');
        j.gear = tmax;
      } else {
        const kp = a.kp !== undefined ? numbers(el, 'kp', a.kp, 1)[0] : 1;
        const kv = a.kv !== undefined ? numbers(el, 'kv', a.kv, 1)[0] : 0;
        if (!(kp > 0) || !(kv >= 0)) throw elementError(el, 'kp must be > 0 and kv ≥ 0');
        // with gear g MuJoCo's servo acts on g·q and applies g × its force: refuse rather than guess g²
        if (gear !== 1) throw elementError(el, `gear="${a.gear}" on a position actuator is not supported (only 1): fold it into kp and kv`);
        j.actuator = { kind: 'position', kp, kv };
        if (Number.isFinite(fmax)) j.gear = fmax;
        else {
          j.gear = kp * gear * ((j.range[1] - j.range[0]) * Math.PI) / 180;
          this.notes.warn(`position actuators without forcerange get the torque limit kp × (joint span): ${a.joint}`);
        }
        if (ctrlrange) this.notes.ignore('ctrlrange= on <position>', el, 'position targets span the joint range');
      }
      order.push(a.joint);
    }
    return order;
  }
}

/**
 * A `<general>` actuator that is a PD servo (what `<position>` expands to, and what our exporter
 * writes, since MuJoCo 2.x's `<position>` has no kv): gaintype fixed, biastype affine,
 * gainprm kp, biasprm 0 −kp −kv. Returns its kp and kv as attributes; anything else is refused.
 */
function pdOfGeneral(el: XmlElement, a: Attrs): Attrs {
  const gain = a.gainprm !== undefined ? numbers(el, 'gainprm', a.gainprm) : [1];
  const bias = a.biasprm !== undefined ? numbers(el, 'biasprm', a.biasprm) : [0, 0, 0];
  const kp = gain[0], kv = -(bias[2] ?? 0);
  const pd = (a.dyntype ?? 'none') === 'none' && a.gaintype === 'fixed' && a.biastype === 'affine' && gain.slice(1).every((x) => x === 0) && bias[0] === 0 && bias[1] === -kp && bias.slice(3).every((x) => x === 0);
  if (!pd) throw elementError(el, '<general> actuators are supported only in the PD form (gaintype="fixed" biastype="affine" gainprm="kp" biasprm="0 -kp -kv")');
  return { kp: String(kp), kv: String(kv) };
}

function symmetric(el: XmlElement, attr: string, r: number[] | undefined): number {
  if (!r) throw elementError(el, `${attr} is limited but not given`);
  if (!(r[1] > 0) || Math.abs(r[0] + r[1]) > 1e-9 * Math.abs(r[1])) {
    throw elementError(el, `${attr}="${r.join(' ')}": expected a symmetric range −c c with c > 0 (the spec's actions are symmetric in [−1, 1])`);
  }
  return r[1];
}
