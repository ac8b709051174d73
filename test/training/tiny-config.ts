import { parseTrainConfig, type TrainConfig } from '../../training/config.js';

/**
 * A training config small enough for a test: the Ant, a plastic SNN of 8 hidden neurons, PGPE
 * with 8 members, 1-s episodes. Each test file passes what it needs different.
 */
export function tinyConfig(over: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    name: 'tiny',
    morphology: 'ant',
    conditions: ['flat'],
    episodeSeconds: 1,
    controller: { kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 },
    optimizer: { kind: 'pgpe', popSize: 8, sigma: 0.1, maxSpeed: 0.2 },
    generations: 6,
    checkpointEvery: 2,
    finalEpisodes: 2,
    seed: 3,
    ...over,
  });
}
