/**
 * The viewer page: connects to the server, builds the scene from `hello`, draws frames, and
 * wires the panels and perturbation controls. `window.spikeloco` exposes read-only state
 * and a few hooks for end-to-end tests and the console.
 */
import * as THREE from 'three';
import {
  END_REASONS,
  END_REASON_TEXT,
  F,
  FLAG_DONE,
  FLAG_PAUSED,
  FLAG_REPLAY,
  KIND_COMPARE,
  KIND_FRAME,
  KIND_HEBB,
  KIND_TERRAIN,
  PROTOCOL_VERSION,
  TERRAIN_HEADER_WORDS,
  frameLayout,
  type EpisodeMessage,
  type FrameLayout,
  type HelloMessage,
  type ServerMessage,
} from '../protocol.js';
import { CompareView } from './compare-view.js';
import { Connection } from './connection.js';
import { Controls } from './controls.js';
import { readFrame } from './frame-read.js';
import type { PageApi } from './page-api.js';
import { HebbHeatmap } from './heatmap.js';
import { SpikeRaster } from './raster.js';
import { RobotView } from './robot.js';
import { Sparkline } from './sparkline.js';
import { Stage } from './stage.js';
import { TerrainView } from './terrain.js';
import { TorqueBars } from './torque-bars.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

type LastFrame = NonNullable<PageApi['last']>;

const stage = new Stage($('stage'));
const torques = new TorqueBars($<HTMLCanvasElement>('torques'));
const velocity = new Sparkline($<HTMLCanvasElement>('velocity'));
const raster = new SpikeRaster($<HTMLCanvasElement>('raster'));
const heatmap = new HebbHeatmap($<HTMLCanvasElement>('heatmap'));
const heatmapSelect = $<HTMLSelectElement>('heatmap-select');

let hello: HelloMessage | null = null;
let layout: FrameLayout | null = null;
let robot: RobotView | null = null;
/** compare mode (`hello.compare`): the worlds side by side, in place of `robot` */
let compare: CompareView | null = null;
let widened = false;
let terrain: TerrainView | null = TerrainView.flat();
stage.scene.add(terrain.mesh);
let snapCamera = true;
let lastFrame: LastFrame | null = null;
let lastFrameBuf: ArrayBuffer | null = null;
let connected = false;
let clients = 0;
let episodeSeconds: number | null = null;
let lastEpisode: EpisodeMessage | null = null;
const episodes: EpisodeMessage[] = [];

/** "episode ended at 10.00 s: time limit reached (10-s episodes); next one started" */
export function describeEpisode(m: EpisodeMessage): string {
  const limit = m.reason === 'time' ? ` (${m.episodeSeconds}-s episodes)` : '';
  const next = m.restartIn > 0 ? `; next in ${m.restartIn} s` : m.restartIn < 0 ? "; the next starts when the other world's episode ends" : '; next one started';
  return `episode ended at ${m.time.toFixed(2)} s: ${END_REASON_TEXT[m.reason]}${limit}, ${m.distance.toFixed(2)} m${next}`;
}
const counts = { frames: 0, hellos: 0, terrains: 0, hebbs: 0, dropped: 0 };
const replies: ServerMessage[] = [];

function onHello(h: HelloMessage): void {
  if (h.protocol !== PROTOCOL_VERSION) {
    $('hud-connection').textContent = `the server speaks viewer protocol ${h.protocol}, this page ${PROTOCOL_VERSION}: reload the page`;
    return;
  }
  if (h.compare) onCompareHello(h);
  else if (compare) {
    compare.dispose();
    compare = null;
  }
  const robotChanged = !h.compare && (!robot || !hello || JSON.stringify(hello.spec) !== JSON.stringify(h.spec));
  hello = h;
  counts.hellos++;
  layout = frameLayout(h.bodyNames.length, h.jointNames.length, h.layers);
  if (robotChanged) {
    robot?.dispose();
    robot = new RobotView(h.spec);
    stage.scene.add(robot.group);
    snapCamera = true;
  }
  if (h.terrain.kind === 'flat' && terrain?.kind !== 'flat') setTerrain(TerrainView.flat());
  for (const el of document.querySelectorAll<HTMLElement>('.single-only')) el.hidden = !!h.compare;
  torques.configure(h.jointNames, h.gears);
  $('raster-panel').hidden = h.layers.length === 0;
  $('raster-layers').textContent = h.layers.map((l) => `${l.name} ${l.size}`).join(' · ');
  raster.configure(h.layers, layout.spikes);
  $('heatmap-panel').hidden = h.hebb.length === 0;
  heatmapSelect.replaceChildren(...h.hebb.map((m, i) => new Option(`${m.name} ${m.rows}×${m.cols}`, String(i))));
  $('hud-condition').textContent = h.condition;
  $('hud-controller').textContent = h.controller;
  controls.hello(h);
}

/** Compare mode: new views if the robot or the worlds changed, else new names and ground. */
function onCompareHello(h: HelloMessage): void {
  if (compare?.fits(h)) {
    compare.configure(h);
    return;
  }
  compare?.dispose();
  robot?.dispose();
  robot = null;
  compare = new CompareView(stage.scene, $('compare'), h);
  if (!widened) stage.widen(1.8); // two robots 4 m apart in view
  widened = true;
  snapCamera = true;
}

function setTerrain(t: TerrainView): void {
  terrain?.dispose();
  terrain = t;
  stage.scene.add(t.mesh);
}

function onFrame(buf: ArrayBuffer, now: number): void {
  if (!hello || !layout || !robot) return;
  const u32 = new Uint32Array(buf);
  if (u32[F.epoch] !== hello.epoch || buf.byteLength !== layout.byteLength) {
    counts.dropped++;
    return;
  }
  const f32 = new Float32Array(buf);
  const prevStep = lastFrame?.step ?? -1;
  robot.setPoses(f32, layout.poses, now);
  if (u32[F.step] < prevStep) {
    robot.snap(); // new episode: no interpolation across the teleport
    velocity.clear();
    snapCamera = true;
  }
  lastFrame = readFrame(u32, f32, 0, layout.poses);
  lastFrameBuf = buf;
  counts.frames++;
  velocity.push(f32[F.vx]);
  raster.push(u32);
}

function onCompareFrame(buf: ArrayBuffer, now: number): void {
  if (!compare || !compare.frame(buf, now)) {
    counts.dropped++;
    return;
  }
  counts.frames++;
  lastFrame = compare.lastOf(0);
  lastFrameBuf = buf;
}

function onTerrain(buf: ArrayBuffer): void {
  const u32 = new Uint32Array(buf, 0, TERRAIN_HEADER_WORDS), f32 = new Float32Array(buf, 0, TERRAIN_HEADER_WORDS);
  if (!hello || u32[1] !== hello.epoch) return;
  const nx = u32[2], ny = u32[3];
  if (compare) {
    terrain?.dispose();
    terrain = null;
    compare.terrain(nx, ny, f32[4], f32[5], f32[6], new Float32Array(buf, 4 * TERRAIN_HEADER_WORDS, (nx + 1) * (ny + 1)));
    counts.terrains++;
    return;
  }
  setTerrain(TerrainView.heightfield(nx, ny, f32[4], f32[5], f32[6], new Float32Array(buf, 4 * TERRAIN_HEADER_WORDS, (nx + 1) * (ny + 1))));
  counts.terrains++;
  robot?.snap();
}

const connection = new Connection(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, {
  json(msg) {
    if (msg.type === 'hello') onHello(msg);
    else if (msg.type === 'status') {
      clients = msg.clients;
      episodeSeconds = msg.episodeSeconds;
      $('hud-limit').textContent = episodeSeconds === null ? '' : episodeSeconds > 0 ? `of ${episodeSeconds}` : '(endless)';
      controls.status(msg.speed, msg.paused, msg.episodeSeconds);
    } else if (msg.type === 'episode') {
      lastEpisode = msg;
      episodes.push(msg);
      if (episodes.length > 50) episodes.shift();
      compare?.episode(msg);
      const world = msg.world !== undefined ? hello?.compare?.[msg.world]?.name : undefined;
      $('hud-episode').textContent = `${world ? `${world}: ` : ''}${describeEpisode(msg)}`;
    } else {
      replies.push(msg);
      if (replies.length > 50) replies.shift();
    }
  },
  binary(buf) {
    const kind = new Uint32Array(buf, 0, 1)[0];
    if (kind === KIND_FRAME) onFrame(buf, performance.now());
    else if (kind === KIND_COMPARE) onCompareFrame(buf, performance.now());
    else if (kind === KIND_TERRAIN) onTerrain(buf);
    else if (kind === KIND_HEBB) {
      const head = new Uint32Array(buf, 0, 3);
      if (hello && head[1] === hello.epoch && String(head[2]) === (heatmapSelect.value || '0')) {
        heatmap.draw(buf);
        $('heatmap-range').textContent = `[${heatmap.lo.toPrecision(2)}, ${heatmap.hi.toPrecision(2)}]`;
      }
      counts.hebbs++;
    }
  },
  state(open, reason) {
    connected = open;
    $('hud-connection').textContent = open ? '' : `disconnected${reason ? ` (${reason})` : ''}: reconnecting…`;
  },
});
const controls = new Controls((msg) => connection.request(msg));

const torso = new THREE.Vector3();
function animate(): void {
  requestAnimationFrame(animate);
  const now = performance.now();
  if (compare?.hasFrame) {
    stage.track(compare.update(now, torso), snapCamera);
    snapCamera = false;
    compare.drawHud();
  } else if (robot && lastFrame) {
    robot.update(now);
    stage.track(robot.torso(torso), snapCamera);
    snapCamera = false;
  }
  stage.render();
  if (lastFrame && lastFrameBuf && layout) {
    const f = lastFrame;
    $('hud-time').textContent = f.time.toFixed(2);
    $('hud-speed').textContent = `×${f.speed}`;
    const reason = compare ? '' : END_REASONS[f.endReason] || (f.flags & FLAG_DONE ? 'ended' : '');
    $('hud-state').textContent = [f.flags & FLAG_PAUSED ? 'paused' : '', reason, f.flags & FLAG_REPLAY ? 'replay' : ''].filter(Boolean).join(' ');
    $('hud-distance').textContent = f.distance.toFixed(2);
    $('hud-velocity').textContent = f.velocity[0].toFixed(2);
    $('hud-reward').textContent = f.reward.toFixed(2);
    $('hud-return').textContent = f.ret.toFixed(1);
    $('hud-clients').textContent = `${clients} viewer${clients === 1 ? '' : 's'}`;
    if (!compare) {
      torques.draw(new Float32Array(lastFrameBuf), layout.torques);
      velocity.draw();
    }
  }
}
requestAnimationFrame(animate);

const api: PageApi = {
  get connected() {
    return connected;
  },
  get hello() {
    return hello;
  },
  get last() {
    return lastFrame;
  },
  counts,
  replies,
  episodes,
  get lastEpisode() {
    return lastEpisode;
  },
  get episodeSeconds() {
    return episodeSeconds;
  },
  get terrain() {
    return compare?.groundInfo ?? (terrain ? { kind: terrain.kind, checksum: terrain.checksum } : null);
  },
  get panels() {
    return { raster: !$('raster-panel').hidden, heatmap: !$('heatmap-panel').hidden, spikesDrawn: raster.spikesDrawn, heatmapsDrawn: heatmap.drawn };
  },
  request: (msg) => connection.request(msg),
  sendRaw: (text) => connection.sendRaw(text),
  robotDrawing() {
    return robot ? robot.drawing() : null;
  },
  setRobotVisible(v) {
    if (robot) robot.group.visible = v;
    stage.render();
  },
  /** screen position (CSS px in the canvas) of the drawn torso */
  torsoOnScreen() {
    return robot && lastFrame ? stage.project(robot.torso(new THREE.Vector3())) : null;
  },
  composeCondition: () => controls.compose(),
  get compare() {
    return compare ? compare.api() : null;
  },
  setWorldVisible(world, v) {
    compare?.setVisible(world, v);
    stage.render();
  },
  worldTorsoOnScreen(world) {
    const p = compare?.torso(world, new THREE.Vector3());
    return p ? stage.project(p) : null;
  },
};
window.spikeloco = api;
