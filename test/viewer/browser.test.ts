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
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { antSpec } from '../../morphologies/ant.js';
import { LocomotionEnv } from '../../sim/env.js';
import { recordEpisode } from '../../viewer/server/recording.js';
import { ReplaySession } from '../../viewer/server/replay.js';
import { startViewerServer } from '../../viewer/server/server.js';
import { gaitPolicy } from '../../viewer/server/session.js';
import { launchChromium, liveServer, sleep } from './helpers.js';
import { screenshotDiff } from './screenshot-diff.js';
import type {} from '../../viewer/client/page-api.js';

let browser: Browser;
let server: ViewerServer;
const pages: Page[] = [];
const problems: string[] = [];

async function openPage(url: string, viewport = { width: 640, height: 420 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(url);
  pages.push(page);
  return page;
}

/** close every open page (before its server goes: a page left open would reconnect and log errors) */
const closePages = () => Promise.all(browser.contexts().flatMap((c) => c.pages()).map((p) => p.close()));

before(async () => {
  browser = await launchChromium();
  server = await liveServer({ speed: 1 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// the 3D view alone: the overlay panels hidden for the shot (they would also change between shots)
const shot = (page: Page) => page.screenshot({ style: '.panel { visibility: hidden !important; }' });
const torso = (page: Page) => page.evaluate(() => window.spikeloco.last!.torso);

test('the page loads without console errors and frames arrive', async () => {
  const page = await openPage(server.url);
  await page.waitForFunction(() => window.spikeloco?.counts.frames > 20, undefined, { timeout: 30_000 });
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
  const d = await screenshotDiff(page, withRobot, without);
  assert.ok(d.changed > 700, `robot covers ${d.changed} pixels`);
  assert.ok(Math.hypot(d.cx - at.x, d.cy - at.y) < 120, `robot pixels centred at (${d.cx.toFixed(0)}, ${d.cy.toFixed(0)}), torso projected at (${at.x.toFixed(0)}, ${at.y.toFixed(0)})`);
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: false }));
});

test('the torso moves between two screenshots', async () => {
  const page = pages[0];
  await sleep(300);
  const a = await shot(page);
  const pa = await torso(page);
  // wait for the walk, however long a loaded machine takes (no rate asserted)
  await page.waitForFunction((p0) => Math.hypot(window.spikeloco.last!.torso[0] - p0[0], window.spikeloco.last!.torso[1] - p0[1]) > 0.3, pa, { timeout: 60_000 });
  await sleep(300);
  const b = await shot(page);
  const d = await screenshotDiff(page, a, b);
  assert.ok(d.changed > 0.01 * d.total, `${d.changed} of ${d.total} pixels changed`);
});

test('clicking push changes the robot velocity in the stream', async () => {
  const page = pages[0];
  // paused, so the frame after the push is one control step after it: on a loaded machine a
  // running server folds up to 0.25 s of steps into a frame, and friction eats the kick by then
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: true }));
  const base = await page.evaluate(() => window.spikeloco.last!.velocity[1]);
  await page.selectOption('#push-strength', '2');
  await page.click('#push-left');
  await page.waitForFunction(() => /push: Δv \[0, 2, 0\] m\/s/.test(document.getElementById('message')!.textContent ?? ''), undefined, { timeout: 30_000 });
  const seq = await page.evaluate(() => window.spikeloco.counts.frames);
  assert.equal((await page.evaluate(() => window.spikeloco.request({ type: 'step' }))).type, 'ack');
  await page.waitForFunction((n) => window.spikeloco.counts.frames > n, seq, { timeout: 30_000 });
  const after = await page.evaluate(() => window.spikeloco.last!.velocity[1]);
  assert.ok(after > base + 1, `lateral velocity ${base.toFixed(2)} → ${after.toFixed(2)} m/s one step after a 2 m/s push`);
  await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: false }));
});

test('choosing a rough terrain in the page changes the terrain, drawn from the physics heightfield', async () => {
  const page = pages[0];
  await sleep(300);
  const before = await shot(page);
  assert.equal(await page.evaluate(() => window.spikeloco.terrain!.kind), 'flat');
  await page.selectOption('#terrain', { label: 'rough' });
  await page.waitForFunction(() => window.spikeloco.terrain?.kind === 'heightfield', undefined, { timeout: 30_000 });
  const session = server.source as LiveSession;
  assert.match(session.currentEnv.condition.label, /^rough\(amplitude=0\.08/);
  const serverSum = session.currentEnv.condition.terrain.heights.reduce((s, h) => s + h, 0);
  const pageSum = await page.evaluate(() => window.spikeloco.terrain!.checksum);
  assert.ok(Math.abs(serverSum - pageSum) < 1e-6 * Math.max(1, Math.abs(serverSum)), `heights sum: server ${serverSum}, page ${pageSum}`);
  assert.match((await page.textContent('#hud-condition')) ?? '', /^rough\(/);
  await sleep(500);
  const after = await shot(page);
  const d = await screenshotDiff(page, before, after);
  assert.ok(d.changed > 0.05 * d.total, `${d.changed} of ${d.total} pixels changed`);
  // the run went on: frames keep coming with the new epoch
  const n = await page.evaluate(() => window.spikeloco.counts.frames);
  await page.waitForFunction((n0) => window.spikeloco.counts.frames > n0 + 5, n, { timeout: 30_000 });
  assert.deepEqual(problems, []);
});

test('a second page watches the same run; an SNN controller shows its spike raster and Hebb heatmap', async () => {
  const second = await openPage(server.url);
  const counts = () => Promise.all(pages.slice(0, 2).map((p) => p.evaluate(() => window.spikeloco.counts.frames)));
  await second.waitForFunction(() => window.spikeloco?.counts.frames > 5, undefined, { timeout: 30_000 });
  const c0 = await counts();
  for (const [i, p] of pages.slice(0, 2).entries()) await p.waitForFunction((n) => window.spikeloco.counts.frames > n + 5, c0[i], { timeout: 30_000 });
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
    await page.waitForFunction(() => window.spikeloco?.panels.raster && window.spikeloco.panels.heatmap && window.spikeloco.panels.heatmapsDrawn > 2, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => window.spikeloco.panels.spikesDrawn > 0, undefined, { timeout: 30_000 });
    const hello = await page.evaluate(() => window.spikeloco.hello!);
    assert.ok(hello.layers.some((l) => l.name === 'hidden'), `layers ${hello.layers.map((l) => l.name)}`);
    assert.ok(hello.hebb.length > 0);
    assert.deepEqual(problems, []);
    await page.close();

    // 800×600 with every panel shown: nothing overlaps, the heatmap is reachable by scrolling, panels collapse
    const small = await openPage(snn.url, { width: 800, height: 600 });
    await small.waitForFunction(() => window.spikeloco?.panels.heatmap && window.spikeloco.panels.heatmapsDrawn > 0, undefined, { timeout: 30_000 });
    const boxes = await small.evaluate(() => Object.fromEntries(['hud', 'controls', 'side'].map((id) => [id, document.getElementById(id)!.getBoundingClientRect().toJSON() as DOMRect])));
    const overlap = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (const [a, b] of [['hud', 'controls'], ['hud', 'side'], ['controls', 'side']] as const) {
      assert.ok(!overlap(boxes[a], boxes[b]), `${a} ${JSON.stringify(boxes[a])} overlaps ${b} ${JSON.stringify(boxes[b])}`);
    }
    for (const [id, r] of Object.entries(boxes)) assert.ok(r.left >= 0 && r.top >= 0 && r.right <= 800 && r.bottom <= 600, `${id} inside the window: ${JSON.stringify(r)}`);
    await small.locator('#heatmap').scrollIntoViewIfNeeded();
    const hm = await small.evaluate(() => {
      const r = document.getElementById('heatmap')!.getBoundingClientRect(), side = document.getElementById('side')!.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, sideTop: side.top, sideBottom: side.bottom };
    });
    assert.ok(hm.top >= hm.sideTop - 1 && hm.bottom <= hm.sideBottom + 1 && hm.bottom <= 600, `heatmap scrolled into view: ${JSON.stringify(hm)}`);
    await small.click('#side > summary');
    const collapsed = await small.evaluate(() => ({ h: document.getElementById('side')!.getBoundingClientRect().height, heatmapShown: document.getElementById('heatmap')!.checkVisibility() }));
    assert.ok(collapsed.h < 40 && !collapsed.heatmapShown, `collapsed side panel ${JSON.stringify(collapsed)}`);
    await small.click('#controls > summary');
    assert.ok((await small.evaluate(() => document.getElementById('controls')!.getBoundingClientRect().height)) < 40, 'controls collapse');
    assert.deepEqual(problems, []);
    await small.close();
  } finally {
    await closePages();
    await snn.close();
  }
});

test('at 800×600: terrain, friction and gravity apply at once; no duplicate terrain entry; the panel keeps its width; a bad condition gets a short message', async () => {
  const s = await liveServer({ speed: 1 });
  try {
    const page = await openPage(s.url, { width: 800, height: 600 });
    await page.waitForFunction(() => window.spikeloco?.counts.frames > 5, undefined, { timeout: 30_000 });
    const box = () => page.evaluate(() => document.getElementById('controls')!.getBoundingClientRect().toJSON() as DOMRect);
    const b0 = await box();
    const session = s.source as LiveSession;
    const hellos = () => page.evaluate(() => window.spikeloco.counts.hellos);
    let h = await hellos();
    await page.selectOption('#terrain', { label: 'rough' });
    await page.waitForFunction((n) => window.spikeloco.counts.hellos > n && window.spikeloco.terrain?.kind === 'heightfield', h, { timeout: 30_000 });
    const options = await page.evaluate(() => Array.from((document.getElementById('terrain') as HTMLSelectElement).options).map((o) => [o.text, o.value]));
    assert.ok(!options.some(([t]) => /current|custom/.test(t)), `no extra entry for a preset terrain: ${JSON.stringify(options)}`);
    assert.equal(new Set(options.map(([, v]) => v)).size, options.length, 'no duplicate values');
    assert.equal(await page.evaluate(() => (document.getElementById('terrain') as HTMLSelectElement).selectedOptions[0].text), 'rough');
    // friction and gravity: applied on change, like terrain (no apply button)
    assert.equal(await page.$('#apply-condition'), null);
    h = await hellos();
    await page.selectOption('#friction', '0.5');
    await page.waitForFunction((n) => window.spikeloco.counts.hellos > n, h, { timeout: 30_000 });
    assert.equal(session.currentEnv.condition.groundFriction, 0.5);
    h = await hellos();
    await page.selectOption('#gravity', '0.8');
    await page.waitForFunction((n) => window.spikeloco.counts.hellos > n, h, { timeout: 30_000 });
    assert.match(session.currentEnv.condition.label, /^rough\(.*\+friction\(mu=0\.5\)\+gravity\(scale=0\.8\)$/);
    const b1 = await box();
    assert.ok(Math.abs(b1.width - b0.width) < 1, `controls width ${b0.width} → ${b1.width} after the switches`);
    // a bad condition: one short line, the list of known conditions behind a toggle; the panel barely grows
    await page.fill('#condition-text', 'lava(temp=3)');
    await page.click('#set-condition');
    await page.waitForFunction(() => document.getElementById('message')!.className === 'error', undefined, { timeout: 30_000 });
    const msg = await page.evaluate(() => ({ text: document.getElementById('message')!.innerText, details: !!document.querySelector('#message details') }));
    assert.match(msg.text, /unknown condition "lava"/);
    assert.ok(msg.text.split('\n').filter(Boolean).length <= 3 && msg.text.length < 220, `short message: ${JSON.stringify(msg.text)}`);
    assert.ok(msg.details, 'the known conditions behind a details toggle');
    const b2 = await box();
    assert.ok(Math.abs(b2.width - b0.width) < 1 && b2.height - b1.height < 50, `controls ${JSON.stringify(b1)} → ${JSON.stringify(b2)}`);
    const hud = await page.evaluate(() => document.getElementById('hud')!.getBoundingClientRect().bottom);
    assert.ok(b2.top > hud, 'the controls stay below the HUD');
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await closePages();
    await s.close();
  }
});

test('the page shows when and why an episode ended, and sets the episode length', async () => {
  const s = await liveServer({ speed: 2, episodeSeconds: 1 });
  try {
    const page = await openPage(s.url);
    await page.waitForFunction(() => /episode ended at 1\.00 s: time limit reached/.test(document.getElementById('hud-episode')!.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => (document.getElementById('episode-length') as HTMLSelectElement).value), '1');
    await page.selectOption('#episode-length', '0');
    await page.waitForFunction(() => window.spikeloco.episodeSeconds === 0, undefined, { timeout: 30_000 });
    assert.equal((s.source as LiveSession).episodeSeconds, 0);
    assert.match((await page.textContent('#hud-limit')) ?? '', /endless/);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await closePages();
    await s.close();
  }
});

test('replay mode disables terrain, friction, gravity and the other physics controls', async () => {
  const env = await LocomotionEnv.create({ morphology: antSpec() });
  const path = join(mkdtempSync(join(tmpdir(), 'spikeloco-replay-page-')), 'ep.slrec');
  recordEpisode(env, gaitPolicy(env).controller, 1, path, { maxSteps: 30, controllerName: 'gait' });
  env.free();
  const s = await startViewerServer({ source: ReplaySession.fromFile(path), port: 0 });
  try {
    const page = await openPage(s.url);
    await page.waitForFunction(() => window.spikeloco?.hello?.mode === 'replay' && window.spikeloco.counts.frames > 2, undefined, { timeout: 30_000 });
    const disabled = await page.evaluate(() => Object.fromEntries(['terrain', 'friction', 'gravity', 'damage', 'weak', 'condition-text', 'set-condition', 'push-left', 'episode-length'].map((id) => [id, (document.getElementById(id) as HTMLInputElement).disabled])));
    assert.ok(Object.values(disabled).every(Boolean), JSON.stringify(disabled));
    assert.equal(await page.evaluate(() => (document.getElementById('pause') as HTMLButtonElement).disabled), false, 'pause still works');
    await page.close();
  } finally {
    await closePages();
    await s.close();
  }
});

test('imported robots are drawn from their collision shapes: Gymnasium ant.xml (MJCF) and the 12-joint URDF quadruped', async () => {
  await closePages();
  const { loadMorphology } = await import('../../morphologies/index.js');
  const models = new URL('../../../morphologies/models/', import.meta.url);
  for (const file of ['ant.xml', 'quadruped12.urdf']) {
    const spec = loadMorphology(new URL(file, models).pathname);
    const s = await liveServer({ morphology: spec, controller: (env: LocomotionEnv) => ({ controller: createController({ kind: 'zero' }, env.obsSize, env.actSize), label: 'zero' }) });
    try {
      const page = await openPage(`http://127.0.0.1:${s.port}/`);
      await page.waitForFunction(() => (window.spikeloco.last?.step ?? 0) > 5, undefined, { timeout: 30_000 });
      const bodies = await page.evaluate(() => window.spikeloco.hello?.bodyNames.length ?? 0);
      assert.equal(bodies, spec.bodies.length, `${file}: the page built every body of the imported robot`);
      await page.evaluate(() => window.spikeloco.request({ type: 'pause', paused: true }));
      await sleep(800);
      const withRobot = await shot(page);
      await page.evaluate(() => window.spikeloco.setRobotVisible(false));
      await sleep(200);
      const without = await shot(page);
      const d = await screenshotDiff(page, withRobot, without);
      assert.ok(d.changed > 300, `${file}: the robot covers ${d.changed} pixels`);
      await page.close();
    } finally {
      await s.close();
    }
  }
  assert.deepEqual(problems, []);
});
