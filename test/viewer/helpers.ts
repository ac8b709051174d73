/** Shared pieces of the viewer tests: a real server on an ephemeral port, raw ws clients, a real browser. */
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { antSpec } from '../../morphologies/ant.js';
import { createLiveSession, type LiveSessionOptions } from '../../viewer/server/session.js';
import { startViewerServer, type ViewerServer, type ViewerServerOptions } from '../../viewer/server/server.js';
import { F, KIND_FRAME, KIND_HEBB, KIND_TERRAIN, type HelloMessage, type ServerMessage } from '../../viewer/protocol.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function liveServer(session: Partial<LiveSessionOptions> = {}, server: Partial<ViewerServerOptions> = {}): Promise<ViewerServer> {
  const source = await createLiveSession({ morphology: antSpec(), ...session });
  return startViewerServer({ source, port: 0, ...server });
}

export function wsUrl(s: ViewerServer): string {
  return `ws://127.0.0.1:${s.port}/ws`;
}

/** A raw ws client that counts what it receives. */
export class TestClient {
  readonly ws: WebSocket;
  frames = 0;
  hebbs = 0;
  terrains = 0;
  json: ServerMessage[] = [];
  hello: HelloMessage | null = null;
  lastFrame: { u32: Uint32Array; f32: Float32Array } | null = null;
  closeCode = -1;
  readonly opened: Promise<void>;

  constructor(url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}) {
    this.ws = new WebSocket(url, opts);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('close', (code) => (this.closeCode = code));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        const msg = JSON.parse(data.toString()) as ServerMessage;
        this.json.push(msg);
        if (msg.type === 'hello') this.hello = msg;
        return;
      }
      const copy = new Uint8Array(data).slice().buffer;
      const kind = new Uint32Array(copy, 0, 1)[0];
      if (kind === KIND_FRAME) {
        this.frames++;
        this.lastFrame = { u32: new Uint32Array(copy), f32: new Float32Array(copy) };
      } else if (kind === KIND_HEBB) this.hebbs++;
      else if (kind === KIND_TERRAIN) this.terrains++;
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Send a request with an id and wait for its ack or error. */
  async request(msg: Record<string, unknown>, id: number, timeoutMs = 30_000): Promise<ServerMessage> {
    this.send({ ...msg, id });
    return waitFor(() => this.json.find((m) => (m.type === 'ack' || m.type === 'error') && m.id === id), timeoutMs, `reply to ${JSON.stringify(msg)}`);
  }

  get vx(): number {
    return this.lastFrame ? this.lastFrame.f32[F.vx] : NaN;
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Debian's Chromium, never a downloaded browser; a clear failure when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the viewer's browser tests need Debian's Chromium (apt-get install chromium); they do not download a browser`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
