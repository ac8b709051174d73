/**
 * Recorded rollouts for the viewer's replay mode.
 *
 * File format (`.slrec`), little-endian:
 *   bytes 0..7   "SPKLREC1"
 *   u32          header length H in bytes (a multiple of 4)
 *   H bytes      header JSON (`RecordingHeader`), space-padded
 *   frames       `frameCount` FRAMEs of `frameBytes` each, exactly as the live stream sends
 *                them (viewer/protocol.ts), epoch 0
 * The frame count is implied by the file size. The file is written through core/atomic.ts: it
 * appears at its path, whole, only when the writer is closed (a crash leaves any previous
 * recording there untouched and a `*.tmp-<pid>` beside it).
 *
 * `recordEpisode` is what `spikeloco rollout --record FILE` calls; `RecordingWriter` is for
 * loops of one's own (call `writeStep` after every `env.step`).
 */
import { readFileSync } from 'node:fs';
import { AtomicFileWriter } from '../../core/atomic.js';
import type { Controller } from '../../controllers/controller.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { LocomotionEnv } from '../../sim/env.js';
import { runEpisode, type EpisodeOptions, type EpisodeStats } from '../../training/rollout.js';
import { F, FLAG_DONE, PROTOCOL_VERSION, type SpikeLayerInfo } from '../protocol.js';
import { FrameState } from './frame-state.js';
import { probeController, type Introspection } from './introspection.js';

export const RECORDING_MAGIC = 'SPKLREC1';
export const RECORDING_FORMAT = 'spikeloco-recording';

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  protocol: number;
  created: string;
  /** the robot as simulated (condition variants applied) */
  spec: MorphologySpec;
  bodyNames: string[];
  jointNames: string[];
  /** canonical condition label; the terrain is rebuilt from it (conditions are deterministic) */
  condition: string;
  controller: string;
  controlDt: number;
  seed: number;
  layers: SpikeLayerInfo[];
  frameBytes: number;
}

export interface Recording {
  header: RecordingHeader;
  /** all frames, back to back */
  frames: Uint8Array;
  frameCount: number;
}

export interface RecordingWriterOptions {
  controllerName: string;
  seed: number;
  introspection?: Introspection | null;
  /** frames buffered before a write (default 64) */
  chunkFrames?: number;
}

export class RecordingWriter {
  private readonly out: AtomicFileWriter;
  private readonly frame: FrameState;
  private readonly chunk: Uint8Array;
  private readonly u32: Uint32Array;
  private readonly f32: Float32Array;
  private readonly frameBytes: number;
  private readonly chunkFrames: number;
  private inChunk = 0;
  private readonly dataStart: number;
  frames = 0;
  private closed = false;

  /** Open `path` for writing and record the env's current state as frame 0 (call after `env.reset`). */
  constructor(
    readonly path: string,
    env: LocomotionEnv,
    opts: RecordingWriterOptions,
  ) {
    this.frame = new FrameState(env, opts.introspection ?? null);
    this.frame.beginEpisode();
    this.frameBytes = this.frame.layout.byteLength;
    this.chunkFrames = opts.chunkFrames ?? 64;
    this.chunk = new Uint8Array(this.frameBytes * this.chunkFrames);
    this.u32 = new Uint32Array(this.frame.layout.words);
    this.f32 = new Float32Array(this.u32.buffer);
    const header: RecordingHeader = {
      format: RECORDING_FORMAT,
      version: 1,
      protocol: PROTOCOL_VERSION,
      created: new Date().toISOString(),
      spec: env.spec,
      bodyNames: env.bodyNames,
      jointNames: env.jointNames,
      condition: env.condition.label,
      controller: opts.controllerName,
      controlDt: env.controlDt,
      seed: opts.seed,
      layers: this.frame.layout.layers.map((l) => ({ name: l.name, size: l.size })),
      frameBytes: this.frameBytes,
    };
    let json = JSON.stringify(header);
    json += ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
    const head = Buffer.alloc(12);
    head.write(RECORDING_MAGIC, 0, 'latin1');
    head.writeUInt32LE(Buffer.byteLength(json), 8);
    this.out = new AtomicFileWriter(path);
    this.out.write(head);
    this.out.write(Buffer.from(json));
    this.dataStart = 12 + Buffer.byteLength(json);
    this.push();
  }

  /** Record the step just taken (`reward`, `done` as returned by `env.step`). */
  writeStep(reward: number, done: boolean): void {
    this.frame.afterStep(reward, done);
    this.push();
  }

  /** Flush, optionally marking the last frame as the end of an episode that fell, and publish the file. */
  close(markLastDone = false): void {
    if (this.closed) return;
    this.closed = true;
    if (markLastDone && this.inChunk > 0) {
      const last = new Uint32Array(this.chunk.buffer, (this.inChunk - 1) * this.frameBytes, this.frameBytes / 4);
      last[F.flags] |= FLAG_DONE;
      this.flush();
    } else {
      this.flush();
      if (markLastDone && this.frames > 0) {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(FLAG_DONE, 0);
        // only reached when the chunk was flushed exactly on the last frame; flags are 0 then
        this.out.write(b, 0, 4, this.dataStart + (this.frames - 1) * this.frameBytes + 4 * F.flags);
      }
    }
    this.out.commit();
  }

  /** Give up: nothing appears at `path` (a previous file there stays as it was). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.abort();
  }

  private push(): void {
    this.frame.write(this.u32, this.f32);
    this.chunk.set(new Uint8Array(this.u32.buffer), this.inChunk * this.frameBytes);
    this.inChunk++;
    this.frames++;
    if (this.inChunk === this.chunkFrames) this.flush();
  }

  private flush(): void {
    if (this.inChunk === 0) return;
    this.out.write(this.chunk, 0, this.inChunk * this.frameBytes);
    this.inChunk = 0;
  }
}

export interface RecordEpisodeOptions extends EpisodeOptions {
  /** name for the HUD (default: controller.kind) */
  controllerName?: string;
  /** spikes to record (default: whatever `probeController` finds) */
  introspection?: Introspection | null;
}

/**
 * Run one episode (`runEpisode`, same step order and stats) and record it to `path`:
 * the call behind `spikeloco rollout --record FILE`.
 */
export function recordEpisode(env: LocomotionEnv, controller: Controller, seed: number, path: string, opts: RecordEpisodeOptions = {}): EpisodeStats {
  const introspection = opts.introspection === undefined ? probeController(controller) : opts.introspection;
  let writer: RecordingWriter | null = null;
  // runEpisode resets the env and then the controller: opening the writer in the controller's
  // reset records the reset state as frame 0 and keeps runEpisode the one episode loop
  const recorded: Controller = {
    kind: controller.kind,
    obsSize: controller.obsSize,
    actSize: controller.actSize,
    reset: (s) => {
      controller.reset(s);
      writer?.close();
      writer = new RecordingWriter(path, env, { controllerName: opts.controllerName ?? controller.kind, seed: s, introspection });
    },
    act: (obs, reward) => controller.act(obs, reward),
  };
  try {
    const stats = runEpisode(env, recorded, seed, {
      ...opts,
      onStep: (e, action, reward) => {
        writer!.writeStep(reward, false);
        opts.onStep?.(e, action, reward);
      },
    });
    (writer as RecordingWriter | null)?.close(stats.falls > 0);
    return stats;
  } catch (e) {
    // a failed episode publishes nothing: any earlier recording at `path` stays as it was
    (writer as RecordingWriter | null)?.abort();
    throw e;
  }
}

export function readRecording(path: string): Recording {
  const buf = readFileSync(path);
  const where = `recording ${path}`;
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== RECORDING_MAGIC) throw new Error(`${where}: not a spikeloco recording (no ${RECORDING_MAGIC} magic)`);
  const h = buf.readUInt32LE(8);
  if (12 + h > buf.length) throw new Error(`${where}: header of ${h} bytes runs past the end of the file (${buf.length} bytes)`);
  let header: RecordingHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + h)) as RecordingHeader;
  } catch (err) {
    throw new Error(`${where}: header is not JSON (${(err as Error).message})`);
  }
  if (header.format !== RECORDING_FORMAT) throw new Error(`${where}: header.format is ${JSON.stringify(header.format)}, expected "${RECORDING_FORMAT}"`);
  if (header.protocol !== PROTOCOL_VERSION) throw new Error(`${where}: recorded with viewer protocol ${header.protocol}; this viewer speaks ${PROTOCOL_VERSION}`);
  if (!(header.frameBytes > 0) || header.frameBytes % 4) throw new Error(`${where}: header.frameBytes ${header.frameBytes} is not a positive multiple of 4`);
  const start = 12 + h;
  const frameCount = Math.floor((buf.length - start) / header.frameBytes);
  // copy into an aligned buffer so Float32Array/Uint32Array views work
  const frames = new Uint8Array(frameCount * header.frameBytes);
  frames.set(buf.subarray(start, start + frames.length));
  return { header, frames, frameCount };
}
