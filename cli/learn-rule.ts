/**
 * `spikeloco learn-rule --task cue-reward --rule bcm-neuromod --out rules/NAME [...]`: learn a
 * plasticity rule by BPTT (TensorFlow.js, surrogate gradients, Adam) on a temporal task that
 * needs within-episode learning, then export it as rules/NAME/rule.json. The run directory
 * also holds checkpoint.json (resumable with --resume), log.jsonl and log.csv.
 */
import { readFileSync } from 'node:fs';
import { flag, num, str, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { LEARN_CONFIG_SCHEMA, LEARN_RULES, TASK_NAMES, learnControllerConfig, parseLearnConfig, runLearnRule, type EvalStats, type IterationStats } from '../training/bptt/learn.js';
import { SEED_MAX } from './limits.js';
import { BACKEND_NAMES, type BackendName } from '../training/bptt/backend.js';
import { SURROGATE_KINDS } from '../training/bptt/surrogate.js';

/** The learn config's default for a field: shown in help, not filled in (a --config file may set it). */
const d = (field: string): string | number | undefined => {
  const props = (LEARN_CONFIG_SCHEMA as { properties?: Record<string, { default?: unknown }> }).properties;
  const v = props?.[field]?.default;
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
};

export const command: CommandSpec = {
  name: 'learn-rule',
  summary: 'learn a plasticity rule by BPTT on a temporal task and export rule.json',
  usage: 'spikeloco learn-rule --task cue-reward --rule bcm-neuromod --out rules/NAME [options]',
  options: [
    { name: 'task', type: 'string', metavar: 'TASK', description: `temporal task: ${TASK_NAMES.join(', ')}`, default: 'cue-reward' },
    { name: 'rule', type: 'string', metavar: 'RULE', description: `plasticity rule (static = plasticity off): ${LEARN_RULES.join(', ')}`, default: 'hebbian-neuromod' },
    { name: 'out', type: 'string', metavar: 'DIR', description: 'run directory (rule.json, checkpoint.json, log.jsonl, log.csv)' },
    { name: 'iterations', type: 'integer', min: 0, max: 1e6, metavar: 'N', description: 'Adam iterations (one batch each)', shownDefault: d('iterations') },
    { name: 'batch', type: 'integer', min: 1, max: 4096, metavar: 'B', description: 'episodes per batch', shownDefault: d('batch') },
    { name: 'seed', type: 'integer', min: 0, max: SEED_MAX, metavar: 'S', description: 'seed of the initial genome, batches and evaluation set', shownDefault: d('seed') },
    { name: 'noise', type: 'number', min: 0, metavar: 'SIGMA', description: 'std of Gaussian noise added to every input', shownDefault: d('noise') },
    { name: 'truncation', type: 'integer', min: 0, metavar: 'T', description: 'truncated BPTT: steps per chunk (0 = full episode)', shownDefault: d('truncation') },
    { name: 'lr', type: 'number', metavar: 'LR', description: 'Adam learning rate (> 0)', shownDefault: d('learningRate') },
    { name: 'hidden', type: 'integer', min: 1, max: 4096, metavar: 'H', description: 'hidden LIF neurons', shownDefault: learnControllerConfig('hebbian').network.hidden },
    { name: 'surrogate', type: 'string', metavar: 'KIND', description: `surrogate gradient: ${SURROGATE_KINDS.join(', ')}`, shownDefault: d('surrogate') },
    { name: 'slope', type: 'number', metavar: 'K', description: 'surrogate slope k (default per kind: arctan 2, fast-sigmoid 25)' },
    { name: 'eval-every', type: 'integer', min: 1, metavar: 'N', description: 'evaluate on the held-out batch every N iterations', shownDefault: d('evalEvery') },
    { name: 'config', type: 'string', metavar: 'FILE', description: 'JSON learn config (fields of LearnConfig); flags override it' },
    { name: 'backend', type: 'string', metavar: 'NAME', description: `force a tfjs backend: ${BACKEND_NAMES.join(', ')} (default: best available)` },
    { name: 'resume', type: 'boolean', description: 'continue the run in --out from its checkpoint (its config; --iterations may extend it)' },
    { name: 'quiet', type: 'boolean', description: 'no progress line' },
  ],
};

/** `secondsPerIteration`: wall clock per iteration of this run so far, evaluations and checkpoints included (the summary's definition) */
function progressLine(s: IterationStats, ev: EvalStats | null, total: number, lastEval: EvalStats | null, secondsPerIteration: number): string {
  const width = 24;
  const filled = Math.round((width * s.iteration) / Math.max(total, 1));
  const e = ev ?? lastEval;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${s.iteration}/${total} loss ${s.loss.toFixed(4)} acc ${s.metric.toFixed(3)}${e ? ` | eval loss ${e.loss.toFixed(4)} acc ${e.metric.toFixed(3)}` : ''} | ${secondsPerIteration.toFixed(3)} s/iteration`;
}

export async function run(args: ParsedArgs): Promise<number> {
  const out = str(args, 'out');
  if (!out) throw new UsageError('--out DIR is required (the run directory: rule.json, checkpoint.json, logs)');
  if (args.positionals.length) throw new UsageError(`learn-rule takes no positional arguments (got ${args.positionals.join(' ')})`);
  const raw: Record<string, unknown> = {};
  const file = str(args, 'config');
  if (file) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new UsageError(`--config ${file}: ${(e as Error).message}`);
    }
  }
  const set = (key: string, v: unknown) => {
    if (v !== undefined) raw[key] = v;
  };
  set('task', str(args, 'task'));
  set('rule', str(args, 'rule'));
  set('iterations', num(args, 'iterations'));
  set('batch', num(args, 'batch'));
  set('seed', num(args, 'seed'));
  set('noise', num(args, 'noise'));
  set('truncation', num(args, 'truncation'));
  set('learningRate', num(args, 'lr'));
  set('surrogate', str(args, 'surrogate'));
  set('slope', num(args, 'slope'));
  set('evalEvery', num(args, 'eval-every'));
  const hidden = num(args, 'hidden');
  if (hidden !== undefined) {
    const ctl = (raw.controller ?? {}) as Record<string, unknown>;
    raw.controller = { ...ctl, network: { ...((ctl.network ?? {}) as Record<string, unknown>), hidden } };
  }
  const backend = str(args, 'backend');
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${backend}"`);
  const config = parseLearnConfig(raw, file ?? 'learn-rule options');
  const quiet = flag(args, 'quiet') || !process.stderr.isTTY;
  let lastEval: EvalStats | null = null;
  const res = await runLearnRule(config, {
    outDir: out,
    resume: flag(args, 'resume'),
    iterations: num(args, 'iterations'),
    backend: backend as BackendName | undefined,
    log: (line) => console.log(line),
    onIteration: (s, ev, total, secondsPerIteration) => {
      if (ev) lastEval = ev;
      if (!quiet) process.stderr.write(`\r${progressLine(s, ev, total, lastEval, secondsPerIteration)}\x1b[K`);
      else if (ev) console.log(progressLine(s, ev, total, lastEval, secondsPerIteration));
    },
  });
  if (!quiet) process.stderr.write('\n');
  console.log(
    `${config.task} / ${config.rule}: ${res.iterations} iterations on ${res.backend}, ${res.secondsPerIteration.toFixed(3)} s/iteration; ` +
      `held-out accuracy ${res.final.metric.toFixed(3)} (loss ${res.final.loss.toFixed(4)})${res.best ? `, best ${res.best.metric.toFixed(3)} at iteration ${res.best.iteration}` : ''}`,
  );
  console.log(res.rulePath ? `rule written to ${res.rulePath}` : 'static network: no rule to export');
  console.log(`checkpoint: ${res.checkpointPath}`);
  return 0;
}
