/**
 * Real-time pacing: run `advance()` once per control step at `speed` × real time and `emit()`
 * at most `maxFps` times a second (several steps may fold into one frame at high speed).
 * Steps are scheduled against an anchor, not by accumulating timer delays, so timer jitter
 * does not drift the clock; if the process falls more than `maxCatchUpSeconds` behind, the
 * missed steps are dropped and counted in `laggedSteps` rather than replayed in a burst.
 */
export interface PacerHooks {
  advance(): void;
  emit(): void;
}

export interface PacerOptions {
  maxFps: number;
  maxCatchUpSeconds: number;
}

export class RealTimePacer {
  speed = 1;
  paused = false;
  steps = 0;
  frames = 0;
  laggedSteps = 0;
  advanceMs = 0;
  emitMs = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private anchor = 0;
  private sinceAnchor = 0;
  private lastEmit = -Infinity;
  private dirty = false;
  private runStart = 0;
  private runMs = 0;

  constructor(
    private stepSeconds: number,
    private readonly hooks: PacerHooks,
    private readonly opts: PacerOptions = { maxFps: 60, maxCatchUpSeconds: 0.25 },
  ) {}

  /** wall-clock seconds spent running (not paused, not stopped) */
  get wallSeconds(): number {
    return (this.runMs + (this.running && !this.paused ? performance.now() - this.runStart : 0)) / 1000;
  }

  setStepSeconds(s: number): void {
    this.stepSeconds = s;
    this.reanchor();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.runStart = performance.now();
    this.reanchor();
    this.schedule(0);
  }

  stop(): void {
    if (!this.running) return;
    if (!this.paused) this.runMs += performance.now() - this.runStart;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.reanchor();
  }

  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    const now = performance.now();
    if (paused) this.runMs += now - this.runStart;
    else this.runStart = now;
    this.paused = paused;
    this.reanchor();
    if (this.running && !paused) this.schedule(0);
  }

  /** one step and a frame right away (used while paused) */
  stepNow(): void {
    this.advanceTimed();
    this.emitTimed(performance.now());
  }

  private reanchor(): void {
    this.anchor = performance.now();
    this.sinceAnchor = 0;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, Math.max(0, ms));
  }

  private advanceTimed(): void {
    const t0 = performance.now();
    this.hooks.advance();
    this.advanceMs += performance.now() - t0;
    this.steps++;
    this.dirty = true;
  }

  private emitTimed(now: number): void {
    this.hooks.emit();
    this.emitMs += performance.now() - now;
    this.frames++;
    this.lastEmit = now;
    this.dirty = false;
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (!this.running || this.paused) return;
    const stepMs = (this.stepSeconds * 1000) / this.speed;
    const frameMs = 1000 / this.opts.maxFps;
    let now = performance.now();
    let due = Math.floor((now - this.anchor) / stepMs) - this.sinceAnchor;
    const maxCatch = Math.max(1, Math.ceil((this.opts.maxCatchUpSeconds * 1000) / stepMs));
    if (due > maxCatch) {
      this.laggedSteps += due - maxCatch;
      this.sinceAnchor += due - maxCatch;
      due = maxCatch;
    }
    for (let k = 0; k < due && this.running && !this.paused; k++) {
      this.advanceTimed();
      this.sinceAnchor++;
    }
    now = performance.now();
    if (this.dirty && now - this.lastEmit >= frameMs - 1) this.emitTimed(now);
    if (!this.running || this.paused) return;
    const nextStep = this.anchor + (this.sinceAnchor + 1) * stepMs;
    const wake = this.dirty ? Math.min(nextStep, this.lastEmit + frameMs) : nextStep;
    this.schedule(wake - performance.now());
  };
}
