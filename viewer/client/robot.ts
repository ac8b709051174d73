/**
 * The robot's meshes, built from the morphology spec in `hello` (the same geoms physics
 * uses), and their poses from frames, interpolated between the last two frames so the page
 * draws smoothly at its own frame rate.
 */
import * as THREE from 'three';
import type { ViewerGeom, ViewerSpec } from '../protocol.js';

const UP = new THREE.Vector3(0, 1, 0);
export const TORSO_COLOR = 0xd9a441;

function geomMesh(g: ViewerGeom, material: THREE.Material): THREE.Mesh {
  let geometry: THREE.BufferGeometry;
  const mesh = new THREE.Mesh();
  if (g.shape === 'sphere') {
    geometry = new THREE.SphereGeometry(g.radius ?? 0.1, 32, 16);
    if (g.pos) mesh.position.set(g.pos[0], g.pos[1], g.pos[2]);
  } else if (g.shape === 'box') {
    const h = g.halfExtents ?? [0.1, 0.1, 0.1];
    geometry = new THREE.BoxGeometry(2 * h[0], 2 * h[1], 2 * h[2]);
    if (g.pos) mesh.position.set(g.pos[0], g.pos[1], g.pos[2]);
  } else {
    const [a, b] = g.fromto ?? [[0, 0, 0], [0, 0, 0]];
    const d = new THREE.Vector3(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    const len = d.length();
    geometry = new THREE.CapsuleGeometry(g.radius ?? 0.05, len, 6, 16);
    mesh.position.set((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2);
    if (len > 0) mesh.quaternion.setFromUnitVectors(UP, d.divideScalar(len));
  }
  mesh.geometry = geometry;
  mesh.material = material;
  mesh.castShadow = true;
  mesh.receiveShadow = true;
  mesh.name = g.name;
  return mesh;
}

export class RobotView {
  readonly group = new THREE.Group();
  private readonly bodies: THREE.Group[] = [];
  private readonly materials: THREE.Material[] = [];
  private prev: Float32Array;
  private cur: Float32Array;
  private arrival = 0;
  private interval = 50;
  private hasFrame = false;
  private readonly qa = new THREE.Quaternion();
  private readonly qb = new THREE.Quaternion();

  /**
   * `offsetY`: drawn that far to the side of where physics has it (compare mode's worlds all
   * run at y = 0); `torsoColor` tells the robots of two worlds apart.
   */
  constructor(spec: ViewerSpec, opts: { offsetY?: number; torsoColor?: number } = {}) {
    this.group.position.y = opts.offsetY ?? 0;
    const torso = new THREE.MeshStandardMaterial({ color: opts.torsoColor ?? TORSO_COLOR, roughness: 0.45, metalness: 0.1 });
    const limb = new THREE.MeshStandardMaterial({ color: 0x6f8fb8, roughness: 0.5, metalness: 0.05 });
    const foot = new THREE.MeshStandardMaterial({ color: 0x34465e, roughness: 0.6 });
    this.materials.push(torso, limb, foot);
    const feet = new Set(spec.feet);
    for (const b of spec.bodies) {
      const g = new THREE.Group();
      g.name = b.name;
      for (const geom of b.geoms) g.add(geomMesh(geom, b.parent === null ? torso : feet.has(geom.name) ? foot : limb));
      this.bodies.push(g);
      this.group.add(g);
    }
    this.group.visible = false; // until the first frame places it
    this.prev = new Float32Array(7 * spec.bodies.length);
    this.cur = new Float32Array(7 * spec.bodies.length);
  }

  /** A new frame's poses (7 per body, from `offset` in `f32`). */
  setPoses(f32: Float32Array, offset: number, now: number): void {
    const t = this.prev;
    this.prev = this.cur;
    this.cur = t;
    for (let i = 0; i < t.length; i++) t[i] = f32[offset + i];
    if (!this.hasFrame) {
      this.prev.set(t);
      this.hasFrame = true;
      this.group.visible = true;
    } else {
      const dt = now - this.arrival;
      if (dt > 0 && dt < 500) this.interval = 0.8 * this.interval + 0.2 * dt;
    }
    this.arrival = now;
  }

  /** Jump to the latest poses (after a teleport: reset, condition switch). */
  snap(): void {
    this.prev.set(this.cur);
  }

  /** Pose the meshes for time `now` (ms): between the last two frames. */
  update(now: number): void {
    if (!this.hasFrame) return;
    const a = Math.min(1, Math.max(0, (now - this.arrival) / Math.max(8, this.interval)));
    const p = this.prev, c = this.cur;
    for (let b = 0; b < this.bodies.length; b++) {
      const o = 7 * b;
      const g = this.bodies[b];
      g.position.set(p[o] + (c[o] - p[o]) * a, p[o + 1] + (c[o + 1] - p[o + 1]) * a, p[o + 2] + (c[o + 2] - p[o + 2]) * a);
      this.qa.set(p[o + 3], p[o + 4], p[o + 5], p[o + 6]);
      this.qb.set(c[o + 3], c[o + 4], c[o + 5], c[o + 6]);
      g.quaternion.slerpQuaternions(this.qa, this.qb, a);
    }
  }

  /** Interpolated torso position as drawn (body 0 is the root in every spec the server sends first). */
  torso(out: THREE.Vector3): THREE.Vector3 {
    return out.copy(this.bodies[0].position).add(this.group.position);
  }

  dispose(): void {
    this.group.removeFromParent();
    this.group.traverse((o) => {
      if (o instanceof THREE.Mesh) o.geometry.dispose();
    });
    for (const m of this.materials) m.dispose();
  }
}
