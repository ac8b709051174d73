/**
 * Compare mode's server side (viewer/server/compare.ts on live-run.ts): two worlds stepped in
 * lockstep with real Rapier, driven step by step (paused: no pacer, no clock), their COMPARE
 * messages read back through a FrameSink, and the episode rule for two worlds.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { antSpec } from '../../morphologies/ant.js';
import { LocomotionEnv } from '../../sim/env.js';
import { loadPolicy, resolvePolicy } from '../../training/policy.js';
import { C, COMPARE_HEADER_WORDS, F, KIND_COMPARE, KIND_FRAME, PROTOCOL_VERSION, compareLayout, type EpisodeMessage, type ServerMessage } from '../../viewer/protocol.js';
import { COMPARE_SPACING, createCompareSession, type CompareSession, type CompareWorldOptions } from '../../viewer/server/compare.js';
import { readRecording, recordEpisode } from '../../viewer/server/recording.js';
import { createLiveSession, gaitPolicy, type LiveSession } from '../../viewer/server/session.js';

const POLICY_PATH = fileURLToPath(new URL('../../../viewer/pretrained/ant-plastic/best.json', import.meta.url));
const POLICY = loadPolicy(POLICY_PATH);
const policy = (name: string, seed: number): CompareWorldOptions => ({ name, reward: POLICY.reward, controller: (env) => resolvePolicy(POLICY, env, seed) });
const gait = (name = 'gait'): CompareWorldOptions => ({ name, controller: gaitPolicy });

const sessions: { close(): void }[] = [];
after(() => sessions.forEach((s) => s.close()));

async function compareSession(worlds: [CompareWorldOptions, CompareWorldOptions], extra: Partial<Parameters<typeof createCompareSession>[0]> = {}): Promise<{ s: CompareSession; sink: { frames: Uint8Array[]; json: ServerMessage[] } }> {
  const s = await createCompareSession({ morphology: POLICY.morphology, seed: 3, worlds, ...extra });
  sessions.push(s);
  const frames: Uint8Array[] = [];
  const json: ServerMessage[] = [];
  s.attach({
    binary(buf, n) {
      frames.push(buf.bytes.slice(0, n));
    },
    helloChanged() {},
    statusChanged() {},
    json(m) {
      json.push(m);
    },
  });
  s.setPaused(true);
  return { s, sink: { frames, json } };
}

/** world i's FRAME inside a COMPARE message */
function worldFrame(msg: Uint8Array, frameBytes: readonly number[], i: number): Uint8Array {
  const at = compareLayout(frameBytes).offsets[i];
  return msg.subarray(4 * at, 4 * at + frameBytes[i]);
}
const u32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

test('compareLayout: an 8-word header, then each FRAME at its word offset', () => {
  assert.deepEqual(compareLayout([348, 400]), { offsets: [COMPARE_HEADER_WORDS, COMPARE_HEADER_WORDS + 87], words: COMPARE_HEADER_WORDS + 87 + 100, byteLength: 4 * (8 + 87 + 100) });
});

test('the same policy twice in lockstep: bitwise-identical worlds at every step, through a push and a condition switch, and the same as a single live session', async () => {
  const { s, sink } = await compareSession([policy('a', 3), policy('b', 3)], { condition: 'rough(amplitude=0.05)' });
  const single: LiveSession = await createLiveSession({ morphology: POLICY.morphology, condition: 'rough(amplitude=0.05)', seed: 3, reward: POLICY.reward, controller: (env) => resolvePolicy(POLICY, env, 3) });
  sessions.push(single);
  single.setPaused(true);
  const h = s.hello();
  assert.equal(h.protocol, PROTOCOL_VERSION);
  assert.deepEqual(h.compare!.map((w) => [w.name, w.offsetY]), [['a', COMPARE_SPACING / 2], ['b', -COMPARE_SPACING / 2]]);
  const bytes = h.compare!.map((w) => w.frameBytes);
  assert.equal(h.frameBytes, compareLayout(bytes).byteLength);
  const [e0, e1] = s.envs;
  assert.notEqual(e0, e1, 'two worlds, not one env seen twice');
  for (let k = 1; k <= 80; k++) {
    if (k === 20) {
      assert.deepEqual(s.push([1.5, -0.5, 0.5]), [19, 19], 'applied after step 19 in both worlds');
      single.push([1.5, -0.5, 0.5]);
    }
    if (k === 40) {
      const applied = await s.setCondition('slope(deg=6)+friction(mu=0.6)');
      assert.deepEqual(applied.steps, [39, 39]);
      await single.setCondition('slope(deg=6)+friction(mu=0.6)');
    }
    s.stepOnce();
    single.stepOnce();
    const [a, b] = s.envs;
    assert.equal(a.stateHash(), b.stateHash(), `step ${k}: the two worlds differ`);
    assert.equal(a.stateHash(), single.currentEnv.stateHash(), `step ${k}: compare world and single session differ`);
  }
  // the COMPARE messages: both worlds' FRAMEs byte for byte the same, the header's step theirs
  const last = sink.frames[sink.frames.length - 1];
  assert.equal(u32(last)[C.kind], KIND_COMPARE);
  assert.equal(last.byteLength, h.frameBytes);
  assert.equal(u32(last)[C.step], 80);
  const [w0, w1] = [worldFrame(last, bytes, 0), worldFrame(last, bytes, 1)];
  assert.equal(u32(w0)[F.kind], KIND_FRAME);
  assert.equal(u32(w0)[F.step], 80);
  assert.deepEqual(w0, w1);
  assert.ok(f32(w0)[F.distance] !== 0, 'the robot moved');
});

test('two different controllers in lockstep diverge (so the identity above is not trivial)', async () => {
  const { s } = await compareSession([policy('plastic', 3), gait()]);
  for (let k = 0; k < 10; k++) s.stepOnce();
  const [a, b] = s.envs;
  assert.notEqual(a.stateHash(), b.stateHash());
});

test('episode rule: a world that ended waits (its end told, restartIn −1) until the other ends at the episode length; then both restart together with the next seed', async () => {
  const { s, sink } = await compareSession([gait('lifted'), gait('walker')], { episodeSeconds: 2 });
  for (let k = 0; k < 5; k++) s.stepOnce();
  // lift world 0's robot 2 m: above the healthy height, its episode ends ("rose"); world 1 walks on
  const env0 = s.envs[0];
  const state = env0.exportBodyState();
  for (let o = 0; o < state.length; o += 13) state[o + 2] += 2;
  env0.importBodyState(state);
  s.stepOnce();
  const ends = () => sink.json.filter((m): m is EpisodeMessage => m.type === 'episode');
  assert.deepEqual(ends().map((m) => [m.world, m.reason, m.step, m.restartIn]), [[0, 'rose', 6, -1]]);
  for (let k = 6; k < 39; k++) s.stepOnce();
  assert.equal(ends().length, 1, 'world 1 still going');
  const before = sink.frames[sink.frames.length - 1];
  assert.equal(u32(worldFrame(before, s.hello().compare!.map((w) => w.frameBytes), 0))[F.endReason], 2 + 2, 'world 0 frames carry "rose" (END_REASONS[4])');
  s.stepOnce(); // step 40 = 2 s: world 1's time limit
  assert.deepEqual(ends().map((m) => [m.world, m.reason, m.step, m.restartIn, m.seed]), [[0, 'rose', 6, -1, 3], [1, 'time', 40, 0, 3]]);
  const next = sink.frames[sink.frames.length - 1];
  assert.equal(u32(next)[C.step], 0, 'both worlds began the next episode');
  s.stepOnce();
  const [a, b] = s.envs;
  assert.equal(a.stateHash(), b.stateHash(), 'the same seed and controller in both again: identical');
});

test('episode rule: when both fall (a push kicks both up), the pair holds 1.5 s after the last end, then restarts', async () => {
  const { s, sink } = await compareSession([gait('a'), gait('b')], { episodeSeconds: 0 });
  for (let k = 0; k < 5; k++) s.stepOnce();
  s.push([0, 0, 5]);
  let k = 5;
  const ends = () => sink.json.filter((m): m is EpisodeMessage => m.type === 'episode');
  for (; ends().length < 2 && k < 200; k++) s.stepOnce();
  const [e0, e1] = ends();
  assert.deepEqual([e0.world, e1.world, e0.reason, e1.reason, e0.step], [0, 1, 'rose', 'rose', e1.step]);
  assert.equal(e1.restartIn, 1.5);
  const steps = () => u32(sink.frames[sink.frames.length - 1])[C.step];
  for (; steps() !== 1 && k < 400; k++) s.stepOnce();
  assert.ok(Math.abs((k - 1 - e1.step) * s.hello().controlDt - 1.5) < 1e-6 + s.hello().controlDt, `restarted ${k - 1 - e1.step} steps after the last end`);
});

test('recordings of protocol 1 still replay (the FRAME layout is unchanged); a newer protocol is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-cmp-'));
  const path = join(dir, 'r.slrec');
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  recordEpisode(env, gaitPolicy(env).controller, 1, path, { maxSteps: 5, controllerName: 'gait' });
  env.free();
  const buf = readFileSync(path);
  const at = buf.toString('latin1').indexOf(`"protocol":${PROTOCOL_VERSION}`);
  assert.ok(at > 0);
  const patched = (v: number) => {
    const b = Buffer.from(buf);
    b.write(`"protocol":${v}`, at, 'latin1');
    const p = join(dir, `v${v}.slrec`);
    writeFileSync(p, b);
    return p;
  };
  assert.equal(readRecording(patched(1)).frameCount, 6);
  assert.throws(() => readRecording(patched(PROTOCOL_VERSION + 1)), /recorded with viewer protocol 3; this viewer replays recordings of protocol 1 to 2/);
});
