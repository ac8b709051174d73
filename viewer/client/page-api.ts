/**
 * `window.spikeloco`: read-only state of the page and a few hooks, for end-to-end tests and
 * the browser console. Types only (the test suite imports them).
 */
import type { ClientRequest, EpisodeMessage, HelloMessage, ServerMessage } from '../protocol.js';
import type { RobotDrawing } from './robot.js';

/** One world's FRAME as the HUD reads it. */
export interface FrameSummary {
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
}

/** Compare mode: each world as the page shows it. */
export interface CompareApi {
  /** COMPARE messages drawn, and the shared step of the newest */
  frames: number;
  step: number;
  worlds: {
    name: string;
    controller: string;
    offsetY: number;
    /** the newest FRAME of this world (torso as physics has it, without the drawing offset) */
    last: FrameSummary | null;
    /** the world's HUD panel: its title and its text */
    title: string;
    hud: string;
  }[];
}

export interface PageApi {
  readonly connected: boolean;
  readonly hello: HelloMessage | null;
  /** the newest frame drawn (compare mode: world 0's) */
  readonly last: FrameSummary | null;
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
  /** what the robot view draws (null before the first hello, and in compare mode) */
  robotDrawing(): RobotDrawing | null;
  /** screen position (CSS px in the canvas) of the drawn torso */
  torsoOnScreen(): { x: number; y: number } | null;
  composeCondition(): string;
  /** compare mode's worlds (null outside compare mode) */
  readonly compare: CompareApi | null;
  setWorldVisible(world: number, visible: boolean): void;
  /** screen position (CSS px in the canvas) of world `world`'s drawn torso */
  worldTorsoOnScreen(world: number): { x: number; y: number } | null;
}

declare global {
  interface Window {
    spikeloco: PageApi;
  }
}
