import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { loadSuite, SUITES } from '../training/suites.js';
import { parseCondition } from '../sim/conditions.js';
import { controlDtOf } from '../sim/env.js';
import { EPISODE_SECONDS, seedOption, workersFrom, workersOption } from './limits.js';
import { redisOption } from './worker.js';
import { DEFAULT_MATRIX, parseRuns, reportAllFinished, runLabel, runStudy, selectRuns, studyMarkdown, STUDY_ARMS, STUDY_REGIMES, type StudyArm } from '../experiments/study.js';
import { DEFAULT_SWITCH_CONDITIONS, evaluationSteps, STUDY_EVAL_DEFAULTS, type StudyEvalOptions } from '../experiments/study-evaluation.js';

const D = STUDY_EVAL_DEFAULTS;
const matrixText = DEFAULT_MATRIX.map((k) => `${k.arm}/${k.regime}`).join(',');

export const command: CommandSpec = {
  name: 'study',
  summary: 'the study of plasticity that holds and adapts: train every run of the matrix × seed, evaluate every policy (unseen suite, conditions switched on mid-episode, 60-s flat), tables and pictures',
  usage: "spikeloco study [--generations 100] [--seeds 5] [--runs 'plastic/switched,static SNN/flat'] [--out runs/study] [--results docs/results/study] [--redis URL]",
  options: [
    { name: 'out', type: 'string', default: 'runs/study', description: 'training directories (a run killed part-way resumes from its checkpoint)', metavar: 'DIR' },
    { name: 'results', type: 'string', default: 'docs/results/study', description: 'after every run its small files (study-run.json, best.json, log.csv, learning-curve.svg, evaluation.json) are copied to DIR/<run>/ and the report to DIR; runs found there are not trained or evaluated again ("none": off)', metavar: 'DIR' },
    { name: 'report-only', type: 'boolean', description: 'train and evaluate nothing: write the report of what is finished in --out and --results' },
    { name: 'generations', type: 'integer', default: 100, min: 1, max: 1e6, description: 'training budget per run: ES generations (the same evaluations for every arm; deterministic)', metavar: 'G' },
    { name: 'minutes', type: 'number', min: 0, max: 1e5, description: "also cap each run's wall-clock minutes (default: no cap, whatever the arm's config says; a cap makes the result depend on machine load)", metavar: 'M' },
    { name: 'seeds', type: 'integer', default: 5, min: 1, max: 100, description: 'training seeds per run of the matrix', metavar: 'N' },
    { name: 'runs', type: 'string', default: matrixText, description: `the matrix: ARM/REGIME pairs, comma-separated (arms: ${STUDY_ARMS.map((a) => a.name).join(', ')}; regimes: ${Object.keys(STUDY_REGIMES).join(', ')})`, metavar: 'A/R,…' },
    { name: 'arms', type: 'strings', description: 'keep only the runs of these arms (comma-separated or repeated)', metavar: 'A,B' },
    { name: 'regimes', type: 'strings', description: 'keep only the runs of these regimes', metavar: 'R,S' },
    { name: 'rule-from', type: 'string', description: 'add an arm on every regime of the matrix: the plastic SNN started from this learned rule (rules/NAME/rule.json; spikeloco learn-rule)', metavar: 'FILE' },
    { name: 'suite', type: 'string', default: 'unseen', description: `(a) whole episodes: suite (${Object.keys(SUITES).join(', ')}) or a JSON suite file`, metavar: 'NAME' },
    { name: 'episodes', type: 'integer', default: D.episodes, min: 1, max: 1000, description: '(a) episodes per condition', metavar: 'N' },
    { name: 'seconds', type: 'number', default: D.seconds, ...EPISODE_SECONDS, description: '(a) episode length', metavar: 'S' },
    { name: 'switch', type: 'strings', default: DEFAULT_SWITCH_CONDITIONS, description: '(b) conditions switched on mid-episode, flat before (repeat the flag; "none" skips the part)', metavar: 'COND' },
    { name: 'switch-episodes', type: 'integer', default: D.switchEpisodes, min: 1, max: 1000, description: '(b) episodes per condition', metavar: 'N' },
    { name: 'switch-seconds', type: 'number', default: D.switchSeconds, ...EPISODE_SECONDS, description: '(b) episode length', metavar: 'S' },
    { name: 'switch-at', type: 'number', default: D.switchAt, ...EPISODE_SECONDS, description: '(b) seconds of flat ground before the switch', metavar: 'S' },
    { name: 'window', type: 'number', default: D.window, ...EPISODE_SECONDS, description: '(b) window of the speeds before / after the switch and at the end', metavar: 'S' },
    { name: 'long-episodes', type: 'integer', default: D.longEpisodes, min: 0, max: 1000, description: '(c) long flat episodes (0 skips the part)', metavar: 'N' },
    { name: 'long-seconds', type: 'number', default: D.longSeconds, ...EPISODE_SECONDS, description: '(c) their length', metavar: 'S' },
    { name: 'long-early', type: 'number', default: D.longEarly, ...EPISODE_SECONDS, description: '(c) the early window compared with the whole episode', metavar: 'S' },
    seedOption(D.seed, 'evaluation seed (same episodes for every policy)'),
    workersOption(),
    redisOption(),
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  const list = (name: string) => (args.options[name] as string[] | undefined)?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const arms: StudyArm[] = [...STUDY_ARMS];
  const ruleFrom = str(args, 'rule-from');
  let ruleArm: StudyArm | undefined;
  if (ruleFrom) {
    const { loadRule } = await import('../training/bptt/rule.js');
    const rule = loadRule(ruleFrom);
    ruleArm = { name: `plastic ${rule.rule} from learned rule`, config: 'ant-plastic.json', ruleFrom };
    arms.push(ruleArm);
  }
  let matrix = selectRuns(parseRuns(str(args, 'runs')!, arms, STUDY_REGIMES), { arms: list('arms'), regimes: list('regimes') });
  if (ruleArm) matrix = [...matrix, ...[...new Set(matrix.map((k) => k.regime))].map((regime) => ({ arm: ruleArm.name, regime }))];
  const switchConditions = (args.options.switch as string[]).filter((c) => c !== 'none');
  for (const c of switchConditions) parseCondition(c); // a bad string fails before hours of training
  const evaluation: StudyEvalOptions = {
    suite: loadSuite(str(args, 'suite')!),
    episodes: num(args, 'episodes')!,
    seconds: num(args, 'seconds')!,
    switchConditions,
    switchEpisodes: num(args, 'switch-episodes')!,
    switchSeconds: num(args, 'switch-seconds')!,
    switchAt: num(args, 'switch-at')!,
    window: num(args, 'window')!,
    longEpisodes: num(args, 'long-episodes')!,
    longSeconds: num(args, 'long-seconds')!,
    longEarly: num(args, 'long-early')!,
    seed: num(args, 'seed')!,
  };
  if (!(evaluation.switchAt > 0 && evaluation.switchAt < evaluation.switchSeconds)) throw new UsageError('--switch-at must be inside (0, --switch-seconds)');
  if (evaluation.window > evaluation.switchAt || evaluation.window > evaluation.switchSeconds - evaluation.switchAt) throw new UsageError('--window must fit before and after the switch (≤ --switch-at and ≤ --switch-seconds − --switch-at)');
  if (evaluation.longEarly >= evaluation.longSeconds) throw new UsageError('--long-early must be shorter than --long-seconds');
  const minutes = num(args, 'minutes');
  const generations = num(args, 'generations')!;
  const seeds = num(args, 'seeds')!;
  const out = str(args, 'out')!;
  const resultsOpt = str(args, 'results')!;
  const results = resultsOpt === 'none' ? null : resultsOpt;
  const reportOnly = flag(args, 'report-only');
  console.error(
    `study: ${matrix.length} runs (${matrix.map((k) => runLabel(k.arm, k.regime)).join(', ')}) × ${seeds} seeds, ${generations} generations each${minutes ? ` (at most ${minutes} min)` : ''}; ` +
      `evaluation ≤ ${evaluationSteps(evaluation, controlDtOf())} env steps per policy; training in ${out}${results ? `, results in ${results}` : ''}${reportOnly ? ' (report only)' : ''}`,
  );
  const t0 = performance.now();
  const { backendFromUrl } = await import('../training/distributed/queue.js');
  const backend = reportOnly ? undefined : await backendFromUrl(str(args, 'redis'));
  const options = {
    backend,
    out,
    results,
    minutes,
    generations,
    seeds,
    arms,
    regimes: STUDY_REGIMES,
    matrix,
    evaluation,
    reportOnly,
    workers: workersFrom(args, 'study'),
    log: (line: string) => console.error(`${((performance.now() - t0) / 60000).toFixed(1).padStart(5)} min  ${line}`),
  };
  const report = await runStudy(options).finally(() => backend?.close());
  // a part of the matrix (--runs, --arms, --regimes, --seeds) must not leave a report of that part
  // alone where the whole study's report was (stdout keeps the part asked for)
  const all = await reportAllFinished(options);
  if (all) options.log(`the report in ${results} covers every run finished there (${all.matrix.length} runs, seeds 0–${all.seeds - 1}), not only the ${matrix.length} × ${seeds} asked for`);
  console.log(studyMarkdown(report));
  console.log(`wrote the report (study.md, study.json, pictures) to ${out}${results ? ` and ${results}` : ''}`);
  return 0;
}
