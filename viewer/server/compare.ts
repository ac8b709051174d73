/**
 * Compare mode (`spikeloco watch --compare A B`): two controllers for the same robot, each in
 * its own world, stepped in lockstep by one `LiveRun` (live-run.ts): the same episode seed,
 * condition and episode length, every perturbation from the page applied to both worlds at the
 * same control step, and the next episode starting in both together once both have ended (or
 * at the episode length). Each frame is one COMPARE message holding both worlds' FRAMEs
 * (viewer/protocol.ts); the page draws the worlds side by side, `COMPARE_SPACING` m apart.
 *
 * The worlds carry no spikes or Hebb matrices (the raster and heatmaps are single-policy views):
 * their FRAMEs are poses, torques and the HUD's numbers.
 */
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { PhysicsOptions, RewardOptions } from '../../sim/env.js';
import { parseCondition } from '../../sim/conditions.js';
import { C, COMPARE_HEADER_WORDS, KIND_COMPARE, compareLayout, type HelloMessage } from '../protocol.js';
import type { FrameSource } from './frame-source.js';
import { LiveRun, type LiveRunOptions } from './live-run.js';
import { LiveWorld, type LiveWorldOptions } from './live-world.js';
import { SendBufferPool } from './send-buffers.js';

/**
 * Lateral distance between the drawn worlds, m: world i is drawn at y = (½ − i)·spacing. The
 * robots are drawn where physics has them plus that offset, so one that drifts more than half
 * of it sideways (the plastic Ant and the gait drift 2–7 m in 10 s) crosses into the other's lane.
 */
export const COMPARE_SPACING = 4;

export interface CompareWorldOptions {
  /** the HUD's title: the policy file's folder, or the built-in's name */
  name: string;
  controller: LiveWorldOptions['controller'];
  /** its reward weights (a trained policy's neuromodulator reads the reward) */
  reward?: Partial<RewardOptions>;
}

export interface CompareSessionOptions extends LiveRunOptions {
  morphology: MorphologySpec;
  /** condition string (default 'flat'), the same in both worlds */
  condition?: string;
  physics?: Partial<PhysicsOptions>;
  worlds: [CompareWorldOptions, CompareWorldOptions];
}

/** Two worlds in lockstep, ready to `attach` and `start`. */
export async function createCompareSession(opts: CompareSessionOptions): Promise<CompareSession> {
  const condition = parseCondition(opts.condition ?? 'flat');
  const worlds: LiveWorld[] = [];
  try {
    for (const w of opts.worlds) {
      worlds.push(await LiveWorld.create({ morphology: opts.morphology, condition, physics: opts.physics, reward: w.reward, controller: w.controller, name: w.name, introspection: null }));
    }
  } catch (err) {
    for (const w of worlds) w.free();
    throw err;
  }
  return new CompareSession(opts, worlds);
}

export class CompareSession extends LiveRun implements FrameSource {
  private readonly layout: ReturnType<typeof compareLayout>;
  private readonly pool: SendBufferPool;
  private seq = 0;

  constructor(opts: LiveRunOptions, worlds: LiveWorld[]) {
    super(worlds, opts);
    this.layout = compareLayout(worlds.map((w) => w.frame.layout.byteLength));
    this.pool = new SendBufferPool(this.layout.byteLength);
  }

  /** the worlds' envs, in world order (replaced on a condition switch) */
  get envs(): readonly LiveWorld['env'][] {
    return this.worlds.map((w) => w.env);
  }

  protected makeHello(): HelloMessage {
    const worlds = this.worlds;
    const bytes = worlds.map((w) => w.frame.layout.byteLength);
    return this.liveHello({
      controller: worlds.map((w) => w.name).join(' vs '),
      layers: [],
      hebb: [],
      frameBytes: compareLayout(bytes).byteLength,
      compare: worlds.map((w, i) => ({ name: w.name, controller: w.label, frameBytes: bytes[i], offsetY: (0.5 - i) * COMPARE_SPACING })),
    });
  }

  protected emit(): void {
    const sink = this.sink;
    if (!sink) return;
    const buf = this.pool.acquire();
    const { u32, f32 } = buf;
    const worlds = this.worlds, offsets = this.layout.offsets;
    u32[C.kind] = KIND_COMPARE;
    u32[C.epoch] = this.epoch;
    u32[C.seq] = this.seq++;
    u32[C.step] = this.episodeStep;
    u32[C.flags] = worlds[0].frame.extraFlags;
    for (let k = C.flags + 1; k < COMPARE_HEADER_WORDS; k++) u32[k] = 0;
    for (let i = 0; i < worlds.length; i++) worlds[i].frame.write(u32, f32, offsets[i]);
    sink.binary(buf, this.layout.byteLength);
  }
}
