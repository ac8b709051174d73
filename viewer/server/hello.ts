/**
 * The JSON `hello` (what the page needs to build the scene) and the binary TERRAIN message,
 * from a morphology spec and a condition.
 */
import type { MorphologySpec, VisualSpec } from '../../morphologies/spec.js';
import { meshAssets, meshUrl } from './mesh-assets.js';
import { parseCondition } from '../../sim/conditions.js';
import type { Terrain } from '../../sim/terrain.js';
import {
  KIND_TERRAIN,
  PROTOCOL_VERSION,
  TERRAIN_HEADER_WORDS,
  terrainByteLength,
  type CompareWorld,
  type HebbInfo,
  type HelloMessage,
  type SpikeLayerInfo,
  type TerrainInfo,
  type ViewerSpec,
  type ViewerVisual,
} from '../protocol.js';

/** Terrains the page offers in its select (any condition string can also be typed). */
export const TERRAIN_PRESET_INPUT: Record<string, string> = {
  flat: 'flat',
  'slope up 8°': 'slope(deg=8)',
  'slope down 8°': 'slope(deg=-8)',
  rough: 'rough(amplitude=0.08)',
  'very rough': 'rough(amplitude=0.15, scale=1)',
  'steps up': 'steps(height=0.05)',
  'steps down': 'steps(height=-0.05)',
};

/**
 * The presets as canonical labels (what `parseCondition(..).label` and so every hello's
 * `condition` spell), so the page finds the current terrain among them instead of adding it
 * again under another spelling.
 */
export const TERRAIN_PRESETS: Record<string, string> = Object.fromEntries(Object.entries(TERRAIN_PRESET_INPUT).map(([k, v]) => [k, parseCondition(v).label]));

/**
 * viewer/protocol.ts imports nothing, so `ViewerVisual` restates `VisualSpec` (less `mesh`, plus
 * the URL it is served at). This fails to compile if the two ever differ in a field.
 */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? (A extends B ? (B extends A ? true : false) : false) : false) : false;
const VISUAL_FIELDS_AGREE: SameKeys<Omit<VisualSpec, 'mesh'>, Omit<ViewerVisual, 'url' | 'format'>> = true;
void VISUAL_FIELDS_AGREE;

export function viewerSpec(spec: MorphologySpec): ViewerSpec {
  const assets = new Map(meshAssets(spec).map((a) => [a.path, a]));
  const visual = (v: VisualSpec): ViewerVisual => {
    const { mesh, ...rest } = v;
    const a = mesh !== undefined ? assets.get(mesh) : undefined;
    return a ? { ...rest, url: meshUrl(a), format: a.format } : rest;
  };
  return {
    name: spec.name,
    bodies: spec.bodies.map((b) => ({
      name: b.name,
      parent: b.parent,
      pos: b.pos,
      joint: b.joint ? { name: b.joint.name, gear: b.joint.gear, axis: b.joint.axis, range: b.joint.range } : undefined,
      geoms: b.geoms.map((g) => ({ name: g.name, shape: g.shape, radius: g.radius, fromto: g.fromto, halfExtents: g.halfExtents, pos: g.pos, points: g.points })),
      ...(b.visuals?.length ? { visuals: b.visuals.map(visual) } : {}),
    })),
    feet: spec.feet,
    legs: spec.legs,
  };
}

export function terrainInfo(t: Terrain): TerrainInfo {
  return t.kind === 'flat' ? { kind: 'flat' } : { kind: 'heightfield', label: t.label, nx: t.nx, ny: t.ny, x0: t.x0, y0: t.y0, cell: t.cell };
}

/** The TERRAIN message for a heightfield (null for flat ground). */
export function terrainMessage(t: Terrain, epoch: number): Uint8Array | null {
  if (t.kind === 'flat') return null;
  const buf = new ArrayBuffer(terrainByteLength(t.nx, t.ny));
  const u32 = new Uint32Array(buf), f32 = new Float32Array(buf);
  u32[0] = KIND_TERRAIN;
  u32[1] = epoch;
  u32[2] = t.nx;
  u32[3] = t.ny;
  f32[4] = t.x0;
  f32[5] = t.y0;
  f32[6] = t.cell;
  f32.set(t.heights, TERRAIN_HEADER_WORDS);
  return new Uint8Array(buf);
}

export interface HelloParts {
  epoch: number;
  mode: 'live' | 'replay';
  spec: MorphologySpec;
  bodyNames: string[];
  jointNames: string[];
  terrain: Terrain;
  condition: string;
  controller: string;
  controlDt: number;
  layers: readonly SpikeLayerInfo[];
  hebb: readonly HebbInfo[];
  frameBytes: number;
  /** compare mode: the worlds in lockstep */
  compare?: CompareWorld[];
}

export function buildHello(p: HelloParts): HelloMessage {
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    epoch: p.epoch,
    mode: p.mode,
    spec: viewerSpec(p.spec),
    bodyNames: p.bodyNames,
    jointNames: p.jointNames,
    gears: p.spec.bodies.filter((b) => b.joint).map((b) => b.joint!.gear),
    terrain: terrainInfo(p.terrain),
    condition: p.condition,
    controller: p.controller,
    controlDt: p.controlDt,
    layers: p.layers.map((l) => ({ name: l.name, size: l.size })),
    hebb: p.hebb.map((h) => ({ name: h.name, rows: h.rows, cols: h.cols })),
    frameBytes: p.frameBytes,
    legs: Object.keys(p.spec.legs),
    presets: TERRAIN_PRESETS,
    ...(p.compare ? { compare: p.compare } : {}),
  };
}
