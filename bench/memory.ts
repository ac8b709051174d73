/**
 * Memory over episodes (`npm run bench -- --only memory`): does a rollout worker's RSS stay
 * flat? Three parts, each in fresh worker threads (one Rapier WebAssembly instance each):
 *
 * - `isolation`: one binding call repeated in a synchronous loop (bench/memory-probe.ts):
 *   Rapier's `World.restoreSnapshot`, our `restoreWorld`, building a world, `world.step()`,
 *   the foot-contact queries; WASM linear-memory growth per call tells which call leaks.
 * - `episodes`: env episodes of `EPISODE_STEPS` control steps in a synchronous loop (the worst
 *   case: no event-loop turn, so no JS finalizer ever runs), with the reset as it was before
 *   the fix (`episode-before`) and as it is (`episode`): RSS and WASM memory per
 *   `SAMPLE_EVERY` episodes, and the least-squares slope in bytes per episode.
 * - `pool`: the real path, `RolloutPool` with one worker (training/worker.ts → TaskRunner),
 *   tasks of 10 such episodes with a small plastic SNN: the process's RSS over episodes.
 *
 * Slopes are least-squares fits over the second half of each run: RSS rises and falls with the
 * JS heap between major GCs (tens of MB over a few thousand episodes), and the first cycles
 * also carry JIT and heap warm-up; a leak shows as a slope that persists.
 */
import { Worker } from 'node:worker_threads';
import { antSpec } from '../morphologies/ant.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { envSizes } from '../sim/env.js';
import { RolloutPool } from '../training/pool.js';
import { policySpec } from '../training/task-runner.js';
import { TASK_FORMAT_VERSION, type EpisodeSpec, type WorkerTask } from '../training/task.js';
import type { ProbeInput, ProbeMessage, ProbeMode, ProbeSample } from './memory-probe.js';
import type { Section } from './report.js';

/** control steps per episode: short, so that 100,000 episodes fit in a bench run */
const EPISODE_STEPS = 20;
const EPISODES_PER_TASK = 10;

function runProbe(input: ProbeInput): Promise<{ samples: ProbeSample[]; contacts: number }> {
  const samples: ProbeSample[] = [];
  const worker = new Worker(new URL('./memory-probe.js', import.meta.url), { workerData: input });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: ProbeMessage) => {
      if (m.type === 'sample') samples.push(m.sample);
      else if (m.type === 'done') void worker.terminate().then(() => resolve({ samples, contacts: m.contacts }));
      else reject(new Error(`memory probe ${input.mode}: ${m.message}`));
    });
    worker.once('error', reject);
  });
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** Samples of the second half of the run (at least two). */
function settled<T extends { iteration: number }>(samples: T[]): T[] {
  const last = samples[samples.length - 1].iteration;
  const s = samples.filter((x) => x.iteration >= 0.5 * last);
  return s.length >= 2 ? s : samples.slice(-2);
}

const MB = (b: number) => Math.round(b / 1e5) / 10;

function summary(samples: ProbeSample[], per: string) {
  const s = settled(samples);
  const it = s.map((x) => x.iteration);
  const last = samples[samples.length - 1];
  return {
    iterations: last.iteration,
    seconds: Math.round(last.seconds),
    [`wasmBytesPer${per}`]: Math.round(slope(it, s.map((x) => x.wasm)) * 10) / 10,
    [`rssBytesPer${per}`]: Math.round(slope(it, s.map((x) => x.rss)) * 10) / 10,
    wasmMB: [MB(samples[0].wasm), MB(last.wasm)],
    rssMB: [MB(samples[0].rss), MB(last.rss)],
  };
}

async function isolation(quick: boolean): Promise<Section> {
  const n: Record<Exclude<ProbeMode, 'episode' | 'episode-before'>, number> = quick
    ? { 'restore-rapier': 1000, restore: 1000, build: 500, step: 5000, contact: 5000 }
    : { 'restore-rapier': 5000, restore: 5000, build: 2000, step: 40000, contact: 40000 };
  const out: Section = {};
  for (const [mode, iterations] of Object.entries(n) as [ProbeMode, number][]) {
    const { samples, contacts } = await runProbe({ mode, iterations, every: iterations / 10, steps: EPISODE_STEPS, yieldEvery: 0 });
    out[mode] = { ...summary(samples, 'Call'), ...(mode === 'contact' ? { manifoldsWithContacts: contacts } : {}) };
  }
  return out;
}

/** RSS (MB) at every multiple of `every` episodes, e.g. every 10,000. */
function rssTable(samples: { iteration: number; rss: number }[]): Record<string, number> {
  return Object.fromEntries(samples.map((s) => [String(s.iteration), MB(s.rss)]));
}

async function episodes(quick: boolean): Promise<Section> {
  const iterations = quick ? 3000 : 20000;
  const every = quick ? 500 : 2000;
  const out: Section = { episodeSteps: EPISODE_STEPS, loop: 'synchronous (no event-loop turn: JS finalizers never run)' };
  for (const mode of ['episode-before', 'episode'] as const) {
    const { samples } = await runProbe({ mode, iterations, every, steps: EPISODE_STEPS, yieldEvery: 0 });
    out[mode === 'episode' ? 'after' : 'before'] = { ...summary(samples, 'Episode'), rssMBAt: rssTable(samples) };
  }
  return out;
}

async function pool(quick: boolean): Promise<Section> {
  const total = quick ? 5000 : 100000;
  const batch = quick ? 500 : 2000; // episodes per pool.run
  const sampleEvery = quick ? 1000 : 10000;
  const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 });
  const morphology = antSpec();
  const spec = policySpec({ morphology, controller });
  const { obsSize, actSize } = envSizes(morphology);
  const genome = initGenome(genomeLayoutFor(controller, obsSize, actSize), 1);
  const p = await RolloutPool.create(1);
  const samples: { iteration: number; rss: number; seconds: number }[] = [];
  const t0 = performance.now();
  try {
    samples.push({ iteration: 0, rss: process.memoryUsage.rss(), seconds: 0 });
    let seed = 0;
    for (let done = 0; done < total; ) {
      const tasks: WorkerTask[] = [];
      for (let i = 0; i < batch / EPISODES_PER_TASK; i++) {
        const eps: EpisodeSpec[] = Array.from({ length: EPISODES_PER_TASK }, () => ({ seed: seed++, maxSteps: EPISODE_STEPS, condition: 'flat', switches: [] }));
        tasks.push({ version: TASK_FORMAT_VERSION, runId: 'bench-memory', label: `task ${i}`, index: i, policyKey: spec.key, genome, normalizer: null, collectStats: false, episodes: eps });
      }
      await p.run(spec, tasks);
      done += batch;
      if (done % sampleEvery === 0) samples.push({ iteration: done, rss: process.memoryUsage.rss(), seconds: (performance.now() - t0) / 1000 });
    }
  } finally {
    await p.close();
  }
  const s = settled(samples);
  return {
    workers: 1,
    controller: 'plastic-snn, 8 hidden',
    episodes: total,
    episodeSteps: EPISODE_STEPS,
    episodesPerTask: EPISODES_PER_TASK,
    seconds: Math.round(samples[samples.length - 1].seconds),
    rssMBAt: rssTable(samples),
    rssBytesPerEpisode: Math.round(slope(s.map((x) => x.iteration), s.map((x) => x.rss)) * 10) / 10,
  };
}

export async function benchMemory(quick: boolean): Promise<Section> {
  return { isolation: await isolation(quick), episodes: await episodes(quick), pool: await pool(quick) };
}
