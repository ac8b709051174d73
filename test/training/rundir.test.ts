/**
 * Run directories with real training runs and real files: fresh starts never mix with old
 * rows, resume without a checkpoint says what to do, stale temp files go, a run's identity and
 * budget travel with its checkpoint, and evaluation errors name what was evaluated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { train, RUN_STATE_VERSION } from '../../training/train.js';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../../training/checkpoint.js';
import { WorkerError } from '../../training/pool.js';
import { RunDirError, configDifferences, configHash, readRunFile } from '../../training/rundir.js';
import { RUN_KIND, POLICY_KIND, loadPolicy, policyController } from '../../training/policy.js';
import { readLogCsv } from '../../training/log.js';
import { UserError } from '../../core/errors.js';
import { LocomotionEnv } from '../../sim/env.js';
import { FileWriteError } from '../../core/atomic.js';
import { PHYSICS_BUILD } from '../../sim/rapier.js';
import { tinyConfig as baseConfig } from './tiny-config.js';

const PRETRAINED = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));

const tinyConfig = (over: Record<string, unknown> = {}) => baseConfig({ episodeSeconds: 0.5, generations: 4, seed: 5, ...over });

const root = mkdtempSync(join(tmpdir(), 'spikeloco-rundir-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `run${n++}`);
const quiet = { workers: 1, progress: null } as const;

type State = { runId: string; configHash: string; runVersion: number; budget: { generations: number; minutes: number }; generation: number; optimizer: unknown; normalizer: unknown; best: { genome: Float32Array; fitness: number }; history: { best: number; mean: number; sd: number; envSteps: number }[] };
const state = (dir: string) => readCheckpoint<State>(join(dir, 'checkpoint.json'), RUN_KIND).data;
function fingerprint(dir: string): string {
  const d = state(dir);
  return JSON.stringify({ optimizer: d.optimizer, normalizer: d.normalizer, generation: d.generation, best: [Array.from(d.best.genome), d.best.fitness], history: d.history.map((h) => [h.best, h.mean, h.sd, h.envSteps]) });
}
const csvRows = (dir: string) => readLogCsv(join(dir, 'log.csv')).map((r) => r.generation);
const jsonlRows = (dir: string) => readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { generation: number }).generation);

/** A run that dies (a failing worker) in generation `dieAt` (1-based), before its first checkpoint. */
async function runKilledBeforeCheckpoint(dir: string, dieAt: number): Promise<void> {
  await assert.rejects(() => train(tinyConfig({ checkpointEvery: 10, generations: 10 }), { ...quiet, outDir: dir, faultInjection: { generation: dieAt - 1, member: 0 } }), WorkerError);
  assert.ok(!existsSync(join(dir, 'checkpoint.json')));
  assert.deepEqual(csvRows(dir), Array.from({ length: dieAt - 1 }, (_, i) => i + 1));
}

test('killed before the first checkpoint: --resume says what to do; a fresh start replaces the old rows, never appends', async () => {
  const dir = fresh();
  await runKilledBeforeCheckpoint(dir, 4); // 3 logged generations, no checkpoint
  await assert.rejects(
    () => train(undefined, { ...quiet, outDir: dir, resume: true }),
    (e: unknown) => e instanceof RunDirError && e instanceof UserError && /stopped before its first checkpoint \(3 logged rows, no checkpoint\.json\).*start it again with spikeloco train --config FILE --out /.test(e.message) && !e.message.includes('\n'),
  );
  const r = await train(tinyConfig({ generations: 2 }), { workers: 1, outDir: dir, progress: null });
  assert.ok(r.notes.some((l) => /stopped before its first checkpoint \(3 logged rows.*cleared .*log\.csv.*starting afresh/.test(l)), r.notes.join('\n'));
  assert.deepEqual(csvRows(dir), [1, 2], 'exactly the new run\'s rows');
  assert.deepEqual(jsonlRows(dir), [1, 2]);
  assert.equal(readRunFile(dir)!.runId, r.runId);
});

test('a fresh start into a directory holding a checkpoint or results is refused and changes nothing', async () => {
  const dir = fresh();
  await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir });
  const before = readFileSync(join(dir, 'log.csv'), 'utf8');
  await assert.rejects(() => train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir }), (e: unknown) => e instanceof RunDirError && /already holds a run \(checkpoint\.json\); continue it with spikeloco train --resume .* or choose another --out/.test(e.message));
  assert.equal(readFileSync(join(dir, 'log.csv'), 'utf8'), before);
  // a directory of results without a checkpoint (like viewer/pretrained/) is never cleared
  const shipped = fresh();
  mkdirSync(shipped);
  copyFileSync(PRETRAINED, join(shipped, 'best.json'));
  writeFileSync(join(shipped, 'log.csv'), 'generation\n1\n');
  await assert.rejects(() => train(tinyConfig(), { ...quiet, outDir: shipped }), /holds results of another run \(best\.json\)/);
  assert.deepEqual(readdirSync(shipped).sort(), ['best.json', 'log.csv']);
  // nothing there at all
  await assert.rejects(() => train(undefined, { ...quiet, outDir: join(root, 'nowhere'), resume: true }), /no such directory, so no run to resume; start one with spikeloco train --config FILE --out/);
  const empty = fresh();
  mkdirSync(empty);
  await assert.rejects(() => train(undefined, { ...quiet, outDir: empty, resume: true }), /no checkpoint\.json there, so no run to resume/);
  // an --out that cannot be created: a UserError naming it
  writeFileSync(join(root, 'a-file'), '');
  await assert.rejects(() => train(tinyConfig(), { ...quiet, outDir: join(root, 'a-file', 'run') }), (e: unknown) => e instanceof FileWriteError && e.message.includes(join(root, 'a-file', 'run')) && /not a directory/.test(e.message));
});

test('temp files of a write killed mid-way are removed on start and on resume (live writers\' are kept)', async () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, `checkpoint.json.tmp-${dead}`), 'torn');
  const r = await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir });
  assert.ok(r.notes.some((l) => l.includes(`checkpoint.json.tmp-${dead}`)));
  assert.ok(!existsSync(join(dir, `checkpoint.json.tmp-${dead}`)));
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, `checkpoint.json.tmp-${dead}`), 'torn');
    writeFileSync(join(dir, `best.json.tmp-${dead}`), 'torn');
    writeFileSync(join(dir, `learning-curve.svg.tmp-${live.pid}`), 'someone else is writing');
    await train(undefined, { ...quiet, outDir: dir, resume: true, generations: 3 });
    const temps = readdirSync(dir).filter((f) => f.includes('.tmp-'));
    assert.deepEqual(temps, [`learning-curve.svg.tmp-${live.pid}`]);
  } finally {
    live.kill();
  }
});

test('a run\'s identity: another run\'s checkpoint copied in is refused; best.json and logs stay its own', async () => {
  const a = fresh(), b = fresh();
  const ra = await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: a });
  await train(tinyConfig({ generations: 2, seed: 9 }), { ...quiet, outDir: b });
  const idA = readRunFile(a)!;
  assert.equal(idA.runId, ra.runId);
  assert.equal(idA.configHash, configHash(tinyConfig({ generations: 2 })));
  assert.equal(state(a).runId, idA.runId);
  assert.equal(state(a).configHash, idA.configHash);
  const bestA = readCheckpoint<{ runId: string }>(join(a, 'best.json'), POLICY_KIND).data;
  assert.equal(bestA.runId, idA.runId);
  const bestBytes = readFileSync(join(a, 'best.json'));
  const logBytes = readFileSync(join(a, 'log.csv'));
  copyFileSync(join(b, 'checkpoint.json'), join(a, 'checkpoint.json'));
  await assert.rejects(
    () => train(undefined, { ...quiet, outDir: a, resume: true, generations: 4 }),
    (e: unknown) => e instanceof RunDirError && new RegExp(`belongs to run ${state(b).runId}, another run with another config .* not to run ${idA.runId}`).test(e.message),
  );
  assert.deepEqual(readFileSync(join(a, 'best.json')), bestBytes);
  assert.deepEqual(readFileSync(join(a, 'log.csv')), logBytes);
});

test('--config with --resume: a different one is refused naming the fields, the same one is accepted', async () => {
  const dir = fresh();
  await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir });
  const other = tinyConfig({ generations: 2, optimizer: { kind: 'pgpe', popSize: 8, sigma: 0.2, maxSpeed: 0.2 }, seed: 6 });
  assert.deepEqual(configDifferences(tinyConfig({ generations: 2 }), other), ['optimizer.sigma', 'seed']);
  await assert.rejects(() => train(other, { ...quiet, outDir: dir, resume: true, generations: 3 }), /the given config differs from the run's own in optimizer\.sigma, seed; resume without --config/);
  assert.equal(state(dir).generation, 2, 'nothing ran');
  const r = await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir, resume: true, generations: 3 });
  assert.equal(r.generations, 3);
});

test('budget overrides are stored: a plain --resume continues to the run\'s own budget, bitwise as an uninterrupted run', async () => {
  // config says 2 generations; the run was told 4; it dies in generation 3 after the checkpoint of 2
  const dir = fresh();
  await assert.rejects(() => train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir, generations: 4, faultInjection: { generation: 2, member: 3 } }), WorkerError);
  assert.equal(state(dir).generation, 2);
  assert.deepEqual(state(dir).budget, { generations: 4, minutes: tinyConfig().minutes });
  const r = await train(undefined, { ...quiet, outDir: dir, resume: true });
  assert.equal(r.generations, 4, 'continued to the stored budget, not the config\'s 2');
  assert.deepEqual(r.notes, []);
  assert.deepEqual(csvRows(dir), [1, 2, 3, 4]);
  const ref = fresh();
  await train(tinyConfig({ generations: 2 }), { workers: 2, progress: null, outDir: ref, generations: 4 });
  assert.equal(fingerprint(dir), fingerprint(ref));
  // an explicit override on resume is allowed, said, and stored
  const more = await train(undefined, { ...quiet, outDir: dir, resume: true, generations: 6 });
  assert.equal(more.generations, 6);
  assert.deepEqual(more.notes, ['resume: generation budget 6 (--generations), the run\'s own was 4; stored for later resumes']);
  assert.equal(state(dir).budget.generations, 6);
});

test('a checkpoint from before run identities (payload version 1) resumes to the same trajectory; the shipped policy loads', async () => {
  const dir = fresh();
  await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir });
  const ck = readCheckpoint<Record<string, unknown>>(join(dir, 'checkpoint.json'), RUN_KIND).data;
  assert.equal(ck.runVersion, RUN_STATE_VERSION);
  delete ck.runVersion;
  delete ck.runId;
  delete ck.configHash;
  delete ck.budget;
  writeCheckpoint(join(dir, 'checkpoint.json'), RUN_KIND, ck);
  rmSync(join(dir, 'run.json'));
  await train(undefined, { ...quiet, outDir: dir, resume: true, generations: 4 });
  const id = readRunFile(dir)!;
  assert.equal(id.runId, `legacy-${configHash(tinyConfig({ generations: 2 }))}`, 'the directory adopts the migrated identity');
  const ref = fresh();
  await train(tinyConfig({ generations: 4 }), { ...quiet, outDir: ref });
  assert.equal(fingerprint(dir), fingerprint(ref));

  // a payload version from the future is refused, naming the file
  const future = fresh();
  await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: future });
  const fk = readCheckpoint<Record<string, unknown>>(join(future, 'checkpoint.json'), RUN_KIND).data;
  writeCheckpoint(join(future, 'checkpoint.json'), RUN_KIND, { ...fk, runVersion: 99 });
  await assert.rejects(() => train(undefined, { ...quiet, outDir: future, resume: true }), (e: unknown) => e instanceof CheckpointError && e.problem === 'version' && e.message.includes(join(future, 'checkpoint.json')) && /payload version 99/.test(e.message));

  const policy = loadPolicy(PRETRAINED);
  assert.equal(policy.file.config.morphology, 'ant');
  const env = await LocomotionEnv.create({ morphology: policy.morphology });
  try {
    const controller = policyController(policy, env.obsSize, env.actSize);
    assert.equal(controller.actSize, env.actSize);
  } finally {
    env.free();
  }
});

test('errors of the centre evaluation name the generation evaluated, not the seed offset', async () => {
  const dir = fresh();
  await assert.rejects(
    () => train(tinyConfig({ generations: 4 }), { ...quiet, outDir: dir, faultInjection: { generation: 1_000_001, member: 1 } }),
    (e: unknown) => {
      assert.ok(e instanceof WorkerError);
      assert.match(e.message, /^the centre evaluation after generation 2 \(fresh-seed evaluation 2 of 2\) failed: /);
      assert.doesNotMatch(e.message, /genome 1 of generation 1000001/);
      return true;
    },
  );
});

test('learn-rule runs follow the same rules: a fresh start over a checkpoint is refused, another run\'s checkpoint too', async () => {
  const { parseLearnConfig, runLearnRule } = await import('../../training/bptt/learn.js');
  const cfg = parseLearnConfig({ task: 'cue-reward', taskConfig: { nCues: 3, cueBits: 6, trials: 6, evalFrom: 3 }, rule: 'hebbian-neuromod', batch: 4, evalBatch: 4, seed: 4, iterations: 2, evalEvery: 2, checkpointEvery: 2, controller: { network: { hidden: 8 } } });
  const a = fresh(), b = fresh();
  await runLearnRule(cfg, { outDir: a });
  await runLearnRule({ ...cfg, seed: 5 }, { outDir: b });
  assert.equal(readRunFile(a)!.kind, 'bptt-run');
  assert.equal(readCheckpoint<{ runId: string }>(join(a, 'checkpoint.json'), 'bptt-run').data.runId, readRunFile(a)!.runId);
  await assert.rejects(() => runLearnRule(cfg, { outDir: a }), /already holds a run \(checkpoint\.json\); continue it with spikeloco learn-rule --resume --out /);
  await assert.rejects(() => runLearnRule(cfg, { outDir: fresh(), resume: true }), /no such directory, so no run to resume; start one with spikeloco learn-rule --out /);
  copyFileSync(join(b, 'checkpoint.json'), join(a, 'checkpoint.json'));
  await assert.rejects(() => runLearnRule(cfg, { outDir: a, resume: true, iterations: 4 }), /belongs to run .*another run with another config/);
  assert.equal(readLogCsv(join(a, 'log.csv')).length, 2, 'a\'s log untouched');
});

test('a run records its physics build; resuming it on another build is refused (trajectories differ between builds)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-physics-'));
  await train(tinyConfig({ generations: 2 }), { ...quiet, outDir: dir });
  const ckpt = join(dir, 'checkpoint.json');
  const { header, data } = readCheckpoint<{ physicsBuild?: string }>(ckpt);
  assert.equal(data.physicsBuild, PHYSICS_BUILD);
  assert.equal(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).physicsBuild, PHYSICS_BUILD);
  writeCheckpoint(ckpt, header.kind, { ...data, physicsBuild: '@dimforge/rapier3d-compat@0.21.0' });
  const before = readFileSync(ckpt);
  await assert.rejects(
    () => train(undefined, { ...quiet, outDir: dir, resume: true, generations: 3 }),
    (e: unknown) => e instanceof RunDirError && /trained on physics build @dimforge\/rapier3d-compat@0\.21\.0, but this install simulates with/.test(e.message),
  );
  assert.ok(readFileSync(ckpt).equals(before), 'the refused checkpoint is untouched');
});
