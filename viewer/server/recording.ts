/**
 * Recorded rollouts for the viewer's replay mode.
 *
 * File format (`.slrec`), little-endian:
 *   bytes 0..7   "SPKLREC1"
 *   u32          header length H in bytes (a multiple of 4)
 *   H bytes      header JSON (`RecordingHeader`), space-padded
 *   frames       `frameCount` FRAMEs of `frameBytes` each, exactly as the live stream sends
 *                them (viewer/protocol.ts), epoch 0
 * The frame count is implied by the file size. `readRecording` checks a file before anything
 * streams it and refuses (`RecordingError`, naming the file and what is wrong) a header that
 * does not describe its frames (frameBytes vs. the FRAME layout of its bodies, joints and
 * spike layers), a body that is not a whole number of frames (truncated or padded), and any
 * frame that is not a FRAME or carries a non-finite number.
 * The file is written through core/atomic.ts: it appears at its path, whole, only when the
 * writer is closed (a crash leaves any previous recording there untouched).
 *
 * `recordEpisode` is what `spikeloco rollout --record FILE` calls; `RecordingWriter` is for
 * loops of one's own (call `writeStep` after every `env.step`).
 */
import { readFileSync } from 'node:fs';
import { AtomicFileWriter } from '../../core/atomic.js';
import { UserError } from '../../core/errors.js';
import type { Controller } from '../../controllers/controller.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { LocomotionEnv } from '../../sim/env.js';
import { plainEpisode, runEpisode, type EpisodeHooks, type EpisodeStats } from '../../training/episode.js';
import { parseCondition } from '../../sim/conditions.js';
import { F, FLAG_DONE, FRAME_FORMAT_SINCE, FRAME_HEADER_WORDS, KIND_FRAME, PROTOCOL_VERSION, frameLayout, type SpikeLayerInfo } from '../protocol.js';
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

export interface RecordEpisodeOptions extends EpisodeHooks {
  /** stop after this many control steps (default and at most: the env's maxSteps) */
  maxSteps?: number;
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
    const stats = runEpisode(env, recorded, plainEpisode(env, seed, opts.maxSteps), {
      onStep: (e, action, reward, r) => {
        writer!.writeStep(reward, false);
        opts.onStep?.(e, action, reward, r);
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

/** A recording file that cannot be replayed; the message names the file and what is wrong. */
export class RecordingError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Header fields the replay relies on, checked against each other. */
function checkHeader(header: RecordingHeader, where: string): void {
  const fail = (what: string) => {
    throw new RecordingError(`${where}: ${what}; the file is damaged or not written by this version (record it again with spikeloco rollout --record)`);
  };
  if (!header || typeof header !== 'object') fail('header is not a JSON object');
  if (header.format !== RECORDING_FORMAT) fail(`header.format is ${JSON.stringify(header.format)}, expected "${RECORDING_FORMAT}"`);
  if (!(header.protocol >= FRAME_FORMAT_SINCE && header.protocol <= PROTOCOL_VERSION)) throw new RecordingError(`${where}: recorded with viewer protocol ${header.protocol}; this viewer replays recordings of protocol ${FRAME_FORMAT_SINCE} to ${PROTOCOL_VERSION}`);
  if (!isStrings(header.bodyNames) || header.bodyNames.length === 0) fail('header.bodyNames is not a list of body names');
  if (!isStrings(header.jointNames)) fail('header.jointNames is not a list of joint names');
  if (!header.spec || !Array.isArray(header.spec.bodies) || header.spec.bodies.length !== header.bodyNames.length) {
    fail(`header.spec has ${Array.isArray(header.spec?.bodies) ? header.spec.bodies.length : 'no'} bodies, header.bodyNames ${header.bodyNames.length}`);
  }
  if (!Array.isArray(header.layers) || !header.layers.every((l) => l && typeof l.name === 'string' && Number.isInteger(l.size) && l.size >= 0)) fail('header.layers is not a list of {name, size}');
  if (!(typeof header.controlDt === 'number' && Number.isFinite(header.controlDt) && header.controlDt > 0)) fail(`header.controlDt ${header.controlDt} is not a positive number of seconds`);
  if (typeof header.condition !== 'string') fail('header.condition is not a condition string');
  try {
    parseCondition(header.condition);
  } catch (err) {
    fail(`header.condition: ${(err as Error).message.split('\n')[0]}`);
  }
  const expected = frameLayout(header.bodyNames.length, header.jointNames.length, header.layers).byteLength;
  if (header.frameBytes !== expected) {
    fail(`header.frameBytes is ${header.frameBytes} but ${header.bodyNames.length} bodies, ${header.jointNames.length} joints and layers [${header.layers.map((l) => l.size).join(', ')}] make ${expected}-byte frames`);
  }
}

/** Every frame a FRAME whose float fields are finite; throws naming the first bad frame. */
function checkFrames(frames: Uint8Array, header: RecordingHeader, frameCount: number, where: string): void {
  const L = frameLayout(header.bodyNames.length, header.jointNames.length, header.layers);
  const u32 = new Uint32Array(frames.buffer, frames.byteOffset, frames.byteLength / 4);
  const f32 = new Float32Array(frames.buffer, frames.byteOffset, frames.byteLength / 4);
  const floats = [F.time, F.reward, F.ret, F.distance, F.vx, F.vy, F.vz, F.speed];
  for (let k = 0; k < frameCount; k++) {
    const b = k * L.words;
    if (u32[b + F.kind] !== KIND_FRAME) throw new RecordingError(`${where}: frame ${k} of ${frameCount} is not a FRAME (kind ${u32[b + F.kind]}); the file is damaged`);
    for (const w of floats) {
      if (!Number.isFinite(f32[b + w])) throw new RecordingError(`${where}: frame ${k} of ${frameCount} has a non-finite header value (word ${w} = ${f32[b + w]}); the file is damaged`);
    }
    // poses and torques: every float from the end of the header to the spike bits
    for (let w = FRAME_HEADER_WORDS; w < L.torques + L.joints; w++) {
      if (!Number.isFinite(f32[b + w])) {
        const what = w < L.torques ? `body ${header.bodyNames[Math.floor((w - L.poses) / 7)]} pose` : `joint ${header.jointNames[w - L.torques]} torque`;
        throw new RecordingError(`${where}: frame ${k} of ${frameCount} has a non-finite ${what} (${f32[b + w]}); the file is damaged`);
      }
    }
  }
}

export function readRecording(path: string): Recording {
  const where = `recording ${path}`;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RecordingError(`${where}: no such file (make one with spikeloco rollout --record FILE)`);
    if (code === 'EISDIR') throw new RecordingError(`${where}: is a directory, not a recording file`);
    if (code === 'EACCES') throw new RecordingError(`${where}: permission denied`);
    throw err;
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== RECORDING_MAGIC) throw new RecordingError(`${where}: not a spikeloco recording (no ${RECORDING_MAGIC} magic)`);
  const h = buf.readUInt32LE(8);
  if (12 + h > buf.length) throw new RecordingError(`${where}: header of ${h} bytes runs past the end of the file (${buf.length} bytes); the file is truncated`);
  let header: RecordingHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + h)) as RecordingHeader;
  } catch (err) {
    throw new RecordingError(`${where}: header is not JSON (${(err as Error).message})`);
  }
  checkHeader(header, where);
  const start = 12 + h;
  const body = buf.length - start;
  const frameCount = Math.floor(body / header.frameBytes);
  if (frameCount === 0) throw new RecordingError(`${where}: no frames (${body} bytes after the header, one frame is ${header.frameBytes})`);
  if (body % header.frameBytes) {
    throw new RecordingError(`${where}: ${body} bytes of frames is not a whole number of ${header.frameBytes}-byte frames (${frameCount} frames + ${body % header.frameBytes} bytes): the file is truncated or padded`);
  }
  // copy into an aligned buffer so Float32Array/Uint32Array views work
  const frames = new Uint8Array(frameCount * header.frameBytes);
  frames.set(buf.subarray(start, start + frames.length));
  checkFrames(frames, header, frameCount, where);
  return { header, frames, frameCount };
}
