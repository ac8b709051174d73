/**
 * One memory probe, run in its own worker thread (so it has its own Rapier WebAssembly
 * instance): repeats one kind of work and reports RSS, the WASM linear memory and the JS heap
 * every `every` iterations. bench/memory.ts starts it; `workerData` says what to repeat.
 *
 * | mode           | one iteration                                                                      |
 * |----------------|------------------------------------------------------------------------------------|
 * | episode        | `env.reset(seed)` + `steps` control steps of the open-loop gait (the rollout)      |
 * | episode-before | the same plus `world.free()` + Rapier's `World.restoreSnapshot` of the same Ant     |
 * |                | world: the reset before the fix (sim/rapier.ts `restoreWorld`) put back            |
 * | restore-rapier | `world.free()` + Rapier's `World.restoreSnapshot(pristine)` (the reset before)     |
 * | restore        | `world.free()` + `restoreWorld(pristine)` (sim/rapier.ts: the reset now)           |
 * | build          | `buildWorld` + `world.free()` (a whole new world)                                  |
 * | step           | one `world.step()` on a world that is never reset                                  |
 * | contact        | one `world.contactPair(foot, ground, cb)` per foot                                 |
 */
import { parentPort, workerData } from 'node:worker_threads';
import { watchWasmMemory } from './wasm-memory.js';

export type ProbeMode = 'episode' | 'episode-before' | 'restore-rapier' | 'restore' | 'build' | 'step' | 'contact';

export interface ProbeInput {
  mode: ProbeMode;
  iterations: number;
  /** sample every this many iterations */
  every: number;
  /** control steps per episode ('episode' mode) */
  steps: number;
  /** give the event loop a turn every this many iterations (0: never), as a worker between tasks */
  yieldEvery: number;
}

export interface ProbeSample {
  iteration: number;
  rss: number;
  wasm: number;
  heapUsed: number;
  seconds: number;
}

export type ProbeMessage = { type: 'sample'; sample: ProbeSample } | { type: 'done'; contacts: number } | { type: 'error'; message: string };

// before the Rapier instance of this thread is made
const wasmBytes = watchWasmMemory();

const port = parentPort!;
const send = (m: ProbeMessage) => port.postMessage(m);

async function main(input: ProbeInput): Promise<void> {
  const { initRapier, RAPIER, restoreWorld } = await import('../sim/rapier.js');
  const { LocomotionEnv, DEFAULT_PHYSICS } = await import('../sim/env.js');
  const { buildWorld } = await import('../sim/world.js');
  const { antSpec } = await import('../morphologies/ant.js');
  const { parseCondition } = await import('../sim/conditions.js');
  const { openLoopGait } = await import('../sim/gait.js');
  await initRapier();
  const env = await LocomotionEnv.create({ morphology: antSpec(), terminate: false, maxSteps: Number.MAX_SAFE_INTEGER });
  const gait = openLoopGait(env.spec, env.jointNames);
  const a = new Float32Array(env.actSize);
  const act = (t: number) => {
    const time = t * env.controlDt;
    for (let j = 0; j < a.length; j++) a[j] = gait.offset[j] + gait.amplitude[j] * Math.sin(2 * Math.PI * gait.frequency * time + gait.phase[j]);
    return a;
  };
  // a bare world for the restore / build / step / contact modes
  const spec = env.spec, condition = parseCondition('flat');
  let built = buildWorld(spec, condition, DEFAULT_PHYSICS);
  const pristine = built.world.takeSnapshot();
  for (let s = 0; s < 40; s++) built.world.step(); // feet on the ground: contact pairs exist
  const ground = () => built.world.getCollider(built.groundHandle);
  const feet = () => built.footHandles.map((h) => built.world.getCollider(h));
  let contacts = 0;
  const onManifold = (m: InstanceType<typeof RAPIER.TempContactManifold>) => {
    if (m.numSolverContacts() > 0) contacts++;
  };
  let g = ground(), f = feet();

  const once: Record<ProbeMode, (i: number) => void> = {
    episode: (i) => {
      env.reset(i);
      for (let t = 0; t < input.steps; t++) env.step(act(t));
    },
    'episode-before': (i) => {
      env.reset(i);
      built.world.free();
      built.world = RAPIER.World.restoreSnapshot(pristine);
      for (let t = 0; t < input.steps; t++) env.step(act(t));
    },
    'restore-rapier': () => {
      built.world.free();
      built.world = RAPIER.World.restoreSnapshot(pristine);
    },
    restore: () => {
      built.world.free();
      built.world = restoreWorld(pristine);
    },
    build: () => {
      built.world.free();
      built = buildWorld(spec, condition, DEFAULT_PHYSICS);
    },
    step: () => built.world.step(),
    contact: () => {
      for (const foot of f) built.world.contactPair(foot, g, onManifold);
    },
  };
  const run = once[input.mode];
  const replacesWorld = input.mode === 'restore-rapier' || input.mode === 'restore' || input.mode === 'build' || input.mode === 'episode-before';
  const t0 = performance.now();
  const sample = (iteration: number) =>
    send({ type: 'sample', sample: { iteration, rss: process.memoryUsage.rss(), wasm: wasmBytes(), heapUsed: process.memoryUsage().heapUsed, seconds: (performance.now() - t0) / 1000 } });
  sample(0);
  for (let i = 1; i <= input.iterations; i++) {
    run(i);
    if (replacesWorld) { g = ground(); f = feet(); }
    if (input.yieldEvery > 0 && i % input.yieldEvery === 0) await new Promise((r) => setImmediate(r));
    if (i % input.every === 0) sample(i);
  }
  env.free();
  built.world.free();
  send({ type: 'done', contacts });
}

main(workerData as ProbeInput).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }));
