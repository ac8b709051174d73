/**
 * `--redis URL`: redis://[[user]:password@]host[:port][/db] or rediss://… (TLS). The password
 * (and ACL user) come from the URL, or from the environment variable SPIKELOCO_REDIS_PASSWORD
 * so it need not appear in `ps`; the URL is only ever printed with the password masked.
 *
 * Connections retry with exponential back-off (100 ms doubling to 5 s) and never give up on
 * their own: a worker waits out a Redis restart; the coordinator decides itself when an outage
 * has lasted too long (training/distributed/queue.ts).
 */
import type { RedisOptions } from 'ioredis';
import { UserError } from '../../core/errors.js';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** the URL with the password masked, for messages */
  display: string;
}

export function parseRedisUrl(url: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--redis ${JSON.stringify(url)} is not a URL; use redis://[:password@]host:6379[/db] or rediss://… for TLS`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UserError(`--redis ${mask(url)}: scheme "${u.protocol}" is not redis: or rediss: (TLS)`);
  if (!u.hostname) throw new UserError(`--redis ${mask(url)}: no host; use redis://host:6379`);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(path)) throw new UserError(`--redis ${mask(url)}: database "${path}" is not an integer 0..15`);
  if (u.search || u.hash) throw new UserError(`--redis ${mask(url)}: query strings and fragments are not supported; put options in the URL's parts`);
  const password = u.password ? decodeURIComponent(u.password) : env.SPIKELOCO_REDIS_PASSWORD || undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, port, db, username, password, tls: u.protocol === 'rediss:', display: mask(url) };
}

function mask(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** Back-off of reconnection attempt n (1, 2, …), ms. */
export function backoffMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 6));
}

/**
 * ioredis options for `target`. `maxRetriesPerRequest: null` (BullMQ requires it for workers):
 * commands issued during an outage wait for the reconnection instead of failing.
 */
export function redisOptions(target: RedisTarget, name: string): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    tls: target.tls ? { servername: target.host } : undefined,
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: backoffMs,
  };
}

/** Redis's replies to credentials it does not accept (AUTH, ACL): no retry fixes these. */
export const CREDENTIALS_REFUSED = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password/i;

export class RedisCredentialsError extends UserError {
  constructor(display: string, reply: string) {
    super(`redis at ${display} refused the credentials (${reply.split('\n')[0]}); give the password (and ACL user) in the URL, redis://user:PASSWORD@host:6379, or in SPIKELOCO_REDIS_PASSWORD, and check that the user may use the keys spikeloco:*`);
    this.name = 'RedisCredentialsError';
  }
}
