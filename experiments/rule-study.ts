/**
 * The BPTT study grid: for each task, without and with input noise, a static SNN against each
 * plasticity rule, several seeds each; every run is a full learn-rule run (same code path as the
 * CLI) in its own child process, two at a time (one per core). Prints and writes a markdown table
 * of held-out accuracy, mean ± sd over seeds.
 *
 *   node dist/experiments/rule-study.js [--quick] [--out DIR] [--jobs 2] [--md docs/BPTT-table.md]
 *
 * Sizes (the full grid, 140 runs, takes ≈ 15 min on 2 cores with the fused kernel): 32 hidden LIF
 * neurons, plastic hidden→output connection, batch 16, 300 Adam iterations (lr 0.01), held-out batch of 64
 * episodes, noise σ = 0.5 on every input channel in the noisy column.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLearnConfig, runLearnRule, type LearnConfig, type LearnRule, type TaskName } from '../training/bptt/learn.js';

export interface StudyGrid {
  tasks: TaskName[];
  rules: LearnRule[];
  noises: number[];
  seeds: number[];
  base: Partial<LearnConfig>;
}

export const STUDY_GRID: StudyGrid = {
  tasks: ['cue-reward', 'pattern-memory'],
  rules: ['static', 'hebbian', 'oja', 'bcm', 'hebbian-neuromod', 'bcm-neuromod', 'hebbian-retro'],
  noises: [0, 0.5],
  seeds: [1, 2, 3, 4, 5],
  base: { iterations: 300, batch: 16, evalBatch: 64, evalEvery: 50, checkpointEvery: 1000, learningRate: 0.01 },
};

export const QUICK_GRID: StudyGrid = { ...STUDY_GRID, rules: ['static', 'hebbian-neuromod'], seeds: [1, 2], base: { ...STUDY_GRID.base, iterations: 30 } };

export interface StudyRow {
  task: TaskName;
  rule: LearnRule;
  noise: number;
  seed: number;
  metric: number;
  loss: number;
  seconds: number;
}

function jobsOf(g: StudyGrid): LearnConfig[] {
  const out: LearnConfig[] = [];
  for (const task of g.tasks) for (const noise of g.noises) for (const rule of g.rules) for (const seed of g.seeds) out.push(parseLearnConfig({ ...g.base, task, rule, noise, seed }));
  return out;
}

function runJob(config: LearnConfig, outDir: string): Promise<StudyRow> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--job', JSON.stringify({ config, outDir })], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', (code) => {
      const line = text.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`study job ${config.task}/${config.rule}/σ${config.noise}/seed ${config.seed} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice(7)) as StudyRow);
    });
  });
}

export function meanSd(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return { mean: m, sd: Math.sqrt(v) };
}

export function studyTable(rows: StudyRow[], g: StudyGrid): string {
  const lines: string[] = [];
  for (const task of g.tasks) {
    lines.push(`| ${task} | ${g.noises.map((n) => `σ = ${n}`).join(' | ')} |`, `|---|${g.noises.map(() => '---').join('|')}|`);
    for (const rule of g.rules) {
      const cells = g.noises.map((noise) => {
        const xs = rows.filter((r) => r.task === task && r.rule === rule && r.noise === noise).map((r) => r.metric);
        if (!xs.length) return 'n/a';
        const { mean, sd } = meanSd(xs);
        return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
      });
      lines.push(`| ${rule} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export async function runStudy(g: StudyGrid, outDir: string, jobs = 2, say: (s: string) => void = console.log): Promise<StudyRow[]> {
  const queue = jobsOf(g);
  const rows: StudyRow[] = [];
  const t0 = performance.now();
  let next = 0;
  const total = queue.length;
  const worker = async () => {
    while (next < queue.length) {
      const c = queue[next++];
      const dir = join(outDir, `${c.task}-${c.rule}-n${c.noise}-s${c.seed}`);
      const r = await runJob(c, dir);
      rows.push(r);
      say(`[${rows.length}/${total}] ${r.task} ${r.rule} σ=${r.noise} seed ${r.seed}: acc ${r.metric.toFixed(3)} (${r.seconds.toFixed(1)} s; ${((performance.now() - t0) / 1000).toFixed(0)} s total)`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const j = argv.indexOf('--job');
  if (j >= 0) {
    const { config, outDir } = JSON.parse(argv[j + 1]) as { config: LearnConfig; outDir: string };
    const t0 = performance.now();
    // a job killed part-way (checkpoint, no result yet) continues where it stopped
    const res = await runLearnRule(config, { outDir, resume: existsSync(join(outDir, 'checkpoint.json')) });
    const row: StudyRow = { task: config.task, rule: config.rule, noise: config.noise, seed: config.seed, metric: res.final.metric, loss: res.final.loss, seconds: (performance.now() - t0) / 1000 };
    console.log('RESULT ' + JSON.stringify(row));
    return;
  }
  const quick = argv.includes('--quick');
  const get = (name: string, def: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def);
  const g = quick ? QUICK_GRID : STUDY_GRID;
  const out = get('--out', quick ? 'runs/bptt-study-quick' : 'runs/bptt-study');
  const jobs = Number(get('--jobs', '2'));
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const rows = await runStudy(g, out, jobs);
  const seconds = (performance.now() - t0) / 1000;
  const table = studyTable(rows, g);
  console.log('\n' + table + `\nwall time ${seconds.toFixed(0)} s with ${jobs} processes`);
  writeFileAtomic(join(out, 'results.json'), JSON.stringify({ grid: g, seconds, jobs, rows }, null, 1) + '\n');
  const md = get('--md', '');
  if (md) writeFileAtomic(md, table + `\n_wall time ${seconds.toFixed(0)} s, ${jobs} processes; per-run results in ${join(out, 'results.json')}_\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
