/**
 * The feed server: JSON shapes, paging, ETag/304, script conversion, NDJSON, JSON Feed and Atom
 * (well-formed, escaped), 400s, health and metrics through `inject`; the SSE live tail and its
 * `Last-Event-ID` resume on a real listening socket.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertScript } from '../../src/normalize/script/convert.js';
import type { FeedItem } from '../../src/publish/feed/items.js';
import { buildFeedServer } from '../../src/publish/feed/server.js';
import { createPublisher, type Publisher } from '../../src/publish/publisher.js';
import type { Store } from '../../src/publish/store/store.js';
import type { CleanRecord } from '../../src/records/clean.js';
import { makeRecord } from './support/records.js';
import { StoreFactory } from './support/stores.js';

const CONTRACT_FIELDS = [
  'id',
  'url',
  'source',
  'title',
  'category',
  'published_at',
  'script',
  'paragraphs',
  'repairs',
  'flags',
  'content_hash',
  'duplicate_of',
];

/**
 * A feed server over a fresh SQLite store holding `records` (three canonical records, a
 * Traditional copy of the first, one with markup-like text), set up before the calling block and
 * closed after it.
 */
function servedFeed() {
  const factory = new StoreFactory();
  let store: Store;
  let publisher: Publisher;
  let app: FastifyInstance;
  const records: CleanRecord[] = [];

  beforeAll(async () => {
    store = await factory.fresh('sqlite');
    publisher = await createPublisher(store);
    app = buildFeedServer(store, {
      publisher,
      stream: { pollMs: 50, heartbeatMs: 200 },
      metrics: {
        queueDepths: async () => [{ queue: 'publish', state: 'waiting', count: 7 }],
      },
    });
    // Three canonical records, a Traditional copy of the first, one with markup-like text.
    records.push(
      makeRecord({ seed: 1, site: 'a.example' }),
      makeRecord({ seed: 2, site: 'a.example', script: 'tw' }),
    );
    records.push({
      ...makeRecord({ seed: 3, site: 'b.example' }),
      title: '<b>借呗</b> & “花呗” \u0008逾期',
      paragraphs: ['第一段 <script>alert("x")</script> & 更多', '第二段\u0001有控制字符'],
    });
    for (const record of records) await publisher.publish(record, { text: `<html>${record.title}</html>` });
    await publisher.publish(makeRecord({ seed: 1, site: 'c.example', script: 'hk' }));
  });
  afterAll(async () => {
    await app.close();
    await factory.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  return { factory, records, get };
}

describe('feed server: lists, records, ETags, scripts', () => {
  const { factory, records, get } = servedFeed();

  it('lists canonical records in publish order with a cursor, the duplicates offered on each', async () => {
    const response = await get('/v1/records');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json() as { items: FeedItem[]; next: string };
    expect(Object.keys(body)).toEqual(['items', 'next']);
    expect(body.next).toBe('3');
    expect(body.items.map((i) => i.id)).toEqual(records.map((r) => r.id));
    for (const item of body.items) {
      expect(Object.keys(item)).toEqual(
        expect.arrayContaining([...CONTRACT_FIELDS, 'also_on', 'cursor', 'version']),
      );
      expect(item.duplicate_of).toBeNull();
    }
    const first = body.items[0] as FeedItem;
    expect(first).toMatchObject({ ...records[0], duplicate_of: null, version: 1, cursor: '1' });
    expect(first.also_on).toEqual([
      {
        id: makeRecord({ seed: 1, site: 'c.example' }).id,
        url: 'https://c.example/article/1.html',
        source: 'c.example',
      },
    ]);
  });

  it('pages with after and limit, never repeating or skipping', async () => {
    const ids: string[] = [];
    let after = '0';
    for (;;) {
      const body = (await get(`/v1/records?after=${after}&limit=1`)).json() as {
        items: FeedItem[];
        next: string;
      };
      if (body.items.length === 0) {
        expect(body.next).toBe(after);
        break;
      }
      expect(body.items).toHaveLength(1);
      ids.push(...body.items.map((i) => i.id));
      after = body.next;
    }
    expect(ids).toEqual(records.map((r) => r.id));
  });

  it('answers If-None-Match with 304, and changes the ETag when the content changes', async () => {
    const first = await get('/v1/records?limit=10');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await get('/v1/records?limit=10', { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await get('/v1/records?limit=10', { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(
      304,
    );
    expect((await get('/v1/records?limit=10', { 'if-none-match': '"other"' })).statusCode).toBe(200);

    const item = await get(`/v1/records/${records[1]?.id}`);
    expect(item.statusCode).toBe(200);
    const itemTag = item.headers.etag as string;
    const notModified = await get(`/v1/records/${records[1]?.id}`, { 'if-none-match': itemTag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');

    const otherStore = await factory.fresh('sqlite');
    const other = await createPublisher(otherStore);
    const otherApp = buildFeedServer(otherStore);
    await other.publish(makeRecord({ seed: 7 }));
    const before = (await otherApp.inject('/v1/records')).headers.etag;
    await other.publish(makeRecord({ seed: 8 }));
    const after = await otherApp.inject({ url: '/v1/records', headers: { 'if-none-match': String(before) } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before);
    await otherApp.close();
  });

  it('returns one record by id, a given version, or 404', async () => {
    const record = records[0] as CleanRecord;
    const item = (await get(`/v1/records/${record.id}`)).json() as FeedItem;
    expect(item).toMatchObject({ id: record.id, version: 1, duplicate_of: null });
    expect((await get(`/v1/records/${record.id}?version=1`)).statusCode).toBe(200);
    const missing = await get(`/v1/records/${record.id}?version=2`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/no version 2 of record/);
    expect((await get('/v1/records/nope')).statusCode).toBe(404);
    const duplicate = (
      await get(`/v1/records/${makeRecord({ seed: 1, site: 'c.example' }).id}`)
    ).json() as FeedItem;
    expect(duplicate.duplicate_of).toBe(record.id);
  });

  it('converts the script on the fly', async () => {
    const tw = (await get('/v1/records?script=tw')).json() as { items: FeedItem[] };
    const hans = (await get('/v1/records?script=hans')).json() as { items: FeedItem[] };
    const original = records[0] as CleanRecord;
    const first = tw.items[0] as FeedItem;
    expect(first.script).toBe('tw');
    expect(first.paragraphs).toEqual(original.paragraphs.map((p) => convertScript(p, 'hans', 'tw')));
    expect(first.title).toBe(convertScript(original.title ?? '', 'hans', 'tw'));
    expect(first.paragraphs.join('')).not.toBe(original.paragraphs.join(''));
    // The Traditional record back in Simplified.
    const second = hans.items[1] as FeedItem;
    expect(second.script).toBe('hans');
    expect(second.paragraphs).toEqual(
      (records[1] as CleanRecord).paragraphs.map((p) => convertScript(p, 'tw', 'hans')),
    );
    const single = (await get(`/v1/records/${records[1]?.id}?script=hk`)).json() as FeedItem;
    expect(single.script).toBe('hk');
  });
});

// The same server again (a fresh store, the same records) for the feed's other formats.
describe('feed server: NDJSON, JSON Feed, Atom, errors, health', () => {
  const { factory, records, get } = servedFeed();

  it('streams NDJSON: the same items, one per line, up to the head', async () => {
    const response = await get('/v1/records.ndjson?after=1&script=tw');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = response.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as FeedItem);
    const list = (await get('/v1/records?after=1&script=tw')).json() as { items: FeedItem[] };
    expect(lines).toEqual(list.items);
    expect((await get('/v1/records.ndjson?after=3')).body).toBe('');
    expect((await get('/v1/records.ndjson?limit=1')).body.trimEnd().split('\n')).toHaveLength(1);
  });

  it('serves JSON Feed 1.1, newest first', async () => {
    const response = await get('/feed.json?limit=2', { host: 'feeds.example:8080' });
    expect(response.headers['content-type']).toMatch(/^application\/feed\+json/);
    const feed = response.json();
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'finfaq',
      home_page_url: 'http://feeds.example:8080/',
      feed_url: 'http://feeds.example:8080/feed.json',
    });
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      id: records[2]?.id,
      url: records[2]?.url,
      // The store removed the control character (src/publish/store/text.ts).
      title: records[2]?.title?.replace('\u0008', ''),
    });
    expect(feed.items[1]).toMatchObject({
      id: records[1]?.id,
      date_published: records[1]?.published_at,
      tags: [records[1]?.category],
      authors: [{ name: 'a.example' }],
      _finfaq: { version: 1, cursor: '2', duplicate_of: null },
    });
    expect(typeof feed.items[1].content_text).toBe('string');
    expect((await get('/feed.json?script=tw')).json().language).toBe('zh-Hant-TW');
  });

  it('serves Atom that is well-formed XML, with the text escaped', async () => {
    const response = await get('/feed.atom');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(XMLValidator.validate(response.body)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, processEntities: true }).parse(response.body);
    const entries = xml.feed.entry as Record<string, unknown>[];
    expect(entries).toHaveLength(3);
    const tricky = entries[0] as { title: { '#text': string }; content: { '#text': string } };
    expect(tricky.title['#text']).toBe('<b>借呗</b> & “花呗” 逾期');
    expect(tricky.content['#text']).toContain('<script>alert("x")</script> & 更多');
    expect(tricky.content['#text']).not.toContain('\u0001');
    const withCopy = entries[2] as { link: { '@_rel': string; '@_href': string }[] };
    expect(withCopy.link.map((l) => l['@_rel'])).toEqual(['alternate', 'related']);
    expect(response.body).toContain('&lt;script&gt;');
    const etag = response.headers.etag as string;
    expect((await get('/feed.atom', { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('rejects bad parameters with 400 and a message naming them', async () => {
    const cases: [string, RegExp][] = [
      ['/v1/records?after=abc', /^after: must be a cursor/],
      ['/v1/records?after=-1', /^after: must be a cursor/],
      ['/v1/records?limit=0', /^limit: must be a whole number from 1 to 1000/],
      ['/v1/records?limit=5000', /^limit: must be a whole number from 1 to 1000/],
      ['/v1/records?limit=2.5', /^limit: /],
      ['/v1/records?script=klingon', /^script: must be one of hans, hant, tw, hk/],
      ['/v1/records?after=1&after=2', /^after: must be given once/],
      ['/v1/records.ndjson?after=x', /^after: /],
      ['/v1/records/abc?version=0', /^version: must be a version number/],
      ['/feed.json?limit=100000', /^limit: /],
      ['/feed.atom?script=latin', /^script: /],
      ['/v1/stream?after=soon', /^after: /],
    ];
    for (const [url, message] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.json().message, url).toMatch(message);
    }
    const badResume = await get('/v1/stream', { 'last-event-id': 'yesterday' });
    expect(badResume.statusCode).toBe(400);
    expect(badResume.json().message).toMatch(/^Last-Event-ID: must be a cursor/);
  });

  it('reports health and Prometheus metrics', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok', store: 'sqlite', head: '4' });
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.body;
    expect(text).toContain('finfaq_store_repairs_total{kind="punctuation"} 4');
    expect(text).toContain('finfaq_store_repairs_total{kind="mojibake"} 0');
    expect(text).toContain('finfaq_store_versions_total{outcome="created"} 4');
    expect(text).toContain('finfaq_store_versions_total{outcome="duplicate"} 1');
    expect(text).toContain('finfaq_store_records{state="canonical"} 3');
    expect(text).toContain('finfaq_store_records{state="duplicate"} 1');
    expect(text).toContain('finfaq_publish_total{outcome="created"} 4');
    expect(text).toContain('finfaq_publish_duration_seconds_count 4');
    expect(text).toContain('finfaq_queue_jobs{queue="publish",state="waiting"} 7');
    expect(text).toContain('finfaq_feed_head 4');
    expect(text).toMatch(/# TYPE finfaq_store_repairs_total counter/);
  });

  it('reports an unreachable store as 503', async () => {
    const broken = await factory.fresh('sqlite');
    const brokenApp = buildFeedServer(broken);
    await broken.close();
    const response = await brokenApp.inject('/healthz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', store: 'sqlite' });
    await brokenApp.close();
  });
});

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** A minimal EventSource over a real socket: collects events, resolves `waitFor(n)`. */
class SseClient {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private response?: IncomingMessage;
  private waiters: { count: number; resolve: () => void }[] = [];

  static connect(port: number, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path,
        headers: { accept: 'text/event-stream', ...headers },
      });
      req.on('response', (response) => {
        client.response = response;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.feed(chunk));
        resolve(client);
      });
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number | undefined {
    return this.response?.statusCode;
  }

  get contentType(): string | undefined {
    return this.response?.headers['content-type'];
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = {};
      for (const line of block.split('\n')) {
        const match = /^(id|event|data): ?(.*)$/.exec(line);
        if (match) event[match[1] as keyof SseEvent] = match[2];
      }
      if (event.event) this.events.push(event);
      end = this.buffer.indexOf('\n\n');
    }
    this.waiters = this.waiters.filter((w) => {
      if (this.events.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  waitFor(count: number, ms = 10_000): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${this.events.length} of ${count} events`)), ms);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  close(): void {
    this.response?.destroy();
  }
}

describe('feed server: Server-Sent Events on a real socket', () => {
  const factory = new StoreFactory();
  let app: FastifyInstance;
  let publisher: Publisher;
  let port: number;

  beforeAll(async () => {
    const store = await factory.fresh('sqlite');
    publisher = await createPublisher(store);
    for (const seed of [1, 2, 3]) await publisher.publish(makeRecord({ seed }));
    app = buildFeedServer(store, { publisher, stream: { pollMs: 100, heartbeatMs: 1000 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await factory.cleanup();
  });

  it('replays after a cursor, tails live publishes, and resumes with Last-Event-ID', async () => {
    const client = await SseClient.connect(port, '/v1/stream?after=1&script=tw');
    expect(client.status).toBe(200);
    expect(client.contentType).toMatch(/^text\/event-stream/);
    await client.waitFor(2);
    expect(client.events.map((e) => e.id)).toEqual(['2', '3']);
    const item = JSON.parse(client.events[0]?.data ?? '{}') as FeedItem;
    expect(item).toMatchObject({ id: makeRecord({ seed: 2 }).id, cursor: '2', script: 'tw' });
    expect(client.events.every((e) => e.event === 'record')).toBe(true);

    // Live: a publish in this process wakes the stream.
    await publisher.publish(makeRecord({ seed: 4 }));
    await client.waitFor(3);
    expect(client.events[2]?.id).toBe('4');
    client.close();

    // Published while disconnected; an unchanged republish and a duplicate add nothing.
    await publisher.publish(makeRecord({ seed: 5 }));
    await publisher.publish(makeRecord({ seed: 4 }));
    await publisher.publish(makeRecord({ seed: 5, site: 'copy.example', script: 'hk' }));
    await publisher.publish(makeRecord({ seed: 6 }));

    const resumed = await SseClient.connect(port, '/v1/stream', { 'last-event-id': '4' });
    await resumed.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events.map((e) => e.id)).toEqual(['5', '7']);
    const five = JSON.parse(resumed.events[0]?.data ?? '{}') as FeedItem;
    expect(five.also_on.map((d) => d.source)).toEqual(['copy.example']);
    resumed.close();
  });

  it('starts at the head without a cursor, and sends heartbeats while idle', async () => {
    const client = await SseClient.connect(port, '/v1/stream');
    let raw = '';
    // Heartbeats are comments: read them off the socket through a second listener.
    (client as unknown as { response: IncomingMessage }).response.on('data', (chunk: string) => {
      raw += chunk;
    });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(client.events).toEqual([]);
    expect(raw).toContain(': ping');
    await publisher.publish(makeRecord({ seed: 8 }));
    await client.waitFor(1);
    expect(client.events[0]?.id).toBe('8');
    client.close();
  });

  it('reads JSON Feed and Atom slice by slice, up to `limit` and to the page size in bytes', async () => {
    // Different sites and seeds: canonical records, none a duplicate of another.
    const published = Array.from({ length: 25 }, (_, i) =>
      makeRecord({ seed: 100 + i, site: `s${i}.example` }),
    );
    const newestFirst = published.map((r) => r.id).reverse();
    const bytesOf = (r: CleanRecord) =>
      3 * ((r.title?.length ?? 0) + r.url.length + r.paragraphs.reduce((sum, p) => sum + p.length + 2, 0));
    const threeRecords = published.slice(-3).reduce((sum, r) => sum + bytesOf(r), 0);
    // The read limits belong to the store's reader (one per store): one store per budget.
    const serve = async (dialect: 'sqlite' | 'postgres', records: CleanRecord[], pageBytes?: number) => {
      const local = await factory.fresh(dialect);
      const localPublisher = await createPublisher(local);
      for (const record of records) await localPublisher.publish(record);
      return buildFeedServer(local, pageBytes ? { reads: { pageBytes } } : {});
    };
    const ids = async (app: FastifyInstance, url: string) =>
      ((await app.inject({ url })).json().items as { id: string }[]).map((i) => i.id);
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const roomy = await serve(dialect, published);
      expect(await ids(roomy, '/feed.json?limit=500'), dialect).toEqual(newestFirst);
      expect(await ids(roomy, '/feed.json?limit=13'), dialect).toEqual(newestFirst.slice(0, 13));
      const tight = await serve(dialect, published, threeRecords);
      expect(await ids(tight, '/feed.json?limit=2'), dialect).toEqual(newestFirst.slice(0, 2));
      expect(await ids(tight, '/feed.json?limit=50'), dialect).toEqual(newestFirst.slice(0, 3));
      // Smaller than any record: still the newest one.
      const tiny = await serve(dialect, published.slice(0, 2), 1);
      const atom = (await tiny.inject({ url: '/feed.atom' })).body;
      expect(atom.match(/<entry /g), dialect).toHaveLength(1);
      await Promise.all([roomy.close(), tight.close(), tiny.close()]);
    }
  });

  it('ends open streams when the server closes', async () => {
    const store = await factory.fresh('sqlite');
    const local = buildFeedServer(store, { stream: { pollMs: 50, heartbeatMs: 5000 } });
    await local.listen({ host: '127.0.0.1', port: 0 });
    const client = await SseClient.connect(
      (local.server.address() as AddressInfo).port,
      '/v1/stream?after=0',
    );
    const ended = new Promise<void>((resolve) =>
      (client as unknown as { response: IncomingMessage }).response.on('end', () => resolve()),
    );
    await local.close();
    await ended;
  });
});
