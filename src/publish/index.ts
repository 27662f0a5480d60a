/**
 * The publish side: store, dedupe, publisher, feed server. What the queue layer needs:
 *
 *   const store = await openStore();                       // DATABASE_URL or ./data/finfaq.sqlite
 *   const publisher = await createPublisher(store);        // one per process
 *   await publisher.publish(record, raw);                  // in the publish worker, per job
 *   await store.updateProfile(source, (old) => merge(old)); // deleted-word profiles
 *   const app = buildFeedServer(store, { publisher, metrics: { queueDepths } });
 *   await app.listen({ port, host });                      // `finfaq serve`
 *   await app.close(); await store.close();                // on SIGTERM
 */
export * from './dedupe/index.js';
export { type FeedItem, toFeedItem } from './feed/items.js';
export { buildFeedServer, type FeedServerOptions } from './feed/server.js';
export { createMetrics, type MetricsOptions, type QueueDepth } from './metrics.js';
export { createPublisher, type PublishCounts, Publisher } from './publisher.js';
export {
  type AdminQueries,
  type FeedStore,
  isPostgresUrl,
  type OpenStoreOptions,
  openStore,
  type ProfileStore,
  type PublishInput,
  type PublishStore,
  type Store,
  type StoreBackend,
  StoreError,
} from './store/index.js';
export type * from './types.js';
