import { existsSync, writeFileSync } from 'node:fs';
import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { loadMorphology } from '../morphologies/index.js';
import { LocomotionEnv } from '../sim/env.js';
import { describeConditions } from '../sim/conditions.js';
import { resolvePolicy, policyFromFile, BUILTIN_CONTROLLERS } from '../training/policy.js';
import { runEpisode } from '../training/rollout.js';
import { ActionFileError, actionTable, loadActionSequence } from '../sim/actions.js';
import { OpenLoopController } from '../controllers/open-loop.js';

export const command: CommandSpec = {
  name: 'rollout',
  summary: 'run one controller on one robot and condition; print distance, speed, falls and the state hash',
  usage: 'spikeloco rollout [--morphology ant] [--condition flat] [--controller gait|zero|random|plastic-snn|static-snn|mlp|FILE | --actions FILE] [--seconds 10] [--seed 1] [--reset-noise S] [--no-termination] [--json out.json]',
  options: [
    { name: 'morphology', type: 'string', default: 'ant', description: 'robot: ant, hexapod, or a JSON spec file', metavar: 'NAME' },
    { name: 'condition', type: 'string', default: 'flat', description: 'condition string, e.g. "rough(amplitude=0.05)"', metavar: 'COND' },
    { name: 'controller', type: 'string', default: 'gait', description: `${BUILTIN_CONTROLLERS.join(' | ')} | a trained best.json`, metavar: 'CTRL' },
    { name: 'seconds', type: 'number', default: 10, description: 'episode length in simulated seconds', metavar: 'S' },
    { name: 'seed', type: 'integer', default: 1, description: 'episode seed', metavar: 'N' },
    { name: 'json', type: 'string', description: 'also write the result as JSON to this file', metavar: 'FILE' },
    { name: 'record', type: 'string', description: 'record the episode for `spikeloco watch --replay`', metavar: 'FILE' },
    { name: 'actions', type: 'string', description: 'replay an open-loop action file ({jointNames, controlDt, actions}) instead of --controller; runs its length (at most --seconds)', metavar: 'FILE' },
    { name: 'reset-noise', type: 'number', description: 'std of the initial body velocities (default: the env default, 0.1)', metavar: 'S' },
    { name: 'no-termination', type: 'boolean', description: 'run the whole episode: only a non-finite state ends it (not falling or flipping)' },
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`rollout takes no positional arguments (got ${args.positionals.join(' ')})`);
  const seconds = num(args, 'seconds')!;
  if (!(seconds > 0)) throw new UsageError('--seconds must be > 0');
  const morphology = loadMorphology(str(args, 'morphology')!);
  const controllerArg = str(args, 'controller')!;
  // a trained policy runs in the env it was trained for: its reward weights feed its neuromodulator
  const reward = existsSync(controllerArg) ? policyFromFile(controllerArg).config.reward : undefined;
  let env: LocomotionEnv;
  try {
    const resetNoise = num(args, 'reset-noise');
    if (resetNoise !== undefined && !(resetNoise >= 0)) throw new UsageError(`--reset-noise must be >= 0, got ${resetNoise}`);
    env = await LocomotionEnv.create({ morphology, condition: str(args, 'condition')!, reward, resetNoise, terminate: !flag(args, 'no-termination') });
  } catch (e) {
    if ((e as Error).name === 'ConditionError') throw new UsageError((e as Error).message);
    throw e;
  }
  const seed = num(args, 'seed')!;
  const actionsPath = str(args, 'actions');
  const openLoop = actionsPath ? openLoopPolicy(actionsPath, env) : null;
  const policy = openLoop ?? resolvePolicy(controllerArg, env, seed);
  let maxSteps = Math.round(seconds / env.controlDt);
  if (openLoop) maxSteps = Math.min(maxSteps, openLoop.controller.steps);
  // flipped: the torso's up-vector z went below 0 after any control step
  let flipped = false;
  const recordPath = str(args, 'record');
  const episode = { maxSteps, normalize: policy.normalize ?? undefined, onStep: (e: LocomotionEnv) => void (flipped ||= e.torsoUpZ() < 0) };
  const stats = recordPath
    ? (await import('../viewer/server/recording.js')).recordEpisode(env, policy.controller, seed, recordPath, { ...episode, controllerName: policy.label })
    : runEpisode(env, policy.controller, seed, episode);
  const result = {
    morphology: env.spec.name,
    condition: env.condition.label,
    controller: policy.label,
    seed,
    seconds: stats.seconds,
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
      `steps       ${result.steps} (${result.seconds.toFixed(2)} s simulated)`,
      `distance    ${result.distance.toFixed(3)} m`,
      `speed       ${result.meanForwardVelocity.toFixed(3)} m/s`,
      `return      ${result.return.toFixed(2)}`,
      `flipped     ${flipped ? 'yes' : 'no'}`,
      `falls       ${result.falls}${result.nonFinite ? ' (non-finite physics state)' : ''}`,
      `state hash  ${result.stateHash}`,
    ].join('\n'),
  );
  const json = str(args, 'json');
  if (json) writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
  env.free();
  return 0;
}

/** An action file as a policy: the open-loop table in the env's joint order. */
function openLoopPolicy(path: string, env: LocomotionEnv): { controller: OpenLoopController; normalize: null; label: string } {
  let table: Float32Array;
  try {
    table = actionTable(loadActionSequence(path), env.jointNames, env.controlDt, path);
  } catch (e) {
    // an ActionFileError is the user's to fix: report it as a usage error (exit 2), like conditions
    if (e instanceof ActionFileError) throw new UsageError(e.message);
    throw e;
  }
  return { controller: new OpenLoopController(table, env.obsSize, env.actSize), normalize: null, label: `open-loop (${path})` };
}

export const conditionHelp = describeConditions;
