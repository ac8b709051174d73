/**
 * `spikeloco <command> [options]`. Each command lives in its own module under cli/ and exports
 * `command: CommandSpec` and `run(args: ParsedArgs): Promise<number>`; modules load lazily so
 * `--help` stays fast and a command only pays for what it imports.
 */
import { formatHelp, parseArgs, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { SchemaError } from '../core/schema.js';

interface CommandModule {
  command: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** name → [one-line summary, module loader]; the summary is duplicated here so --help needs no imports */
const COMMANDS: Record<string, [string, () => Promise<CommandModule>]> = {
  main: ['the default job (npm start): train a gait, evaluate it on unseen conditions, watch it', () => import('./main-job.js')],
  rollout: ['run one controller on one robot and condition; print distance, speed, falls, state hash', () => import('./rollout.js')],
  train: ['train a controller headless with evolution strategies on all cores', () => import('./train.js')],
  eval: ['evaluate checkpoints on a suite of (unseen) conditions: table, JSON, CSV, picture', () => import('./eval.js')],
  curves: ['learning curves of several runs side by side, as SVG', () => import('./curves.js')],
  study: ['the adaptation study: train every arm × regime × seed, evaluate all on the unseen suite', () => import('./study.js')],
  adapt: ['speed before and after a condition switched on mid-episode, plastic vs static (picture)', () => import('./adapt.js')],
  watch: ['serve the live three.js viewer on a checkpoint (default: the pretrained plastic-SNN Ant)', () => import('./watch.js')],
  'learn-rule': ['learn a plasticity rule by BPTT with surrogate gradients (TensorFlow.js)', () => import('./learn-rule.js')],
  'export-mjcf': ['write a robot as MuJoCo MJCF XML (spikeloco export-mjcf ant > ant.xml)', () => import('./export-mjcf.js')],
};

export function topLevelHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'spikeloco: legged-robot locomotion driven by plastic spiking neural networks',
    '',
    'usage: spikeloco <command> [options]      spikeloco <command> --help',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, [summary]]) => `  ${name.padEnd(w)}${summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(topLevelHelp());
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`spikeloco: unknown command "${name}"\n\n${topLevelHelp()}`);
    return 2;
  }
  const mod = await entry[1]();
  try {
    const args = parseArgs(mod.command, rest);
    if (args.help) {
      console.log(formatHelp(mod.command));
      return 0;
    }
    return await mod.run(args);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SchemaError || (err instanceof Error && err.name === 'SpecError')) {
      console.error(`spikeloco ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
