/**
 * Which Rapier build is fastest for our env, measured interleaved in one process:
 *
 *   node dist/bench/rapier-builds.js NAME=PACKAGE_DIR ... [--rounds 4] [--steps 5000]
 *
 * e.g. after `npm install --prefix /tmp/alt c20@npm:@dimforge/rapier3d-compat@0.20.0
 * s20@npm:@dimforge/rapier3d-simd-compat@0.20.0` (outside the project; c21 likewise for compat 0.21.0):
 *   node dist/bench/rapier-builds.js c21=/tmp/alt/node_modules/c21 c20=/tmp/alt/node_modules/c20 s20=node_modules/@dimforge/rapier3d-simd-compat
 *
 * Each build gets its own copy of dist/{core,morphologies,sim} with sim/rapier.js pointed at
 * that package, so one process holds every build. Rounds alternate builds (A B C A B C ...)
 * so that load on a shared machine hits them alike; the Ant runs a sinusoidal action at the
 * default physics, resetting every 200 steps. Also checks each build is deterministic
 * (same seed twice → same state hash). Not part of `npm run bench` (it needs the alternates).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocomotionEnv } from '../sim/env.js';

interface Build {
  name: string;
  version: string;
  env: LocomotionEnv;
  rates: number[];
  deterministic: boolean;
}

function drive(env: LocomotionEnv, steps: number, a: Float32Array): void {
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < a.length; j++) a[j] = Math.sin(0.3 * t + j);
    env.step(a);
    if (t % 200 === 199) env.reset(t);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string, d: number) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
  const rounds = opt('--rounds', 4), steps = opt('--steps', 5000);
  const specs = args.filter((a) => a.includes('='));
  if (!specs.length) throw new Error('give at least one NAME=PACKAGE_DIR');
  const dist = resolve(new URL('..', import.meta.url).pathname);
  const builds: Build[] = [];
  for (const s of specs) {
    const [name, dir] = s.split('=');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; module: string };
    const root = mkdtempSync(join(tmpdir(), `rapier-${name}-`));
    for (const d of ['core', 'morphologies', 'sim']) cpSync(join(dist, d), join(root, d), { recursive: true });
    const rapierJs = join(root, 'sim', 'rapier.js');
    const entry = pathToFileURL(resolve(dir, pkg.module)).href;
    writeFileSync(rapierJs, readFileSync(rapierJs, 'utf8').replace(/from '@dimforge\/rapier3d(-simd)?-compat'/, `from '${entry}'`));
    const { LocomotionEnv } = (await import(pathToFileURL(join(root, 'sim', 'env.js')).href)) as typeof import('../sim/env.js');
    const { antSpec } = (await import(pathToFileURL(join(root, 'morphologies', 'ant.js')).href)) as typeof import('../morphologies/ant.js');
    const env = await LocomotionEnv.create({ morphology: antSpec() });
    const a = new Float32Array(env.actSize);
    const hashes = [1, 2].map(() => {
      env.reset(7);
      for (let t = 0; t < 100; t++) {
        for (let j = 0; j < a.length; j++) a[j] = Math.sin(0.3 * t + j);
        env.step(a);
      }
      return env.stateHash();
    });
    env.reset(0);
    drive(env, 500, a); // JIT warm-up
    builds.push({ name: `${name} (${pkg.name}@${pkg.version})`, version: pkg.version, env, rates: [], deterministic: hashes[0] === hashes[1] });
  }
  for (let r = 0; r < rounds; r++) {
    for (const b of builds) {
      const a = new Float32Array(b.env.actSize);
      b.env.reset(r);
      const t0 = performance.now();
      drive(b.env, steps, a);
      b.rates.push(Math.round(steps / ((performance.now() - t0) / 1000)));
    }
  }
  const base = builds[0];
  const out = builds.map((b) => ({
    build: b.name,
    deterministic: b.deterministic,
    envStepsPerSec: b.rates,
    median: [...b.rates].sort((x, y) => x - y)[b.rates.length >> 1],
    ratioToFirstPairwise: b.rates.map((x, i) => Number((x / base.rates[i]).toFixed(3))),
  }));
  console.log(JSON.stringify({ rounds, steps, builds: out }, null, 2));
  for (const b of builds) b.env.free();
}

await main();
