/**
 * The viewer serves the visual mesh files of the robot shown, by server-chosen ids only: a
 * hostile page cannot read other files (`../`, unknown ids, encoded paths all get 404).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importURDF } from '../../morphologies/import/urdf.js';
import { meshAssets } from '../../viewer/server/mesh-assets.js';
import { viewerSpec } from '../../viewer/server/hello.js';
import type { ViewerServer } from '../../viewer/server/server.js';
import { boxMesh, meshRobot, triangles, writeBinaryStl, writeObj } from '../morphologies/mesh-fixtures.js';
import { liveServer, TestClient, waitFor, wsUrl } from './helpers.js';

let dir: string;
let server: ViewerServer;
let stl: string, obj: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spikeloco-viewer-mesh-'));
  writeBinaryStl(join(dir, 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  writeBinaryStl((stl = join(dir, 'shell.stl')), triangles(boxMesh([0.21, 0.11, 0.06])));
  writeObj((obj = join(dir, 'lid.obj')), boxMesh([0.1, 0.05, 0.01], [0, 0, 0.06]));
  const visual = `<visual><geometry><mesh filename="shell.stl"/></geometry></visual><visual><geometry><mesh filename="lid.obj"/></geometry></visual><visual><geometry><mesh filename="shell.stl"/></geometry></visual>`;
  const spec = importURDF(meshRobot(dir, { legMesh: 'leg.stl', visual })).spec;
  server = await liveServer({ morphology: spec, speed: 1 }, { buildBundle: false });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string): Promise<{ status: number; body: Buffer; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the hello names each visual mesh by URL, once per file, and never by path', async () => {
  const c = new TestClient(wsUrl(server));
  const hello = await waitFor(() => c.hello, 20_000, 'hello');
  c.close();
  const visuals = hello.spec.bodies[0].visuals!;
  assert.deepEqual(visuals.map((v) => [v.url, v.format]), [['/mesh/0', 'stl'], ['/mesh/1', 'obj'], ['/mesh/0', 'stl']]);
  assert.ok(!JSON.stringify(hello).includes(dir), 'no server path in the hello');
  assert.equal(hello.spec.bodies[1].geoms[0].shape, 'convex');
  assert.equal(hello.spec.bodies[1].geoms[0].points!.length, 8);
});

test('GET /mesh/<id> serves exactly the referenced files', async () => {
  const a = await get('/mesh/0');
  assert.equal(a.status, 200);
  assert.equal(a.type, 'model/stl');
  assert.deepEqual(a.body, readFileSync(stl));
  const b = await get('/mesh/1');
  assert.equal(b.status, 200);
  assert.deepEqual(b.body, readFileSync(obj));
});

test('unknown ids, ../ paths and encoded paths get 404', async () => {
  for (const path of ['/mesh/2', '/mesh/', '/mesh/../package.json', '/mesh/0/../1', '/mesh/..%2f..%2fpackage.json', `/mesh/${encodeURIComponent(stl)}`, `/mesh/${stl}`, '/mesh/00', '/mesh/0x0', '/mesh/constructor', '/mesh/__proto__']) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path} → ${r.status}`);
    assert.ok(!r.body.includes(readFileSync(stl).subarray(80, 200)), `${path} leaks nothing`);
  }
});

test('meshAssets and viewerSpec agree on ids; a spec without visuals serves nothing', () => {
  const spec = importURDF(meshRobot(dir, { legMesh: 'leg.stl' })).spec;
  assert.deepEqual(meshAssets(spec), []);
  assert.equal(viewerSpec(spec).bodies[0].visuals, undefined);
});
