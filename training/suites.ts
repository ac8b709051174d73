/**
 * Named sets of conditions. `train` is what training may see (its randomised arm cycles
 * through it); `unseen` is held out for evaluation and never trained on unless forced. The
 * unseen suite was fixed before any result was measured; do not tune it to the outcome.
 *
 * A user suite is a JSON file: { "name": "...", "conditions": ["flat", "slope(deg=5)", ...] }.
 */
import { readFileSync } from 'node:fs';
import { closestName } from '../core/closest.js';
import { UserError } from '../core/errors.js';
import { SchemaError, validate, type Schema } from '../core/schema.js';
import { parseCondition } from '../sim/conditions.js';

export interface Suite {
  name: string;
  description: string;
  conditions: string[];
}

export const SUITES: Record<string, Suite> = {
  flat: { name: 'flat', description: 'flat ground only', conditions: ['flat'] },
  train: {
    name: 'train',
    description: 'mild variations training may randomise over',
    conditions: ['flat', 'friction(mu=0.7)', 'friction(mu=1.5)', 'gravity(scale=0.9)', 'gravity(scale=1.1)', 'rough(amplitude=0.03, scale=2, seed=11)', 'slope(deg=3)', 'slope(deg=-3)'],
  },
  switches: {
    name: 'switches',
    description: 'training-side perturbations switched on mid-episode (training episode schedules; none is in the unseen suite)',
    conditions: [
      'damaged(leg=front-right, length=0.1)',
      'damaged(leg=back-left, length=0.1)',
      'damaged(leg=back-right, length=0.1)',
      'weak-motor(joint=hip_3, scale=0.5)',
      'weak-motor(joint=ankle_2, scale=0.5)',
      'friction(mu=0.5)',
      'slope(deg=5)',
      'payload(kg=0.25)',
      'push(force=200, every=2)',
    ],
  },
  unseen: {
    name: 'unseen',
    description: 'held-out conditions: never in training unless forced',
    conditions: [
      'flat',
      'rough(amplitude=0.05, scale=1.5, seed=101)',
      'rough(amplitude=0.1, scale=1.5, seed=102)',
      'slope(deg=8)',
      'slope(deg=-8)',
      'steps(height=0.05)',
      'friction(mu=0.3)',
      'push(force=300, every=2)',
      'payload(kg=0.5)',
      'weak-motor(joint=hip_1, scale=0.5)',
      'sensor-noise(std=0.1)',
      'damaged(leg=front-left, length=0.1)',
    ],
  },
};

/** Canonical labels of the held-out terms (flat is the reference, not held out). */
function unseenTermLabels(): Set<string> {
  const out = new Set<string>();
  for (const c of SUITES.unseen.conditions) for (const label of parseCondition(c).label.split('+')) if (label !== 'flat') out.add(label);
  return out;
}

/** Legs whose damage is held out (any length): the legs damaged in the unseen suite. */
function heldOutLegs(): Set<string> {
  const out = new Set<string>();
  for (const c of SUITES.unseen.conditions) for (const d of parseCondition(c).damaged) out.add(d.leg);
  return out;
}

/**
 * Why a training condition is refused, or null if it may be trained on: a term that appears
 * in the unseen suite (same canonical parameters), or damage of any length to a leg the unseen
 * suite damages (front-left, held out as in Najarro & Risi 2020; damage to the other legs may
 * be trained on, e.g. switched on mid-episode).
 */
export function unseenReason(condition: string): string | null {
  const c = parseCondition(condition);
  const held = unseenTermLabels();
  const legs = heldOutLegs();
  const labels = c.label.split('+'); // one label per term, in term order
  const hits = labels.filter((l, i) => held.has(l) || (c.terms[i].name === 'damaged' && legs.has(String(c.terms[i].params.leg))));
  return hits.length ? `${hits.join(', ')} ${hits.length > 1 ? 'are' : 'is'} held out in the unseen suite` : null;
}

/** A suite file (`{ "name", "description", "conditions" }`); `name` defaults to the file's path. */
export const SUITE_SCHEMA: Schema = {
  type: 'object',
  document: true,
  required: ['conditions'],
  properties: {
    name: { type: 'string', description: 'shown in tables; default: the file path' },
    description: { type: 'string', default: '' },
    conditions: { type: 'array', items: { type: 'string', description: 'a condition string, e.g. "slope(deg=5)"' }, minItems: 1 },
  },
};

/** A suite by name (`flat`, `train`, `unseen`) or from a JSON file. */
export function loadSuite(nameOrPath: string): Suite {
  if (Object.hasOwn(SUITES, nameOrPath)) return SUITES[nameOrPath];
  if (!nameOrPath.endsWith('.json')) {
    const guess = closestName(nameOrPath, Object.keys(SUITES));
    throw new UserError(`unknown suite "${nameOrPath}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${Object.keys(SUITES).join(', ')}, or a .json file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (e) {
    throw new UserError(`suite ${nameOrPath}: ${(e as Error).message}`, { cause: e });
  }
  const v = validate<Omit<Suite, 'name'> & { name?: string }>(json, SUITE_SCHEMA, nameOrPath);
  const s: Suite = { ...v, name: v.name ?? nameOrPath };
  s.conditions.forEach((c, i) => {
    try {
      parseCondition(c);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      throw new SchemaError(`conditions[${i}]`, 'a condition', c, nameOrPath, e.message);
    }
  });
  return s;
}
