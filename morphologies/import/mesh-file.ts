/**
 * Mesh files for the importers: STL (binary and ASCII) and Wavefront OBJ, read into vertices
 * and triangles; and the reduction of a mesh to the points of its convex hull, which is what a
 * colliding mesh becomes in the spec (MuJoCo, too, collides a mesh by its convex hull).
 *
 * - Binary STL: an 80-byte header, a uint32 triangle count n, then n records of 50 bytes
 *   (normal, three vertices as float32 LE, a uint16 attribute); the file must be exactly
 *   84 + 50 n bytes. A file that starts with `solid` and is not of that size is ASCII:
 *   `facet normal … outer loop vertex x y z ×3 endloop endfacet`, closed by `endsolid`.
 * - OBJ: `v x y z [w]` vertices, `f i j k …` faces (`i`, `i/t`, `i//n`, `i/t/n`; negative
 *   indices count back from the newest vertex), fanned into triangles; other statements
 *   (`vn`, `vt`, `o`, `g`, `s`, `usemtl`, `mtllib`, …) are skipped.
 * Every error is a `SpecError` naming the file (and for text formats the line).
 */
import { readFileSync } from 'node:fs';
import type { Vec3 } from '../spec.js';
import { SpecError } from '../spec-error.js';
import { convexHull, HullError, supportPoints } from '../convex-hull.js';

export interface MeshData {
  /** x y z per vertex */
  vertices: Float32Array;
  /** three vertex indices per triangle */
  triangles: Uint32Array;
}

/** Hulls of imported meshes keep at most this many points (directions sampled by `supportPoints`). */
export const IMPORT_HULL_POINTS = 256;
/** Above this many distinct vertices, a mesh is first reduced by support points before its hull. */
const PRESAMPLE_ABOVE = 4096;

const fail = (file: string, detail: string, line?: number): SpecError => new SpecError('(file)', detail, line !== undefined ? `${file}:${line}` : file);

export function meshFormat(path: string): 'stl' | 'obj' | null {
  return /\.stl$/i.test(path) ? 'stl' : /\.obj$/i.test(path) ? 'obj' : null;
}

/** Read an `.stl` or `.obj` file. */
export function readMeshFile(file: string): MeshData {
  const format = meshFormat(file);
  if (!format) throw fail(file, 'mesh files must be .stl or .obj (other formats, e.g. .dae, are not supported: convert the mesh)');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new SpecError('(file)', `cannot read mesh: ${(e as Error).message}`, file, { cause: e });
  }
  return format === 'stl' ? parseStl(bytes, file) : parseObj(bytes.toString('utf8'), file);
}

export function parseStl(bytes: Uint8Array, file: string): MeshData {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength >= 84 ? dv.getUint32(80, true) : -1;
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.byteLength, 512))).toString('latin1');
  const binary = n >= 0 && bytes.byteLength === 84 + 50 * n;
  if (!binary && /^\s*solid\b/.test(head)) return parseAsciiStl(Buffer.from(bytes).toString('latin1'), file);
  if (!binary) {
    if (n < 0) throw fail(file, `not an STL file: ${bytes.byteLength} bytes, shorter than a binary STL's 84-byte header and not ASCII ("solid …")`);
    throw fail(file, `truncated or corrupt binary STL: the header counts ${n} triangles (${84 + 50 * n} bytes), the file has ${bytes.byteLength} bytes`);
  }
  if (n === 0) throw fail(file, 'the STL file has no triangles');
  const vertices = new Float32Array(9 * n);
  for (let t = 0; t < n; t++) {
    const o = 84 + 50 * t + 12;
    for (let k = 0; k < 9; k++) {
      const x = dv.getFloat32(o + 4 * k, true);
      if (!Number.isFinite(x)) throw fail(file, `corrupt binary STL: triangle ${t} has a non-finite coordinate`);
      vertices[9 * t + k] = x;
    }
  }
  return { vertices, triangles: Uint32Array.from({ length: 3 * n }, (_, i) => i) };
}

function parseAsciiStl(text: string, file: string): MeshData {
  const out: number[] = [];
  let inLoop = 0, ended = false, lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const w = raw.trim().split(/\s+/);
    switch (w[0]) {
      case 'vertex': {
        const v = w.slice(1).map(Number);
        if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw fail(file, `ASCII STL: expected "vertex x y z", got ${JSON.stringify(raw.trim())}`, lineNo);
        out.push(...v);
        inLoop++;
        break;
      }
      case 'outer':
        inLoop = 0;
        break;
      case 'endloop':
        if (inLoop !== 3) throw fail(file, `ASCII STL: a loop has ${inLoop} vertices, expected 3`, lineNo);
        break;
      case 'endsolid':
        ended = true;
        break;
      case 'solid':
      case 'facet':
      case 'endfacet':
      case '':
        break;
      default:
        throw fail(file, `ASCII STL: unexpected ${JSON.stringify(w[0])}`, lineNo);
    }
  }
  if (!ended) throw fail(file, 'truncated ASCII STL: no "endsolid" line');
  if (out.length === 0 || out.length % 9 !== 0) throw fail(file, `ASCII STL: ${out.length / 3} vertices do not make whole triangles`);
  return { vertices: Float32Array.from(out), triangles: Uint32Array.from({ length: out.length / 3 }, (_, i) => i) };
}

export function parseObj(text: string, file: string): MeshData {
  const v: number[] = [];
  const tri: number[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const s = raw.replace(/#.*/, '').trim();
    if (s === '') continue;
    const w = s.split(/\s+/);
    if (w[0] === 'v') {
      const xyz = w.slice(1, 4).map(Number);
      if (w.length < 4 || xyz.some((x) => !Number.isFinite(x))) throw fail(file, `OBJ: expected "v x y z", got ${JSON.stringify(s)}`, lineNo);
      v.push(...xyz);
    } else if (w[0] === 'f') {
      const nv = v.length / 3;
      const idx = w.slice(1).map((t) => {
        const i = Number(t.split('/')[0]);
        const k = i < 0 ? nv + i : i - 1;
        if (!Number.isInteger(i) || i === 0 || k < 0 || k >= nv) throw fail(file, `OBJ: face vertex ${JSON.stringify(t)} is not one of the ${nv} vertices defined so far`, lineNo);
        return k;
      });
      if (idx.length < 3) throw fail(file, `OBJ: a face needs at least 3 vertices, got ${idx.length}`, lineNo);
      for (let k = 1; k + 1 < idx.length; k++) tri.push(idx[0], idx[k], idx[k + 1]);
    }
  }
  if (v.length === 0) throw fail(file, 'OBJ: no vertices ("v x y z" lines)');
  return { vertices: Float32Array.from(v), triangles: Uint32Array.from(tri) };
}

/**
 * The points a colliding mesh becomes: its vertices scaled per axis, deduplicated, reduced to
 * at most `IMPORT_HULL_POINTS` vertices of their convex hull (support points along evenly
 * spread directions when the hull has more; `reduced` says so). Throws a `SpecError` naming
 * `file` when the mesh spans no volume.
 */
export function meshHullPoints(mesh: MeshData, scale: Vec3, file: string): { points: Vec3[]; reduced: boolean } {
  const v = mesh.vertices;
  const pts: Vec3[] = [];
  for (let i = 0; i < v.length; i += 3) pts.push([v[i] * scale[0], v[i + 1] * scale[1], v[i + 2] * scale[2]]);
  return hullPoints(pts, file);
}

/** `meshHullPoints` of points already scaled (e.g. an MJCF mesh's inline `vertex`). */
export function hullPoints(points: readonly Vec3[], file: string): { points: Vec3[]; reduced: boolean } {
  const seen = new Set<string>();
  let pts: Vec3[] = [];
  for (const p of points) {
    const k = p.join(',');
    if (!seen.has(k)) {
      seen.add(k);
      pts.push(p);
    }
  }
  let reduced = false;
  if (pts.length > PRESAMPLE_ABOVE) {
    pts = supportPoints(pts, PRESAMPLE_ABOVE);
    reduced = true;
  }
  try {
    let hull = convexHull(pts).vertices;
    if (hull.length > IMPORT_HULL_POINTS) {
      hull = convexHull(supportPoints(hull, IMPORT_HULL_POINTS)).vertices;
      reduced = true;
    }
    return { points: hull, reduced };
  } catch (e) {
    if (e instanceof HullError) throw fail(file, `the mesh cannot be a collision shape: ${e.message}`);
    throw e;
  }
}
