/**
 * TensorFlow.js backend selection for the BPTT path. Preference order:
 *
 *   1. `tensorflow` — `@tensorflow/tfjs-node` (native libtensorflow), if it can be imported
 *      (an optional dependency; absent on machines without a prebuilt binary);
 *   2. `wasm` — `@tensorflow/tfjs-backend-wasm`, with the `.wasm` binaries loaded from
 *      `node_modules/@tensorflow/tfjs-backend-wasm/dist/` (a file path, so it works offline).
 *      The SIMD build is used when the runtime supports WASM SIMD (Node 20 does). The
 *      multi-threaded build needs web workers, which the Node loader does not provide
 *      (`WASM_HAS_MULTITHREAD_SUPPORT` is false here), so it is never picked in Node;
 *   3. `cpu` — the pure-JS reference backend (about 10× slower here).
 *
 * A backend only counts as available once it has run a custom-gradient op correctly (the
 * surrogate spike function relies on `tf.customGrad`).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/*
 * tfjs-backend-cpu prints "Hi, looks like you are running TensorFlow.js in Node.js. To speed
 * things up dramatically, install our node backend…" on its first tensor write in Node
 * (MathBackendCPU.write → backend_util.warn). That advice is wrong for us (we pick the
 * fastest working backend ourselves and say which: BackendInfo.detail, printed by learn-rule
 * and the BPTT study) and it lands in every test run. tfjs-core's warn() and log() are
 * silent when the PROD flag is set; in tfjs 4.x that flag gates nothing else (no kernel or
 * correctness check reads it), so setting it silences exactly these messages.
 */
tf.env().set('PROD', true);

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** e.g. 'wasm (SIMD, 1 thread)'; what the CLI prints */
  detail: string;
  /** backends tried before this one and why each was skipped */
  skipped: string[];
}

let current: BackendInfo | null = null;

/** The backend chosen by the last `initBackend` call, if any. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** Directory holding the tfjs-backend-wasm binaries, with a trailing slash. */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  // the package's "main" lives in dist/, next to the .wasm files
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  let dir = dirname(main);
  if (!existsSync(join(dir, 'tfjs-backend-wasm.wasm'))) dir = join(dir, '..', 'dist');
  return dir.endsWith('/') ? dir : dir + '/';
}

/** Runs y = x² with a custom gradient 3·x·dy and checks both value and gradient. */
function selfTest(): string | null {
  try {
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      return { value: tf.square(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.mul(dy, saved[0]), 3) };
    });
    const [v, g] = tf.tidy(() => {
      const x = tf.tensor1d([1, 2, -3]);
      const value = f(x) as tf.Tensor;
      const grad = tf.grad((z: tf.Tensor) => tf.sum(f(z) as tf.Tensor))(x);
      return [Array.from(value.dataSync()), Array.from(grad.dataSync())];
    });
    const ok = [1, 4, 9].every((e, i) => Math.abs(v[i] - e) < 1e-6) && [3, 6, -9].every((e, i) => Math.abs(g[i] - e) < 1e-6);
    return ok ? null : `custom-gradient self-test gave value ${v} grad ${g}`;
  } catch (e) {
    return `custom-gradient self-test threw: ${(e as Error).message}`;
  }
}

async function tryTensorflow(): Promise<string | null> {
  try {
    const spec = '@tensorflow/tfjs-node'; // a variable, so TypeScript does not demand its types
    await import(spec);
  } catch (e) {
    return `@tensorflow/tfjs-node not importable (${(e as Error).message.split('\n')[0]})`;
  }
  if (!(await tf.setBackend('tensorflow'))) return 'tfjs-node imported but setBackend("tensorflow") failed';
  return null;
}

let wasmPathsSet = false;
async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths(wasmDir());
      wasmPathsSet = true;
    }
    if (!(await tf.setBackend('wasm'))) return 'setBackend("wasm") returned false';
    return null;
  } catch (e) {
    return `wasm backend failed to load (${(e as Error).message.split('\n')[0]})`;
  }
}

/**
 * Select the best backend available (or `prefer`, falling back down the list if it fails) and
 * return its name. Idempotent: calling it again with the same preference is cheap.
 */
export async function initBackend(prefer?: BackendName): Promise<BackendName> {
  if (current && (!prefer || prefer === current.name) && tf.getBackend() === current.name) return current.name;
  const order = prefer ? BACKEND_NAMES.slice(BACKEND_NAMES.indexOf(prefer)) : BACKEND_NAMES;
  const skipped: string[] = [];
  for (const name of order) {
    const why = name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : (await tf.setBackend('cpu')) ? null : 'setBackend("cpu") failed';
    const bad = why ?? selfTest();
    if (bad) {
      skipped.push(`${name}: ${bad}`);
      continue;
    }
    let detail: string = name;
    if (name === 'wasm') {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      detail = `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : '1 thread'})`;
    }
    current = { name, detail, skipped };
    return name;
  }
  throw new Error(`no TensorFlow.js backend works: ${skipped.join('; ')}`);
}
