import type { CommandSpec, ParsedArgs } from './args.js';
import { num, str, UsageError } from './args.js';
import { loadSuite, SUITES } from '../training/suites.js';
import { parseCondition } from '../sim/conditions.js';
import { EPISODE_SECONDS, seedOption, workersFrom, workersOption } from './limits.js';
import { redisOption } from './worker.js';
import { runStudy, studyMarkdown, writeStudy, STUDY_ARMS, STUDY_REGIMES } from '../experiments/study.js';

export const command: CommandSpec = {
  name: 'study',
  summary: 'the adaptation study: train every arm × regime × seed, evaluate all on the unseen suite',
  usage: 'spikeloco study [--generations 100] [--seeds 3] [--episodes 5] [--out runs/study]',
  options: [
    { name: 'out', type: 'string', default: 'runs/study', description: 'study directory (finished runs in it are reused: a killed study resumes)', metavar: 'DIR' },
    { name: 'generations', type: 'integer', default: 100, min: 1, max: 1e6, description: 'training budget per run: ES generations (the same evaluations for every arm; deterministic)', metavar: 'G' },
    { name: 'minutes', type: 'number', min: 0, max: 1e5, description: 'also cap each run\'s wall-clock minutes (makes the result depend on machine load)', metavar: 'M' },
    { name: 'seeds', type: 'integer', default: 3, min: 1, max: 100, description: 'training seeds per arm and regime', metavar: 'N' },
    { name: 'episodes', type: 'integer', default: 5, min: 1, max: 1000, description: 'evaluation episodes per condition', metavar: 'N' },
    { name: 'seconds', type: 'number', default: 10, ...EPISODE_SECONDS, description: 'evaluation episode length', metavar: 'S' },
    seedOption(12345, 'evaluation seed (same episodes for every policy)'),
    { name: 'arms', type: 'strings', default: STUDY_ARMS.map((a) => a.name), description: `arms, comma-separated or repeated (${STUDY_ARMS.map((a) => a.name).join(', ')})`, metavar: 'A,B' },
    { name: 'regimes', type: 'strings', default: Object.keys(STUDY_REGIMES), description: `training regimes (${Object.keys(STUDY_REGIMES).join(', ')})`, metavar: 'R,S' },
    { name: 'rule-from', type: 'string', description: 'add an arm: the plastic SNN started from this learned rule (rules/NAME/rule.json; spikeloco learn-rule)', metavar: 'FILE' },
    { name: 'suite', type: 'string', default: 'unseen', description: `evaluation suite (${Object.keys(SUITES).join(', ')}) or a JSON suite file`, metavar: 'NAME' },
    { name: 'adapt', type: 'strings', default: ['damaged(leg=front-left, length=0.1)', 'friction(mu=0.3)'], description: 'conditions switched on mid-episode for the adaptation-over-time part (repeat the flag; "none" skips the part)', metavar: 'COND' },
    { name: 'adapt-seeds', type: 'integer', default: 10, min: 1, max: 1000, description: 'episodes per policy in the adaptation part', metavar: 'N' },
    { name: 'adapt-seconds', type: 'number', default: 15, ...EPISODE_SECONDS, description: 'episode length in the adaptation part', metavar: 'S' },
    { name: 'adapt-switch-at', type: 'number', default: 5, ...EPISODE_SECONDS, description: 'seconds of flat ground before the switch', metavar: 'S' },
    workersOption(),
    redisOption(),
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  const list = (name: string) => (args.options[name] as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const armNames = list('arms');
  const arms = armNames.map((n) => {
    const a = STUDY_ARMS.find((x) => x.name === n);
    if (!a) throw new UsageError(`unknown arm "${n}"; known: ${STUDY_ARMS.map((x) => x.name).join(', ')}`);
    return a;
  });
  const ruleFrom = str(args, 'rule-from');
  if (ruleFrom) {
    const { loadRule } = await import('../training/bptt/rule.js');
    const rule = loadRule(ruleFrom);
    arms.push({ name: `plastic ${rule.rule} from learned rule`, config: 'ant-plastic.json', ruleFrom });
  }
  const regimes = list('regimes');
  for (const r of regimes) if (!STUDY_REGIMES[r]) throw new UsageError(`unknown regime "${r}"; known: ${Object.keys(STUDY_REGIMES).join(', ')}`);
  const seeds = num(args, 'seeds')!;
  const episodes = num(args, 'episodes')!;
  const out = str(args, 'out')!;
  const adaptConditions = (args.options.adapt as string[]).filter((c) => c !== 'none');
  for (const c of adaptConditions) parseCondition(c); // a bad string fails before hours of training
  const adaptSeconds = num(args, 'adapt-seconds')!;
  const adaptSwitchAt = num(args, 'adapt-switch-at')!;
  if (!(adaptSwitchAt > 0 && adaptSwitchAt < adaptSeconds)) throw new UsageError('--adapt-switch-at must be inside (0, --adapt-seconds)');
  const minutes = num(args, 'minutes');
  const generations = num(args, 'generations')!;
  const total = arms.length * regimes.length * seeds;
  console.error(`study: ${total} training runs of ${generations} generations${minutes ? ` (at most ${minutes} min each)` : ''}, then evaluation; results in ${out}`);
  const t0 = performance.now();
  const { backendFromUrl } = await import('../training/distributed/queue.js');
  const backend = await backendFromUrl(str(args, 'redis'));
  const report = await runStudy({
    backend,
    out,
    minutes,
    generations,
    seeds,
    episodes,
    seconds: num(args, 'seconds')!,
    workers: workersFrom(args, 'study'),
    arms,
    regimes,
    evalSuite: loadSuite(str(args, 'suite')!),
    evalSeed: num(args, 'seed')!,
    adaptConditions,
    adaptSeeds: num(args, 'adapt-seeds')!,
    adaptSeconds,
    adaptSwitchAt,
    log: (line) => console.error(`${((performance.now() - t0) / 60000).toFixed(1).padStart(5)} min  ${line}`),
    onEvalProgress: (d, t) => (process.stderr.isTTY ? process.stderr.write(`\reval: ${d}/${t} policy × condition blocks`) : d === t && process.stderr.write(`eval: ${t} policy × condition blocks done`)),
  }).finally(() => backend?.close());
  process.stderr.write('\n');
  console.log(studyMarkdown(report));
  console.log(`wrote ${writeStudy(report, out).join(', ')}`);
  return 0;
}
