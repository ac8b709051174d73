/** A FRAME's header and torso (viewer/protocol.ts), read at word `at` of a message. */
import { END_REASONS, F } from '../protocol.js';
import type { FrameSummary } from './page-api.js';

export function readFrame(u32: Uint32Array, f32: Float32Array, at: number, posesWord: number): FrameSummary {
  const p = at + posesWord;
  return {
    seq: u32[at + F.seq],
    step: u32[at + F.step],
    time: f32[at + F.time],
    reward: f32[at + F.reward],
    ret: f32[at + F.ret],
    distance: f32[at + F.distance],
    velocity: [f32[at + F.vx], f32[at + F.vy], f32[at + F.vz]],
    speed: f32[at + F.speed],
    flags: u32[at + F.flags],
    endReason: u32[at + F.endReason] < END_REASONS.length ? u32[at + F.endReason] : 0,
    torso: [f32[p], f32[p + 1], f32[p + 2]],
  };
}
