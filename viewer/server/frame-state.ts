/**
 * The fields of a FRAME (see viewer/protocol.ts) as a run accumulates them step by step, and
 * their encoding into a preallocated buffer. Shared by the live session and the recorder so a
 * recorded frame is byte-for-byte what the live stream would have sent.
 */
import type { LocomotionEnv } from '../../sim/env.js';
import { F, FLAG_DONE, KIND_FRAME, frameLayout, orSpikes, type FrameLayout } from '../protocol.js';
import type { Introspection } from './introspection.js';

export class FrameState {
  readonly layout: FrameLayout;
  epoch = 0;
  seq = 0;
  step = 0;
  time = 0;
  reward = 0;
  ret = 0;
  done = false;
  /** index into protocol.ts END_REASONS (0 while the episode goes on) */
  endReason = 0;
  speed = 1;
  extraFlags = 0;
  private x0 = 0;
  private readonly vel = new Float64Array(3);
  private readonly prev = new Float64Array(3);
  private readonly poses: Float32Array;
  /** spikes of every step since the last frame, ORed */
  private readonly spikeWords: Uint32Array;

  constructor(
    private env: LocomotionEnv,
    private readonly introspection: Introspection | null,
  ) {
    this.layout = frameLayout(env.bodyNames.length, env.actSize, introspection?.layers ?? []);
    this.poses = new Float32Array(7 * this.layout.bodies);
    this.spikeWords = new Uint32Array(this.layout.words);
    this.bind(env);
  }

  /** Follow another env with the same body tree (condition switch); the episode continues. */
  bind(env: LocomotionEnv): void {
    this.env = env;
    this.markPosition();
  }

  /** Call after `env.reset`: counters and distance start over. */
  beginEpisode(): void {
    this.step = 0;
    this.time = 0;
    this.reward = 0;
    this.ret = 0;
    this.done = false;
    this.endReason = 0;
    this.vel.fill(0);
    this.markPosition();
    this.x0 = this.prev[0];
  }

  /** The robot was moved without stepping (import into a new env): restart the velocity estimate. */
  markPosition(): void {
    this.env.bodyPoses(this.poses);
    this.prev[0] = this.poses[0];
    this.prev[1] = this.poses[1];
    this.prev[2] = this.poses[2];
  }

  /** torso x − torso x at the episode's start, m */
  get distance(): number {
    return this.prev[0] - this.x0;
  }

  /** Record one env step (after `env.step`). */
  afterStep(reward: number, done: boolean): void {
    const env = this.env;
    this.step++;
    this.time += env.controlDt;
    this.reward = reward;
    this.ret += reward;
    this.done = this.done || done;
    env.bodyPoses(this.poses);
    for (let k = 0; k < 3; k++) {
      this.vel[k] = (this.poses[k] - this.prev[k]) / env.controlDt;
      this.prev[k] = this.poses[k];
    }
    const layers = this.introspection?.layers;
    if (layers) for (let l = 0; l < layers.length; l++) orSpikes(layers[l].read(), layers[l].size, this.spikeWords, this.layout.spikes[l]);
  }

  /**
   * Encode the current frame at word `at` of `u32`/`f32` (views of one buffer; 0: a FRAME
   * message, else a world's FRAME inside a COMPARE message) and clear the spike fold.
   */
  write(u32: Uint32Array, f32: Float32Array, at = 0): void {
    const L = this.layout;
    u32[at + F.kind] = KIND_FRAME;
    u32[at + F.epoch] = this.epoch;
    u32[at + F.seq] = this.seq++;
    u32[at + F.step] = this.step;
    u32[at + F.flags] = (this.done ? FLAG_DONE : 0) | this.extraFlags;
    f32[at + F.time] = this.time;
    f32[at + F.reward] = this.reward;
    f32[at + F.ret] = this.ret;
    f32[at + F.distance] = this.prev[0] - this.x0;
    f32[at + F.vx] = this.vel[0];
    f32[at + F.vy] = this.vel[1];
    f32[at + F.vz] = this.vel[2];
    f32[at + F.speed] = this.speed;
    u32[at + F.endReason] = this.endReason;
    u32[at + 14] = 0;
    u32[at + 15] = 0;
    f32.set(this.poses, at + L.poses);
    // applied torque: gear · a for torque motors, the servo's torque for position actuators
    const tq = this.env.appliedTorques;
    for (let j = 0; j < L.joints; j++) f32[at + L.torques + j] = tq[j];
    const sw = this.spikeWords;
    for (let w = L.spikes.length ? L.spikes[0] : L.words; w < L.words; w++) {
      u32[at + w] = sw[w];
      sw[w] = 0;
    }
  }
}
