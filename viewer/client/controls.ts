/**
 * The page's perturbation controls: run control (pause, step, speed, reset, episode length),
 * pushes (a velocity change in m/s, the same on any robot), and a condition composer (terrain
 * preset + friction + gravity + damaged leg + weak motor, any other terms of the current
 * condition kept), plus a free-text condition. One behaviour for the composer: every select
 * applies at once when changed. Every action is one JSON request; the server's ack or error is
 * shown in the message line (an error's first line, the rest behind a "details" toggle).
 * A replay disables everything that needs physics.
 */
import type { ClientRequest as Request, HelloMessage, ServerMessage, Vec3 } from '../protocol.js';

const TERRAINS = ['flat', 'slope', 'rough', 'steps'];
const COMPOSED = ['friction', 'gravity', 'damaged', 'weak-motor'];

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer page: no element #${id}`);
  return el as T;
};

/** Split a canonical condition label into terms (terms are joined by '+', never inside parentheses). */
export function conditionTerms(label: string): { name: string; text: string; params: Record<string, string> }[] {
  return label.split('+').map((text) => {
    text = text.trim();
    const m = /^([a-z0-9-]+)\s*(?:\((.*)\))?$/i.exec(text);
    const params: Record<string, string> = {};
    for (const kv of (m?.[2] ?? '').split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) params[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    return { name: (m?.[1] ?? text).toLowerCase(), text, params };
  });
}

function setOptions(select: HTMLSelectElement, options: [string, string][], value: string): void {
  select.replaceChildren(...options.map(([label, v]) => new Option(label, v)));
  select.value = value;
}

function ensureOption(select: HTMLSelectElement, value: string, label = value): void {
  if (![...select.options].some((o) => o.value === value)) select.add(new Option(label, value));
  select.value = value;
}

const PHYSICS_CONTROLS = ['terrain', 'friction', 'gravity', 'damage', 'weak', 'condition-text', 'set-condition', 'episode-length', 'push-strength', 'push-forward', 'push-back', 'push-left', 'push-right', 'push-up'];

export class Controls {
  private extras: string[] = [];
  private lastHello: HelloMessage | null = null;
  private damageLength = '0.1';
  private weakScale = '0.3';
  private readonly message = $<HTMLDivElement>('message');

  constructor(private readonly send: (msg: Request) => Promise<ServerMessage>) {
    const pause = $<HTMLButtonElement>('pause');
    pause.onclick = () => void this.run({ type: 'pause', paused: pause.dataset.paused !== 'true' });
    $<HTMLButtonElement>('step').onclick = () => void this.run({ type: 'step' });
    $<HTMLButtonElement>('reset').onclick = () => void this.run({ type: 'reset' });
    const speed = $<HTMLSelectElement>('speed');
    speed.onchange = () => void this.run({ type: 'speed', speed: Number(speed.value) });
    const strength = $<HTMLSelectElement>('push-strength');
    const dirs: Record<string, Vec3> = { forward: [1, 0, 0], back: [-1, 0, 0], left: [0, 1, 0], right: [0, -1, 0], up: [0, 0, 1] };
    for (const [name, d] of Object.entries(dirs)) {
      $<HTMLButtonElement>(`push-${name}`).onclick = () => {
        const s = Number(strength.value);
        void this.run({ type: 'push', velocity: [d[0] * s, d[1] * s, d[2] * s] });
      };
    }
    // a refused composition puts the selects back to what the server runs
    for (const id of ['terrain', 'friction', 'gravity', 'damage', 'weak']) $<HTMLSelectElement>(id).onchange = () => void this.run({ type: 'condition', condition: this.compose() }, true);
    const episode = $<HTMLSelectElement>('episode-length');
    episode.onchange = () => void this.run({ type: 'episode-length', seconds: Number(episode.value) });
    const text = $<HTMLInputElement>('condition-text');
    $<HTMLButtonElement>('set-condition').onclick = () => void this.run({ type: 'condition', condition: text.value });
    text.onkeydown = (e) => {
      if (e.key === 'Enter') void this.run({ type: 'condition', condition: text.value });
    };
  }

  /** Reflect a new hello: presets, legs and joints, and the current condition in the selects. */
  hello(h: HelloMessage): void {
    this.lastHello = h;
    const terms = conditionTerms(h.condition);
    const terrain = terms.find((t) => TERRAINS.includes(t.name));
    const current = terrain?.text ?? 'flat';
    const terrainSel = $<HTMLSelectElement>('terrain');
    const presets = Object.entries(h.presets).map(([label, c]): [string, string] => [label, c]);
    // the server's presets are canonical labels, as is `current`: a preset terrain matches one
    setOptions(terrainSel, presets, current);
    if (terrainSel.value !== current) {
      const custom = new Option('custom', current);
      custom.title = current;
      terrainSel.add(custom, 0);
      terrainSel.value = current;
    }
    terrainSel.title = current;
    const friction = terms.find((t) => t.name === 'friction')?.params.mu ?? '';
    ensureOption($<HTMLSelectElement>('friction'), friction);
    const gravity = terms.find((t) => t.name === 'gravity')?.params.scale ?? '';
    ensureOption($<HTMLSelectElement>('gravity'), gravity);
    const dmg = terms.find((t) => t.name === 'damaged');
    if (dmg?.params.length) this.damageLength = dmg.params.length;
    setOptions($<HTMLSelectElement>('damage'), [['none', ''], ...h.legs.map((l): [string, string] => [l, l])], dmg?.params.leg ?? '');
    const weak = terms.find((t) => t.name === 'weak-motor');
    if (weak?.params.scale) this.weakScale = weak.params.scale;
    setOptions($<HTMLSelectElement>('weak'), [['none', ''], ['all', 'all'], ...h.jointNames.map((j): [string, string] => [j, j])], weak?.params.joint ?? '');
    this.extras = terms.filter((t) => !TERRAINS.includes(t.name) && !COMPOSED.includes(t.name)).map((t) => t.text);
    $<HTMLInputElement>('condition-text').value = h.condition;
    const live = h.mode === 'live';
    for (const id of PHYSICS_CONTROLS) ($(id) as HTMLInputElement).disabled = !live;
  }

  status(speed: number, paused: boolean, episodeSeconds: number | null): void {
    if (episodeSeconds !== null) ensureOption($<HTMLSelectElement>('episode-length'), String(episodeSeconds), episodeSeconds > 0 ? `${episodeSeconds} s` : 'endless');
    const pause = $<HTMLButtonElement>('pause');
    pause.dataset.paused = String(paused);
    pause.textContent = paused ? 'play' : 'pause';
    $<HTMLButtonElement>('step').disabled = !paused;
    ensureOption($<HTMLSelectElement>('speed'), String(speed), `×${speed}`);
  }

  /** The condition string the selects describe. */
  compose(): string {
    const v = (id: string) => $<HTMLSelectElement>(id).value;
    const terms = [v('terrain') || 'flat'];
    if (v('friction')) terms.push(`friction(mu=${v('friction')})`);
    if (v('gravity')) terms.push(`gravity(scale=${v('gravity')})`);
    if (v('damage')) terms.push(`damaged(leg=${v('damage')}, length=${this.damageLength})`);
    if (v('weak')) terms.push(`weak-motor(joint=${v('weak')}, scale=${this.weakScale})`);
    return [...terms, ...this.extras].join('+');
  }

  /** The first line of an error (at most ~160 characters) and the rest behind a toggle. */
  showError(text: string): void {
    this.message.className = 'error';
    const nl = text.indexOf('\n');
    let head = nl >= 0 ? text.slice(0, nl) : text;
    let rest = nl >= 0 ? text.slice(nl + 1) : '';
    if (head.length > 160) {
      rest = `${head}\n${rest}`;
      head = `${head.slice(0, 150)}…`;
    }
    head = head.replace(/[.:]\s*Known conditions:?$/i, '');
    this.message.replaceChildren(document.createTextNode(head));
    if (rest.trim()) {
      const more = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'details';
      const pre = document.createElement('pre');
      pre.textContent = rest;
      more.append(summary, pre);
      this.message.append(more);
    }
  }

  private async run(msg: Request, revertOnError = false): Promise<void> {
    this.message.className = 'dim';
    this.message.textContent = `${msg.type}…`;
    const reply = await this.send(msg);
    if (reply.type === 'error') {
      if (revertOnError && this.lastHello) this.hello(this.lastHello);
      this.showError(reply.message);
    } else if (reply.type === 'ack') {
      this.message.className = 'dim';
      this.message.textContent = `${reply.of}: ${reply.detail ?? 'ok'}`;
    }
  }
}
