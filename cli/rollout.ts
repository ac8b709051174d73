import { existsSync } from 'node:fs';
import type { CommandSpec, ParsedArgs } from './args.js';
import { num, str, UsageError } from './args.js';
import { loadMorphology } from '../morphologies/index.js';
import { LocomotionEnv } from '../sim/env.js';
import { describeConditions } from '../sim/conditions.js';
import { resolvePolicy, policyFromFile, BUILTIN_CONTROLLERS } from '../training/policy.js';
import { runEpisode } from '../training/rollout.js';
import { EPISODE_SECONDS, seedOption } from './limits.js';
import { writeOutput } from './output.js';

export const command: CommandSpec = {
  name: 'rollout',
  summary: 'run one controller on one robot and condition; print distance, speed, falls and the state hash',
  usage: 'spikeloco rollout [--morphology ant] [--condition flat] [--controller gait|zero|random|plastic-snn|static-snn|mlp|FILE] [--seconds 10] [--seed 1] [--json out.json]',
  options: [
    { name: 'morphology', type: 'string', default: 'ant', description: 'robot: ant, hexapod, or a JSON spec file', metavar: 'NAME' },
    { name: 'condition', type: 'string', default: 'flat', description: 'condition string, e.g. "rough(amplitude=0.05)"', metavar: 'COND' },
    { name: 'controller', type: 'string', default: 'gait', description: `${BUILTIN_CONTROLLERS.join(' | ')} | a trained best.json`, metavar: 'CTRL' },
    { name: 'seconds', type: 'number', default: 10, ...EPISODE_SECONDS, description: 'episode length in simulated seconds', metavar: 'S' },
    seedOption(1, 'episode seed'),
    { name: 'json', type: 'string', description: 'also write the result as JSON to this file', metavar: 'FILE' },
    { name: 'record', type: 'string', description: 'record the episode for `spikeloco watch --replay`', metavar: 'FILE' },
  ],
};

/** why an episode ended early, in words (sim/env.ts EndReason) */
const END_REASONS: Record<string, string> = {
  exploded: 'left the physics (non-finite state or > 100 m/s)',
  flipped: 'flipped over',
  fell: 'fell (torso below the healthy height)',
  rose: 'rose above the healthy height (bounced off)',
};

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`rollout takes no positional arguments (got ${args.positionals.join(' ')})`);
  const seconds = num(args, 'seconds')!;
  const morphology = loadMorphology(str(args, 'morphology')!);
  const controllerArg = str(args, 'controller')!;
  // a trained policy runs in the env it was trained for: its reward weights feed its neuromodulator
  const reward = existsSync(controllerArg) ? policyFromFile(controllerArg).config.reward : undefined;
  // the env's time limit is the episode length asked for (its default is 10 s)
  const probe = await LocomotionEnv.create({ morphology });
  const maxSteps = Math.max(1, Math.round(seconds / probe.controlDt));
  probe.free();
  const env = await LocomotionEnv.create({ morphology, condition: str(args, 'condition')!, reward, maxSteps });
  const seed = num(args, 'seed')!;
  const policy = resolvePolicy(controllerArg, env, seed);
  const recordPath = str(args, 'record');
  const episode = { maxSteps, normalize: policy.normalize ?? undefined };
  const stats = recordPath
    ? (await import('../viewer/server/recording.js')).recordEpisode(env, policy.controller, seed, recordPath, { ...episode, controllerName: policy.label })
    : runEpisode(env, policy.controller, seed, episode);
  const result = {
    morphology: env.spec.name,
    condition: env.condition.label,
    controller: policy.label,
    seed,
    /** simulated seconds (less than requestedSeconds when the episode ended early) */
    seconds: stats.seconds,
    requestedSeconds: stats.nominalSeconds,
    endReason: stats.endReason,
    steps: stats.steps,
    distance: stats.distance,
    meanForwardVelocity: stats.meanForwardVelocity,
    return: stats.return,
    falls: stats.falls,
    nonFinite: stats.nonFinite,
    stateHash: stats.hash,
  };
  console.log(
    [
      `robot       ${result.morphology}`,
      `condition   ${result.condition}`,
      `controller  ${result.controller}`,
      `seed        ${seed}`,
      `steps       ${result.steps} (${result.seconds.toFixed(2)} s simulated${stats.endReason === 'time' ? '' : ` of ${result.requestedSeconds.toFixed(2)} s: the episode ended early, the robot ${END_REASONS[stats.endReason]}`})`,
      `distance    ${result.distance.toFixed(3)} m`,
      `speed       ${result.meanForwardVelocity.toFixed(3)} m/s (distance / ${result.requestedSeconds.toFixed(2)} s${stats.endReason === 'time' ? '' : `; ${(result.seconds > 0 ? result.distance / result.seconds : 0).toFixed(3)} m/s over the ${result.seconds.toFixed(2)} s simulated`})`,
      `return      ${result.return.toFixed(2)}`,
      `falls       ${result.falls}${result.nonFinite ? ' (non-finite physics state)' : ''}`,
      `state hash  ${result.stateHash}`,
    ].join('\n'),
  );
  const json = str(args, 'json');
  if (json) writeOutput(json, JSON.stringify(result, null, 2) + '\n');
  env.free();
  return 0;
}

export const conditionHelp = describeConditions;
