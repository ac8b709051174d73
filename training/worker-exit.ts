/**
 * Ending a worker thread that runs WebAssembly (Rapier). `worker.terminate()` stops a thread
 * wherever it is, and stopping one mid-way through WASM teardown has crashed the whole
 * process with SIGSEGV (seen once in our suite; Node issues #47748, #56312). So a worker is
 * asked to leave first: it is sent `message`, finishes what it is doing, closes its port and
 * its event loop runs dry; only a worker that has not exited after `graceMs` is terminated.
 */
import type { Worker } from 'node:worker_threads';

export async function endWorker(worker: Worker, message: unknown, graceMs = 15_000): Promise<void> {
  if (worker.threadId < 0) return; // already exited
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    worker.postMessage(message);
  } catch {
    // a port closed under us: the worker is on its way out
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    await worker.terminate();
  }
}
