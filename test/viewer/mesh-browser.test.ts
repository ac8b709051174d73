/**
 * End to end with Debian's Chromium: an imported robot with visual meshes (a binary STL and an
 * OBJ, served by id) and a convex collision link is drawn from its visuals where it has them
 * and from its collision shapes elsewhere.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { importURDF } from '../../morphologies/import/urdf.js';
import type { ViewerServer } from '../../viewer/server/server.js';
import { boxMesh, meshRobot, triangles, writeBinaryStl, writeObj } from '../morphologies/mesh-fixtures.js';
import { launchChromium, liveServer, sleep } from './helpers.js';
import { screenshotDiff } from './screenshot-diff.js';
import type {} from '../../viewer/client/page-api.js';

let dir: string;
let browser: Browser;
let server: ViewerServer;
const problems: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spikeloco-mesh-browser-'));
  writeBinaryStl(join(dir, 'leg.stl'), triangles(boxMesh([0.02, 0.02, 0.15], [0, 0, -0.15])));
  writeBinaryStl(join(dir, 'shell.stl'), triangles(boxMesh([0.25, 0.14, 0.07])));
  writeObj(join(dir, 'lid.obj'), boxMesh([0.1, 0.05, 0.02], [0, 0, 0.08]));
  const visual = '<visual><geometry><mesh filename="shell.stl"/></geometry><material name="blue"/></visual><visual><geometry><mesh filename="lid.obj"/></geometry></visual>';
  const spec = importURDF(meshRobot(dir, { legMesh: 'leg.stl', visual })).spec;
  browser = await launchChromium();
  server = await liveServer({ morphology: spec, speed: 1 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the page draws the visual meshes of a body that has them and the convex collision shape of one that has none', async () => {
  const page: Page = await browser.newPage({ viewport: { width: 640, height: 420 } });
  page.on('console', (m) => {
    // errors, and the client's own warnings (a mesh that failed to load); not the GL driver's
    if (m.type() === 'error' || (m.type() === 'warning' && m.text().startsWith('viewer:'))) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(server.url);
  await page.waitForFunction(() => window.spikeloco?.counts.frames > 10 && window.spikeloco.robotDrawing()?.meshesLoaded === 2, undefined, { timeout: 30_000 });
  const d = (await page.evaluate(() => window.spikeloco.robotDrawing()))!;
  assert.equal(d.meshesFailed, 0);
  assert.equal(d.meshesLoading, 0);
  assert.equal(d.visualBodies, 1, 'the base is drawn from its visuals');
  assert.deepEqual([...d.visible].sort(), ['base:visual:0', 'base:visual:1', 'leg_collision'], 'the base shows its two meshes, not its box; the leg its convex hull');
  // the drawn robot covers pixels where the page projects its torso
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: true }));
  await sleep(800);
  const shot = () => page.screenshot({ style: '.panel { visibility: hidden !important; }' });
  const withRobot = await shot();
  await page.evaluate(() => window.spikeloco.setRobotVisible(false));
  await sleep(200);
  const without = await shot();
  await page.evaluate(() => window.spikeloco.setRobotVisible(true));
  const at = (await page.evaluate(() => window.spikeloco.torsoOnScreen()))!;
  const diff = await screenshotDiff(page, withRobot, without);
  assert.ok(diff.changed > 500, `robot covers ${diff.changed} pixels`);
  assert.ok(Math.hypot(diff.cx - at.x, diff.cy - at.y) < 120, `robot pixels centred at (${diff.cx.toFixed(0)}, ${diff.cy.toFixed(0)}), torso at (${at.x.toFixed(0)}, ${at.y.toFixed(0)})`);
  await page.close();
  assert.deepEqual(problems, []);
});
