/**
 * A policy over a long episode, window by window (`spikeloco windows`): how fast it walks in
 * each window and what its network does meanwhile, to tell a gait that slows down from one that
 * stops. Per window of `window` seconds: forward speed, planar speed and the direction of
 * travel (a gait that turns from one that slows), the actions' mean change per control
 * step |Δa| (a gait moves its actions; a stalled robot holds them), the share of actions at
 * ±1 (torques pinned), and for a spiking network the hidden spikes per neuron per act and the
 * share of Hebb entries at the clip. `freezeHebbAt` stops every plastic update at that second
 * (Hebb, E, θ and the means keep their values; `SnnController.plasticityFrozen`): a gait that
 * still stalls with its synapses frozen does not stall because they drift.
 *
 * The episodes are those of `eval` (experiments/evaluation.ts `wholeEpisodes`: seeds derived
 * from `seed`), run in this process on one thread: 6 episodes of 60 s are ≈ 7,200 env steps.
 */
import { LocomotionEnv } from '../sim/env.js';
import { policyController, type LoadedPolicy } from '../training/policy.js';
import { wholeEpisodes } from './evaluation.js';
import type { Controller } from '../controllers/controller.js';
import { runEpisode } from '../training/episode.js';
import { SnnController } from '../controllers/snn.js';

export interface WindowOptions {
  seconds: number;
  window: number;
  episodes: number;
  seed: number;
  condition: string;
  /** stop plasticity at this second of every episode (null: never) */
  freezeHebbAt: number | null;
  /** a last window slower than this (m/s) counts the episode as stalled */
  stallSpeed: number;
}

export interface WindowRow {
  /** window start and end, s */
  from: number;
  to: number;
  /** forward speed over the window, m/s */
  speed: number;
  /** planar speed over the window (net displacement in x and y / window), m/s: well above
   * `speed` means the robot walks, but not forward (it turned) */
  planarSpeed: number;
  /** the direction it travelled in the window, degrees from +x either way (0 forward, 90
   * sideways, 180 back): speed = planar speed · cos(heading) */
  heading: number;
  /** mean |a_t − a_{t−1}| over actions and steps */
  actionChange: number;
  /** share of action entries with |a| ≥ 0.99 */
  actionSaturation: number;
  /** hidden spikes per neuron per act (spiking networks; null otherwise) */
  hiddenSpikes: number | null;
  /** share of Hebb entries at the clip (plastic networks; null otherwise) */
  hebbAtClip: number | null;
}

export interface WindowEpisode {
  seed: number;
  /** 'time' or why it ended early (fell, flipped, rose, exploded) */
  endReason: string;
  seconds: number;
  /** the complete windows before the episode ended */
  windows: WindowRow[];
  /** its last complete window slower than `stallSpeed` while the episode ran to its end */
  stalled: boolean;
}

export interface WindowReport {
  policy: string;
  options: WindowOptions;
  episodes: WindowEpisode[];
  /** per window, the mean over the episodes that completed it */
  mean: (WindowRow & { episodes: number })[];
  stalled: number;
  endedEarly: number;
}

/** The SNN inside the wrappers (observation normaliser, clock inputs), if the policy is one. */
export function innerSnn(c: Controller): SnnController | null {
  let x: unknown = c;
  for (let depth = 0; depth < 8 && x; depth++) {
    if (x instanceof SnnController) return x;
    x = (x as { inner?: unknown }).inner;
  }
  return null;
}

export async function windowStats(name: string, policy: LoadedPolicy, o: WindowOptions): Promise<WindowReport> {
  if (!(o.window > 0) || o.window > o.seconds) throw new RangeError(`windows: the window (${o.window} s) must be in (0, ${o.seconds}] s`);
  if (o.freezeHebbAt !== null && !(o.freezeHebbAt > 0)) throw new RangeError(`windows: plasticity can be frozen after the first control step, not at ${o.freezeHebbAt} s`);
  const env = await LocomotionEnv.create({ morphology: policy.morphology, condition: o.condition, maxSteps: Number.MAX_SAFE_INTEGER, reward: policy.reward });
  try {
    const specs = wholeEpisodes([o.condition], o.episodes, o.seconds, o.seed);
    const perWindow = Math.round(o.window / env.controlDt);
    const freezeStep = o.freezeHebbAt === null ? Infinity : Math.round(o.freezeHebbAt / env.controlDt);
    const episodes: WindowEpisode[] = [];
    for (const spec of specs) {
      const controller = policyController(policy, env.obsSize, env.actSize);
      const snn = innerSnn(controller);
      const view = snn?.introspect() ?? null;
      const hidden = view?.layers.find((l) => l.name === 'hidden' && l.counts) ?? null;
      const clip = snn?.plasticParams('output')?.clip ?? snn?.plasticParams('input')?.clip ?? snn?.plasticParams('recurrent')?.clip ?? 1;
      const prev = new Float32Array(env.actSize);
      let change = 0, saturated = 0, spikes = 0, atClip = 0, n = 0, steps = 0;
      const windows: WindowRow[] = [];
      // where the torso starts (runEpisode resets the env the same way again)
      env.reset(spec.seed);
      let [px, py] = env.torsoPosition();
      // the torso's x every window (TaskResult-style trace) gives each window's speed
      const stats = runEpisode(env, controller, { ...spec, traceEvery: perWindow }, {
        onStep: (e, a, _reward, r) => {
          steps++;
          if (steps === freezeStep && snn) snn.plasticityFrozen = true;
          for (let j = 0; j < a.length; j++) {
            const u = e.lastAction[j];
            change += Math.abs(u - prev[j]);
            if (Math.abs(u) >= 0.99) saturated++;
            prev[j] = u;
          }
          if (hidden) {
            let c = 0;
            for (let i = 0; i < hidden.counts!.length; i++) c += hidden.counts![i];
            spikes += c / hidden.size;
          }
          if (view && view.hebb.length) {
            let k = 0, total = 0;
            for (const h of view.hebb) {
              for (let i = 0; i < h.values.length; i++) if (Math.abs(h.values[i]) >= clip * 0.999) k++;
              total += h.values.length;
            }
            atClip += k / total;
          }
          n++;
          if (n === perWindow && !r.done) {
            const to = steps * e.controlDt;
            const [x, y] = e.torsoPosition();
            windows.push({
              from: to - n * e.controlDt,
              to,
              speed: NaN, // from the trace, below
              planarSpeed: Math.hypot(x - px, y - py) / (n * e.controlDt),
              heading: Math.abs((Math.atan2(y - py, x - px) * 180) / Math.PI),
              actionChange: change / (n * e.actSize),
              actionSaturation: saturated / (n * e.actSize),
              hiddenSpikes: hidden ? spikes / n : null,
              hebbAtClip: view && view.hebb.length ? atClip / n : null,
            });
            change = saturated = spikes = atClip = n = 0;
            px = x;
            py = y;
          }
        },
      });
      const endReason = stats.endReason;
      const trace = stats.trace!;
      windows.length = Math.min(windows.length, trace.length - 1);
      windows.forEach((w, k) => (w.speed = (trace[k + 1] - trace[k]) / (perWindow * env.controlDt)));
      const last = windows[windows.length - 1];
      episodes.push({ seed: spec.seed, endReason, seconds: stats.seconds, windows, stalled: endReason === 'time' && !!last && last.speed < o.stallSpeed });
    }
    const nWindows = Math.max(0, ...episodes.map((e) => e.windows.length));
    const mean = Array.from({ length: nWindows }, (_, w) => {
      const rows = episodes.map((e) => e.windows[w]).filter((r): r is WindowRow => !!r);
      const avg = (k: keyof WindowRow) => {
        const xs = rows.map((r) => r[k]).filter((v): v is number => v !== null);
        return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : null;
      };
      return { from: rows[0].from, to: rows[0].to, speed: avg('speed')!, planarSpeed: avg('planarSpeed')!, heading: avg('heading')!, actionChange: avg('actionChange')!, actionSaturation: avg('actionSaturation')!, hiddenSpikes: avg('hiddenSpikes'), hebbAtClip: avg('hebbAtClip'), episodes: rows.length };
    });
    return { policy: name, options: o, episodes, mean, stalled: episodes.filter((e) => e.stalled).length, endedEarly: episodes.filter((e) => e.endReason !== 'time').length };
  } finally {
    env.free();
  }
}

const fx = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));

/** The report as a readable table: one line per window (means over episodes), then the verdict. */
export function formatWindows(r: WindowReport): string {
  const o = r.options;
  const lines = [
    `${r.policy}: ${o.episodes} × ${o.seconds} s on ${o.condition}, windows of ${o.window} s${o.freezeHebbAt === null ? '' : `, plasticity frozen at ${o.freezeHebbAt} s`}`,
    '  window (s)   speed m/s   planar m/s   heading °   |Δa|    a at ±1   hidden spikes   Hebb at clip   episodes',
  ];
  for (const w of r.mean) {
    lines.push(`  ${`${fx(w.from, 0)}–${fx(w.to, 0)}`.padEnd(11)}  ${fx(w.speed).padStart(9)}   ${fx(w.planarSpeed).padStart(10)}   ${fx(w.heading, 0).padStart(9)}   ${fx(w.actionChange, 3).padStart(5)}   ${fx(w.actionSaturation).padStart(7)}   ${fx(w.hiddenSpikes).padStart(13)}   ${fx(w.hebbAtClip).padStart(12)}   ${String(w.episodes).padStart(8)}`);
  }
  lines.push(`  stalled (last window < ${o.stallSpeed} m/s, ran to the end): ${r.stalled} of ${r.episodes.length}; ended early: ${r.endedEarly} (${r.episodes.filter((e) => e.endReason !== 'time').map((e) => `${e.endReason} at ${e.seconds.toFixed(1)} s`).join(', ') || 'none'})`);
  return lines.join('\n');
}
