/**
 * Rollout throughput of the worker pool with 1 and 2 workers on the same population (default
 * plastic-SNN Ant, flat, 10-s episodes), and the controller's cost per control step next to
 * the physics cost of the same step.
 */
import { benchPopulation } from './population.js';
import os from 'node:os';
import { antSpec } from '../morphologies/ant.js';
import { createController, genomeLayoutFor, initGenome, parseControllerConfig } from '../controllers/index.js';
import { LocomotionEnv } from '../sim/env.js';
import { RolloutPool } from '../training/pool.js';
import { policySpec } from '../training/task-runner.js';
import { TASK_FORMAT_VERSION, type WorkerTask } from '../training/task.js';
import { deriveSeed } from '../core/rng.js';
import { heapDeltaPerStep, median, type Section } from './report.js';
import { benchController } from '../controllers/act-timing.js';
import { readFileSync } from 'node:fs';

function defaultControllerConfig(): Record<string, unknown> {
  const cfg = JSON.parse(readFileSync(new URL('../../configs/ant-plastic.json', import.meta.url), 'utf8')) as { controller: Record<string, unknown> };
  return cfg.controller;
}

export async function benchTraining(quick: boolean): Promise<Section> {
  const spec = antSpec();
  const controllerCfg = parseControllerConfig(defaultControllerConfig(), 'configs/ant-plastic.json controller');
  const env = await LocomotionEnv.create({ morphology: spec });
  const layout = genomeLayoutFor(controllerCfg, env.obsSize, env.actSize);
  const pop = quick ? 8 : 48; // the shipped configs' population
  const genomes = benchPopulation(layout, pop);

  // controller cost vs physics cost per control step
  const controller = createController(controllerCfg, env.obsSize, env.actSize, initGenome(layout, 1));
  controller.reset(0);
  let obs = env.reset(0);
  const actTimes: number[] = [];
  const physTimes: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    let tAct = 0, tPhys = 0;
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      const a = controller.act(obs, 0);
      const t1 = performance.now();
      const r = env.step(a);
      tPhys += performance.now() - t1;
      tAct += t1 - t0;
      obs = r.obs;
      if (r.done || r.truncated) {
        obs = env.reset(i);
        controller.reset(i);
      }
    }
    actTimes.push((tAct / 2000) * 1000);
    physTimes.push((tPhys / 2000) * 1000);
  }
  const heap = heapDeltaPerStep(() => controller.act(obs, 0), 10000);
  const actUs = median(actTimes), physUs = median(physTimes);
  env.free();

  // the plastic kernel's cost per connection type: µs per act of the shipped network with
  // plasticity on each connection alone (and all, and the Najarro-style ABCD arm), the static
  // network as the base, each over the physics cost measured above
  const base = defaultControllerConfig();
  const pl = (base.plasticity ?? {}) as Record<string, unknown>;
  const variants: Record<string, Record<string, unknown>> = {
    static: { ...base, kind: 'static-snn' },
    output: { ...base, plasticity: { ...pl, connections: ['output'] } },
    input: { ...base, plasticity: { ...pl, connections: ['input'] } },
    recurrent: { ...base, network: { recurrent: true }, plasticity: { ...pl, connections: ['recurrent'] } },
    'static+recurrent': { ...base, kind: 'static-snn', network: { recurrent: true } },
    all: { ...base, network: { recurrent: true }, plasticity: { ...pl, connections: ['input', 'recurrent', 'output'] } },
    'abcd input+output, random weights': { ...base, plasticity: { ...pl, rule: 'abcd', connections: ['input', 'output'], randomWeights: true } },
    'output, synaptic scaling': { ...base, plasticity: { ...pl, connections: ['output'], normalize: 'post' } },
    'abcd input+output, random weights, synaptic scaling': { ...base, plasticity: { ...pl, rule: 'abcd', connections: ['input', 'output'], randomWeights: true, normalize: 'post' } },
  };
  const plasticCost: Record<string, { usPerAct: number; overPhysics: number }> = {};
  for (const [name, cfg] of Object.entries(variants)) {
    const us = benchController(cfg, env.obsSize, env.actSize, quick ? 1000 : 5000);
    plasticCost[name] = { usPerAct: Number(us.toFixed(2)), overPhysics: Number((us / physUs).toFixed(3)) };
  }

  const throughput: Record<string, number> = {};
  const hashes: Record<string, string> = {};
  for (const workers of [1, 2]) {
    const pool = await RolloutPool.create(workers);
    const policy = policySpec({ morphology: spec, controller: controllerCfg });
    // one 200-step flat episode per genome, seed deriveSeed(7, generation, 0) as a training generation's
    const tasks = (generation: number, gs: Float32Array[]): WorkerTask[] =>
      gs.map((genome, m) => ({ version: TASK_FORMAT_VERSION, runId: 'bench', label: `genome ${m}`, index: m, policyKey: policy.key, genome, normalizer: null, collectStats: false, episodes: [{ seed: deriveSeed(7, generation, 0), maxSteps: 200, condition: 'flat', switches: [] }] }));
    await pool.run(policy, tasks(0, genomes.slice(0, workers))); // warm-up
    const rates: number[] = [];
    let fingerprint = '';
    for (let rep = 0; rep < (quick ? 1 : 5); rep++) {
      const t0 = performance.now();
      const res = await pool.run(policy, tasks(1, genomes));
      const steps = res.reduce((s, r) => s + r.steps, 0);
      rates.push(steps / ((performance.now() - t0) / 1000));
      fingerprint = res.map((r) => r.fitness.toString()).join(',');
    }
    await pool.close();
    throughput[`workers${workers}`] = Math.round(median(rates));
    hashes[`workers${workers}`] = String(deriveSeed(0, ...fingerprint.split('').map((c) => c.charCodeAt(0))));
  }
  return {
    controller: controllerCfg,
    genomeSize: layout.size,
    controllerUsPerStep: Number(actUs.toFixed(2)),
    physicsUsPerStep: Number(physUs.toFixed(2)),
    controllerOverPhysics: Number((actUs / physUs).toFixed(3)),
    controllerTarget: '≤ 0.25',
    plasticCostPerConnection: plasticCost,
    controllerHeapBytesPerStep: Number.isFinite(heap) ? Math.round(heap) : 'run with --expose-gc',
    cores: os.cpus().length,
    population: pop,
    envStepsPerSec: throughput,
    scaling2over1: Number((throughput.workers2 / throughput.workers1).toFixed(3)),
    scalingTarget: '≥ 1.85',
    identicalResults1vs2: hashes.workers1 === hashes.workers2,
  };
}
