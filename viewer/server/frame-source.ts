/**
 * What the server streams from: a live simulation (`LiveSession`) or a recording
 * (`ReplaySession`). A source paces itself and pushes messages into a `FrameSink`; the
 * server is the sink and fans them out to clients.
 */
import { UserError } from '../../core/errors.js';
import type { HelloMessage, ServerMessage, Vec3 } from '../protocol.js';
import type { MeshAsset } from './mesh-assets.js';
import type { SendBuffer } from './send-buffers.js';

export interface FrameSink {
  /** a FRAME or HEBB message; broadcast it and `release` once per completed send */
  binary(buf: SendBuffer, byteLength: number): void;
  /** the robot, terrain or condition changed: send `hello()` and `terrain()` to everyone */
  helloChanged(): void;
  /** speed, pause or episode length changed */
  statusChanged(): void;
  /** a JSON message for every client (e.g. `episode`: why an episode ended) */
  json(msg: ServerMessage): void;
}

/** What a perturbation did, for the page's `ack`. */
export interface Applied {
  detail: string;
  /** the control step (since the episode began) each world was at: the change acts from the next step on */
  steps: number[];
}

export interface FrameSourceStats {
  /** control steps simulated or replayed */
  steps: number;
  framesSent: number;
  /** wall-clock seconds the source has been running (paused time excluded) */
  wallSeconds: number;
  /** simulated seconds over the same span */
  simSeconds: number;
  /** steps the source could not fit in real time and dropped (0 = kept real time) */
  laggedSteps: number;
  /** mean cost of one control step (physics + controller, or reading a recorded frame), µs */
  stepMicros: number;
  /** mean cost of one sent frame (encoding + fan-out to every client), µs */
  frameMicros: number;
}

export interface FrameSource {
  readonly mode: 'live' | 'replay';
  hello(): HelloMessage;
  /** the mesh files the current hello references, by id: all the server will serve under /mesh/ */
  meshFiles?(): readonly MeshAsset[];
  /** the TERRAIN message of the current hello, or null for flat ground */
  terrain(): Uint8Array | null;
  readonly speed: number;
  readonly paused: boolean;
  /** live episode length, s (0 = endless); null for a replay */
  readonly episodeSeconds: number | null;
  /** set the live episode length (0 = endless); a replay refuses */
  setEpisodeSeconds(seconds: number): void;
  attach(sink: FrameSink): void;
  start(): void;
  stop(): void;
  setSpeed(speed: number): void;
  setPaused(paused: boolean): void;
  /** one control step while paused */
  stepOnce(): void;
  reset(seed?: number): Promise<string>;
  /** switch condition in place; resolves to the canonical label, rejects with a readable error */
  setCondition(condition: string): Promise<Applied>;
  /** a push: velocity change Δv (m/s, world frame) of every body of the robot; each world's step when applied */
  push(velocity: Vec3): number[];
  stats(): FrameSourceStats;
  /** stop and free resources */
  close(): void;
}

export class PerturbationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PerturbationError';
  }
}
