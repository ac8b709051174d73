/**
 * Rollout worker thread: takes policy specs and worker tasks (training/pool-messages.ts),
 * runs each task with one `TaskRunner` (envs and controller built once per policy key) and
 * answers with its result. Tasks arrive one at a time per worker.
 */
import { parentPort } from 'node:worker_threads';
import { TaskRunner } from './task-runner.js';
import type { FromWorker, ToWorker } from './pool-messages.js';
import type { PolicySpec } from './task.js';

const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const runner = new TaskRunner();
const specs = new Map<string, PolicySpec>();
// tasks run in arrival order, one after another (building envs is asynchronous)
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ToWorker) => {
  if (m.type === 'policy') {
    specs.set(m.spec.key, m.spec);
    return;
  }
  if (m.type === 'close') {
    // closing the port lets this thread's event loop run dry: it exits by itself
    void queue.then(() => port.close());
    return;
  }
  queue = queue.then(async () => {
    const { task } = m;
    try {
      const spec = specs.get(task.policyKey);
      if (!spec) throw new Error(`policy ${task.policyKey} was never sent to this worker`);
      send({ type: 'result', result: await runner.run(spec, task) });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      send({ type: 'error', index: task.index, message: e.message, stack: e.stack });
    }
  });
});
send({ type: 'ready' });
