import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));
const spikeloco = (...args: string[]) => exec(process.execPath, [BIN, ...args]);
const fails = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
  try {
    await spikeloco(...args);
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  throw new Error(`spikeloco ${args.join(' ')} should have failed`);
};

test('--help lists every command with one line each, and every command has its own --help', async () => {
  const { stdout } = await spikeloco('--help');
  const commands = ['main', 'rollout', 'train', 'eval', 'curves', 'adapt', 'windows', 'watch', 'learn-rule', 'export-mjcf'];
  for (const c of commands) assert.match(stdout, new RegExp(`^  ${c}\\s+\\S.*$`, 'm'), c);
  for (const c of commands) {
    const h = await spikeloco(c, '--help');
    assert.match(h.stdout, new RegExp(`^spikeloco ${c}: `), c);
    assert.match(h.stdout, /usage: spikeloco/);
  }
});

test('rollout of the open-loop gait prints distance, speed, falls and a hash', async () => {
  const { stdout } = await spikeloco('rollout', '--controller', 'gait', '--seconds', '3', '--seed', '1');
  const d = Number(/distance\s+(-?[\d.]+) m/.exec(stdout)?.[1]);
  assert.ok(d > 1, `walked ${d} m in 3 s`);
  assert.match(stdout, /falls\s+0/);
  assert.match(stdout, /state hash\s+[0-9a-f]{16}/);
});

test('bad input gets a clear error and a usage exit code', async () => {
  const bad = await fails('rollout', '--condition', 'lava(temp=3)');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown condition "lava"; known: flat, slope, rough, steps, friction/);
  const flag = await fails('rollout', '--sconds', '3');
  assert.match(flag.stderr, /unknown option --sconds; known: .*--seconds/);
  const morph = await fails('rollout', '--morphology', 'octopus');
  assert.match(morph.stderr, /octopus/);
  assert.match(morph.stderr, /ant/);
  const cmd = await fails('jump');
  assert.match(cmd.stderr, /unknown command "jump"/);
});

test('export-mjcf writes the Ant as MJCF with 8 motors at gear 150', async () => {
  const { stdout } = await spikeloco('export-mjcf', 'ant');
  assert.match(stdout, /^<\?xml|^<mujoco/);
  assert.equal((stdout.match(/<motor /g) ?? []).length, 8);
  assert.equal((stdout.match(/gear="150"/g) ?? []).length, 8);
  const dmg = await spikeloco('export-mjcf', 'ant', '--condition', 'damaged(leg=front-left, length=0.1)');
  assert.match(dmg.stdout, /fromto="0 0 0 0\.1 0\.1 0"/);
});

test('rollout --seconds longer than the env default simulates that long and divides by it (also with --record)', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-rollout-'));
  try {
    const json = join(dir, 'r.json');
    const { stdout } = await spikeloco('rollout', '--controller', 'zero', '--seconds', '12.5', '--seed', '2', '--json', json, '--record', join(dir, 'r.rec'));
    const r = JSON.parse(readFileSync(json, 'utf8')) as { seconds: number; requestedSeconds: number; steps: number; distance: number; meanForwardVelocity: number; endReason: string };
    assert.equal(r.endReason, 'time');
    assert.equal(r.steps, 250, '12.5 s at 20 Hz, not the env default of 200 steps');
    assert.equal(r.seconds, 12.5);
    assert.equal(r.requestedSeconds, 12.5);
    assert.ok(Math.abs(r.meanForwardVelocity - r.distance / 12.5) < 1e-12);
    assert.match(stdout, /steps\s+250 \(12\.50 s simulated\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an episode that ends early says so and reports the simulated time', async () => {
  const { stdout } = await spikeloco('rollout', '--controller', 'random', '--condition', 'gravity(scale=0.2)', '--seconds', '20');
  const m = /steps\s+(\d+) \(([\d.]+) s simulated of 20\.00 s: the episode ended early, the robot (.+)\)/.exec(stdout);
  assert.ok(m, stdout);
  assert.ok(Number(m[1]) < 400);
  assert.equal(Number(m[2]), Number(m[1]) * 0.05);
});

test('help shows each option\'s allowed range and default; learn-rule shows its config defaults', async () => {
  const train = (await spikeloco('train', '--help')).stdout;
  assert.match(train, /--workers N\s+.*\(1\.\.64, default: \d+\)/);
  assert.match(train, /--generations G\s+.*\(1\.\.1e6\)/);
  const rollout = (await spikeloco('rollout', '--help')).stdout;
  assert.match(rollout, /--seed N\s+episode seed \(0\.\.2\^32-1, default: 1\)/);
  const learn = (await spikeloco('learn-rule', '--help')).stdout;
  assert.match(learn, /--iterations N\s+.*default: 300\)/);
  assert.match(learn, /--hidden H\s+.*default: 32\)/);
  assert.match(learn, /--lr LR\s+.*default: 0\.01\)/);
});

test('the adapt table is aligned for long policy names', async () => {
  const { adaptTable } = await import('../../cli/adapt.js');
  const t = (policy: string) => ({ policy, controller: 'plastic-snn', before: 1, after: 0.5, end: 0.75, falls: 0 });
  const lines = adaptTable([t('a.json'), t('runs/a-very-long-run-directory-name-indeed/best.json')]).split('\n');
  const col = (l: string) => l.indexOf('0.500') >= 0 ? l.indexOf('0.500') : l.indexOf('after');
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, lines.join('\n'));
  assert.equal(col(lines[1]), col(lines[2]));
});

test('--workers above the core count is allowed with a warning (results do not depend on it)', async () => {
  const os = await import('node:os');
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const policy = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));
  const { stdout, stderr } = await spikeloco('eval', policy, '--suite', 'flat', '--episodes', '1', '--seconds', '0.5', '--workers', String(cores + 1));
  assert.match(stderr, new RegExp(`^spikeloco eval: warning: --workers ${cores + 1} is more than the ${cores} cores here`, 'm'));
  assert.match(stdout, /suite flat: 1 episodes × 0\.5 s per condition/);
});
