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
 *   const app = buildFeedServer(store, { publisher });
 *   await app.listen({ port: 8080, host: '0.0.0.0' });
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { z } from 'zod';
import { createMetrics, type MetricsOptions } from '../metrics.js';
import type { Publisher } from '../publisher.js';
import type { Store } from '../store/store.js';
import { atomFeed, jsonFeed } from './formats.js';
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
  /** SSE timing (defaults: poll 1 s, heartbeat 15 s, retry 2 s). */
  stream?: Partial<StreamOptions>;
  /** Fastify's logger option (default off). */
  logger?: FastifyServerOptions['logger'];
}

const STREAM_DEFAULTS: StreamOptions = { pollMs: 1000, heartbeatMs: 15_000, retryMs: 2000 };
/** Pages the `.ndjson` stream reads at a time. */
const NDJSON_PAGE = 500;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Sends `body` with an ETag (its SHA-1), or 304 when the client already has it. */
function sendTagged(request: FastifyRequest, reply: FastifyReply, body: string, type: string): FastifyReply {
  const bytes = Buffer.from(body);
  const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`;
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(type).send(bytes);
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function buildFeedServer(store: Store, options: FeedServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  const streamOptions: StreamOptions = { ...STREAM_DEFAULTS, ...options.stream };
  const registry = createMetrics(store, { ...options.metrics, publisher: options.publisher });
  const title = options.title ?? 'finfaq';
  const streams = new Set<EventStream>();

  const baseUrl = (request: FastifyRequest) =>
    (options.baseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error instanceof BadRequest ? 400 : (error.statusCode ?? 500);
    if (status >= 500) request.log.error(error);
    reply.code(status).send({
      statusCode: status,
      error: status === 400 ? 'Bad Request' : status >= 500 ? 'Internal Server Error' : 'Error',
      message: error.message,
    });
  });

  app.get('/v1/records', async (request, reply) => {
    const q = parseQuery(listQuery, request.query);
    const page = await store.listFeed(q.after, q.limit);
    const body = JSON.stringify({
      items: page.items.map((r) => toFeedItem(r, q.script)),
      next: formatCursor(page.next),
    });
    return sendTagged(request, reply, body, JSON_TYPE);
  });

  app.get('/v1/records.ndjson', async (request, reply) => {
    const q = parseQuery(ndjsonQuery, request.query);
    // Up to the head as it is now: the response ends, and the last line's cursor says where to go on.
    const head = await store.head();
    async function* lines(): AsyncGenerator<string> {
      let after = q.after;
      let left = q.limit;
      while (left > 0 && after < head) {
        const page = await store.listFeed(after, Math.min(NDJSON_PAGE, left));
        if (page.items.length === 0) return;
        for (const record of page.items) {
          if (record.seq > head) return;
          yield `${JSON.stringify(toFeedItem(record, q.script))}\n`;
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
    const record = await store.getRecord(request.params.id, q.version);
    if (!record) {
      const what = q.version ? `version ${q.version} of record` : 'record';
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `no ${what} ${request.params.id}` });
    }
    return sendTagged(request, reply, JSON.stringify(toFeedItem(record, q.script)), JSON_TYPE);
  });

  app.get('/feed.json', async (request, reply) => {
    const q = parseQuery(feedQuery, request.query);
    const items = (await store.latest(q.limit)).map((r) => toFeedItem(r, q.script));
    const body = JSON.stringify(jsonFeed(items, { baseUrl: baseUrl(request), title, script: q.script }));
    return sendTagged(request, reply, body, 'application/feed+json; charset=utf-8');
  });

  app.get('/feed.atom', async (request, reply) => {
    const q = parseQuery(feedQuery, request.query);
    const items = (await store.latest(q.limit)).map((r) => toFeedItem(r, q.script));
    const body = atomFeed(items, { baseUrl: baseUrl(request), title, script: q.script });
    return sendTagged(request, reply, body, 'application/atom+xml; charset=utf-8');
  });

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
    const stream = new EventStream(store, reply.raw, streamOptions);
    streams.add(stream);
    try {
      await stream.run(start, q.script);
    } finally {
      streams.delete(stream);
      stream.close();
    }
  });

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

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('cache-control', 'no-cache').type(registry.contentType).send(text);
  });

  const wakeStreams = () => {
    for (const stream of streams) stream.wake();
  };
  options.publisher?.on('published', wakeStreams);
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });
  app.addHook('onClose', async () => {
    options.publisher?.off('published', wakeStreams);
  });
  return app;
}
