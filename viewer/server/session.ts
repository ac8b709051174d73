/**
 * A live run for the viewer: any `Controller` (a checkpoint's, or the open-loop gait) driving
 * a `LocomotionEnv` at real time, streaming frames to a `FrameSink`, and taking perturbations
 * from the page. `createLiveSession` is the one place a controller plugs in.
 *
 * Each control step is `training/episode.ts`'s `Episode.step` (act(obs, last reward) →
 * env.step → record), then the frame fields are recorded. Perturbations are applied between
 * steps, through the same module:
 * - condition: a new env with the new condition and `switchCondition`, the one re-seating rule
 *   that a training or adaptation episode's mid-episode switch uses too (every body's pose and
 *   velocity carried over, lifted by the largest rise of the new ground under any body or
 *   lowered by the smallest drop; the controller kept running, not reset);
 * - push: `pushBodies`, a velocity change Δv (m/s) of every body, so one setting means the
 *   same on a light and a heavy robot;
 * - reset: a new episode (env and controller reset).
 * Episodes end as training's do (sim/env.ts `endReason`: fell, flipped, rose, exploded) or at
 * the episode length (`episodeSeconds`, default the policy's training episode length, 0 =
 * endless): every client gets an `episode` message saying when and why. After a fall the robot
 * lies for `autoResetSeconds` of sim time, then a new episode starts; after the time limit or
 * an explosion the next starts at once.
 */
import type { Controller } from '../../controllers/controller.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import { LocomotionEnv, type PhysicsOptions, type RewardOptions } from '../../sim/env.js';
import { ConditionError, parseCondition } from '../../sim/conditions.js';
import { gaitPolicy, type ResolvedPolicy } from '../../training/policy.js';
import { Episode, pushBodies, switchCondition } from '../../training/episode.js';
import {
  END_REASONS,
  FLAG_PAUSED,
  HEBB_HEADER_WORDS,
  KIND_HEBB,
  MAX_EPISODE_SECONDS,
  MAX_PUSH_SPEED,
  hebbByteLength,
  type EpisodeEndReason,
  type HelloMessage,
  type Vec3,
} from '../protocol.js';
import { PerturbationError, type FrameSource } from './frame-source.js';
import { FrameState } from './frame-state.js';
import { buildHello, terrainMessage } from './hello.js';
import { probeController, type Introspection } from './introspection.js';
import { PacedSource } from './paced-source.js';
import { SendBufferPool } from './send-buffers.js';

export interface LiveSessionOptions {
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
  seed?: number;
  speed?: number;
  /** cap on frames sent per second (default 60) */
  maxFps?: number;
  /** Hebb heatmap messages per second (default 10) */
  hebbHz?: number;
  /**
   * episode length, sim seconds (0 = endless); default `DEFAULT_EPISODE_SECONDS`, the training
   * default: pass a checkpoint's `config.episodeSeconds` so the page shows what it was trained on
   */
  episodeSeconds?: number;
  /** sim seconds a fallen robot lies before a new episode (default 1.5) */
  autoResetSeconds?: number;
  physics?: Partial<PhysicsOptions>;
  /** reward weights (a trained policy's: its neuromodulator reads the reward) */
  reward?: Partial<RewardOptions>;
}

/** The training config's default episode length (training/config.ts `episodeSeconds`). */
export const DEFAULT_EPISODE_SECONDS = 10;

export function checkEpisodeSeconds(s: number, where: string): number {
  if (!(Number.isFinite(s) && s >= 0 && s <= MAX_EPISODE_SECONDS)) {
    throw new PerturbationError(`${where}: episode length must be 0 (endless) … ${MAX_EPISODE_SECONDS} s, got ${s}`);
  }
  return s;
}

/** What a controller factory returns: a `training/policy.ts` `ResolvedPolicy`, or just its controller (and name). */
export type ControllerForEnv = Pick<ResolvedPolicy, 'controller'> & Partial<Pick<ResolvedPolicy, 'label'>>;

export { gaitPolicy };

/** The one function a controller plugs into: a live session ready to `attach` and `start`. */
export async function createLiveSession(opts: LiveSessionOptions): Promise<LiveSession> {
  const condition = parseCondition(opts.condition ?? 'flat');
  const env = await LocomotionEnv.create({ morphology: opts.morphology, condition, physics: opts.physics, reward: opts.reward, maxSteps: Number.MAX_SAFE_INTEGER });
  let policy: ControllerForEnv;
  try {
    policy = typeof opts.controller === 'function' ? await opts.controller(env) : opts.controller ? { controller: opts.controller } : gaitPolicy(env);
  } catch (err) {
    env.free();
    throw err;
  }
  const controller = policy.controller;
  if (controller.obsSize !== env.obsSize || controller.actSize !== env.actSize) {
    env.free();
    throw new Error(
      `controller ${controller.kind} expects ${controller.obsSize} observations and ${controller.actSize} actions; ` +
        `morphology ${opts.morphology.name} has ${env.obsSize} and ${env.actSize}`,
    );
  }
  const introspection = opts.introspection === undefined ? probeController(controller) : opts.introspection;
  return new LiveSession(
    { ...opts, controllerName: opts.controllerName ?? policy.label },
    env,
    controller,
    introspection,
  );
}

export class LiveSession extends PacedSource implements FrameSource {
  readonly mode = 'live';
  /** the episode being played: its env (replaced on a condition switch), controller and last reward */
  private readonly episode: Episode;
  private readonly frame: FrameState;
  private readonly pool: SendBufferPool;
  private readonly hebbPools: SendBufferPool[];
  private seed: number;
  private doneAt = -1;
  protected helloMsg: HelloMessage;
  protected terrainMsg: Uint8Array | null;
  private lastHebb = -Infinity;
  private readonly hebbMs: number;
  private readonly autoReset: number;
  private episodeSec: number;
  /** control steps per episode, 0 = endless */
  private episodeSteps = 0;
  /** the fallen robot's reason, until the next episode */
  private pendingEnd: EpisodeEndReason | null = null;
  /** perturbations run one at a time, between steps */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly opts: LiveSessionOptions,
    env: LocomotionEnv,
    readonly controller: Controller,
    readonly introspection: Introspection | null,
  ) {
    super(env.controlDt, opts.speed ?? 1, { maxFps: opts.maxFps ?? 60, maxCatchUpSeconds: 0.25 });
    this.episode = new Episode(env, controller);
    this.seed = opts.seed ?? 0;
    this.frame = new FrameState(env, introspection);
    this.pool = new SendBufferPool(this.frame.layout.byteLength);
    this.hebbPools = (introspection?.hebb ?? []).map((h) => new SendBufferPool(hebbByteLength(h.rows, h.cols), 16));
    this.hebbMs = 1000 / (opts.hebbHz ?? 10);
    this.autoReset = opts.autoResetSeconds ?? 1.5;
    this.episodeSec = 0;
    this.applyEpisodeSeconds(checkEpisodeSeconds(opts.episodeSeconds ?? DEFAULT_EPISODE_SECONDS, 'episodeSeconds'));
    this.frame.speed = this.pacer.speed;
    this.beginEpisode();
    this.helloMsg = this.makeHello();
    this.terrainMsg = terrainMessage(env.condition.terrain, this.frame.epoch);
  }

  /** the env currently simulated (replaced on a condition switch) */
  get currentEnv(): LocomotionEnv {
    return this.episode.env;
  }

  private get env(): LocomotionEnv {
    return this.episode.env;
  }

  protected override onStatus(): void {
    this.frame.speed = this.pacer.speed;
    this.frame.extraFlags = this.pacer.paused ? FLAG_PAUSED : 0;
  }

  protected controlSeconds(): number {
    return this.env.controlDt;
  }

  get episodeSeconds(): number {
    return this.episodeSec;
  }

  setEpisodeSeconds(seconds: number): void {
    this.applyEpisodeSeconds(checkEpisodeSeconds(seconds, 'episode-length'));
    this.sink?.statusChanged();
  }

  /** Add Δv (m/s, world frame) to every body's velocity: the same kick on any robot's mass. */
  push(velocity: Vec3): void {
    for (const v of velocity) {
      if (!(Math.abs(v) <= MAX_PUSH_SPEED)) throw new PerturbationError(`push: each velocity component must be within ±${MAX_PUSH_SPEED} m/s, got [${velocity.join(', ')}]`);
    }
    pushBodies(this.env, velocity);
  }

  reset(seed?: number): Promise<string> {
    return this.enqueue(async () => {
      this.seed = seed ?? this.seed + 1;
      this.beginEpisode();
      this.emit();
      return `seed ${this.seed}`;
    });
  }

  setCondition(text: string): Promise<string> {
    return this.enqueue(async () => {
      let condition;
      try {
        condition = parseCondition(text);
      } catch (err) {
        if (err instanceof ConditionError) throw new PerturbationError(err.message);
        throw err;
      }
      const old = this.env;
      let next: LocomotionEnv;
      try {
        next = await LocomotionEnv.create({ morphology: this.opts.morphology, condition, physics: this.opts.physics, reward: this.opts.reward, maxSteps: Number.MAX_SAFE_INTEGER });
      } catch (err) {
        throw new PerturbationError(`condition "${text}": ${(err as Error).message}`);
      }
      if (next.bodyNames.length !== old.bodyNames.length || next.actSize !== old.actSize) {
        next.free();
        throw new PerturbationError(`condition "${text}" changes the robot's body tree; use it at startup (--condition) instead`);
      }
      switchCondition(this.episode, next);
      old.free();
      this.frame.bind(next);
      this.frame.epoch++;
      this.refreshHello();
      return condition.label;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    this.queue.finally(() => this.env.free()).catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new PerturbationError('the session is closed'));
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private applyEpisodeSeconds(s: number): void {
    this.episodeSec = s;
    this.episodeSteps = s > 0 ? Math.max(1, Math.round(s / this.env.controlDt)) : 0;
  }

  private beginEpisode(): void {
    this.episode.begin(this.seed);
    this.doneAt = -1;
    this.pendingEnd = null;
    this.frame.beginEpisode();
  }

  /** The episode just ended: mark the frame and tell every page when and why. */
  private endEpisode(reason: EpisodeEndReason, restartIn: number): void {
    this.frame.endReason = END_REASONS.indexOf(reason);
    this.frame.done = true;
    this.sink?.json({
      type: 'episode',
      reason,
      time: this.frame.time,
      step: this.frame.step,
      distance: this.frame.distance,
      ret: this.frame.ret,
      seed: this.seed,
      episodeSeconds: this.episodeSec,
      restartIn,
    });
  }

  private makeHello(): HelloMessage {
    const env = this.env;
    return buildHello({
      epoch: this.frame.epoch,
      mode: 'live',
      spec: env.spec,
      bodyNames: env.bodyNames,
      jointNames: env.jointNames,
      terrain: env.condition.terrain,
      condition: env.condition.label,
      controller: this.opts.controllerName ?? this.controller.kind,
      controlDt: env.controlDt,
      layers: this.introspection?.layers ?? [],
      hebb: this.introspection?.hebb ?? [],
      frameBytes: this.frame.layout.byteLength,
    });
  }

  private refreshHello(): void {
    this.helloMsg = this.makeHello();
    // a fresh buffer, never the old one rewritten: the old one may still be queued on a socket
    this.terrainMsg = terrainMessage(this.env.condition.terrain, this.frame.epoch);
    this.sink?.helloChanged();
    this.emit();
  }

  protected advance(): void {
    if (this.pendingEnd && this.frame.time - this.doneAt >= this.autoReset) {
      this.seed++;
      this.beginEpisode();
    }
    const r = this.episode.step();
    this.frame.afterStep(r.reward, r.done);
    if (this.pendingEnd) return; // lying after a fall: the end was told already
    const reason: EpisodeEndReason | null = r.nonFinite ? 'exploded' : r.endReason ?? (this.episodeSteps > 0 && this.frame.step >= this.episodeSteps ? 'time' : null);
    if (reason === null) return;
    if (reason === 'exploded' || reason === 'time') {
      this.endEpisode(reason, 0);
      this.seed++;
      this.beginEpisode();
    } else {
      this.endEpisode(reason, this.autoReset);
      this.pendingEnd = reason;
      this.doneAt = this.frame.time;
    }
  }

  protected emit(): void {
    const sink = this.sink;
    if (!sink) return;
    const buf = this.pool.acquire();
    this.frame.write(buf.u32, buf.f32);
    sink.binary(buf, this.frame.layout.byteLength);
    const hebb = this.introspection?.hebb;
    if (hebb?.length) {
      const now = performance.now();
      if (now - this.lastHebb >= this.hebbMs) {
        this.lastHebb = now;
        for (let k = 0; k < hebb.length; k++) {
          const h = hebb[k];
          const b = this.hebbPools[k].acquire();
          encodeHebb(h.read(), h.rows, h.cols, k, this.frame.epoch, b.u32, b.f32, b.bytes);
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
