import { join } from 'node:path';
import type { CommandSpec, ParsedArgs } from './args.js';
import { num, str, UsageError } from './args.js';
import { loadSuite, SUITES } from '../training/suites.js';
import { loadPolicy, policyPath } from '../training/policy.js';
import { evaluatePolicies, evaluationCsv, formatEvaluation, type EvaluationReport } from '../experiments/evaluation.js';
import { barChartSVG, heatmapSVG } from '../core/charts.js';
import { EPISODE_SECONDS, seedOption, workersFrom, workersOption } from './limits.js';
import { makeOutputDir, writeOutput } from './output.js';
import { redisOption } from './worker.js';

export const command: CommandSpec = {
  name: 'eval',
  summary: 'evaluate checkpoints on a suite of (unseen) conditions: table, JSON, CSV, picture',
  usage: 'spikeloco eval CHECKPOINT... [--suite unseen] [--episodes 5] [--seconds 10] [--json out.json] [--out DIR]',
  positionals: 'CHECKPOINT...',
  options: [
    { name: 'suite', type: 'string', default: 'unseen', description: `suite name (${Object.keys(SUITES).join(', ')}) or a JSON suite file`, metavar: 'NAME' },
    { name: 'episodes', type: 'integer', default: 5, min: 1, max: 1000, description: 'seeded episodes per condition (≥ 2 for intervals)', metavar: 'N' },
    { name: 'seconds', type: 'number', default: 10, ...EPISODE_SECONDS, description: 'episode length in simulated seconds', metavar: 'S' },
    seedOption(12345, 'evaluation seed (same episodes for every checkpoint)'),
    workersOption(),
    redisOption(),
    { name: 'json', type: 'string', description: 'write the full report as JSON', metavar: 'FILE' },
    { name: 'out', type: 'string', description: 'write eval.json, eval.csv, retention.svg and distance.svg here', metavar: 'DIR' },
  ],
};

export function evaluationPictures(r: EvaluationReport): { retention: string; distance: string } {
  const conditions = r.policies[0]?.conditions.map((c) => c.condition) ?? [];
  const retention = heatmapSVG({
    title: `retention on suite "${r.suite}" (distance / flat distance)`,
    values: r.policies.map((p) => p.conditions.map((c) => c.retention)),
    rowLabels: r.policies.map((p) => p.policy),
    colLabels: conditions,
    colorScale: 'viridis',
    min: 0,
    max: Math.max(1, ...r.policies.flatMap((p) => p.conditions.map((c) => (Number.isFinite(c.retention) ? c.retention : 0)))),
    width: Math.max(720, 90 * conditions.length + 260),
  });
  const distance = barChartSVG({
    title: `distance in ${r.seconds} s (mean ± 95% CI, ${r.episodes} episodes)`,
    yLabel: 'm',
    categories: conditions,
    series: r.policies.map((p) => ({ name: p.policy, values: p.conditions.map((c) => c.distance.mean), errors: p.conditions.map((c) => c.distance.ci95) })),
    width: Math.max(720, 90 * conditions.length + 200),
  });
  return { retention, distance };
}

export async function run(args: ParsedArgs): Promise<number> {
  if (!args.positionals.length) throw new UsageError('eval needs at least one checkpoint (a run directory\'s best.json or checkpoint.json)');
  const suite = loadSuite(str(args, 'suite')!);
  const episodes = num(args, 'episodes')!;
  const workers = workersFrom(args, 'eval');
  const policies = args.positionals.map((p) => ({ name: p, policy: loadPolicy(policyPath(p)) }));
  const { backendFromUrl } = await import('../training/distributed/queue.js');
  const backend = await backendFromUrl(str(args, 'redis'));
  const report = await evaluatePolicies(policies, {
    backend,
    suite,
    episodes,
    seconds: num(args, 'seconds')!,
    workers,
    seed: num(args, 'seed')!,
    onProgress: (d, t) => (process.stderr.isTTY ? process.stderr.write(`\reval: ${d}/${t} policy × condition blocks`) : d === t && process.stderr.write(`eval: ${t} policy × condition blocks done`)),
  }).finally(() => backend?.close());
  process.stderr.write('\n');
  console.log(formatEvaluation(report));
  const json = str(args, 'json');
  if (json) writeOutput(json, JSON.stringify(report, null, 2) + '\n');
  const out = str(args, 'out');
  if (out) {
    makeOutputDir(out);
    writeOutput(join(out, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
    writeOutput(join(out, 'eval.csv'), evaluationCsv(report));
    const pics = evaluationPictures(report);
    writeOutput(join(out, 'retention.svg'), pics.retention);
    writeOutput(join(out, 'distance.svg'), pics.distance);
    console.log(`\nwrote ${out}/eval.json, eval.csv, retention.svg, distance.svg`);
  }
  return 0;
}
