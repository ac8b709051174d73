/**
 * The viewer server over real sockets: a real LocomotionEnv stepped at real time, real ws
 * clients on loopback.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { Controller, ControllerIntrospection } from '../../controllers/controller.js';
import { antSpec } from '../../morphologies/ant.js';
import { LocomotionEnv } from '../../sim/env.js';
import { heightAt } from '../../sim/terrain.js';
import { END_REASONS, F, MAX_INBOUND_BYTES, hebbByteLength, type HelloMessage } from '../../viewer/protocol.js';
import { recordEpisode } from '../../viewer/server/recording.js';
import { ReplaySession } from '../../viewer/server/replay.js';
import { startViewerServer, type ViewerServer } from '../../viewer/server/server.js';
import { createLiveSession, gaitPolicy, type LiveSession } from '../../viewer/server/session.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { TestClient, liveServer, sleep, waitFor, wsUrl } from './helpers.js';

const servers: ViewerServer[] = [];
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
});
async function server(...args: Parameters<typeof liveServer>): Promise<ViewerServer> {
  const s = await liveServer(...args);
  servers.push(s);
  return s;
}
function client(url: string, opts?: ConstructorParameters<typeof WebSocket>[2]): TestClient {
  const c = new TestClient(url, opts);
  clients.push(c);
  return c;
}

test('a client gets hello, then frames whose poses and torques decode; two clients both receive', async () => {
  const s = await server({ speed: 2 });
  const a = client(wsUrl(s)), b = client(wsUrl(s));
  await Promise.all([a.opened, b.opened]);
  await waitFor(() => a.frames >= 20 && b.frames >= 20, 30_000, '20 frames on each client');
  const h = a.hello!;
  assert.equal(h.type, 'hello');
  assert.equal(h.bodyNames.length, 9);
  assert.deepEqual(h.jointNames.slice(0, 2), ['hip_1', 'ankle_1']);
  assert.equal(h.terrain.kind, 'flat');
  assert.equal(h.controller, 'gait (open-loop)');
  assert.equal(a.lastFrame!.u32.byteLength, h.frameBytes);
  const { u32, f32 } = a.lastFrame!;
  assert.equal(u32[F.epoch], h.epoch);
  const z = f32[16 + 2], qw = f32[16 + 6];
  assert.ok(z > 0.3 && z < 1, `torso z ${z}`);
  assert.ok(Math.abs(qw) <= 1);
  const torques = Array.from(f32.subarray(16 + 63, 16 + 71));
  assert.ok(torques.some((t) => Math.abs(t) > 1) && torques.every((t) => Math.abs(t) <= 150.001), `torques ${torques}`);
  assert.ok(f32[F.time] > 0);
  // status reports both viewers
  await waitFor(() => a.json.some((m) => m.type === 'status' && m.clients === 2), 30_000, 'status with 2 clients');
});

test('the pacer never runs ahead of real time × speed (behaviour, not a rate: a loaded machine may lag)', async () => {
  const s = await server({ speed: 4 });
  const c = client(wsUrl(s));
  await c.opened;
  await waitFor(() => s.stats().source.steps > 40, 30_000, 'steps');
  const st = s.stats().source;
  // the pacer may drop steps when the machine is busy, but it never simulates ahead of the clock
  assert.ok(st.simSeconds <= st.wallSeconds * 4 + 0.25, `sim ${st.simSeconds.toFixed(2)} s after ${st.wallSeconds.toFixed(2)} s wall at ×4`);
});

/** A controller standing still whose introspection shows one large plastic matrix (1 MiB a message). */
class WideHebbController implements Controller {
  readonly kind = 'wide-hebb';
  private readonly out: Float32Array;
  private readonly view: ControllerIntrospection;
  constructor(
    readonly obsSize: number,
    readonly actSize: number,
  ) {
    this.out = new Float32Array(actSize);
    const values = Float32Array.from({ length: 1024 * 1024 }, (_, i) => Math.sin(i * 0.001));
    this.view = { layers: [], hebb: [{ name: 'wide', rows: 1024, cols: 1024, values }], modulation: [] };
  }
  reset(): void {}
  act(): Float32Array {
    return this.out;
  }
  introspect(): ControllerIntrospection {
    return this.view;
  }
}

test('a stalled client is skipped at its high-water mark and never slows a fast one', async () => {
  const hwm = 256 * 1024;
  const s = await server({ speed: 2, hebbHz: 20, controller: (env) => ({ controller: new WideHebbController(env.obsSize, env.actSize) }) }, { highWaterMark: hwm, heartbeatMs: 0 });
  const fast = client(wsUrl(s));
  const slow = client(wsUrl(s));
  await Promise.all([fast.opened, slow.opened]);
  await waitFor(() => slow.frames > 0, 10_000, 'a first frame on the slow client');
  // stop reading: the kernel buffers fill (1 MiB per Hebb message), then ws queues, then the server skips
  (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const slowStats = () => s.stats().clients.find((c) => c.id === 2)!;
  await waitFor(() => slowStats().framesSkipped > 10, 30_000, 'the server to skip frames for the stalled client');
  // behaviour, not a rate: the fast client keeps receiving frames while the other is skipped
  const f0 = fast.frames, k0 = slowStats().framesSkipped;
  await waitFor(() => fast.frames > f0 + 20 && slowStats().framesSkipped > k0 + 20, 30_000, 'frames on the fast client while the stalled one is skipped');
  const st = slowStats();
  // a send goes out only below the mark, so the queue is at most the mark + the largest message (a 1 MiB Hebb matrix)
  const bound = hwm + hebbByteLength(1024, 1024) + 64 * 1024;
  assert.ok(st.maxBufferedAmount <= bound, `stalled client's queue peaked at ${st.maxBufferedAmount} B (bound ${bound})`);
  assert.ok(st.bufferedAmount <= bound, `stalled client's queue ${st.bufferedAmount} B (bound ${bound})`);
  // reading again, it catches up and gets fresh frames
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const seen = slow.frames;
  await waitFor(() => slow.frames > seen + 5, 30_000, 'the resumed client to receive frames again');
});

/** A raw TCP client that completes the websocket handshake and then never reads again. */
async function stalledSocket(port: number): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('connect', () =>
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
      sock.pause(); // from here on nothing is read: the kernel buffers fill, then the server's queue
      resolve();
    };
    sock.on('data', onData);
  });
  rawSockets.push(sock);
  return sock;
}
const rawSockets: Socket[] = [];
after(() => {
  for (const r of rawSockets) r.destroy();
});

test('hello and terrain respect back-pressure: a stalled client gets no backlog while terrain switches hundreds of times', async () => {
  const hwm = 256 * 1024;
  const s = await server({ speed: 1 }, { highWaterMark: hwm, heartbeatMs: 0, messageRate: 10_000 });
  await stalledSocket(s.port);
  const fast = client(wsUrl(s));
  await fast.opened;
  await waitFor(() => s.stats().clients.length === 2 && fast.frames > 0, 10_000, 'both clients connected');
  const stalled = () => s.stats().clients.find((c) => c.id === 1)!;
  let terrainBytes = 0, maxQueue = 0;
  const switches = 300;
  const framesAt: number[] = [];
  for (let k = 0; k < switches; k++) {
    const reply = await fast.request({ type: 'condition', condition: `rough(amplitude=${k % 2 ? 0.09 : 0.08})` }, 1000 + k, 30_000);
    assert.equal(reply.type, 'ack', JSON.stringify(reply));
    terrainBytes ||= s.source.terrain()!.byteLength;
    maxQueue = Math.max(maxQueue, stalled().bufferedAmount);
    if (k % 50 === 0) framesAt.push(fast.frames);
  }
  const st = stalled();
  assert.ok(terrainBytes > 300_000, `rough terrain message ${terrainBytes} B`);
  // without back-pressure the queue grows by one terrain message per switch (300 × ~400 kB)
  const bound = hwm + terrainBytes + 64 * 1024;
  assert.ok(Math.max(maxQueue, st.maxBufferedAmount) <= bound, `stalled client's queue peaked at ${Math.max(maxQueue, st.maxBufferedAmount)} B (bound ${bound}, ${switches} switches of ${terrainBytes} B)`);
  assert.ok(st.hellosCoalesced > switches / 2, `${st.hellosCoalesced} hellos coalesced`);
  // the stalled client is still connected (coalesced, not dropped: it is under the drop limit)
  assert.equal(s.stats().dropped.overflow, 0);
  // the fast client kept receiving frames all along (counts, not a rate)
  for (let i = 1; i < framesAt.length; i++) assert.ok(framesAt[i] > framesAt[i - 1], `fast client frames over the switches: ${framesAt.join(' → ')}`);
  const f = fast.frames;
  await waitFor(() => fast.frames > f + 10, 10_000, 'frames after the switches');
  assert.equal(fast.hello!.condition.startsWith('rough(amplitude=0.09'), true, fast.hello!.condition);
});

test('a client whose queue passes the drop limit is dropped; connections are capped with a clear reason; dead peers are dropped by the heartbeat', async () => {
  // drop limit below one terrain message: the stalled client is dropped at the first switch
  const s = await server({ speed: 1 }, { highWaterMark: 64 * 1024, maxBufferedBytes: 128 * 1024, heartbeatMs: 0, maxClients: 2 });
  await stalledSocket(s.port);
  const a = client(wsUrl(s));
  await a.opened;
  // the cap: a third connection is closed at once, saying why
  const third = client(wsUrl(s));
  const reason = await new Promise<string>((resolve) => third.ws.once('close', (_code, r) => resolve(r.toString())));
  assert.equal(third.closeCode, 1013);
  assert.match(reason, /viewer full: 2 pages connected \(limit 2\)/);
  for (let k = 0; k < 40 && s.stats().dropped.overflow === 0; k++) {
    await a.request({ type: 'condition', condition: `rough(amplitude=${k % 2 ? 0.09 : 0.08})` }, 2000 + k, 30_000);
  }
  assert.equal(s.stats().dropped.overflow, 1, 'the stalled client was dropped');
  assert.deepEqual(s.stats().clients.map((c) => c.id), [2]);
  const f = a.frames;
  await waitFor(() => a.frames > f + 5, 10_000, 'frames on the reading client');

  // heartbeat: a peer that stops answering pings is terminated; a reading one stays
  const h = await server({ speed: 1 }, { heartbeatMs: 150 });
  await stalledSocket(h.port);
  const live = client(wsUrl(h));
  await live.opened;
  await waitFor(() => h.stats().dropped.heartbeat === 1, 20_000, 'the silent peer to be dropped by the heartbeat');
  await sleep(600);
  assert.deepEqual(h.stats().clients.map((c) => c.id), [2], 'the answering client stays');
  assert.equal(live.closeCode, -1);
});

test('malformed, invalid and oversized messages are rejected; the server keeps serving', async () => {
  const s = await server({ speed: 2 });
  const c = client(wsUrl(s));
  const other = client(wsUrl(s));
  await Promise.all([c.opened, other.opened]);
  c.send('{not json');
  await waitFor(() => c.json.find((m) => m.type === 'error' && /not JSON/.test(m.message)), 30_000, 'error for malformed JSON');
  const bad = await c.request({ type: 'push', velocity: [0, 'x', 0] }, 11);
  assert.equal(bad.type, 'error');
  assert.match((bad as { message: string }).message, /velocity\[1\]/);
  const unknown = await c.request({ type: 'teleport' }, 12);
  assert.equal(unknown.type, 'error');
  c.ws.send(Buffer.from([1, 2, 3]));
  await waitFor(() => c.json.find((m) => m.type === 'error' && /binary/.test(m.message)), 30_000, 'error for a binary message');
  // still fine on the same connection
  const ok = await c.request({ type: 'speed', speed: 2 }, 13);
  assert.equal(ok.type, 'ack');
  // oversized: ws closes that connection with 1009 (message too big)
  c.send(JSON.stringify({ type: 'condition', condition: 'flat', pad: 'x'.repeat(MAX_INBOUND_BYTES) }));
  await waitFor(() => c.closeCode !== -1, 30_000, 'the oversized sender to be closed');
  assert.equal(c.closeCode, 1009);
  const before = other.frames;
  await waitFor(() => other.frames > before + 10, 30_000, 'frames on the other client after the rejection');
  const again = client(wsUrl(s));
  await again.opened;
  await waitFor(() => again.frames > 5, 30_000, 'frames on a new client');
});

test('origin and host checks: foreign Origin and foreign Host are refused; same origin and no Origin pass', async () => {
  const s = await server();
  const refused = (opts: ConstructorParameters<typeof WebSocket>[2]) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl(s), opts);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
  assert.equal(await refused({ origin: 'http://evil.example' }), 403);
  assert.equal(await refused({ origin: `http://127.0.0.1:${s.port + 1}` }), 403, 'another port is another origin');
  assert.equal(await refused({ headers: { host: `evil.example:${s.port}` }, origin: `http://evil.example:${s.port}` }), 403, 'DNS rebinding: foreign Host');
  assert.equal(await refused({ origin: `http://127.0.0.1:${s.port}` }), 101);
  assert.equal(await refused({ headers: { host: `localhost:${s.port}` }, origin: `http://localhost:${s.port}` }), 101);
  assert.equal(await refused({ origin: `http://localhost:${s.port}` }), 403, 'Host 127.0.0.1 with Origin localhost: another origin');
  assert.equal(await refused({}), 101, 'non-browser client without Origin');
  const page = await fetch(`http://127.0.0.1:${s.port}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /bundle\.js/);
  assert.equal((await fetch(`http://127.0.0.1:${s.port}/../package.json`)).status, 404);
  assert.ok(s.stats().refused >= 3);
});

test('condition switch in place: new hello and terrain to every client, robot carried over and lifted, controller not reset', async () => {
  const s = await server({ speed: 2 });
  const a = client(wsUrl(s)), b = client(wsUrl(s));
  await Promise.all([a.opened, b.opened]);
  await waitFor(() => a.frames > 30, 30_000, 'some walking');
  const session = s.source as LiveSession;
  const stepBefore = a.lastFrame!.u32[F.step];
  const epoch0 = a.hello!.epoch;
  const reply = await a.request({ type: 'condition', condition: 'steps(height=0.3, length=1)+friction(mu=0.6)' }, 21);
  assert.equal(reply.type, 'ack', JSON.stringify(reply));
  assert.match((reply as { detail: string }).detail, /^steps\(height=0\.3, length=1\)\+friction\(mu=0\.6\)$/);
  for (const c of [a, b]) {
    const h: HelloMessage = await waitFor(() => (c.hello!.epoch !== epoch0 ? c.hello! : null), 30_000, 'the new hello');
    assert.equal(h.terrain.kind, 'heightfield');
    await waitFor(() => c.terrains === 1, 30_000, 'the terrain message');
    await waitFor(() => c.lastFrame && c.lastFrame.u32[F.epoch] === h.epoch, 30_000, 'frames of the new epoch');
  }
  // the episode continued: steps did not restart
  assert.ok(a.lastFrame!.u32[F.step] >= stepBefore, `step ${a.lastFrame!.u32[F.step]} after ${stepBefore}`);
  assert.equal(session.currentEnv.condition.groundFriction, 0.6);
  // the robot is above the new ground under it
  const [x, y, z] = session.currentEnv.torsoPosition();
  const ground = heightAt(session.currentEnv.condition.terrain, x, y);
  assert.ok(z - ground > 0.2, `torso ${z.toFixed(3)} m over ground ${ground.toFixed(3)} m`);
  // a bad condition: error naming the problem, nothing changes
  const bad = await a.request({ type: 'condition', condition: 'lava(temp=3)' }, 22);
  assert.equal(bad.type, 'error');
  assert.match((bad as { message: string }).message, /unknown condition "lava"/);
  assert.equal(session.currentEnv.condition.groundFriction, 0.6);
});

test('a push changes the torso velocity in the stream', async () => {
  const s = await server({ speed: 1 });
  const c = client(wsUrl(s));
  await c.opened;
  await waitFor(() => c.frames > 20, 30_000, 'frames');
  const vy = () => c.lastFrame!.f32[F.vy];
  const base = vy();
  const r = await c.request({ type: 'push', velocity: [0, 2, 0] }, 31);
  assert.equal(r.type, 'ack');
  assert.match((r as { detail: string }).detail, /Δv \[0, 2, 0\] m\/s/);
  const peak = await waitFor(() => (vy() - base > 1 ? vy() : null), 10_000, 'the lateral velocity to jump');
  assert.ok(peak > base + 1);
});

test('pause, single step and speed', async () => {
  const s = await server({ speed: 1 });
  const c = client(wsUrl(s));
  await c.opened;
  await waitFor(() => c.frames > 5, 30_000, 'frames');
  assert.equal((await c.request({ type: 'step' }, 40)).type, 'error', 'step needs a pause');
  assert.equal((await c.request({ type: 'pause', paused: true }, 41)).type, 'ack');
  await sleep(100);
  const step = c.lastFrame!.u32[F.step];
  await sleep(300);
  assert.equal(c.lastFrame!.u32[F.step], step, 'no steps while paused');
  assert.equal((await c.request({ type: 'step' }, 42)).type, 'ack');
  await waitFor(() => c.lastFrame!.u32[F.step] === step + 1, 30_000, 'exactly one step');
  assert.equal((await c.request({ type: 'speed', speed: 8 }, 43)).type, 'ack');
  assert.equal((await c.request({ type: 'pause', paused: false }, 44)).type, 'ack');
  await waitFor(() => c.lastFrame!.f32[F.speed] === 8, 10_000, 'frames at ×8');
});

test('replay: a recorded episode streams in replay mode; physics perturbations are refused', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec(), condition: 'rough(amplitude=0.05)' });
  const path = join(mkdtempSync(join(tmpdir(), 'spikeloco-replay-')), 'ep.slrec');
  recordEpisode(env, gaitPolicy(env).controller, 1, path, { maxSteps: 40, controllerName: 'gait' });
  env.free();
  const s = await startViewerServer({ source: ReplaySession.fromFile(path, { speed: 4 }), port: 0 });
  servers.push(s);
  const c = client(wsUrl(s));
  await c.opened;
  await waitFor(() => c.frames > 20 && c.terrains === 1, 30_000, 'replayed frames and the terrain');
  assert.equal(c.hello!.mode, 'replay');
  assert.match(c.hello!.condition, /^rough\(amplitude=0\.05/);
  assert.equal((await c.request({ type: 'push', velocity: [0, 1, 0] }, 51)).type, 'error');
  assert.equal((await c.request({ type: 'episode-length', seconds: 5 }, 53)).type, 'error');
  assert.equal(c.json.find((m) => m.type === 'status')?.episodeSeconds, null);
  assert.equal((await c.request({ type: 'reset' }, 52)).type, 'ack');
});

test('damage a leg and weaken a motor in place: the hello carries the changed robot, the run goes on', async () => {
  const s = await server({ speed: 2 });
  const c = client(wsUrl(s));
  await c.opened;
  await waitFor(() => c.frames > 10, 30_000, 'frames');
  const h0 = c.hello!;
  const r = await c.request({ type: 'condition', condition: 'damaged(leg=front-left, length=0.1)+weak-motor(joint=hip_2, scale=0.25)' }, 61);
  assert.equal(r.type, 'ack', JSON.stringify(r));
  const h: HelloMessage = await waitFor(() => (c.hello!.epoch !== h0.epoch ? c.hello! : null), 30_000, 'the new hello');
  const ankle = (spec: HelloMessage['spec']) => spec.bodies.find((b) => b.name === 'ankle_1_link')!.geoms[0].fromto![1];
  const len = (v: number[]) => Math.hypot(v[0], v[1], v[2]);
  assert.ok(Math.abs(len(ankle(h0.spec)) - Math.hypot(0.4, 0.4)) < 1e-6);
  assert.ok(len(ankle(h.spec)) < 0.2, `damaged ankle link extent ${len(ankle(h.spec))}`);
  assert.equal(h.gears[h.jointNames.indexOf('hip_2')], 0.25 * h0.gears[h0.jointNames.indexOf('hip_2')]);
  const before = c.frames;
  await waitFor(() => c.frames > before + 10 && c.lastFrame!.u32[F.epoch] === h.epoch, 30_000, 'frames after the change');
});

test('a live episode ends at its length: every client gets an episode message with reason "time", the next starts at once', async () => {
  const s = await server({ speed: 4, episodeSeconds: 0.5 });
  const c = client(wsUrl(s));
  await c.opened;
  const status = await waitFor(() => c.json.find((m) => m.type === 'status'), 10_000, 'status');
  assert.equal(status.type === 'status' && status.episodeSeconds, 0.5);
  const ep = await waitFor(() => c.json.find((m) => m.type === 'episode'), 30_000, 'an episode message');
  assert.ok(ep.type === 'episode');
  assert.equal(ep.reason, 'time');
  assert.equal(ep.step, 10, '0.5 s at 20 Hz control');
  assert.ok(Math.abs(ep.time - 0.5) < 1e-6, `ended at ${ep.time} s`);
  assert.equal(ep.episodeSeconds, 0.5);
  assert.equal(ep.restartIn, 0);
  // the next episode started: frames with steps counted from 0 again
  await waitFor(() => c.json.filter((m) => m.type === 'episode').length >= 2, 30_000, 'a second episode end');
  // the page can change it; 0 = endless: no more ends by time
  const r = await c.request({ type: 'episode-length', seconds: 0 }, 71);
  assert.equal(r.type, 'ack');
  await waitFor(() => c.json.some((m) => m.type === 'status' && m.episodeSeconds === 0), 10_000, 'status with endless episodes');
  const n = c.json.filter((m) => m.type === 'episode').length;
  // an episode runs past 40 steps (2 s, four times the old limit): frames arrive after the
  // server stepped, so wait on what the client has seen rather than on the server's counter
  await waitFor(() => c.lastFrame!.u32[F.step] > 40, 30_000, 'a frame of an episode past step 40');
  assert.equal(c.json.filter((m) => m.type === 'episode').length, n, 'no episode end while endless (the gait does not fall on flat ground)');
  assert.equal((await c.request({ type: 'episode-length', seconds: -2 }, 72)).type, 'error');
});

test('an episode that ends otherwise says why: a robot kicked upward ends with "rose" (bounced off), in the message and the frames', async () => {
  const s = await server({ speed: 2 });
  const c = client(wsUrl(s));
  await c.opened;
  assert.equal((s.source as LiveSession).episodeSeconds, 10, 'default: the training default');
  await waitFor(() => c.frames > 5, 30_000, 'frames');
  assert.equal((await c.request({ type: 'push', velocity: [0, 0, 5] }, 81)).type, 'ack');
  const ep = await waitFor(() => c.json.find((m) => m.type === 'episode'), 30_000, 'an episode message');
  assert.ok(ep.type === 'episode');
  assert.equal(ep.reason, 'rose', 'torso above the healthy height: bounced off, not "fell"');
  assert.ok(ep.restartIn > 0, 'the robot is shown a moment before the next episode');
  await waitFor(() => c.lastFrame && END_REASONS[c.lastFrame.u32[F.endReason]] === 'rose', 30_000, 'frames carrying the reason');
});

test('a push is a velocity change: the same setting gives the same torso Δv on the Ant and the heavier hexapod', async () => {
  const dv = (await Promise.all(
    [antSpec(), hexapodSpec()].map(async (morphology) => {
      const session = await createLiveSession({ morphology });
      const env = session.currentEnv;
      const zero = new Float32Array(env.actSize);
      for (let k = 0; k < 20; k++) env.step(zero); // settle on the ground
      const torsoV = () => env.exportBodyState()[7];
      const snap = env.snapshot();
      env.step(zero);
      const still = torsoV();
      env.restore(snap);
      session.push([1, 0, 0]);
      const kicked = torsoV();
      env.step(zero);
      const pushed = torsoV();
      // the old push, an impulse of the same number (N·s) on the torso alone
      env.restore(snap);
      env.applyImpulse(1, 0, 0);
      env.step(zero);
      const impulse = torsoV();
      session.close();
      return { morphology: morphology.name, atOnce: kicked - (env.restore(snap), torsoV()), afterStep: pushed - still, impulse: impulse - still };
    }),
  ));
  const [ant, hex] = dv;
  for (const r of dv) {
    assert.ok(Math.abs(r.atOnce - 1) < 1e-5, `${r.morphology}: torso Δv at the push ${r.atOnce}`);
    // one control step later ground friction has taken part of it, about equally on both
    assert.ok(r.afterStep > 0.3 && r.afterStep <= 1, `${r.morphology}: torso Δv after one control step ${r.afterStep.toFixed(3)} m/s`);
  }
  assert.ok(Math.abs(ant.afterStep - hex.afterStep) < 0.1, `same push, torso Δv ant ${ant.afterStep.toFixed(3)} vs hexapod ${hex.afterStep.toFixed(3)} m/s`);
  // an impulse (the old N·s push) means different things on the two robots: the test can tell
  assert.ok(Math.abs(ant.impulse - hex.impulse) > 0.2 * Math.max(ant.impulse, hex.impulse), `impulse: ant ${ant.impulse.toFixed(3)} vs hexapod ${hex.impulse.toFixed(3)} m/s`);
});
