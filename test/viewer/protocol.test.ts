import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { F, FLAG_DONE, HEBB_HEADER_WORDS, KIND_FRAME, frameLayout, hebbByteLength, packSpikes, spikeBit, orSpikes } from '../../viewer/protocol.js';
import { parseClientMessage, MessageError } from '../../viewer/server/messages.js';
import { encodeHebb, gaitPolicy } from '../../viewer/server/session.js';
import { readRecording, recordEpisode } from '../../viewer/server/recording.js';
import { UserError } from '../../core/errors.js';
import { LocomotionEnv } from '../../sim/env.js';
import { antSpec } from '../../morphologies/ant.js';

test('frame layout: header, 7 floats per body, one torque per joint, ⌈n/32⌉ spike words per layer', () => {
  const L = frameLayout(9, 8, [{ name: 'hidden', size: 33 }, { name: 'out', size: 8 }]);
  assert.equal(L.poses, 16);
  assert.equal(L.torques, 16 + 63);
  assert.deepEqual(L.spikes, [16 + 63 + 8, 16 + 63 + 8 + 2]);
  assert.equal(L.byteLength, 4 * (16 + 63 + 8 + 2 + 1));
});

test('spike bits: pack then read back every neuron; OR folds two steps', () => {
  const n = 70;
  const a = new Uint8Array(n).map((_, i) => (i % 3 === 0 ? 1 : 0));
  const b = new Uint8Array(n).map((_, i) => (i % 5 === 0 ? 1 : 0));
  const words = new Uint32Array(5).fill(0xffffffff);
  packSpikes(a, n, words, 1);
  for (let i = 0; i < n; i++) assert.equal(spikeBit(words, 1, i), a[i], `neuron ${i}`);
  assert.equal(words[0], 0xffffffff, 'words outside the layer untouched');
  orSpikes(b, n, words, 1);
  for (let i = 0; i < n; i++) assert.equal(spikeBit(words, 1, i), a[i] | b[i], `neuron ${i} after OR`);
});

test('Hebb quantisation: bytes map back to values within (hi − lo)/510', () => {
  const rows = 5, cols = 7;
  const v = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 0.3 - 0.05);
  const buf = new ArrayBuffer(hebbByteLength(rows, cols));
  const u32 = new Uint32Array(buf), f32 = new Float32Array(buf), bytes = new Uint8Array(buf);
  encodeHebb(v, rows, cols, 2, 7, u32, f32, bytes);
  assert.deepEqual([u32[0], u32[1], u32[2], u32[3], u32[4]], [2, 7, 2, rows, cols]);
  const lo = f32[5], hi = f32[6];
  for (let i = 0; i < v.length; i++) {
    const back = lo + ((hi - lo) * bytes[4 * HEBB_HEADER_WORDS + i]) / 255;
    assert.ok(Math.abs(back - v[i]) <= (hi - lo) / 510 + 1e-6, `cell ${i}: ${back} vs ${v[i]}`);
  }
});

test('inbound messages: valid ones pass; bad ones name the field and keep the request id', () => {
  assert.deepEqual(parseClientMessage('{"type":"push","velocity":[0,2,0],"id":3}'), { type: 'push', velocity: [0, 2, 0], id: 3 });
  assert.deepEqual(parseClientMessage('{"type":"episode-length","seconds":0}'), { type: 'episode-length', seconds: 0 });
  assert.deepEqual(parseClientMessage('{"type":"condition","condition":"rough(amplitude=0.1)"}'), { type: 'condition', condition: 'rough(amplitude=0.1)' });
  const cases: [string, RegExp][] = [
    ['{nope', /not JSON/],
    ['[1,2]', /message\.type: expected one of condition, push/],
    ['{"type":"explode"}', /expected one of/],
    ['{"type":"push","velocity":[0,1e6,0],"id":9}', /velocity\[1\].*\[-5, 5\]/],
    ['{"type":"push","velocity":[0,1]}', /velocity.*exactly 3/],
    ['{"type":"push","impulse":[0,1,0]}', /impulse.*no such field|velocity/],
    ['{"type":"episode-length","seconds":-1}', /seconds.*\[0, 3600\]/],
    ['{"type":"speed","speed":100}', /speed.*\[0\.25, 8\]/],
    ['{"type":"pause","paused":"yes"}', /paused.*true or false/],
    ['{"type":"step","extra":1}', /extra.*no such field/],
    ['{"type":"condition","condition":"<script>"}', /condition.*matching/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseClientMessage(text), (e: unknown) => e instanceof MessageError && re.test(e.message), text);
  }
  try {
    parseClientMessage('{"type":"push","velocity":[0,1e6,0],"id":9}');
  } catch (e) {
    assert.equal((e as MessageError).id, 9);
  }
});

test('recordEpisode writes the reset state and every step; readRecording reads them back', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const { controller } = gaitPolicy(env);
  const path = join(mkdtempSync(join(tmpdir(), 'spikeloco-rec-')), 'walk.slrec');
  const stats = recordEpisode(env, controller, 4, path, { maxSteps: 60, controllerName: 'gait' });
  const rec = readRecording(path);
  assert.equal(rec.frameCount, stats.steps + 1, 'frame 0 (reset) + one per step');
  assert.equal(rec.header.condition, 'flat');
  assert.equal(rec.header.controller, 'gait');
  assert.deepEqual(rec.header.jointNames, env.jointNames);
  const w = rec.header.frameBytes / 4;
  const u32 = new Uint32Array(rec.frames.buffer), f32 = new Float32Array(rec.frames.buffer);
  assert.equal(u32[F.kind], KIND_FRAME);
  assert.equal(u32[F.step], 0);
  assert.ok(Math.abs(f32[16 + 2] - 0.75) < 0.02, `frame 0 torso z ${f32[16 + 2]}`);
  const last = (rec.frameCount - 1) * w;
  assert.equal(u32[last + F.step], stats.steps);
  assert.ok(Math.abs(f32[last + F.distance] - stats.distance) < 1e-4, `distance ${f32[last + F.distance]} vs ${stats.distance}`);
  assert.ok(Math.abs(f32[last + F.ret] - stats.return) < 1e-3 * Math.max(1, Math.abs(stats.return)));
  assert.equal(u32[last + F.flags] & FLAG_DONE, stats.falls ? FLAG_DONE : 0);
  // torques are gear × clipped action: at most 150 N·m for the Ant
  for (let j = 0; j < 8; j++) assert.ok(Math.abs(f32[last + 16 + 63 + j]) <= 150 + 1e-3);
  writeFileSync(path + '.bad', 'hello world, not a recording');
  assert.throws(() => readRecording(path + '.bad'), /not a spikeloco recording/);
  env.free();
});

test('readRecording refuses damaged files with a UserError naming the file and the problem', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-badrec-'));
  const path = join(dir, 'good.slrec');
  recordEpisode(env, gaitPolicy(env).controller, 2, path, { maxSteps: 20, controllerName: 'gait' });
  env.free();
  const good = readFileSync(path);
  const h = good.readUInt32LE(8);
  const start = 12 + h;
  const header = JSON.parse(good.toString('utf8', 12, start)) as Record<string, unknown>;
  const frameBytes = header.frameBytes as number;
  /** the same file with another header (re-padded) and optionally other frame bytes */
  const withHeader = (hdr: Record<string, unknown>, body = good.subarray(start)) => {
    let json = JSON.stringify(hdr);
    json += ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
    const head = Buffer.alloc(12);
    head.write('SPKLREC1', 0, 'latin1');
    head.writeUInt32LE(Buffer.byteLength(json), 8);
    return Buffer.concat([head, Buffer.from(json), body]);
  };
  const nanFrame = Buffer.from(good);
  nanFrame.writeFloatLE(NaN, start + 3 * frameBytes + 4 * (16 + 2)); // frame 3, torso z
  const nanTime = Buffer.from(good);
  nanTime.writeFloatLE(Infinity, start + 5 * frameBytes + 4 * F.time);
  const notFrame = Buffer.from(good);
  notFrame.writeUInt32LE(7, start + 2 * frameBytes);
  const cases: [string, Buffer, RegExp][] = [
    ['truncated.slrec', good.subarray(0, good.length - 7), /is not a whole number of \d+-byte frames .*truncated/],
    ['header-cut.slrec', good.subarray(0, 40), /header of \d+ bytes runs past the end.*truncated/],
    ['no-frames.slrec', good.subarray(0, start), /no frames/],
    ['frame-size.slrec', withHeader({ ...header, frameBytes: frameBytes + 4 }), /header\.frameBytes is \d+ but 9 bodies, 8 joints .* make \d+-byte frames/],
    ['bodies.slrec', withHeader({ ...header, bodyNames: (header.bodyNames as string[]).slice(1) }), /header\.spec has 9 bodies, header\.bodyNames 8/],
    ['dt.slrec', withHeader({ ...header, controlDt: -1 }), /controlDt -1/],
    ['cond.slrec', withHeader({ ...header, condition: 'lava(t=1)' }), /header\.condition: .*unknown condition "lava"/],
    ['nan-pose.slrec', nanFrame, /frame 3 of 21 has a non-finite body torso pose \(NaN\)/],
    ['inf-time.slrec', nanTime, /frame 5 of 21 has a non-finite header value/],
    ['kind.slrec', notFrame, /frame 2 of 21 is not a FRAME \(kind 7\)/],
  ];
  for (const [name, bytes, re] of cases) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    assert.throws(
      () => readRecording(p),
      (e: unknown) => e instanceof UserError && e.message.startsWith(`recording ${p}: `) && re.test(e.message),
      `${name} should be refused matching ${re}`,
    );
  }
  assert.throws(() => readRecording(join(dir, 'missing.slrec')), (e: unknown) => e instanceof UserError && /no such file/.test(e.message));
  assert.equal(readRecording(path).frameCount, 21, 'the undamaged file still reads');
});
