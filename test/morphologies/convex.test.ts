import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convexHull, HullError, supportPoints } from '../../morphologies/convex-hull.js';
import { convexMassProperties, geomMass, geomVolume } from '../../morphologies/mass.js';
import { validateSpec, SpecError } from '../../morphologies/validate.js';
import type { MorphologySpec, Vec3 } from '../../morphologies/spec.js';
import { boxMesh, tetraMesh } from './mesh-fixtures.js';

const close = (a: number, b: number, tol = 1e-12, what = '') => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

/** a deterministic pseudo-random point cloud (xorshift) */
function cloud(n: number, seed = 1): Vec3[] {
  let s = seed >>> 0 || 1;
  const r = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => [r() - 0.5, r() - 0.5, r() - 0.5] as Vec3);
}

test('hull of a box with interior, duplicate and face-coplanar points: the 8 corners and 12 outward triangles', () => {
  const { vertices } = boxMesh([0.1, 0.2, 0.3], [1, 2, 3]);
  const pts: Vec3[] = [[1, 2, 3], [1.05, 2.1, 3.2], ...vertices, vertices[3], [1, 2, 3.3], [1.1, 2, 3]];
  const h = convexHull(pts);
  assert.equal(h.vertices.length, 8);
  assert.deepEqual(h.inputIndex, [2, 3, 4, 5, 6, 7, 8, 9], 'the corners, in input order; the duplicate and the face centres are not vertices');
  assert.equal(h.faces.length, 12);
  // outward: every vertex lies on or behind every face's plane
  for (const [a, b, c] of h.faces) {
    const [pa, pb, pc] = [h.vertices[a], h.vertices[b], h.vertices[c]];
    const u = [pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]], v = [pc[0] - pa[0], pc[1] - pa[1], pc[2] - pa[2]];
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    for (const p of h.vertices) assert.ok(n[0] * (p[0] - pa[0]) + n[1] * (p[1] - pa[1]) + n[2] * (p[2] - pa[2]) <= 1e-12);
  }
});

test('hull of a random cloud: closed (V − E + F = 2), every point inside, volume equal from two reference points', () => {
  const pts = cloud(2000, 7);
  const h = convexHull(pts);
  const edges = new Set<string>();
  for (const [a, b, c] of h.faces) for (const [x, y] of [[a, b], [b, c], [c, a]]) edges.add(`${Math.min(x, y)},${Math.max(x, y)}`);
  assert.equal(h.vertices.length - edges.size + h.faces.length, 2, 'Euler characteristic of a sphere');
  assert.equal(2 * edges.size, 3 * h.faces.length, 'every edge has two faces');
  const m = convexMassProperties(pts);
  const m2 = convexMassProperties(h.vertices.map((p) => [p[0] + 5, p[1] - 3, p[2]] as Vec3));
  close(m2.volume, m.volume, 1e-9, 'translation-invariant volume');
  assert.ok(m.volume > 0.5 && m.volume < 1, `volume ${m.volume} of a cloud in the unit cube`);
});

test('degenerate point sets are refused with a HullError saying why', () => {
  assert.throws(() => convexHull([[0, 0, 0], [1, 0, 0], [0, 1, 0]]), /at least 4 points/);
  assert.throws(() => convexHull([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]]), /collinear/);
  assert.throws(() => convexHull([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0.5, 0.5, 1e-12]]), /coplanar/);
  assert.throws(() => convexHull([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, NaN]]), HullError);
});

test('mass properties of a box-shaped hull: V = 8 hx hy hz, centroid at the centre, I = V/12 (b² + c²) on the diagonal', () => {
  const { vertices } = boxMesh([0.1, 0.2, 0.3], [0.5, -0.25, 1]);
  const m = convexMassProperties(vertices);
  close(m.volume, 0.048, 1e-12, 'V');
  m.centroid.forEach((x, k) => close(x, [0.5, -0.25, 1][k], 1e-12, 'centroid'));
  const [a, b, c] = [0.2, 0.4, 0.6];
  const diag = [(0.048 / 12) * (b * b + c * c), (0.048 / 12) * (a * a + c * c), (0.048 / 12) * (a * a + b * b)];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(m.inertia[i][j], i === j ? diag[i] : 0, 1e-12, `I[${i}][${j}]`);
});

test('mass properties of the unit right tetrahedron: V = 1/6, centroid 1/4, Ixx = 1/80, Ixy = 1/480 (hand-computed)', () => {
  // ∫x² dV = 1/60, ∫xy dV = 1/120 over the tetrahedron; about the centroid Sxx = 1/60 − V/16 = 1/160, Sxy = 1/120 − V/16 = −1/480
  const m = convexMassProperties(tetraMesh().vertices);
  close(m.volume, 1 / 6, 1e-12, 'V');
  for (const x of m.centroid) close(x, 1 / 4, 1e-12, 'centroid');
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(m.inertia[i][j], i === j ? 1 / 80 : 1 / 480, 1e-12, `I[${i}][${j}]`);
});

test('supportPoints keeps at most the requested number of hull vertices, deterministically', () => {
  const pts = cloud(5000, 3).map((p) => p.map((x) => x / Math.hypot(...p)) as Vec3); // on the unit sphere: all hull vertices
  const a = supportPoints(pts, 64), b = supportPoints(pts, 64);
  assert.deepEqual(a, b);
  assert.ok(a.length <= 64 && a.length > 55, `${a.length}`);
  const hullSet = new Set(convexHull(pts).vertices.map((p) => p.join(',')));
  for (const p of a) assert.ok(hullSet.has(p.join(',')), 'every support point is a hull vertex');
});

const oneBody = (geom: Record<string, unknown>): MorphologySpec =>
  ({ name: 't', bodies: [{ name: 'root', parent: null, pos: [0, 0, 1], geoms: [{ name: 'g', ...geom }] }], feet: [], density: 1000, friction: 1, healthyZ: [0.1, 2], legs: {} }) as unknown as MorphologySpec;

test('convex geoms in specs: mass = density × hull volume; validation names the bad field', () => {
  const pts = boxMesh([0.1, 0.1, 0.1]).vertices;
  const spec = validateSpec(oneBody({ shape: 'convex', points: pts }));
  close(geomVolume(spec.bodies[0].geoms[0]), 0.008);
  close(geomMass(spec.bodies[0].geoms[0], 1000), 8);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ shape: 'convex', points: pts.slice(0, 3) }, /bodies\[0\]\.geoms\[0\]\.points: .*at least 4/],
    [{ shape: 'convex', points: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]] }, /bodies\[0\]\.geoms\[0\]\.points: the convex geom "g" is degenerate: all points are coplanar/],
    [{ shape: 'convex', points: [...pts.slice(0, 7), [0, 0, 'x']] }, /points\[7\]\[2\]/],
    [{ shape: 'convex', points: pts, pos: [0, 0, 0] }, /geoms\[0\]\.pos: a convex takes no pos/],
    [{ shape: 'convex' }, /geoms\[0\]\.points: a convex needs points/],
    [{ shape: 'box', halfExtents: [1, 1, 1], points: pts }, /a box takes no points/],
    [{ shape: 'convex', points: cloud(1025) }, /points: .*at most 1024/],
  ];
  for (const [g, re] of refused) assert.throws(() => validateSpec(oneBody(g)), (e: unknown) => e instanceof SpecError && re.test((e as Error).message), JSON.stringify(g).slice(0, 80));
});

test('visuals in specs: each shape needs its fields; meshes are .stl or .obj', () => {
  const base = oneBody({ shape: 'sphere', radius: 0.1 });
  const withVisual = (v: Record<string, unknown>) => {
    const s = structuredClone(base) as unknown as { bodies: { visuals?: unknown[] }[] };
    s.bodies[0].visuals = [v];
    return s;
  };
  const ok = validateSpec(withVisual({ shape: 'mesh', mesh: '/x/leg.STL', scale: [0.001, 0.001, 0.001], pos: [0, 0, 1], quat: [0, 1, 0, 0], rgba: [1, 0, 0, 1] }));
  assert.equal(ok.bodies[0].visuals!.length, 1);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ shape: 'mesh', mesh: 'leg.dae' }, /visuals\[0\]\.mesh: expected the path of an \.stl or \.obj file/],
    [{ shape: 'mesh' }, /visuals\[0\]\.mesh: a mesh visual needs mesh/],
    [{ shape: 'cylinder', radius: 0.1 }, /visuals\[0\]\.length: a cylinder visual needs length/],
    [{ shape: 'sphere', radius: 0.1, length: 1 }, /a sphere visual takes no length/],
    [{ shape: 'box', halfExtents: [1, 1, 1], quat: [0, 0, 0, 0] }, /visuals\[0\]\.quat: expected a non-zero quaternion/],
    [{ shape: 'sphere', radius: 0.1, rgba: [2, 0, 0, 1] }, /visuals\[0\]\.rgba\[0\]/],
  ];
  for (const [v, re] of refused) assert.throws(() => validateSpec(withVisual(v)), (e: unknown) => e instanceof SpecError && re.test((e as Error).message), JSON.stringify(v));
});

test("Rapier's mass properties of a convex collider equal ours (box and tetrahedron hulls, density 700)", async () => {
  const { initRapier } = await import('../../sim/rapier.js');
  const R = await initRapier();
  for (const pts of [boxMesh([0.1, 0.2, 0.3], [0.05, 0, 0]).vertices, tetraMesh().vertices]) {
    const world = new R.World({ x: 0, y: 0, z: 0 });
    const body = world.createRigidBody(R.RigidBodyDesc.dynamic());
    world.createCollider(R.ColliderDesc.convexHull(Float32Array.from(pts.flat()))!.setDensity(700), body);
    const m = convexMassProperties(pts);
    close(body.mass(), 700 * m.volume, 1e-5, 'mass');
    const com = body.localCom();
    [com.x, com.y, com.z].forEach((x, k) => close(x, m.centroid[k], 1e-5, 'com'));
    // principal moments: the eigenvalues of our tensor (its trace and sum of squares suffice to compare as sets)
    const p = body.principalInertia();
    const ours = m.inertia.map((row) => row.map((x) => 700 * x));
    const trace = ours[0][0] + ours[1][1] + ours[2][2];
    const frob = ours.flat().reduce((s, x) => s + x * x, 0);
    close(p.x + p.y + p.z, trace, 1e-4, 'trace');
    close(p.x ** 2 + p.y ** 2 + p.z ** 2, frob, 1e-4, 'Σ λ²');
    world.free();
  }
});
