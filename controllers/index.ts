/** The controllers layer's public surface. */
export type { Controller, ControllerIntrospection, LayerView, MatrixView } from './controller.js';
export { CONTROLLER_CONFIG_SCHEMA, CONTROLLER_KINDS, CONNECTION_NAMES, parseControllerConfig, defaultControllerConfig } from './config.js';
export type { ControllerConfig, ControllerKind, ConnectionName } from './config.js';
export { createController, genomeLayoutFor, initGenome, hasGenome, resolveConfig } from './factory.js';
export type { GenomeController } from './factory.js';
export { GenomeLayout, constrain, logit, transferGenome } from './genome.js';
export type { GenomeLayoutJSON, GenomeSlice, Transform } from './genome.js';
export { SnnController, snnGenomeLayout, snnShape } from './snn.js';
export { MlpController, mlpGenomeLayout } from './mlp.js';
export { ZeroController, RandomController, OscillatorController } from './baselines.js';
export { RULE_NAMES, parseRuleName } from './plasticity.js';
export type { RuleName, PlasticityRule } from './plasticity.js';
export { benchController } from './act-timing.js';
