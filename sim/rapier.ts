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

/**
 * `World.restoreSnapshot(bytes)` with its temporaries freed. Rapier's own version
 * (`new SerializationPipeline().deserializeAll(bytes)` → `World.fromRaw(raw)`) frees neither
 * the pipeline nor the `RawDeserializedWorld` it took the world's parts out of; both wait for
 * JS finalizers, which run only after a major GC (rare with a small, flat JS heap) and an
 * event-loop turn (a task's episodes run synchronously). Measured (bench/memory.ts): Rapier's
 * call grows the WebAssembly heap by ≈ 1.9 kB per call (the Ant), this one by 0. The world is the same: the same bytes, the same deserializer and
 * the same `World.fromRaw`; only the two husks are freed when it is built.
 */
export function restoreWorld(bytes: Uint8Array): RAPIER.World {
  const pipeline = new RAPIER.SerializationPipeline();
  try {
    const raw = pipeline.raw.deserializeAll(bytes);
    if (!raw) throw new Error(`restoreWorld: Rapier could not deserialize a world from ${bytes.length} bytes`);
    try {
      return RAPIER.World.fromRaw(raw);
    } finally {
      raw.free();
    }
  } finally {
    pipeline.free();
  }
}

export { RAPIER };
