/**
 * Compare mode on the page (`hello.compare`): the worlds' robots side by side, each drawn at
 * its world's lateral offset (physics runs every world at y = 0) and, on a heightfield, on its
 * own strip of the ground; one HUD panel per world (its name, episode time, distance, speed and
 * why its episode ended). COMPARE messages are checked (size, epoch, each world's FRAME kind)
 * before anything is drawn.
 */
import * as THREE from 'three';
import {
  C,
  END_REASONS,
  END_REASON_TEXT,
  FLAG_DONE,
  KIND_FRAME,
  F,
  compareLayout,
  frameLayout,
  type EpisodeMessage,
  type HelloMessage,
} from '../protocol.js';
import { readFrame } from './frame-read.js';
import type { CompareApi, FrameSummary } from './page-api.js';
import { RobotView, TORSO_COLOR } from './robot.js';
import { TerrainView } from './terrain.js';

/** torso colours of the worlds, and the HUD swatches that name them */
const COLORS = [TORSO_COLOR, 0x4fb3a0];

interface WorldView {
  robot: RobotView;
  last: FrameSummary | null;
  /** the newest episode end of this world (until its next episode) */
  ended: EpisodeMessage | null;
  panel: HTMLDetailsElement;
  title: HTMLElement;
  body: HTMLElement;
}

export class CompareView {
  private readonly worlds: WorldView[] = [];
  private readonly offsets: number[];
  private readonly posesWord: number;
  private ground: TerrainView[] = [];
  private hello: HelloMessage;
  private readonly tmp = new THREE.Vector3();
  frames = 0;
  step = 0;

  constructor(
    private readonly scene: THREE.Scene,
    private readonly container: HTMLElement,
    h: HelloMessage,
  ) {
    this.hello = h;
    const compare = h.compare!;
    this.offsets = compareLayout(compare.map((w) => w.frameBytes)).offsets;
    this.posesWord = frameLayout(h.bodyNames.length, h.jointNames.length, []).poses;
    container.replaceChildren();
    compare.forEach((w, i) => {
      const robot = new RobotView(h.spec, { offsetY: w.offsetY, torsoColor: COLORS[i % COLORS.length] });
      scene.add(robot.group);
      const panel = document.createElement('details');
      panel.className = 'panel world-hud';
      panel.id = `world-${i}`;
      panel.open = true;
      const summary = document.createElement('summary');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = `#${COLORS[i % COLORS.length].toString(16).padStart(6, '0')}`;
      const title = document.createElement('span');
      title.id = `world-${i}-name`;
      summary.append(swatch, title);
      const body = document.createElement('div');
      body.id = `world-${i}-hud`;
      panel.append(summary, body);
      container.append(panel);
      this.worlds.push({ robot, last: null, ended: null, panel, title, body });
    });
    this.configure(h);
    container.hidden = false;
  }

  /** Same robot and worlds (checked by the caller): names, and the ground of a new condition. */
  configure(h: HelloMessage): void {
    this.hello = h;
    h.compare!.forEach((w, i) => {
      const v = this.worlds[i];
      v.title.textContent = w.name;
      v.panel.title = w.controller;
    });
    if (h.terrain.kind === 'flat') this.setGround([]);
  }

  /** Does this hello fit these views (same robot, same worlds and frame sizes)? */
  fits(h: HelloMessage): boolean {
    const a = this.hello, b = h.compare;
    return !!b && b.length === this.worlds.length && JSON.stringify(a.spec) === JSON.stringify(h.spec) && b.every((w, i) => w.frameBytes === a.compare![i].frameBytes && w.offsetY === a.compare![i].offsetY);
  }

  /** A COMPARE message; false (nothing drawn) if it does not belong to the current hello. */
  frame(buf: ArrayBuffer, now: number): boolean {
    const h = this.hello;
    if (buf.byteLength !== h.frameBytes) return false;
    const u32 = new Uint32Array(buf), f32 = new Float32Array(buf);
    if (u32[C.epoch] !== h.epoch) return false;
    for (const at of this.offsets) if (u32[at + F.kind] !== KIND_FRAME || u32[at + F.epoch] !== h.epoch) return false;
    this.frames++;
    this.step = u32[C.step];
    this.worlds.forEach((w, i) => {
      const at = this.offsets[i];
      const f = readFrame(u32, f32, at, this.posesWord);
      w.robot.setPoses(f32, at + this.posesWord, now);
      if (w.last && f.step < w.last.step) {
        w.robot.snap(); // new episode: no interpolation across the teleport
        w.ended = null;
      }
      w.last = f;
    });
    return true;
  }

  /** An `episode` message naming one of the worlds. */
  episode(m: EpisodeMessage): void {
    const w = m.world === undefined ? undefined : this.worlds[m.world];
    if (w) w.ended = m;
  }

  /**
   * The heightfield of a TERRAIN message: one copy per world, beside its robot, cut halfway
   * between the worlds (the outer side reaches the grid's edge), so the copies never overlap.
   */
  terrain(nx: number, ny: number, x0: number, y0: number, cell: number, heights: Float32Array): void {
    const ys = this.hello.compare!.map((w) => w.offsetY);
    const views = ys.map((dy) => {
      // physics y ∈ [yMin, yMax] of this world's copy: up to the midline towards each neighbour
      let yMin = -Infinity, yMax = Infinity;
      for (const other of ys) {
        if (other < dy) yMin = Math.max(yMin, (other - dy) / 2);
        if (other > dy) yMax = Math.min(yMax, (other - dy) / 2);
      }
      return TerrainView.heightfield(nx, ny, x0, y0, cell, heights, { yMin, yMax, dy });
    });
    this.setGround(views);
    for (const w of this.worlds) w.robot.snap();
  }

  /** the ground drawn for the page API: kind and the sum of heights (null: the page's flat plane) */
  get groundInfo(): { kind: 'heightfield'; checksum: number } | null {
    return this.ground.length ? { kind: 'heightfield', checksum: this.ground[0].checksum } : null;
  }

  /** Pose the robots for `now` and write the midpoint of their drawn torsos into `out`. */
  update(now: number, out: THREE.Vector3): THREE.Vector3 {
    out.set(0, 0, 0);
    const t = this.tmp;
    for (const w of this.worlds) {
      w.robot.update(now);
      out.add(w.robot.torso(t));
    }
    return out.divideScalar(Math.max(1, this.worlds.length));
  }

  lastOf(world: number): FrameSummary | null {
    return this.worlds[world]?.last ?? null;
  }

  get hasFrame(): boolean {
    return this.worlds.every((w) => w.last !== null);
  }

  drawHud(): void {
    for (const w of this.worlds) {
      const f = w.last;
      if (!f) continue;
      const reason = END_REASONS[f.endReason] || (f.flags & FLAG_DONE ? 'ended' : '');
      const end = w.ended ? `ended at ${w.ended.time.toFixed(2)} s: ${END_REASON_TEXT[w.ended.reason]}, ${w.ended.distance.toFixed(2)} m${w.ended.restartIn < 0 ? '; waits for the other' : ''}` : reason;
      const text = `t ${f.time.toFixed(2)} s · distance ${f.distance.toFixed(2)} m · v ${f.velocity[0].toFixed(2)} m/s${end ? `\n${end}` : ''}`;
      if (w.body.textContent !== text) w.body.textContent = text;
    }
  }

  setVisible(world: number, visible: boolean): void {
    const w = this.worlds[world];
    if (w) w.robot.group.visible = visible;
  }

  torso(world: number, out: THREE.Vector3): THREE.Vector3 | null {
    const w = this.worlds[world];
    return w?.last ? w.robot.torso(out) : null;
  }

  api(): CompareApi {
    return {
      frames: this.frames,
      step: this.step,
      worlds: this.worlds.map((w, i) => ({
        name: this.hello.compare![i].name,
        controller: this.hello.compare![i].controller,
        offsetY: this.hello.compare![i].offsetY,
        last: w.last,
        title: w.title.textContent ?? '',
        hud: w.body.textContent ?? '',
      })),
    };
  }

  private setGround(views: TerrainView[]): void {
    for (const g of this.ground) g.dispose();
    this.ground = views;
    for (const g of views) this.scene.add(g.mesh);
  }

  dispose(): void {
    this.setGround([]);
    for (const w of this.worlds) w.robot.dispose();
    this.container.replaceChildren();
    this.container.hidden = true;
  }
}
