/**
 * Distributed training on a real redis-server and real `spikeloco worker` processes: results
 * bitwise equal to the local pool, through a worker killed mid-generation, a Redis restart, a
 * coordinator killed and resumed, and refusals of foreign or malformed jobs and results.
 */
import { tinyConfig as baseConfig } from '../training/tiny-config.js';
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { TrainConfig } from '../../training/config.js';
import { train } from '../../training/train.js';
import { RUN_KIND } from '../../training/policy.js';
import { readCheckpoint } from '../../training/checkpoint.js';
import { loadPolicy } from '../../training/policy.js';
import { evaluatePolicies } from '../../experiments/evaluation.js';
import { evaluateForStudy } from '../../experiments/study-evaluation.js';
import { RolloutPool } from '../../training/pool.js';
import { RedisBackend, RemoteTaskError } from '../../training/distributed/queue.js';
import { parseRedisUrl } from '../../training/distributed/redis-url.js';
import { startWorker } from '../../training/distributed/worker.js';
import { JOB_FORMAT, KEY_PREFIX, QUEUE_NAME, encodeResult, encodeTasks, keys } from '../../training/distributed/protocol.js';
import { backendEvaluator, localEvaluator } from '../../training/distributed/member-tasks.js';
import { loadMorphology } from '../../morphologies/index.js';
import { genomeLayoutFor, initGenome, parseControllerConfig } from '../../controllers/index.js';
import { PHYSICS_BUILD } from '../../sim/rapier.js';
import { TASK_FORMAT_VERSION, type EvaluationBackend, type WorkerTask } from '../../training/task.js';
import { BIN, RedisServer, WorkerProcess } from './redis-server.js';

const PREFIX = KEY_PREFIX.replace(/:$/, '');
const tmp = () => mkdtempSync(join(tmpdir(), 'spikeloco-redis-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tinyConfig = (over: Record<string, unknown> = {}): TrainConfig => baseConfig({ conditions: ['flat', 'rough'], generations: 3, ...over });

/** Hash of everything of a run that must agree bit for bit (timings and run identity excluded). */
function fingerprint(dir: string): string {
  const { data } = readCheckpoint<{ optimizer: unknown; normalizer: unknown; generation: number; best: { genome: Float32Array; fitness: number }; history: { best: number; mean: number; sd: number; envSteps: number; evaluations: number; extra: Record<string, number> }[] }>(join(dir, 'checkpoint.json'), RUN_KIND);
  const text = JSON.stringify({
    optimizer: data.optimizer,
    normalizer: data.normalizer,
    generation: data.generation,
    best: [Buffer.from(data.best.genome.buffer).toString('hex'), data.best.fitness],
    history: data.history.map((h) => [h.best, h.mean, h.sd, h.envSteps, h.evaluations, h.extra.meanVelocity, h.extra.centerFitness]),
  });
  return createHash('sha256').update(text).digest('hex');
}

const localPrints = new Map<string, string>();
async function localFingerprint(cfg: TrainConfig): Promise<string> {
  const k = JSON.stringify(cfg);
  if (!localPrints.has(k)) {
    const dir = tmp();
    await train(cfg, { outDir: dir, workers: 1, progress: null });
    localPrints.set(k, fingerprint(dir));
  }
  return localPrints.get(k)!;
}

let redis: RedisServer;
let workers: WorkerProcess[] = [];
const backends: RedisBackend[] = [];

before(async () => {
  redis = await RedisServer.start();
});
after(async () => {
  for (const w of workers) await w.kill();
  for (const b of backends) await b.close();
  await redis.stop();
});

async function startWorkers(n: number): Promise<WorkerProcess[]> {
  const ws = Array.from({ length: n }, () => new WorkerProcess(redis.url));
  workers.push(...ws);
  await Promise.all(ws.map((w) => w.ready));
  return ws;
}
async function stopWorkers(): Promise<void> {
  for (const w of workers) await w.kill();
  workers = [];
}

async function backend(over: Partial<Parameters<typeof RedisBackend.connect>[0]> = {}, lines: string[] = []): Promise<RedisBackend> {
  const b = await RedisBackend.connect({ target: parseRedisUrl(redis.url), log: (l) => lines.push(l), progressSeconds: 1, ...over });
  backends.push(b);
  return b;
}

test('training on three worker processes is bitwise the local pool, for chunks of 1 and of 3 tasks', { timeout: 180_000 }, async () => {
  const cfg = tinyConfig();
  await startWorkers(3);
  const want = await localFingerprint(cfg);
  let dir = '';
  let b: RedisBackend | undefined;
  for (const chunkSize of [1, 3]) {
    dir = tmp();
    b = await backend({ chunkSize });
    assert.equal(b.threads, 3, 'three single-thread workers are connected');
    await train(cfg, { outDir: dir, workers: 1, progress: null, backend: b });
    assert.equal(fingerprint(dir), want, `chunk size ${chunkSize}`);
  }
  // eval (and so study's evaluation) on the workers: the same report as the local pool
  const policy = loadPolicy(join(dir, 'best.json'));
  const o = { suite: { name: 't', description: '', conditions: ['flat', 'rough'] }, episodes: 3, seconds: 0.5, workers: 1, seed: 11 };
  const localReport = await evaluatePolicies([{ name: 'p', policy }], o);
  assert.deepEqual(await evaluatePolicies([{ name: 'p', policy }], { ...o, backend: b }), localReport);
  // the study's evaluation (traced switched and long episodes) likewise
  const so = { suite: o.suite, episodes: 2, seconds: 0.5, switchConditions: ['friction(mu=0.3)'], switchEpisodes: 2, switchSeconds: 1, switchAt: 0.5, window: 0.25, longEpisodes: 1, longSeconds: 1, longEarly: 0.5, seed: 3 };
  const study = (dir: string, on: EvaluationBackend) => evaluateForStudy({ label: 'p', run: { arm: 'a', regime: 'r', seed: 0, runId: policy.file.runId ?? 'x' }, policy, dirs: [dir], backend: on, options: so });
  const pool = await RolloutPool.create(1);
  const localStudy = await study(tmp(), pool).finally(() => pool.close());
  assert.deepEqual(await study(tmp(), b!), localStudy);
  // the jobs really ran on the worker processes, spread over more than one
  const busy = workers.filter((w) => /done job /.test(w.out));
  assert.ok(busy.length >= 2, workers.map((w) => w.out).join('\n'));
  await stopWorkers();
});

test('a worker killed (SIGKILL) holding a job: the job comes back and the run is bitwise the local pool', { timeout: 180_000 }, async () => {
  const cfg = tinyConfig({ episodeSeconds: 2, generations: 2 });
  const want = await localFingerprint(cfg);
  const [a] = await startWorkers(1);
  const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const dir = tmp();
  const b = await backend({ chunkSize: 2 });
  const run = train(cfg, { outDir: dir, workers: 1, progress: null, backend: b });
  let held: string | undefined;
  while (!held) {
    const active = await q.getActive();
    held = active[0]?.id;
    if (!held) await sleep(5);
  }
  await a.kill('SIGKILL');
  assert.ok(!a.out.includes(`done job ${held}`), 'the job was still running when its worker was killed');
  const [bw] = await startWorkers(1);
  await run;
  await q.close();
  assert.equal(fingerprint(dir), want);
  assert.ok(bw.out.includes(`done job ${held}:`), `the killed worker's job ${held} was handed to the other worker:\n${bw.out}`);
  await stopWorkers();
});

test('Redis killed and restarted mid-run (all its data lost): clear messages, the run completes bitwise equal', { timeout: 180_000 }, async () => {
  const cfg = tinyConfig({ generations: 4, checkpointEvery: 1 });
  const want = await localFingerprint(cfg);
  await startWorkers(2);
  const dir = tmp();
  const lines: string[] = [];
  const b = await backend({ chunkSize: 1 }, lines);
  const run = train(cfg, { outDir: dir, workers: 1, progress: null, backend: b });
  while (!existsSync(join(dir, 'log.jsonl')) || readFileSync(join(dir, 'log.jsonl'), 'utf8').trim() === '') await sleep(20);
  const before = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
  await redis.stop();
  await sleep(1500);
  // the checkpoint written before the outage is intact and still readable
  assert.equal(readFileSync(join(dir, 'checkpoint.json'), 'utf8').length > 0, true);
  readCheckpoint(join(dir, 'checkpoint.json'), RUN_KIND);
  assert.ok(before.length > 0);
  await redis.start();
  await run;
  assert.equal(fingerprint(dir), want);
  assert.ok(lines.some((l) => /redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \((ECONNREFUSED|ECONNRESET)/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /is back after/.test(l)), lines.join('\n'));
  assert.ok(workers.every((w) => /unreachable/.test(w.out)), 'the workers said so too');
  await stopWorkers();
});

test('an outage longer than the limit rejects the batch with a UserError that says what to do', { timeout: 180_000 }, async () => {
  const b = await backend({ outageSeconds: 1 });
  await redis.stop();
  const morphology = loadMorphology('ant');
  const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'c');
  const ev = backendEvaluator(b, { morphology, controller, conditions: ['flat'], episodeSteps: 5, episodesPerMember: 1, runSeed: 1, runId: 'outage' });
  await assert.rejects(() => ev.evaluate(0, [new Float32Array(10)], null), /unreachable for \d+ s; .*checkpoints are as they were.*--resume/);
  await redis.start();
});

test('the coordinator killed mid-run: --resume takes over, removes the old session\'s jobs, ends bitwise equal', { timeout: 180_000 }, async () => {
  const cfg = tinyConfig({ generations: 4, checkpointEvery: 1 });
  const want = await localFingerprint(cfg);
  const dir = tmp();
  const cfgPath = join(dir, '..', `${dir.split('/').pop()}.json`);
  writeFileSync(cfgPath, JSON.stringify(cfg));
  await startWorkers(1);
  const coord = spawn(process.execPath, [BIN, 'train', '--config', cfgPath, '--out', dir, '--redis', redis.url, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let coordOut = '';
  coord.stderr.on('data', (d) => (coordOut += d));
  const coordExit = new Promise((r) => coord.once('exit', r));
  while (!existsSync(join(dir, 'checkpoint.json'))) await sleep(20);
  await stopWorkers();
  const conn = new Redis({ host: '127.0.0.1', port: redis.port });
  // the killed coordinator left a generation's jobs waiting, with nobody to run them
  const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  while ((await q.getWaitingCount()) === 0) await sleep(20);
  coord.kill('SIGKILL');
  await coordExit;
  const resumed = spawn(process.execPath, [BIN, 'train', '--resume', dir, '--redis', redis.url, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  resumed.stderr.on('data', (d) => (out += d));
  resumed.stdout.on('data', (d) => (out += d));
  const code = new Promise((r) => resumed.once('exit', r));
  while (!/took over run/.test(out)) await sleep(20);
  assert.match(out, /removed [1-9]\d* stale jobs?/, out);
  await startWorkers(2);
  assert.equal(await code, 0, out + coordOut);
  assert.equal(fingerprint(dir), want);
  await q.close();
  conn.disconnect();
  await stopWorkers();
});

test('malformed jobs, stale-session jobs and jobs of another physics build are refused and never executed', { timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const w = await startWorker({ target: parseRedisUrl(redis.url), threads: 1, lockSeconds: 2, log: (l) => lines.push(l), logJobs: true });
  const conn = new Redis({ host: '127.0.0.1', port: redis.port });
  const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  try {
    // garbage: refused at the envelope, the job fails without retries
    const bad = await q.add('chunk', { format: JOB_FORMAT, taskVersion: 1, tasks: 'process.exit(1)' }, { jobId: 'garbage' });
    // a well-formed job of a coordinator session that is not the run's current one: skipped
    await conn.set(keys.session('r1'), 'current');
    const task: WorkerTask = { version: TASK_FORMAT_VERSION, runId: 'r1', label: 'stale member', index: 0, policyKey: 'k1', genome: new Float32Array(4), normalizer: null, collectStats: false, episodes: [{ seed: 1, maxSteps: 2, condition: 'flat', switches: [] }] };
    const stale = await q.add('chunk', { format: JOB_FORMAT, taskVersion: TASK_FORMAT_VERSION, physicsBuild: PHYSICS_BUILD, runId: 'r1', session: 'old', batch: 0, chunk: 0, policyKey: 'k1', tasks: encodeTasks([task]) }, { jobId: 'stale' });
    // tasks that are not JSON text of tasks, in an envelope that is fine: refused and recorded for the coordinator
    const evil = await q.add('chunk', { format: JOB_FORMAT, taskVersion: TASK_FORMAT_VERSION, physicsBuild: PHYSICS_BUILD, runId: 'r1', session: 'current', batch: 7, chunk: 0, policyKey: 'k1', tasks: '{"constructor":{"prototype":{}}}' }, { jobId: 'evil' });
    await conn.set(keys.policy('k1'), JSON.stringify({ key: 'k1', morphology: {}, controller: {}, reward: {}, physics: {} }));
    for (let i = 0; i < 400 && !((await bad.isFailed()) && (await stale.isCompleted().catch(() => true)) && (await evil.isFailed())); i++) await sleep(25);
    assert.ok(await bad.isFailed());
    assert.ok(await evil.isFailed());
    assert.ok(lines.some((l) => /refused job garbage: job garbage: physicsBuild: expected a string.*not executed/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /skipped job stale: coordinator session old of run r1 is stale \(current: current\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /refused job evil: job evil: tasks: expected 1\.\.\d+ tasks; not executed/.test(l)), lines.join('\n'));
    assert.match((await conn.hget(keys.errors('r1', 'current', 7), '0')) ?? '', /refused chunk 0/);
    assert.ok(!lines.some((l) => /done job/.test(l)), 'nothing was executed');
    assert.equal((await conn.keys(`${KEY_PREFIX}res:*`)).length, 0, 'no result was written');
  } finally {
    await w.close();
    await q.close();
    conn.disconnect();
  }
  // another physics build: the worker refuses, the coordinator stops the batch with that message
  const other = await startWorker({ target: parseRedisUrl(redis.url), threads: 1, lockSeconds: 2, log: () => undefined, physicsBuild: 'rapier-from-elsewhere@0.0.1' });
  try {
    const b = await backend();
    const morphology = loadMorphology('ant');
    const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'c');
    const ev = backendEvaluator(b, { morphology, controller, conditions: ['flat'], episodeSteps: 5, episodesPerMember: 1, runSeed: 1, runId: 'foreign-build' });
    await assert.rejects(() => ev.evaluate(0, [new Float32Array(10)], null), (e: Error) => e instanceof RemoteTaskError && /refused chunk 0: physics build @dimforge\S+, this worker runs rapier-from-elsewhere@0\.0\.1 \(results would differ\)/.test(e.message));
  } finally {
    await other.close();
  }
});

test('results of another run or malformed ones in the batch hash are rejected, logged and recomputed', { timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const b = await backend({ chunkSize: 2 }, lines);
  const morphology = loadMorphology('ant');
  const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'c');
  const init = { morphology, controller, conditions: ['flat'], episodeSteps: 10, episodesPerMember: 1, runSeed: 5 };
  const local = await localEvaluator({ ...init, controller: controller as unknown as Record<string, unknown> });
  const layout = genomeLayoutFor(controller, local.obsSize, local.actSize);
  const genomes = [1, 2, 3].map((s) => initGenome(layout, s));
  const ev = backendEvaluator(b, { ...init, runId: 'rogue-target' });
  // no worker yet: plant a foreign result and a garbage one first (first write wins), then start a worker
  const pending = ev.evaluate(0, genomes, null);
  const conn = new Redis({ host: '127.0.0.1', port: redis.port });
  const rk = keys.results('rogue-target', b.session, 0);
  await conn.hset(rk, '0', encodeResult({ version: TASK_FORMAT_VERSION, runId: 'some-other-run', index: 0, fitness: 1e9, meanForwardVelocity: 0, meanDistance: 0, steps: 1, falls: 0, nonFinite: 0, stats: null, traces: null }));
  await conn.hset(rk, '1', '{"fitness": 1e9');
  conn.disconnect();
  const [w] = await startWorkers(1);
  const got = await pending;
  for (let m = 0; m < genomes.length; m++) assert.equal(got[m].fitness, (await local.evaluate(0, m, genomes[m], null)).fitness, `member ${m}`);
  local.free();
  assert.ok(lines.some((l) => /rejected the stored result of genome 0 of generation 0: result of genome 0 of generation 0: belongs to run some-other-run/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /rejected the stored result of genome 1 of generation 0: .*not JSON/.test(l)), lines.join('\n'));
  assert.ok(w.out.includes('done job'));
  await stopWorkers();
});

const closeLast: RedisBackend[] = [];
test('password and ACL user from the URL: workers and coordinator confined to spikeloco:* keys; refused credentials fail at once', { timeout: 180_000 }, async () => {
  const acl = await RedisServer.start(['--requirepass', 'main-secret', '--user', 'alice', 'on', '>alice-secret', '~spikeloco:*', '&*', '+@all']);
  const url = `redis://alice:alice-secret@127.0.0.1:${acl.port}/0`;
  const w = new WorkerProcess(url);
  try {
    await w.ready;
    const b = await RedisBackend.connect({ target: parseRedisUrl(url), log: null });
    closeLast.push(b);
    const morphology = loadMorphology('ant');
    const controller = parseControllerConfig({ kind: 'plastic-snn', network: { hidden: 8 }, steps: 2 }, 'c');
    const init = { morphology, controller, conditions: ['flat'], episodeSteps: 10, episodesPerMember: 1, runSeed: 5 };
    const local = await localEvaluator({ ...init, controller: controller as unknown as Record<string, unknown> });
    const genome = initGenome(genomeLayoutFor(controller, local.obsSize, local.actSize), 4);
    const [r] = await backendEvaluator(b, { ...init, runId: 'acl' }).evaluate(0, [genome], null);
    assert.equal(r.fitness, (await local.evaluate(0, 0, genome, null)).fitness);
    local.free();
    assert.ok(!w.out.includes('refused'), w.out);
    // a wrong password: a clear UserError, not an endless retry
    await assert.rejects(() => RedisBackend.connect({ target: parseRedisUrl(`redis://alice:wrong@127.0.0.1:${acl.port}`), log: null }), /refused the credentials \(WRONGPASS.*give the password/);
    const bad = spawn(process.execPath, [BIN, 'worker', '--redis', `redis://127.0.0.1:${acl.port}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPIKELOCO_REDIS_PASSWORD: '' } });
    let err = '';
    bad.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => bad.once('exit', r));
    assert.equal(code, 2, err);
    assert.match(err, /spikeloco worker: redis at redis:\/\/127\.0\.0\.1:\d+ refused the credentials \(NOAUTH/);
  } finally {
    for (const b of closeLast) await b.close();
    await w.kill();
    await acl.stop();
  }
});

test('SIGTERM: a worker finishes, removes its heartbeat and exits 0', { timeout: 60_000 }, async () => {
  const [w] = await startWorkers(1);
  const conn = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    // heartbeats of this worker's process (those of the SIGKILLed ones above expire on their own)
    const mine = async () => {
      const ks = await conn.keys(keys.workerPattern);
      const beats = ks.length ? await conn.mget(...ks) : [];
      return beats.filter((b) => b && (JSON.parse(b) as { pid: number }).pid === w.proc.pid).length;
    };
    assert.equal(await mine(), 1);
    assert.equal(await w.kill('SIGTERM'), 0, w.out);
    assert.equal(await mine(), 0);
    assert.match(w.out, /SIGTERM: finishing the running jobs/);
  } finally {
    conn.disconnect();
    workers = [];
  }
});
