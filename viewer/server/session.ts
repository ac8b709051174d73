/**
 * A live run for the viewer: any `Controller` (a checkpoint's, or the open-loop gait) driving
 * a `LocomotionEnv` at real time, streaming frames to a `FrameSink`, and taking perturbations
 * from the page. `createLiveSession` is the one place a controller plugs in.
 *
 * The session is one `LiveWorld` (live-world.ts: each control step is `training/episode.ts`'s
 * `Episode.step`, then the frame fields are recorded) run by `LiveRun` (live-run.ts: pacing,
 * episode ends and restarts, perturbations: condition switch with `switchCondition`, push with
 * `pushBodies`, reset). Episodes end as training's do (sim/env.ts `endReason`: fell, flipped,
 * rose, exploded) or at the episode length (`episodeSeconds`, default the policy's training
 * episode length, 0 = endless): every client gets an `episode` message saying when and why.
 * After a fall the robot lies for `autoResetSeconds` of sim time, then a new episode starts;
 * after the time limit or an explosion the next starts at once. This module adds what only a
 * single world streams: FRAME messages and the Hebb heatmaps.
 */
import type { Controller } from '../../controllers/controller.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { LocomotionEnv, PhysicsOptions, RewardOptions } from '../../sim/env.js';
import { parseCondition } from '../../sim/conditions.js';
import { gaitPolicy } from '../../training/policy.js';
import { HEBB_HEADER_WORDS, KIND_HEBB, hebbByteLength, type HelloMessage } from '../protocol.js';
import type { FrameSource } from './frame-source.js';
import type { Introspection } from './introspection.js';
import { LiveRun, type LiveRunOptions } from './live-run.js';
import { LiveWorld, type ControllerForEnv } from './live-world.js';
import { SendBufferPool } from './send-buffers.js';

export { checkEpisodeSeconds, DEFAULT_EPISODE_SECONDS } from './live-run.js';
export type { ControllerForEnv } from './live-world.js';
export { gaitPolicy };

export interface LiveSessionOptions extends LiveRunOptions {
  morphology: MorphologySpec;
  /** condition string (default 'flat') */
  condition?: string;
  /**
   * the controller, or a function making one for the env (e.g. `training/policy.ts`
   * `resolvePolicy` for a checkpoint: its observation normaliser wraps its controller);
   * default: the open-loop gait of sim/gait.ts
   */
  controller?: Controller | ((env: LocomotionEnv) => ControllerForEnv | Promise<ControllerForEnv>);
  /** name shown in the HUD (default: controller.kind) */
  controllerName?: string;
  /** spikes and Hebb matrices; default: whatever `probeController` finds */
  introspection?: Introspection | null;
  /** Hebb heatmap messages per second (default 10) */
  hebbHz?: number;
  physics?: Partial<PhysicsOptions>;
  /** reward weights (a trained policy's: its neuromodulator reads the reward) */
  reward?: Partial<RewardOptions>;
}

/** The one function a controller plugs into: a live session ready to `attach` and `start`. */
export async function createLiveSession(opts: LiveSessionOptions): Promise<LiveSession> {
  const world = await LiveWorld.create({ ...opts, condition: parseCondition(opts.condition ?? 'flat') });
  return new LiveSession(opts, world);
}

export class LiveSession extends LiveRun implements FrameSource {
  private readonly pool: SendBufferPool;
  private readonly hebbPools: SendBufferPool[];
  private lastHebb = -Infinity;
  private readonly hebbMs: number;

  constructor(opts: LiveSessionOptions, world: LiveWorld) {
    super([world], opts);
    this.pool = new SendBufferPool(world.frame.layout.byteLength);
    this.hebbPools = (world.introspection?.hebb ?? []).map((h) => new SendBufferPool(hebbByteLength(h.rows, h.cols), 16));
    this.hebbMs = 1000 / (opts.hebbHz ?? 10);
  }

  private get world(): LiveWorld {
    return this.worlds[0];
  }

  /** the env currently simulated (replaced on a condition switch) */
  get currentEnv(): LocomotionEnv {
    return this.world.env;
  }

  get controller(): Controller {
    return this.world.controller;
  }

  get introspection(): Introspection | null {
    return this.world.introspection;
  }

  protected makeHello(): HelloMessage {
    const w = this.worlds[0];
    return this.liveHello({ controller: w.label, layers: w.introspection?.layers ?? [], hebb: w.introspection?.hebb ?? [], frameBytes: w.frame.layout.byteLength });
  }

  protected emit(): void {
    const sink = this.sink;
    if (!sink) return;
    const frame = this.world.frame;
    const buf = this.pool.acquire();
    frame.write(buf.u32, buf.f32);
    sink.binary(buf, frame.layout.byteLength);
    const hebb = this.world.introspection?.hebb;
    if (hebb?.length) {
      const now = performance.now();
      if (now - this.lastHebb >= this.hebbMs) {
        this.lastHebb = now;
        for (let k = 0; k < hebb.length; k++) {
          const h = hebb[k];
          const b = this.hebbPools[k].acquire();
          encodeHebb(h.read(), h.rows, h.cols, k, this.epoch, b.u32, b.f32, b.bytes);
          sink.binary(b, b.bytes.byteLength);
        }
      }
    }
  }
}

/** HEBB message: values quantised to bytes between their min and max (see viewer/protocol.ts). */
export function encodeHebb(values: ArrayLike<number>, rows: number, cols: number, index: number, epoch: number, u32: Uint32Array, f32: Float32Array, bytes: Uint8Array): void {
  const n = rows * cols;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n && i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) lo = hi = 0;
  u32[0] = KIND_HEBB;
  u32[1] = epoch;
  u32[2] = index;
  u32[3] = rows;
  u32[4] = cols;
  f32[5] = lo;
  f32[6] = hi;
  u32[7] = 0;
  const base = 4 * HEBB_HEADER_WORDS;
  const s = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < n; i++) {
    const v = i < values.length ? values[i] : lo;
    bytes[base + i] = v === v ? Math.round((v - lo) * s) : 0;
  }
}
