/**
 * What the long-running commands (`worker`, `serve`, `up`, `run`, `crawl`, `feed`) share: reading
 * the environment, the one-line start-up errors (no Redis, no store, bad sources file), and
 * stopping on SIGTERM/SIGINT.
 */

import type { Redis } from 'ioredis';
import { ConfigError, loadSourcesFile, type SourcesConfig } from '../config/sources.js';
import type { Store } from '../publish/index.js';
import {
  assertRedisReachable,
  persistenceWarning,
  type QueueSettings,
  queueSettings,
  RedisUnavailableError,
  redisPersistence,
} from '../queue/connection.js';
import type { ScheduledCrawl } from '../queue/schedule.js';
import { openAppStore, type StoreSettings } from '../queue/store.js';

/** A start-up problem already reported on standard error; the command exits with `code`. */
export class StartupFailure extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function say(command: string, line: string): void {
  process.stderr.write(`finfaq ${command}: ${line}\n`);
}

/** One line per source: when its crawls are scheduled, and the next one. */
export function sayScheduled(command: string, scheduled: readonly ScheduledCrawl[]): void {
  for (const s of scheduled)
    say(
      command,
      `${s.source}: crawls on "${s.pattern}" (${s.tz})${s.next ? `, next at ${new Date(s.next).toISOString()}` : ''}`,
    );
}

/** Runs a command body; a `StartupFailure` becomes its exit code. */
export async function exitCodeOf(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StartupFailure) return error.code;
    throw error;
  }
}

/** The queue settings, after checking that Redis answers (one line and exit 1 when not). */
export async function reachableQueueSettings(command: string): Promise<QueueSettings> {
  let settings: QueueSettings;
  try {
    settings = queueSettings();
  } catch (error) {
    say(command, (error as Error).message);
    throw new StartupFailure(2);
  }
  try {
    await assertRedisReachable(settings.redisUrl);
  } catch (error) {
    if (!(error instanceof RedisUnavailableError)) throw error;
    say(command, error.message);
    throw new StartupFailure(1);
  }
  return settings;
}

/** Warns (one line) when Redis would lose queued jobs on a restart: no append-only file. */
export async function warnWithoutPersistence(command: string, url: string, redis: Redis): Promise<void> {
  const warning = persistenceWarning(url, await redisPersistence(redis));
  if (warning) say(command, `warning: ${warning}`);
}

/** Opens the store (one line and exit 1 when it cannot be used). */
export async function openStoreOrFail(command: string, settings: StoreSettings): Promise<Store> {
  try {
    return await openAppStore(settings);
  } catch (error) {
    say(command, `cannot open the store: ${(error as Error).message}`);
    throw new StartupFailure(1);
  }
}

/** Loads the sources file (each problem on its own line and exit 2 when it is bad). */
export async function loadConfigOrFail(command: string, path: string): Promise<SourcesConfig> {
  try {
    return await loadSourcesFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) say(command, `${error.file}: ${problem}`);
    throw new StartupFailure(2);
  }
}

/**
 * Resolves with the signal's name at the first SIGTERM or SIGINT. A second one while the command
 * is still stopping ends the process at once (exit 130): jobs in hand are then recovered by other
 * workers once their locks expire.
 */
export function untilStopped(command: string): { stopped: Promise<NodeJS.Signals>; signal: AbortSignal } {
  const controller = new AbortController();
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) {
        say(command, `${signal} again: exiting now`);
        process.exit(130);
      }
      controller.abort(new Error(signal));
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return { stopped, signal: controller.signal };
}
