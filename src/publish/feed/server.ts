/**
 * The feed over HTTP (CONTRACT.md, "Feed over HTTP"), as a Fastify instance:
 *
 *   GET /v1/records?after=CURSOR&limit=N&script=SCRIPT  → {"items": [...], "next": CURSOR}
 *   GET /v1/records.ndjson?after=CURSOR&limit=N&script=  one item per line, up to the head
 *   GET /v1/records/ID?script=&version=N                 one record (latest version by default)
 *   GET /feed.json?limit=N&script=                       JSON Feed 1.1, newest first
 *   GET /feed.atom?limit=N&script=                       Atom, newest first
 *   GET /v1/stream?after=CURSOR&script=                  Server-Sent Events, Last-Event-ID resume
 *   GET /healthz                                         {"status": "ok", ...} or 503
 *   GET /metrics                                         Prometheus text format
 *
 * Items are canonical records in publish order, each with `also_on` (the records duplicating it)
 * and `duplicate_of: null`; a record listed before that has become a duplicate is listed once
 * more with `duplicate_of` set, so consumers can drop it. List, item and feed responses carry an
 * ETag and answer `If-None-Match` with 304. Bad query parameters get a 400 naming the parameter.
 *
 * Hostile records (one of ~10 MB) and many or slow clients: reads go through the store's
 * `FeedReads` (reads.ts: a few at a time, shared, pages cut at a size, items serialized once and
 * shared); responses are streamed in slices with backpressure, and a connection that takes
 * nothing for `connectionTimeoutMs` (SSE: `stream.stallMs`) is dropped, not buffered. Every
 * response carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy (the
 * dashboard's own where it sets one). With `metricsToken`, `/metrics` needs
 * `Authorization: Bearer TOKEN`.
 *
 *   const app = buildFeedServer(store, { publisher });
 *   await app.listen({ port: 8080, host: '0.0.0.0' });
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Script } from '../../records/scripts.js';
import { createMetrics, type MetricsOptions } from '../metrics.js';
import type { Publisher } from '../publisher.js';
import type { FeedStore } from '../store/store.js';
import { atomFeed, feedItemBytes, jsonFeed } from './formats.js';
import { formatCursor, toFeedItem } from './items.js';
import {
  BadRequest,
  cursorSchema,
  feedQuery,
  itemQuery,
  listQuery,
  ndjsonQuery,
  parseQuery,
  streamQuery,
} from './params.js';
import { etagOf, type FeedReads, feedReadsOf, type ReadLimits } from './reads.js';
import { EventStream, type StreamOptions } from './sse.js';

export interface FeedServerOptions {
  /** The publisher of this process, if any: SSE streams wake on its publishes; /metrics counts them. */
  publisher?: Publisher;
  /** Absolute URL of the server for links in JSON Feed and Atom; default: from the request's Host. */
  baseUrl?: string;
  /** Title of JSON Feed and Atom (default "finfaq"). */
  title?: string;
  /** Registry, queue-depth hook and extra metrics for /metrics. */
  metrics?: Omit<MetricsOptions, 'publisher'>;
  /**
   * SSE timing and limits (defaults: poll 1 s, heartbeat 15 s, retry 2 s; a client that takes
   * nothing for 30 s, or lets 1 MB pile up, is dropped).
   */
  stream?: Partial<StreamOptions>;
  /** Feed reads: how many at once, and the bytes a page stops at (reads.ts). */
  reads?: Partial<ReadLimits>;
  /** A connection with no traffic for this long is closed (default 60 s). */
  connectionTimeoutMs?: number;
  /** `FINFAQ_ADMIN_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer TOKEN`. */
  metricsToken?: string;
  /** Fastify's logger option (default off). */
  logger?: FastifyServerOptions['logger'];
}

const STREAM_DEFAULTS: StreamOptions = {
  pollMs: 1000,
  heartbeatMs: 15_000,
  retryMs: 2000,
  stallMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
};
export const CONNECTION_TIMEOUT_MS = 60_000;
/** Items the `.ndjson` stream asks for at a time (pages also stop at their size). */
const NDJSON_PAGE = 500;
/** Bytes of a response body sent at a time. */
const SLICE_BYTES = 64 * 1024;

/**
 * Headers of every response. The dashboard's pages set their own, wider policy (helmet); this one
 * is for data: nothing in it may load or run anything.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
} as const;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** `parts` as a stream of slices: a shared huge item is sent without being copied. */
function slices(parts: readonly (string | Buffer)[]): Readable {
  return Readable.from(
    (function* () {
      // Small parts (ordinary items, commas) go out together; a large one in slices of itself.
      let small: Buffer[] = [];
      let smallBytes = 0;
      for (const part of parts) {
        const bytes = typeof part === 'string' ? Buffer.from(part) : part;
        if (bytes.length < SLICE_BYTES) {
          small.push(bytes);
          smallBytes += bytes.length;
          if (smallBytes < SLICE_BYTES) continue;
        }
        if (small.length > 0) yield Buffer.concat(small);
        small = [];
        smallBytes = 0;
        if (bytes.length >= SLICE_BYTES)
          for (let at = 0; at < bytes.length; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES);
      }
      if (small.length > 0) yield Buffer.concat(small);
    })(),
    { objectMode: false },
  );
}

/**
 * Sends `parts` (joined) with `etag`, or 304 when the client already has it. The tag is computed
 * from what the body depends on (reads.ts `etagOf`), so the body is never assembled in one piece.
 */
function sendTagged(
  request: FastifyRequest,
  reply: FastifyReply,
  parts: readonly (string | Buffer)[],
  etag: string,
  type: string,
): FastifyReply {
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(type).send(slices(parts));
}

const JSON_TYPE = 'application/json; charset=utf-8';

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

export function buildFeedServer(store: FeedStore, options: FeedServerOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
  });
  const registry = createMetrics(store, { ...options.metrics, publisher: options.publisher });
  const reads = feedReadsOf(store, options.reads);

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error instanceof BadRequest ? 400 : (error.statusCode ?? 500);
    if (status >= 500) request.log.error(error);
    reply.code(status).send({
      statusCode: status,
      error: status === 400 ? 'Bad Request' : status >= 500 ? 'Internal Server Error' : 'Error',
      message: error.message,
    });
  });

  addRecordRoutes(app, store, reads);
  addSyndicationRoutes(app, reads, options);
  addStreamRoute(app, store, reads, options);
  addServiceRoutes(app, store, registry, options.metricsToken);
  return app;
}

/** `/v1/records`, `/v1/records.ndjson`, `/v1/records/:id`. */
function addRecordRoutes(app: FastifyInstance, store: FeedStore, reads: FeedReads): void {
  app.get('/v1/records', async (request, reply) => {
    const q = parseQuery(listQuery, request.query);
    // A page may stop before `limit` at its size (reads.ts): `next` says where to go on.
    const page = await reads.page(q.after, q.limit, q.script);
    const next = formatCursor(page.next);
    const parts: (string | Buffer)[] = ['{"items":['];
    // Commas apart: an item's (shared) text is never copied into a longer string.
    for (const [i, item] of page.items.entries()) {
      if (i > 0) parts.push(',');
      parts.push(item.data);
    }
    parts.push(`],"next":${JSON.stringify(next)}}`);
    const etag = etagOf(['list', next, ...page.items.map((item) => item.key)]);
    return sendTagged(request, reply, parts, etag, JSON_TYPE);
  });

  app.get('/v1/records.ndjson', async (request, reply) => {
    const q = parseQuery(ndjsonQuery, request.query);
    // Up to the head as it is now: the response ends, and the last line's cursor says where to go on.
    const head = await store.head();
    async function* lines(): AsyncGenerator<string | Buffer> {
      let after = q.after;
      let left = q.limit;
      while (left > 0 && after < head) {
        const page = await reads.page(after, Math.min(NDJSON_PAGE, left), q.script);
        if (page.items.length === 0) return;
        for (const item of page.items) {
          if (item.seq > head) return;
          for (let at = 0; at < item.data.length; at += SLICE_BYTES)
            yield item.data.subarray(at, at + SLICE_BYTES);
          yield '\n';
        }
        left -= page.items.length;
        after = page.next;
      }
    }
    reply.header('cache-control', 'no-cache').type('application/x-ndjson; charset=utf-8');
    return reply.send(Readable.from(lines()));
  });

  app.get<{ Params: { id: string } }>('/v1/records/:id', async (request, reply) => {
    const q = parseQuery(itemQuery, request.query);
    const item = await reads.record(request.params.id, q.version, q.script);
    if (!item) {
      const what = q.version ? `version ${q.version} of record` : 'record';
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `no ${what} ${request.params.id}` });
    }
    return sendTagged(request, reply, [item.data], etagOf(['record', item.key]), JSON_TYPE);
  });
}

/** `/feed.json` (JSON Feed 1.1) and `/feed.atom`: the newest records. */
function addSyndicationRoutes(app: FastifyInstance, reads: FeedReads, options: FeedServerOptions): void {
  const title = options.title ?? 'finfaq';
  const baseUrl = (request: FastifyRequest) =>
    (options.baseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');

  /** JSON Feed and Atom: the newest records, built once for everyone asking at the same time. */
  const feedBody = (kind: 'json' | 'atom', limit: number, script: Script | undefined, base: string) =>
    reads.shared(`${kind}|${limit}|${script ?? ''}|${base}`, async () => {
      // Up to the read limits' page size of text: a feed of huge records stays within memory.
      const items = await reads.latestWithin(limit, (record) => toFeedItem(record, script), feedItemBytes);
      const meta = { baseUrl: base, title, script };
      const body = kind === 'json' ? JSON.stringify(jsonFeed(items, meta)) : atomFeed(items, meta);
      return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    });

  app.get('/feed.json', async (request, reply) => {
    const q = parseQuery(feedQuery, request.query);
    const { body, etag } = await feedBody('json', q.limit, q.script, baseUrl(request));
    return sendTagged(request, reply, [body], etag, 'application/feed+json; charset=utf-8');
  });

  app.get('/feed.atom', async (request, reply) => {
    const q = parseQuery(feedQuery, request.query);
    const { body, etag } = await feedBody('atom', q.limit, q.script, baseUrl(request));
    return sendTagged(request, reply, [body], etag, 'application/atom+xml; charset=utf-8');
  });
}

/** `/v1/stream` (Server-Sent Events): streams wake on this process's publishes, close with the server. */
function addStreamRoute(
  app: FastifyInstance,
  store: FeedStore,
  reads: FeedReads,
  options: FeedServerOptions,
): void {
  const streamOptions: StreamOptions = { ...STREAM_DEFAULTS, ...options.stream };
  const streams = new Set<EventStream>();

  app.get('/v1/stream', { exposeHeadRoute: false }, async (request, reply) => {
    const q = parseQuery(streamQuery, request.query);
    const lastEventId = request.headers['last-event-id'];
    const resume =
      typeof lastEventId === 'string' && lastEventId.trim() !== ''
        ? parseQuery(z.object({ 'Last-Event-ID': cursorSchema }), { 'Last-Event-ID': lastEventId.trim() })[
            'Last-Event-ID'
          ]
        : undefined;
    const start = resume ?? q.after ?? (await store.head());
    reply.hijack();
    // Hijacked: Fastify's hooks do not run, so the headers every response carries go here.
    const stream = new EventStream(reads, reply.raw, streamOptions, SECURITY_HEADERS);
    streams.add(stream);
    try {
      await stream.run(start, q.script);
    } finally {
      streams.delete(stream);
      stream.close();
    }
  });

  const wakeStreams = () => {
    reads.invalidate();
    for (const stream of streams) stream.wake();
  };
  options.publisher?.on('published', wakeStreams);
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });
  app.addHook('onClose', async () => {
    options.publisher?.off('published', wakeStreams);
  });
}

/** `/healthz` and `/metrics`. */
function addServiceRoutes(
  app: FastifyInstance,
  store: FeedStore,
  registry: Registry,
  metricsToken?: string,
): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      const head = await store.head();
      return { status: 'ok', store: store.backend, head: formatCursor(head) };
    } catch (error) {
      return reply
        .code(503)
        .send({ status: 'unavailable', store: store.backend, message: (error as Error).message });
    }
  });

  app.get('/metrics', async (request, reply) => {
    const token = metricsToken;
    if (token) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      if (!sameSecret(given, token))
        return reply.code(401).header('www-authenticate', 'Bearer realm="finfaq metrics"').send({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'metrics need Authorization: Bearer TOKEN',
        });
    }
    const text = await registry.metrics();
    return reply.header('cache-control', 'no-cache').type(registry.contentType).send(text);
  });
}
