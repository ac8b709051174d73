/**
 * The viewer's server: `http` serves the page (index.html, style.css, the client bundle) and
 * a `ws` endpoint at /ws streams a `FrameSource` to every connected page.
 *
 * - Fan-out: one encoded buffer per frame, sent to all clients. Every message to a client
 *   respects back-pressure (`bufferedAmount`, bytes queued in ws and the socket):
 *   - frames and Hebb matrices above the high-water mark are skipped (counted in
 *     `framesSkipped`), so a slow page never stalls the others or the simulation;
 *   - hello + terrain above the mark are coalesced: the client is marked as owing the
 *     current hello, gets only the newest one once it drains (checked on every frame and on
 *     a timer), and no frames until then (it could not decode them);
 *   - JSON replies and status are small and always queued, but a client whose queue passes
 *     `maxBufferedBytes` is dropped (terminated) whatever was being sent.
 *   So a stalled client holds at most about mark + hello + terrain + one message.
 * - Connections: at most `maxClients`; one more is accepted and closed at once with code 1013
 *   and a reason saying the viewer is full. Every `heartbeatMs` the server pings each
 *   client; one that has not answered the previous ping (a dead peer, or one that stopped
 *   reading) is terminated.
 * - Inbound: text only, at most `maxPayload` bytes (larger: `ws` closes that connection with
 *   1009), at most `messageRate` a second, each parsed and schema-checked
 *   (messages.ts); a bad one gets an `error` reply and changes nothing.
 * - Mesh files: `GET /mesh/<id>` serves a visual mesh of the robot shown, by an id the source
 *   chose (`FrameSource.meshFiles`, mesh-assets.ts); any other id, and any path, is a 404: the
 *   page never names a file.
 * - Origins: bound to loopback, the `Host` header must name the loopback host and port (a
 *   DNS-rebinding guard) and a browser's `Origin` must be that same http origin; bound
 *   elsewhere (`--host 0.0.0.0`), the `Origin` must equal `http://` + `Host`. Requests without
 *   `Origin` (non-browser clients) are allowed. Refused upgrades get 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { MAX_INBOUND_BYTES, type ClientMessage, type ServerMessage } from '../protocol.js';
import { ensureClientBundle, publicDir as defaultPublicDir } from './bundle.js';
import { MESH_ROUTE } from './mesh-assets.js';
import { PerturbationError, type Applied, type FrameSink, type FrameSource, type FrameSourceStats } from './frame-source.js';
import { MessageError, parseClientMessage } from './messages.js';
import type { SendBuffer } from './send-buffers.js';

export interface ViewerServerOptions {
  source: FrameSource;
  /** interface to bind (default 127.0.0.1) */
  host?: string;
  /** TCP port (default 8080; 0 = any free port) */
  port?: number;
  /** per-client bytes queued above which frames are skipped for that client (default 256 KiB) */
  highWaterMark?: number;
  /** largest inbound message, bytes (default MAX_INBOUND_BYTES) */
  maxPayload?: number;
  /** inbound messages per second per client (burst: twice that) */
  messageRate?: number;
  /** folder with index.html, style.css, bundle.js (default viewer/public of the repository) */
  publicDir?: string;
  /** build the client bundle if missing or stale (default true) */
  buildBundle?: boolean;
  /** a client whose queued bytes pass this is dropped (default 16 MiB) */
  maxBufferedBytes?: number;
  /** connections served at once; more are closed with code 1013 (default 64) */
  maxClients?: number;
  /** ping interval; a client that missed the previous pong is terminated (default 15000 ms; 0: off) */
  heartbeatMs?: number;
  /** where to log connections and rejected requests (default: nowhere) */
  log?: (line: string) => void;
}

export interface ClientStats {
  id: number;
  remote: string;
  framesSent: number;
  framesSkipped: number;
  bufferedAmount: number;
  /** largest `bufferedAmount` seen right after a send to this client */
  maxBufferedAmount: number;
  /** hellos replaced by a newer one before this client drained */
  hellosCoalesced: number;
  messagesIn: number;
  errors: number;
}

export interface ViewerServerStats {
  clients: ClientStats[];
  source: FrameSourceStats;
  /** connections refused (origin/host check, or the connection cap) */
  refused: number;
  /** clients dropped: queue past `maxBufferedBytes`, or no pong to a heartbeat ping */
  dropped: { overflow: number; heartbeat: number };
}

export interface ViewerServer {
  url: string;
  host: string;
  port: number;
  source: FrameSource;
  stats(): ViewerServerStats;
  /** close every connection, the http server and the source */
  close(): Promise<void>;
}

interface Client {
  id: number;
  ws: WebSocket;
  remote: string;
  framesSent: number;
  framesSkipped: number;
  maxBuffered: number;
  /** the current hello (and terrain) is still to be sent once the queue drains */
  owesHello: boolean;
  hellosCoalesced: number;
  /** answered the last heartbeat ping */
  alive: boolean;
  messagesIn: number;
  errors: number;
  tokens: number;
  refill: number;
}

const STATIC: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
  '/bundle.js': ['bundle.js', 'text/javascript; charset=utf-8'],
  '/bundle.js.map': ['bundle.js.map', 'application/json'],
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const BINARY = { binary: true } as const;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** Start serving; resolves once listening. Prints nothing: the caller prints `url`. */
export async function startViewerServer(opts: ViewerServerOptions): Promise<ViewerServer> {
  const source = opts.source;
  const host = opts.host ?? '127.0.0.1';
  const hwm = opts.highWaterMark ?? 256 * 1024;
  const rate = opts.messageRate ?? 30;
  const log = opts.log ?? (() => undefined);
  const pub = opts.publicDir ?? defaultPublicDir();
  if (opts.buildBundle ?? true) {
    const b = await ensureClientBundle();
    if (b.built) log(`viewer: built ${b.path} in ${b.ms.toFixed(0)} ms`);
  }

  const clients = new Set<Client>();
  let nextId = 1;
  let refused = 0;
  let port = 0;
  const loopback = isLoopback(host);

  /** null if allowed, else the reason */
  const checkRequest = (req: IncomingMessage): string | null => {
    const h = req.headers.host;
    if (!h) return 'no Host header';
    if (loopback) {
      const ok = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `${host}:${port}`];
      if (!ok.includes(h.toLowerCase())) return `Host ${JSON.stringify(h)} is not this server (expected one of ${ok.join(', ')})`;
    }
    const origin = req.headers.origin;
    if (origin === undefined) return null;
    if (origin.toLowerCase() !== `http://${h.toLowerCase()}`) return `foreign Origin ${JSON.stringify(origin)} (this page is http://${h})`;
    return null;
  };

  const maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const maxClients = opts.maxClients ?? 64;
  const dropped = { overflow: 0, heartbeat: 0 };

  /** After every send: note the queue, drop the client past the limit. False if dropped. */
  const afterSend = (c: Client): boolean => {
    const q = c.ws.bufferedAmount;
    if (q > c.maxBuffered) c.maxBuffered = q;
    if (q <= maxBuffered) return true;
    dropped.overflow++;
    log(`viewer: client ${c.id} dropped: ${q} bytes queued (limit ${maxBuffered}); it stopped reading`);
    c.ws.terminate();
    clients.delete(c);
    return false;
  };
  const sendText = (c: Client, text: string): void => {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(text);
    afterSend(c);
  };
  const sendJson = (c: Client, msg: ServerMessage): void => sendText(c, JSON.stringify(msg));
  const broadcastJson = (msg: ServerMessage): void => {
    const text = JSON.stringify(msg);
    for (const c of clients) sendText(c, text);
  };
  const status = (): ServerMessage => ({ type: 'status', speed: source.speed, paused: source.paused, clients: clients.size, episodeSeconds: source.episodeSeconds });
  /** Send the current hello + terrain now if the client's queue allows, else owe it (coalesced). */
  const offerHello = (c: Client): void => {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > hwm) {
      if (c.owesHello) c.hellosCoalesced++;
      c.owesHello = true;
      return;
    }
    c.owesHello = false;
    c.ws.send(JSON.stringify(source.hello()));
    const t = source.terrain();
    if (t) c.ws.send(t, BINARY);
    afterSend(c);
  };
  const flushOwed = (): void => {
    for (const c of clients) if (c.owesHello && c.ws.bufferedAmount <= hwm) offerHello(c);
  };

  const sink: FrameSink = {
    binary(buf: SendBuffer, byteLength: number): void {
      const bytes = byteLength === buf.bytes.byteLength ? buf.bytes : buf.bytes.subarray(0, byteLength);
      for (const c of clients) {
        const ws = c.ws;
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (c.owesHello) offerHello(c);
        if (c.owesHello || ws.bufferedAmount > hwm) {
          c.framesSkipped++;
          continue;
        }
        buf.pending++;
        ws.send(bytes, BINARY, buf.release);
        c.framesSent++;
        afterSend(c);
      }
    },
    helloChanged(): void {
      for (const c of clients) offerHello(c);
    },
    statusChanged(): void {
      broadcastJson(status());
    },
    json(msg: ServerMessage): void {
      broadcastJson(msg);
    },
  };
  source.attach(sink);

  const handle = async (msg: ClientMessage): Promise<Partial<Applied> | undefined> => {
    switch (msg.type) {
      case 'condition':
        return source.setCondition(msg.condition);
      case 'push':
        return { detail: `Δv [${msg.velocity.join(', ')}] m/s`, steps: source.push(msg.velocity) };
      case 'episode-length':
        source.setEpisodeSeconds(msg.seconds);
        return { detail: msg.seconds > 0 ? `episodes of ${msg.seconds} s` : 'endless episodes' };
      case 'speed':
        source.setSpeed(msg.speed);
        return { detail: `×${source.speed}` };
      case 'pause':
        source.setPaused(msg.paused);
        return { detail: msg.paused ? 'paused' : 'running' };
      case 'step':
        source.stepOnce();
        return undefined;
      case 'reset':
        return { detail: await source.reset(msg.seed) };
    }
  };

  const onMessage = (c: Client, data: RawData, isBinary: boolean): void => {
    c.messagesIn++;
    const now = performance.now();
    c.tokens = Math.min(2 * rate, c.tokens + ((now - c.refill) / 1000) * rate);
    c.refill = now;
    const fail = (message: string, id?: number) => {
      c.errors++;
      sendJson(c, { type: 'error', id, message });
    };
    if (c.tokens < 1) return fail(`too many messages (at most ${rate} a second)`);
    c.tokens -= 1;
    if (isBinary) return fail('binary messages are not accepted; send JSON text');
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(data.toString());
    } catch (err) {
      return fail((err as Error).message, err instanceof MessageError ? err.id : undefined);
    }
    handle(msg).then(
      (r) => sendJson(c, { type: 'ack', id: msg.id, of: msg.type, detail: r?.detail, steps: r?.steps }),
      (err: unknown) => {
        if (!(err instanceof PerturbationError)) log(`viewer: ${msg.type} failed: ${(err as Error).stack ?? String(err)}`);
        fail((err as Error).message, msg.id);
      },
    );
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? MAX_INBOUND_BYTES, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (clients.size >= maxClients) {
      refused++;
      const reason = `viewer full: ${clients.size} pages connected (limit ${maxClients}); close one and reload`;
      log(`viewer: refused ${remote}: ${reason}`);
      ws.close(1013, reason); // 1013: try again later
      return;
    }
    const c: Client = {
      id: nextId++,
      ws,
      remote,
      framesSent: 0,
      framesSkipped: 0,
      maxBuffered: 0,
      owesHello: false,
      hellosCoalesced: 0,
      alive: true,
      messagesIn: 0,
      errors: 0,
      tokens: 2 * rate,
      refill: performance.now(),
    };
    clients.add(c);
    log(`viewer: client ${c.id} connected from ${c.remote} (${clients.size} connected)`);
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('pong', () => (c.alive = true));
    ws.on('error', (err) => log(`viewer: client ${c.id}: ${err.message}`));
    ws.on('close', () => {
      clients.delete(c);
      log(`viewer: client ${c.id} left (${clients.size} connected)`);
      broadcastJson(status());
    });
    offerHello(c);
    broadcastJson(status());
  });

  // owed hellos of a paused run (no frames to piggy-back on), and the heartbeat
  const drainTimer = setInterval(flushOwed, 200);
  drainTimer.unref();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const heartbeat =
    heartbeatMs > 0
      ? setInterval(() => {
          for (const c of clients) {
            if (!c.alive) {
              dropped.heartbeat++;
              log(`viewer: client ${c.id} dropped: no answer to a ping in ${heartbeatMs} ms`);
              c.ws.terminate();
              clients.delete(c);
              continue;
            }
            c.alive = false;
            if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
          }
        }, heartbeatMs)
      : null;
  heartbeat?.unref();

  const serveStatic = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reason = checkRequest(req);
    if (reason) {
      refused++;
      log(`viewer: refused ${req.method} ${req.url}: ${reason}`);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden: ${reason}\n`);
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const entry = STATIC[path];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path.startsWith(MESH_ROUTE)) {
      await serveMesh(path.slice(MESH_ROUTE.length), req, res);
      return;
    }
    if (!entry) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404, { 'content-type': 'text/plain' }).end(path === '/favicon.ico' ? undefined : 'not found\n');
      return;
    }
    try {
      const body = await readFile(join(pub, entry[0]));
      res.writeHead(200, {
        'content-type': entry[1],
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${entry[0]} (is the client bundle built? npm run build:viewer)\n`);
    }
  };

  /** a mesh of the current robot by its id (an exact match in the source's list, nothing else) */
  const serveMesh = async (id: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const asset = source.meshFiles?.().find((a) => a.id === id);
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await readFile(asset.path);
      res.writeHead(200, {
        'content-type': asset.format === 'obj' ? 'text/plain; charset=utf-8' : 'model/stl',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      log(`viewer: mesh ${id} (${asset.path}): ${(e as Error).message}`);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };

  const server: Server = createServer((req, res) => void serveStatic(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const reason = path !== '/ws' ? `no websocket endpoint at ${path}` : checkRequest(req);
    if (reason) {
      refused++;
      log(`viewer: refused websocket: ${reason}`);
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 8080);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  source.start();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    source,
    stats: () => ({
      clients: [...clients].map((c) => ({
        id: c.id,
        remote: c.remote,
        framesSent: c.framesSent,
        framesSkipped: c.framesSkipped,
        bufferedAmount: c.ws.bufferedAmount,
        maxBufferedAmount: c.maxBuffered,
        hellosCoalesced: c.hellosCoalesced,
        messagesIn: c.messagesIn,
        errors: c.errors,
      })),
      source: source.stats(),
      refused,
      dropped: { ...dropped },
    }),
    close: () =>
      (closing ??= (async () => {
        source.close();
        clearInterval(drainTimer);
        if (heartbeat) clearInterval(heartbeat);
        for (const c of clients) c.ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
