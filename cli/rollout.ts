import { existsSync } from 'node:fs';
import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { loadMorphology } from '../morphologies/index.js';
import { LocomotionEnv, controlDtOf } from '../sim/env.js';
import { describeConditions } from '../sim/conditions.js';
import { resolvePolicy, loadPolicy, BUILTIN_CONTROLLERS, type ResolvedPolicy } from '../training/policy.js';
import { plainEpisode, runEpisode } from '../training/episode.js';
import { EPISODE_SECONDS, seedOption } from './limits.js';
import { writeOutput } from './output.js';
import { actionTable, loadActionSequence } from '../sim/actions.js';
import { OpenLoopController } from '../controllers/open-loop.js';

export const command: CommandSpec = {
  name: 'rollout',
  summary: 'run one controller on one robot and condition; print distance, speed, falls and the state hash',
  usage: 'spikeloco rollout [--morphology ant] [--condition flat] [--controller gait|zero|random|plastic-snn|static-snn|mlp|FILE | --actions FILE] [--seconds 10] [--seed 1] [--reset-noise S] [--no-termination] [--json out.json]',
  options: [
    { name: 'morphology', type: 'string', default: 'ant', description: 'robot: ant, hexapod, or a JSON spec file', metavar: 'NAME' },
    { name: 'condition', type: 'string', default: 'flat', description: 'condition string, e.g. "rough(amplitude=0.05)"', metavar: 'COND' },
    { name: 'controller', type: 'string', default: 'gait', description: `${BUILTIN_CONTROLLERS.join(' | ')} | a trained best.json`, metavar: 'CTRL' },
    { name: 'seconds', type: 'number', default: 10, ...EPISODE_SECONDS, description: 'episode length in simulated seconds', metavar: 'S' },
    seedOption(1, 'episode seed'),
    { name: 'json', type: 'string', description: 'also write the result as JSON to this file', metavar: 'FILE' },
    { name: 'record', type: 'string', description: 'record the episode for `spikeloco watch --replay`', metavar: 'FILE' },
    { name: 'actions', type: 'string', description: 'replay an open-loop action file ({jointNames, controlDt, actions}) instead of --controller; runs its length (at most --seconds)', metavar: 'FILE' },
    { name: 'reset-noise', type: 'number', min: 0, max: 10, description: 'std of the initial body velocities (default: the env default, 0.1)', metavar: 'S' },
    { name: 'no-termination', type: 'boolean', description: 'run the whole episode: only a non-finite state ends it (not falling or flipping)' },
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
  const trained = existsSync(controllerArg) ? loadPolicy(controllerArg) : null;
  const reward = trained?.file.config.reward;
  const resetNoise = num(args, 'reset-noise');
  // the env's time limit is the episode length asked for (its default is 10 s)
  let maxSteps = Math.max(1, Math.round(seconds / controlDtOf()));
  const env = await LocomotionEnv.create({ morphology, condition: str(args, 'condition')!, reward, maxSteps, resetNoise, terminate: !flag(args, 'no-termination') });
  const seed = num(args, 'seed')!;
  const actionsPath = str(args, 'actions');
  const openLoop = actionsPath ? openLoopPolicy(actionsPath, env) : null;
  const policy = openLoop ?? resolvePolicy(trained ?? controllerArg, env, seed);
  if (openLoop) maxSteps = Math.min(maxSteps, openLoop.controller.steps);
  // flipped: the torso's up-vector z went below 0 after any control step
  let flipped = false;
  const recordPath = str(args, 'record');
  const episode = { maxSteps, onStep: (e: LocomotionEnv) => void (flipped ||= e.torsoUpZ() < 0) };
  const stats = recordPath
    ? (await import('../viewer/server/recording.js')).recordEpisode(env, policy.controller, seed, recordPath, { ...episode, controllerName: policy.label })
    : runEpisode(env, policy.controller, plainEpisode(env, seed, maxSteps), episode);
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
    flipped,
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
      `flipped     ${flipped ? 'yes' : 'no'}`,
      `falls       ${result.falls}${result.nonFinite ? ' (non-finite physics state)' : ''}`,
      `state hash  ${result.stateHash}`,
    ].join('\n'),
  );
  const json = str(args, 'json');
  if (json) writeOutput(json, JSON.stringify(result, null, 2) + '\n');
  env.free();
  return 0;
}

/** An action file as a policy: the open-loop table in the env's joint order. */
function openLoopPolicy(path: string, env: LocomotionEnv): ResolvedPolicy & { controller: OpenLoopController } {
  // a bad file is an ActionFileError (a UserError: one line, exit 2)
  const table = actionTable(loadActionSequence(path), env.jointNames, env.controlDt, path);
  return { controller: new OpenLoopController(table, env.obsSize, env.actSize), label: `open-loop (${path})`, policy: null };
}

export const conditionHelp = describeConditions;
