import type { CommandSpec, ParsedArgs } from './args.js';
import { num, str, UsageError } from './args.js';
import { loadPolicy, policyPath } from '../training/policy.js';
import { parseCondition } from '../sim/conditions.js';
import { formatWindows, windowStats, type WindowOptions, type WindowReport } from '../experiments/windows.js';
import { lineChartSVG } from '../core/charts.js';
import { EPISODE_SECONDS, seedOption } from './limits.js';
import { writeOutput } from './output.js';

export const command: CommandSpec = {
  name: 'windows',
  summary: 'a policy over a long episode, window by window: speed, action change, pinned torques, spikes, Hebb at the clip',
  usage: 'spikeloco windows CHECKPOINT... [--seconds 60] [--window 10] [--episodes 6] [--freeze-hebb-at S] [--svg speed.svg] [--json windows.json]',
  positionals: 'CHECKPOINT...',
  options: [
    { name: 'seconds', type: 'number', default: 60, ...EPISODE_SECONDS, description: 'episode length in simulated seconds', metavar: 'S' },
    { name: 'window', type: 'number', default: 10, ...EPISODE_SECONDS, description: 'window length in seconds', metavar: 'S' },
    { name: 'episodes', type: 'integer', default: 6, min: 1, max: 1000, description: 'seeded episodes (the same for every checkpoint)', metavar: 'N' },
    { name: 'condition', type: 'string', default: 'flat', description: 'the condition of every episode', metavar: 'COND' },
    { name: 'freeze-hebb-at', type: 'number', min: 0.05, max: 3600, description: 'stop every plastic update at this second (Hebb keeps its values): does the gait still stall?', metavar: 'S' },
    { name: 'stall-speed', type: 'number', default: 0.1, min: 0, max: 100, description: 'a last window slower than this (m/s) counts as stalled', metavar: 'V' },
    seedOption(12345, 'evaluation seed (the episodes of spikeloco eval)'),
    { name: 'svg', type: 'string', description: 'write speed per window (mean over episodes), one line per checkpoint', metavar: 'FILE' },
    { name: 'json', type: 'string', description: 'write every episode\'s windows as JSON', metavar: 'FILE' },
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  if (!args.positionals.length) throw new UsageError('windows needs at least one checkpoint (a run directory\'s best.json or checkpoint.json)');
  const freeze = num(args, 'freeze-hebb-at');
  const o: WindowOptions = {
    seconds: num(args, 'seconds')!,
    window: num(args, 'window')!,
    episodes: num(args, 'episodes')!,
    seed: num(args, 'seed')!,
    condition: parseCondition(str(args, 'condition')!).label,
    freezeHebbAt: freeze ?? null,
    stallSpeed: num(args, 'stall-speed')!,
  };
  if (o.window > o.seconds) throw new UsageError(`--window (${o.window} s) must not exceed --seconds (${o.seconds} s)`);
  const reports: WindowReport[] = [];
  for (const p of args.positionals) {
    const r = await windowStats(p, loadPolicy(policyPath(p)), o);
    reports.push(r);
    console.log(formatWindows(r));
  }
  const svg = str(args, 'svg');
  if (svg) {
    writeOutput(svg, lineChartSVG({
      title: `forward speed per ${o.window}-s window (mean over ${o.episodes} episodes, ${o.condition})${o.freezeHebbAt === null ? '' : `, plasticity frozen at ${o.freezeHebbAt} s`}`,
      xLabel: 'window end, s',
      yLabel: 'm/s',
      series: reports.map((r) => ({ name: r.policy, xs: r.mean.map((w) => w.to), ys: r.mean.map((w) => w.speed) })),
    }));
    console.log(`wrote ${svg}`);
  }
  const json = str(args, 'json');
  if (json) {
    writeOutput(json, JSON.stringify({ options: o, reports }, null, 2) + '\n');
    console.log(`wrote ${json}`);
  }
  return 0;
}
