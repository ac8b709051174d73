import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPORT_HULL_POINTS, readMeshFile } from '../../morphologies/import/mesh-file.js';
import { importURDF } from '../../morphologies/import/urdf.js';
import { importMJCF, importMJCFText } from '../../morphologies/import/mjcf.js';
import { toMJCF } from '../../morphologies/mjcf.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { convexMassProperties, geomMass } from '../../morphologies/mass.js';
import { loadMorphology } from '../../morphologies/index.js';
import { SPAWN_CLEARANCE } from '../../morphologies/import/assemble.js';
import type { MorphologySpec, Vec3 } from '../../morphologies/spec.js';
import { boxMesh, meshRobot, tetraMesh, triangles, writeAsciiStl, writeBinaryStl, writeObj } from './mesh-fixtures.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spikeloco-mesh-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sortPts = (v: ArrayLike<number>): string[] => {
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 3) out.push(`${v[i].toFixed(6)},${v[i + 1].toFixed(6)},${v[i + 2].toFixed(6)}`);
  return [...new Set(out)].sort();
};

test('binary STL, ASCII STL and OBJ of the same box read to the same vertices and 12 triangles', () => {
  const box = boxMesh([0.1, 0.2, 0.3], [0, 0, -0.3]);
  writeBinaryStl(join(dir, 'b.stl'), triangles(box));
  writeAsciiStl(join(dir, 'a.stl'), triangles(box));
  writeObj(join(dir, 'o.obj'), box);
  const [b, a, o] = ['b.stl', 'a.stl', 'o.obj'].map((f) => readMeshFile(join(dir, f)));
  assert.equal(b.triangles.length / 3, 12);
  assert.equal(a.triangles.length / 3, 12);
  assert.equal(o.triangles.length / 3, 12);
  assert.equal(o.vertices.length / 3, 8);
  assert.deepEqual(sortPts(b.vertices), sortPts(o.vertices));
  assert.deepEqual(sortPts(a.vertices), sortPts(o.vertices));
});

test('truncated and corrupt mesh files are refused with a message naming the file (and line)', () => {
  const box = triangles(boxMesh([0.1, 0.1, 0.1]));
  writeBinaryStl(join(dir, 'whole.stl'), box);
  const whole = readMeshFile(join(dir, 'whole.stl'));
  assert.equal(whole.triangles.length, 36);
  const bytes = Buffer.alloc(84 + 50 * 12 - 7);
  bytes.writeUInt32LE(12, 80);
  writeFileSync(join(dir, 'cut.stl'), bytes);
  writeFileSync(join(dir, 'ascii-cut.stl'), 'solid x\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n');
  writeFileSync(join(dir, 'ascii-bad.stl'), 'solid x\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 zero\n');
  writeFileSync(join(dir, 'bad.obj'), 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 7\n');
  writeFileSync(join(dir, 'tiny.stl'), 'abc');
  const cases: [string, RegExp][] = [
    ['cut.stl', /cut\.stl: \(file\): truncated or corrupt binary STL: the header counts 12 triangles \(684 bytes\), the file has 677 bytes/],
    ['ascii-cut.stl', /ascii-cut\.stl: .*truncated ASCII STL: no "endsolid"/],
    ['ascii-bad.stl', /ascii-bad\.stl:4: .*expected "vertex x y z"/],
    ['bad.obj', /bad\.obj:4: .*face vertex "7" is not one of the 3 vertices/],
    ['tiny.stl', /tiny\.stl: .*not an STL file/],
    ['missing.stl', /missing\.stl: .*cannot read mesh/],
  ];
  for (const [f, re] of cases) assert.throws(() => readMeshFile(join(dir, f)), (e: unknown) => e instanceof SpecError && re.test((e as Error).message), f);
});

test('a URDF with a mesh collision link imports to a convex geom with the mass and inertia of the box it is', () => {
  const d = mkdtempSync(join(dir, 'urdf-'));
  writeBinaryStl(join(d, 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  const r = importURDF(meshRobot(d, { legMesh: 'leg.stl', origin: 'xyz="0 0 -0.01" rpy="1.5707963267948966 0 0"' }));
  const leg = r.spec.bodies.find((b) => b.name === 'leg')!;
  assert.equal(leg.geoms.length, 1);
  const g = leg.geoms[0];
  assert.equal(g.shape, 'convex');
  assert.equal(g.points!.length, 8);
  // rotated +90° about x, the box's −z extent now points along +y; the origin moves it 0.01 down
  const lo = [0, 1, 2].map((k) => Math.min(...g.points!.map((p) => p[k])));
  const hi = [0, 1, 2].map((k) => Math.max(...g.points!.map((p) => p[k])));
  [[-0.02, 0, -0.03], [0.02, 0.3, 0.01]].forEach((want, w) => want.forEach((x, k) => assert.ok(Math.abs((w ? hi : lo)[k] - x) < 1e-6, `${w ? 'hi' : 'lo'}[${k}] ${(w ? hi : lo)[k]} vs ${x}`)));
  // no <inertial>: density 1000 × 0.04 × 0.04 × 0.3
  assert.ok(Math.abs(geomMass(g, r.spec.density) - 0.48) < 1e-6, `${geomMass(g, r.spec.density)}`);
  const m = convexMassProperties(g.points!);
  const [a, b, c] = [0.04, 0.3, 0.04]; // the box's extents along x, y, z after the rotation
  const want = [(b * b + c * c) / 12, (a * a + c * c) / 12, (a * a + b * b) / 12].map((x) => x * m.volume);
  want.forEach((x, k) => assert.ok(Math.abs(m.inertia[k][k] - x) < 1e-9, `I${k}${k} ${m.inertia[k][k]} vs ${x}`));
  assert.ok(Math.abs(m.inertia[0][1]) + Math.abs(m.inertia[1][2]) + Math.abs(m.inertia[0][2]) < 1e-12);
  assert.ok(r.warnings.some((w) => /collision meshes become their convex hulls/.test(w)), r.warnings.join('\n'));
  // with an inertial mass, the geom carries it
  const r2 = importURDF(meshRobot(d, { legMesh: 'leg.stl', legInertial: '<inertial><mass value="0.5"/></inertial>' }));
  assert.equal(r2.spec.bodies.find((b) => b.name === 'leg')!.geoms[0].mass, 0.5);
  // spawn: the mesh's lowest point (leg origin − 0.3) clears the ground by SPAWN_CLEARANCE
  const legBottom = r2.spec.bodies[0].pos[2] + Math.min(...r2.spec.bodies.find((b) => b.name === 'leg')!.geoms[0].points!.map((p) => p[2]));
  assert.ok(Math.abs(legBottom - SPAWN_CLEARANCE) < 1e-9, `${legBottom}`);
});

test('a corrupt collision mesh refuses the URDF with a message naming the mesh file; package:// resolves against the URDF folder\'s ancestors', () => {
  const pkg = join(dir, 'my_robot');
  mkdirSync(join(pkg, 'urdf'), { recursive: true });
  mkdirSync(join(pkg, 'meshes'), { recursive: true });
  writeFileSync(join(pkg, 'meshes', 'broken.stl'), Buffer.alloc(84 + 50 * 3 + 20)); // header says 0 triangles
  const bad = meshRobot(join(pkg, 'urdf'), { legMesh: 'package://my_robot/meshes/broken.stl' });
  assert.throws(() => importURDF(bad), (e: unknown) => e instanceof SpecError && /meshes\/broken\.stl: \(file\): truncated or corrupt binary STL/.test((e as Error).message), 'names the mesh file');
  writeAsciiStl(join(pkg, 'meshes', 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  writeObj(join(pkg, 'meshes', 'shell.obj'), boxMesh([0.21, 0.11, 0.06]));
  const good = meshRobot(join(pkg, 'urdf'), { legMesh: 'package://my_robot/meshes/leg.stl', visual: '<visual><origin xyz="0 0 0.01" rpy="0 0 1.5707963267948966"/><geometry><mesh filename="package://my_robot/meshes/shell.obj" scale="2 2 2"/></geometry><material name="blue"/></visual>' });
  const s = importURDF(good).spec;
  assert.equal(s.bodies[1].geoms[0].shape, 'convex');
  const v = s.bodies[0].visuals![0];
  assert.equal(v.mesh, join(pkg, 'meshes', 'shell.obj'));
  assert.deepEqual(v.scale, [2, 2, 2]);
  assert.deepEqual(v.rgba, [0, 0, 1, 1]);
  assert.deepEqual(v.pos, [0, 0, 0.01]);
  assert.deepEqual(v.quat!.map((x) => +x.toFixed(9)), [+Math.SQRT1_2.toFixed(9), 0, 0, +Math.SQRT1_2.toFixed(9)]);
  // a flat mesh cannot collide
  writeObj(join(pkg, 'meshes', 'flat.obj'), { vertices: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], faces: [[0, 1, 2], [1, 3, 2]] });
  assert.throws(() => importURDF(meshRobot(join(pkg, 'urdf'), { legMesh: '../meshes/flat.obj' })), /flat\.obj: \(file\): the mesh cannot be a collision shape: all points are coplanar/);
});

test('the mesh robot runs 10 s in the real sim with finite state; Rapier weighs the convex link as the spec does', async () => {
  const { LocomotionEnv } = await import('../../sim/env.js');
  const d = mkdtempSync(join(dir, 'sim-'));
  writeBinaryStl(join(d, 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  const spec = importURDF(meshRobot(d, { legMesh: 'leg.stl' })).spec;
  const env = await LocomotionEnv.create({ morphology: spec, terminate: false });
  env.reset(0);
  const a = new Float32Array(env.actSize);
  const steps = Math.round(10 / env.controlDt);
  let maxZ = -Infinity, minZ = Infinity;
  for (let t = 0; t < steps; t++) {
    a[0] = Math.sin(2 * Math.PI * t * env.controlDt);
    const r = env.step(a);
    assert.ok(r.obs.every(Number.isFinite), `finite observation at step ${t}`);
    assert.equal(r.nonFinite, false);
    const z = env.torsoPosition()[2];
    maxZ = Math.max(maxZ, z);
    minZ = Math.min(minZ, z);
  }
  const p = env.torsoPosition();
  assert.ok(p.every(Number.isFinite), `${p}`);
  assert.ok(minZ > 0 && maxZ < 1, `the torso stays between the ground and 1 m (z in [${minZ}, ${maxZ}])`);
  env.free();
});

test('MJCF: <compiler meshdir>, <asset><mesh file scale>, colliding mesh geoms become convex hulls, visual mesh geoms visuals', () => {
  const d = mkdtempSync(join(dir, 'mjcf-'));
  mkdirSync(join(d, 'assets'));
  writeBinaryStl(join(d, 'assets', 'tetra.stl'), triangles(tetraMesh()));
  writeObj(join(d, 'assets', 'shell.obj'), boxMesh([0.1, 0.1, 0.1]));
  const xml = `<mujoco model="m">
  <compiler angle="degree" meshdir="assets"/>
  <asset>
    <mesh name="tet" file="tetra.stl" scale="0.1 0.2 0.3"/>
    <mesh file="shell.obj"/>
  </asset>
  <worldbody>
    <body name="torso" pos="0 0 0.5">
      <freejoint/>
      <geom name="core" type="sphere" size="0.1"/>
      <geom type="mesh" mesh="shell" contype="0" conaffinity="0" rgba="0 1 0 1" pos="0 0 0.05"/>
      <body name="leg" pos="0.1 0 0">
        <joint name="hip" axis="0 1 0" range="-30 30"/>
        <geom name="foot" type="mesh" mesh="tet" pos="0 0 -0.2" density="500"/>
      </body>
    </body>
  </worldbody>
  <actuator><motor joint="hip" gear="10" ctrlrange="-1 1"/></actuator>
</mujoco>`;
  writeFileSync(join(d, 'm.xml'), xml);
  const r = importMJCF(join(d, 'm.xml'));
  const foot = r.spec.bodies[1].geoms[0];
  assert.equal(foot.shape, 'convex');
  assert.equal(foot.density, 500);
  const want: Vec3[] = [[0, 0, -0.2], [0.1, 0, -0.2], [0, 0.2, -0.2], [0, 0, 0.1]];
  const key = (ps: Vec3[]) => ps.map((p) => p.map((x) => x.toFixed(7)).join(' ')).sort();
  assert.deepEqual(key(foot.points!), key(want), 'the tetrahedron scaled 0.1 0.2 0.3 at pos 0 0 −0.2');
  assert.ok(Math.abs(geomMass(foot, r.spec.density) - (500 * 0.1 * 0.2 * 0.3) / 6) < 1e-9);
  assert.deepEqual(r.spec.bodies[0].visuals, [{ shape: 'mesh', mesh: join(d, 'assets', 'shell.obj'), pos: [0, 0, 0.05], rgba: [0, 1, 0, 1] }]);
  assert.throws(() => importMJCFText(xml.replace('file="tetra.stl"', 'file="nope.stl"'), join(d, 'm.xml')), /m\.xml:4: mujoco\/asset\/mesh\[tet\]: mesh "nope\.stl": .*cannot read mesh/);
});

test('export-mjcf → import gives back the same spec for convex geoms and visuals', () => {
  const d = mkdtempSync(join(dir, 'rt-'));
  writeBinaryStl(join(d, 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  writeObj(join(d, 'shell.obj'), boxMesh([0.21, 0.11, 0.06]));
  const spec = importURDF(
    meshRobot(d, {
      legMesh: 'leg.stl',
      origin: 'xyz="0 0.01 0" rpy="0.3 0.2 0.1"',
      visual: '<visual><origin rpy="0 0 0.5"/><geometry><mesh filename="shell.obj" scale="1 2 1"/></geometry><material name="blue"/></visual><visual><geometry><cylinder radius="0.02" length="0.1"/></geometry></visual>',
    }),
  ).spec;
  const xml = toMJCF(spec);
  assert.match(xml, /<mesh name="leg_collision" vertex="/);
  assert.match(xml, /<geom name="leg_collision" type="mesh" mesh="leg_collision"/);
  const back = importMJCFText(xml, join(d, 'export.xml')).spec;
  assertSpecClose(back, spec);
});

function assertSpecClose(a: MorphologySpec, b: MorphologySpec): void {
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (typeof x === 'number' && typeof y === 'number') return assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `${path}: ${x} vs ${y}`);
    if (Array.isArray(x) && Array.isArray(y)) {
      assert.equal(x.length, y.length, `${path}: length`);
      return x.forEach((v, i) => walk(v, y[i], `${path}[${i}]`));
    }
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      assert.deepEqual(Object.keys(x).sort(), Object.keys(y).sort(), `${path}: keys`);
      for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
      return;
    }
    assert.equal(x, y, path);
  };
  walk(a, b, 'spec');
}

test('a JSON spec\'s relative visual mesh path is resolved against the spec file', () => {
  const d = mkdtempSync(join(dir, 'json-'));
  const spec = { name: 'j', bodies: [{ name: 'root', parent: null, pos: [0, 0, 0.3], geoms: [{ name: 'g', shape: 'convex', points: tetraMesh().vertices }], visuals: [{ shape: 'mesh', mesh: 'parts/shell.stl' }] }], feet: [], density: 1000, friction: 1, healthyZ: [0.05, 1], legs: {} };
  writeFileSync(join(d, 'j.json'), JSON.stringify(spec));
  assert.equal(loadMorphology(join(d, 'j.json')).bodies[0].visuals![0].mesh, join(d, 'parts', 'shell.stl'));
});

test('a large collision mesh is reduced to at most IMPORT_HULL_POINTS hull points, said once; its volume stays close', () => {
  const d = mkdtempSync(join(dir, 'big-'));
  // a UV sphere of radius 0.05 with 60 × 80 vertices
  const vertices: Vec3[] = [];
  const faces: [number, number, number][] = [];
  const [nu, nv] = [60, 80];
  for (let i = 0; i < nu; i++) {
    const th = (Math.PI * (i + 0.5)) / nu;
    for (let j = 0; j < nv; j++) vertices.push([0.05 * Math.sin(th) * Math.cos((2 * Math.PI * j) / nv), 0.05 * Math.sin(th) * Math.sin((2 * Math.PI * j) / nv), -0.05 + 0.05 * Math.cos(th)]);
  }
  for (let i = 0; i + 1 < nu; i++) for (let j = 0; j < nv; j++) {
    const a = i * nv + j, b = i * nv + ((j + 1) % nv), c = a + nv, e = b + nv;
    faces.push([a, c, e], [a, e, b]);
  }
  writeObj(join(d, 'ball.obj'), { vertices, faces });
  const r = importURDF(meshRobot(d, { legMesh: 'ball.obj' }));
  const g = r.spec.bodies[1].geoms[0];
  assert.ok(g.points!.length <= IMPORT_HULL_POINTS && g.points!.length > 200, `${g.points!.length} points`);
  assert.equal(r.warnings.filter((w) => /reduced to at most 256 hull points/.test(w)).length, 1);
  const full = convexMassProperties(vertices).volume;
  const kept = convexMassProperties(g.points!).volume;
  assert.ok(kept < full && kept > 0.95 * full, `reduced hull keeps ${((100 * kept) / full).toFixed(1)} % of the volume`);
});
