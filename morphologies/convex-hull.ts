/**
 * The convex hull of a point set in 3D, for the spec's `convex` geoms (mass and inertia here,
 * the MJCF export, the importers' mesh reduction). Quickhull: start from a tetrahedron of
 * extreme points and give every other point to one face it lies in front of (its outside set);
 * then, face by face, take the farthest point of the face's set, remove the faces it sees (grown
 * as one connected region from that face), fan new faces from the horizon to it, and hand the
 * removed faces' points to the new faces (points in front of none are inside). Points within `eps` of a face's plane count as inside, so coplanar and
 * duplicate points never create slivers; eps = 1e-9 × the bounding-box diagonal.
 *
 * Cost: about O(n log n) for n points in general position; meshes with more than a few
 * thousand distinct vertices are reduced with `supportPoints` first (import/mesh-file.ts).
 */
import type { Vec3 } from './spec.js';

export interface Hull {
  /** the hull's vertices: the input points that are corners of the hull, in input order */
  vertices: Vec3[];
  /** triangles as indices into `vertices`, counter-clockwise seen from outside */
  faces: [number, number, number][];
  /** indices of `vertices` in the input */
  inputIndex: number[];
}

export class HullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HullError';
  }
}

interface Face {
  v: [number, number, number];
  n: Vec3;
  d: number;
  alive: boolean;
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Convex hull of `points`. Throws `HullError` when the points span no volume (fewer than 4
 * points, or all of them collinear or coplanar within eps) or are not finite.
 */
export function convexHull(points: readonly Vec3[]): Hull {
  const n = points.length;
  if (n < 4) throw new HullError(`a convex hull needs at least 4 points, got ${n}`);
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const p of points) {
    for (let k = 0; k < 3; k++) {
      if (!Number.isFinite(p[k])) throw new HullError(`point [${p.join(', ')}] is not finite`);
      lo[k] = Math.min(lo[k], p[k]);
      hi[k] = Math.max(hi[k], p[k]);
    }
  }
  const diag = Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);
  if (!(diag > 0)) throw new HullError('all points coincide: the hull has no volume');
  const eps = 1e-9 * diag;

  // initial tetrahedron: the lowest-x point, the farthest from it, the farthest from that line, the farthest from that plane
  let i0 = 0;
  for (let i = 1; i < n; i++) if (points[i][0] < points[i0][0]) i0 = i;
  let i1 = -1, best = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.hypot(...sub(points[i], points[i0]));
    if (d > best) [best, i1] = [d, i];
  }
  const e01 = sub(points[i1], points[i0]);
  let i2 = -1;
  best = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.hypot(...cross(e01, sub(points[i], points[i0])));
    if (d > best) [best, i2] = [d, i];
  }
  if (best / Math.hypot(...e01) <= eps) throw new HullError('all points are collinear: the hull has no volume');
  const nPlane = cross(e01, sub(points[i2], points[i0]));
  const nLen = Math.hypot(...nPlane);
  let i3 = -1;
  best = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(dot(nPlane, sub(points[i], points[i0]))) / nLen;
    if (d > best) [best, i3] = [d, i];
  }
  if (best <= eps) throw new HullError('all points are coplanar: the hull has no volume');

  const faces: Face[] = [];
  /** directed edge (a → b) → index of the face that has it */
  const edges = new Map<number, number>();
  const key = (a: number, b: number): number => a * n + b;
  const addFace = (a: number, b: number, c: number): void => {
    const pa = points[a];
    const nn = cross(sub(points[b], pa), sub(points[c], pa));
    const len = Math.hypot(...nn);
    const normal: Vec3 = len > 0 ? [nn[0] / len, nn[1] / len, nn[2] / len] : [0, 0, 0];
    const f = faces.length;
    faces.push({ v: [a, b, c], n: normal, d: dot(normal, pa), alive: true });
    edges.set(key(a, b), f);
    edges.set(key(b, c), f);
    edges.set(key(c, a), f);
  };
  // orient the tetrahedron outward: i3 must lie below face (i0, i1, i2)
  const above = dot(nPlane, sub(points[i3], points[i0])) > 0;
  const [a, b, c] = above ? [i0, i2, i1] : [i0, i1, i2];
  addFace(a, b, c);
  addFace(a, i3, b);
  addFace(b, i3, c);
  addFace(c, i3, a);

  // outside sets (quickhull): each point not yet inside belongs to one face it lies in front of
  const outside: number[][] = [];
  const assign = (pts: Iterable<number>, among: number[]): void => {
    for (const q of pts) {
      const pt = points[q];
      for (const f of among) {
        const F = faces[f];
        if (dot(F.n, pt) - F.d > eps) {
          (outside[f] ??= []).push(q);
          break;
        }
      }
    }
  };
  const initial = [0, 1, 2, 3];
  const corners = new Set([i0, i1, i2, i3]);
  assign((function* () {
    for (let q = 0; q < n; q++) if (!corners.has(q)) yield q;
  })(), initial);

  const visible: number[] = [];
  let marks = new Uint8Array(16);
  // faces with a non-empty outside set, processed in creation order (deterministic)
  for (let f0 = 0; f0 < faces.length; f0++) {
    const set = outside[f0];
    if (!faces[f0].alive || !set?.length) continue;
    // the set's farthest point is a hull vertex
    let p = set[0], far = -Infinity;
    for (const q of set) {
      const d = dot(faces[f0].n, points[q]) - faces[f0].d;
      if (d > far) [far, p] = [d, q];
    }
    const pt = points[p];
    if (marks.length < faces.length) {
      const grown = new Uint8Array(2 * faces.length);
      grown.set(marks);
      marks = grown;
    }
    // the visible region, grown from f0 across edges
    visible.length = 0;
    visible.push(f0);
    marks[f0] = 1;
    for (let k = 0; k < visible.length; k++) {
      const F = faces[visible[k]];
      for (let e = 0; e < 3; e++) {
        const g = edges.get(key(F.v[(e + 1) % 3], F.v[e]))!;
        if (marks[g] || !faces[g].alive) continue;
        if (dot(faces[g].n, pt) - faces[g].d > eps) {
          marks[g] = 1;
          visible.push(g);
        }
      }
    }
    // horizon: edges of visible faces whose twin is not visible
    const horizon: [number, number][] = [];
    for (const f of visible) {
      const F = faces[f];
      for (let e = 0; e < 3; e++) {
        const u = F.v[e], v = F.v[(e + 1) % 3];
        if (!marks[edges.get(key(v, u))!]) horizon.push([u, v]);
      }
    }
    const orphans: number[] = [];
    for (const f of visible) {
      faces[f].alive = false;
      marks[f] = 0;
      for (const q of outside[f] ?? []) if (q !== p) orphans.push(q);
      outside[f] = [];
      const [x, y, z] = faces[f].v;
      for (const [s, t] of [[x, y], [y, z], [z, x]]) if (edges.get(key(s, t)) === f) edges.delete(key(s, t));
    }
    const created: number[] = [];
    for (const [u, v] of horizon) {
      created.push(faces.length);
      addFace(u, v, p);
    }
    assign(orphans, created);
  }

  const alive = faces.filter((f) => f.alive);
  const corner = new Set<number>();
  for (const f of alive) for (const v of f.v) corner.add(v);
  const inputIndex = [...corner].sort((x, y) => x - y);
  const at = new Map(inputIndex.map((v, i) => [v, i]));
  return {
    vertices: inputIndex.map((i) => [points[i][0], points[i][1], points[i][2]]),
    faces: alive.map((f) => [at.get(f.v[0])!, at.get(f.v[1])!, at.get(f.v[2])!]),
    inputIndex,
  };
}

/**
 * Volume, centroid and inertia tensor (unit density, about the centroid) of the convex hull of
 * `points`, by tetrahedra from an interior point to each face. For a tetrahedron (r, r+a, r+b,
 * r+c), with D = det[a b c]: V = D/6, and its second moment Σ ∫ x xᵀ about r is
 * D/120 · (a aᵀ + b bᵀ + c cᵀ + s sᵀ), s = a + b + c (the canonical tetrahedron's covariance
 * (I + 11ᵀ)/120 mapped by [a b c]; Tonon 2004). The inertia tensor is tr(S)·I − S.
 */
export function hullMassProperties(points: readonly Vec3[]): { volume: number; centroid: Vec3; inertia: [Vec3, Vec3, Vec3] } {
  const hull = convexHull(points);
  const vs = hull.vertices;
  const r: Vec3 = [0, 0, 0];
  for (const v of vs) for (let k = 0; k < 3; k++) r[k] += v[k] / vs.length;
  let V = 0;
  const m1: Vec3 = [0, 0, 0];
  const S = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const [i, j, k] of hull.faces) {
    const a = sub(vs[i], r), b = sub(vs[j], r), c = sub(vs[k], r);
    const D = dot(a, cross(b, c));
    V += D / 6;
    const s: Vec3 = [a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2]];
    for (let x = 0; x < 3; x++) {
      m1[x] += (D / 24) * s[x];
      for (let y = 0; y < 3; y++) S[3 * x + y] += (D / 120) * (a[x] * a[y] + b[x] * b[y] + c[x] * c[y] + s[x] * s[y]);
    }
  }
  const cl: Vec3 = [m1[0] / V, m1[1] / V, m1[2] / V];
  // about the centroid: S_c = S − V cl clᵀ (cl relative to r)
  for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) S[3 * x + y] -= V * cl[x] * cl[y];
  const tr = S[0] + S[4] + S[8];
  const I = (x: number, y: number): number => (x === y ? tr : 0) - S[3 * x + y];
  return {
    volume: V,
    centroid: [cl[0] + r[0], cl[1] + r[1], cl[2] + r[2]],
    inertia: [
      [I(0, 0), I(0, 1), I(0, 2)],
      [I(1, 0), I(1, 1), I(1, 2)],
      [I(2, 0), I(2, 1), I(2, 2)],
    ],
  };
}

/**
 * At most `count` hull vertices of `points`, chosen as the farthest point along `count`
 * directions spread evenly over the sphere (a Fibonacci lattice), deduplicated. Every point
 * returned is a vertex of the hull, so the reduced hull lies inside the original and touches it
 * in every sampled direction. Deterministic.
 */
export function supportPoints(points: readonly Vec3[], count: number): Vec3[] {
  const c: Vec3 = [0, 0, 0];
  for (const p of points) for (let k = 0; k < 3; k++) c[k] += p[k] / points.length;
  const chosen = new Set<number>();
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < count; i++) {
    const z = 1 - (2 * (i + 0.5)) / count;
    const rr = Math.sqrt(1 - z * z);
    const dx = rr * Math.cos(golden * i), dy = rr * Math.sin(golden * i);
    let best = -Infinity, at = 0;
    for (let j = 0; j < points.length; j++) {
      const p = points[j];
      const d = (p[0] - c[0]) * dx + (p[1] - c[1]) * dy + (p[2] - c[2]) * z;
      if (d > best) [best, at] = [d, j];
    }
    chosen.add(at);
  }
  return [...chosen].sort((x, y) => x - y).map((j) => points[j]);
}
