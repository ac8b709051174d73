/**
 * `spikeloco main` serves the viewer after minutes of training: a port that is already taken
 * must be reported before the training starts (exit 2, one line naming the port and --port),
 * not with a stack trace at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/spikeloco.js', import.meta.url));

test('main with a busy --port exits 2 before training, naming the port and how to pick another', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-main-port-'));
  const out = join(dir, 'run');
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'main', '--port', String(port), '--minutes', '5', '--workers', '1', '--out', out], { timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^spikeloco main: port ${port} on 127\\.0\\.0\\.1 is already in use.*--port N`));
    assert.doesNotMatch(r.stdout, /\[1\/3\] training/, 'training never started');
    assert.equal(existsSync(join(out, 'log.csv')), false, 'no generation was run');
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch on a busy port says which port and how to pick another (exit 2, one line)', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'watch', '--port', String(port)], { timeout: 120_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stderr }),
      );
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^spikeloco watch: port ${port} on 127\\.0\\.0\\.1 is already in use.*--port N`));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    busy.close();
  }
});

test('a client that connects while the port is held is disconnected, and the hold still releases (the viewer can bind)', async () => {
  const { holdPort } = await import('../../cli/port.js');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const hold = await holdPort('127.0.0.1', port, '--port N');
  // a browser opened during training: connects, and is closed by the holder
  const { connect } = await import('node:net');
  const early = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => early.once('close', () => resolve()));
  // before the fix the held connection kept close() pending forever: release never resolved
  let released = false;
  await Promise.race([hold.release().then(() => (released = true)), new Promise((resolve) => setTimeout(resolve, 30_000))]);
  assert.ok(released, 'release() finished');
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
