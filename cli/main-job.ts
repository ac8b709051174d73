import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { loadTrainConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { policyOf } from '../training/policy.js';
import { SUITES } from '../training/suites.js';
import { evaluatePolicies, formatEvaluation } from '../experiments/evaluation.js';
import { parseArgs } from './args.js';
import { holdPort } from './port.js';
import { workersFrom, workersOption } from './limits.js';

/**
 * Evaluation episodes per unseen condition. The 95% half-width of a mean is t95(n)·sd/√n:
 * 2.48 sd with 3 episodes, 0.72 sd with 10. Measured on the pretrained gait (2 cores, load
 * ≈ 19): flat speed 1.18 ± 1.04 m/s with 3 episodes, 1.07 ± 0.20 with 10; retentions whose
 * interval includes 1: 8 of 12 conditions with 3, 3 of 12 with 10; the evaluation took
 * 45 s → 54 s of wall clock (most of it worker start-up).
 */
export const MAIN_EPISODES = 10;

const DEFAULT_CONFIG = fileURLToPath(new URL('../../configs/ant-plastic.json', import.meta.url));

export const command: CommandSpec = {
  name: 'main',
  summary: 'the default job (npm start): train a gait, evaluate it on unseen conditions, watch it',
  usage: 'spikeloco main [--minutes 5] [--workers N] [--out runs/main-DATE] [--no-watch] [--port 8080]',
  options: [
    { name: 'config', type: 'string', default: DEFAULT_CONFIG, description: 'training config', metavar: 'FILE' },
    { name: 'minutes', type: 'number', default: 5, min: 0.05, max: 1e5, description: 'training budget in minutes (the 1.0 m/s target is measured at 15)', metavar: 'M' },
    workersOption(),
    { name: 'out', type: 'string', description: 'run directory (default runs/main-YYYYMMDD-HHMMSS)', metavar: 'DIR' },
    { name: 'episodes', type: 'integer', default: MAIN_EPISODES, min: 2, max: 1000, description: 'evaluation episodes per unseen condition (the 95% intervals need several)', metavar: 'N' },
    { name: 'no-watch', type: 'boolean', description: 'stop after the evaluation instead of serving the viewer' },
    { name: 'port', type: 'integer', default: 8080, min: 0, max: 65535, description: 'viewer port, held from the start so a busy port is reported before training (0: any free port)', metavar: 'N' },
    { name: 'host', type: 'string', default: '127.0.0.1', description: 'viewer host', metavar: 'HOST' },
  ],
};

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`main takes no positional arguments (got ${args.positionals.join(' ')})`);
  const cfg = loadTrainConfig(str(args, 'config')!);
  const minutes = num(args, 'minutes')!;
  const out = str(args, 'out') ?? `runs/main-${stamp()}`;
  if (existsSync(`${out}/checkpoint.json`)) throw new UsageError(`${out} already holds a run; choose another --out`);
  const workers = workersFrom(args, 'main');
  const watch = !flag(args, 'no-watch');
  const port = num(args, 'port')!;
  const host = str(args, 'host')!;
  // the viewer serves at the end; a port that is taken must fail now, not after the training
  const hold = watch && port !== 0 ? await holdPort(host, port, '--port N (npm start -- --port N)') : null;
  console.log(`[1/3] training ${cfg.name} (${cfg.controller.kind}, ${cfg.optimizer.kind}) on ${cfg.conditions.join(', ')} for ${minutes} min on ${workers} workers → ${out}`);
  const result = await train(cfg, { outDir: out, workers, minutes, progress: process.stderr });
  const b = result.best;
  console.log(`      the gait it found: ${b.meanForwardVelocity.toFixed(3)} m/s mean forward speed, ${(b.meanForwardVelocity * cfg.episodeSeconds).toFixed(2)} m in ${cfg.episodeSeconds} s (generation ${b.generation}, ${cfg.finalEpisodes} fresh episodes)`);
  console.log(`      learning curve: ${out}/learning-curve.svg; logs: ${out}/log.csv`);

  console.log(`[2/3] evaluating on the unseen suite (${SUITES.unseen.conditions.length} conditions × ${num(args, 'episodes')} episodes)`);
  const report = await evaluatePolicies([{ name: `${out}/best.json`, policy: policyOf(b, `${out}/best.json`) }], {
    suite: SUITES.unseen,
    episodes: num(args, 'episodes')!,
    seconds: cfg.episodeSeconds,
    workers,
    seed: 12345,
  });
  console.log(formatEvaluation(report));

  if (!watch) return 0;
  console.log('[3/3] serving the viewer on the gait it just trained (Ctrl-C to stop)');
  const watchCmd = await import('./watch.js');
  await hold?.release();
  return watchCmd.run(parseArgs(watchCmd.command, [`${out}/best.json`, '--port', String(port), '--host', host]));
}
