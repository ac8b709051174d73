/**
 * Test harness: a real `redis-server` (Debian package redis-server) on a free loopback port,
 * without persistence (`--save '' --appendonly no`), and real `spikeloco worker` processes.
 * `stop()` / `start()` restart it on the same port (a Redis outage: everything in it is lost).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true on +PONG (or NOAUTH: it is up, it wants a password). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    setTimeout(() => done(false), 1000);
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  log = '';

  private constructor(
    readonly port: number,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = []): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), extra);
    await s.start();
    return s;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const p = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    p.stdout!.on('data', (d) => (this.log += d));
    p.stderr!.on('data', (d) => (this.log += d));
    const t0 = Date.now();
    while (!(await ping(this.port))) {
      if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}:\n${this.log}`);
      if (Date.now() - t0 > 15000) throw new Error(`redis-server on port ${this.port} does not answer PING:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kill it (SIGKILL: no shutdown save, nothing survives). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
}

/** A `spikeloco worker` child process; `ready` resolves at its "waiting for jobs" line. */
export class WorkerProcess {
  out = '';
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;

  constructor(url: string, extra: string[] = []) {
    this.proc = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--workers', '1', '--lock-seconds', '2', '--log-jobs', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    this.ready = new Promise((resolve, reject) => {
      const onData = () => {
        if (this.out.includes('waiting for jobs')) resolve();
      };
      this.proc.stderr!.on('data', (d) => {
        this.out += d;
        onData();
      });
      this.proc.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready:\n${this.out}`)));
      setTimeout(() => reject(new Error(`worker printed no "waiting for jobs" line in 60 s:\n${this.out}`)), 60_000).unref();
    });
    this.ready.catch(() => undefined);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}
