/** Small real mesh files for the import tests: boxes and tetrahedra as binary STL, ASCII STL and OBJ. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vec3 } from '../../morphologies/spec.js';

export type Tri = [Vec3, Vec3, Vec3];

/** The 8 corners of a box with half extents `h` centred at `c`, and its 12 outward triangles (as OBJ faces, 0-based). */
export function boxMesh(h: Vec3, c: Vec3 = [0, 0, 0]): { vertices: Vec3[]; faces: [number, number, number][] } {
  const vertices: Vec3[] = [];
  for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) vertices.push([c[0] + x * h[0], c[1] + y * h[1], c[2] + z * h[2]]);
  // index = 4·(x>0) + 2·(y>0) + (z>0)
  const faces: [number, number, number][] = [
    [0, 1, 3], [0, 3, 2], // x−
    [4, 6, 7], [4, 7, 5], // x+
    [0, 4, 5], [0, 5, 1], // y−
    [2, 3, 7], [2, 7, 6], // y+
    [0, 2, 6], [0, 6, 4], // z−
    [1, 5, 7], [1, 7, 3], // z+
  ];
  return { vertices, faces };
}

export function tetraMesh(): { vertices: Vec3[]; faces: [number, number, number][] } {
  return { vertices: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], faces: [[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]] };
}

export const triangles = (m: { vertices: Vec3[]; faces: [number, number, number][] }): Tri[] => m.faces.map(([a, b, c]) => [m.vertices[a], m.vertices[b], m.vertices[c]]);

export function writeBinaryStl(path: string, tris: Tri[]): void {
  const buf = Buffer.alloc(84 + 50 * tris.length);
  buf.write('binary STL written by spikeloco tests', 0, 'latin1');
  buf.writeUInt32LE(tris.length, 80);
  tris.forEach((t, i) => {
    const o = 84 + 50 * i;
    t.forEach((v, k) => v.forEach((x, j) => buf.writeFloatLE(x, o + 12 + 12 * k + 4 * j)));
  });
  writeFileSync(path, buf);
}

export function writeAsciiStl(path: string, tris: Tri[], name = 'part'): void {
  const lines = [`solid ${name}`];
  for (const t of tris) {
    lines.push('  facet normal 0 0 0', '    outer loop');
    for (const v of t) lines.push(`      vertex ${v.join(' ')}`);
    lines.push('    endloop', '  endfacet');
  }
  lines.push(`endsolid ${name}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

export function writeObj(path: string, m: { vertices: Vec3[]; faces: [number, number, number][] }): void {
  const lines = ['# written by spikeloco tests', 'o part', ...m.vertices.map((v) => `v ${v.join(' ')}`), 'vn 0 0 1', ...m.faces.map((f) => `f ${f.map((i) => `${i + 1}//1`).join(' ')}`)];
  writeFileSync(path, lines.join('\n') + '\n');
}

/** A two-link URDF written to `folder`/robot.urdf: a box base and a leg whose collision is the mesh `legMesh` at `origin`; `visual` goes into the base link. */
export function meshRobot(folder: string, opts: { legMesh: string; visual?: string; legInertial?: string; origin?: string }): string {
  const path = join(folder, 'robot.urdf');
  writeFileSync(
    path,
    `<?xml version="1.0"?>
<robot name="meshbot">
  <material name="blue"><color rgba="0 0 1 1"/></material>
  <link name="base">
    <inertial><mass value="3"/></inertial>
    <collision><geometry><box size="0.4 0.2 0.1"/></geometry></collision>
    ${opts.visual ?? ''}
  </link>
  <joint name="hip" type="revolute">
    <parent link="base"/><child link="leg"/>
    <origin xyz="0.2 0 0"/><axis xyz="0 1 0"/>
    <limit lower="-0.8" upper="0.8" effort="8"/><dynamics damping="0.1"/>
  </joint>
  <link name="leg">
    ${opts.legInertial ?? ''}
    <collision><origin ${opts.origin ?? 'xyz="0 0 0" rpy="0 0 0"'}/><geometry><mesh filename="${opts.legMesh}" scale="1 1 1"/></geometry></collision>
  </link>
</robot>
`,
  );
  return path;
}

