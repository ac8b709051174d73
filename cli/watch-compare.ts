/**
 * `spikeloco watch --compare A B`: what the two sides are. Each is a policy file (best.json or a
 * run checkpoint, read once) or a built-in controller name; each gets a HUD name (the file's
 * folder, or the built-in's name; made distinct when both would read the same). Both run on
 * one robot: `--morphology` if given, else the robot the policy files were trained on, which
 * must be the same for both (else a UsageError naming both files and robots); built-ins run on
 * that robot too (the Ant when neither side is a file).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadMorphology } from '../morphologies/index.js';
import type { MorphologySpec } from '../morphologies/spec.js';
import { BUILTIN_CONTROLLERS, loadPolicy, type LoadedPolicy } from '../training/policy.js';
import { UsageError } from './args.js';

export interface CompareSide {
  /** the argument as given: a file or a built-in name */
  arg: string;
  /** the HUD's title */
  name: string;
  /** the policy file read once (null for a built-in) */
  policy: LoadedPolicy | null;
}

export interface ComparePlan {
  sides: [CompareSide, CompareSide];
  morphology: MorphologySpec;
  /** the robot's name or file, as the policies (or --morphology) give it */
  robot: string;
  /** the longer of the policies' training episode lengths (undefined: no policy file) */
  episodeSeconds?: number;
}

function sideOf(arg: string): CompareSide {
  if (existsSync(arg)) return { arg, name: basename(dirname(resolve(arg))), policy: loadPolicy(arg) };
  if ((BUILTIN_CONTROLLERS as readonly string[]).includes(arg)) return { arg, name: arg, policy: null };
  throw new UsageError(`--compare: "${arg}" is neither a policy file (best.json or a run checkpoint) nor a built-in controller (${BUILTIN_CONTROLLERS.join(', ')})`);
}

/** Two names that read the same get the file name, then A / B, added. */
function distinctNames(a: CompareSide, b: CompareSide): void {
  if (a.name !== b.name) return;
  if (a.policy && b.policy && basename(a.arg) !== basename(b.arg)) {
    a.name = `${a.name}/${basename(a.arg)}`;
    b.name = `${b.name}/${basename(b.arg)}`;
    return;
  }
  a.name = `${a.name} (A)`;
  b.name = `${b.name} (B)`;
}

/** Resolve `watch --compare A B` (positionals) with the optional `--morphology`. */
export function comparePlan(args: readonly string[], morphology?: string): ComparePlan {
  if (args.length !== 2) throw new UsageError(`--compare needs two policies (files or built-in names), got ${args.length}${args.length ? `: ${args.join(' ')}` : ''}`);
  const sides: [CompareSide, CompareSide] = [sideOf(args[0]), sideOf(args[1])];
  distinctNames(sides[0], sides[1]);
  const files = sides.filter((s) => s.policy);
  const lengths = files.map((s) => s.policy!.episodeSeconds);
  const episodeSeconds = lengths.length ? Math.max(...lengths) : undefined;
  if (morphology !== undefined) return { sides, morphology: loadMorphology(morphology), robot: morphology, episodeSeconds };
  if (files.length === 0) return { sides, morphology: loadMorphology('ant'), robot: 'ant', episodeSeconds };
  const [a, b] = files;
  const robotA = a.policy!.file.config.morphology;
  if (b) {
    const robotB = b.policy!.file.config.morphology;
    if (robotA !== robotB && JSON.stringify(a.policy!.morphology) !== JSON.stringify(b.policy!.morphology)) {
      throw new UsageError(`--compare: ${a.arg} is a policy for robot "${robotA}", ${b.arg} for robot "${robotB}"; compare two policies of the same robot`);
    }
  }
  return { sides, morphology: a.policy!.morphology, robot: robotA, episodeSeconds };
}
