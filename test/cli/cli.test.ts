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
  const commands = ['main', 'rollout', 'train', 'eval', 'curves', 'adapt', 'watch', 'learn-rule', 'export-mjcf'];
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
