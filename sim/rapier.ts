/**
 * The one place that loads Rapier. `rapier3d-compat` embeds its WASM and must be initialised
 * once per thread (main or worker) before any world is built.
 */
import RAPIER from '@dimforge/rapier3d-compat';

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
