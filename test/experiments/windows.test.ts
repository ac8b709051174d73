import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadPolicy, policyController } from '../../training/policy.js';
import { LocomotionEnv } from '../../sim/env.js';
import { innerSnn, windowStats, type WindowOptions } from '../../experiments/windows.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));
// the shipped plastic gait: a real trained policy with output plasticity
const PLASTIC = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));

const opts = (o: Partial<WindowOptions> = {}): WindowOptions => ({ seconds: 4, window: 2, episodes: 2, seed: 7, condition: 'flat', freezeHebbAt: null, stallSpeed: 0.1, ...o });

test('freezing plasticity holds Hebb exactly while the traces run on; reset unfreezes', async () => {
  const policy = loadPolicy(PLASTIC);
  const env = await LocomotionEnv.create({ morphology: policy.morphology });
  const c = policyController(policy, env.obsSize, env.actSize);
  const snn = innerSnn(c)!;
  assert.ok(snn, 'the SNN is found inside the normaliser and clock wrappers');
  c.reset(1);
  let obs = env.reset(1);
  const step = () => (obs = env.step(c.act(obs, 0)).obs);
  for (let i = 0; i < 20; i++) step();
  const out = snn.plasticState('output')!;
  assert.ok(out.hebb.some((v) => v !== 0), 'Hebb moved before the freeze');
  snn.plasticityFrozen = true;
  const hebb = out.hebb.slice();
  const pre = out.pre.slice();
  for (let i = 0; i < 20; i++) step();
  assert.deepEqual(out.hebb, hebb, 'Hebb unchanged while frozen');
  assert.notDeepEqual(out.pre, pre, 'the traces still run');
  c.reset(2);
  assert.equal(snn.plasticityFrozen, false);
  env.free();
});

test('windows: complete windows per episode, consistent means, deterministic; freezing changes the trajectory', async () => {
  const policy = loadPolicy(PLASTIC);
  const a = await windowStats('plastic', policy, opts());
  assert.equal(a.episodes.length, 2);
  for (const e of a.episodes) {
    if (e.endReason === 'time') assert.equal(e.windows.length, 2);
    for (const w of e.windows) {
      assert.ok(Number.isFinite(w.speed) && w.planarSpeed >= Math.abs(w.speed) - 1e-6 && w.actionChange >= 0 && w.actionSaturation >= 0 && w.actionSaturation <= 1);
      assert.ok(w.heading >= 0 && w.heading <= 180, `heading ${w.heading}° is an angle from +x either way`);
      assert.ok(Math.abs(w.planarSpeed * Math.cos((w.heading * Math.PI) / 180) - w.speed) < 1e-3, `forward speed ${w.speed} = planar ${w.planarSpeed} · cos(${w.heading}°)`);
      assert.ok(w.hiddenSpikes !== null && w.hiddenSpikes >= 0, 'a spiking network reports hidden spikes');
      assert.ok(w.hebbAtClip !== null && w.hebbAtClip >= 0 && w.hebbAtClip <= 1, 'a plastic network reports Hebb at the clip');
    }
  }
  const first = a.episodes.filter((e) => e.windows.length > 0).map((e) => e.windows[0].speed);
  assert.ok(Math.abs(a.mean[0].speed - first.reduce((s, v) => s + v, 0) / first.length) < 1e-12, 'the mean is the mean of the episodes');
  assert.ok(a.mean[0].speed > 0.3, `the shipped gait walks in its first 2 s (${a.mean[0].speed})`);
  const b = await windowStats('plastic', policy, opts());
  assert.deepEqual(b, a, 'the same options give the same report');
  const frozen = await windowStats('plastic', policy, opts({ freezeHebbAt: 1 }));
  assert.notDeepEqual(frozen.episodes[0].windows, a.episodes[0].windows, 'a frozen network walks another path');
  await assert.rejects(windowStats('plastic', policy, opts({ window: 5 })), /window \(5 s\) must be in/);
});

test('spikeloco windows: table, picture and JSON; --help; a window longer than the episode is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-windows-'));
  const svg = join(dir, 'speed.svg');
  const json = join(dir, 'windows.json');
  const { stdout } = await run(process.execPath, [BIN, 'windows', PLASTIC, '--seconds', '2', '--window', '1', '--episodes', '1', '--svg', svg, '--json', json]);
  assert.match(stdout, /window \(s\)\s+speed m\/s\s+planar m\/s\s+heading °\s+\|Δa\|/);
  assert.match(stdout, /stalled \(last window < 0\.1 m\/s, ran to the end\): [01] of 1/);
  assert.match(readFileSync(svg, 'utf8'), /^<svg[\s\S]*forward speed per 1-s window/);
  const data = JSON.parse(readFileSync(json, 'utf8')) as { reports: { episodes: unknown[] }[] };
  assert.equal(data.reports[0].episodes.length, 1);
  const help = await run(process.execPath, [BIN, 'windows', '--help']);
  assert.match(help.stdout, /--freeze-hebb-at S/);
  await assert.rejects(run(process.execPath, [BIN, 'windows', PLASTIC, '--seconds', '2', '--window', '3']), (e: { stderr: string }) => /--window \(3 s\) must not exceed --seconds \(2 s\)/.test(e.stderr));
});
