/**
 * The viewer's wire protocol: the one module the Node server and the browser client both
 * import. It holds no Node or DOM dependency and no project import, only data layouts.
 *
 * Server → client
 * - text: JSON `ServerMessage` (`hello`, `status`, `episode`, `ack`, `error`).
 * - binary: little-endian, 4-byte aligned; word 0 is the message kind.
 *
 * FRAME (kind 1), one per control step sent (fixed size for a given `hello`):
 *
 * | word             | type | field                                                            |
 * |------------------|------|------------------------------------------------------------------|
 * | 0                | u32  | kind = 1                                                         |
 * | 1                | u32  | epoch: the `hello` this frame belongs to (drop frames of others)  |
 * | 2                | u32  | seq: frames sent so far by the session                           |
 * | 3                | u32  | step: control steps since the episode began                       |
 * | 4                | u32  | flags: bit 0 episode over, bit 1 paused, bit 2 replay             |
 * | 5                | f32  | sim time, s                                                       |
 * | 6                | f32  | reward of the last step                                           |
 * | 7                | f32  | episode return so far                                             |
 * | 8                | f32  | distance: torso x − torso x at the episode's start, m            |
 * | 9..11            | f32  | torso velocity (x, y, z), m/s, from the pose change over the step |
 * | 12               | f32  | playback speed (× real time)                                      |
 * | 13               | u32  | why the episode ended: `END_REASONS[i]`, 0 while it goes on       |
 * | 14..15           | —    | reserved (0)                                                      |
 * | 16 …             | f32  | body poses, 7 per body: x, y, z, qx, qy, qz, qw (world, z up)     |
 * | …                | f32  | joint torques τ_j = gear_j · a_j, N·m, in action order            |
 * | …                | u32  | spikes: per layer ⌈size/32⌉ words, neuron i → bit i%32 of word i/32 |
 *
 * HEBB (kind 2): u32 kind, u32 epoch, u32 matrix index, u32 rows, u32 cols, f32 lo, f32 hi,
 * u32 reserved, then rows·cols bytes (row-major), value ≈ lo + (hi − lo)·byte/255, padded to
 * a multiple of 4 bytes. Sent at a lower rate than frames.
 *
 * COMPARE (kind 4), one per control step sent in compare mode (`hello.compare` set): two
 * worlds stepped in lockstep, each world's state a whole FRAME as above:
 *
 * | word                 | type | field                                                        |
 * |----------------------|------|--------------------------------------------------------------|
 * | 0                    | u32  | kind = 4                                                     |
 * | 1                    | u32  | epoch                                                        |
 * | 2                    | u32  | seq: compare frames sent so far                              |
 * | 3                    | u32  | step: control steps since the pair's episode began (both worlds step once per control step) |
 * | 4                    | u32  | flags: bit 1 paused                                          |
 * | 5..7                 | —    | reserved (0)                                                 |
 * | 8 …                  | —    | world 0's FRAME (kind 1, same epoch), then world 1's: at the word offsets `compareLayout` gives (`hello.compare.worlds[i].frameBytes` each) |
 *
 * TERRAIN (kind 3): u32 kind, u32 epoch, u32 nx, u32 ny, f32 x0, f32 y0, f32 cell, u32 reserved,
 * then (nx+1)(ny+1) f32 heights, x fastest: h(x0 + i·cell, y0 + j·cell) = heights[i + j(nx+1)]
 * (the same array physics collides with). Sent right after a `hello` whose terrain is a
 * heightfield.
 *
 * Client → server: JSON `ClientMessage`, at most `MAX_INBOUND_BYTES`, each optionally with a
 * numeric `id` echoed by the server's `ack` or `error`.
 */

/**
 * 2: compare mode (COMPARE frames, `hello.compare`, `episode.world`), `ack.steps`. The FRAME
 * layout is unchanged since 1 (`FRAME_FORMAT_SINCE`): recordings of either version replay.
 */
export const PROTOCOL_VERSION = 2;
/** the oldest protocol whose FRAME layout is this one (recordings from it replay) */
export const FRAME_FORMAT_SINCE = 1;
export const MAX_INBOUND_BYTES = 4096;

export const KIND_FRAME = 1;
export const KIND_HEBB = 2;
export const KIND_TERRAIN = 3;
export const KIND_COMPARE = 4;

export const FLAG_DONE = 1;
export const FLAG_PAUSED = 2;
export const FLAG_REPLAY = 4;

export const SPEED_MIN = 0.25;
export const SPEED_MAX = 8;

/** Header word indices of a FRAME. */
export const F = {
  kind: 0,
  epoch: 1,
  seq: 2,
  step: 3,
  flags: 4,
  time: 5,
  reward: 6,
  ret: 7,
  distance: 8,
  vx: 9,
  vy: 10,
  vz: 11,
  speed: 12,
  endReason: 13,
} as const;

/**
 * Why an episode ended (sim/env.ts `EndReason`), index = FRAME word 13. 'rose': the torso
 * went above the healthy height band (bounced off, e.g. in low gravity); 'time': the
 * episode length was reached.
 */
export const END_REASONS = ['', 'time', 'fell', 'flipped', 'rose', 'exploded'] as const;
export type EpisodeEndReason = Exclude<(typeof END_REASONS)[number], ''>;

/** What the page says for each reason. */
export const END_REASON_TEXT: Record<EpisodeEndReason, string> = {
  time: 'time limit reached',
  fell: 'fell (torso below the healthy height)',
  flipped: 'flipped over',
  rose: 'bounced off (torso above the healthy height)',
  exploded: 'physics exploded (non-finite state)',
};
export const FRAME_HEADER_WORDS = 16;
export const HEBB_HEADER_WORDS = 8;
export const TERRAIN_HEADER_WORDS = 8;
export const COMPARE_HEADER_WORDS = 8;

/** Header word indices of a COMPARE message. */
export const C = { kind: 0, epoch: 1, seq: 2, step: 3, flags: 4 } as const;

export interface SpikeLayerInfo {
  name: string;
  size: number;
}

export interface HebbInfo {
  name: string;
  rows: number;
  cols: number;
}

/** Word offsets of every section of a FRAME, derived from the counts in `hello`. */
export interface FrameLayout {
  bodies: number;
  joints: number;
  layers: readonly SpikeLayerInfo[];
  poses: number;
  torques: number;
  /** word offset of each layer's spike bits */
  spikes: number[];
  words: number;
  byteLength: number;
}

export function frameLayout(bodies: number, joints: number, layers: readonly SpikeLayerInfo[]): FrameLayout {
  const poses = FRAME_HEADER_WORDS;
  const torques = poses + 7 * bodies;
  let w = torques + joints;
  const spikes: number[] = [];
  for (const l of layers) {
    spikes.push(w);
    w += Math.ceil(l.size / 32);
  }
  return { bodies, joints, layers, poses, torques, spikes, words: w, byteLength: 4 * w };
}

/** Word offsets of the worlds' FRAMEs inside a COMPARE message of these FRAME sizes (bytes). */
export function compareLayout(frameBytes: readonly number[]): { offsets: number[]; words: number; byteLength: number } {
  let w = COMPARE_HEADER_WORDS;
  const offsets: number[] = [];
  for (const b of frameBytes) {
    offsets.push(w);
    w += b / 4;
  }
  return { offsets, words: w, byteLength: 4 * w };
}

/** Set bit i of the packed words for every nonzero src[i]; words are cleared first. */
export function packSpikes(src: ArrayLike<number>, n: number, words: Uint32Array, offset: number): void {
  const nw = Math.ceil(n / 32);
  for (let k = 0; k < nw; k++) words[offset + k] = 0;
  for (let i = 0; i < n; i++) if (src[i] !== 0) words[offset + (i >>> 5)] |= 1 << (i & 31);
}

/** OR the spikes of `src` into already packed words (several steps folded into one frame). */
export function orSpikes(src: ArrayLike<number>, n: number, words: Uint32Array, offset: number): void {
  for (let i = 0; i < n; i++) if (src[i] !== 0) words[offset + (i >>> 5)] |= 1 << (i & 31);
}

export function spikeBit(words: Uint32Array, offset: number, i: number): number {
  return (words[offset + (i >>> 5)] >>> (i & 31)) & 1;
}

export function hebbByteLength(rows: number, cols: number): number {
  return 4 * HEBB_HEADER_WORDS + 4 * Math.ceil((rows * cols) / 4);
}

export function terrainByteLength(nx: number, ny: number): number {
  return 4 * (TERRAIN_HEADER_WORDS + (nx + 1) * (ny + 1));
}

// ---------------------------------------------------------------------------------------------
// JSON messages

export type Vec3 = [number, number, number];

/** The robot as the viewer needs it: mirrors `MorphologySpec` (morphologies/spec.ts). */
export interface ViewerGeom {
  name: string;
  shape: 'sphere' | 'capsule' | 'box' | 'convex';
  radius?: number;
  fromto?: [Vec3, Vec3];
  halfExtents?: Vec3;
  pos?: Vec3;
  /** convex: the points whose hull is the geom */
  points?: Vec3[];
}
/** A visual-only part: morphologies/spec.ts `VisualSpec` restated (this module imports nothing), a mesh by the URL the server serves it at, never a path. */
export interface ViewerVisual {
  shape: 'mesh' | 'sphere' | 'box' | 'cylinder' | 'capsule';
  /** mesh: where to fetch it (`/mesh/<id>`) and how to parse it */
  url?: string;
  format?: 'stl' | 'obj';
  scale?: Vec3;
  radius?: number;
  halfExtents?: Vec3;
  length?: number;
  pos?: Vec3;
  /** w x y z */
  quat?: [number, number, number, number];
  rgba?: [number, number, number, number];
}
export interface ViewerBody {
  name: string;
  parent: string | null;
  pos: Vec3;
  joint?: { name: string; gear: number; axis: Vec3; range: [number, number] };
  geoms: ViewerGeom[];
  /** drawn instead of the geoms when present */
  visuals?: ViewerVisual[];
}
export interface ViewerSpec {
  name: string;
  bodies: ViewerBody[];
  feet: string[];
  legs: Record<string, string[]>;
}

export type TerrainInfo =
  | { kind: 'flat' }
  | { kind: 'heightfield'; label: string; nx: number; ny: number; x0: number; y0: number; cell: number };

/** One world of a compare run, as the page shows it. */
export interface CompareWorld {
  /** the HUD's title: the policy file's folder name, or the built-in's name */
  name: string;
  /** the controller's full label, e.g. 'plastic-snn (runs/x/best.json, generation 40)' */
  controller: string;
  /** byte length of its FRAME inside each COMPARE message (offsets: `compareLayout`) */
  frameBytes: number;
  /** where the page draws it: lateral offset of the world, m (physics runs every world at y = 0) */
  offsetY: number;
}

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  epoch: number;
  mode: 'live' | 'replay';
  spec: ViewerSpec;
  bodyNames: string[];
  jointNames: string[];
  /** joint gears in action order (torque bars scale by them) */
  gears: number[];
  terrain: TerrainInfo;
  condition: string;
  controller: string;
  controlDt: number;
  layers: SpikeLayerInfo[];
  hebb: HebbInfo[];
  frameBytes: number;
  /** leg names accepted by `damaged(leg=…)`, joint names by `weak-motor(joint=…)` */
  legs: string[];
  /** terrain presets the page offers (condition strings) */
  presets: Record<string, string>;
  /**
   * compare mode: the worlds stepped in lockstep (same seed, condition and perturbations);
   * frames are COMPARE messages of `frameBytes` bytes, `layers`/`hebb` are empty
   */
  compare?: CompareWorld[];
}

export interface StatusMessage {
  type: 'status';
  speed: number;
  paused: boolean;
  clients: number;
  /** live episode length, s (0 = endless); null for a replay */
  episodeSeconds: number | null;
}

/** A live episode ended (sent once, when it ends; the next starts after a short hold). */
export interface EpisodeMessage {
  type: 'episode';
  reason: EpisodeEndReason;
  /** sim seconds into the episode when it ended */
  time: number;
  step: number;
  distance: number;
  ret: number;
  seed: number;
  /** the episode length in force, s (0 = endless) */
  episodeSeconds: number;
  /** sim seconds until the next episode starts (0: at once; −1: in compare mode, when the other world's episode ends too or at the episode length) */
  restartIn: number;
  /** compare mode: the world whose episode ended (index into `hello.compare`) */
  world?: number;
}

export interface AckMessage {
  type: 'ack';
  id?: number;
  of: ClientMessage['type'];
  detail?: string;
  /**
   * push and condition: the control step (since the episode began) each world was at when the
   * change was applied, i.e. it acts from the next step on; one entry per world
   */
  steps?: number[];
}

export interface ErrorMessage {
  type: 'error';
  id?: number;
  message: string;
}

export type ServerMessage = HelloMessage | StatusMessage | EpisodeMessage | AckMessage | ErrorMessage;

/** A request from the page, without its id. */
export type ClientRequest =
  | { type: 'condition'; condition: string }
  /** a push as a velocity change, m/s (world frame), given to every body of the robot */
  | { type: 'push'; velocity: Vec3 }
  /** live episode length, s (0 = endless) */
  | { type: 'episode-length'; seconds: number }
  | { type: 'speed'; speed: number }
  | { type: 'pause'; paused: boolean }
  | { type: 'step' }
  | { type: 'reset'; seed?: number };

/** What goes on the wire: a request with an optional id the reply echoes. */
export type ClientMessage = ClientRequest & { id?: number };

export const CLIENT_MESSAGE_TYPES = ['condition', 'push', 'episode-length', 'speed', 'pause', 'step', 'reset'] as const;

/**
 * Largest push, m/s per axis. A push is a velocity change, the same on any robot: every body
 * gets Δv (impulse m_b·Δv), so the robot's centre of mass moves Δv faster whatever its mass.
 */
export const MAX_PUSH_SPEED = 5;
/** Longest live episode one may set, s (0 = endless). */
export const MAX_EPISODE_SECONDS = 3600;
