/**
 * `benchViewer()`: what streaming costs. Frame size for the Ant (gait, and a plastic SNN with
 * its spikes), encode cost per frame, and a load run: the live Ant at 60 frames/s (×3 real
 * time at 20 Hz control) with N ws clients on loopback, the clients in a worker thread so
 * they do not share the server's event loop. Reports the fraction of frames each client got
 * and whether the simulation kept real time. Then a stall run: a raw socket that completes the
 * handshake and never reads, while another client switches rough terrain (≈ 400 kB a terrain
 * message) as fast as the server acks: the fast client's frame rate, the stalled client's peak
 * queue (bounded by back-pressure) and RSS growth. Wired into `npm run bench` by bench/run.ts.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { antSpec } from '../../morphologies/ant.js';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import { LocomotionEnv } from '../../sim/env.js';
import { KIND_FRAME } from '../protocol.js';
import { FrameState } from './frame-state.js';
import { probeController } from './introspection.js';
import { startViewerServer } from './server.js';
import { createLiveSession, gaitPolicy } from './session.js';

export interface ViewerBench {
  /** bytes of one FRAME: Ant with the gait (no spikes) */
  frameBytesGait: number;
  /** bytes of one FRAME: Ant with the default plastic SNN (spike bits of its layers) */
  frameBytesSnn: number;
  /** encoding one frame into its buffer, µs (median of 5 × 20,000) */
  encodeMicros: number;
  /** server cost per sent frame in the load run: encode + fan-out to every client, µs */
  serverMicrosPerFrame: number;
  /** physics + controller per control step in the load run, µs */
  stepMicros: number;
  clients: number;
  seconds: number;
  targetFps: number;
  /** frames the session sent while the clients counted */
  framesSent: number;
  /** frames received / frames sent, mean and worst over clients */
  deliveredMean: number;
  deliveredMin: number;
  /** sim seconds / (wall seconds × speed) over the run */
  simOverWall: number;
  laggedSteps: number;
  /** true when no step was dropped and sim time kept within 2% of wall time × speed */
  realTime: boolean;
  /** stall run: terrain switches done by the fast client */
  stallSwitches: number;
  /** stall run: frames/s the switching client received while the other stalled */
  stallFastFps: number;
  /** stall run: the stalled client's largest queue, bytes (high-water mark 256 KiB + one terrain) */
  stallPeakQueueBytes: number;
  /** stall run: process RSS growth over the run, MB (env rebuilds included) */
  stallRssGrowthMB: number;
}

async function stallRun(seconds: number): Promise<Pick<ViewerBench, 'stallSwitches' | 'stallFastFps' | 'stallPeakQueueBytes' | 'stallRssGrowthMB'>> {
  const source = await createLiveSession({ morphology: antSpec(), controller: gaitPolicy, speed: 3, maxFps: 60 });
  const server = await startViewerServer({ source, port: 0, messageRate: 10_000, heartbeatMs: 0 });
  const sock = connect(server.port, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.once('connect', () =>
        sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      );
      sock.once('data', () => {
        sock.pause();
        resolve();
      });
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    let frames = 0;
    let waiting: (() => void) | null = null;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data.readUInt32LE(0) === KIND_FRAME) frames++;
      } else if (/^\{"type":"(ack|error)"/.test(data.toString('latin1', 0, 20))) waiting?.();
    });
    await new Promise((r) => ws.once('open', r));
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now(), f0 = frames;
    let switches = 0, peak = 0;
    while (performance.now() - t0 < seconds * 1000) {
      await new Promise<void>((r) => {
        waiting = r;
        ws.send(JSON.stringify({ type: 'condition', condition: `rough(amplitude=${switches % 2 ? 0.09 : 0.08})` }));
      });
      switches++;
      for (const c of server.stats().clients) peak = Math.max(peak, c.maxBufferedAmount);
    }
    const secs = (performance.now() - t0) / 1000;
    ws.terminate();
    return { stallSwitches: switches, stallFastFps: (frames - f0) / secs, stallPeakQueueBytes: peak, stallRssGrowthMB: (process.memoryUsage().rss - rss0) / 1048576 };
  } finally {
    sock.destroy();
    await server.close();
  }
}

interface WorkerIn {
  url: string;
  clients: number;
}

function clientWorker(): void {
  const { url, clients } = workerData as WorkerIn;
  const counts = new Array<number>(clients).fill(0);
  let open = 0;
  const sockets = counts.map((_, i) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      if (++open === clients) parentPort!.postMessage({ type: 'ready' });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary && data.readUInt32LE(0) === KIND_FRAME) counts[i]++;
    });
    return ws;
  });
  parentPort!.on('message', (msg: { type: string }) => {
    if (msg.type === 'start') counts.fill(0);
    else if (msg.type === 'stop') {
      parentPort!.postMessage({ type: 'counts', counts: [...counts] });
      for (const ws of sockets) ws.terminate();
    }
  });
}

function encodeMicros(env: LocomotionEnv): number {
  const fs = new FrameState(env, null);
  const u32 = new Uint32Array(fs.layout.words), f32 = new Float32Array(u32.buffer);
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < 20000; i++) {
      fs.afterStep(1, false);
      fs.write(u32, f32);
    }
    times.push(((performance.now() - t0) * 1000) / 20000);
  }
  return times.sort((a, b) => a - b)[2];
}

export async function benchViewer(opts: { clients?: number; seconds?: number } = {}): Promise<ViewerBench> {
  const nClients = opts.clients ?? 20;
  const seconds = opts.seconds ?? 5;
  const speed = 3; // 20 Hz control × 3 = 60 frames/s

  const env = await LocomotionEnv.create({ morphology: antSpec() });
  env.reset(0);
  const gaitBytes = new FrameState(env, null).layout.byteLength;
  const cfg = parseControllerConfig({ kind: 'plastic-snn' }, 'bench');
  const snn = createController(cfg, env.obsSize, env.actSize, initGenome(genomeLayoutFor(cfg, env.obsSize, env.actSize), 0));
  const snnBytes = new FrameState(env, probeController(snn)).layout.byteLength;
  const enc = encodeMicros(env);
  env.free();

  const source = await createLiveSession({ morphology: antSpec(), controller: gaitPolicy, speed, maxFps: 60 });
  const server = await startViewerServer({ source, port: 0 });
  const worker = new Worker(new URL(import.meta.url), { execArgv: [], workerData: { url: `ws://127.0.0.1:${server.port}/ws`, clients: nClients } satisfies WorkerIn });
  const next = (type: string) =>
    new Promise<{ type: string; counts?: number[] }>((resolve, reject) => {
      const on = (m: { type: string; counts?: number[] }) => {
        if (m.type === type) {
          worker.off('message', on);
          resolve(m);
        }
      };
      worker.on('message', on);
      worker.once('error', reject);
    });
  try {
    await next('ready');
    await new Promise((r) => setTimeout(r, 500)); // JIT warm-up
    const s0 = source.stats();
    worker.postMessage({ type: 'start' });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const s1 = source.stats();
    worker.postMessage({ type: 'stop' });
    const { counts } = await next('counts');
    const sent = s1.framesSent - s0.framesSent;
    const delivered = counts!.map((c) => Math.min(1, c / sent));
    const steps = s1.steps - s0.steps;
    const simOverWall = (steps * 0.05) / ((s1.wallSeconds - s0.wallSeconds) * speed);
    const lagged = s1.laggedSteps - s0.laggedSteps;
    await worker.terminate();
    const stall = await stallRun(seconds);
    return {
      ...stall,
      frameBytesGait: gaitBytes,
      frameBytesSnn: snnBytes,
      encodeMicros: enc,
      serverMicrosPerFrame: s1.frameMicros,
      stepMicros: s1.stepMicros,
      clients: nClients,
      seconds,
      targetFps: 60,
      framesSent: sent,
      deliveredMean: delivered.reduce((a, b) => a + b, 0) / delivered.length,
      deliveredMin: Math.min(...delivered),
      simOverWall,
      laggedSteps: lagged,
      realTime: lagged === 0 && Math.abs(simOverWall - 1) < 0.02,
    };
  } finally {
    await worker.terminate();
    await server.close();
  }
}

if (!isMainThread && (workerData as WorkerIn | undefined)?.url) clientWorker();
