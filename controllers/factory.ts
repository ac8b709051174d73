/**
 * Build a controller from a config: `createController(config, obsSize, actSize, genome?)`, and
 * the genome layout a config implies: `genomeLayoutFor(config, obsSize, actSize)` (empty, size 0,
 * for controllers without a genome: zero, random, oscillator).
 */
import type { Controller } from './controller.js';
import { parseControllerConfig, type ControllerConfig } from './config.js';
import { GenomeLayout } from './genome.js';
import { MlpController, mlpGenomeLayout } from './mlp.js';
import { SnnController, snnGenomeLayout } from './snn.js';
import { OscillatorController, RandomController, ZeroController } from './baselines.js';
import { ClockInputs, CLOCK_INPUTS } from './clock.js';

/** A controller whose behaviour is set by a genome (plastic-snn, static-snn, mlp). */
export interface GenomeController extends Controller {
  readonly layout: GenomeLayout;
  readonly genome: Float32Array;
  setGenome(genome: Float32Array): void;
}

function sizesOk(obsSize: number, actSize: number): void {
  if (!Number.isInteger(obsSize) || obsSize < 1) throw new Error(`controller: obsSize must be an integer ≥ 1, got ${obsSize}`);
  if (!Number.isInteger(actSize) || actSize < 1) throw new Error(`controller: actSize must be an integer ≥ 1, got ${actSize}`);
}

/** The genome layout of a config; an empty layout (size 0) for zero, random and oscillator. */
export function genomeLayoutFor(config: ControllerConfig, obsSize: number, actSize: number): GenomeLayout {
  sizesOk(obsSize, actSize);
  if (config.clock.frequency > 0 && hasNetwork(config)) obsSize += CLOCK_INPUTS;
  switch (config.kind) {
    case 'plastic-snn':
    case 'static-snn':
      return snnGenomeLayout(config, obsSize, actSize);
    case 'mlp':
      return mlpGenomeLayout(config, obsSize, actSize);
    default:
      return new GenomeLayout([]);
  }
}

/**
 * `config` is a parsed config, or raw JSON (then parsed here). Without a genome a network
 * controller starts from `layout.initialize(0)`. The genome is copied.
 */
export function createController(config: ControllerConfig | unknown, obsSize: number, actSize: number, genome?: Float32Array): Controller {
  sizesOk(obsSize, actSize);
  const c = resolveConfig(config);
  if (c.clock.frequency > 0 && hasNetwork(c)) {
    return new ClockInputs(c.clock, obsSize, createController({ ...c, clock: { ...c.clock, frequency: 0 } }, obsSize + CLOCK_INPUTS, actSize, genome) as GenomeController);
  }
  switch (c.kind) {
    case 'plastic-snn':
    case 'static-snn':
      return new SnnController(c, obsSize, actSize, genome);
    case 'mlp':
      return new MlpController(c, obsSize, actSize, genome);
    case 'zero':
      return new ZeroController(obsSize, actSize);
    case 'random':
      return new RandomController(obsSize, actSize);
    case 'oscillator':
      return new OscillatorController(c.oscillator, obsSize, actSize);
  }
}

/** A fresh seeded genome for a layout (each slice's initialiser; see genome.ts). */
export function initGenome(layout: GenomeLayout, seed: number): Float32Array {
  return layout.initialize(seed);
}

/** A parsed config as is; anything else through `parseControllerConfig`. */
export function resolveConfig(config: ControllerConfig | unknown): ControllerConfig {
  return isParsed(config) ? config : parseControllerConfig(config);
}

/** Controllers with a genome expose `layout`, `genome` and `setGenome`. */
export function hasGenome(c: Controller): c is GenomeController {
  return 'layout' in c && 'setGenome' in c;
}

function hasNetwork(c: ControllerConfig): boolean {
  return c.kind === 'plastic-snn' || c.kind === 'static-snn' || c.kind === 'mlp';
}

function isParsed(v: unknown): v is ControllerConfig {
  // a parsed config has every section filled in; anything else goes through the schema
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.kind === 'string' && typeof o.steps === 'number' && typeof o.network === 'object' && typeof o.plasticity === 'object' && typeof o.init === 'object' && typeof o.oscillator === 'object' && typeof o.mlp === 'object' && typeof o.clock === 'object';
}
