import type { CommandSpec, ParsedArgs } from './args.js';
import { num, str, UsageError } from './args.js';
import { loadPolicy, policyPath } from '../training/policy.js';
import { adaptationTrace, smooth } from '../experiments/adaptation.js';
import { lineChartSVG } from '../core/charts.js';
import { EPISODE_SECONDS, seedOption, workersFrom, workersOption } from './limits.js';
import { redisOption } from './worker.js';
import { RolloutPool } from '../training/pool.js';
import { writeOutput } from './output.js';

export const command: CommandSpec = {
  name: 'adapt',
  summary: 'speed before and after a condition switched on mid-episode, plastic vs static (picture)',
  usage: 'spikeloco adapt CHECKPOINT... --condition "friction(mu=0.3)" [--switch-at 5] [--seconds 15] [--seeds 5] [--svg adapt.svg] [--json adapt.json]',
  positionals: 'CHECKPOINT...',
  options: [
    { name: 'condition', type: 'string', default: 'friction(mu=0.3)', description: 'the condition switched on mid-episode', metavar: 'COND' },
    { name: 'switch-at', type: 'number', default: 5, ...EPISODE_SECONDS, description: 'seconds of flat ground before the switch (less than --seconds)', metavar: 'S' },
    { name: 'seconds', type: 'number', default: 15, ...EPISODE_SECONDS, description: 'episode length in simulated seconds', metavar: 'S' },
    { name: 'seeds', type: 'integer', default: 5, min: 1, max: 1000, description: 'episodes averaged', metavar: 'N' },
    seedOption(777, 'base seed'),
    { name: 'svg', type: 'string', description: 'write the speed-over-time picture here', metavar: 'FILE' },
    { name: 'json', type: 'string', description: 'write the traces as JSON', metavar: 'FILE' },
    workersOption(),
    redisOption(),
  ],
};

/** The before/after/end table, the name column as wide as the longest name. */
export function adaptTable(traces: { policy: string; controller: string; before: number; after: number; end: number; falls: number }[]): string {
  const names = traces.map((t) => `${t.policy} (${t.controller})`);
  const w = Math.max('policy'.length, ...names.map((n) => n.length)) + 2;
  const rows = [`${'policy'.padEnd(w)}${'before'.padStart(9)}${'after'.padStart(9)}${'end'.padStart(9)}${'falls'.padStart(7)}`];
  traces.forEach((t, i) => rows.push(`${names[i].padEnd(w)}${t.before.toFixed(3).padStart(9)}${t.after.toFixed(3).padStart(9)}${t.end.toFixed(3).padStart(9)}${String(t.falls).padStart(7)}`));
  return rows.join('\n');
}

export async function run(args: ParsedArgs): Promise<number> {
  if (!args.positionals.length) throw new UsageError('adapt needs at least one checkpoint');
  const o = { condition: str(args, 'condition')!, switchAt: num(args, 'switch-at')!, seconds: num(args, 'seconds')!, seeds: num(args, 'seeds')!, seed: num(args, 'seed')!, window: 2 };
  if (!(o.switchAt > 0 && o.switchAt < o.seconds)) throw new UsageError('--switch-at must be inside (0, --seconds)');
  const policies = args.positionals.map((p) => ({ name: p, policy: loadPolicy(policyPath(p)) }));
  const { backendFromUrl } = await import('../training/distributed/queue.js');
  const backend = (await backendFromUrl(str(args, 'redis'))) ?? (await RolloutPool.create(workersFrom(args, 'adapt')));
  const traces = [];
  try {
    // each policy's episodes run in parallel on the backend
    for (const p of policies) traces.push(await adaptationTrace(p.name, p.policy, o, backend));
  } finally {
    await backend.close();
  }
  console.log(`switch to ${o.condition} at ${o.switchAt} s; mean forward speed (m/s) over ${o.seeds} seeds, ${o.window}-s windows`);
  console.log(adaptTable(traces));
  const svgPath = str(args, 'svg');
  if (svgPath) {
    const k = Math.max(1, Math.round(1 / 0.05));
    writeOutput(
      svgPath,
      lineChartSVG({
        title: `forward speed, ${o.condition} switched on at ${o.switchAt} s (1-s moving average, ${o.seeds} seeds)`,
        xLabel: 'time (s)',
        yLabel: 'speed (m/s)',
        series: [
          ...traces.map((t) => ({ name: `${t.policy} (${t.controller})`, xs: t.time, ys: smooth(t.speed, k) })),
          { name: 'switch', xs: [o.switchAt, o.switchAt], ys: [Math.min(0, ...traces.flatMap((t) => t.speed)), Math.max(0.1, ...traces.flatMap((t) => t.speed))], dashed: true, color: '#888' },
        ],
      }),
    );
    console.log(`wrote ${svgPath}`);
  }
  const json = str(args, 'json');
  if (json) writeOutput(json, JSON.stringify({ options: o, traces }, null, 2) + '\n');
  return 0;
}
