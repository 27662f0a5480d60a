/**
 * Prometheus metrics (prom-client) of the publish side, on a registry of their own:
 *
 * - from the store, so the same on every process: `finfaq_store_records{state}`,
 *   `finfaq_store_versions_total{outcome}` (created, updated, duplicate),
 *   `finfaq_store_repairs_total{kind}`, `finfaq_feed_head` (highest cursor);
 * - from this process's publisher, when given: `finfaq_publish_total{outcome}` (created, updated,
 *   unchanged, failed), `finfaq_publish_duplicates_total`, `finfaq_publish_duration_seconds`;
 * - `finfaq_queue_jobs{queue,state}` from the `queueDepths` hook, for the queue layer to fill;
 * - `extra(registry)`: anything else to register (another stage's counters).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { REPAIR_KINDS } from '../records/repairs.js';
import type { Publisher } from './publisher.js';
import type { FeedStore } from './store/store.js';
import type { StoreStats } from './types.js';

export interface QueueDepth {
  queue: string;
  /** BullMQ job state: waiting, active, delayed, failed, completed… */
  state: string;
  count: number;
}

export interface MetricsOptions {
  /** Registry to fill (default: a new one; never prom-client's global registry). */
  registry?: Registry;
  /** Count this process's publishes. */
  publisher?: Publisher;
  /** Called at each scrape: job counts per queue and state. */
  queueDepths?: () => Promise<readonly QueueDepth[]>;
  /** Registers more metrics on the same registry. */
  extra?: (registry: Registry) => void;
  /** Node.js process metrics (default true). */
  processMetrics?: boolean;
}

/** Store totals, read once per scrape however many metrics need them. */
function statsReader(store: FeedStore): () => Promise<StoreStats> {
  let pending: Promise<StoreStats> | null = null;
  return () => {
    if (!pending) {
      pending = store.stats();
      // Shared by the collectors of one scrape, which run together.
      setTimeout(() => {
        pending = null;
      }, 250).unref();
    }
    return pending;
  };
}

export function createMetrics(store: FeedStore, options: MetricsOptions = {}): Registry {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const stats = statsReader(store);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'finfaq_' });

  new Gauge({
    name: 'finfaq_store_records',
    help: 'Records in the store, canonical or duplicate (latest version).',
    labelNames: ['state'],
    registers,
    async collect() {
      const s = await stats();
      this.set({ state: 'canonical' }, s.records - s.duplicates);
      this.set({ state: 'duplicate' }, s.duplicates);
    },
  });
  new Counter({
    name: 'finfaq_store_versions_total',
    help: 'Record versions written to the store by all publishers, by outcome (duplicate: also created or updated).',
    labelNames: ['outcome'],
    registers,
    async collect() {
      const s = await stats();
      this.reset();
      for (const outcome of ['created', 'updated', 'duplicate'])
        this.inc({ outcome }, s.published[outcome] ?? 0);
    },
  });
  new Counter({
    name: 'finfaq_store_repairs_total',
    help: 'Repairs carried by the record versions written to the store, by kind.',
    labelNames: ['kind'],
    registers,
    async collect() {
      const s = await stats();
      this.reset();
      for (const kind of new Set([...REPAIR_KINDS, ...Object.keys(s.repairs)]))
        this.inc({ kind }, s.repairs[kind] ?? 0);
    },
  });
  new Gauge({
    name: 'finfaq_feed_head',
    help: 'Highest publish sequence number (feed cursor).',
    registers,
    async collect() {
      this.set((await stats()).head);
    },
  });

  const { publisher } = options;
  if (publisher) {
    const published = new Counter({
      name: 'finfaq_publish_total',
      help: 'Publishes by this process, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['created', 'updated', 'unchanged', 'failed']) published.inc({ outcome }, 0);
    const duplicates = new Counter({
      name: 'finfaq_publish_duplicates_total',
      help: 'Versions written by this process that duplicate another record.',
      registers,
    });
    const duration = new Histogram({
      name: 'finfaq_publish_duration_seconds',
      help: 'Time of one publish (dedupe + store transaction).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    publisher.on('done', ({ outcome, duplicate, seconds }) => {
      published.inc({ outcome });
      if (duplicate) duplicates.inc();
      duration.observe(seconds);
    });
  }

  const { queueDepths } = options;
  if (queueDepths) {
    new Gauge({
      name: 'finfaq_queue_jobs',
      help: 'Jobs per queue and state.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const { queue, state, count } of await queueDepths()) this.set({ queue, state }, count);
      },
    });
  }
  options.extra?.(registry);
  return registry;
}
