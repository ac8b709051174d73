/**
 * The robot's meshes, built from the morphology spec in `hello` (the same geoms physics
 * uses, a convex geom as the hull of its points), and their poses from frames, interpolated
 * between the last two frames so the page draws smoothly at its own frame rate. A body with
 * visuals (imported `<visual>` parts) is drawn from them instead: primitives at once, meshes
 * fetched from the server's `/mesh/<id>` and parsed with three's STLLoader / OBJLoader; until a
 * body's meshes have all loaded, and for good if one fails, its collision shapes are drawn.
 */
import * as THREE from 'three';
import { ConvexGeometry } from 'three/examples/jsm/geometries/ConvexGeometry.js';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import type { ViewerGeom, ViewerSpec, ViewerVisual } from '../protocol.js';

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
  } else if (g.shape === 'convex') {
    geometry = new ConvexGeometry((g.points ?? []).map((p) => new THREE.Vector3(p[0], p[1], p[2])));
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

/** A visual primitive's geometry (cylinders and capsules along local z), or null for a mesh. */
function visualGeometry(v: ViewerVisual): THREE.BufferGeometry | null {
  switch (v.shape) {
    case 'sphere':
      return new THREE.SphereGeometry(v.radius ?? 0.05, 32, 16);
    case 'box': {
      const h = v.halfExtents ?? [0.05, 0.05, 0.05];
      return new THREE.BoxGeometry(2 * h[0], 2 * h[1], 2 * h[2]);
    }
    case 'cylinder':
      return new THREE.CylinderGeometry(v.radius ?? 0.05, v.radius ?? 0.05, v.length ?? 0.1, 24).rotateX(Math.PI / 2);
    case 'capsule':
      return new THREE.CapsuleGeometry(v.radius ?? 0.05, v.length ?? 0.1, 6, 16).rotateX(Math.PI / 2);
    case 'mesh':
      return null;
  }
}

/** What the robot view drew, for the page's test API. */
export interface RobotDrawing {
  /** bodies drawn from their visuals (all their meshes loaded) */
  visualBodies: number;
  /** visual meshes loaded from the server, still loading, failed */
  meshesLoaded: number;
  meshesLoading: number;
  meshesFailed: number;
  /** names of the mesh objects that are drawn when the robot is (geoms by geom name, visuals `body:visual:k`) */
  visible: string[];
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
  private readonly counts = { loaded: 0, loading: 0, failed: 0 };
  private disposed = false;

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
      const geoms = new THREE.Group();
      geoms.name = `${b.name}:geoms`;
      for (const geom of b.geoms) geoms.add(geomMesh(geom, b.parent === null ? torso : feet.has(geom.name) ? foot : limb));
      g.add(geoms);
      if (b.visuals?.length) this.addVisuals(g, geoms, b.name, b.visuals, b.parent === null ? torso : limb);
      this.bodies.push(g);
      this.group.add(g);
    }
    this.group.visible = false; // until the first frame places it
    this.prev = new Float32Array(7 * spec.bodies.length);
    this.cur = new Float32Array(7 * spec.bodies.length);
  }

  /** Build a body's visuals (hidden until every mesh of the body has loaded; then its geoms hide). */
  private addVisuals(body: THREE.Group, geoms: THREE.Group, name: string, visuals: ViewerVisual[], fallback: THREE.Material): void {
    const group = new THREE.Group();
    group.name = `${name}:visuals`;
    group.visible = false;
    body.add(group);
    let pending = 0;
    let failed = false;
    const done = (): void => {
      if (pending > 0 || failed || this.disposed) return;
      group.visible = true;
      geoms.visible = false;
    };
    visuals.forEach((v, k) => {
      const holder = new THREE.Group();
      holder.name = `${name}:visual:${k}`;
      if (v.pos) holder.position.set(v.pos[0], v.pos[1], v.pos[2]);
      if (v.quat) holder.quaternion.set(v.quat[1], v.quat[2], v.quat[3], v.quat[0]).normalize();
      if (v.scale) holder.scale.set(v.scale[0], v.scale[1], v.scale[2]);
      group.add(holder);
      let material = fallback;
      if (v.rgba) {
        material = new THREE.MeshStandardMaterial({ color: new THREE.Color(v.rgba[0], v.rgba[1], v.rgba[2]), opacity: v.rgba[3], transparent: v.rgba[3] < 1, roughness: 0.5 });
        this.materials.push(material);
      }
      const place = (geometry: THREE.BufferGeometry): void => {
        const mesh = new THREE.Mesh(geometry, material);
        mesh.name = holder.name;
        mesh.castShadow = true;
        mesh.receiveShadow = true;
        holder.add(mesh);
      };
      const prim = visualGeometry(v);
      if (prim) return place(prim);
      if (!v.url) return;
      pending++;
      this.counts.loading++;
      void this.loadMesh(v.url, v.format ?? 'stl').then(
        (geometries) => {
          this.counts.loading--;
          if (this.disposed) return geometries.forEach((x) => x.dispose());
          this.counts.loaded++;
          geometries.forEach(place);
          pending--;
          done();
        },
        (err: unknown) => {
          this.counts.loading--;
          this.counts.failed++;
          failed = true;
          console.warn(`viewer: visual mesh ${v.url} of body ${name}: ${(err as Error).message}; drawing its collision shapes`);
        },
      );
    });
    done();
  }

  private async loadMesh(url: string, format: 'stl' | 'obj'): Promise<THREE.BufferGeometry[]> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    if (format === 'stl') {
      const g = new STLLoader().parse(await res.arrayBuffer());
      g.computeVertexNormals();
      return [g];
    }
    const out: THREE.BufferGeometry[] = [];
    new OBJLoader().parse(await res.text()).traverse((o) => {
      if (o instanceof THREE.Mesh) out.push(o.geometry as THREE.BufferGeometry);
    });
    for (const g of out) if (!g.getAttribute('normal')) g.computeVertexNormals();
    if (!out.length) throw new Error('the OBJ file has no faces');
    return out;
  }

  /** What is drawn (the page's test API). */
  drawing(): RobotDrawing {
    const visible: string[] = [];
    for (const b of this.bodies) {
      b.traverseVisible((o) => {
        if (o instanceof THREE.Mesh) visible.push(o.name);
      });
    }
    const visualBodies = this.bodies.filter((b) => b.children.some((c) => c.name.endsWith(':visuals') && c.visible)).length;
    return { visualBodies, meshesLoaded: this.counts.loaded, meshesLoading: this.counts.loading, meshesFailed: this.counts.failed, visible };
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
    this.disposed = true;
    this.group.removeFromParent();
    this.group.traverse((o) => {
      if (o instanceof THREE.Mesh) o.geometry.dispose();
    });
    for (const m of this.materials) m.dispose();
  }
}
