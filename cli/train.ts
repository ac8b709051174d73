import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { loadTrainConfig, parseTrainConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { workersFrom, workersOption } from './limits.js';
import { redisOption } from './worker.js';

export const command: CommandSpec = {
  name: 'train',
  summary: 'train a controller headless with evolution strategies on all cores',
  usage: 'spikeloco train --config configs/ant-plastic.json --out runs/NAME [--workers N | --redis URL] [--generations G] [--minutes M] | --resume runs/NAME',
  options: [
    { name: 'config', type: 'string', description: 'training config (JSON; see configs/)', metavar: 'FILE' },
    { name: 'out', type: 'string', description: 'run directory for checkpoints, logs and the learning curve', metavar: 'DIR' },
    workersOption(),
    redisOption(),
    // the same bounds as the config's fields (training/config.ts)
    { name: 'generations', type: 'integer', min: 1, max: 1e6, description: 'override the config\'s generations', metavar: 'G' },
    { name: 'minutes', type: 'number', min: 0, max: 1e5, description: 'override the config\'s wall-clock budget (0: none)', metavar: 'M' },
    { name: 'seed', type: 'integer', min: 0, max: 2 ** 31, description: 'override the config\'s seed', metavar: 'N' },
    { name: 'resume', type: 'string', description: 'continue the run in this directory from its last checkpoint, to its own budget (a --config given too must equal the run\'s)', metavar: 'DIR' },
    { name: 'allow-unseen', type: 'boolean', description: 'allow training on conditions held out in the unseen suite' },
    { name: 'rule-from', type: 'string', description: 'start the plasticity parameters from a learned rule (rules/NAME/rule.json)', metavar: 'FILE' },
    { name: 'freeze-rule', type: 'boolean', description: 'with --rule-from: keep the learned plasticity parameters fixed (ES evolves the rest)' },
    { name: 'quiet', type: 'boolean', description: 'no progress output' },
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`train takes no positional arguments (got ${args.positionals.join(' ')}); the config goes in --config FILE`);
  const resume = str(args, 'resume');
  const workers = workersFrom(args, 'train');
  let outDir: string;
  let cfg;
  const configPath = str(args, 'config');
  if (resume) {
    outDir = resume;
    cfg = undefined;
  } else {
    outDir = str(args, 'out') ?? '';
    if (!configPath) throw new UsageError('train needs --config FILE (or --resume DIR)');
    if (!outDir) throw new UsageError('train needs --out DIR');
  }
  // with --resume, a --config is only checked against the run's own (train refuses a different one)
  if (configPath) {
    const raw = loadTrainConfig(configPath);
    const overrides: Record<string, unknown> = {};
    if (num(args, 'seed') !== undefined) overrides.seed = num(args, 'seed');
    if (flag(args, 'allow-unseen')) overrides.allowUnseen = true;
    cfg = parseTrainConfig({ ...raw, ...overrides }, configPath);
  }
  let initialGenome;
  const ruleFrom = str(args, 'rule-from');
  if (ruleFrom) {
    if (resume || !cfg) throw new UsageError('--rule-from applies to a new run, not to --resume');
    const { loadRule, startFromRule } = await import('../training/bptt/rule.js');
    const start = startFromRule(loadRule(ruleFrom), cfg, { source: ruleFrom, freeze: flag(args, 'freeze-rule'), log: (l) => console.error(l) });
    cfg = start.config;
    initialGenome = start.initialGenome;
  }
  const { backendFromUrl } = await import('../training/distributed/queue.js');
  const backend = await backendFromUrl(str(args, 'redis'));
  const result = await train(cfg, {
    backend,
    outDir,
    workers,
    generations: num(args, 'generations'),
    minutes: num(args, 'minutes'),
    resume: !!resume,
    progress: flag(args, 'quiet') ? null : process.stderr,
    initialGenome,
  }).finally(() => backend?.close());
  const b = result.best;
  console.log(`trained ${result.generations} generations → ${outDir}/best.json`);
  console.log(`best centre: generation ${b.generation}, return ${b.fitness.toFixed(1)}, mean forward speed ${b.meanForwardVelocity.toFixed(3)} m/s over ${b.config.finalEpisodes} fresh episodes`);
  console.log(`logs: ${outDir}/log.csv, ${outDir}/log.jsonl; learning curve: ${outDir}/learning-curve.svg`);
  return 0;
}
