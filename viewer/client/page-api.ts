/**
 * `window.spikeloco`: read-only state of the page and a few hooks, for end-to-end tests and
 * the browser console. Types only (the test suite imports them).
 */
import type { ClientRequest, EpisodeMessage, HelloMessage, ServerMessage } from '../protocol.js';

export interface PageApi {
  readonly connected: boolean;
  readonly hello: HelloMessage | null;
  /** the newest frame drawn */
  readonly last: {
    seq: number;
    step: number;
    time: number;
    reward: number;
    ret: number;
    distance: number;
    velocity: [number, number, number];
    speed: number;
    flags: number;
    /** index into END_REASONS (0 while the episode goes on) */
    endReason: number;
    torso: [number, number, number];
  } | null;
  readonly counts: { frames: number; hellos: number; terrains: number; hebbs: number; dropped: number };
  /** acks and errors received (last 50) */
  readonly replies: ServerMessage[];
  /** episode-end messages received (last 50), and the newest */
  readonly episodes: EpisodeMessage[];
  readonly lastEpisode: EpisodeMessage | null;
  /** live episode length from the last status (0 = endless, null = replay or none yet) */
  readonly episodeSeconds: number | null;
  /** the ground drawn: its kind and the sum of its heights */
  readonly terrain: { kind: 'flat' | 'heightfield'; checksum: number } | null;
  readonly panels: { raster: boolean; heatmap: boolean; spikesDrawn: number; heatmapsDrawn: number };
  request(msg: ClientRequest): Promise<ServerMessage>;
  sendRaw(text: string): void;
  setRobotVisible(visible: boolean): void;
  /** screen position (CSS px in the canvas) of the drawn torso */
  torsoOnScreen(): { x: number; y: number } | null;
  composeCondition(): string;
}

declare global {
  interface Window {
    spikeloco: PageApi;
  }
}
