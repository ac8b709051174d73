/**
 * End to end, compare mode: the real CLI (`spikeloco watch --compare` on a free port, real
 * physics at real time), Debian's Chromium rendering the page with WebGL (SwiftShader), real
 * websockets. The shipped plastic-SNN Ant against the open-loop gait: both robots drawn, both
 * moving, each under its own HUD, and a push from the page reaching both worlds at one step.
 * No rate or time is asserted: every wait is for a state, however long a loaded machine takes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ServerMessage } from '../../viewer/protocol.js';
import { launchChromium, sleep, waitFor } from './helpers.js';
import { screenshotDiff } from './screenshot-diff.js';
import type {} from '../../viewer/client/page-api.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const POLICY = join(ROOT, 'viewer/pretrained/ant-plastic/best.json');

let browser: Browser;
let cli: ChildProcess;
let url = '';
let page: Page;
const problems: string[] = [];
let stderr = '';

before(async () => {
  cli = spawn(process.execPath, [join(ROOT, 'bin/spikeloco.js'), 'watch', '--compare', POLICY, 'gait', '--port', '0', '--episode-seconds', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await waitFor(() => /open (http:\/\/\S+)/.exec(stdout)?.[1], 120_000, `the watch URL (stdout: ${stdout}, stderr: ${stderr})`);
  assert.match(stdout, /comparing ant-plastic vs gait on ant, flat/);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  if (cli && cli.exitCode === null) {
    const exited = new Promise((r) => cli.once('exit', r));
    cli.kill('SIGTERM');
    await exited;
  }
});

const shot = () => page.screenshot({ style: '.panel { visibility: hidden !important; }' });
const request = (msg: Parameters<Window['spikeloco']['request']>[0]) => page.evaluate((m) => window.spikeloco.request(m), msg) as Promise<ServerMessage>;

test('compare mode: hello names both policies, both worlds stream, each HUD shows its name', async () => {
  await page.waitForFunction(() => (window.spikeloco?.compare?.frames ?? 0) > 20 && window.spikeloco.compare!.worlds.every((w) => w.last && w.hud), undefined, { timeout: 60_000 });
  const s = await page.evaluate(() => ({
    hello: window.spikeloco.hello!,
    compare: window.spikeloco.compare!,
    titles: [0, 1].map((i) => document.getElementById(`world-${i}-name`)!.textContent),
    side: document.getElementById('side')!.hidden,
    controller: document.getElementById('hud-controller')!.textContent,
  }));
  assert.equal(s.hello.protocol, 2);
  assert.deepEqual(s.hello.compare!.map((w) => w.name), ['ant-plastic', 'gait']);
  assert.match(s.hello.compare![0].controller, /^plastic-snn \(.*best\.json, generation \d+\)$/);
  assert.equal(s.hello.compare![1].controller, 'gait (open-loop)');
  assert.deepEqual(s.titles, ['ant-plastic', 'gait'], 'two HUD panels, distinct names');
  assert.equal(s.controller, 'ant-plastic vs gait');
  assert.equal(s.side, true, 'the single-policy side panel is hidden');
  for (const w of s.compare.worlds) assert.match(w.hud, /^t \d+\.\d\d s · distance -?\d+\.\d\d m · v -?\d+\.\d\d m\/s/);
  assert.deepEqual(problems, []);
});

test('both robots are drawn, each where the page projects its torso, side by side', async () => {
  assert.equal((await request({ type: 'pause', paused: true })).type, 'ack');
  await sleep(800); // the follow camera settles
  const both = await shot();
  const centres = [];
  for (const i of [0, 1]) {
    await page.evaluate((w) => window.spikeloco.setWorldVisible(w, false), i);
    await sleep(200);
    const without = await shot();
    await page.evaluate((w) => window.spikeloco.setWorldVisible(w, true), i);
    const at = (await page.evaluate((w) => window.spikeloco.worldTorsoOnScreen(w), i))!;
    const d = await screenshotDiff(page, both, without);
    assert.ok(d.changed > 500, `world ${i}'s robot covers ${d.changed} pixels`);
    assert.ok(Math.hypot(d.cx - at.x, d.cy - at.y) < 120, `world ${i}: robot pixels centred at (${d.cx.toFixed(0)}, ${d.cy.toFixed(0)}), torso projected at (${at.x.toFixed(0)}, ${at.y.toFixed(0)})`);
    centres.push(d);
  }
  assert.ok(Math.hypot(centres[0].cx - centres[1].cx, centres[0].cy - centres[1].cy) > 40, `two robots in two places: ${JSON.stringify(centres)}`);
  assert.equal((await request({ type: 'pause', paused: false })).type, 'ack');
});

test('the two robots move, and differently', async () => {
  const start = await page.evaluate(() => window.spikeloco.compare!.worlds.map((w) => w.last!.torso));
  // wait for states, not for time: both moved off their start, and they are apart by 0.3 m
  await page.waitForFunction(
    (p0) => {
      const w = window.spikeloco.compare!.worlds.map((x) => x.last!.torso);
      const moved = w.every((t, i) => Math.hypot(t[0] - p0[i][0], t[1] - p0[i][1]) > 0.3);
      return moved && Math.hypot(w[0][0] - w[1][0], w[0][1] - w[1][1]) > 0.3;
    },
    start,
    { timeout: 120_000 },
  );
});

test('a push from the page reaches both worlds at the same control step', async () => {
  assert.equal((await request({ type: 'pause', paused: true })).type, 'ack');
  // the pause sent a frame before its ack: the page shows the paused step
  const before = await page.evaluate(() => {
    const c = window.spikeloco.compare!;
    return { step: c.step, worlds: c.worlds.map((w) => ({ step: w.last!.step, vz: w.last!.velocity[2] })) };
  });
  assert.deepEqual(before.worlds.map((w) => w.step), [before.step, before.step], 'lockstep: both worlds at the shared step');
  const reply = await request({ type: 'push', velocity: [0, 0, 3] });
  assert.ok(reply.type === 'ack', JSON.stringify(reply));
  assert.deepEqual(reply.steps, [before.step, before.step], 'applied after the same step in both worlds');
  assert.equal((await request({ type: 'step' })).type, 'ack');
  await page.waitForFunction((s) => window.spikeloco.compare!.step === s + 1, before.step, { timeout: 30_000 });
  const after = await page.evaluate(() => window.spikeloco.compare!.worlds.map((w) => ({ step: w.last!.step, vz: w.last!.velocity[2] })));
  for (const [i, w] of after.entries()) {
    assert.equal(w.step, before.step + 1);
    // the push acted in both worlds: over 60 walking states (measured in Node) a 3 m/s push
    // raised the next frame's vz by 2.33 m/s or more. That it acted after the same step in both
    // is ack.steps above and, bitwise, the lockstep test in compare.test.ts
    assert.ok(w.vz - before.worlds[i].vz > 1.5, `world ${i}: torso vz ${before.worlds[i].vz.toFixed(2)} → ${w.vz.toFixed(2)} m/s one step after a 3 m/s upward push`);
  }
  assert.equal((await request({ type: 'pause', paused: false })).type, 'ack');
  assert.deepEqual(problems, []);
});

test("each world's HUD says when and why its episode ended (a hard kick up: both bounce off)", async () => {
  assert.equal((await request({ type: 'pause', paused: true })).type, 'ack');
  assert.equal((await request({ type: 'reset' })).type, 'ack'); // both worlds in a fresh episode
  for (let k = 0; k < 3; k++) assert.equal((await request({ type: 'step' })).type, 'ack');
  const seen = await page.evaluate(() => window.spikeloco.episodes.length);
  assert.equal((await request({ type: 'push', velocity: [0, 0, 5] })).type, 'ack');
  // single steps until both HUDs say so (each step's frame and episode message come before its ack)
  let huds: string[] = [];
  for (let k = 0; k < 100; k++) {
    assert.equal((await request({ type: 'step' })).type, 'ack');
    // read after the page's next two animation frames (the HUD is drawn in one)
    huds = await page.evaluate(() => new Promise<string[]>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(window.spikeloco.compare!.worlds.map((w) => w.hud))))));
    if (huds.every((h) => /bounced off/.test(h))) break;
  }
  // the first to end waits for the other (the one that ends second restarts both after a hold)
  for (const h of huds) assert.match(h, /\nended at \d+\.\d\d s: bounced off \(torso above the healthy height\), -?\d+\.\d\d m(; waits for the other)?$/);
  // either may bounce off first
  const ends = await page.evaluate((n) => window.spikeloco.episodes.slice(n).map((m) => [m.world, m.reason]), seen);
  assert.deepEqual(ends.sort(), [[0, 'rose'], [1, 'rose']], `episode ends after the kick: ${JSON.stringify(ends)}; HUDs ${JSON.stringify(huds)}`);
  assert.equal((await request({ type: 'pause', paused: false })).type, 'ack');
  assert.deepEqual(problems, []);
});
