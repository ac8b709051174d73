/**
 * Redis + BullMQ workers vs. the local pool on the same total threads of this machine: env
 * steps/s at the shipped configs' population (plastic-SNN Ant, 48 members, 200-step
 * episodes), how it moves with the chunk size (tasks per job), and the round trip of one job
 * that does almost nothing (1-step episode): the per-job cost of the queue itself.
 *
 * Starts its own redis-server (no persistence, loopback) and `spikeloco worker` processes with
 * one thread each. The machine is shared: the load average is reported beside every figure.
 */
import { benchPopulation } from './population.js';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { antSpec } from '../morphologies/ant.js';
import { genomeLayoutFor, parseControllerConfig } from '../controllers/index.js';
import { LocomotionEnv } from '../sim/env.js';
import { RolloutPool } from '../training/pool.js';
import { RedisBackend } from '../training/distributed/queue.js';
import { parseRedisUrl } from '../training/distributed/redis-url.js';
import { backendEvaluator } from '../training/distributed/member-tasks.js';
import { RedisServer, WorkerProcess } from '../test/distributed/redis-server.js';
import { median, type Section } from './report.js';

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));

export async function benchDistributed(quick: boolean): Promise<Section> {
  const threads = 2;
  const spec = antSpec();
  const cfg = JSON.parse(readFileSync(new URL('../../configs/ant-plastic.json', import.meta.url), 'utf8')) as { controller: Record<string, unknown>; optimizer: { popSize: number } };
  const controller = parseControllerConfig(cfg.controller, 'configs/ant-plastic.json controller');
  const probe = await LocomotionEnv.create({ morphology: spec });
  const layout = genomeLayoutFor(controller, probe.obsSize, probe.actSize);
  probe.free();
  const pop = quick ? 8 : cfg.optimizer.popSize;
  const reps = quick ? 1 : 5;
  const genomes = benchPopulation(layout, pop);
  const init = { morphology: spec, conditions: ['flat'], episodeSteps: 200, episodesPerMember: 1, controller: controller as unknown as Record<string, unknown>, runSeed: 7 };
  const out: Section = { threads, population: pop, episodeSteps: 200, genomeSize: layout.size, loadAverageAtStart: load() };

  // Interleaved rounds (local, then each chunk size, repeated) after a full-population warm-up
  // of every side: on a shared machine the load drifts, and JIT warm-up favours whatever runs last.
  const pool = await RolloutPool.create(threads);
  const local = backendEvaluator(pool, { ...init, runId: 'bench-local' });
  const redis = await RedisServer.start();
  const workers = Array.from({ length: threads }, () => new WorkerProcess(redis.url, ['--quiet']));
  const chunkSizes = quick ? [1, 4] : [1, 2, 4, 6, 12, 24];
  const backends: RedisBackend[] = [];
  try {
    await Promise.all(workers.map((w) => w.ready));
    const sides: { name: string; evaluate: (g: number) => Promise<{ steps: number; fitness: number }[]> }[] = [{ name: 'local', evaluate: (g) => local.evaluate(g, genomes, null) }];
    for (const chunkSize of chunkSizes) {
      const backend = await RedisBackend.connect({ target: parseRedisUrl(redis.url), chunkSize, log: null });
      backends.push(backend);
      const ev = backendEvaluator(backend, { ...init, runId: `bench-${chunkSize}` });
      sides.push({ name: `chunk${chunkSize}`, evaluate: (g) => ev.evaluate(g, genomes, null) });
    }
    for (const side of sides) await side.evaluate(0);
    const rates = new Map<string, number[]>(sides.map((x) => [x.name, []]));
    const fits = new Map<string, string>();
    for (let r = 0; r < reps; r++) {
      for (const side of sides) {
        const t0 = performance.now();
        const res = await side.evaluate(1 + r);
        rates.get(side.name)!.push(res.reduce((s, x) => s + x.steps, 0) / ((performance.now() - t0) / 1000));
        fits.set(`${side.name}:${r}`, res.map((x) => x.fitness).join(','));
      }
    }
    out.localStepsPerSec = Math.round(median(rates.get('local')!));
    const byChunk: Record<string, number> = {};
    let identical = true;
    for (const side of sides.slice(1)) {
      byChunk[side.name] = Math.round(median(rates.get(side.name)!));
      for (let r = 0; r < reps; r++) identical &&= fits.get(`${side.name}:${r}`) === fits.get(`local:${r}`);
    }
    out.rounds = reps;
    out.redisStepsPerSecByChunk = byChunk;
    const best = Math.max(...Object.values(byChunk));
    out.redisBestStepsPerSec = best;
    out.overheadAtBestChunk = Number((1 - best / (out.localStepsPerSec as number)).toFixed(3));
    out.overheadAtDefaultChunk = Number((1 - byChunk[`chunk${Math.max(1, Math.ceil(pop / (4 * threads)))}`] / (out.localStepsPerSec as number)).toFixed(3));
    out.overheadTarget = '≤ 0.05';
    out.identicalToLocalPool = identical;
    out.loadAverageAfterThroughput = load();
    // per-job round trip: one task of one 1-step episode per batch
    const backend = await RedisBackend.connect({ target: parseRedisUrl(redis.url), chunkSize: 1, log: null });
    const ev = backendEvaluator(backend, { ...init, episodeSteps: 1, runId: 'bench-latency' });
    await ev.evaluate(0, [genomes[0]], null);
    const lat: number[] = [];
    for (let i = 0; i < (quick ? 10 : 50); i++) {
      const t0 = performance.now();
      await ev.evaluate(i + 1, [genomes[0]], null);
      lat.push(performance.now() - t0);
    }
    await backend.close();
    out.jobRoundTripMs = { median: Number(median(lat).toFixed(2)), p90: Number([...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.9)].toFixed(2)), min: Number(Math.min(...lat).toFixed(2)) };
  } finally {
    await pool.close();
    for (const b of backends) await b.close();
    for (const w of workers) await w.kill('SIGTERM');
    await redis.stop();
  }
  out.loadAverageAtEnd = load();
  out.cores = os.cpus().length;
  return out;
}
