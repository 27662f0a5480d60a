/**
 * `finfaq feed [--after CURSOR] [--follow] [--to SCRIPT]`: print the store's feed as JSON Lines,
 * the items of `GET /v1/records` (publish order, canonical records with `also_on`, each with its
 * `cursor`). Reads the store named by `DATABASE_URL` directly; no server and no Redis needed.
 * Without `--follow` it stops at the head; with it, it keeps polling for new items until
 * SIGTERM/SIGINT. Pass the last item's `cursor` as `--after` to go on where it stopped.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { toFeedItem } from '../publish/index.js';
import { storeSettings } from '../queue/store.js';
import type { Script } from '../records/scripts.js';
import { exitCodeOf, openStoreOrFail, untilStopped } from './service.js';

export interface FeedOptions {
  after?: number;
  follow?: boolean;
  to?: Script;
  /** Milliseconds between polls with `--follow`. */
  pollMs?: number;
}

const PAGE = 500;

export function runFeed(options: FeedOptions): Promise<number> {
  return exitCodeOf(async () => {
    const { signal } = untilStopped('feed');
    const store = await openStoreOrFail('feed', storeSettings());
    let after = options.after ?? 0;
    try {
      while (!signal.aborted) {
        const page = await store.listFeed(after, PAGE);
        for (const record of page.items) {
          if (!process.stdout.write(`${JSON.stringify(toFeedItem(record, options.to))}\n`))
            await once(process.stdout, 'drain');
        }
        after = page.next;
        if (page.items.length === PAGE) continue;
        if (!options.follow) break;
        await sleep(options.pollMs ?? 1_000, undefined, { signal }).catch(() => {});
      }
    } finally {
      await store.close();
    }
    return 0;
  });
}
