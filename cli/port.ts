/**
 * Hold a TCP port before a long job that ends by serving on it (`spikeloco main` trains for
 * minutes, then serves the viewer): a busy port is reported at once, not after the training,
 * and nothing else can take the port meanwhile. `release()` frees it just before the real
 * server binds.
 */
import { createServer } from 'node:net';
import { UserError } from '../core/errors.js';

export interface PortHold {
  release(): Promise<void>;
}

export async function holdPort(host: string, port: number, how: string): Promise<PortHold> {
  // nothing is served while the port is held: a client that connects meanwhile (a browser
  // opened early) is disconnected at once, else its open connection would keep `close()` from
  // ever finishing and the real server from ever binding
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`port ${port} on ${host} is already in use (another spikeloco watch or main?); pick another with ${how} (0: any free port)`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new UserError(`cannot bind ${host}:${port}: the address is not on this machine; use --host 127.0.0.1 or one of this machine's addresses`));
      else if (err.code === 'EACCES') reject(new UserError(`port ${port} on ${host} needs privileges; pick a port ≥ 1024 with ${how}`));
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => resolve());
  });
  server.unref(); // holding the port must not keep a failed job's process alive
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
