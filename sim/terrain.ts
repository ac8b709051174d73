/**
 * Terrains as data: a flat plane or a heightfield on a regular grid, z up, generated from a
 * seed so that the same name and seed give the same ground. The viewer draws the very same
 * arrays that physics collides with.
 *
 * Grid layout: `nx × ny` cells of `cell` metres starting at (x0, y0); `heights` holds
 * (nx+1)(ny+1) samples, x fastest: h(x0 + i·cell, y0 + j·cell) = heights[i + j·(nx+1)].
 */
import { Rng } from '../core/rng.js';

export interface Terrain {
  kind: 'flat' | 'heightfield';
  /** human-readable origin, e.g. 'rough(amplitude=0.08, scale=1.5, seed=3)' */
  label: string;
  nx: number;
  ny: number;
  x0: number;
  y0: number;
  cell: number;
  heights: Float32Array;
}

/** The region a heightfield covers: the robot starts at the origin facing +x. */
export const TERRAIN_EXTENT = { xMin: -8, xMax: 56, yMin: -12, yMax: 12, cell: 0.125 };
/** radius around the spawn point kept flat so that no robot starts inside the ground */
export const SPAWN_FLAT_RADIUS = 1.0;

export function flatTerrain(): Terrain {
  return { kind: 'flat', label: 'flat', nx: 0, ny: 0, x0: 0, y0: 0, cell: 1, heights: new Float32Array(0) };
}

function grid(label: string, f: (x: number, y: number) => number): Terrain {
  const { xMin, xMax, yMin, yMax, cell } = TERRAIN_EXTENT;
  const nx = Math.round((xMax - xMin) / cell);
  const ny = Math.round((yMax - yMin) / cell);
  const heights = new Float32Array((nx + 1) * (ny + 1));
  for (let j = 0; j <= ny; j++) {
    const y = yMin + j * cell;
    for (let i = 0; i <= nx; i++) heights[i + j * (nx + 1)] = f(xMin + i * cell, y);
  }
  return { kind: 'heightfield', label, nx, ny, x0: xMin, y0: yMin, cell, heights };
}

/** 0 inside the spawn disc, rising smoothly to 1 over the next metre. */
function spawnBlend(x: number, y: number): number {
  const r = Math.hypot(x, y);
  if (r <= SPAWN_FLAT_RADIUS) return 0;
  const t = Math.min(1, r - SPAWN_FLAT_RADIUS);
  return t * t * (3 - 2 * t);
}

/**
 * A plane rising along +x at `deg` degrees (negative: descending), flat for x < `start`
 * so the robot starts on level ground.
 */
export function slopeTerrain(deg: number, start = SPAWN_FLAT_RADIUS): Terrain {
  const g = Math.tan((deg * Math.PI) / 180);
  return grid(`slope(deg=${deg})`, (x) => (x > start ? g * (x - start) : 0));
}

/**
 * Smooth random bumps: value noise on a lattice of spacing `scale` metres (plus one octave at
 * half the spacing), cubic-interpolated, scaled so that |h| ≤ amplitude; flat at the spawn.
 */
export function roughTerrain(amplitude: number, scale: number, seed: number): Terrain {
  const rng = new Rng(seed);
  const { xMin, xMax, yMin, yMax } = TERRAIN_EXTENT;
  const octaves = [
    { spacing: scale, weight: 1 },
    { spacing: scale / 2, weight: 0.5 },
  ].map(({ spacing, weight }) => {
    const lx = Math.ceil((xMax - xMin) / spacing) + 2;
    const ly = Math.ceil((yMax - yMin) / spacing) + 2;
    const v = new Float32Array(lx * ly);
    for (let k = 0; k < v.length; k++) v[k] = rng.range(-1, 1);
    return { spacing, weight, lx, v };
  });
  const norm = 1 / octaves.reduce((s, o) => s + o.weight, 0);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  return grid(`rough(amplitude=${amplitude}, scale=${scale}, seed=${seed})`, (x, y) => {
    let h = 0;
    for (const o of octaves) {
      const gx = (x - xMin) / o.spacing, gy = (y - yMin) / o.spacing;
      const i = Math.floor(gx), j = Math.floor(gy);
      const fx = smooth(gx - i), fy = smooth(gy - j);
      const a = o.v[i + j * o.lx], b = o.v[i + 1 + j * o.lx];
      const c = o.v[i + (j + 1) * o.lx], d = o.v[i + 1 + (j + 1) * o.lx];
      h += o.weight * ((a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy);
    }
    return amplitude * norm * h * spawnBlend(x, y);
  });
}

/**
 * A staircase along +x: treads of `length` metres, each `height` higher than the last
 * (negative: descending), starting at x = `start`.
 */
export function stepsTerrain(height: number, length: number, start = SPAWN_FLAT_RADIUS): Terrain {
  return grid(`steps(height=${height}, length=${length})`, (x) => (x > start ? height * Math.ceil((x - start) / length) : 0));
}

/** Ground height under (x, y): bilinear in the grid cell; 0 for flat or outside the grid. */
export function heightAt(t: Terrain, x: number, y: number): number {
  if (t.kind === 'flat') return 0;
  const gx = (x - t.x0) / t.cell, gy = (y - t.y0) / t.cell;
  if (!(gx >= 0 && gy >= 0 && gx <= t.nx && gy <= t.ny)) return 0;
  const i = Math.min(Math.floor(gx), t.nx - 1), j = Math.min(Math.floor(gy), t.ny - 1);
  const fx = gx - i, fy = gy - j, w = t.nx + 1, h = t.heights;
  return (h[i + j * w] * (1 - fx) + h[i + 1 + j * w] * fx) * (1 - fy) + (h[i + (j + 1) * w] * (1 - fx) + h[i + 1 + (j + 1) * w] * fx) * fy;
}
