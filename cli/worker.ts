import type { CommandSpec, ParsedArgs } from './args.js';
import { flag, num, str, UsageError } from './args.js';
import { workersFrom, workersOption } from './limits.js';

export const command: CommandSpec = {
  name: 'worker',
  summary: 'serve rollouts for train/eval/study --redis on this machine (Redis + BullMQ)',
  usage: 'spikeloco worker --redis redis://[:password@]host:6379[/db] [--workers N] [--lock-seconds S]',
  options: [
    { name: 'redis', type: 'string', description: 'Redis to pull jobs from (rediss:// for TLS; the password may also come from SPIKELOCO_REDIS_PASSWORD)', metavar: 'URL' },
    workersOption(),
    { name: 'lock-seconds', type: 'number', default: 30, min: 1, max: 3600, description: 'job lock: a job of a killed worker is handed out again after about this long', metavar: 'S' },
    { name: 'quiet', type: 'boolean', description: 'log only the start line, refusals and outages' },
    { name: 'log-jobs', type: 'boolean', description: 'one line per finished job (id, tasks, milliseconds)' },
  ],
};

/** How long a signalled worker may take to finish its running jobs and disconnect. */
const CLOSE_LIMIT_MS = 120_000;

export function redisOption(): CommandSpec['options'][number] {
  return { name: 'redis', type: 'string', description: 'run the rollouts on spikeloco worker processes through this Redis (docs/DISTRIBUTED.md)', metavar: 'URL' };
}

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`worker takes no positional arguments (got ${args.positionals.join(' ')})`);
  const url = str(args, 'redis');
  if (!url) throw new UsageError('worker needs --redis URL (redis://host:6379)');
  const { parseRedisUrl } = await import('../training/distributed/redis-url.js');
  const { startWorker } = await import('../training/distributed/worker.js');
  const target = parseRedisUrl(url);
  const quiet = flag(args, 'quiet');
  const log = (line: string) => {
    if (!quiet || /waiting for jobs|refused|unreachable|back after|credentials|SIG/.test(line)) console.error(`${new Date().toISOString()} ${line}`);
  };
  const worker = await startWorker({ target, threads: workersFrom(args, 'worker'), lockSeconds: num(args, 'lock-seconds')!, log, logJobs: flag(args, 'log-jobs') });
  let signals = 0;
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      // a second signal, or a close that cannot reach Redis, ends the process at once (the jobs come back to other workers)
      if (++signals > 1) process.exit(130);
      log(`worker ${worker.id}: ${sig}: finishing the running jobs, then exiting (again to stop at once)`);
      setTimeout(() => process.exit(130), CLOSE_LIMIT_MS).unref();
      resolve();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  await worker.close();
  return 0;
}
