/**
 * The part of a `FrameSource` that live and replayed runs share: a real-time pacer driving
 * `advance` (one control step) and `emit` (one frame), speed and pause, single steps, the
 * current hello and terrain messages, and the pacing statistics.
 */
import { SPEED_MAX, SPEED_MIN, type HelloMessage } from '../protocol.js';
import { PerturbationError, type FrameSink, type FrameSourceStats } from './frame-source.js';
import type { MeshAsset } from './mesh-assets.js';
import { RealTimePacer, type PacerOptions } from './pacer.js';

export function clampSpeed(s: number): number {
  return Math.min(SPEED_MAX, Math.max(SPEED_MIN, s));
}

export abstract class PacedSource {
  protected readonly pacer: RealTimePacer;
  protected sink: FrameSink | null = null;
  protected abstract helloMsg: HelloMessage;
  protected abstract terrainMsg: Uint8Array | null;
  /** the mesh files of the current hello's robot (`meshAssets`), set with the hello */
  protected meshList: readonly MeshAsset[] = [];

  constructor(controlDt: number, speed: number, pacing?: PacerOptions) {
    this.pacer = new RealTimePacer(controlDt, { advance: () => this.advance(), emit: () => this.emit() }, pacing);
    this.pacer.setSpeed(clampSpeed(speed));
  }

  /** one control step (physics + controller, or the next recorded frame) */
  protected abstract advance(): void;
  /** encode the current frame and hand it to the sink */
  protected abstract emit(): void;
  /** simulated seconds per control step, for the statistics */
  protected abstract controlSeconds(): number;
  /** speed or pause changed: update what the next frame carries */
  protected onStatus(): void {}

  get speed(): number {
    return this.pacer.speed;
  }
  get paused(): boolean {
    return this.pacer.paused;
  }
  hello(): HelloMessage {
    return this.helloMsg;
  }
  meshFiles(): readonly MeshAsset[] {
    return this.meshList;
  }
  terrain(): Uint8Array | null {
    return this.terrainMsg;
  }
  attach(sink: FrameSink): void {
    this.sink = sink;
  }
  start(): void {
    this.pacer.start();
  }
  stop(): void {
    this.pacer.stop();
  }

  setSpeed(speed: number): void {
    this.pacer.setSpeed(clampSpeed(speed));
    this.onStatus();
    this.sink?.statusChanged();
  }

  setPaused(paused: boolean): void {
    this.pacer.setPaused(paused);
    this.onStatus();
    this.sink?.statusChanged();
    if (paused) this.emit(); // so every page shows the paused flag
  }

  stepOnce(): void {
    if (!this.pacer.paused) throw new PerturbationError('step: pause first (single steps are for a paused run)');
    this.pacer.stepNow();
  }

  stats(): FrameSourceStats {
    const p = this.pacer;
    return {
      steps: p.steps,
      framesSent: p.frames,
      wallSeconds: p.wallSeconds,
      simSeconds: p.steps * this.controlSeconds(),
      laggedSteps: p.laggedSteps,
      stepMicros: p.steps ? (1000 * p.advanceMs) / p.steps : 0,
      frameMicros: p.frames ? (1000 * p.emitMs) / p.frames : 0,
    };
  }
}
