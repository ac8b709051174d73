/**
 * `npm run bench [-- --quick] [-- --only sim,controller]`: run the benchmarks and write
 * bench/out/report.json. Figures are measured side by side in one run where a reference exists.
 */
import { newReport, writeReport, type Section } from './report.js';
import { benchSim } from './sim.js';
import { benchTraining } from './training.js';
import { benchFidelity } from './fidelity.js';

const SECTIONS: Record<string, (quick: boolean) => Promise<Section>> = {
  sim: benchSim,
  fidelity: benchFidelity,
  training: benchTraining,
  viewer: async () => (await import('../viewer/server/stream-bench.js')).benchViewer() as unknown as Section,
  bptt: async (quick) => (await import('./bptt.js')).benchBptt(quick) as unknown as Section,
  distributed: async (quick) => (await import('./distributed.js')).benchDistributed(quick),
  memory: async (quick) => (await import('./memory.js')).benchMemory(quick),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(`npm run bench [-- --quick] [-- --only ${Object.keys(SECTIONS).join(',')}] [-- --out FILE]\nWrites a JSON report (default bench/out/report.json).`);
    return;
  }
  const quick = args.includes('--quick');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : Object.keys(SECTIONS);
  const outPath = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/out/report.json';
  const report = newReport();
  for (const name of only) {
    const fn = SECTIONS[name];
    if (!fn) throw new Error(`unknown bench section "${name}"; known: ${Object.keys(SECTIONS).join(', ')}`);
    process.stderr.write(`bench: ${name}...\n`);
    report.sections[name] = await fn(quick);
    console.log(`${name}: ${JSON.stringify(report.sections[name], null, 2)}`);
  }
  writeReport(outPath, report);
  console.log(`report written to ${outPath}`);
}

await main();
