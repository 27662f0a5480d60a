/**
 * Redis for the queues: where it is (`REDIS_URL`), the settings every process reads from its
 * environment, the start-up check that turns "no Redis" into one line that says how to get one,
 * and the long-lived connection that reconnects by itself when Redis goes away and comes back.
 *
 * @example
 * const settings = queueSettings();          // REDIS_URL, FINFAQ_QUEUE_PREFIX, …
 * await assertRedisReachable(settings.redisUrl); // throws RedisUnavailableError after ~3 s
 * const redis = createRedis(settings.redisUrl);   // give it to every Queue and Worker
 */

import { Redis } from 'ioredis';
import { redactUrl } from '../config/redact.js';
import { normalizeTimeoutMs, positiveInt } from './budgets.js';

export { DEFAULT_NORMALIZE_TIMEOUT_MS, normalizeTimeoutMs } from './budgets.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Prefix of every key BullMQ and finfaq write (BullMQ's own default is `bull`). */
export const DEFAULT_PREFIX = 'finfaq';
/** How long the start-up check waits for Redis to answer. */
export const REDIS_CHECK_TIMEOUT_MS = 3_000;

export interface QueueSettings {
  redisUrl: string;
  /** BullMQ `prefix`: separate prefixes are separate pipelines on one Redis (tests use one each). */
  prefix: string;
  /** How long a worker's lock on a job lasts without renewal (BullMQ `lockDuration`). */
  lockDurationMs: number;
  /** How often workers look for jobs whose worker died (BullMQ `stalledInterval`). */
  stalledIntervalMs: number;
  /**
   * Time budget of a normalize job (`FINFAQ_NORMALIZE_TIMEOUT_MS`): past it the job fails and its
   * thread is stopped; learn and restore jobs get ten times as long (normalize-worker.ts).
   */
  normalizeTimeoutMs: number;
}

/**
 * The queue settings of this process: `REDIS_URL`, `FINFAQ_QUEUE_PREFIX`, `FINFAQ_LOCK_MS`,
 * `FINFAQ_STALLED_MS` and `FINFAQ_NORMALIZE_TIMEOUT_MS` (defaults: local Redis, `finfaq`, 30 s,
 * 30 s, 60 s).
 */
export function queueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const prefix = env.FINFAQ_QUEUE_PREFIX || DEFAULT_PREFIX;
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix))
    throw new Error(`FINFAQ_QUEUE_PREFIX: expected letters, digits, ".", "_" or "-", got ${prefix}`);
  return {
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    prefix,
    lockDurationMs: positiveInt('FINFAQ_LOCK_MS', 30_000, env),
    stalledIntervalMs: positiveInt('FINFAQ_STALLED_MS', 30_000, env),
    normalizeTimeoutMs: normalizeTimeoutMs(env),
  };
}

/** Redis did not answer at start-up; the message is the one line the CLI prints. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(url: string, reason: string) {
    super(
      `cannot reach Redis at ${redactUrl(url)} (${reason}): start one with \`docker compose up -d redis\` or your distribution's redis-server, or point REDIS_URL at yours`,
    );
  }
}

/** Resolves when Redis answers PING within `timeoutMs`; otherwise throws `RedisUnavailableError`. */
export async function assertRedisReachable(url: string, timeoutMs = REDIS_CHECK_TIMEOUT_MS): Promise<void> {
  let lastError = 'no answer';
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: Math.min(1_000, timeoutMs),
    disconnectTimeout: 100,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Keep trying for the whole window (Redis may be starting), then give up.
    retryStrategy: () => 250,
  });
  client.on('error', (error: Error) => {
    lastError = error.message || String(error);
  });
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  try {
    const answered = (async () => {
      while (!done) {
        try {
          if (client.status === 'wait') await client.connect();
          await client.ping();
          return;
        } catch (error) {
          lastError = (error as Error).message || lastError;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(url, lastError)), timeoutMs);
    });
    await Promise.race([answered, timeout]);
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw error;
    throw new RedisUnavailableError(url, (error as Error).message);
  } finally {
    done = true;
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Longest wait between reconnection attempts when Redis is gone. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A connection for Queues and Workers: commands wait while Redis is away (no retry limit, as
 * BullMQ workers need) and the client reconnects by itself, so the process carries on when Redis
 * comes back. Workers duplicate it for their own (blocking) connections; close it last.
 */
export function createRedis(url: string, onError: (error: Error) => void = logRedisError): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
  });
  client.on('error', onError);
  return client;
}

let lastLogged = 0;
let lastMessage = '';

/** One line on standard error per distinct Redis problem, at most every 5 s (reconnects are noisy). */
export function logRedisError(error: Error): void {
  const message = error.message || String(error);
  const now = Date.now();
  if (message === lastMessage && now - lastLogged < 5_000) return;
  lastMessage = message;
  lastLogged = now;
  process.stderr.write(`finfaq: redis: ${message} (retrying)\n`);
}

/**
 * The options every finfaq worker shares: its connection and prefix, and how long a job's lock
 * lasts and how often dead workers' jobs are looked for (`FINFAQ_LOCK_MS`, `FINFAQ_STALLED_MS`).
 */
export function workerOptions(connection: Redis, settings: QueueSettings, concurrency: number, name: string) {
  return {
    connection,
    prefix: settings.prefix,
    concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: 2,
    name,
  };
}

/** What Redis says of its persistence (`CONFIG GET appendonly`, `CONFIG GET save`). */
export interface RedisPersistence {
  appendonly: boolean;
  /** RDB snapshot rules; '' when none. */
  save: string;
}

/** How long the persistence check waits for an answer. */
const PERSISTENCE_CHECK_MS = 2_000;

/**
 * Redis's persistence settings, or null when it will not say: CONFIG renamed or disabled (as
 * managed services do), refused by an ACL, or no answer within 2 s.
 */
export async function redisPersistence(redis: Redis): Promise<RedisPersistence | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ask = async () => {
      const aof = (await redis.config('GET', 'appendonly')) as string[];
      const save = (await redis.config('GET', 'save')) as string[];
      if (aof.length < 2 || save.length < 2) return null;
      return { appendonly: aof[1] === 'yes', save: save[1] ?? '' };
    };
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PERSISTENCE_CHECK_MS);
    });
    return await Promise.race([ask(), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The warning to print at start, or null when Redis keeps an append-only file. Without one a
 * restart loses every job queued since the last snapshot (all of them without snapshots): pages
 * crawled but not yet published are never published.
 */
export function persistenceWarning(url: string, persistence: RedisPersistence | null): string | null {
  const where = `Redis at ${redactUrl(url)}`;
  if (persistence === null)
    return `cannot tell whether ${where} keeps its data (CONFIG GET refused); without --appendonly yes a Redis restart loses queued pages`;
  if (persistence.appendonly) return null;
  if (persistence.save.trim() === '')
    return `${where} has no persistence (appendonly no, no snapshots): a restart loses every queued page; start it with --appendonly yes`;
  return `${where} keeps only snapshots (save "${persistence.save}", appendonly no): a restart loses the pages queued since the last one; start it with --appendonly yes`;
}
