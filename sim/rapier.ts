/**
 * The one place that loads Rapier. `rapier3d-compat` embeds its WASM and must be initialised
 * once per thread (main or worker) before any world is built.
 */
import RAPIER from '@dimforge/rapier3d-simd-compat';

/**
 * The physics build trajectories depend on (package and version): checkpoints and run files
 * can store it and refuse to mix builds where bitwise results matter (resume, workers).
 * Keep it in step with package.json; test/sim/determinism.test.ts checks the installed one.
 */
export const PHYSICS_BUILD = '@dimforge/rapier3d-simd-compat@0.20.0';

let ready: Promise<void> | null = null;

export async function initRapier(): Promise<typeof RAPIER> {
  if (!ready) {
    // rapier3d-compat's init() warns about a deprecated parameter form on some versions; it takes no args here.
    ready = RAPIER.init();
  }
  await ready;
  return RAPIER;
}

export { RAPIER };
