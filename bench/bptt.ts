/**
 * BPTT time per iteration at the reference size — batch 32, 100 steps, 32 inputs, 128 LIF hidden
 * neurons, plastic Hebbian output layer of 8 (membrane readout), fast-sigmoid surrogate, Adam step
 * included — on the tfjs backend `initBackend` picks, and, when Debian's python3-torch is
 * importable, the same network in PyTorch (bench/torch_bptt.py) in the same run, with the ratio
 * tfjs / PyTorch (lower is better; target ≤ 1). The tfjs figure is the fused sequence kernel
 * (fused-output.ts) that GraphSnn uses for this network; the op-by-op graph is timed beside it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { parseControllerConfig } from '../controllers/config.js';
import { snnGenomeLayout } from '../controllers/snn.js';
import { backendInfo, initBackend } from '../training/bptt/backend.js';
import { GraphSnn } from '../training/bptt/graph-snn.js';
import { surrogateSpec } from '../training/bptt/surrogate.js';
import { median, type Section } from './report.js';

export const BENCH_SIZES = { batch: 32, steps: 100, inputs: 32, hidden: 128, outputs: 8 } as const;

function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next interpreter
    }
  }
  return null;
}

/** Seconds per tfjs BPTT iteration (median), and the tensor count before/after (leak check). */
export async function tfjsIteration(quick: boolean, fused = true): Promise<{ seconds: number; numTensorsStable: boolean }> {
  const { batch: B, steps: T, inputs: NI, hidden: H, outputs: NO } = BENCH_SIZES;
  const cfg = parseControllerConfig({
    kind: 'plastic-snn',
    steps: 1,
    encoder: { kind: 'direct' },
    network: { hidden: H, beta: 0.8, outputBeta: 0.5, threshold: 1 },
    decoder: { kind: 'membrane' },
    plasticity: { rule: 'hebbian', connections: ['output'], preDecay: 0.5, postDecay: 0.5, clip: 1, eta: 0.1 },
  });
  const layout = snnGenomeLayout(cfg, NI, NO);
  const model = new GraphSnn(cfg, NI, NO, layout.initialize(0), surrogateSpec('fast-sigmoid', 25));
  model.fused = fused;
  if (fused && model.fusedEligible() !== null) throw new Error(`bench: reference network not fused: ${model.fusedEligible()}`);
  const rng = new Rng(0);
  const obs = Float32Array.from({ length: T * B * NI }, () => rng.normal());
  const tgt = Float32Array.from({ length: T * B * NO }, () => Math.max(-1, Math.min(1, rng.normal())));
  const u = tf.tensor3d(model.encode(obs, T, B), [T, B, NI]);
  const reward = tf.zeros([T, B]);
  const target = tf.tensor3d(tgt, [T, B, NO]);
  const opt = tf.train.adam(0.01);
  const vars = model.trainable();
  const iteration = () => {
    const cost = opt.minimize(() => tf.mean(tf.square(tf.sub(model.run(u, reward, model.initialState(B)).actions, target))) as tf.Scalar, true, vars);
    cost?.dataSync();
    cost?.dispose();
  };
  iteration();
  iteration();
  const n0 = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < (quick ? 3 : 10); i++) {
    const t0 = performance.now();
    iteration();
    times.push((performance.now() - t0) / 1000);
  }
  const stable = tf.memory().numTensors === n0;
  tf.dispose([u, reward, target]);
  opt.dispose();
  model.dispose();
  return { seconds: median(times), numTensorsStable: stable };
}

export async function benchBptt(quick: boolean): Promise<Section> {
  const backend = await initBackend();
  const tfjs = await tfjsIteration(quick, true);
  const graph = await tfjsIteration(quick, false);
  const out: Section = {
    sizes: { ...BENCH_SIZES },
    network: 'direct input → 128 LIF (β 0.8, θ 1, subtract reset) → plastic Hebbian hidden→output (8, membrane readout β 0.5, tanh) ; fast-sigmoid k=25; MSE; Adam',
    backend: backendInfo()?.detail ?? backend,
    tfjsSecondsPerIteration: Number(tfjs.seconds.toFixed(4)),
    tfjsTensorCountStable: tfjs.numTensorsStable && graph.numTensorsStable,
    kernel: 'fused sequence op (training/bptt/fused-output.ts)',
    tfjsOpByOpGraphSecondsPerIteration: Number(graph.seconds.toFixed(4)),
    fusedSpeedupOverGraph: Number((graph.seconds / tfjs.seconds).toFixed(2)),
  };
  const py = torchPython();
  if (!py) {
    out.torch = 'python3-torch not importable; no ratio';
    return out;
  }
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_bptt.py');
  const text = execFileSync(py, [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  const torch = JSON.parse(text.trim().split('\n').pop()!) as { torch: string; threads: number; secondsPerIteration: number };
  out.torch = { version: torch.torch, threads: torch.threads, secondsPerIteration: Number(torch.secondsPerIteration.toFixed(4)) };
  out.ratioTfjsOverTorch = Number((tfjs.seconds / torch.secondsPerIteration).toFixed(3));
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(JSON.stringify(await benchBptt(process.argv.includes('--quick')), null, 2));
