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
import { z } from 'zod';
import { REPAIR_KINDS, SCRIPTS, type Script } from '../normalize/types.js';
import { feedReadsOf } from '../publish/feed/reads.js';
import type { Store } from '../publish/store/store.js';
import type { SourceProfile } from '../publish/types.js';
import { QUEUE_NAMES, type QueueName } from '../queue/jobs.js';
import type { StoredProfile } from '../queue/profiles.js';
import { AdminAuth, type AdminState, crossSite, SESSION_COOKIE, safeNext, withDone } from './auth.js';
import { jsonForScript, publishedOverTime, repairsBySource } from './charts.js';
import type { QueueAdmin } from './queue-admin.js';
import { buildRecordView } from './record-view.js';

export type { QueueAdmin } from './queue-admin.js';
export { connectQueueAdmin } from './queue-admin.js';

export interface DashboardOptions {
  store: Store;
  /** The queues; without them (or while Redis is away) the queue parts say so. */
  queues?: QueueAdmin;
  /** `FINFAQ_ADMIN_TOKEN`: actions are disabled when it is unset or empty. */
  adminToken?: string;
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
/** Chart.js's dist folder (its package exports do not list the UMD build, so find it by the main file). */
const CHART_JS = dirname(createRequire(import.meta.url).resolve('chart.js'));
const PAGE_SIZE = 50;
/** Sign-in attempts allowed per client address and minute (`POST /login`); then 429. */
export const LOGIN_ATTEMPTS = 10;
const LOGIN_RATE_LIMIT = { max: LOGIN_ATTEMPTS, timeWindow: 60_000 };
/** Record searches allowed per client address and minute (`GET /records`): each may scan the store. */
export const SEARCHES_PER_MINUTE = 120;
const SEARCH_RATE_LIMIT = { max: SEARCHES_PER_MINUTE, timeWindow: 60_000 };

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

const recordsQuery = z.object({
  q: z.string().max(200).optional(),
  source: z.string().max(200).optional(),
  flag: z.string().max(100).optional(),
  kind: z.enum(REPAIR_KINDS).or(z.literal('')).optional(),
  duplicates: z.enum(['include', 'exclude', 'only']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});
const recordQuery = z.object({
  script: z.enum(SCRIPTS).optional(),
  version: z.coerce.number().int().min(1).optional(),
  /** Page of the record's repairs to highlight and list (REPAIRS_PAGE each). */
  repairs: z.coerce.number().int().min(1).max(10_000_000).optional(),
});
const queuesQuery = z.object({
  queue: z.enum(QUEUE_NAMES).or(z.literal('')).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  done: z.string().optional(),
});
const retryForm = z.object({ queue: z.enum(QUEUE_NAMES), id: z.string().min(1).max(200) });
const crawlForm = z.object({ source: z.string().min(1).max(200) });
const loginForm = z.object({ token: z.string().max(1000), next: z.string().optional() });

/** What a `?done=` code after an action says (fixed texts: nothing from the URL is echoed). */
const NOTICES: Record<string, string> = {
  retried: 'The job is back in its queue.',
  crawling: 'A crawl of the source is queued.',
  'signed-in': 'Signed in: actions are enabled.',
  'signed-out': 'Signed out.',
};

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A source's learned deleted words, as the overview lists them. */
function profileView(stored: SourceProfile<StoredProfile> | undefined) {
  if (!stored?.profile?.profile) return null;
  return { pages: stored.profile.pages, updated: stored.updated_at, words: stored.profile.profile.words };
}

/** The query string of the records list, for pagination links. */
function recordsLink(query: z.infer<typeof recordsQuery>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, page: String(page) }))
    if (value !== undefined && value !== '') params.set(key, String(value));
  return `/records?${params}`;
}

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

    scope.get('/', async (request, reply) => {
      const [totals, profiles, activity] = await Promise.all([
        sourceTotals(),
        store.listProfiles<StoredProfile>(),
        fromQueues((q) => q.sources()),
      ]);
      // Days, unless everything so far fits in a couple of them.
      let size: 'hour' | 'day' = 'day';
      let buckets = await publishedBuckets(size);
      if (new Set(buckets.map((b) => b.bucket)).size < 3) {
        size = 'hour';
        buckets = await publishedBuckets(size);
      }
      const names = [
        ...new Set([
          ...totals.map((t) => t.source),
          ...profiles.map((p) => p.source),
          ...(activity ?? []).map((a) => a.source),
        ]),
      ].sort();
      const sources = names.map((name) => ({
        name,
        totals: totals.find((t) => t.source === name) ?? null,
        profile: profileView(profiles.find((p) => p.source === name)),
        activity: activity?.find((a) => a.source === name) ?? null,
      }));
      const query = request.query as { done?: string };
      return page(request, reply, 'sources', {
        title: 'Sources',
        sources,
        queuesAvailable: activity !== null,
        notice: NOTICES[query.done ?? ''],
        charts: jsonForScript({
          repairs: repairsBySource(totals),
          published: publishedOverTime(buckets, size),
        }),
      });
    });

    scope.get('/queues', async (request, reply) => {
      const parsed = queuesQuery.safeParse(request.query);
      if (!parsed.success) return badRequest(request, reply, 'Unknown queue or page.');
      const queue = emptyToUndefined(parsed.data.queue) as QueueName | undefined;
      const pageNumber = parsed.data.page ?? 1;
      const [depths, failed] = await Promise.all([
        fromQueues((q) => q.depths()),
        fromQueues((q) => q.failed({ queue, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE })),
      ]);
      const states = [...new Set((depths ?? []).map((d) => d.state))];
      const table = QUEUE_NAMES.map((name) => ({
        name,
        counts: states.map((state) => depths?.find((d) => d.queue === name && d.state === state)?.count ?? 0),
      }));
      return page(request, reply, 'queues', {
        title: 'Queues',
        available: depths !== null,
        states,
        table,
        failed,
        queue: queue ?? '',
        queueNames: QUEUE_NAMES,
        pageNumber,
        pages: failed ? Math.max(1, Math.ceil(failed.total / PAGE_SIZE)) : 1,
        notice: NOTICES[parsed.data.done ?? ''],
      });
    });

    scope.get('/records', { config: { rateLimit: SEARCH_RATE_LIMIT } }, async (request, reply) => {
      const parsed = recordsQuery.safeParse(request.query);
      if (!parsed.success) return badRequest(request, reply, 'Bad search parameters.');
      const query = parsed.data;
      const pageNumber = query.page ?? 1;
      const search = {
        text: emptyToUndefined(query.q),
        source: emptyToUndefined(query.source),
        flag: emptyToUndefined(query.flag),
        repairKind: emptyToUndefined(query.kind),
        duplicates: query.duplicates ?? 'include',
        limit: PAGE_SIZE,
        offset: (pageNumber - 1) * PAGE_SIZE,
      } as const;
      const [result, totals] = await Promise.all([
        reads.cached(`dashboard:search:${JSON.stringify(search)}`, () => store.searchRecords(search), sizeOf),
        sourceTotals(),
      ]);
      const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
      return page(request, reply, 'records', {
        title: 'Records',
        query: {
          q: query.q ?? '',
          source: query.source ?? '',
          flag: query.flag ?? '',
          kind: query.kind ?? '',
          duplicates: query.duplicates ?? 'include',
        },
        result,
        sources: totals.map((t) => t.source),
        flags: [...new Set(totals.flatMap((t) => Object.keys(t.flags)))].sort(),
        kinds: REPAIR_KINDS,
        pageNumber,
        pages,
        previous: pageNumber > 1 ? recordsLink(query, pageNumber - 1) : null,
        next: pageNumber < pages ? recordsLink(query, pageNumber + 1) : null,
      });
    });

    scope.get<{ Params: { id: string } }>('/records/:id', async (request, reply) => {
      const parsed = recordQuery.safeParse(request.query);
      if (!parsed.success) return badRequest(request, reply, 'Unknown script or version.');
      // Through the feed's reads (a few at a time, shared): a record may be 10 MB of JSON.
      const latest = await reads.stored(request.params.id);
      if (!latest) return message(request, reply, 404, 'Not found', 'No record has this id.');
      const version = parsed.data.version ?? latest.version;
      const record = version === latest.version ? latest : await reads.stored(latest.id, version);
      if (!record) return message(request, reply, 404, 'Not found', 'The record has no such version.');
      const script: Script = parsed.data.script ?? record.script;
      const [raw, duplicates] = await Promise.all([
        store.getRaw(record.id, record.version),
        store.duplicatesOf(record.id),
      ]);
      const view = buildRecordView(record, script, {
        raw,
        duplicates,
        latestVersion: latest.version,
        repairsPage: parsed.data.repairs,
      });
      return page(request, reply, 'record', {
        title: view.title ? view.title.segments.map((s) => s.text).join('') : record.id,
        record: view,
      });
    });

    // Browsers ask for it on every page; there is none.
    scope.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

    scope.get('/login', async (request, reply) => {
      const next = safeNext((request.query as { next?: unknown }).next);
      return page(request, reply, 'login', { title: 'Sign in', next, failed: false });
    });

    // Guessing the token is throttled: LOGIN_ATTEMPTS a minute per client address.
    scope.post('/login', { config: { rateLimit: LOGIN_RATE_LIMIT } }, async (request, reply) => {
      const parsed = loginForm.safeParse(request.body);
      if (!parsed.success || crossSite(request)) return badRequest(request, reply, 'Bad sign-in form.');
      const next = safeNext(parsed.data.next);
      if (!auth.enabled) return page(request, reply, 'login', { title: 'Sign in', next, failed: false }, 403);
      if (!auth.checkToken(parsed.data.token))
        return page(request, reply, 'login', { title: 'Sign in', next, failed: true }, 401);
      reply.setCookie(SESSION_COOKIE, auth.sessionValue(), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
      });
      return reply.redirect(withDone(next, 'signed-in'), 303);
    });

    scope.post('/logout', async (request, reply) => {
      // Like every action: a form posted from another site does nothing.
      if (crossSite(request)) return badRequest(request, reply, 'Sign out from this dashboard only.');
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/?done=signed-out', 303);
    });

    /** Why this request may not act, or null when it may: a token configured and carried. */
    const refusal = (request: FastifyRequest) => {
      const state = auth.state(request);
      if (state === 'disabled')
        return {
          status: 403,
          title: 'Actions are disabled',
          text: 'Set FINFAQ_ADMIN_TOKEN on the server to enable actions.',
        };
      if (state !== 'signed-in' || crossSite(request))
        return {
          status: 401,
          title: 'Sign in first',
          text: 'This action needs the admin token.',
          login: true,
        };
      if (!queues?.available)
        return {
          status: 503,
          title: 'Queues unavailable',
          text: 'Redis does not answer; try again when it is back.',
        };
      return null;
    };

    /**
     * A POST action on the queues: refused without the token, its form checked, then `run`; an
     * error of `run` (unknown job or source) is shown, success goes back to `done`.
     */
    const action = <T>(
      path: string,
      form: z.ZodType<T>,
      texts: { invalid: string; failed: string; done: string },
      run: (queues: QueueAdmin, data: T) => Promise<unknown>,
    ) =>
      scope.post(path, async (request, reply) => {
        const refused = refusal(request);
        if (refused)
          return message(request, reply, refused.status, refused.title, refused.text, refused.login);
        const parsed = form.safeParse(request.body);
        if (!parsed.success) return badRequest(request, reply, texts.invalid);
        try {
          await run(queues as QueueAdmin, parsed.data);
        } catch (error) {
          return message(request, reply, 409, texts.failed, (error as Error).message);
        }
        request.log.info({ action: path, form: parsed.data as object }, 'dashboard action');
        return reply.redirect(texts.done, 303);
      });

    action(
      '/actions/retry',
      retryForm,
      {
        invalid: 'Which job? The form needs a queue and an id.',
        failed: 'Not retried',
        done: '/queues?done=retried',
      },
      (q, { queue, id }) => q.retry(queue, id),
    );
    action(
      '/actions/crawl',
      crawlForm,
      { invalid: 'Which source? The form needs its name.', failed: 'Not queued', done: '/?done=crawling' },
      (q, { source }) => q.crawlNow(source),
    );
  });
}
