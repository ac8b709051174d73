/**
 * The size of every WebAssembly linear memory instantiated in this thread from now on.
 * Rapier's bindings keep their `WebAssembly.Memory` private, so this catches each instance
 * as it is made: call `watchWasmMemory()` before `initRapier()` (bench/memory-probe.ts, the
 * restore-memory test). Linear memory only grows (in 64 KiB pages), so its byte length is
 * the high-water mark of the WASM heap: flat means the allocator reuses what was freed.
 */
const memories: WebAssembly.Memory[] = [];
let installed = false;

export function watchWasmMemory(): () => number {
  if (!installed) {
    installed = true;
    const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...a: unknown[]) => Promise<unknown>;
    (WebAssembly as { instantiate: unknown }).instantiate = async (...a: unknown[]) => {
      const r = (await instantiate(...a)) as WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource;
      const inst = r instanceof WebAssembly.Instance ? r : r.instance;
      for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) memories.push(v);
      return r;
    };
  }
  return () => memories.reduce((s, m) => s + m.buffer.byteLength, 0);
}
