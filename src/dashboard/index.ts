/**
 * The dashboard (`finfaq serve` and `up`, at `/`): server-rendered pages over the store and the
 * queues.
 *
 *   GET  /                 sources: last and next crawl, pages, records, errors, learned profile; charts
 *   GET  /queues           jobs per queue and state; failed jobs with their reason
 *   GET  /records          search by text, filter by source, flag and repair kind
 *   GET  /records/:id      clean text with every repair highlighted, the raw page beside it,
 *                          duplicates, versions, and the script switch (?script=hans|hant|tw|hk)
 *   GET  /login, POST /login, POST /logout
 *   POST /actions/retry    retry a failed job       } need FINFAQ_ADMIN_TOKEN: disabled without it
 *   POST /actions/crawl    crawl a source now       }
 *   GET  /assets/...       CSS, the chart script, Chart.js
 *
 * Each page is its own module in `routes/` (sources, queues, records, record, session, actions),
 * given a `DashboardContext`; this file mounts the plugins (security headers, rate limits, cookies,
 * forms, static assets) and the renderer they share.
 *
 * Crawled text is hostile: templates escape every value (Eta's autoEscape), and a strict Content
 * Security Policy (scripts from this server only, no inline scripts) stops any that slipped by.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { feedReadsOf } from '../publish/feed/reads.js';
import { AdminAuth, type AdminState } from './auth.js';
import type { QueueAdmin } from './queue-admin.js';
import { registerActions } from './routes/actions.js';
import type { DashboardContext, DashboardStore } from './routes/context.js';
import { registerQueuesPage } from './routes/queues.js';
import { registerRecordPage } from './routes/record.js';
import { registerRecordsPage } from './routes/records.js';
import { registerSession } from './routes/session.js';
import { registerSourcesPage } from './routes/sources.js';

export type { QueueAdmin } from './queue-admin.js';
export { connectQueueAdmin } from './queue-admin.js';
export { SEARCHES_PER_MINUTE } from './routes/records.js';
export { LOGIN_ATTEMPTS } from './routes/session.js';

export interface DashboardOptions {
  store: DashboardStore;
  /** The queues; without them (or while Redis is away) the queue parts say so. */
  queues?: QueueAdmin;
  /** `FINFAQ_ADMIN_TOKEN`: actions are disabled when it is unset or empty. */
  adminToken?: string;
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
/** Chart.js's dist folder (its package exports do not list the UMD build, so find it by the main file). */
const CHART_JS = dirname(createRequire(import.meta.url).resolve('chart.js'));

/** Formatting the templates share. */
const FORMAT = {
  /** An instant (ms or ISO 8601) as `2026-11-23 14:05 UTC`; '—' when unknown. */
  time(value: number | string | null | undefined): string {
    if (value === null || value === undefined) return '—';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? '—' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  },
  count(value: number | undefined): string {
    return (value ?? 0).toLocaleString('en');
  },
};

export async function registerDashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const { store, queues } = options;
  const auth = new AdminAuth(options.adminToken);
  const reads = feedReadsOf(store);
  // Queries that scan the whole store go through the feed's read gate (a few at once, identical
  // ones shared) and are reused while nothing new is published.
  const sizeOf = (value: unknown) => JSON.stringify(value).length;
  const sourceTotals = () => reads.cached('dashboard:source-totals', () => store.sourceTotals(), sizeOf);
  const publishedBuckets = (bucket: 'hour' | 'day') =>
    reads.cached(`dashboard:published:${bucket}`, () => store.publishedOverTime({ bucket }), sizeOf);
  const views = new Eta({ views: `${WEB}views`, autoEscape: true, cache: true });

  await app.register(async (scope) => {
    await scope.register(fastifyHelmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          // Helmet's default would send forms and links of a plain-HTTP server to https://.
          upgradeInsecureRequests: null,
        },
      },
      // The feed's other consumers are not affected: this scope holds the dashboard's routes only.
      crossOriginEmbedderPolicy: false,
      // Helmet's `no-referrer` makes browsers send `Origin: null` with the dashboard's own forms,
      // which `crossSite` must refuse; `same-origin` keeps referrers from leaving the server.
      referrerPolicy: { policy: 'same-origin' },
    });
    await scope.register(fastifyRateLimit, { global: false });
    await scope.register(fastifyCookie);
    await scope.register(fastifyFormbody);
    await scope.register(fastifyStatic, { root: `${WEB}assets`, prefix: '/assets/', decorateReply: false });
    await scope.register(fastifyStatic, {
      root: CHART_JS,
      prefix: '/assets/vendor/',
      allowedPath: (path) => path === '/chart.umd.js',
      decorateReply: false,
    });

    const page = (
      request: FastifyRequest,
      reply: FastifyReply,
      template: string,
      data: Record<string, unknown>,
      status = 200,
    ) => {
      const admin: AdminState = auth.state(request);
      const html = views.render(template, { ...data, admin, path: request.url, fmt: FORMAT });
      return reply
        .code(status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(html);
    };
    /** A page that only says something: an error, a refusal. */
    const message = (
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      title: string,
      text: string,
      login = false,
    ) => page(request, reply, 'message', { title, message: text, login }, status);
    const badRequest = (request: FastifyRequest, reply: FastifyReply, text: string) =>
      message(request, reply, 400, 'Bad request', text);

    /** Runs a queue read; null (and the page says "unavailable") while Redis is away. */
    const fromQueues = async <T>(read: (q: QueueAdmin) => Promise<T>): Promise<T | null> => {
      if (!queues?.available) return null;
      try {
        return await read(queues);
      } catch {
        return null;
      }
    };

    const ctx: DashboardContext = {
      scope,
      store,
      queues,
      auth,
      reads,
      page,
      message,
      badRequest,
      fromQueues,
      sourceTotals,
      publishedBuckets,
      sizeOf,
    };
    registerSourcesPage(ctx);
    registerQueuesPage(ctx);
    registerRecordsPage(ctx);
    registerRecordPage(ctx);
    registerSession(ctx);
    registerActions(ctx);
    // Browsers ask for it on every page; there is none.
    scope.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  });
}
