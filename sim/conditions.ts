/**
 * Named, parameterised, seeded conditions: what the world is like for an episode.
 *
 * A condition string is one or more terms joined by `+`:
 *   flat · slope(deg=8) · rough(amplitude=0.08, scale=1.5, seed=3) · steps(height=0.05)
 *   friction(mu=0.3) · gravity(scale=0.8) · push(force=300, every=2) · payload(kg=2)
 *   weak-motor(joint=hip_1, scale=0.5) · sensor-noise(std=0.05) · damaged(leg=front-left, length=0.1)
 *   locked-joint(joint=ankle_2) · e.g. "rough(amplitude=0.05)+push(force=200)"
 * At most one terrain term (flat, slope, rough, steps). Parameters not given take their
 * defaults; the same string always gives the same world. `parseCondition` turns a string into
 * a `Condition` (plain data), and an unknown name or parameter gets an error listing what is
 * known.
 */
import { UserError } from '../core/errors.js';
import { flatTerrain, roughTerrain, slopeTerrain, stepsTerrain, type Terrain } from './terrain.js';

type ParamValue = number | string;

interface ParamSpec {
  name: string;
  kind: 'number' | 'string';
  default: ParamValue;
  min?: number;
  max?: number;
  description: string;
}

export interface ConditionTerm {
  name: string;
  params: Record<string, ParamValue>;
}

/** What a condition does to an episode: plain data, applied by the env. */
export interface Condition {
  /** canonical string with every parameter spelled out */
  label: string;
  terms: ConditionTerm[];
  terrain: Terrain;
  /** ground friction coefficient (robot geoms keep theirs; the minimum of the two applies) */
  groundFriction: number | null;
  gravityScale: number;
  push: { force: number; every: number; duration: number } | null;
  payloadKg: number;
  weakMotors: { joint: string; scale: number }[];
  lockedJoints: string[];
  damaged: { leg: string; length: number }[];
  sensorNoiseStd: number;
}

interface TermSpec {
  name: string;
  description: string;
  terrain?: boolean;
  params: ParamSpec[];
  apply(c: Condition, p: Record<string, ParamValue>): void;
}

const n = (name: string, def: number, description: string, min?: number, max?: number): ParamSpec => ({
  name, kind: 'number', default: def, description, min, max,
});
const s = (name: string, def: string, description: string): ParamSpec => ({ name, kind: 'string', default: def, description });

const num = (p: Record<string, ParamValue>, k: string) => p[k] as number;
const str = (p: Record<string, ParamValue>, k: string) => p[k] as string;

export const CONDITION_TERMS: readonly TermSpec[] = [
  { name: 'flat', description: 'flat ground', terrain: true, params: [], apply: (c) => void (c.terrain = flatTerrain()) },
  {
    name: 'slope',
    description: 'ground rising along +x (negative deg: descending), flat for the first metre',
    terrain: true,
    params: [n('deg', 8, 'incline in degrees', -30, 30)],
    apply: (c, p) => void (c.terrain = slopeTerrain(num(p, 'deg'))),
  },
  {
    name: 'rough',
    description: 'smooth random bumps (value noise), flat at the spawn',
    terrain: true,
    params: [n('amplitude', 0.08, 'peak height, m', 0, 1), n('scale', 1.5, 'bump spacing, m', 0.2, 20), n('seed', 1, 'terrain seed', 0, 2 ** 31)],
    apply: (c, p) => void (c.terrain = roughTerrain(num(p, 'amplitude'), num(p, 'scale'), num(p, 'seed'))),
  },
  {
    name: 'steps',
    description: 'a staircase along +x (negative height: descending)',
    terrain: true,
    params: [n('height', 0.05, 'rise per step, m', -0.5, 0.5), n('length', 1, 'tread length, m', 0.2, 10)],
    apply: (c, p) => void (c.terrain = stepsTerrain(num(p, 'height'), num(p, 'length'))),
  },
  {
    name: 'friction',
    description: 'ground friction coefficient',
    params: [n('mu', 0.3, 'Coulomb friction', 0, 5)],
    apply: (c, p) => void (c.groundFriction = num(p, 'mu')),
  },
  {
    name: 'gravity',
    description: 'scale gravity',
    params: [n('scale', 0.8, 'multiple of 9.81 m/s²', 0, 5)],
    apply: (c, p) => void (c.gravityScale = num(p, 'scale')),
  },
  {
    name: 'push',
    description: 'lateral pushes on the torso at random sides',
    params: [n('force', 300, 'force, N', 0, 5000), n('every', 2, 'seconds between pushes', 0.1, 100), n('duration', 0.1, 'seconds each push lasts', 0.01, 1)],
    apply: (c, p) => void (c.push = { force: num(p, 'force'), every: num(p, 'every'), duration: num(p, 'duration') }),
  },
  {
    name: 'payload',
    description: 'a box of extra mass on the torso',
    params: [n('kg', 2, 'mass, kg', 0, 100)],
    apply: (c, p) => void (c.payloadKg += num(p, 'kg')),
  },
  {
    name: 'weak-motor',
    description: 'scale the gear of one joint (or all)',
    params: [s('joint', 'hip_1', 'joint name, or "all"'), n('scale', 0.5, 'gear multiplier', 0.01, 10)],
    apply: (c, p) => void c.weakMotors.push({ joint: str(p, 'joint'), scale: num(p, 'scale') }),
  },
  {
    name: 'locked-joint',
    description: 'weld a joint at its rest angle',
    params: [s('joint', 'ankle_1', 'joint name')],
    apply: (c, p) => void c.lockedJoints.push(str(p, 'joint')),
  },
  {
    name: 'sensor-noise',
    description: 'Gaussian noise on every observation',
    params: [n('std', 0.05, 'standard deviation', 0, 10)],
    apply: (c, p) => void (c.sensorNoiseStd = num(p, 'std')),
  },
  {
    name: 'damaged',
    description: "shorten a leg's last link (Najarro & Risi 2020: front-left 0.4 → 0.1)",
    params: [s('leg', 'front-left', 'leg name'), n('length', 0.1, 'new link extent, m', 0.01, 2)],
    apply: (c, p) => void c.damaged.push({ leg: str(p, 'leg'), length: num(p, 'length') }),
  },
];

export class ConditionError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** The list of known conditions and their parameters, for errors and --help. */
export function describeConditions(): string {
  return CONDITION_TERMS.map((t) => {
    const ps = t.params.map((p) => `${p.name}=${p.default}`).join(', ');
    return `  ${t.name}${ps ? `(${ps})` : ''}  ${t.description}`;
  }).join('\n');
}

function parseTerm(raw: string, whole: string): ConditionTerm {
  const m = /^\s*([a-z][a-z0-9-]*)\s*(?:\((.*)\))?\s*$/i.exec(raw);
  if (!m) throw new ConditionError(`condition "${whole}": cannot parse "${raw.trim()}"; expected name or name(key=value, ...). Known conditions:\n${describeConditions()}`);
  const name = m[1].toLowerCase();
  const spec = CONDITION_TERMS.find((t) => t.name === name);
  if (!spec) throw new ConditionError(`condition "${whole}": unknown condition "${name}". Known conditions:\n${describeConditions()}`);
  const params: Record<string, ParamValue> = {};
  for (const p of spec.params) params[p.name] = p.default;
  const body = (m[2] ?? '').trim();
  if (body) {
    for (const kv of body.split(',')) {
      const eq = kv.indexOf('=');
      const key = (eq < 0 ? '' : kv.slice(0, eq)).trim();
      const value = kv.slice(eq + 1).trim();
      const ps = spec.params.find((p) => p.name === key);
      if (!ps) {
        const known = spec.params.length ? spec.params.map((p) => `${p.name} (${p.description}, default ${p.default})`).join(', ') : 'none';
        throw new ConditionError(`condition "${whole}": ${name} has no parameter "${key || kv.trim()}"; its parameters: ${known}`);
      }
      if (ps.kind === 'number') {
        const v = Number(value);
        if (value === '' || !Number.isFinite(v)) throw new ConditionError(`condition "${whole}": ${name}.${key} expects a number, got "${value}"`);
        if ((ps.min !== undefined && v < ps.min) || (ps.max !== undefined && v > ps.max)) {
          throw new ConditionError(`condition "${whole}": ${name}.${key} must be in [${ps.min}, ${ps.max}], got ${v}`);
        }
        params[key] = v;
      } else {
        if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new ConditionError(`condition "${whole}": ${name}.${key} expects a name, got "${value}"`);
        params[key] = value;
      }
    }
  }
  return { name, params };
}

function termLabel(t: ConditionTerm): string {
  const spec = CONDITION_TERMS.find((s) => s.name === t.name)!;
  if (!spec.params.length) return t.name;
  return `${t.name}(${spec.params.map((p) => `${p.name}=${t.params[p.name]}`).join(', ')})`;
}

/** Parse a condition string (see the header) into plain data. */
export function parseCondition(text: string): Condition {
  const whole = text.trim();
  if (!whole) throw new ConditionError(`empty condition; known conditions:\n${describeConditions()}`);
  const terms = whole.split('+').map((t) => parseTerm(t, whole));
  const terrainTerms = terms.filter((t) => CONDITION_TERMS.find((s) => s.name === t.name)!.terrain);
  if (terrainTerms.length > 1) {
    throw new ConditionError(`condition "${whole}": at most one terrain (flat, slope, rough, steps) per condition, got ${terrainTerms.map((t) => t.name).join(' and ')}`);
  }
  const c: Condition = {
    label: '',
    terms,
    terrain: flatTerrain(),
    groundFriction: null,
    gravityScale: 1,
    push: null,
    payloadKg: 0,
    weakMotors: [],
    lockedJoints: [],
    damaged: [],
    sensorNoiseStd: 0,
  };
  for (const t of terms) CONDITION_TERMS.find((s) => s.name === t.name)!.apply(c, t.params);
  c.label = terms.map(termLabel).join('+');
  return c;
}
