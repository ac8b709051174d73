/**
 * The adaptation study (issue #7), runnable at any size:
 *
 *   node dist/training/study.js --minutes 1.5 --seeds 3 --out runs/study
 *
 * Trains every arm (plastic SNN with two rules, static SNN, MLP) on flat ground for the same
 * wall-clock budget per seed, evaluates every resulting policy on the unseen suite with the
 * same episodes, and writes `study.json` plus a Markdown table (speed per condition: mean ±
 * sd across seeds of each seed's mean over episodes; retention likewise).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { parseTrainConfig, type TrainConfig } from './config.js';
import { train, type PolicyFile } from './train.js';
import { evaluatePolicies } from './evaluation.js';
import { SUITES } from './suites.js';

interface Arm {
  name: string;
  config: string;
  controller?: Record<string, unknown>;
}

const ARMS: Arm[] = [
  { name: 'plastic hebbian-retro', config: 'ant-plastic.json' },
  { name: 'plastic bcm-neuromod', config: 'ant-plastic.json', controller: { plasticity: { rule: 'bcm-neuromod', connections: ['output'] } } },
  { name: 'static SNN', config: 'ant-static.json' },
  { name: 'MLP', config: 'ant-mlp.json' },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { m, sd };
};

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('node dist/training/study.js [--minutes 1.5] [--seeds 3] [--episodes 5] [--out runs/study] [--workers N]');
    return;
  }
  const minutes = Number(arg('minutes', '1.5'));
  const seeds = Number(arg('seeds', '3'));
  const episodes = Number(arg('episodes', '5'));
  const out = arg('out', 'runs/study');
  const workers = Number(arg('workers', String(os.availableParallelism?.() ?? os.cpus().length)));
  mkdirSync(out, { recursive: true });
  const policies: { arm: string; seed: number; policy: PolicyFile }[] = [];
  for (const arm of ARMS) {
    for (let seed = 0; seed < seeds; seed++) {
      const raw = JSON.parse(readFileSync(fileURLToPath(new URL(`../../configs/${arm.config}`, import.meta.url)), 'utf8')) as Record<string, unknown>;
      const cfg: TrainConfig = parseTrainConfig({ ...raw, seed, name: `${arm.name} seed ${seed}`, controller: { ...(raw.controller as object), ...(arm.controller ?? {}) } }, arm.config);
      const dir = join(out, `${arm.name.replace(/\s+/g, '-')}-seed${seed}`);
      const t0 = performance.now();
      const r = await train(cfg, { outDir: dir, workers, minutes, progress: null });
      console.error(`${arm.name} seed ${seed}: ${r.generations} generations in ${((performance.now() - t0) / 60000).toFixed(1)} min, centre ${r.best.meanForwardVelocity.toFixed(3)} m/s`);
      policies.push({ arm: arm.name, seed, policy: r.best });
    }
  }
  const report = await evaluatePolicies(
    policies.map((p) => ({ name: `${p.arm}#${p.seed}`, policy: p.policy })),
    { suite: SUITES.unseen, episodes, seconds: 10, workers, seed: 12345 },
  );
  writeFileSync(join(out, 'study.json'), JSON.stringify({ minutes, seeds, episodes, report }, null, 2) + '\n');
  const conditions = report.policies[0].conditions.map((c) => c.condition);
  const lines = [
    `Unseen suite, ${episodes} episodes × 10 s per condition; ${seeds} training seeds × ${minutes} min per arm on flat ground. Speed in m/s: mean ± sd across seeds of each seed's mean; retention = speed / flat speed, likewise.`,
    '',
    `| condition | ${ARMS.map((a) => a.name).join(' | ')} |`,
    `|---|${ARMS.map(() => '---').join('|')}|`,
  ];
  for (let c = 0; c < conditions.length; c++) {
    const cells = ARMS.map((arm) => {
      const rows = report.policies.filter((p) => p.policy.startsWith(`${arm.name}#`)).map((p) => p.conditions[c]);
      const v = meanSd(rows.map((r) => r.speed.mean));
      const ret = meanSd(rows.map((r) => r.retention));
      return `${v.m.toFixed(2)} ± ${v.sd.toFixed(2)} (ret ${ret.m.toFixed(2)} ± ${ret.sd.toFixed(2)})`;
    });
    lines.push(`| ${conditions[c]} | ${cells.join(' | ')} |`);
  }
  writeFileSync(join(out, 'study.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

await main();
