/**
 * The ranges CLI values share across commands, so every command refuses the same absurd
 * values with the same words (parseArgs enforces `min`/`max`; help shows them).
 */
import os from 'node:os';
import type { OptionSpec, ParsedArgs } from './args.js';
import { num } from './args.js';

export const CORES = os.availableParallelism?.() ?? os.cpus().length;

/** Each worker thread holds its own Rapier world and controller (≈ 60–100 MB): 64 is far past any gain here. */
export const MAX_WORKERS = 64;

/** Rng.seed and deriveSeed read a seed as `seed >>> 0`: 32 bits. Larger values would alias smaller seeds. */
export const SEED_MAX = 2 ** 32 - 1;

/** One control step (20 Hz) to one hour of simulated time. */
export const EPISODE_SECONDS = { min: 0.05, max: 3600 } as const;

export function workersOption(): OptionSpec {
  return { name: 'workers', type: 'integer', default: CORES, min: 1, max: MAX_WORKERS, description: `rollout worker threads (more than the ${CORES} cores here only adds memory)`, metavar: 'N' };
}

export function seedOption(defaultSeed: number | undefined, description: string): OptionSpec {
  return { name: 'seed', type: 'integer', default: defaultSeed, min: 0, max: SEED_MAX, description, metavar: 'N' };
}

/** --workers, with a warning on stderr when it exceeds the cores (allowed: results do not depend on it). */
export function workersFrom(args: ParsedArgs, command: string, warn: (line: string) => void = (l) => console.error(l)): number {
  const n = num(args, 'workers')!;
  if (n > CORES) warn(`spikeloco ${command}: warning: --workers ${n} is more than the ${CORES} cores here; the extra threads only cost memory (results are the same for any --workers)`);
  return n;
}
