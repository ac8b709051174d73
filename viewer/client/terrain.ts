/**
 * The ground: a large checkered plane for flat conditions, or a mesh of the very heightfield
 * physics collides with (TERRAIN message), shaded by height with a 1 m checker.
 */
import * as THREE from 'three';

function checkerTexture(): THREE.CanvasTexture {
  const c = document.createElement('canvas');
  c.width = c.height = 128;
  const g = c.getContext('2d')!;
  g.fillStyle = '#7d8a78';
  g.fillRect(0, 0, 128, 128);
  g.fillStyle = '#6c7868';
  g.fillRect(0, 0, 64, 64);
  g.fillRect(64, 64, 64, 64);
  const t = new THREE.CanvasTexture(c);
  t.wrapS = t.wrapT = THREE.RepeatWrapping;
  t.colorSpace = THREE.SRGBColorSpace;
  t.anisotropy = 4;
  return t;
}

export class TerrainView {
  readonly mesh: THREE.Mesh;
  /** sum of heights (tests compare it to the server's) */
  readonly checksum: number;
  readonly kind: 'flat' | 'heightfield';

  private constructor(mesh: THREE.Mesh, kind: 'flat' | 'heightfield', checksum: number) {
    this.mesh = mesh;
    this.kind = kind;
    this.checksum = checksum;
    mesh.receiveShadow = true;
    mesh.name = `terrain-${kind}`;
  }

  static flat(): TerrainView {
    const size = 400;
    const tex = checkerTexture();
    tex.repeat.set(size / 2, size / 2);
    const mesh = new THREE.Mesh(new THREE.PlaneGeometry(size, size), new THREE.MeshStandardMaterial({ map: tex, roughness: 0.95 }));
    return new TerrainView(mesh, 'flat', 0);
  }

  /**
   * From a TERRAIN message's grid: heights x fastest, (nx+1)(ny+1) samples. With `strip`, only
   * the rows between `yMin` and `yMax` (m) are drawn, shifted `dy` m sideways (compare mode: each
   * world on its own copy of the ground); `checksum` still sums every height.
   */
  static heightfield(nx: number, ny: number, x0: number, y0: number, cell: number, heights: Float32Array, strip?: { yMin: number; yMax: number; dy: number }): TerrainView {
    if (strip) {
      let sum = 0;
      for (let k = 0; k < heights.length; k++) sum += heights[k];
      const j0 = Math.max(0, Math.floor((strip.yMin - y0) / cell)), j1 = Math.min(ny, Math.ceil((strip.yMax - y0) / cell));
      const rows = Math.max(1, j1 - j0);
      const view = TerrainView.heightfield(nx, rows, x0, y0 + j0 * cell, cell, heights.subarray(j0 * (nx + 1), (j0 + rows + 1) * (nx + 1)));
      view.mesh.position.y = strip.dy;
      return new TerrainView(view.mesh, 'heightfield', sum);
    }
    const w = nx + 1, n = w * (ny + 1);
    const pos = new Float32Array(3 * n);
    const col = new Float32Array(3 * n);
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (let k = 0; k < n; k++) {
      lo = Math.min(lo, heights[k]);
      hi = Math.max(hi, heights[k]);
      sum += heights[k];
    }
    const span = hi - lo || 1;
    for (let j = 0; j <= ny; j++) {
      for (let i = 0; i <= nx; i++) {
        const k = i + j * w, x = x0 + i * cell, y = y0 + j * cell, h = heights[k];
        pos[3 * k] = x;
        pos[3 * k + 1] = y;
        pos[3 * k + 2] = h;
        const checker = (Math.floor(x) + Math.floor(y)) & 1 ? 0.92 : 1;
        const t = (h - lo) / span;
        col[3 * k] = (0.36 + 0.3 * t) * checker;
        col[3 * k + 1] = (0.42 + 0.2 * t) * checker;
        col[3 * k + 2] = (0.33 + 0.05 * t) * checker;
      }
    }
    const index = new Uint32Array(6 * nx * ny);
    let p = 0;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const a = i + j * w, b = a + 1, c = a + w, d = c + 1;
        index[p++] = a; index[p++] = b; index[p++] = d;
        index[p++] = a; index[p++] = d; index[p++] = c;
      }
    }
    const geom = new THREE.BufferGeometry();
    geom.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    geom.setAttribute('color', new THREE.BufferAttribute(col, 3));
    geom.setIndex(new THREE.BufferAttribute(index, 1));
    geom.computeVertexNormals();
    const mesh = new THREE.Mesh(geom, new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.95 }));
    return new TerrainView(mesh, 'heightfield', sum);
  }

  dispose(): void {
    this.mesh.removeFromParent();
    this.mesh.geometry.dispose();
    const m = this.mesh.material as THREE.MeshStandardMaterial;
    m.map?.dispose();
    m.dispose();
  }
}
