import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseTrainConfig } from '../../training/config.js';
import { train } from '../../training/train.js';
import { SUITES, unseenReason, loadSuite } from '../../training/suites.js';
import { parseCondition } from '../../sim/conditions.js';
import { meanCi, t95 } from '../../experiments/evaluation.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));
let dir = '';
let policy = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spikeloco-eval-'));
  const cfg = parseTrainConfig({
    name: 'tiny',
    episodeSeconds: 1,
    controller: { kind: 'plastic-snn', network: { hidden: 8 }, steps: 2, clock: { frequency: 2.5 } },
    optimizer: { kind: 'pgpe', popSize: 8 },
    generations: 2,
    checkpointEvery: 2,
    finalEpisodes: 2,
  });
  await train(cfg, { outDir: join(dir, 'run'), workers: 2, progress: null });
  policy = join(dir, 'run', 'best.json');
});

test('the train and unseen suites are disjoint, and the unseen one holds what the study needs', () => {
  for (const c of SUITES.train.conditions) assert.equal(unseenReason(c), null, `${c} is trainable`);
  for (const c of SUITES.unseen.conditions.filter((c) => c !== 'flat')) assert.notEqual(unseenReason(c), null, `${c} is held out`);
  const names = new Set(SUITES.unseen.conditions.flatMap((c) => parseCondition(c).terms.map((t) => t.name)));
  for (const n of ['rough', 'slope', 'steps', 'friction', 'push', 'payload', 'weak-motor', 'sensor-noise', 'damaged']) assert.ok(names.has(n), n);
  assert.equal(SUITES.unseen.conditions.filter((c) => c.startsWith('rough')).length, 2, 'two rough amplitudes');
  assert.ok(SUITES.unseen.conditions.some((c) => c.includes('deg=8')) && SUITES.unseen.conditions.some((c) => c.includes('deg=-8')), 'up and down slopes');
  assert.ok(SUITES.unseen.conditions.includes('damaged(leg=front-left, length=0.1)'));
});

test('95% confidence intervals use Student t', () => {
  assert.equal(t95(2), 12.706);
  assert.equal(t95(5), 2.776);
  const r = meanCi([1, 2, 3, 4, 5]);
  assert.equal(r.mean, 3);
  assert.ok(Math.abs(r.sd - Math.sqrt(2.5)) < 1e-12);
  assert.ok(Math.abs(r.ci95 - (2.776 * Math.sqrt(2.5)) / Math.sqrt(5)) < 1e-12);
});

test('eval on a tiny checkpoint writes a well-formed table, JSON, CSV and pictures, deterministically', async () => {
  const suite = join(dir, 'suite.json');
  writeFileSync(suite, JSON.stringify({ name: 'mini', conditions: ['flat', 'friction(mu=0.3)', 'damaged(leg=front-left, length=0.1)'] }));
  assert.equal(loadSuite(suite).conditions.length, 3);
  const args = ['eval', policy, '--suite', suite, '--episodes', '2', '--seconds', '1', '--workers', '2'];
  const a = await run(process.execPath, [BIN, ...args, '--out', join(dir, 'evalA')]);
  await run(process.execPath, [BIN, ...args, '--out', join(dir, 'evalB')]);
  assert.match(a.stdout, /suite mini: 2 episodes × 1 s per condition/);
  assert.match(a.stdout, /damaged\(leg=front-left, length=0\.1\)\s+-?\d+\.\d\d ± \d+\.\d\d\s+-?\d\.\d{3} ± \d\.\d{3}\s+\d+%\s+-?[\d.–]+/);
  for (const f of ['eval.json', 'eval.csv', 'retention.svg', 'distance.svg']) assert.ok(existsSync(join(dir, 'evalA', f)), f);
  const csv = readFileSync(join(dir, 'evalA', 'eval.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 4, 'header + 3 conditions');
  const report = JSON.parse(readFileSync(join(dir, 'evalA', 'eval.json'), 'utf8'));
  assert.equal(report.policies[0].conditions[0].retention, 1, 'flat retention is 1 by definition');
  assert.equal(readFileSync(join(dir, 'evalB', 'eval.csv'), 'utf8'), readFileSync(join(dir, 'evalA', 'eval.csv'), 'utf8'), 'same seed → same numbers');
  assert.match(readFileSync(join(dir, 'evalA', 'retention.svg'), 'utf8'), /^<svg[\s\S]*friction\(mu=0\.3\)[\s\S]*<\/svg>\s*$/);
});

test('adapt runs a CI-sized switch and writes its picture', async () => {
  const svg = join(dir, 'adapt.svg');
  const r = await run(process.execPath, [BIN, 'adapt', policy, '--condition', 'friction(mu=0.3)', '--switch-at', '0.5', '--seconds', '1.5', '--seeds', '2', '--svg', svg, '--json', join(dir, 'adapt.json')]);
  assert.match(r.stdout, /switch to friction\(mu=0.3\) at 0.5 s/);
  const j = JSON.parse(readFileSync(join(dir, 'adapt.json'), 'utf8'));
  assert.equal(j.traces[0].speed.length, 30);
  assert.ok(existsSync(svg));
});

test('rollout replays a trained checkpoint and prints a reproducible hash', async () => {
  const args = [BIN, 'rollout', '--controller', policy, '--seconds', '1', '--seed', '4'];
  const a = await run(process.execPath, args);
  const b = await run(process.execPath, args);
  const hash = /state hash\s+([0-9a-f]{16})/.exec(a.stdout);
  assert.ok(hash, a.stdout);
  assert.equal(/state hash\s+([0-9a-f]{16})/.exec(b.stdout)?.[1], hash[1]);
  assert.match(a.stdout, /controller\s+plastic-snn \(.*best\.json, generation 2\)/);
});
