/**
 * Replays a recording (see recording.ts) at real time × speed, looping after a short hold at
 * the end. Pause, single step, speed and reset (back to frame 0) work as live; perturbations
 * that need physics (condition, push) are refused with an error the page shows.
 */
import { parseCondition } from '../../sim/conditions.js';
import { F, FLAG_PAUSED, FLAG_REPLAY, type HelloMessage } from '../protocol.js';
import { PerturbationError, type FrameSource } from './frame-source.js';
import { buildHello, terrainMessage } from './hello.js';
import { meshAssets } from './mesh-assets.js';
import { PacedSource } from './paced-source.js';
import { readRecording, type Recording } from './recording.js';
import { SendBufferPool } from './send-buffers.js';

export class ReplaySession extends PacedSource implements FrameSource {
  readonly mode = 'replay';
  private readonly pool: SendBufferPool;
  protected readonly helloMsg: HelloMessage;
  protected readonly terrainMsg: Uint8Array | null;
  private readonly frames32: Uint32Array;
  private readonly words: number;
  private index = 0;
  private holdLeft = 0;
  private seq = 0;

  static fromFile(path: string, opts: { speed?: number; holdSeconds?: number } = {}): ReplaySession {
    return new ReplaySession(readRecording(path), opts);
  }

  constructor(
    readonly recording: Recording,
    private readonly opts: { speed?: number; holdSeconds?: number } = {},
  ) {
    super(recording.header.controlDt, opts.speed ?? 1);
    const h = recording.header;
    if (recording.frameCount === 0) throw new Error('recording has no frames');
    const terrain = parseCondition(h.condition).terrain;
    this.meshList = meshAssets(h.spec);
    this.helloMsg = buildHello({
      epoch: 0,
      mode: 'replay',
      spec: h.spec,
      bodyNames: h.bodyNames,
      jointNames: h.jointNames,
      terrain,
      condition: h.condition,
      controller: `${h.controller} (replay)`,
      controlDt: h.controlDt,
      layers: h.layers,
      hebb: [],
      frameBytes: h.frameBytes,
    });
    this.terrainMsg = terrainMessage(terrain, 0);
    this.frames32 = new Uint32Array(recording.frames.buffer, recording.frames.byteOffset, recording.frames.byteLength / 4);
    this.words = h.frameBytes / 4;
    this.pool = new SendBufferPool(h.frameBytes);
  }

  protected controlSeconds(): number {
    return this.recording.header.controlDt;
  }
  async reset(): Promise<string> {
    this.index = 0;
    this.holdLeft = 0;
    this.emit();
    return 'replay restarted';
  }
  async setCondition(): Promise<never> {
    throw new PerturbationError('condition: this is a replay of a recording; conditions can only change in a live run');
  }
  get episodeSeconds(): null {
    return null;
  }
  setEpisodeSeconds(): void {
    throw new PerturbationError('episode-length: this is a replay of a recording; its episode is as recorded');
  }
  push(): never {
    throw new PerturbationError('push: this is a replay of a recording; pushes need a live run');
  }
  close(): void {
    this.pacer.stop();
  }

  protected advance(): void {
    if (this.index < this.recording.frameCount - 1) {
      this.index++;
      this.holdLeft = Math.round((this.opts.holdSeconds ?? 1.5) / this.recording.header.controlDt);
    } else if (--this.holdLeft <= 0) {
      this.index = 0;
    }
  }

  protected emit(): void {
    if (!this.sink) return;
    const b = this.pool.acquire();
    const w = this.words;
    const src = this.frames32, base = this.index * w;
    for (let k = 0; k < w; k++) b.u32[k] = src[base + k];
    b.u32[F.epoch] = 0;
    b.u32[F.seq] = this.seq++;
    b.u32[F.flags] |= FLAG_REPLAY | (this.pacer.paused ? FLAG_PAUSED : 0);
    b.f32[F.speed] = this.pacer.speed;
    this.sink.binary(b, w * 4);
  }
}
