/**
 * The run loop on the state-record strategies reproduces runs of the class-based optimisers
 * bit for bit, and version-1 run checkpoints (optimiser state with base64 hooks) resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainConfig } from '../../training/config.js';
import { train } from '../../training/train.js';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../../training/checkpoint.js';
import { RUN_KIND, policyFromFile } from '../../training/policy.js';
import { STATE_VERSION } from '../../training/es/index.js';
import { legacyRunFingerprints } from './es-v1-fixture.js';
import { tinyConfig as baseConfig } from './tiny-config.js';

const FIXTURE = fileURLToPath(new URL('../../../test/training/fixtures/es-run-v1-gen2.checkpoint.json', import.meta.url));
const PRETRAINED = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'spikeloco-es-compat-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmp = () => mkdtempSync(join(root, `${n++}-`));

/** The run the fixture fingerprints were taken from (see es-v1-fixture.ts). */
function tinyConfig(kind: string, over: Record<string, unknown> = {}): TrainConfig {
  return baseConfig({ optimizer: { kind, popSize: 8, sigma: 0.1, maxSpeed: 0.2 }, generations: 4, ...over });
}

type RunData = { generation: number; optimizer: Record<string, unknown>; best: { genome: Float32Array; fitness: number }; history: { best: number; mean: number; sd: number; envSteps: number }[] };

function fingerprint(dir: string): string {
  const { data } = readCheckpoint<RunData>(join(dir, 'checkpoint.json'), RUN_KIND);
  const text = JSON.stringify({ generation: data.generation, best: [Array.from(data.best.genome), data.best.fitness], history: data.history.map((h) => [h.best, h.mean, h.sd, h.envSteps]) });
  return createHash('sha256').update(text).digest('hex');
}

for (const kind of ['pgpe', 'openai-es', 'snes']) {
  test(`${kind}: a 4-generation Ant run equals the class-based optimiser's run bit for bit`, async () => {
    const dir = tmp();
    await train(tinyConfig(kind), { outDir: dir, workers: 2, progress: null });
    assert.equal(fingerprint(dir), legacyRunFingerprints[kind]);
    const { data } = readCheckpoint<RunData>(join(dir, 'checkpoint.json'), RUN_KIND);
    assert.equal(data.optimizer.kind, kind);
    assert.equal(data.optimizer.version, STATE_VERSION);
    assert.ok(data.optimizer.center instanceof Float64Array, 'the record is stored as it is, typed arrays included');
    assert.equal(data.optimizer.frozen, null);
  });
}

test('a version-1 run checkpoint migrates on resume and finishes like the uninterrupted class-based run', async () => {
  const dir = tmp();
  copyFileSync(FIXTURE, join(dir, 'checkpoint.json'));
  const old = readCheckpoint<RunData>(join(dir, 'checkpoint.json'), RUN_KIND).data;
  assert.equal(old.optimizer.version, 1, 'the fixture holds a version-1 optimiser state');
  assert.equal(typeof (old.optimizer.arrays as Record<string, unknown>).center, 'string');
  await train(undefined as never, { outDir: dir, workers: 1, resume: true, generations: 4, progress: null });
  assert.equal(fingerprint(dir), legacyRunFingerprints.pgpeResumed);
  const now = readCheckpoint<RunData & { frozen?: unknown }>(join(dir, 'checkpoint.json'), RUN_KIND).data;
  assert.equal(now.optimizer.version, STATE_VERSION, 'written back as a version-2 record');
  assert.equal('frozen' in now, false, 'the frozen entries live in the record now');
  // a run checkpoint of either version still reads as a policy
  assert.equal(policyFromFile(FIXTURE).genome.length, now.best.genome.length);
});

test('a checkpoint whose optimiser state is unusable is refused with a CheckpointError naming the field', async () => {
  const dir = tmp();
  await train(tinyConfig('pgpe', { generations: 2 }), { outDir: dir, workers: 1, progress: null });
  const path = join(dir, 'checkpoint.json');
  const { data } = readCheckpoint<RunData>(path, RUN_KIND);
  (data.optimizer.sigma as Float64Array) = new Float64Array(3);
  writeCheckpoint(path, RUN_KIND, data);
  await assert.rejects(
    () => train(undefined as never, { outDir: dir, workers: 1, resume: true, generations: 3, progress: null }),
    (e: unknown) => e instanceof CheckpointError && e.message.includes(path) && /optimizer\.sigma: expected a Float64Array of \d+, got a Float64Array of 3/.test(e.message),
  );
});

test('the shipped policy file (no optimiser state) still loads', () => {
  const p = policyFromFile(PRETRAINED);
  assert.ok(p.genome instanceof Float32Array && p.genome.length > 0);
  assert.equal((p as unknown as Record<string, unknown>).optimizer, undefined);
});
