import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { welchDiff, type StudyReport } from '../../experiments/study.js';
import { policyFromFile } from '../../training/policy.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));

test('a CI-sized study trains both regimes, evaluates, writes tables and pictures, and resumes by reusing finished runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-study-'));
  const suite = join(dir, 'suite.json');
  writeFileSync(suite, JSON.stringify({ name: 'mini', conditions: ['flat', 'friction(mu=0.3)'] }));
  const out = join(dir, 'study');
  const args = [BIN, 'study', '--out', out, '--arms', 'static SNN', '--regimes', 'flat,randomised', '--generations', '1', '--seeds', '1', '--episodes', '2', '--seconds', '1', '--suite', suite, '--workers', '2', '--adapt', 'friction(mu=0.3)', '--adapt-seeds', '2', '--adapt-seconds', '2', '--adapt-switch-at', '1'];
  const first = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  for (const f of ['study.json', 'study.md', 'speed.svg', 'retention.svg', 'adapt-1-friction.svg']) assert.ok(existsSync(join(out, f)), f);
  const a = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as StudyReport;
  assert.deepEqual(a.runs.map((r) => `${r.arm}/${r.regime}/${r.seed}/${r.generations}`), ['static SNN/flat/0/1', 'static SNN/randomised/0/1']);
  assert.deepEqual(a.evaluation.policies.map((p) => p.policy), ['static SNN / flat #0', 'static SNN / randomised #0']);
  assert.deepEqual(a.evaluation.policies[0].conditions.map((c) => c.condition), ['flat', 'friction(mu=0.3)']);
  // the randomised regime trained on the train suite, the flat one on flat only
  const cfg = (regime: string) => policyFromFile(join(out, `static-SNN-${regime}-seed0`, 'best.json')).config.conditions;
  assert.deepEqual(cfg('flat'), ['flat']);
  assert.ok(cfg('randomised').length > 1 && cfg('randomised').includes('slope(deg=3)'));
  assert.match(first.stdout, /\| friction\(mu=0\.3\) \| -?\d+\.\d\d ± \d+\.\d\d \| -?\d+\.\d\d ± \d+\.\d\d \|/);
  assert.match(readFileSync(join(out, 'speed.svg'), 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
  assert.equal(a.adaptation.length, 1);
  assert.deepEqual(a.adaptation[0].traces.map((t) => t.policy), ['static SNN / flat #0', 'static SNN / randomised #0']);
  assert.equal(a.adaptation[0].traces[0].speed.length, 40, '2 s at 20 Hz');
  assert.match(first.stdout, /\*\*Adaptation: friction\(mu=0\.3\) switched on at 1 s\*\*[\s\S]*\| static SNN \/ flat \| -?\d+\.\d\d ± \d+\.\d\d \|/);

  const bestMtime = statSync(join(out, 'static-SNN-flat-seed0', 'best.json')).mtimeMs;
  const second = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  assert.match(second.stderr, /done before/);
  assert.equal(statSync(join(out, 'static-SNN-flat-seed0', 'best.json')).mtimeMs, bestMtime, 'finished runs are not retrained');
  const b = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as StudyReport;
  assert.deepEqual(b.evaluation, a.evaluation, 'same policies and seeds give the same evaluation');
  assert.deepEqual(b.adaptation, a.adaptation, 'and the same adaptation traces');
});

test('study refuses an unknown arm or regime, naming the known ones', async () => {
  await assert.rejects(run(process.execPath, [BIN, 'study', '--arms', 'lstm']), (e: { stderr: string }) => /unknown arm "lstm"; known: plastic hebbian-retro/.test(e.stderr));
  await assert.rejects(run(process.execPath, [BIN, 'study', '--regimes', 'moon']), (e: { stderr: string }) => /unknown regime "moon"; known: flat, randomised/.test(e.stderr));
});

test('study --rule-from adds an arm started from a learned rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-study-rule-'));
  await run(process.execPath, [BIN, 'learn-rule', '--task', 'cue-reward', '--rule', 'hebbian-retro', '--iterations', '2', '--hidden', '8', '--batch', '4', '--quiet', '--out', join(dir, 'rule')], { maxBuffer: 1 << 24 });
  const suite = join(dir, 'suite.json');
  writeFileSync(suite, JSON.stringify({ name: 'mini', conditions: ['flat'] }));
  const out = join(dir, 'study');
  const r = await run(process.execPath, [BIN, 'study', '--out', out, '--arms', 'static SNN', '--rule-from', join(dir, 'rule', 'rule.json'), '--regimes', 'flat', '--generations', '1', '--seeds', '1', '--episodes', '1', '--seconds', '1', '--suite', suite, '--adapt', 'none', '--workers', '2'], { maxBuffer: 1 << 24 });
  assert.match(r.stderr, /rule .*rule\.json: copied .*eta/);
  const rep = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as StudyReport;
  assert.deepEqual(rep.runs.map((x) => x.arm), ['static SNN', 'plastic hebbian-retro from learned rule']);
  const p = policyFromFile(join(out, 'plastic-hebbian-retro-from-learned-rule-flat-seed0', 'best.json'));
  assert.equal((p.config.controller as { plasticity: { rule: string } }).plasticity.rule, 'hebbian-retro');
});

test('welchDiff: difference of means with a Welch 95% interval, against a hand computation', () => {
  // means 2 and 4; variances 1 and 4; se² = 1/3 + 4/3; df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 2.94 → 2; t = 4.303
  const w = welchDiff([1, 2, 3], [2, 4, 6]);
  const h = 4.303 * Math.sqrt(5 / 3);
  assert.equal(w.diff, -2);
  assert.ok(Math.abs(w.lo - (-2 - h)) < 1e-9 && Math.abs(w.hi - (-2 + h)) < 1e-9, `${w.lo} ${w.hi}`);
  assert.ok(Number.isNaN(welchDiff([1], [2, 3]).lo), 'one seed: no interval');
  assert.deepEqual(welchDiff([1, 1], [0, 0]), { diff: 1, lo: 1, hi: 1 });
});
