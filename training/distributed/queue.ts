/**
 * The coordinator side: an EvaluationBackend (training/task.ts) that runs a batch of worker
 * tasks on `spikeloco worker` processes through Redis + BullMQ.
 *
 * One batch: publish the policy spec once (workers cache it by key) → enqueue the tasks in
 * chunks, job id `run.session.batch.chunk` → workers HSETNX each result into the batch's hash
 * under its task index (first write wins: a chunk run twice changes nothing) and push a note →
 * when the hash holds every index, decode and check each result and return them in index
 * order. The reduction happens in the caller, in that order, so the outcome is bitwise the
 * local pool's for any number of workers, chunk size and arrival order.
 *
 * A `session` (random, per coordinator process) is stored as the run's current one; a
 * coordinator started again on the same run (`--resume`) takes over, removes the waiting jobs
 * and result hashes of earlier sessions, and workers skip any job of a stale session.
 *
 * Faults: a killed worker's job comes back through BullMQ's stalled-job check (the lock is not
 * renewed); a job that vanished (Redis restarted without persistence) or a rejected result is
 * re-enqueued by the watchdog here; an outage longer than `outageSeconds` rejects the batch
 * with a UserError, leaving the caller's checkpoints as they were.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, type ConnectionOptions } from 'bullmq';
import { UserError } from '../../core/errors.js';
import { PHYSICS_BUILD } from '../../sim/rapier.js';
import { TASK_FORMAT_VERSION, type EvaluationBackend, type PolicySpec, type TaskResult, type WorkerTask } from '../task.js';
import { JOB_FORMAT, KEY_PREFIX, MAX_JOB_BYTES, MessageFormatError, QUEUE_NAME, decodeResult, encodePolicy, encodeTasks, jobId, keys, type ChunkJob } from './protocol.js';
import { redisOptions, type RedisTarget } from './redis-url.js';
import { firstContact, outageReporter } from './worker.js';

export interface RedisBackendOptions {
  target: RedisTarget;
  /** tasks per job (default: about four jobs per connected worker thread) */
  chunkSize?: number;
  /** give up a batch when Redis has been unreachable this long (default 600 s) */
  outageSeconds?: number;
  /** progress and fault lines (default: stderr); null for silence */
  log?: ((line: string) => void) | null;
  /** seconds between progress lines while a batch runs (default 5) */
  progressSeconds?: number;
  /** no worker heartbeat for this long at the start of a batch → one warning line (default 10 s) */
  noWorkerWarnSeconds?: number;
}

export class RedisUnavailableError extends UserError {
  constructor(display: string, seconds: number) {
    super(`redis at ${display} has been unreachable for ${seconds.toFixed(0)} s; nothing was written for the unfinished generation (checkpoints are as they were): start redis-server again and continue with --resume`);
    this.name = 'RedisUnavailableError';
  }
}

export class RemoteTaskError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteTaskError';
  }
}

interface WorkerBeat {
  host: string;
  pid: number;
  threads: number;
  busy: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RedisBackend implements EvaluationBackend {
  readonly session = randomBytes(6).toString('hex');
  private batch = 0;
  private sessions = new Set<string>();
  private published = new Set<string>();
  private resync = false;
  private knownThreads = 0;
  private readonly log: (line: string) => void;
  private readonly outage: ReturnType<typeof outageReporter>;

  private constructor(
    private readonly o: RedisBackendOptions,
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly queue: Queue,
  ) {
    this.log = o.log === null ? () => undefined : (o.log ?? ((l) => process.stderr.write(`${l}\n`)));
    this.outage = outageReporter(o.target.display, this.log);
    for (const c of [redis, blocking]) {
      c.on('error', this.outage.error);
      c.on('ready', () => {
        if (this.outage.down) this.resync = true; // Redis may have lost everything: republish and re-enqueue what is missing
        this.outage.ready();
      });
    }
    queue.on('error', this.outage.error);
  }

  static async connect(o: RedisBackendOptions): Promise<RedisBackend> {
    const redis = new Redis(redisOptions(o.target, 'spikeloco-coordinator'));
    const blocking = new Redis(redisOptions(o.target, 'spikeloco-coordinator-wait'));
    const queue = new Queue(QUEUE_NAME, { connection: redisOptions(o.target, 'spikeloco-coordinator-queue') as ConnectionOptions, prefix: KEY_PREFIX.replace(/:$/, '') });
    const b = new RedisBackend(o, redis, blocking, queue);
    try {
      await b.guard(firstContact(redis, o.target.display));
      await b.refreshWorkers();
    } catch (e) {
      await b.close();
      throw e;
    }
    return b;
  }

  /** Connected worker threads (from the workers' heartbeats; at least 1 for scheduling). */
  get threads(): number {
    return Math.max(1, this.knownThreads);
  }

  /** Await `p`, failing if Redis stays unreachable longer than `outageSeconds`. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    const limit = (this.o.outageSeconds ?? 600) * 1000;
    let settled = false;
    const out = p.finally(() => (settled = true));
    for (;;) {
      const r = await Promise.race([out.then((v) => ({ v })), sleep(250).then(() => null)]);
      if (r) return r.v;
      if (!settled && this.outage.down && Date.now() - this.outage.downSince > limit) {
        out.catch(() => undefined);
        throw new RedisUnavailableError(this.o.target.display, (Date.now() - this.outage.downSince) / 1000);
      }
    }
  }

  private async refreshWorkers(): Promise<WorkerBeat[]> {
    const beats: WorkerBeat[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.guard(this.redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 200));
      cursor = next;
      if (found.length) {
        for (const text of await this.guard(this.redis.mget(...found))) {
          if (!text) continue;
          try {
            const b = JSON.parse(text) as WorkerBeat;
            if (typeof b.threads === 'number') beats.push(b);
          } catch {
            /* a foreign key under our prefix: ignore */
          }
        }
      }
    } while (cursor !== '0');
    this.knownThreads = beats.reduce((s, b) => s + b.threads, 0);
    return beats;
  }

  /** Make this coordinator the run's current one; remove what earlier sessions left. */
  private async takeOver(runId: string): Promise<void> {
    if (this.sessions.has(runId) && !this.resync) return;
    const previous = await this.guard(this.redis.getset(keys.session(runId), this.session));
    this.sessions.add(runId);
    if (previous === null || previous === this.session) return;
    let removed = 0;
    const stale = `${runId}.`;
    const mine = `${runId}.${this.session}.`;
    for (const job of await this.guard(this.queue.getJobs(['waiting', 'delayed', 'prioritized', 'failed', 'completed'], 0, -1))) {
      if (job?.id && job.id.startsWith(stale) && !job.id.startsWith(mine)) {
        await this.guard(job.remove().catch(() => undefined));
        removed++;
      }
    }
    let cursor = '0';
    let keysRemoved = 0;
    for (const kind of ['res', 'err', 'note']) {
      cursor = '0';
      do {
        const [next, found] = await this.guard(this.redis.scan(cursor, 'MATCH', `${KEY_PREFIX}${kind}:${runId}:*`, 'COUNT', 500));
        cursor = next;
        const old = found.filter((k) => !k.startsWith(`${KEY_PREFIX}${kind}:${runId}:${this.session}:`));
        if (old.length) keysRemoved += await this.guard(this.redis.del(...old));
      } while (cursor !== '0');
    }
    this.log(`redis: took over run ${runId} from coordinator session ${previous}: removed ${removed} stale job${removed === 1 ? '' : 's'} and ${keysRemoved} result key${keysRemoved === 1 ? '' : 's'}; its running jobs are skipped by the workers`);
  }

  private async publish(policy: PolicySpec): Promise<void> {
    if (this.published.has(policy.key) && !this.resync) return;
    await this.guard(this.redis.set(keys.policy(policy.key), encodePolicy(policy), 'EX', 7 * 24 * 3600));
    this.published.add(policy.key);
  }

  async run(policy: PolicySpec, tasksIn: WorkerTask[]): Promise<TaskResult[]> {
    if (tasksIn.length === 0) return [];
    const tasks = [...tasksIn].sort((a, b) => a.index - b.index);
    const runId = tasks[0].runId;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (t.runId !== runId) throw new Error(`task ${t.label}: run ${t.runId} in a batch of run ${runId}`);
      if (t.policyKey !== policy.key) throw new Error(`task ${t.label}: policy ${t.policyKey} in a batch for policy ${policy.key}`);
      if (i > 0 && tasks[i - 1].index === t.index) throw new Error(`task ${t.label}: index ${t.index} appears twice in the batch`);
    }
    await this.takeOver(runId);
    await this.publish(policy);
    this.resync = false;
    if (this.knownThreads === 0) {
      await this.refreshWorkers();
      if (this.knownThreads === 0) this.log(`redis: no spikeloco worker is connected to ${this.o.target.display} yet; the jobs wait in the queue (start one with spikeloco worker --redis URL)`);
    }
    const batch = this.batch++;
    const size = this.o.chunkSize ?? Math.max(1, Math.ceil(tasks.length / (4 * this.threads)));
    const chunks: WorkerTask[][] = [];
    for (let i = 0; i < tasks.length; i += size) chunks.push(tasks.slice(i, i + size));
    const chunkOf = new Map<number, number>();
    chunks.forEach((c, ci) => c.forEach((t) => chunkOf.set(t.index, ci)));
    const attempt = new Array<number>(chunks.length).fill(0);
    const rk = keys.results(runId, this.session, batch);
    const ek = keys.errors(runId, this.session, batch);
    const nk = keys.note(runId, this.session, batch);

    const enqueue = async (which: number[]) => {
      const jobs = which.map((c) => {
        const data: ChunkJob = { format: JOB_FORMAT, taskVersion: TASK_FORMAT_VERSION, physicsBuild: PHYSICS_BUILD, runId, session: this.session, batch, chunk: c, policyKey: policy.key, tasks: encodeTasks(chunks[c]) };
        if (data.tasks.length > MAX_JOB_BYTES) throw new Error(`chunk ${c} of ${chunks[c].length} tasks is ${data.tasks.length} bytes, over the job limit of ${MAX_JOB_BYTES}; use a smaller chunk size`);
        return { name: 'chunk', data, opts: { jobId: jobId(runId, this.session, batch, c, attempt[c]), attempts: 5, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true, removeOnFail: { age: 3600 } } };
      });
      await this.guard(this.queue.addBulk(jobs));
    };
    await enqueue(chunks.map((_, c) => c));

    const progressMs = (this.o.progressSeconds ?? 5) * 1000;
    const started = Date.now();
    let lastProgress = started;
    let lastCount = -1;
    let lastChange = started;
    const doneChunks = new Set<number>();
    const expectFor = (t: WorkerTask) => ({ runId, index: t.index, collectStats: t.collectStats, traced: t.episodes.some((e) => (e.traceEvery ?? 0) > 0) ? t.episodes.length : 0 });

    const missingChunks = async (): Promise<number[]> => {
      const have = new Set(await this.guard(this.redis.hkeys(rk)));
      const missing = new Set<number>();
      for (const t of tasks) if (!have.has(String(t.index))) missing.add(chunkOf.get(t.index)!);
      return [...missing];
    };

    /** Re-enqueue chunks whose job is gone (Redis restart) or failed for good; report a failure. */
    const watchdog = async () => {
      const gone: number[] = [];
      for (const c of await missingChunks()) {
        const job = await this.guard(this.queue.getJob(jobId(runId, this.session, batch, c, attempt[c])));
        if (!job) gone.push(c);
        else if (await this.guard(job.isFailed())) {
          throw new RemoteTaskError(`chunk ${c} (${chunks[c][0].label} …) failed on the workers after ${job.attemptsMade} attempts: ${job.failedReason}`);
        }
      }
      if (gone.length) {
        this.log(`redis: ${gone.length} job${gone.length === 1 ? '' : 's'} of batch ${batch} vanished (Redis restarted?); enqueued again`);
        for (const c of gone) attempt[c]++;
        await enqueue(gone);
      }
    };

    for (;;) {
      if (this.resync) {
        this.resync = false;
        this.published.clear();
        this.sessions.delete(runId);
        await this.takeOver(runId);
        await this.publish(policy);
        await watchdog();
      }
      const note = await this.guard(this.blocking.blpop(nk, 1));
      if (note) {
        doneChunks.add(Number(note[1]));
        const more = await this.guard(this.redis.lpop(nk, 10_000));
        for (const n of more ?? []) doneChunks.add(Number(n));
      }
      const errs = await this.guard(this.redis.hgetall(ek));
      const errChunks = Object.keys(errs);
      if (errChunks.length) throw new RemoteTaskError(errs[errChunks[0]]);
      const count = await this.guard(this.redis.hlen(rk));
      const now = Date.now();
      if (count !== lastCount) {
        lastCount = count;
        lastChange = now;
      } else if (now - lastChange > 5000) {
        lastChange = now;
        await watchdog();
      }
      if (now - lastProgress >= progressMs) {
        lastProgress = now;
        const beats = await this.refreshWorkers();
        const c = await this.guard(this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'));
        this.log(`redis: ${beats.length} worker${beats.length === 1 ? '' : 's'} (${this.knownThreads} threads) | jobs waiting ${(c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0)}, active ${c.active ?? 0}, done ${doneChunks.size}/${chunks.length} | results ${count}/${tasks.length} | ${((now - started) / 1000).toFixed(0)} s`);
      }
      if (count < tasks.length) continue;
      const stored = await this.guard(this.redis.hgetall(rk));
      const results: TaskResult[] = [];
      const bad: number[] = [];
      for (const t of tasks) {
        try {
          results.push(decodeResult(stored[String(t.index)], expectFor(t), `result of ${t.label}`));
        } catch (e) {
          if (!(e instanceof MessageFormatError || e instanceof Error)) throw e;
          this.log(`redis: rejected the stored result of ${t.label}: ${(e as Error).message}; running its chunk again`);
          await this.guard(this.redis.hdel(rk, String(t.index)));
          bad.push(chunkOf.get(t.index)!);
        }
      }
      if (bad.length) {
        const again = [...new Set(bad)];
        for (const c of again) attempt[c]++;
        await enqueue(again);
        lastCount = -1;
        continue;
      }
      await this.guard(this.redis.del(rk, ek, nk));
      return results;
    }
  }

  /** Close the connections; never waits more than ~2 s on an unreachable Redis (then drops them). */
  async close(): Promise<void> {
    const closing = this.queue.close().catch(() => undefined);
    const timedOut = await Promise.race([closing.then(() => false), sleep(2000).then(() => true)]);
    if (timedOut) await this.queue.disconnect().catch(() => undefined);
    this.redis.disconnect();
    this.blocking.disconnect();
  }
}

/** The backend for a `--redis URL` option (undefined: none given, use the local pool). */
export async function backendFromUrl(url: string | undefined, log?: (line: string) => void): Promise<RedisBackend | undefined> {
  if (!url) return undefined;
  const { parseRedisUrl } = await import('./redis-url.js');
  return RedisBackend.connect({ target: parseRedisUrl(url), log });
}
