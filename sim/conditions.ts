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
 * a `Condition` (plain data). Nothing is accepted silently: an unknown name or parameter, a
 * parameter given twice, an empty or non-decimal value, NaN/Infinity, a value out of range, a
 * fractional seed, a term given twice where the second would override the first, and text
 * outside the parentheses are all `ConditionError`s that name the problem (and the closest
 * known name for a typo); `describeConditions()` is the full list for help output.
 */
import { closestName } from '../core/closest.js';
import { UserError } from '../core/errors.js';
import { flatTerrain, roughTerrain, slopeTerrain, stepsTerrain, type Terrain } from './terrain.js';

type ParamValue = number | string;

interface ParamSpec {
  name: string;
  kind: 'number' | 'string';
  default: ParamValue;
  min?: number;
  max?: number;
  /** whole numbers only (seeds) */
  integer?: boolean;
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
  /**
   * Whether the term may appear more than once in one condition: not at all (undefined: a second
   * `friction` would silently override the first), or once per value of this parameter (two
   * weak motors on different joints).
   */
  repeatBy?: string;
  params: ParamSpec[];
  apply(c: Condition, p: Record<string, ParamValue>): void;
}

const n = (name: string, def: number, description: string, min: number, max: number, integer = false): ParamSpec => ({
  name, kind: 'number', default: def, description, min, max, integer,
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
    params: [n('amplitude', 0.08, 'peak height, m', 0, 1), n('scale', 1.5, 'bump spacing, m', 0.2, 20), n('seed', 1, 'terrain seed', 0, 2 ** 31, true)],
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
    repeatBy: 'joint',
    params: [s('joint', 'hip_1', 'joint name, or "all"'), n('scale', 0.5, 'gear multiplier', 0.01, 10)],
    apply: (c, p) => void c.weakMotors.push({ joint: str(p, 'joint'), scale: num(p, 'scale') }),
  },
  {
    name: 'locked-joint',
    description: 'weld a joint at its rest angle',
    repeatBy: 'joint',
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
    repeatBy: 'leg',
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

/** The list of known conditions and their parameters, one per line, for --help and docs. */
export function describeConditions(): string {
  return CONDITION_TERMS.map((t) => `  ${termSignature(t)}  ${t.description}`).join('\n');
}

/** `rough(amplitude=0.08, scale=1.5, seed=1)`: a term with its defaults. */
function termSignature(t: TermSpec): string {
  const ps = t.params.map((p) => `${p.name}=${p.default}`).join(', ');
  return `${t.name}${ps ? `(${ps})` : ''}`;
}

/** One short line naming every condition (errors must stay readable where the viewer shows them). */
function knownNames(): string {
  return `known: ${CONDITION_TERMS.map((t) => t.name).join(', ')} (parameters and defaults: "Conditions" in README.md)`;
}

function paramRange(p: ParamSpec): string {
  return `${p.integer ? 'an integer' : 'a number'} in [${p.min}, ${p.max}]`;
}

/** A plain decimal: no hex, binary, NaN, Infinity or empty string (which `Number` would take). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function parseTerm(raw: string, whole: string): ConditionTerm {
  const fail = (why: string): never => {
    throw new ConditionError(`condition "${whole}": ${why}`);
  };
  const text = raw.trim();
  if (!text) fail('empty term (a stray "+"?)');
  const m = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:\(([^()]*)\))?$/.exec(text);
  if (!m) {
    const head = /^([A-Za-z][A-Za-z0-9-]*)\s*(\([^()]*\))?/.exec(text);
    if (head?.[2] && text.length > head[0].length) fail(`unexpected ${JSON.stringify(text.slice(head[0].length))} after "${head[0]}"`);
    if (head && text.slice(head[0].length).startsWith('(') && !text.includes(')')) fail(`"${text}" lacks its closing ")"`);
    fail(`cannot parse "${text}"; expected name or name(key=value, ...), e.g. rough(amplitude=0.05)`);
  }
  const name = m![1].toLowerCase();
  const spec = CONDITION_TERMS.find((t) => t.name === name);
  if (!spec) {
    const guess = closestName(name, CONDITION_TERMS.map((t) => t.name));
    const hint = guess ? ` (did you mean ${termSignature(CONDITION_TERMS.find((t) => t.name === guess)!)}?)` : '';
    return fail(`unknown condition "${name}"${hint}; ${knownNames()}`);
  }
  const params: Record<string, ParamValue> = {};
  for (const p of spec.params) params[p.name] = p.default;
  const given = new Set<string>();
  const body = (m![2] ?? '').trim();
  if (body) {
    for (const kv of body.split(',')) {
      const piece = kv.trim();
      if (!piece) fail(`${name}(${body}): empty parameter (a stray ","?)`);
      const eq = piece.indexOf('=');
      if (eq < 0) fail(`${name}: expected key=value, got "${piece}"`);
      const key = piece.slice(0, eq).trim();
      const value = piece.slice(eq + 1).trim();
      const ps = spec.params.find((p) => p.name === key);
      if (!ps) {
        const guess = closestName(key, spec.params.map((p) => p.name));
        const known = spec.params.length ? spec.params.map((p) => `${p.name} (${p.description}, default ${p.default})`).join(', ') : 'none';
        fail(`${name} has no parameter "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; its parameters: ${known}`);
      }
      if (given.has(key)) fail(`${name}.${key} is given twice; give each parameter once`);
      given.add(key);
      if (ps!.kind === 'number') {
        if (value === '') fail(`${name}.${key} is empty; expected ${paramRange(ps!)}`);
        if (!DECIMAL.test(value)) fail(`${name}.${key} expects a number, got "${value}"`);
        const v = Number(value);
        if (!Number.isFinite(v)) fail(`${name}.${key} expects a finite number, got "${value}"`);
        if (ps!.integer && !Number.isInteger(v)) fail(`${name}.${key} must be ${paramRange(ps!)}, got ${v}`);
        if (v < ps!.min! || v > ps!.max!) fail(`${name}.${key} must be in [${ps!.min}, ${ps!.max}], got ${v}`);
        params[key] = v;
      } else {
        if (!/^[A-Za-z0-9_-]+$/.test(value)) fail(`${name}.${key} expects a name (letters, digits, _ and -), got "${value}"`);
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
  if (!whole) throw new ConditionError(`empty condition; e.g. "flat" or "rough(amplitude=0.05)+push(force=200)"; ${knownNames()}`);
  const terms = whole.split('+').map((t) => parseTerm(t, whole));
  const terrainTerms = terms.filter((t) => CONDITION_TERMS.find((s) => s.name === t.name)!.terrain);
  if (terrainTerms.length > 1) {
    throw new ConditionError(`condition "${whole}": at most one terrain (flat, slope, rough, steps) per condition, got ${terrainTerms.map((t) => t.name).join(' and ')}`);
  }
  const seen = new Set<string>();
  for (const t of terms) {
    const spec = CONDITION_TERMS.find((s) => s.name === t.name)!;
    if (spec.terrain) continue;
    const key = spec.repeatBy ? `${t.name}(${spec.repeatBy}=${t.params[spec.repeatBy]})` : t.name;
    if (seen.has(key)) {
      throw new ConditionError(
        spec.repeatBy
          ? `condition "${whole}": ${t.name} is given twice for ${spec.repeatBy}=${t.params[spec.repeatBy]}; give it once`
          : `condition "${whole}": ${t.name} is given twice; give it once`,
      );
    }
    seen.add(key);
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

/**
 * `add` switched on over `base` (episode schedules): the terms of both, where a term of `add`
 * replaces the base's terrain (if it is a terrain) or the base's term of the same name and
 * repeat key (friction over friction, damage of the same leg); canonical label out.
 * combineConditions('flat', 'friction(mu=0.5)') = 'friction(mu=0.5)'.
 */
export function combineConditions(base: string, add: string): string {
  const b = parseCondition(base);
  const a = parseCondition(add);
  const spec = (t: ConditionTerm) => CONDITION_TERMS.find((s) => s.name === t.name)!;
  const key = (t: ConditionTerm) => (spec(t).terrain ? 'terrain' : spec(t).repeatBy ? `${t.name}(${t.params[spec(t).repeatBy!]})` : t.name);
  const replaced = new Set(a.terms.map(key));
  const kept = b.terms.filter((t) => !replaced.has(key(t)) && !(t.name === 'flat' && a.terms.length > 0));
  const terms = [...kept, ...a.terms];
  return parseCondition(terms.map(termLabel).join('+')).label;
}
