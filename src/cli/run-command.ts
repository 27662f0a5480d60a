/**
 * `finfaq run --config FILE [--no-workers] [--json] [--concurrency N]`: crawl every source once,
 * wait until the crawl, normalize and publish queues are drained, print a summary, exit.
 *
 * The workers run in this process unless `--no-workers` (then `finfaq worker` processes elsewhere
 * do the work, and this one only enqueues and waits). Summary: pages fetched, records published
 * (new, updated, unchanged), duplicates, repairs by kind, failed jobs with their reasons; as text
 * on standard output, or one JSON object with `--json`. Exit code 0 when no job failed and every
 * source could be crawled, 1 otherwise. SIGTERM/SIGINT: stop as `finfaq worker` does (what is left
 * stays queued), print the summary so far, exit 0.
 *
 * No silent loss: the pages the crawls handed on are compared with the records published and the
 * jobs that failed; a page in neither, a crawl gone without a report, or Redis losing the run's
 * data is named (summary and standard error) and the exit code is 1. At start, a warning when
 * Redis keeps no append-only file (a restart would lose what is queued).
 */

import { connectQueues } from '../queue/queues.js';
import {
  formatLoss,
  formatRunSummary,
  hasLoss,
  markRun,
  summarizeRun,
  waitUntilDrained,
} from '../queue/runs.js';
import { enqueueCrawls, newRunId } from '../queue/schedule.js';
import { storeSettings } from '../queue/store.js';
import { type RunningWorkers, startWorkers } from '../queue/workers.js';
import {
  exitCodeOf,
  loadConfigOrFail,
  reachableQueueSettings,
  StartupFailure,
  say,
  untilStopped,
  warnWithoutPersistence,
} from './service.js';

export interface RunOptions {
  config: string;
  /** Run the workers in this process (default true). */
  workers?: boolean;
  json?: boolean;
  concurrency?: number;
}

/** Seconds between progress lines on standard error. */
const PROGRESS_EVERY_MS = 5_000;

export function runRun(options: RunOptions): Promise<number> {
  return exitCodeOf(async () => {
    const { stopped, signal } = untilStopped('run');
    const config = await loadConfigOrFail('run', options.config);
    const settings = await reachableQueueSettings('run');
    const client = connectQueues(settings);
    await warnWithoutPersistence('run', settings.redisUrl, client.redis);
    let running: RunningWorkers | undefined;
    if (options.workers ?? true) {
      try {
        running = await startWorkers(client, {
          storeSettings: storeSettings(),
          concurrency: options.concurrency ? { normalize: options.concurrency } : undefined,
        });
      } catch (error) {
        say('run', `cannot start the workers: ${(error as Error).message}`);
        await client.close();
        throw new StartupFailure(1);
      }
    }

    const run = newRunId();
    await markRun(client.redis, settings.prefix, run);
    const crawlJobs = await enqueueCrawls(client.queues.crawl, config, run);
    say('run', `run ${run}: crawling ${crawlJobs.length} sources`);
    let lastProgress = Date.now();
    let interrupted: string | undefined;
    try {
      await waitUntilDrained(client.queues, crawlJobs, {
        signal,
        onProgress: (left) => {
          if (Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = Date.now();
          say(
            'run',
            `waiting: ${left.crawls} crawls, ${left.normalize} normalize and ${left.publish} publish jobs left`,
          );
        },
      });
    } catch (error) {
      if (!signal.aborted) throw error;
      interrupted = (await stopped) as string;
      say('run', `${interrupted}: stopping; what is left stays on the queues`);
    }
    await running?.close();
    const summary = await summarizeRun(client.redis, settings.prefix, client.queues, run, {
      crawlJobs: crawlJobs.map((id, i) => ({ id, source: config.sources[i]?.name ?? '?' })),
      checkLoss: !interrupted,
    });
    await client.close();
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatRunSummary(summary));
    if (interrupted) return 0;
    for (const line of formatLoss(summary.lost)) say('run', line);
    return summary.failures.length > 0 || summary.deadSources.length > 0 || hasLoss(summary.lost) ? 1 : 0;
  });
}
