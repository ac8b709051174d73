/**
 * Every user error a person can make with the CLI ends in one line,
 * `spikeloco CMD: what is wrong and what to do`, exit code 2, and no stack trace. One table;
 * each row spawns the real built CLI (`node bin/spikeloco.js …`) on real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpoint, writeCheckpoint } from '../../training/checkpoint.js';
import { POLICY_KIND, type PolicyFile } from '../../training/policy.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/spikeloco.js');
const POLICY = join(ROOT, 'viewer/pretrained/ant-plastic/best.json');
const CONFIG = join(ROOT, 'configs/ant-plastic.json');

function spawnCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'spikeloco-errors-'));
const f = (name: string) => join(dir, name);
const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as Record<string, unknown>;
const writeConfig = (name: string, patch: Record<string, unknown>) => writeFileSync(f(name), JSON.stringify({ ...config, ...patch }));

// fixtures: broken configs, broken checkpoints, run directories in various states
writeFileSync(f('not-json.json'), '{ "name": "x", ');
writeConfig('bad-condition.json', { conditions: ['flat', 'lava(temp=3)'] });
writeConfig('odd-pop.json', { optimizer: { kind: 'pgpe', popSize: 7 } });
writeConfig('zero.json', { controller: { kind: 'zero' } });
writeConfig('random.json', { controller: { kind: 'random' } });
const policy = readFileSync(POLICY);
writeFileSync(f('garbage.json'), 'this is not a checkpoint\n');
writeFileSync(f('empty.json'), '');
writeFileSync(f('truncated.json'), policy.subarray(0, Math.floor(policy.length / 2)));
const flipped = Buffer.from(policy);
flipped[flipped.length - 100] ^= 0x01; // one payload bit: the SHA-256 no longer matches
writeFileSync(f('corrupt.json'), flipped);
mkdirSync(f('empty-run'));
mkdirSync(f('held-run'));
copyFileSync(POLICY, f('held-run/checkpoint.json')); // an --out that already holds a run
mkdirSync(f('policy-as-run'));
copyFileSync(POLICY, f('policy-as-run/checkpoint.json')); // a policy where a run checkpoint belongs
mkdirSync(f('learn-empty'));
// the shipped Ant policy relabelled as trained on the hexapod (watch --compare must refuse the pair)
const antPolicy = readCheckpoint<PolicyFile>(POLICY).data;
mkdirSync(f('hexapod-run'));
writeCheckpoint(f('hexapod-run/best.json'), POLICY_KIND, { ...antPolicy, config: { ...antPolicy.config, morphology: 'hexapod' } });

/** [command line, what the one line must say] */
const CASES: [string[], RegExp][] = [
  // configs
  [['train', '--config', f('missing.json'), '--out', f('o1')], /missing\.json/],
  [['train', '--config', f('not-json.json'), '--out', f('o1')], /not-json\.json: not valid JSON/],
  [['train', '--config', f('bad-condition.json'), '--out', f('o1')], /bad-condition\.json: conditions\[1\]: .*unknown condition "lava"/],
  [['train', '--config', f('odd-pop.json'), '--out', f('o1')], /popSize: expected an even number/],
  [['train', '--config', f('zero.json'), '--out', f('o1'), '--generations', '1'], /controller "zero" has no parameters to train/],
  [['train', '--config', f('random.json'), '--out', f('o1'), '--generations', '1'], /controller "random" has no parameters to train/],
  // checkpoints (every kind of CheckpointError)
  [['eval', f('garbage.json')], /garbage\.json: not a spikeloco-checkpoint file/],
  [['eval', f('empty.json')], /empty\.json: truncated: the file is empty/],
  [['eval', f('truncated.json')], /truncated\.json: truncated/],
  [['eval', f('corrupt.json')], /corrupt\.json: corrupt: payload SHA-256/],
  [['eval', f('no-such-policy.json')], /no-such-policy\.json/],
  [['train', '--resume', f('policy-as-run')], /checkpoint\.json.*"policy"/],
  // run directories
  [['train', '--resume', f('empty-run')], /--resume .*empty-run: no checkpoint\.json there/],
  [['train', '--config', CONFIG, '--out', f('held-run'), '--generations', '1'], /held-run already holds a run/],
  [['learn-rule', '--resume', '--out', f('learn-empty')], /--resume .*learn-empty: no checkpoint\.json there/],
  // files a person cannot write
  [['rollout', '--seconds', '0.5', '--json', '/dev/full'], /cannot write \/dev\/full \(ENOSPC/],
  [['train', '--config', CONFIG, '--out', '/sys/spikeloco-test-run', '--generations', '1'], /\/sys\/spikeloco-test-run: .*\((EACCES|EPERM|EROFS)/],
  [['rollout', '--seconds', '0.5', '--json', '/sys/spikeloco-test.json'], /cannot write \/sys\/spikeloco-test\.json\b.*\((EACCES|EPERM|EROFS)/],
  // controllers and robots
  [['rollout', '--controller', f('no-such-controller.json')], /--controller: ".*no-such-controller\.json" is neither a built-in/],
  [['rollout', '--controller', POLICY, '--morphology', 'hexapod', '--seconds', '0.5'], /trained on "ant": use that robot \(--morphology ant\)/],
  [['eval', POLICY, '--suite', 'nosuch'], /unknown suite "nosuch"; known: /],
  [['watch', '--replay', f('missing.rec'), '--port', '0'], /missing\.rec: no such file/],
  // watch --compare A B
  [['watch', '--compare', POLICY, f('hexapod-run/best.json'), '--port', '0'], /^spikeloco watch: --compare: .*ant-plastic\/best\.json is a policy for robot "ant", .*hexapod-run\/best\.json for robot "hexapod"; compare two policies of the same robot$/],
  [['watch', '--compare', POLICY, 'gait', '--replay', f('missing.rec'), '--port', '0'], /--compare runs two policies live; it cannot replay a recording \(--replay FILE\)/],
  [['watch', '--compare', 'gait', '--port', '0'], /--compare needs two policies \(files or built-in names\), got 1: gait/],
  [['watch', '--compare', 'gait', f('no-such-policy.json'), '--port', '0'], /--compare: ".*no-such-policy\.json" is neither a policy file .* nor a built-in controller \(zero, random, gait/],
  [['watch', POLICY, 'gait', '--port', '0'], /at most one CHECKPOINT, got .* gait \(to watch two side by side: watch --compare A B\)/],
  // options out of range (declared in the OptionSpec, refused by parseArgs)
  [['train', '--config', CONFIG, '--out', f('o2'), '--generations', '-5'], /--generations must be in 1\.\.1e6, got -5/],
  [['train', '--config', CONFIG, '--out', f('o2'), '--generations', '0'], /--generations must be in 1\.\.1e6, got 0/],
  [['train', '--config', CONFIG, '--out', f('o2'), '--generations', '1e12'], /--generations must be in 1\.\.1e6, got 1e12/],
  [['train', '--config', CONFIG, '--out', f('o2'), '--minutes', '-1'], /--minutes must be in 0\.\.1e5, got -1/],
  [['train', '--config', CONFIG, '--out', f('o2'), '--workers', '1000'], /--workers must be in 1\.\.64, got 1000/],
  [['train', '--config', CONFIG, '--out', f('o2'), '--seed', String(2 ** 32)], /--seed must be in 0\.\.2\^31/],
  [['eval', POLICY, '--workers', '0'], /--workers must be in 1\.\.64, got 0/],
  [['eval', POLICY, '--seconds', '-1'], /--seconds must be in 0\.05\.\.3600, got -1/],
  [['eval', POLICY, '--episodes', '0'], /--episodes must be in 1\.\.1000/],
  [['watch', '--port', '-1'], /--port must be in 0\.\.65535, got -1/],
  [['watch', '--port', '70000'], /--port must be in 0\.\.65535, got 70000/],
  [['watch', '--max-fps', '0'], /--max-fps must be in 1\.\.240, got 0/],
  [['rollout', '--seed', String(2 ** 32)], /--seed must be in 0\.\.2\^32-1, got 4294967296/],
  [['rollout', '--seed', '-1'], /--seed must be in 0\.\.2\^32-1, got -1/],
  [['rollout', '--seconds', '-1'], /--seconds must be in 0\.05\.\.3600/],
  [['main', '--workers', '0'], /--workers must be in 1\.\.64/],
  [['learn-rule', '--out', f('l2'), '--seed', String(2 ** 32)], /--seed must be in 0\.\.2\^32-1/],
  // parser messages: no doubled prefix
  [['rollout', '--sconds', '3'], /^spikeloco rollout: unknown option --sconds; known: .*--seconds/],
  [['rollout', '--seed', 'abc'], /--seed expects an integer in 0\.\.2\^32-1, got "abc"/],
];

test('every user error prints one line `spikeloco CMD: …`, exits 2, and shows no stack trace', { timeout: 900_000 }, async (t) => {
  try {
    for (const [args, want] of CASES) {
      await t.test(args.map((a) => a.replace(dir, '$TMP')).join(' '), async () => {
        const r = await spawnCli(args);
        const lines = r.stderr.split('\n').filter((l) => l.length > 0);
        assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.doesNotMatch(r.stderr, /this is a bug/);
        assert.ok(lines.length >= 1, 'something on stderr');
        assert.match(lines[0], new RegExp(`^spikeloco ${args[0]}: \\S`), 'prefixed once with the command');
        assert.doesNotMatch(lines[0], new RegExp(`^spikeloco ${args[0]}: ${args[0]}:`), 'no doubled prefix');
        // the message is one line; only a reference list of known values may follow it, indented
        assert.deepEqual(lines.slice(1).filter((l) => !l.startsWith('  ')), [], `one line (stderr: ${r.stderr})`);
        assert.match(lines[0], want);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('userErrorMessage: a programming error is not a user error (main prints its trace); port and file errors are, naming the port or path', async () => {
  const { userErrorMessage } = await import('../../cli/main.js');
  assert.equal(userErrorMessage(new TypeError('x is undefined')), null);
  assert.equal(userErrorMessage(Object.assign(new Error('boom'), { code: 'ERR_SOMETHING' })), null);
  assert.match(userErrorMessage(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', address: '127.0.0.1', port: 8080 })) ?? '', /port 8080 on 127\.0\.0\.1 is already in use.*--port/);
  assert.match(userErrorMessage(Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'open', path: '/x/y' })) ?? '', /^\/x\/y: permission denied/);
});
