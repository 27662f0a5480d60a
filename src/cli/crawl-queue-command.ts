/**
 * `finfaq crawl --config FILE [--once]` without `--out`: the crawls go on the queue for the
 * workers (the `--out` mode, which needs no Redis, is `crawl-command.ts`). With `--once`, one
 * immediate crawl job per source; without, each source's job scheduler is created or updated from
 * its `schedule` and `tz` (and the schedulers of sources no longer in the file are removed).
 * Exit code 0; 2 for a bad sources file; 1 when Redis does not answer.
 */
import { connectQueues } from '../queue/queues.js';
import { enqueueCrawls, newRunId, scheduleCrawls } from '../queue/schedule.js';
import { exitCodeOf, loadConfigOrFail, reachableQueueSettings, say, sayScheduled } from './service.js';

export function runCrawlQueue(configPath: string, once: boolean): Promise<number> {
  return exitCodeOf(async () => {
    const config = await loadConfigOrFail('crawl', configPath);
    const client = connectQueues(await reachableQueueSettings('crawl'));
    try {
      if (once) {
        const ids = await enqueueCrawls(client.queues.crawl, config, newRunId());
        config.sources.forEach((source, i) => {
          say('crawl', `${source.name}: crawl job ${ids[i]} queued`);
        });
      } else {
        sayScheduled('crawl', await scheduleCrawls(client.queues.crawl, config));
      }
    } finally {
      await client.close();
    }
    return 0;
  });
}
