/**
 * Geom volumes and masses, computed the way MuJoCo's `inertiafromgeom` and Rapier's collider
 * mass properties both do: a capsule is a cylinder of the segment's length plus one whole
 * sphere (its two end caps), a box's `halfExtents` are half its side lengths.
 *
 *   sphere  V = 4/3 π r³
 *   capsule V = π r² L + 4/3 π r³        (L = |to − from|)
 *   box     V = 8 hx hy hz
 *   convex  V = the volume of the points' convex hull, by tetrahedra (convex-hull.ts)
 *   mass    m = geom.mass  if given, else  (geom.density ?? spec.density) · V
 */
import type { BodySpec, GeomSpec, MorphologySpec, Vec3 } from './spec.js';
import { hullMassProperties } from './convex-hull.js';

export type ConvexMassProperties = ReturnType<typeof hullMassProperties>;
const convexCache = new WeakMap<readonly Vec3[], ConvexMassProperties>();

/**
 * Volume, centroid and inertia tensor about the centroid at unit density (kg·m² per kg/m³) of
 * the convex hull of `points`; multiply the inertia by the density for kg·m². Cached per array
 * (specs are not mutated in place once validated). Throws `HullError` for a degenerate hull.
 */
export function convexMassProperties(points: readonly Vec3[]): ConvexMassProperties {
  let m = convexCache.get(points);
  if (!m) convexCache.set(points, (m = hullMassProperties(points)));
  return m;
}

export function sphereVolume(radius: number): number {
  return (4 / 3) * Math.PI * radius ** 3;
}

export function capsuleVolume(radius: number, length: number): number {
  return Math.PI * radius * radius * length + sphereVolume(radius);
}

export function boxVolume(halfExtents: Vec3): number {
  return 8 * halfExtents[0] * halfExtents[1] * halfExtents[2];
}

/** Length of a capsule's segment between its cap centres. */
export function segmentLength(fromto: [Vec3, Vec3]): number {
  const [a, b] = fromto;
  return Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
}

/** Volume of a geom, m³. Throws when the field its shape needs is missing. */
export function geomVolume(geom: GeomSpec): number {
  switch (geom.shape) {
    case 'sphere':
      return sphereVolume(need(geom, 'radius'));
    case 'capsule':
      return capsuleVolume(need(geom, 'radius'), segmentLength(need(geom, 'fromto')));
    case 'box':
      return boxVolume(need(geom, 'halfExtents'));
    case 'convex':
      return convexMassProperties(need(geom, 'points')).volume;
  }
}

/** Mass of a geom, kg: its `mass`, else its density (or the spec's default) times its volume. */
export function geomMass(geom: GeomSpec, defaultDensity: number): number {
  if (geom.mass !== undefined) return geom.mass;
  return (geom.density ?? defaultDensity) * geomVolume(geom);
}

export function bodyMass(body: BodySpec, defaultDensity: number): number {
  return body.geoms.reduce((sum, g) => sum + geomMass(g, defaultDensity), 0);
}

export function totalMass(spec: MorphologySpec): number {
  return spec.bodies.reduce((sum, b) => sum + bodyMass(b, spec.density), 0);
}

function need<K extends 'radius' | 'fromto' | 'halfExtents' | 'points'>(geom: GeomSpec, key: K): NonNullable<GeomSpec[K]> {
  const v = geom[key];
  if (v === undefined) throw new Error(`geom ${geom.name}: a ${geom.shape} needs ${key}`);
  return v as NonNullable<GeomSpec[K]>;
}
