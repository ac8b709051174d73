/**
 * `spikeloco worker`: a process that pulls chunk jobs from the BullMQ queue and runs them on N
 * rollout threads (threads.ts). Stateless and idempotent: everything a task needs is in the
 * task or in the policy spec it names (fetched once per key, cached); results go into the
 * batch's hash with HSETNX, so a chunk delivered twice (BullMQ is at-least-once) changes nothing.
 *
 * Why worker threads and not BullMQ's sandboxed processors: both keep the CPU-bound rollouts
 * off the event loop that renews job locks (a killed process is then detected after
 * `lockSeconds`, not after the longest chunk); own threads also keep the built envs and
 * controllers across jobs, keep Redis I/O on one connection in the main thread, and pass
 * typed arrays without another serialisation step.
 *
 * What a worker refuses (logged, never executed): a job whose envelope or tasks do not parse
 * or check (protocol.ts), a task of another TASK_FORMAT_VERSION or physics build (recorded for
 * the coordinator, which stops with that message), and a job of a coordinator session that is
 * no longer the run's current one (a coordinator that was killed and resumed): skipped.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { PHYSICS_BUILD } from '../../sim/rapier.js';
import { TASK_FORMAT_VERSION, type PolicySpec } from '../task.js';
import { QUEUE_NAME, KEY_PREFIX, MessageFormatError, decodeJob, decodePolicy, decodeTasks, encodeResult, keys } from './protocol.js';
import { CREDENTIALS_REFUSED, RedisCredentialsError, backoffMs, redisOptions, type RedisTarget } from './redis-url.js';
import { RolloutThreads, TaskError } from './threads.js';

export interface WorkerProcessOptions {
  target: RedisTarget;
  threads: number;
  /** BullMQ lock duration: a killed worker's jobs come back after about this long */
  lockSeconds: number;
  log: (line: string) => void;
  /** one line per finished job (id, tasks, milliseconds) */
  logJobs?: boolean;
  /** test hook: pretend to be another physics build (refusal tests) */
  physicsBuild?: string;
}

export interface RunningWorker {
  id: string;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 2000;
const HEARTBEAT_TTL_S = 10;
/** results and notes of a batch live this long (a coordinator reads them within one batch) */
const RESULT_TTL_S = 24 * 3600;

export async function startWorker(o: WorkerProcessOptions): Promise<RunningWorker> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const physicsBuild = o.physicsBuild ?? PHYSICS_BUILD;
  const log = o.log;
  const redis = new Redis(redisOptions(o.target, `spikeloco-worker-${id}`));
  const outage = outageReporter(o.target.display, log);
  redis.on('error', outage.error);
  redis.on('ready', outage.ready);
  await firstContact(redis, o.target.display);
  const threads = new RolloutThreads(o.threads);
  const policies = new Map<string, PolicySpec>();
  let done = 0;

  const refuse = async (job: Job, why: string, record: { runId: string; session: string; batch: number; chunk: number } | null): Promise<never> => {
    log(`worker ${id}: refused job ${job.id}: ${why}; not executed`);
    if (record) {
      const k = keys.errors(record.runId, record.session, record.batch);
      await redis.multi().hset(k, String(record.chunk), `worker ${id} refused chunk ${record.chunk}: ${why}`).expire(k, RESULT_TTL_S).rpush(keys.note(record.runId, record.session, record.batch), `e${record.chunk}`).expire(keys.note(record.runId, record.session, record.batch), RESULT_TTL_S).exec();
    }
    throw new UnrecoverableError(why);
  };

  const processor = async (job: Job): Promise<{ tasks: number; skipped?: boolean }> => {
    let env;
    try {
      env = decodeJob(job.data, `job ${job.id}`);
    } catch (e) {
      if (e instanceof MessageFormatError) return refuse(job, e.message, null);
      throw e;
    }
    const rec = { runId: env.runId, session: env.session, batch: env.batch, chunk: env.chunk };
    if (env.taskVersion !== TASK_FORMAT_VERSION) return refuse(job, `task format version ${env.taskVersion}, this worker executes version ${TASK_FORMAT_VERSION}; run workers of the coordinator's spikeloco version`, rec);
    if (env.physicsBuild !== physicsBuild) return refuse(job, `physics build ${env.physicsBuild}, this worker runs ${physicsBuild} (results would differ); run workers of the coordinator's spikeloco version`, rec);
    const current = await redis.get(keys.session(env.runId));
    if (current !== env.session) {
      log(`worker ${id}: skipped job ${job.id}: coordinator session ${env.session} of run ${env.runId} is stale (current: ${current ?? 'none'})`);
      return { tasks: 0, skipped: true };
    }
    let policy = policies.get(env.policyKey);
    if (!policy) {
      const text = await redis.get(keys.policy(env.policyKey));
      // missing: Redis may have restarted; the coordinator republishes it, so this attempt is retried
      if (text === null) throw new Error(`policy ${env.policyKey} is not in Redis (yet)`);
      try {
        policy = decodePolicy(text, env.policyKey);
      } catch (e) {
        if (e instanceof MessageFormatError) return refuse(job, e.message, rec);
        throw e;
      }
      policies.set(env.policyKey, policy);
      if (policies.size > 16) policies.delete(policies.keys().next().value as string);
    }
    let tasks;
    try {
      tasks = decodeTasks(env.tasks, `job ${job.id}`);
      for (const t of tasks) {
        if (t.runId !== env.runId) throw new MessageFormatError(`job ${job.id} task ${t.index}`, `belongs to run ${t.runId}, the job to ${env.runId}`);
        if (t.policyKey !== env.policyKey) throw new MessageFormatError(`job ${job.id} task ${t.index}`, `names policy ${t.policyKey}, the job ${env.policyKey}`);
      }
    } catch (e) {
      if (e instanceof MessageFormatError || e instanceof Error) return refuse(job, (e as Error).message, rec);
      throw e;
    }
    let results;
    const t0 = performance.now();
    try {
      results = await threads.run(policy, tasks);
    } catch (e) {
      if (e instanceof TaskError) return refuse(job, `${e.label || `chunk ${env.chunk}`} failed: ${e.message}`, rec);
      throw e;
    }
    const rk = keys.results(env.runId, env.session, env.batch);
    const nk = keys.note(env.runId, env.session, env.batch);
    const m = redis.multi();
    for (const r of results) m.hsetnx(rk, String(r.index), encodeResult(r));
    await m.expire(rk, RESULT_TTL_S).rpush(nk, String(env.chunk)).expire(nk, RESULT_TTL_S).exec();
    done++;
    if (o.logJobs) log(`worker ${id}: done job ${job.id}: ${results.length} task${results.length === 1 ? '' : 's'} in ${(performance.now() - t0).toFixed(0)} ms`);
    return { tasks: results.length };
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: redisOptions(o.target, `spikeloco-worker-${id}-bullmq`) as ConnectionOptions,
    prefix: KEY_PREFIX.replace(/:$/, ''),
    concurrency: o.threads,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: Math.max(1000, (o.lockSeconds * 1000) / 2),
    // a chunk may be caught by several killed workers in a row; it is deterministic, so retrying is safe
    maxStalledCount: 20,
    autorun: true,
  });
  worker.on('error', outage.error);

  const beat = async () => {
    try {
      await redis.set(keys.worker(id), JSON.stringify({ host: hostname(), pid: process.pid, threads: o.threads, busy: threads.busy, done, physicsBuild, taskVersion: TASK_FORMAT_VERSION }), 'EX', HEARTBEAT_TTL_S);
    } catch {
      /* reported by the outage reporter */
    }
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  await beat();
  log(`worker ${id}: ${o.threads} rollout thread${o.threads === 1 ? '' : 's'} on ${o.target.display} (task format ${TASK_FORMAT_VERSION}, ${physicsBuild}); waiting for jobs`);

  return {
    id,
    async close() {
      clearInterval(timer);
      await worker.close();
      await threads.close();
      await redis.del(keys.worker(id)).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/**
 * The first PING, failing at once with a RedisCredentialsError if Redis refuses the password or
 * ACL user (retrying cannot fix that); unreachable is waited out (the connection retries).
 */
export async function firstContact(redis: Redis, display: string): Promise<void> {
  let onError: (e: Error) => void = () => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onError = (e: Error) => {
        if (CREDENTIALS_REFUSED.test(e.message)) reject(new RedisCredentialsError(display, e.message));
      };
      redis.on('error', onError);
      redis.ping().then(() => resolve(), (e: Error) => (CREDENTIALS_REFUSED.test(e.message) ? reject(new RedisCredentialsError(display, e.message)) : reject(e)));
    });
  } catch (e) {
    redis.disconnect();
    throw e;
  } finally {
    redis.off('error', onError);
  }
}

/**
 * One clear line when Redis goes away and one when it is back (not one per retry): the
 * connections themselves retry with back-off (redis-url.ts).
 */
export function outageReporter(display: string, log: (line: string) => void) {
  let down = false;
  let attempts = 0;
  let since = 0;
  return {
    error(e: Error) {
      attempts++;
      const code = (e as Error & { code?: string }).code;
      if (CREDENTIALS_REFUSED.test(e.message)) {
        log(`redis at ${display} refused the credentials (${e.message.split('\n')[0]}); check the password / ACL user in the URL or SPIKELOCO_REDIS_PASSWORD`);
        return;
      }
      if (!down) {
        down = true;
        since = Date.now();
        log(`redis at ${display} is unreachable (${code ?? e.message}); retrying with back-off up to ${backoffMs(99) / 1000} s; is redis-server running and the URL right?`);
      }
    },
    ready() {
      if (down) log(`redis at ${display} is back after ${((Date.now() - since) / 1000).toFixed(1)} s (${attempts} failed attempts)`);
      down = false;
      attempts = 0;
    },
    get down() {
      return down;
    },
    get downSince() {
      return since;
    },
  };
}
