/**
 * MuJoCo MJCF export of a spec, for cross-checking our Rapier physics against MuJoCo 2.x
 * (Debian's `mujoco-compile`, `mujoco-testspeed`, `mujoco-simulate` load it as it is).
 *
 * Layout, following Gymnasium's ant.xml:
 * - `<compiler angle="degree" inertiafromgeom="true"/>`, `<option timestep="0.01" integrator="RK4"/>`.
 * - Defaults: joints limited; geoms `contype 1 conaffinity 0 condim 3`, the spec's density and
 *   friction (`μ 0.5 0.5`, torsional/rolling unused at condim 3), margin 0.01. The floor plane
 *   has conaffinity 1, so the robot collides with the floor only, as in the sim.
 * - The body tree nested by parent (children in spec order), each body at its `pos`; the root
 *   carries `<freejoint/>`; other bodies a `hinge` with axis, range (degrees), damping and
 *   armature written on each joint.
 * - Geoms: sphere `size="r"`, capsule `size="r" fromto="…"`, box `size="hx hy hz"` (half
 *   extents) with `pos`; a convex geom as `type="mesh"` of an `<asset><mesh vertex="…">` named
 *   after the geom (its points in the body frame; MuJoCo collides a mesh by its convex hull);
 *   `mass` or `density` when the geom sets one.
 * - Visuals: visual geoms (`contype="0" conaffinity="0" group="1"`, no mass) with `pos`,
 *   `quat` and `rgba`; a mesh visual through an `<asset><mesh file="…" scale="…">` of its path.
 * - `<actuator>`: one `<motor joint gear ctrlrange="-1 1" ctrllimited="true"/>` per joint in
 *   action order (`actuatedJoints`), named after its joint; a joint in position mode gets
 *   a PD `<general gaintype="fixed" biastype="affine" gainprm="kp" biasprm="0 −kp −kv">` with
 *   ctrlrange the joint range in radians and forcerange ±gear instead (MuJoCo 2.x's `<position>`
 *   has no kv).
 * - Locked joints: MuJoCo rejects a range with lower = upper, so a locked joint keeps its hinge
 *   with the range pinned to q0 ± `LOCK_HALF_WIDTH_DEG`, q0 = its home angle (default 0) clipped
 *   into its range (the angle the sim welds it at). Its motor stays, so the action layout is unchanged; the motor
 *   just pushes against the pinned limit.
 * - Names are XML-escaped; the floor takes the first of `floor`, `floor_1`, … no robot geom uses.
 * - `<custom><text name="spikeloco.spec" data="{json}"/>`: the spec fields MJCF has no element
 *   for (description, feet, legs, healthyZ, the true ranges of locked joints, home angles in
 *   degrees: MuJoCo itself starts at qpos 0, the rest pose), so that the
 *   importer (`import/mjcf.ts`) gives back the same spec. MuJoCo keeps custom text as data.
 */
import { actuatedJoints, type BodySpec, type GeomSpec, type JointSpec, type MorphologySpec, type Vec3, type VisualSpec } from './spec.js';

export const LOCK_HALF_WIDTH_DEG = 0.01;

/** Number as MJCF text: at most 10 significant digits, no `-0`, no exponent for usual sizes. */
function num(x: number): string {
  const v = Number(x.toPrecision(10));
  return Object.is(v, -0) ? '0' : String(v);
}

const vec = (v: readonly number[]): string => v.map(num).join(' ');

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function attrs(a: Record<string, string | undefined>): string {
  return Object.entries(a)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

/** The range MJCF gets for a joint: its own, or pinned around its weld angle when locked. */
export function mjcfRange(j: JointSpec): [number, number] {
  if (!j.locked) return j.range;
  const q0 = Math.min(j.range[1], Math.max(j.range[0], j.home ?? 0));
  return [q0 - LOCK_HALF_WIDTH_DEG, q0 + LOCK_HALF_WIDTH_DEG];
}

function geomXml(g: GeomSpec, meshName: string | undefined): string {
  const a: Record<string, string | undefined> = { name: g.name, type: g.shape };
  if (g.shape === 'convex') {
    a.type = 'mesh';
    a.mesh = meshName;
  } else if (g.shape === 'sphere') {
    a.size = num(g.radius!);
    if (g.pos) a.pos = vec(g.pos);
  } else if (g.shape === 'capsule') {
    a.size = num(g.radius!);
    a.fromto = vec([...g.fromto![0], ...g.fromto![1]]);
  } else {
    a.size = vec(g.halfExtents!);
    if (g.pos) a.pos = vec(g.pos);
  }
  if (g.mass !== undefined) a.mass = num(g.mass);
  else if (g.density !== undefined) a.density = num(g.density);
  if (g.friction !== undefined) a.friction = `${num(g.friction)} 0.5 0.5`;
  return `<geom${attrs(a)}/>`;
}

function visualXml(v: VisualSpec, meshName: string | undefined): string {
  const a: Record<string, string | undefined> = { type: v.shape, contype: '0', conaffinity: '0', group: '1', mass: '0' };
  if (v.shape === 'mesh') a.mesh = meshName;
  else if (v.shape === 'sphere') a.size = num(v.radius!);
  else if (v.shape === 'box') a.size = vec(v.halfExtents!);
  else a.size = vec([v.radius!, v.length! / 2]);
  if (v.pos) a.pos = vec(v.pos);
  if (v.quat) a.quat = vec(v.quat);
  if (v.rgba) a.rgba = vec(v.rgba);
  return `<geom${attrs(a)}/>`;
}

function jointXml(j: JointSpec): string {
  return `<joint${attrs({
    name: j.name,
    type: 'hinge',
    pos: '0 0 0',
    axis: vec(j.axis),
    range: vec(mjcfRange(j)),
    damping: num(j.damping),
    armature: num(j.armature),
  })}/>`;
}

export function toMJCF(spec: MorphologySpec): string {
  const children = new Map<string | null, BodySpec[]>();
  for (const b of spec.bodies) {
    const list = children.get(b.parent) ?? [];
    list.push(b);
    children.set(b.parent, list);
  }
  const geomNames = new Set(spec.bodies.flatMap((b) => b.geoms.map((g) => g.name)));
  let floor = 'floor';
  for (let k = 1; geomNames.has(floor); k++) floor = `floor_${k}`;

  // mesh assets: one per convex geom (named after it), one per distinct visual mesh file and scale
  const meshNames = new Set<string>();
  const uniqueMesh = (base: string): string => {
    let n = base;
    for (let k = 2; meshNames.has(n); k++) n = `${base}_${k}`;
    meshNames.add(n);
    return n;
  };
  const assets: string[] = [];
  const convexMesh = new Map<GeomSpec, string>();
  const visualMesh = new Map<string, string>();
  for (const b of spec.bodies) {
    for (const g of b.geoms) {
      if (g.shape !== 'convex') continue;
      const n = uniqueMesh(g.name);
      convexMesh.set(g, n);
      assets.push(`<mesh${attrs({ name: n, vertex: g.points!.map((p) => vec(p)).join('  ') })}/>`);
    }
  }
  for (const b of spec.bodies) {
    for (const v of b.visuals ?? []) {
      if (v.shape !== 'mesh') continue;
      const key = `${v.mesh}|${(v.scale ?? [1, 1, 1]).join(' ')}`;
      if (visualMesh.has(key)) continue;
      const n = uniqueMesh(`visual_${v.mesh!.replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '')}`);
      visualMesh.set(key, n);
      assets.push(`<mesh${attrs({ name: n, file: v.mesh, scale: v.scale ? vec(v.scale) : undefined })}/>`);
    }
  }

  const lines: string[] = [];
  const out = (depth: number, s: string): void => void lines.push('  '.repeat(depth) + s);
  const writeBody = (b: BodySpec, depth: number): void => {
    out(depth, `<body${attrs({ name: b.name, pos: vec(b.pos as Vec3) })}>`);
    if (b.parent === null) out(depth + 1, '<freejoint name="root"/>');
    else if (b.joint) out(depth + 1, jointXml(b.joint));
    for (const g of b.geoms) out(depth + 1, geomXml(g, convexMesh.get(g)));
    for (const v of b.visuals ?? []) out(depth + 1, visualXml(v, v.shape === 'mesh' ? visualMesh.get(`${v.mesh}|${(v.scale ?? [1, 1, 1]).join(' ')}`) : undefined));
    for (const c of children.get(b.name) ?? []) writeBody(c, depth + 1);
    out(depth, '</body>');
  };

  out(0, `<mujoco${attrs({ model: spec.name })}>`);
  if (spec.description) out(1, `<!-- ${escapeXml(spec.description).replace(/--/g, '- -')} -->`);
  out(1, '<compiler angle="degree" inertiafromgeom="true"/>');
  const locked = Object.fromEntries(spec.bodies.flatMap((b) => (b.joint?.locked ? [[b.joint.name, b.joint.range]] : [])));
  const home = Object.fromEntries(spec.bodies.flatMap((b) => (b.joint?.home !== undefined ? [[b.joint.name, b.joint.home]] : [])));
  const meta = { description: spec.description, feet: spec.feet, legs: spec.legs, healthyZ: spec.healthyZ, ...(Object.keys(locked).length ? { locked } : {}), ...(Object.keys(home).length ? { home } : {}) };
  out(1, `<custom><text${attrs({ name: 'spikeloco.spec', data: JSON.stringify(meta) })}/></custom>`);
  out(1, '<option timestep="0.01" integrator="RK4"/>');
  out(1, '<default>');
  out(2, '<joint limited="true"/>');
  out(2, `<geom${attrs({ contype: '1', conaffinity: '0', condim: '3', density: num(spec.density), friction: `${num(spec.friction)} 0.5 0.5`, margin: '0.01', rgba: '0.8 0.6 0.4 1' })}/>`);
  out(1, '</default>');
  if (assets.length) {
    out(1, '<asset>');
    for (const a of assets) out(2, a);
    out(1, '</asset>');
  }
  out(1, '<worldbody>');
  out(2, '<light directional="true" diffuse="0.8 0.8 0.8" pos="0 0 1.3" dir="0 0 -1"/>');
  out(2, `<geom${attrs({ name: floor, type: 'plane', size: '40 40 40', pos: '0 0 0', conaffinity: '1', condim: '3', friction: `${num(spec.friction)} 0.5 0.5`, rgba: '0.8 0.9 0.8 1' })}/>`);
  for (const root of children.get(null) ?? []) writeBody(root, 2);
  out(1, '</worldbody>');
  out(1, '<actuator>');
  for (const { joint } of actuatedJoints(spec)) {
    const act = joint.actuator;
    if (act?.kind === 'position') {
      // a PD servo as MuJoCo 2.x can say it (its <position> has no kv): force = kp·ctrl − kp·q − kv·q̇,
      // targets over the joint range (ctrlrange in radians), torque capped at gear
      const r = mjcfRange(joint).map((d) => (d * Math.PI) / 180);
      out(2, `<general${attrs({ name: joint.name, joint: joint.name, gaintype: 'fixed', biastype: 'affine', gainprm: num(act.kp), biasprm: `0 ${num(-act.kp)} ${num(-act.kv)}`, ctrlrange: vec(r), ctrllimited: 'true', forcerange: `${num(-joint.gear)} ${num(joint.gear)}`, forcelimited: 'true' })}/>`);
    } else out(2, `<motor${attrs({ name: joint.name, joint: joint.name, gear: num(joint.gear), ctrlrange: '-1 1', ctrllimited: 'true' })}/>`);
  }
  out(1, '</actuator>');
  out(0, '</mujoco>');
  return lines.join('\n') + '\n';
}
