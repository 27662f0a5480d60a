/**
 * `finfaq jobs failed [--queue NAME] [--limit N]`: the failed jobs, newest failure first, one line
 * each on standard output: queue, id, subject (source or page URL), reason, separated by tabs; how
 * many there are in all on standard error.
 *
 * `finfaq jobs retry QUEUE ID` and `finfaq jobs retry --all [--queue NAME]`: failed jobs back to
 * waiting, their attempts counted afresh (`admin.ts`). Exit code 0; 1 when a job is not found or
 * not failed, or when Redis does not answer (the one line every queue command prints).
 */
import {
  failedJobs,
  JobNotFailedError,
  JobNotFoundError,
  retryAllFailed,
  retryFailedJob,
} from '../queue/admin.js';
import { QUEUE_NAMES, type QueueName } from '../queue/jobs.js';
import { connectQueues } from '../queue/queues.js';
import { exitCodeOf, reachableQueueSettings, say } from './service.js';

/** Failed jobs listed when `--limit` is not given. */
export const DEFAULT_FAILED_LIMIT = 100;

/** One line: tabs and line breaks inside a field would break the columns. */
const field = (text: string) => text.replace(/\s+/g, ' ').trim();

export function runJobsFailed(options: { queue?: QueueName; limit?: number }): Promise<number> {
  return exitCodeOf(async () => {
    const client = connectQueues(await reachableQueueSettings('jobs'));
    try {
      const limit = options.limit ?? DEFAULT_FAILED_LIMIT;
      const { total, jobs } = await failedJobs(client.queues, { queue: options.queue, limit, offset: 0 });
      for (const job of jobs)
        process.stdout.write(`${[job.queue, job.id, field(job.subject), field(job.reason)].join('\t')}\n`);
      const where = options.queue ? `the ${options.queue} queue` : QUEUE_NAMES.join(', ');
      say(
        'jobs',
        `${total} failed job${total === 1 ? '' : 's'} in ${where}${total > jobs.length ? ` (the ${jobs.length} newest listed)` : ''}`,
      );
    } finally {
      await client.close();
    }
    return 0;
  });
}

export interface RetryOptions {
  queue?: QueueName;
  id?: string;
  all?: boolean;
}

export function runJobsRetry(options: RetryOptions): Promise<number> {
  return exitCodeOf(async () => {
    if (options.all ? options.id !== undefined : options.queue === undefined || options.id === undefined) {
      say('jobs', 'expected `jobs retry QUEUE ID` or `jobs retry --all [--queue NAME]`');
      return 2;
    }
    const client = connectQueues(await reachableQueueSettings('jobs'));
    try {
      if (options.all) {
        const retried = await retryAllFailed(client.queues, options.queue);
        const names = options.queue ? [options.queue] : QUEUE_NAMES;
        say('jobs', `back to waiting: ${names.map((name) => `${name} ${retried[name]}`).join(', ')}`);
        return 0;
      }
      const queue = options.queue as QueueName;
      const id = options.id as string;
      try {
        await retryFailedJob(client.queues, queue, id);
      } catch (error) {
        if (!(error instanceof JobNotFoundError || error instanceof JobNotFailedError)) throw error;
        say('jobs', error.message);
        return 1;
      }
      say('jobs', `${queue} ${id}: back to waiting`);
      return 0;
    } finally {
      await client.close();
    }
  });
}
