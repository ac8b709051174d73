import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisUrl, redisOptions } from '../../training/distributed/redis-url.js';
import { decodeJob, decodeResult, decodeTasks, encodeResult, encodeTasks, JOB_FORMAT, MAX_JOB_BYTES, MessageFormatError } from '../../training/distributed/protocol.js';
import { TaskRunner } from '../../training/task-runner.js';
import { backendEvaluator, localEvaluator, policySpecOf } from '../../training/distributed/member-tasks.js';
import { loadMorphology } from '../../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import { TASK_FORMAT_VERSION, type EvaluationBackend, type PolicySpec, type TaskResult, type WorkerTask } from '../../training/task.js';

test('--redis URL: host, port, db, password and ACL user from the URL; rediss:// is TLS; the password is masked', () => {
  const t = parseRedisUrl('rediss://alice:s3cr%40t@redis.example:6380/3', {});
  assert.deepEqual({ host: t.host, port: t.port, db: t.db, username: t.username, password: t.password, tls: t.tls }, { host: 'redis.example', port: 6380, db: 3, username: 'alice', password: 's3cr@t', tls: true });
  assert.equal(t.display, 'rediss://alice:***@redis.example:6380/3');
  assert.ok(!t.display.includes('s3cr'));
  const o = redisOptions(t, 'x');
  assert.deepEqual(o.tls, { servername: 'redis.example' });
  assert.equal(o.password, 's3cr@t');
  const plain = parseRedisUrl('redis://127.0.0.1', { SPIKELOCO_REDIS_PASSWORD: 'fromenv' });
  assert.deepEqual([plain.port, plain.db, plain.tls, plain.password], [6379, 0, false, 'fromenv']);
  assert.equal(redisOptions(plain, 'x').tls, undefined);
  assert.equal(parseRedisUrl('redis://:pw@h:1/0', {}).display, 'redis://:***@h:1/0');
  assert.throws(() => parseRedisUrl('http://h:6379', {}), /scheme "http:" is not redis: or rediss:/);
  assert.throws(() => parseRedisUrl('redis://h:6379/x', {}), /database "x" is not an integer 0\.\.15/);
  assert.throws(() => parseRedisUrl('not a url', {}), /is not a URL/);
});

function task(over: Partial<WorkerTask> = {}): WorkerTask {
  return {
    version: TASK_FORMAT_VERSION,
    runId: 'run-1',
    label: 'member 1 of generation 2',
    index: 1,
    policyKey: 'abc',
    genome: new Float32Array([1.5, -0, NaN, Infinity, 1e-40]),
    normalizer: { mean: new Float32Array([0.25, -1]), invStd: new Float32Array([2, 3]), clip: 5 },
    collectStats: true,
    episodes: [{ seed: 4294967295, maxSteps: 20, condition: 'flat', switches: [{ atStep: 5, condition: 'ice' }] }],
    ...over,
  };
}

const bits = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('tasks and results survive the JSON encoding bit for bit (−0, NaN, ±Infinity, subnormals)', () => {
  const [back] = decodeTasks(encodeTasks([task()]), 'job');
  assert.equal(bits(back.genome), bits(task().genome));
  assert.equal(bits(back.normalizer!.mean), bits(task().normalizer!.mean));
  assert.deepEqual(back.episodes, task().episodes);
  const r: TaskResult = { version: TASK_FORMAT_VERSION, runId: 'run-1', index: 3, fitness: NaN, meanForwardVelocity: -Infinity, meanDistance: -0, steps: 20, falls: 1, nonFinite: 1, stats: { count: 2, mean: new Float64Array([0.1, NaN]), m2: new Float64Array([-0, 1e-310]) }, traces: null };
  const d = decodeResult(encodeResult(r), { runId: 'run-1', index: 3, collectStats: true }, 'result');
  assert.ok(Number.isNaN(d.fitness));
  assert.equal(d.meanForwardVelocity, -Infinity);
  assert.ok(Object.is(d.meanDistance, -0));
  assert.equal(bits(d.stats!.mean), bits(r.stats!.mean));
  assert.equal(bits(d.stats!.m2), bits(r.stats!.m2));
});

test('episode traces survive the wire bit for bit; a result missing them, or with the wrong count or end reason, is refused', () => {
  const t = task();
  const traced = { ...t, episodes: t.episodes.map((e) => ({ ...e, traceEvery: 3 })) };
  const [back] = decodeTasks(encodeTasks([traced]), 'job');
  assert.deepEqual(back.episodes, traced.episodes);
  assert.equal(decodeTasks(encodeTasks([t]), 'job')[0].episodes[0].traceEvery, undefined, 'absent stays absent');
  const x = new Float64Array([0, 0.1, -0, 1e-310, 2.5]);
  const r: TaskResult = { version: TASK_FORMAT_VERSION, runId: 'run-1', index: 0, fitness: 1, meanForwardVelocity: 0, meanDistance: 0, steps: 12, falls: 1, nonFinite: 0, stats: null, traces: [{ every: 3, x, steps: 12, endReason: 'fell' }] };
  const d = decodeResult(encodeResult(r), { runId: 'run-1', index: 0, collectStats: false, traced: 1 }, 'result');
  assert.equal(bits(d.traces![0].x), bits(x));
  assert.deepEqual({ ...d.traces![0], x: null }, { every: 3, steps: 12, endReason: 'fell', x: null });
  assert.throws(() => decodeResult(encodeResult({ ...r, traces: null }), { runId: 'run-1', index: 0, collectStats: false, traced: 1 }, 'result'), /traces of 1 episodes were asked for and are missing/);
  assert.throws(() => decodeResult(encodeResult(r), { runId: 'run-1', index: 0, collectStats: false, traced: 2 }, 'result'), /1 episode traces, the task asked for 2/);
  assert.throws(() => decodeResult(encodeResult(r).replace('"fell"', '"teleported"'), { runId: 'run-1', index: 0, collectStats: false, traced: 1 }, 'result'), /trace 0: endReason: expected one of/);
});

test('malformed or foreign jobs and results are refused with the field named, before anything runs', () => {
  const ok = { format: JOB_FORMAT, taskVersion: 1, physicsBuild: 'x', runId: 'r', session: 's', batch: 0, chunk: 0, policyKey: 'k', tasks: '[]' };
  assert.equal(decodeJob(ok, 'job').runId, 'r');
  assert.throws(() => decodeJob(null, 'job 7'), (e: Error) => e instanceof MessageFormatError && /job 7: expected an object, got null/.test(e.message));
  assert.throws(() => decodeJob({ ...ok, format: 'pickle' }, 'job'), /job format "pickle"/);
  assert.throws(() => decodeJob({ ...ok, runId: 'a:b' }, 'job'), /runId: expected a string matching/);
  assert.throws(() => decodeJob({ ...ok, tasks: { toString: 'x' } }, 'job'), /tasks: expected JSON text/);
  assert.throws(() => decodeJob({ ...ok, tasks: ' '.repeat(MAX_JOB_BYTES + 1) }, 'job'), /over the limit/);
  assert.throws(() => decodeTasks('[{"__proto__": {"x": 1}}]', 'job'), /version: expected an integer/);
  assert.throws(() => decodeTasks(encodeTasks([task()]).replace(`"version":${TASK_FORMAT_VERSION}`, `"version":${TASK_FORMAT_VERSION + 1}`), 'job'), new RegExp(`task format version ${TASK_FORMAT_VERSION + 1}; this build reads version ${TASK_FORMAT_VERSION}`));
  assert.throws(() => decodeTasks(encodeTasks([task()]).replace(/"genome":"[^"]*"/, '"genome":"%%%"'), 'job'), /genome: expected base64/);
  assert.throws(() => decodeTasks(encodeTasks([task({ episodes: [] })]), 'job'), /episodes: expected 1\.\./);
  assert.throws(() => decodeTasks('function(){}', 'job'), /not JSON/);
  const r = encodeResult({ version: TASK_FORMAT_VERSION, runId: 'other-run', index: 0, fitness: 1, meanForwardVelocity: 0, meanDistance: 0, steps: 1, falls: 0, nonFinite: 0, stats: null, traces: null });
  assert.throws(() => decodeResult(r, { runId: 'run-1', index: 0, collectStats: false }, 'result of member 0'), /result of member 0: belongs to run other-run, not to this run \(run-1\)/);
  assert.throws(() => decodeResult(r.replace('other-run', 'run-1'), { runId: 'run-1', index: 1, collectStats: false }, 'result'), /index 0 stored under task 1/);
  assert.throws(() => decodeResult(r.replace('other-run', 'run-1'), { runId: 'run-1', index: 0, collectStats: true }, 'result'), /statistics were asked for and are missing/);
});

/** A backend that executes tasks in this thread, in reverse order, through the JSON encoding. */
class InlineBackend implements EvaluationBackend {
  readonly threads = 1;
  private readonly runner = new TaskRunner();
  async run(policy: PolicySpec, tasks: WorkerTask[]): Promise<TaskResult[]> {
    const wire = decodeTasks(encodeTasks(tasks), 'inline');
    const out: TaskResult[] = [];
    for (const t of [...wire].reverse()) {
      out[t.index] = decodeResult(encodeResult(await this.runner.run(policy, t)), { runId: t.runId, index: t.index, collectStats: t.collectStats, traced: t.episodes.some((e) => e.traceEvery) ? t.episodes.length : 0 }, 'inline');
    }
    return out;
  }
  async close() {}
}

test('tasks through the wire encoding, run in reverse order on a reused controller, give the local evaluator\'s results bit for bit', async () => {
  const morphology = loadMorphology('ant');
  const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'controller');
  const init = { morphology, conditions: ['flat', 'rough'], episodeSteps: 15, episodesPerMember: 2, controller: controller as unknown as Record<string, unknown>, runSeed: 9 };
  const local = await localEvaluator(init);
  const layout = genomeLayoutFor(controller, local.obsSize, local.actSize);
  const genomes = [0, 1, 2].map((s) => {
    const g = initGenome(layout, s);
    for (let i = 0; i < g.length; i++) g[i] += 0.3 * Math.sin(i * (s + 1));
    return g;
  });
  const norm = { mean: new Float32Array(local.obsSize).fill(0.1), invStd: new Float32Array(local.obsSize).fill(0.9), clip: 5 };
  const remote = backendEvaluator(new InlineBackend(), { ...init, runId: 'run:with/odd chars' });
  for (const [g, distinct] of [[0, false], [3, true]] as const) {
    const want = await Promise.all(genomes.map((x, m) => local.evaluate(g, m, x, norm, distinct)));
    const got = await remote.evaluate(g, genomes, norm, distinct);
    for (let m = 0; m < genomes.length; m++) {
      assert.equal(got[m].fitness, want[m].fitness, `member ${m} generation ${g}`);
      assert.deepEqual([got[m].steps, got[m].falls, got[m].meanDistance, got[m].meanForwardVelocity], [want[m].steps, want[m].falls, want[m].meanDistance, want[m].meanForwardVelocity]);
      assert.equal(bits(got[m].stats.m2), bits(want[m].stats.m2));
    }
  }
  local.free();
  assert.equal(policySpecOf(morphology, controller).key, policySpecOf(morphology, controller).key);
  assert.notEqual(policySpecOf(morphology, controller).key, policySpecOf(morphology, { ...controller, steps: 3 }).key);
});

test('the task runner refuses what it cannot do as asked', async () => {
  const policy = policySpecOf(loadMorphology('ant'), parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'c'));
  const t = task({ policyKey: policy.key, normalizer: null, genome: new Float32Array(3), episodes: [{ seed: 1, maxSteps: 5, condition: 'flat', switches: [] }] });
  const runner = new TaskRunner();
  await assert.rejects(() => runner.run(policy, t), /genome has 3 values/);
  await assert.rejects(() => runner.run(policy, { ...t, policyKey: 'other' }), /the task is for policy other/);
  runner.free();
});
