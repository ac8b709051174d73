import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseTrainConfig } from '../../training/config.js';
import { train } from '../../training/train.js';
import { RUN_KIND } from '../../training/policy.js';
import { readCheckpoint } from '../../training/checkpoint.js';
import { WorkerError } from '../../training/pool.js';
import { tinyConfig as baseConfig } from './tiny-config.js';

const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));

const tinyConfig = baseConfig;

const tmp = () => mkdtempSync(join(tmpdir(), 'spikeloco-train-'));

/** The parts of a run that must agree bit for bit (timings excluded). */
function fingerprint(dir: string): string {
  const { data } = readCheckpoint<{ optimizer: unknown; normalizer: unknown; generation: number; best: { genome: Float32Array; fitness: number }; history: { best: number; mean: number; sd: number; envSteps: number }[] }>(join(dir, 'checkpoint.json'), RUN_KIND);
  return JSON.stringify({
    optimizer: data.optimizer,
    normalizer: data.normalizer,
    generation: data.generation,
    best: [Array.from(data.best.genome), data.best.fitness],
    history: data.history.map((h) => [h.best, h.mean, h.sd, h.envSteps]),
  });
}

test('a few ES generations on a short Ant episode raise the fitness (fixed seed)', async () => {
  const cfg = tinyConfig({ episodeSeconds: 2, generations: 12, checkpointEvery: 12, reward: { ctrlCostWeight: 0.05 }, optimizer: { kind: 'pgpe', popSize: 16, sigma: 0.05, maxSpeed: 0.15 } });
  const r = await train(cfg, { outDir: tmp(), workers: 2, progress: null });
  const first = r.history.slice(0, 3).reduce((s, h) => s + h.mean, 0) / 3;
  const last = r.history.slice(-3).reduce((s, h) => s + h.mean, 0) / 3;
  assert.ok(last > first, `population mean fitness: first 3 generations ${first.toFixed(2)}, last 3 ${last.toFixed(2)}`);
  assert.ok(existsSync(join(r.outDir, 'learning-curve.svg')));
  assert.ok(readFileSync(join(r.outDir, 'log.csv'), 'utf8').split('\n').length >= 13);
});

test('1 worker and 2 workers give bitwise identical runs', async () => {
  const a = tmp(), b = tmp();
  await train(tinyConfig(), { outDir: a, workers: 1, progress: null });
  await train(tinyConfig(), { outDir: b, workers: 2, progress: null });
  assert.equal(fingerprint(a), fingerprint(b));
});

test('a run killed mid-way resumes from its last checkpoint to the same result as an uninterrupted run', async () => {
  const dir = tmp();
  const cfgPath = join(dir, 'config.json');
  const cfg = { ...tinyConfig({ generations: 8 }) };
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const runDir = join(dir, 'run');
  // start the real CLI, SIGKILL it once the generation-4 checkpoint exists
  const child = spawn(process.execPath, [BIN, 'train', '--config', cfgPath, '--out', runDir, '--workers', '2', '--quiet'], { stdio: 'ignore' });
  const killedAt = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        const g = readCheckpoint<{ generation: number }>(join(runDir, 'checkpoint.json'), RUN_KIND).data.generation;
        if (g >= 4) {
          child.kill('SIGKILL');
          clearInterval(timer);
          resolve(g);
        }
      } catch {
        /* not written yet */
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('training finished before it could be killed'));
    });
  }).catch((e) => {
    throw e;
  });
  assert.ok(killedAt >= 4 && killedAt < 8, `killed after generation ${killedAt}`);
  await train(undefined as never, { outDir: runDir, workers: 1, resume: true, progress: null });
  const ref = join(dir, 'ref');
  await train(parseTrainConfig(cfg), { outDir: ref, workers: 2, progress: null });
  assert.equal(fingerprint(runDir), fingerprint(ref));
});

test('bad configs name the offending field; unseen conditions are refused unless allowed', () => {
  assert.throws(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, optimizer: { popSize: -4 } }), /optimizer\.popSize: expected .*got -4/);
  assert.throws(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, generatons: 3 }), /generatons: no such field \(did you mean "generations"\?\)/);
  assert.throws(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, conditions: ['lava'] }), /conditions\[0\]: .*unknown condition "lava"/);
  assert.throws(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, conditions: ['damaged(leg=front-left, length=0.1)'] }), /conditions\[0\].*held out in the unseen suite/);
  assert.throws(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, conditions: ['friction(mu=0.3)'] }), /held out/);
  assert.doesNotThrow(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, conditions: ['friction(mu=0.3)'], allowUnseen: true }));
  assert.doesNotThrow(() => parseTrainConfig({ controller: { kind: 'plastic-snn' }, conditions: ['flat', 'friction(mu=0.7)', 'rough(amplitude=0.03, scale=2, seed=11)'] }));
});

test('resuming a corrupt or foreign checkpoint is refused with a clear message', async () => {
  const dir = tmp();
  await train(tinyConfig({ generations: 2 }), { outDir: dir, workers: 1, progress: null });
  const path = join(dir, 'checkpoint.json');
  const good = readFileSync(path, 'utf8');
  writeFileSync(path, good.slice(0, good.length - 200));
  await assert.rejects(() => train(undefined as never, { outDir: dir, workers: 1, resume: true, progress: null }), /checkpoint .*checkpoint\.json/);
  writeFileSync(path, JSON.stringify({ hello: 'world' }));
  await assert.rejects(() => train(undefined as never, { outDir: dir, workers: 1, resume: true, progress: null }), /checkpoint .*checkpoint\.json/);
  await assert.rejects(() => train(tinyConfig(), { outDir: dir, workers: 1, progress: null }), /already holds a run/);
});

test('a worker that throws is reported with its genome index; the run stops with its last checkpoint intact', async () => {
  const dir = tmp();
  const cfg = tinyConfig({ generations: 6 });
  await assert.rejects(
    () => train(cfg, { outDir: dir, workers: 2, progress: null, faultInjection: { generation: 3, member: 5 } }),
    // faultInjection counts seed generations from 0; the message counts as the log does (from 1)
    (e: unknown) => e instanceof WorkerError && e.member === 5 && /^evaluating population member 5 \(of 0–7\) in generation 4 failed/.test(e.message),
  );
  const { data } = readCheckpoint<{ generation: number }>(join(dir, 'checkpoint.json'), RUN_KIND);
  assert.equal(data.generation, 2, 'the checkpoint of generation 2 is the last one, intact and readable');
});

test('frozen genome entries (a frozen learned rule) stay exactly fixed while ES evolves the rest', async () => {
  const dir = tmp();
  let fixed: Float32Array | null = null;
  let mask: Uint8Array | null = null;
  const r = await train(tinyConfig({ generations: 4 }), {
    outDir: dir,
    workers: 2,
    progress: null,
    initialGenome: (layout, genome) => {
      const s = layout.slice('output.alpha');
      mask = new Uint8Array(layout.size).fill(1, s.offset, s.offset + s.size);
      for (let i = s.offset; i < s.offset + s.size; i++) genome[i] = 0.123;
      fixed = genome.slice();
      return mask;
    },
  });
  let changed = 0;
  r.best.genome.forEach((v, i) => {
    if (mask![i]) assert.equal(v, fixed![i], `frozen entry ${i}`);
    else if (v !== fixed![i]) changed++;
  });
  assert.ok(changed > 0, 'the other entries evolved');
});

test('the shipped quadruped12 config trains for 3 generations: its robot starts standing, so members survive their episodes', async () => {
  const file = fileURLToPath(new URL('../../../configs/quadruped12-plastic.json', import.meta.url));
  const shipped = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const cfg = parseTrainConfig({ ...shipped, episodeSeconds: 1, episodeSecondsMax: 0, generations: 3, minutes: 0, checkpointEvery: 3, finalEpisodes: 1, optimizer: { ...(shipped.optimizer as object), popSize: 6 } }, file);
  const r = await train(cfg, { outDir: tmp(), workers: 1, progress: null });
  assert.equal(r.history.length, 3);
  for (const h of r.history) assert.ok(Number.isFinite(h.mean) && Number.isFinite(h.best));
  // envSteps is cumulative; generations 1 and 2 hold the members' episodes only (the centre is
  // evaluated at the checkpoint, generation 3): 6 × 20 control steps when nobody falls. Before
  // the home pose and the small output scale, members fell within ≈ 1 s, or 0.35 s untrained
  const perEpisode = [r.history[0].envSteps / 6, (r.history[1].envSteps - r.history[0].envSteps) / 6];
  for (const n of perEpisode) assert.ok(n > 15, `mean episode ${n.toFixed(1)} control steps`);
});
