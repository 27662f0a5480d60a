/**
 * What every dashboard page module is given: the store and queues, the admin's sign-in, the
 * store-wide queries shared through the feed's read gate, and the page renderer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedReads } from '../../publish/feed/reads.js';
import type { AdminQueries, FeedStore } from '../../publish/store/store.js';
import type { PublishedBucket, SourceTotals } from '../../publish/types.js';
import type { AdminAuth } from '../auth.js';
import type { QueueAdmin } from '../queue-admin.js';

/** Rows per page of the records and failed-jobs lists. */
/** The store's roles the dashboard reads: the feed's reads (through its gate) and its own queries. */
export type DashboardStore = FeedStore & AdminQueries;

export const PAGE_SIZE = 50;

/** What a `?done=` code after an action says (fixed texts: nothing from the URL is echoed). */
export const NOTICES: Record<string, string> = {
  retried: 'The job is back in its queue.',
  crawling: 'A crawl of the source is queued.',
  'signed-in': 'Signed in: actions are enabled.',
  'signed-out': 'Signed out.',
};

export interface DashboardContext {
  scope: FastifyInstance;
  store: DashboardStore;
  queues: QueueAdmin | undefined;
  auth: AdminAuth;
  reads: FeedReads;
  /** Renders `template` with `data` (and the admin state, path and formatting) as the reply. */
  page(
    request: FastifyRequest,
    reply: FastifyReply,
    template: string,
    data: Record<string, unknown>,
    status?: number,
  ): FastifyReply;
  /** A page that only says something: an error, a refusal. */
  message(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: string,
    text: string,
    login?: boolean,
  ): FastifyReply;
  badRequest(request: FastifyRequest, reply: FastifyReply, text: string): FastifyReply;
  /** Runs a queue read; null (and the page says "unavailable") while Redis is away. */
  fromQueues<T>(read: (q: QueueAdmin) => Promise<T>): Promise<T | null>;
  /** Totals per source, shared through the read gate and reused while nothing is published. */
  sourceTotals(): Promise<SourceTotals[]>;
  publishedBuckets(bucket: 'hour' | 'day'): Promise<PublishedBucket[]>;
  /** Size of a value kept for reuse (JSON characters). */
  sizeOf(value: unknown): number;
}

export function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
