/**
 * End to end: a real server (real physics at real time) and Debian's Chromium rendering the
 * page with WebGL (SwiftShader). Fails, not skips, when /usr/bin/chromium is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import type { ViewerServer } from '../../viewer/server/server.js';
import type { LiveSession } from '../../viewer/server/session.js';
import { launchChromium, liveServer, sleep } from './helpers.js';
import type {} from '../../viewer/client/page-api.js';

let browser: Browser;
let server: ViewerServer;
const pages: Page[] = [];
const problems: string[] = [];

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 640, height: 420 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(url);
  pages.push(page);
  return page;
}

before(async () => {
  browser = await launchChromium();
  server = await liveServer({ speed: 1 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Pixels that differ between two screenshots (compared in the page), their centroid and count. */
async function diff(page: Page, a: Buffer, b: Buffer): Promise<{ changed: number; total: number; cx: number; cy: number }> {
  return page.evaluate(async ([a64, b64]) => {
    const load = async (b: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height);
    };
    const [A, B] = await Promise.all([load(a64), load(b64)]);
    let changed = 0, sx = 0, sy = 0;
    for (let y = 0; y < A.height; y++) {
      for (let x = 0; x < A.width; x++) {
        const k = 4 * (x + y * A.width);
        const d = Math.abs(A.data[k] - B.data[k]) + Math.abs(A.data[k + 1] - B.data[k + 1]) + Math.abs(A.data[k + 2] - B.data[k + 2]);
        if (d > 30) {
          changed++;
          sx += x;
          sy += y;
        }
      }
    }
    return { changed, total: A.width * A.height, cx: sx / Math.max(1, changed), cy: sy / Math.max(1, changed) };
  }, [a.toString('base64'), b.toString('base64')] as const);
}

// the 3D view alone: the overlay panels hidden for the shot (they would also change between shots)
const shot = (page: Page) => page.screenshot({ style: '.panel { visibility: hidden !important; }' });
const torso = (page: Page) => page.evaluate(() => window.spikeloco.last!.torso);

test('the page loads without console errors and frames arrive', async () => {
  const page = await openPage(server.url);
  await page.waitForFunction(() => window.spikeloco?.counts.frames > 20, undefined, { timeout: 10_000 });
  const state = await page.evaluate(() => ({ hello: window.spikeloco.hello!, panels: window.spikeloco.panels, hud: document.getElementById('hud-controller')!.textContent }));
  assert.equal(state.hello.spec.name, 'ant');
  assert.equal(state.hud, 'gait (open-loop)');
  assert.deepEqual([state.panels.raster, state.panels.heatmap], [false, false], 'no introspection: raster and heatmap hidden');
  assert.deepEqual(problems, []);
});

test('a screenshot shows the robot where the page projects its torso', async () => {
  const page = pages[0];
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: true }));
  await sleep(800); // the follow camera settles
  const withRobot = await shot(page);
  await page.evaluate(() => window.spikeloco.setRobotVisible(false));
  await sleep(200);
  const without = await shot(page);
  await page.evaluate(() => window.spikeloco.setRobotVisible(true));
  const at = (await page.evaluate(() => window.spikeloco.torsoOnScreen()))!;
  const d = await diff(page, withRobot, without);
  assert.ok(d.changed > 700, `robot covers ${d.changed} pixels`);
  assert.ok(Math.hypot(d.cx - at.x, d.cy - at.y) < 120, `robot pixels centred at (${d.cx.toFixed(0)}, ${d.cy.toFixed(0)}), torso projected at (${at.x.toFixed(0)}, ${at.y.toFixed(0)})`);
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: false }));
});

test('the torso moves between two screenshots', async () => {
  const page = pages[0];
  await sleep(300);
  const a = await shot(page);
  const pa = await torso(page);
  await sleep(1500);
  const b = await shot(page);
  const pb = await torso(page);
  const moved = Math.hypot(pb[0] - pa[0], pb[1] - pa[1]);
  assert.ok(moved > 0.3, `torso moved ${moved.toFixed(2)} m in 1.5 s`);
  const d = await diff(page, a, b);
  assert.ok(d.changed > 0.01 * d.total, `${d.changed} of ${d.total} pixels changed`);
});

test('clicking push changes the robot velocity in the stream', async () => {
  const page = pages[0];
  const base = await page.evaluate(() => window.spikeloco.last!.velocity[1]);
  await page.selectOption('#push-strength', '6');
  await page.click('#push-left');
  await page.waitForFunction((b) => window.spikeloco.last!.velocity[1] > b + 1.5, base, { timeout: 3000, polling: 5 });
  await page.waitForFunction(() => /push: impulse \[0, 6, 0\]/.test(document.getElementById('message')!.textContent ?? ''), undefined, { timeout: 2000 });
});

test('choosing a rough terrain in the page changes the terrain, drawn from the physics heightfield', async () => {
  const page = pages[0];
  await sleep(300);
  const before = await shot(page);
  assert.equal(await page.evaluate(() => window.spikeloco.terrain!.kind), 'flat');
  await page.selectOption('#terrain', 'rough(amplitude=0.08)');
  await page.waitForFunction(() => window.spikeloco.terrain?.kind === 'heightfield', undefined, { timeout: 5000 });
  const session = server.source as LiveSession;
  assert.match(session.currentEnv.condition.label, /^rough\(amplitude=0\.08/);
  const serverSum = session.currentEnv.condition.terrain.heights.reduce((s, h) => s + h, 0);
  const pageSum = await page.evaluate(() => window.spikeloco.terrain!.checksum);
  assert.ok(Math.abs(serverSum - pageSum) < 1e-6 * Math.max(1, Math.abs(serverSum)), `heights sum: server ${serverSum}, page ${pageSum}`);
  assert.match((await page.textContent('#hud-condition')) ?? '', /^rough\(/);
  await sleep(500);
  const after = await shot(page);
  const d = await diff(page, before, after);
  assert.ok(d.changed > 0.05 * d.total, `${d.changed} of ${d.total} pixels changed`);
  // the run went on: frames keep coming with the new epoch
  const n = await page.evaluate(() => window.spikeloco.counts.frames);
  await page.waitForFunction((n0) => window.spikeloco.counts.frames > n0 + 5, n, { timeout: 3000 });
  assert.deepEqual(problems, []);
});

test('a second page watches the same run; an SNN controller shows its spike raster and Hebb heatmap', async () => {
  const second = await openPage(server.url);
  const counts = () => Promise.all(pages.slice(0, 2).map((p) => p.evaluate(() => window.spikeloco.counts.frames)));
  await second.waitForFunction(() => window.spikeloco?.counts.frames > 5, undefined, { timeout: 10_000 });
  const c0 = await counts();
  await sleep(600);
  const c1 = await counts();
  assert.ok(c1[0] > c0[0] + 5 && c1[1] > c0[1] + 5, `both pages receive frames: ${c0} → ${c1}`);
  assert.equal(await second.evaluate(() => window.spikeloco.terrain!.kind), 'heightfield', 'a late page gets the current terrain');
  // two cores: stop rendering these before the next page
  await Promise.all(pages.map((p) => p.close()));

  const snn = await liveServer({
    speed: 1,
    controller: (env) => {
      const cfg = parseControllerConfig({ kind: 'plastic-snn' }, 'test');
      const genome = initGenome(genomeLayoutFor(cfg, env.obsSize, env.actSize), 3);
      return { controller: createController(cfg, env.obsSize, env.actSize, genome), label: 'plastic-snn (untrained)' };
    },
  });
  try {
    const page = await openPage(snn.url);
    await page.waitForFunction(() => window.spikeloco?.panels.raster && window.spikeloco.panels.heatmap && window.spikeloco.panels.heatmapsDrawn > 2, undefined, { timeout: 10_000 });
    await page.waitForFunction(() => window.spikeloco.panels.spikesDrawn > 0, undefined, { timeout: 5000 });
    const hello = await page.evaluate(() => window.spikeloco.hello!);
    assert.ok(hello.layers.some((l) => l.name === 'hidden'), `layers ${hello.layers.map((l) => l.name)}`);
    assert.ok(hello.hebb.length > 0);
    assert.deepEqual(problems, []);
  } finally {
    await snn.close();
  }
});
