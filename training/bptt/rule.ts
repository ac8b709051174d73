/**
 * A learned plasticity rule as a file, `rule.json`, that locomotion training can start from:
 *
 *   { format: 'spikeloco-rule', version: 1,
 *     rule: 'bcm-neuromod', term: 'bcm', modulation: 'simple',
 *     task, trainedOn: { iterations, noise, seed, metric, loss },
 *     eta: { output: 0.08 } | {},  tauTheta: { output: 0.2 } | {},      (constrained values)
 *     constants: { clip, preDecay, postDecay, reward },
 *     neuromodulator: { output: { w: [...], bias, reward, fanout: [...] } } | {},
 *     alphaStats: { output: { mean, sd, meanAbs, min, max, n } },
 *     network: <the controller config it was trained in>, obsSize, actSize,
 *     genomeLayout: <layout JSON>,
 *     slices: { "output.alpha": { shape, transform, values }, "output.eta": ..., ... } }
 *
 * `slices` holds the raw genome values of every plasticity slice (α, η, τ_θ, neuromodulator),
 * exactly as stored in the genome. `applyRuleToGenome` copies them into another genome:
 * slices with the same name and shape are copied; scalars (η, τ_θ, mod.bias, mod.reward) are
 * copied whatever the network size; per-synapse / per-neuron slices whose shape differs
 * (α, mod.w, mod.fanout in a bigger network) cannot be mapped one to one and are refilled
 * with N(mean, sd²) of the learned values (seeded), and reported as such.
 */
import { readFileSync } from 'node:fs';
import { Rng } from '../../core/rng.js';
import { validate, type Schema } from '../../core/schema.js';
import { writeFileAtomic } from '../../core/atomic.js';
import { constrain, type GenomeLayout, type GenomeLayoutJSON, type Transform } from '../../controllers/genome.js';
import type { ControllerConfig } from '../../controllers/config.js';
import { parseRuleName, RULE_NAMES, type RuleName } from '../../controllers/plasticity.js';
import type { BpttTrainer } from './learn.js';
import { UserError } from '../../core/errors.js';

export const RULE_FORMAT = 'spikeloco-rule';

export interface SliceValues {
  shape: number[];
  transform: Transform;
  values: number[];
}

export interface AlphaStats {
  mean: number;
  sd: number;
  meanAbs: number;
  min: number;
  max: number;
  n: number;
}

export interface RuleExport {
  format: typeof RULE_FORMAT;
  version: 1;
  rule: RuleName;
  term: string;
  modulation: string;
  task: string;
  trainedOn: { iterations: number; noise: number; seed: number; batch: number; metric: number; loss: number };
  eta: Record<string, number>;
  tauTheta: Record<string, number>;
  constants: { clip: number; preDecay: number; postDecay: number; reward: boolean };
  neuromodulator: Record<string, { w: number[]; bias: number; reward: number | null; fanout: number[] }>;
  alphaStats: Record<string, AlphaStats>;
  network: ControllerConfig;
  obsSize: number;
  actSize: number;
  genomeLayout: GenomeLayoutJSON;
  slices: Record<string, SliceValues>;
}

/** True for the slices that make up a plasticity rule (not the fixed weights). */
export function isPlasticitySlice(name: string): boolean {
  return /^(input|recurrent|output)\.(alpha|eta|tauTheta|mod\.(w|bias|reward|fanout))$/.test(name);
}

export function alphaStats(values: ArrayLike<number>): AlphaStats {
  const n = values.length;
  let s = 0, s2 = 0, sa = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    s += v;
    s2 += v * v;
    sa += Math.abs(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? s / n : 0;
  return { mean, sd: n ? Math.sqrt(Math.max(0, s2 / n - mean * mean)) : 0, meanAbs: n ? sa / n : 0, min, max, n };
}

/** Collect a rule export from a genome of `layout` trained in controller config `network`. */
export function ruleFromGenome(
  network: ControllerConfig,
  layout: GenomeLayout,
  genome: Float32Array,
  info: { task: string; obsSize: number; actSize: number; trainedOn: RuleExport['trainedOn'] },
): RuleExport {
  const rule = network.plasticity.rule;
  const parsed = parseRuleName(rule);
  if (!parsed || network.kind !== 'plastic-snn') throw new Error('rule export: the network has no plasticity rule (static-snn or rule "none")');
  const slices: Record<string, SliceValues> = {};
  const eta: Record<string, number> = {};
  const tauTheta: Record<string, number> = {};
  const neuromodulator: RuleExport['neuromodulator'] = {};
  const alpha: Record<string, AlphaStats> = {};
  for (const s of layout.slices) {
    if (!isPlasticitySlice(s.name)) continue;
    const v = layout.view(genome, s.name);
    slices[s.name] = { shape: [...s.shape], transform: s.transform, values: Array.from(v) };
    const [conn, what] = [s.name.slice(0, s.name.indexOf('.')), s.name.slice(s.name.indexOf('.') + 1)];
    if (what === 'eta') eta[conn] = constrain(s.transform, v[0]);
    if (what === 'tauTheta') tauTheta[conn] = constrain(s.transform, v[0]);
    if (what === 'alpha') alpha[conn] = alphaStats(v);
  }
  for (const conn of network.plasticity.connections) {
    if (!layout.has(`${conn}.mod.w`)) continue;
    neuromodulator[conn] = {
      w: Array.from(layout.view(genome, `${conn}.mod.w`)),
      bias: layout.view(genome, `${conn}.mod.bias`)[0],
      reward: layout.has(`${conn}.mod.reward`) ? layout.view(genome, `${conn}.mod.reward`)[0] : null,
      fanout: Array.from(layout.view(genome, `${conn}.mod.fanout`)),
    };
  }
  const pl = network.plasticity;
  return {
    format: RULE_FORMAT,
    version: 1,
    rule,
    term: parsed.term,
    modulation: parsed.modulation,
    task: info.task,
    trainedOn: info.trainedOn,
    eta,
    tauTheta,
    constants: { clip: pl.clip, preDecay: pl.preDecay, postDecay: pl.postDecay, reward: pl.reward },
    neuromodulator,
    alphaStats: alpha,
    network,
    obsSize: info.obsSize,
    actSize: info.actSize,
    genomeLayout: layout.toJSON(),
    slices,
  };
}

export function buildRuleExport(trainer: BpttTrainer, final: { loss: number; metric: number }): RuleExport {
  const c = trainer.config;
  return ruleFromGenome(trainer.controller, trainer.layout, trainer.model.readGenome(), {
    task: c.task,
    obsSize: trainer.task.nIn,
    actSize: trainer.task.nOut,
    trainedOn: { iterations: trainer.iteration, noise: c.noise, seed: c.seed, batch: c.batch, metric: final.metric, loss: final.loss },
  });
}

/** Atomic write (temp file + rename). */
export function writeRule(path: string, rule: RuleExport): void {
  writeFileAtomic(path, JSON.stringify(rule, null, 1) + '\n');
}

const SLICE_SCHEMA: Schema = {
  type: 'object',
  required: ['shape', 'transform', 'values'],
  properties: {
    shape: { type: 'array', items: { type: 'number', integer: true, min: 0 } },
    transform: { type: 'string', enum: ['none', 'sigmoid'] },
    values: { type: 'array', items: { type: 'number' } },
  },
};

const RULE_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: true,
  required: ['format', 'version', 'rule', 'slices', 'network', 'constants'],
  properties: {
    format: { type: 'string', enum: [RULE_FORMAT] },
    version: { type: 'number', integer: true, min: 1, max: 1 },
    rule: { type: 'string', enum: RULE_NAMES },
    slices: { type: 'record', values: SLICE_SCHEMA },
    network: { type: 'object', additionalProperties: true, properties: {} },
    constants: {
      type: 'object',
      required: ['clip', 'preDecay', 'postDecay', 'reward'],
      properties: { clip: { type: 'number' }, preDecay: { type: 'number' }, postDecay: { type: 'number' }, reward: { type: 'boolean' } },
    },
  },
};

/** Read and check a rule.json; errors name the file and the field. */
export function loadRule(path: string): RuleExport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not a readable JSON rule file (${(e as Error).message})`);
  }
  const r = validate<RuleExport>(raw, RULE_SCHEMA, path);
  for (const [name, s] of Object.entries(r.slices)) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (s.values.length !== size) throw new UserError(`${path}: slices.${name}: shape [${s.shape}] needs ${size} values, got ${s.values.length}`);
  }
  return r;
}

export interface ApplyRuleReport {
  /** slices copied value for value */
  copied: string[];
  /** slices whose shape differs, refilled from N(mean, sd²) of the learned values */
  resampled: string[];
  /** plasticity slices of the target layout the rule has nothing for */
  missing: string[];
  /** slice names the caller should hold fixed (copied + resampled when `freeze`, else []) */
  frozen: string[];
  /** 1 at every genome index of a frozen slice (all 0 without `freeze`) */
  frozenMask: Uint8Array;
}

/**
 * Write the rule's plasticity slices into `genome` (in place, layout `layout`). The target's
 * rule must be the same (same term and modulation; otherwise the slices mean different things)
 * and its plasticity constants are not changed here: set `plasticity.clip/preDecay/postDecay`
 * of the target config from `rule.constants` to reproduce the rule exactly.
 */
export function applyRuleToGenome(rule: RuleExport, layout: GenomeLayout, genome: Float32Array, opts: { freeze?: boolean; seed?: number; targetRule?: RuleName } = {}): ApplyRuleReport {
  layout.checkLength(genome, 'applyRuleToGenome genome');
  if (opts.targetRule && opts.targetRule !== rule.rule) throw new Error(`applyRuleToGenome: rule file holds "${rule.rule}", the target controller uses "${opts.targetRule}"`);
  const rng = new Rng(opts.seed ?? 0);
  const report: ApplyRuleReport = { copied: [], resampled: [], missing: [], frozen: [], frozenMask: new Uint8Array(layout.size) };
  for (const s of layout.slices) {
    if (!isPlasticitySlice(s.name)) continue;
    const src = rule.slices[s.name];
    if (!src) {
      report.missing.push(s.name);
      continue;
    }
    if (src.transform !== s.transform) throw new Error(`applyRuleToGenome: slice ${s.name} is stored with transform "${src.transform}" in the rule, "${s.transform}" in the genome`);
    const dst = layout.view(genome, s.name);
    if (src.shape.join('×') === s.shape.join('×')) {
      dst.set(src.values);
      report.copied.push(s.name);
    } else {
      const st = alphaStats(src.values);
      for (let i = 0; i < dst.length; i++) dst[i] = st.mean + st.sd * rng.normal();
      report.resampled.push(s.name);
    }
    if (opts.freeze) {
      report.frozen.push(s.name);
      report.frozenMask.fill(1, s.offset, s.offset + s.size);
    }
  }
  return report;
}

/**
 * Start a locomotion run from a learned rule: the rule's name and constants replace the config's
 * plasticity section (so the rule runs as it was learned), and the returned initialiser copies or
 * resamples its slices into the initial genome (frozen, if asked, by the returned mask).
 */
export function startFromRule<C extends { controller: Record<string, unknown> }>(
  rule: RuleExport,
  cfg: C,
  opts: { source: string; freeze?: boolean; log?: (line: string) => void },
): { config: C; initialGenome: (layout: GenomeLayout, genome: Float32Array) => Uint8Array | undefined } {
  const config = { ...cfg, controller: { ...cfg.controller, plasticity: { ...((cfg.controller.plasticity as object | undefined) ?? {}), rule: rule.rule, ...rule.constants } } };
  const initialGenome = (layout: GenomeLayout, genome: Float32Array) => {
    const report = applyRuleToGenome(rule, layout, genome, { freeze: opts.freeze, targetRule: rule.rule });
    opts.log?.(`rule ${opts.source}: copied ${report.copied.join(', ') || 'nothing'}; resampled ${report.resampled.join(', ') || 'nothing'}; ${opts.freeze ? `frozen ${report.frozen.join(', ')}` : 'evolving from there'}`);
    if (report.copied.length + report.resampled.length === 0) throw new UserError(`${opts.source}: the rule has no slice this controller uses (missing: ${report.missing.join(', ')})`);
    return report.frozenMask;
  };
  return { config, initialGenome };
}
