/**
 * The training config: one JSON file, one schema, defaults in one place. The controller
 * section is validated by the controllers' own schema (`parseControllerConfig`).
 *
 * Fitness of a genome = mean over `episodesPerMember` episodes of the env's return (forward
 * velocity + healthy bonus − control cost, weights in `reward`); no other shaping.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { SchemaError, validate, type Schema } from '../core/schema.js';
import { parseControllerConfig } from '../controllers/config.js';
import { parseCondition } from '../sim/conditions.js';
import { unseenReason } from './suites.js';

export interface TrainConfig {
  name: string;
  morphology: string;
  /** condition strings episodes cycle through */
  conditions: string[];
  /** train on conditions reserved as unseen (refused unless true) */
  allowUnseen: boolean;
  episodeSeconds: number;
  /**
   * > episodeSeconds: every generation draws its episodes' length uniformly from
   * [episodeSeconds, episodeSecondsMax] (the same for every member); 0: fixed length
   */
  episodeSecondsMax: number;
  /**
   * An episode-length curriculum: from generation `fromGeneration` on, lengths are drawn from
   * [episodeSeconds, episodeSecondsMax] of this section instead (a gait on short episodes
   * first, then the long horizon). Absent: the top-level lengths throughout.
   */
  longEpisodes?: { fromGeneration: number; episodeSeconds: number; episodeSecondsMax: number };
  /**
   * Episode schedules: with `probability`, an episode switches one of `conditions` on (drawn
   * uniformly) at a time drawn uniformly from `atSeconds` (s after the start), the same for
   * every member of a generation, from generation `fromGeneration` on. Fitness is the whole
   * episode's return, so recovering pays.
   */
  switches: { probability: number; conditions: string[]; atSeconds: [number, number]; fromGeneration: number };
  episodesPerMember: number;
  /**
   * Training only: the healthy torso-height band [lo, hi] (m) that ends training episodes,
   * instead of the robot's own `healthyZ` (evaluation, `watch` and `rollout` keep the robot's).
   * A band stricter than the one a policy is judged by leaves a margin: a hopping gait whose
   * torso grazes the top of the robot's band in training bounces off it at some point of a
   * long episode. Absent: the robot's band.
   */
  trainingHealthyZ?: [number, number];
  controller: Record<string, unknown>;
  optimizer: {
    kind: 'openai-es' | 'pgpe' | 'snes';
    popSize: number;
    sigma: number;
    lr: number;
    weightDecay: number;
    maxSpeed: number;
  };
  generations: number;
  /** wall-clock budget in minutes (0: none); training stops after the generation that exceeds it */
  minutes: number;
  seed: number;
  checkpointEvery: number;
  normalizeObservations: boolean;
  reward: { forwardWeight: number; ctrlCostWeight: number; healthyReward: number; fallPenalty?: number; fallPenaltyFromGeneration?: number; headingWeight?: number; headingWeightFromGeneration?: number };
  /** episodes per member when the final best genome is evaluated */
  finalEpisodes: number;
}

export const TRAIN_CONFIG_SCHEMA: Schema = {
  type: 'object',
  document: true,
  required: ['controller'],
  properties: {
    name: { type: 'string', default: 'run' },
    morphology: { type: 'string', default: 'ant', description: 'registered name (ant, hexapod) or a JSON spec file' },
    conditions: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['flat'] },
    allowUnseen: { type: 'boolean', default: false },
    episodeSeconds: { type: 'number', min: 0.1, max: 600, default: 10 },
    episodeSecondsMax: { type: 'number', min: 0, max: 600, default: 0, description: '> episodeSeconds: episode lengths drawn per generation from [episodeSeconds, episodeSecondsMax]; 0: fixed' },
    longEpisodes: {
      type: 'object',
      description: 'an episode-length curriculum: from fromGeneration on, lengths are drawn from this section\'s [episodeSeconds, episodeSecondsMax] (0: fixed) instead of the top-level ones; the centre evaluations follow the same rule; absent: none',
      required: ['fromGeneration', 'episodeSeconds'],
      properties: {
        fromGeneration: { type: 'number', integer: true, min: 1, max: 1e6 },
        episodeSeconds: { type: 'number', min: 0.1, max: 600 },
        episodeSecondsMax: { type: 'number', min: 0, max: 600, default: 0 },
      },
    },
    switches: {
      type: 'object',
      default: {},
      description: 'episode schedules: a training condition switched on at a random time in some episodes',
      properties: {
        probability: { type: 'number', min: 0, max: 1, default: 0, description: 'share of episodes with a switch' },
        conditions: { type: 'array', items: { type: 'string' }, default: [], description: 'conditions switched on (held-out ones refused), e.g. the "switches" suite' },
        atSeconds: { type: 'array', items: { type: 'number', min: 0 }, minItems: 2, maxItems: 2, default: [2, 8], description: '[earliest, latest] switch time, s' },
        fromGeneration: { type: 'number', integer: true, min: 0, default: 0, description: 'switches start at this generation (a curriculum: learn to walk first); the centre evaluations follow the same rule' },
      },
    },
    episodesPerMember: { type: 'number', integer: true, min: 1, max: 100, default: 1 },
    trainingHealthyZ: { type: 'tuple', items: [{ type: 'number', min: -10, max: 10 }, { type: 'number', min: -10, max: 10 }], description: "training only: the healthy torso-height band [lo, hi] (m) that ends training episodes instead of the robot's healthyZ (a stricter band leaves a margin); absent: the robot's" },
    // kept as written (policies store it so); checked by parseControllerConfig in parseTrainConfig
    controller: { type: 'object', properties: {}, additionalProperties: true, publishedRef: 'controller-config.schema.json', description: 'the controller config (controllers/config.ts)' },
    optimizer: {
      type: 'object',
      default: {},
      properties: {
        kind: { type: 'string', enum: ['openai-es', 'pgpe', 'snes'], default: 'pgpe' },
        popSize: { type: 'number', integer: true, min: 2, max: 10000, default: 48 },
        sigma: { type: 'number', min: 0, exclusiveMin: true, max: 10, default: 0.05 },
        lr: { type: 'number', min: 0, exclusiveMin: true, max: 10, default: 0.03 },
        weightDecay: { type: 'number', min: 0, max: 1, default: 0.005 },
        maxSpeed: { type: 'number', min: 0, exclusiveMin: true, max: 10, default: 0.15 },
      },
    },
    generations: { type: 'number', integer: true, min: 1, max: 1e6, default: 100 },
    minutes: { type: 'number', min: 0, max: 1e5, default: 0 },
    seed: { type: 'number', integer: true, min: 0, max: 2 ** 31, default: 0 },
    checkpointEvery: { type: 'number', integer: true, min: 1, max: 1e6, default: 5 },
    normalizeObservations: { type: 'boolean', default: true },
    reward: {
      type: 'object',
      default: {},
      properties: {
        forwardWeight: { type: 'number', default: 1 },
        ctrlCostWeight: { type: 'number', min: 0, default: 0.5 },
        healthyReward: { type: 'number', default: 1 },
        fallPenalty: { type: 'number', min: 0, max: 1e6, description: 'subtracted from the reward of the step on which the robot fell, flipped or rose out of its healthy band (training episodes: out of trainingHealthyZ); absent: 0, as in MuJoCo' },
        headingWeight: { type: 'number', min: 0, max: 1e6, description: 'subtracted every step: headingWeight × (1 − cos ψ), ψ the yaw of the torso from +x (a gait that turns away from the x axis pays at once, not only in the distance it loses); absent: 0, as in MuJoCo' },
        fallPenaltyFromGeneration: { type: 'number', integer: true, min: 0, max: 1e6, description: 'training only: the fall penalty applies from this generation on (a curriculum: a gait first, then one that does not fall; the centre evaluations follow the same rule); absent: 0' },
        headingWeightFromGeneration: { type: 'number', integer: true, min: 0, max: 1e6, description: 'training only: the heading cost applies from this generation on (a curriculum: a gait first, then a straight one; the centre evaluations follow the same rule); absent: 0' },
      },
    },
    finalEpisodes: { type: 'number', integer: true, min: 1, max: 1000, default: 5 },
  },
};

/**
 * Validate and default a training config. Beyond the schema: the controller section passes the
 * controller schema (checked here, so a typo fails at load, not when training starts); ES
 * with antithetic pairs needs an even popSize; every condition parses and none is held out
 * unless `allowUnseen`.
 */
export function parseTrainConfig(value: unknown, where = 'config'): TrainConfig {
  const cfg = validate<TrainConfig>(value, TRAIN_CONFIG_SCHEMA, where);
  parseControllerConfig(cfg.controller, where, 'controller');
  if (cfg.optimizer.kind !== 'snes' && cfg.optimizer.popSize % 2 !== 0) {
    throw new SchemaError('optimizer.popSize', `an even number for ${cfg.optimizer.kind} (antithetic pairs; or use "kind": "snes")`, cfg.optimizer.popSize, where);
  }
  const checkCondition = (c: string, field: string) => {
    try {
      parseCondition(c);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      throw new SchemaError(field, 'a condition', c, where, e.message);
    }
    const reason = unseenReason(c);
    if (reason && !cfg.allowUnseen) {
      throw new SchemaError(field, 'a training condition', c, where, `"${c}": ${reason}; set "allowUnseen": true (or --allow-unseen) to train on it anyway`);
    }
  };
  cfg.conditions.forEach((c, i) => checkCondition(c, `conditions[${i}]`));
  const sw = cfg.switches;
  sw.conditions.forEach((c, i) => checkCondition(c, `switches.conditions[${i}]`));
  if (sw.probability > 0 && sw.conditions.length === 0) throw new SchemaError('switches.conditions', 'at least one condition when switches.probability > 0 (e.g. the conditions of the "switches" suite)', sw.conditions, where);
  const [a, b] = sw.atSeconds;
  if (a > b) throw new SchemaError('switches.atSeconds', '[earliest, latest] with earliest ≤ latest', sw.atSeconds, where);
  if (sw.probability > 0 && a >= cfg.episodeSeconds) throw new SchemaError('switches.atSeconds', `an earliest switch time inside the shortest episode (< episodeSeconds = ${cfg.episodeSeconds})`, sw.atSeconds, where);
  if (cfg.trainingHealthyZ && !(cfg.trainingHealthyZ[0] < cfg.trainingHealthyZ[1])) throw new SchemaError('trainingHealthyZ', '[lo, hi] with lo < hi (metres of torso height)', cfg.trainingHealthyZ, where);
  if (cfg.episodeSecondsMax !== 0 && cfg.episodeSecondsMax < cfg.episodeSeconds) throw new SchemaError('episodeSecondsMax', `0 (fixed length) or ≥ episodeSeconds (${cfg.episodeSeconds})`, cfg.episodeSecondsMax, where);
  const late = cfg.longEpisodes;
  if (late) {
    if (late.episodeSecondsMax !== 0 && late.episodeSecondsMax < late.episodeSeconds) throw new SchemaError('longEpisodes.episodeSecondsMax', `0 (fixed length) or ≥ longEpisodes.episodeSeconds (${late.episodeSeconds})`, late.episodeSecondsMax, where);
    if (sw.probability > 0 && a >= late.episodeSeconds) throw new SchemaError('longEpisodes.episodeSeconds', `longer than the earliest switch time (switches.atSeconds[0] = ${a})`, late.episodeSeconds, where);
  }
  return cfg;
}

export function loadTrainConfig(path: string): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config ${path}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseTrainConfig(json, path);
}
