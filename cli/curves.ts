import { join } from 'node:path';
import type { CommandSpec, ParsedArgs } from './args.js';
import { str, UsageError } from './args.js';
import { readLogCsv } from '../training/log.js';
import { lineChartSVG } from '../core/charts.js';
import { writeOutput } from './output.js';

export const command: CommandSpec = {
  name: 'curves',
  summary: 'learning curves of several runs side by side (centre speed and return vs env steps), as SVG',
  usage: 'spikeloco curves RUN_DIR... --svg curves.svg',
  positionals: 'RUN_DIR...',
  options: [
    { name: 'svg', type: 'string', default: 'curves.svg', description: 'output picture (a second one, *-return.svg, plots the return)', metavar: 'FILE' },
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  if (!args.positionals.length) throw new UsageError('curves needs at least one run directory');
  const runs = args.positionals.map((dir) => ({ dir, rows: readLogCsv(join(dir, 'log.csv')).filter((r) => Number.isFinite(r.centerVelocity)) }));
  const out = str(args, 'svg')!;
  const series = (key: string) => runs.map(({ dir, rows }) => ({ name: dir, xs: rows.map((r) => r.envSteps / 1e6), ys: rows.map((r) => r[key]) }));
  writeOutput(out, lineChartSVG({ title: 'centre of the search distribution: forward speed on fresh 10-s episodes', xLabel: 'env steps (millions)', yLabel: 'm/s', series: series('centerVelocity') }));
  const out2 = out.replace(/\.svg$/, '') + '-return.svg';
  writeOutput(out2, lineChartSVG({ title: 'centre of the search distribution: return on fresh episodes', xLabel: 'env steps (millions)', yLabel: 'return', series: series('centerFitness') }));
  for (const { dir, rows } of runs) {
    const last = rows[rows.length - 1];
    const best = rows.reduce((b, r) => (r.centerVelocity > b.centerVelocity ? r : b), rows[0]);
    console.log(`${dir}: ${rows.length} evaluations of the centre; last ${last?.centerVelocity.toFixed(3)} m/s at ${(last?.envSteps / 1e6).toFixed(2)} M steps (${(last?.elapsedS / 60).toFixed(1)} min); best ${best?.centerVelocity.toFixed(3)} m/s at ${(best?.envSteps / 1e6).toFixed(2)} M steps (${(best?.elapsedS / 60).toFixed(1)} min)`);
  }
  console.log(`wrote ${out} and ${out2}`);
  return 0;
}
