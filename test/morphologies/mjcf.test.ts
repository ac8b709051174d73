import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { antSpec } from '../../morphologies/ant.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { LOCK_HALF_WIDTH_DEG, toMJCF } from '../../morphologies/mjcf.js';
import { lockedJoint, payload } from '../../morphologies/variants.js';
import { parseXml as parseXmlFile, type XmlElement } from '../../morphologies/import/xml.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { importURDF } from '../../morphologies/import/urdf.js';
import { MODELS_DIR } from '../../morphologies/index.js';
import type { MorphologySpec } from '../../morphologies/spec.js';

type El = XmlElement;

/** The exporter's XML through the importers' parser (fast-xml-parser): well-formedness is checked there. */
const parseXml = (xml: string): El => parseXmlFile(xml, 'export.xml');

function all(el: El, tag: string): El[] {
  return [...(el.tag === tag ? [el] : []), ...el.children.flatMap((c) => all(c, tag))];
}

/** Elements outside `<default>` (the defaults hold nameless `<joint>`/`<geom>` templates). */
function model(el: El, tag: string): El[] {
  return all(el, tag).filter((e) => e.attrs.name !== undefined);
}

test('the parser refuses XML that is not well-formed, naming the line', () => {
  assert.throws(() => parseXml('<a>\n<b></a>'), (e: Error) => e instanceof SpecError && /^export\.xml:2: .*closing tag 'b'/.test(e.message));
  assert.throws(() => parseXml('<a><b/>'), (e: Error) => e instanceof SpecError && /Unclosed tag 'a'/.test(e.message));
  assert.throws(() => parseXml('<a x="1" x="2"/>'), (e: Error) => e instanceof SpecError && /repeated/.test(e.message));
});

test('Ant MJCF: 9 bodies nested as a tree, 1 freejoint, 8 hinges, 8 motors in action order, ranges and gear', () => {
  const doc = parseXml(toMJCF(antSpec()));
  assert.equal(doc.tag, 'mujoco');
  assert.equal(doc.attrs.model, 'ant');
  assert.deepEqual(all(doc, 'compiler')[0].attrs, { angle: 'degree', inertiafromgeom: 'true' });
  assert.deepEqual(all(doc, 'option')[0].attrs, { timestep: '0.01', integrator: 'RK4' });
  const defaults = all(doc, 'default')[0];
  assert.equal(defaults.children.find((c) => c.tag === 'joint')!.attrs.limited, 'true');
  assert.equal(defaults.children.find((c) => c.tag === 'geom')!.attrs.density, '5');
  assert.equal(all(doc, 'body').length, 9);
  assert.equal(all(doc, 'freejoint').length, 1);
  const joints = model(doc, 'joint').filter((j) => j.attrs.type === 'hinge');
  assert.equal(joints.length, 8);
  const range = Object.fromEntries(joints.map((j) => [j.attrs.name, j.attrs.range]));
  assert.equal(range.hip_1, '-30 30');
  assert.equal(range.ankle_1, '30 70');
  assert.equal(range.ankle_2, '-70 -30');
  for (const j of joints) assert.deepEqual([j.attrs.damping, j.attrs.armature], ['1', '1']);
  const motors = all(doc, 'motor');
  assert.deepEqual(motors.map((m) => m.attrs.joint), ['hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3', 'hip_4', 'ankle_4']);
  for (const m of motors) assert.deepEqual([m.attrs.gear, m.attrs.ctrlrange, m.attrs.ctrllimited], ['150', '-1 1', 'true']);
  // nesting: ankle_1_link inside hip_1_link inside torso inside worldbody
  const world = all(doc, 'worldbody')[0];
  const torso = world.children.find((c) => c.tag === 'body')!;
  assert.equal(torso.attrs.name, 'torso');
  assert.equal(torso.attrs.pos, '0 0 0.75');
  const hip1 = torso.children.find((c) => c.attrs.name === 'hip_1_link')!;
  assert.equal(hip1.attrs.pos, '0.2 0.2 0');
  assert.equal(hip1.children.find((c) => c.tag === 'body')!.attrs.name, 'ankle_1_link');
  // geoms: sphere size r, capsules with fromto, floor plane with friction
  const geoms = Object.fromEntries(model(doc, 'geom').map((g) => [g.attrs.name, g.attrs]));
  assert.deepEqual(geoms.torso_geom, { name: 'torso_geom', type: 'sphere', size: '0.25' });
  assert.equal(geoms.ankle_1_geom.fromto, '0 0 0 0.4 0.4 0');
  assert.equal(geoms.floor.type, 'plane');
  assert.equal(geoms.floor.friction, '1 0.5 0.5');
  assert.equal(model(doc, 'geom').length, 1 + 13);
});

test('hexapod MJCF: 13 bodies, 12 hinges, 12 motors; box torso with half extents; payload mass', () => {
  const doc = parseXml(toMJCF(payload(hexapodSpec(), 2)));
  assert.equal(all(doc, 'body').length, 13);
  assert.equal(model(doc, 'joint').length, 12);
  assert.equal(all(doc, 'motor').length, 12);
  const geoms = Object.fromEntries(model(doc, 'geom').map((g) => [g.attrs.name, g.attrs]));
  assert.equal(geoms.torso_geom.type, 'box');
  assert.equal(geoms.torso_geom.size, '0.4 0.15 0.06');
  assert.deepEqual([geoms.payload.type, geoms.payload.mass, geoms.payload.pos], ['box', '2', '0 0 0.11']);
});

test('locked joints are exported with the range pinned around the weld angle', () => {
  const doc = parseXml(toMJCF(lockedJoint(lockedJoint(antSpec(), 'hip_1'), 'ankle_2')));
  const range = Object.fromEntries(model(doc, 'joint').map((j) => [j.attrs.name, j.attrs.range.split(' ').map(Number)]));
  assert.deepEqual(range.hip_1, [-LOCK_HALF_WIDTH_DEG, LOCK_HALF_WIDTH_DEG]);
  // ankle_2 range −70..−30: rest angle 0 clips to −30
  assert.deepEqual(range.ankle_2, [-30 - LOCK_HALF_WIDTH_DEG, -30 + LOCK_HALF_WIDTH_DEG]);
  assert.deepEqual(range.ankle_1, [30, 70]);
  assert.equal(all(doc, 'motor').length, 8, 'locked joints keep their motors: action layout unchanged');
});

test('names are escaped', () => {
  const s = antSpec();
  s.name = 'ant <"v2"> & co';
  s.bodies[1].name = "hip'1";
  s.bodies[2].parent = "hip'1";
  const xml = toMJCF(s);
  assert.ok(xml.includes('model="ant &lt;&quot;v2&quot;&gt; &amp; co"'));
  const doc = parseXml(xml);
  assert.equal(doc.attrs.model, 'ant <"v2"> & co');
  assert.ok(all(doc, 'body').some((b) => b.attrs.name === "hip'1"));
});

/** The Ant with a convex hull beside its torso sphere and a visual box on it. */
function withMeshes(spec: MorphologySpec): MorphologySpec {
  const torso = spec.bodies[0];
  const c = 0.05;
  torso.geoms.push({ name: 'hull', shape: 'convex', points: [[-c, -c, 0.2], [c, -c, 0.2], [c, c, 0.2], [-c, c, 0.2], [0, 0, 0.3]] });
  torso.visuals = [{ shape: 'box', halfExtents: [0.1, 0.1, 0.02], pos: [0, 0, 0.26] }];
  return spec;
}

const hasMujoco = spawnSync('mujoco-compile', [], { encoding: 'utf8' }).error === undefined;

test('MuJoCo 2.x compiles the exported models', { skip: hasMujoco ? false : 'mujoco-compile not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-mjcf-'));
  try {
    const specs = {
      ant: antSpec(),
      hexapod: hexapodSpec(),
      variant: payload(lockedJoint(hexapodSpec(), 'knee_2'), 3),
      // imported, with PD position actuators (exported as <general> PD servos)
      quadruped: importURDF(join(MODELS_DIR, 'quadruped12.urdf'), { actuator: { kind: 'position', kp: 20, kv: 0.5 } }).spec,
      // a convex collision geom (exported as a <mesh vertex> asset) and a visual-only box
      meshes: withMeshes(antSpec()),
    };
    for (const [name, spec] of Object.entries(specs)) {
      const xml = join(dir, `${name}.xml`);
      const text = toMJCF(spec);
      if (name === 'meshes') assert.match(text, /<mesh [^>]*vertex=/, 'the convex geom is exported as a mesh asset');
      writeFileSync(xml, text);
      const r = spawnSync('mujoco-compile', [xml, join(dir, `${name}.mjb`)], { encoding: 'utf8', input: 'y\n' });
      assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /Done/, `${name}: ${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
