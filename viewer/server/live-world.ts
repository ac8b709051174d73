/**
 * One simulated world of a live run: a controller driving its `LocomotionEnv` through
 * `training/episode.ts`'s `Episode` (act(obs, last reward) → env.step → record), the frame
 * fields it accumulates (`FrameState`), and why its episode ended. A live session runs one
 * world, a compare session two in lockstep (live-run.ts holds what they share: seed, episode
 * length, pacing, when episodes restart, perturbations).
 *
 * A condition switch is two calls so that several worlds can switch at the same control step:
 * `envFor` builds and checks the new env (async: Rapier loads), `switchTo` re-seats the robot
 * with `switchCondition` (synchronous, between two steps).
 */
import type { Controller } from '../../controllers/controller.js';
import type { MorphologySpec } from '../../morphologies/spec.js';
import type { Condition } from '../../sim/conditions.js';
import { LocomotionEnv, type PhysicsOptions, type RewardOptions } from '../../sim/env.js';
import { gaitPolicy, type ResolvedPolicy } from '../../training/policy.js';
import { Episode, pushBodies, switchCondition } from '../../training/episode.js';
import { END_REASONS, type EpisodeEndReason, type Vec3 } from '../protocol.js';
import { PerturbationError } from './frame-source.js';
import { FrameState } from './frame-state.js';
import { probeController, type Introspection } from './introspection.js';

/** What a controller factory returns: a `training/policy.ts` `ResolvedPolicy`, or just its controller (and name). */
export type ControllerForEnv = Pick<ResolvedPolicy, 'controller'> & Partial<Pick<ResolvedPolicy, 'label'>>;

export interface LiveWorldOptions {
  morphology: MorphologySpec;
  condition: Condition;
  /**
   * the controller, or a function making one for the env (e.g. `training/policy.ts`
   * `resolvePolicy` for a checkpoint: its observation normaliser wraps its controller);
   * default: the open-loop gait of sim/gait.ts
   */
  controller?: Controller | ((env: LocomotionEnv) => ControllerForEnv | Promise<ControllerForEnv>);
  /** name shown in the HUD (default: the factory's label, else controller.kind) */
  controllerName?: string;
  /** the world's title in compare mode, e.g. the policy's folder (default: its controller's name) */
  name?: string;
  /** spikes and Hebb matrices; default: whatever `probeController` finds */
  introspection?: Introspection | null;
  physics?: Partial<PhysicsOptions>;
  /** reward weights (a trained policy's: its neuromodulator reads the reward) */
  reward?: Partial<RewardOptions>;
}

function makeEnv(o: LiveWorldOptions, condition: Condition): Promise<LocomotionEnv> {
  return LocomotionEnv.create({ morphology: o.morphology, condition, physics: o.physics, reward: o.reward, maxSteps: Number.MAX_SAFE_INTEGER });
}

export class LiveWorld {
  /** the episode being played: its env (replaced on a condition switch), controller and last reward */
  readonly episode: Episode;
  readonly frame: FrameState;
  /** the world's title (compare mode's HUD) */
  readonly name: string;
  /** why this world's episode ended (null while it goes on) */
  ended: EpisodeEndReason | null = null;

  /** A world ready to `begin`: env, controller (sizes checked) and introspection. */
  static async create(o: LiveWorldOptions): Promise<LiveWorld> {
    const env = await makeEnv(o, o.condition);
    let policy: ControllerForEnv;
    try {
      policy = typeof o.controller === 'function' ? await o.controller(env) : o.controller ? { controller: o.controller } : gaitPolicy(env);
    } catch (err) {
      env.free();
      throw err;
    }
    const controller = policy.controller;
    if (controller.obsSize !== env.obsSize || controller.actSize !== env.actSize) {
      env.free();
      throw new Error(
        `controller ${controller.kind} expects ${controller.obsSize} observations and ${controller.actSize} actions; ` +
          `morphology ${o.morphology.name} has ${env.obsSize} and ${env.actSize}`,
      );
    }
    const introspection = o.introspection === undefined ? probeController(controller) : o.introspection;
    return new LiveWorld(o, env, controller, introspection, o.controllerName ?? policy.label ?? controller.kind);
  }

  private constructor(
    private readonly opts: LiveWorldOptions,
    env: LocomotionEnv,
    readonly controller: Controller,
    readonly introspection: Introspection | null,
    /** what the HUD calls its controller */
    readonly label: string,
  ) {
    this.name = opts.name ?? label;
    this.episode = new Episode(env, controller);
    this.frame = new FrameState(env, introspection);
  }

  /** the env currently simulated (replaced on a condition switch) */
  get env(): LocomotionEnv {
    return this.episode.env;
  }

  /** A new episode: env and controller reset with `seed`, counters and distance from 0. */
  begin(seed: number): void {
    this.episode.begin(seed);
    this.ended = null;
    this.frame.beginEpisode();
  }

  /** One control step; the env's reason if it says the episode is over (it may lie on, stepped). */
  step(): EpisodeEndReason | null {
    const r = this.episode.step();
    this.frame.afterStep(r.reward, r.done);
    return r.nonFinite ? 'exploded' : (r.endReason ?? null);
  }

  /** The episode ended: remember why, and mark the frames. */
  end(reason: EpisodeEndReason): void {
    this.ended = reason;
    this.frame.endReason = END_REASONS.indexOf(reason);
    this.frame.done = true;
  }

  /** Δv (m/s, world frame) on every body; the step it came after. */
  push(velocity: Vec3): number {
    pushBodies(this.env, velocity);
    return this.frame.step;
  }

  /** The env of another condition for this robot, refused if it changes the body tree. */
  async envFor(condition: Condition, text: string): Promise<LocomotionEnv> {
    let next: LocomotionEnv;
    try {
      next = await makeEnv(this.opts, condition);
    } catch (err) {
      throw new PerturbationError(`condition "${text}": ${(err as Error).message}`);
    }
    if (next.bodyNames.length !== this.env.bodyNames.length || next.actSize !== this.env.actSize) {
      next.free();
      throw new PerturbationError(`condition "${text}" changes the robot's body tree; use it at startup (--condition) instead`);
    }
    return next;
  }

  /** Re-seat the robot in `next` (from `envFor`), free the old env; the step it came after. */
  switchTo(next: LocomotionEnv): number {
    const old = this.env;
    switchCondition(this.episode, next);
    old.free();
    this.frame.bind(next);
    return this.frame.step;
  }

  free(): void {
    this.env.free();
  }
}
