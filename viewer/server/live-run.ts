/**
 * What every live run shares, whether it simulates one world (session.ts, `LiveSession`) or
 * two in lockstep (compare.ts, `CompareSession`): the real-time pacer (paced-source.ts), the
 * episode seed and length, when episodes end and restart, and the perturbations. Every control
 * step, each world steps once (`LiveWorld.step`); a perturbation from the page is applied to
 * every world between two control steps, so all worlds get it at the same step:
 * - condition: each world builds the new condition's env (async), then all re-seat with
 *   `switchCondition` in one synchronous pass (the one re-seating rule a training or adaptation
 *   episode's mid-episode switch uses too: pose and velocity carried over, lifted by the largest
 *   rise of the new ground under any body or lowered by the smallest drop; controllers kept);
 * - push: `pushBodies`, a velocity change Δv (m/s) of every body, so one setting means the
 *   same on a light and a heavy robot;
 * - reset: a new episode in every world (env and controller reset with the same seed).
 * The page is told the control step each world was at (`ack.steps`).
 *
 * Episodes end as training's do (sim/env.ts `endReason`: fell, flipped, rose, exploded) or at
 * the episode length (`episodeSeconds`, 0 = endless). A world whose episode ended is told
 * (an `episode` message) and lies on, still stepped (an exploded one is frozen), until every
 * world has ended: then the next episode starts in all of them with the next seed, after a
 * hold of `autoResetSeconds` of sim time if the last world to end fell, flipped or bounced off,
 * at once after the time limit or an explosion. With one world this is the single viewer's rule
 * (a fallen robot lies 1.5 s). With two, a robot that fell waits for the other one, or for the
 * time limit.
 */
import { ConditionError, parseCondition } from '../../sim/conditions.js';
import type { LocomotionEnv } from '../../sim/env.js';
import { FLAG_PAUSED, MAX_EPISODE_SECONDS, MAX_PUSH_SPEED, type EpisodeEndReason, type EpisodeMessage, type HelloMessage, type Vec3 } from '../protocol.js';
import { PerturbationError, type Applied, type FrameSource } from './frame-source.js';
import { buildHello, terrainMessage, type HelloParts } from './hello.js';
import { meshAssets } from './mesh-assets.js';
import type { LiveWorld } from './live-world.js';
import { PacedSource } from './paced-source.js';

export interface LiveRunOptions {
  /** episode seed (the next episode takes the next one) */
  seed?: number;
  speed?: number;
  /** cap on frames sent per second (default 60) */
  maxFps?: number;
  /**
   * episode length, sim seconds (0 = endless); default `DEFAULT_EPISODE_SECONDS`, the training
   * default: pass a checkpoint's `config.episodeSeconds` so the page shows what it was trained on
   */
  episodeSeconds?: number;
  /** sim seconds a fallen robot lies before a new episode (default 1.5) */
  autoResetSeconds?: number;
}

/** The training config's default episode length (training/config.ts `episodeSeconds`). */
export const DEFAULT_EPISODE_SECONDS = 10;

export function checkEpisodeSeconds(s: number, where: string): number {
  if (!(Number.isFinite(s) && s >= 0 && s <= MAX_EPISODE_SECONDS)) {
    throw new PerturbationError(`${where}: episode length must be 0 (endless) … ${MAX_EPISODE_SECONDS} s, got ${s}`);
  }
  return s;
}

const HOLD_AFTER: ReadonlySet<EpisodeEndReason> = new Set(['fell', 'flipped', 'rose']);

export abstract class LiveRun extends PacedSource implements FrameSource {
  readonly mode = 'live';
  protected helloMsg: HelloMessage;
  protected terrainMsg: Uint8Array | null;
  /** the hello every frame belongs to (bumped when the terrain or condition changes) */
  protected epoch = 0;
  protected seed: number;
  /** control steps and sim seconds since the episode began (every world steps together) */
  protected episodeStep = 0;
  private time = 0;
  /** sim time when the last world's episode ended and the hold began; −1 while one goes on */
  private allEndedAt = -1;
  private readonly autoReset: number;
  private episodeSec = 0;
  /** control steps per episode, 0 = endless */
  private episodeSteps = 0;
  /** each world's reason at the last step (preallocated: `advance` runs every control step) */
  private readonly reasons: (EpisodeEndReason | null)[];
  /** perturbations run one at a time, between steps */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    protected readonly worlds: readonly LiveWorld[],
    opts: LiveRunOptions,
  ) {
    super(worlds[0].env.controlDt, opts.speed ?? 1, { maxFps: opts.maxFps ?? 60, maxCatchUpSeconds: 0.25 });
    this.seed = opts.seed ?? 0;
    this.autoReset = opts.autoResetSeconds ?? 1.5;
    this.reasons = worlds.map(() => null);
    this.applyEpisodeSeconds(checkEpisodeSeconds(opts.episodeSeconds ?? DEFAULT_EPISODE_SECONDS, 'episodeSeconds'));
    for (const w of worlds) w.frame.speed = this.pacer.speed;
    this.beginEpisode();
    this.helloMsg = this.makeHello();
    this.terrainMsg = terrainMessage(worlds[0].env.condition.terrain, this.epoch);
  }

  /** the hello of the current epoch (called from the constructor: use `worlds` and `epoch` only) */
  protected abstract makeHello(): HelloMessage;

  /** A live hello of this epoch: the robot, ground and condition of the first world, plus what a mode adds. */
  protected liveHello(parts: Pick<HelloParts, 'controller' | 'layers' | 'hebb' | 'frameBytes' | 'compare'>): HelloMessage {
    const env = this.worlds[0].env;
    this.meshList = meshAssets(env.spec);
    return buildHello({
      epoch: this.epoch,
      mode: 'live',
      spec: env.spec,
      bodyNames: env.bodyNames,
      jointNames: env.jointNames,
      terrain: env.condition.terrain,
      condition: env.condition.label,
      controlDt: env.controlDt,
      ...parts,
    });
  }

  protected override onStatus(): void {
    for (const w of this.worlds) {
      w.frame.speed = this.pacer.speed;
      w.frame.extraFlags = this.pacer.paused ? FLAG_PAUSED : 0;
    }
  }

  protected controlSeconds(): number {
    return this.worlds[0].env.controlDt;
  }

  get episodeSeconds(): number {
    return this.episodeSec;
  }

  setEpisodeSeconds(seconds: number): void {
    this.applyEpisodeSeconds(checkEpisodeSeconds(seconds, 'episode-length'));
    this.sink?.statusChanged();
  }

  /** Add Δv (m/s, world frame) to every body's velocity in every world: the same kick on any robot's mass. */
  push(velocity: Vec3): number[] {
    for (const v of velocity) {
      if (!(Math.abs(v) <= MAX_PUSH_SPEED)) throw new PerturbationError(`push: each velocity component must be within ±${MAX_PUSH_SPEED} m/s, got [${velocity.join(', ')}]`);
    }
    return this.worlds.map((w) => w.push(velocity));
  }

  reset(seed?: number): Promise<string> {
    return this.enqueue(async () => {
      this.seed = seed ?? this.seed + 1;
      this.beginEpisode();
      this.emit();
      return `seed ${this.seed}`;
    });
  }

  setCondition(text: string): Promise<Applied> {
    return this.enqueue(async () => {
      let condition;
      try {
        condition = parseCondition(text);
      } catch (err) {
        if (err instanceof ConditionError) throw new PerturbationError(err.message);
        throw err;
      }
      const next: LocomotionEnv[] = [];
      try {
        for (const w of this.worlds) next.push(await w.envFor(condition, text));
      } catch (err) {
        for (const env of next) env.free();
        throw err;
      }
      // one synchronous pass: no control step runs between the worlds' switches
      const steps = this.worlds.map((w, i) => w.switchTo(next[i]));
      this.epoch++;
      for (const w of this.worlds) w.frame.epoch = this.epoch;
      this.refreshHello();
      return { detail: condition.label, steps };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    this.queue.finally(() => this.worlds.forEach((w) => w.free())).catch(() => undefined);
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
    this.episodeSteps = s > 0 ? Math.max(1, Math.round(s / this.controlSeconds())) : 0;
  }

  private beginEpisode(): void {
    this.episodeStep = 0;
    this.time = 0;
    this.allEndedAt = -1;
    for (const w of this.worlds) w.begin(this.seed);
  }

  private refreshHello(): void {
    this.helloMsg = this.makeHello();
    // a fresh buffer, never the old one rewritten: the old one may still be queued on a socket
    this.terrainMsg = terrainMessage(this.worlds[0].env.condition.terrain, this.epoch);
    this.sink?.helloChanged();
    this.emit();
  }

  /** Tell every page that world `i`'s episode ended, when and why. */
  private tellEnd(i: number, reason: EpisodeEndReason, restartIn: number): void {
    const f = this.worlds[i].frame;
    const msg: EpisodeMessage = {
      type: 'episode',
      reason,
      time: f.time,
      step: f.step,
      distance: f.distance,
      ret: f.ret,
      seed: this.seed,
      episodeSeconds: this.episodeSec,
      restartIn,
    };
    if (this.worlds.length > 1) msg.world = i;
    this.sink?.json(msg);
  }

  protected advance(): void {
    const worlds = this.worlds, reasons = this.reasons;
    if (this.allEndedAt >= 0 && this.time - this.allEndedAt >= this.autoReset) {
      this.seed++;
      this.beginEpisode();
    }
    this.episodeStep++;
    this.time += this.controlSeconds();
    for (let i = 0; i < worlds.length; i++) reasons[i] = worlds[i].ended === 'exploded' ? null : worlds[i].step();
    if (this.allEndedAt >= 0) return; // every robot lies after its end: told already
    let running = 0, ending = 0, hold = false;
    for (let i = 0; i < worlds.length; i++) {
      const w = worlds[i];
      if (w.ended) continue;
      const reason = reasons[i] ?? (this.episodeSteps > 0 && w.frame.step >= this.episodeSteps ? 'time' : null);
      reasons[i] = reason;
      if (reason === null) running++;
      else {
        ending++;
        if (HOLD_AFTER.has(reason)) hold = true;
      }
    }
    if (ending === 0) return;
    const restartIn = running > 0 ? -1 : hold ? this.autoReset : 0;
    for (let i = 0; i < worlds.length; i++) {
      const reason = reasons[i];
      if (worlds[i].ended || reason === null) continue;
      worlds[i].end(reason);
      this.tellEnd(i, reason, restartIn);
    }
    if (running > 0) return;
    if (hold) this.allEndedAt = this.time;
    else {
      this.seed++;
      this.beginEpisode();
    }
  }
}
