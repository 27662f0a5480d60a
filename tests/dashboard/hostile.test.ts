/**
 * The feed and the dashboard under hostile input and hostile clients, over HTTP:
 *
 * - a store holding the worst record a page can make (made here: one paragraph of 130,000 `贷，`
 *   with a repair each, ~10 MB of JSON): the record page renders one page of repairs quickly, and
 *   the feed survives 200 Server-Sent-Events clients replaying it, half of which never read,
 *   within a memory budget (the ones that stop reading are dropped after the stall time),
 *   answering `/healthz` meanwhile;
 * - the sign-in redirect accepts same-origin paths only (parsed, never a 500), sign-in attempts
 *   are throttled, sign-out refuses other sites, every response carries `nosniff` and a CSP, and
 *   `/metrics` needs the token when one is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPTS, registerDashboard, SEARCHES_PER_MINUTE } from '../../src/dashboard/index.js';
import { contentHash, recordId } from '../../src/normalize/record.js';
import { buildFeedServer, createPublisher, openStore, type Store } from '../../src/publish/index.js';
import type { CleanRecord } from '../../src/records/clean.js';
import type { Repair } from '../../src/records/repairs.js';
import { makeRecord } from '../publish/support/records.js';

const TOKEN = 'hostile-test-token-81d2';
const REPAIRS = 130_000;
const CLIENTS = 200;

let dir: string;
let store: Store;
let huge: CleanRecord;
let head: number;
type App = ReturnType<typeof buildFeedServer>;
const apps: App[] = [];

/** The worst record a page makes: a paragraph of 130,000 `贷,` whose commas were all repaired. */
function hugeRecord(): CleanRecord {
  const url = 'https://hostile.example/loan/all-commas.html';
  const paragraph = '贷，'.repeat(REPAIRS);
  const repairs: Repair[] = Array.from({ length: REPAIRS }, () => ({
    kind: 'punctuation',
    paragraph: 0,
    before: ',',
    after: '，',
    confidence: 1,
  }));
  return {
    id: recordId(url),
    url,
    source: 'hostile.example',
    title: '贷款问题',
    category: null,
    published_at: null,
    script: 'hans',
    paragraphs: [paragraph],
    repairs,
    flags: [],
    unresolved: [],
    content_hash: contentHash([paragraph]),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finfaq-hostile-'));
  store = await openStore({ url: join(dir, 'store.db') });
  const publisher = await createPublisher(store);
  for (const seed of [1, 2, 3]) await publisher.publish(makeRecord({ seed, site: 'a.example' }));
  huge = hugeRecord();
  await publisher.publish(huge, { text: `<p>${'贷,'.repeat(REPAIRS)}</p>`, content_type: 'text/html' });
  for (const seed of [4, 5]) await publisher.publish(makeRecord({ seed, site: 'b.example' }));
  head = await store.head();
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function server(
  options: Parameters<typeof buildFeedServer>[1] = {},
  adminToken?: string,
): Promise<App> {
  const app = buildFeedServer(store, options);
  await registerDashboard(app, { store, adminToken });
  apps.push(app);
  return app;
}

function post(app: App, url: string, body: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

describe('the record page of a record with 130,000 repairs', () => {
  it('renders one page of repairs, quickly, with links to the others', async () => {
    const app = await server();
    const started = performance.now();
    const page = await app.inject({ url: `/records/${huge.id}` });
    const ms = performance.now() - started;
    expect(page.statusCode).toBe(200);
    expect(ms).toBeLessThan(5_000);
    expect(page.body.length).toBeLessThan(5_000_000);
    expect(page.body).toContain('130,000 repairs, 1–500 highlighted');
    expect(page.body.match(/<mark class="repair/g)).toHaveLength(500);
    expect(page.body).toContain(`/records/${huge.id}?version=1&amp;script=hans&amp;repairs=2`);

    // A later page highlights its own repairs, where they are: the 1,001st comma and on.
    const third = await app.inject({ url: `/records/${huge.id}?repairs=3` });
    expect(third.statusCode).toBe(200);
    expect(third.body).toContain('Repairs 1,001–1,500 of 130,000');
    const marks = [...third.body.matchAll(/data-repair="(\d+)" tabindex/g)].map((m) => Number(m[1]));
    expect(marks[0]).toBe(1000);
    expect(marks).toHaveLength(500);
    const before = third.body.slice(
      third.body.indexOf('data-paragraph="0"'),
      third.body.indexOf('data-repair="1000" tabindex'),
    );
    expect(before.split('，').length - 1).toBe(1000); // the highlight sits on the 1,001st comma
    expect((await app.inject({ url: `/records/${huge.id}?repairs=0` })).statusCode).toBe(400);
  });
});

/** An SSE client that counts what it receives without keeping it, or never reads at all. */
interface Client {
  ids: string[];
  bytes: number;
  response?: IncomingMessage;
}

function connect(port: number, reading: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client: Client = { ids: [], bytes: 0 };
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/v1/stream?after=0',
      headers: { accept: 'text/event-stream' },
    });
    req.on('response', (response) => {
      client.response = response;
      response.on('error', () => {});
      if (reading) {
        // Counted, not kept: the ids are found in the bytes as they pass.
        const marker = Buffer.from('\nid: ');
        let tail: Buffer = Buffer.alloc(0);
        response.on('data', (chunk: Buffer) => {
          client.bytes += chunk.length;
          const bytes = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
          for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + 1)) {
            const end = bytes.indexOf(10, at + marker.length);
            if (end === -1) break;
            const id = bytes.toString('latin1', at + marker.length, end);
            if (client.ids.at(-1) !== id) client.ids.push(id);
          }
          tail = bytes.subarray(Math.max(0, bytes.length - 32));
        });
      } else response.pause();
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('200 SSE clients replaying a store that holds the record', () => {
  it('stay within a memory budget, drop the clients that stop reading, and keep answering', async () => {
    const app = await server({ stream: { pollMs: 200, heartbeatMs: 60_000, stallMs: 2_000 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    global.gc?.();
    const memory = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const baseline = memory();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory());
    }, 10);
    try {
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) => connect(port, i % 2 === 0)),
      );
      const readers = clients.filter((_, i) => i % 2 === 0);

      // The server answers while it streams.
      const health = performance.now();
      const healthz = await app.inject({ url: '/healthz' });
      expect(healthz.statusCode).toBe(200);
      expect(performance.now() - health).toBeLessThan(5_000);

      const ids = Array.from({ length: head }, (_, i) => String(i + 1));
      const deadline = Date.now() + 90_000;
      while (readers.some((c) => c.ids.length < ids.length) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      for (const reader of readers) expect(reader.ids).toEqual(ids);
      // Each reader got the huge record whole: ~10 MB of JSON.
      expect(Math.min(...readers.map((c) => c.bytes))).toBeGreaterThan(9_000_000);

      // The clients that never read are dropped once stalled (their socket buffers full), not
      // buffered: the server closes their connections, leaving the readers' (a paused client
      // socket does not notice, so the server's count is what tells).
      const connections = () =>
        new Promise<number>((resolve, reject) =>
          app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
        );
      const until = Date.now() + 30_000;
      while ((await connections()) > readers.length && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      expect(await connections()).toBe(readers.length); // the other half, which never read, are gone
      for (const client of clients) client.response?.destroy();
    } finally {
      clearInterval(sampler);
    }
    const grew = (peak - baseline) / 1e6;
    // Unbounded, each of the 200 streams parses and serializes its own copy (~50 MB each).
    expect(grew).toBeLessThan(600);
  }, 180_000);
});

describe('sign-in, sign-out and headers', () => {
  it('redirects after sign-in to same-origin paths only, never answering 500', async () => {
    const app = await server({}, TOKEN);
    const cases: [string, string][] = [
      ['/records?q=%E8%B4%B7', '/records?q=%E8%B4%B7&done=signed-in'],
      ['/%09/evil.example/', '/?done=signed-in'], // form-decoded: a tab the browser would drop
      ['//evil.example/', '/?done=signed-in'],
      ['/%5Cevil.example/', '/?done=signed-in'], // `/\evil.example/`
      ['/%0A/evil.example/', '/?done=signed-in'], // a newline
      ['/%0D%0ASet-Cookie:%20x=1', '/%0D%0ASet-Cookie:%20x=1?done=signed-in'.replace('%0D%0A', '')],
      ['https://evil.example/', '/?done=signed-in'],
      ['javascript:alert(1)', '/?done=signed-in'],
      ['/\u3000/evil', '/%E3%80%80/evil?done=signed-in'],
    ];
    for (const [next, location] of cases) {
      const response = await post(app, '/login', `token=${TOKEN}&next=${next}`);
      expect(response.statusCode, next).toBe(303);
      expect(response.headers.location, next).toBe(location);
    }
    const page = await app.inject({ url: '/login?next=%2F%0A%2Fevil' });
    expect(page.statusCode).toBe(200);
  });

  it('throttles sign-in attempts', async () => {
    const app = await server({}, TOKEN);
    const codes: number[] = [];
    for (let i = 0; i < LOGIN_ATTEMPTS + 2; i++)
      codes.push((await post(app, '/login', 'token=guess')).statusCode);
    expect(codes.slice(0, LOGIN_ATTEMPTS)).toEqual(Array(LOGIN_ATTEMPTS).fill(401));
    expect(codes.slice(LOGIN_ATTEMPTS)).toEqual([429, 429]);
    // Even the right token waits: the throttle is on attempts, not failures.
    expect((await post(app, '/login', `token=${TOKEN}`)).statusCode).toBe(429);
  });

  it('throttles record searches, which may scan the whole store', async () => {
    const app = await server();
    const codes: number[] = [];
    for (let i = 0; i < SEARCHES_PER_MINUTE + 2; i++)
      codes.push((await app.inject({ url: `/records?q=${encodeURIComponent(`贷${i}`)}` })).statusCode);
    expect(codes.slice(0, SEARCHES_PER_MINUTE)).toEqual(Array(SEARCHES_PER_MINUTE).fill(200));
    expect(codes.slice(SEARCHES_PER_MINUTE)).toEqual([429, 429]);
    // Other pages are not throttled with them.
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('refuses a sign-out posted from another site', async () => {
    const app = await server({}, TOKEN);
    const cross = await post(app, '/logout', '', {
      origin: 'https://evil.example',
      cookie: 'finfaq_admin=x',
    });
    expect(cross.statusCode).toBe(400);
    expect(cross.headers['set-cookie']).toBeUndefined();
    const own = await post(app, '/logout', '', { origin: 'http://localhost:8080', host: 'localhost:8080' });
    expect(own.statusCode).toBe(303);
    expect(String(own.headers['set-cookie'])).toMatch(/finfaq_admin=;/);
  });

  it('puts nosniff and a Content-Security-Policy on every response, and /metrics behind the token', async () => {
    const app = await server({ metricsToken: TOKEN }, TOKEN);
    const urls = [
      '/v1/records',
      '/v1/records.ndjson?limit=2',
      `/v1/records/${huge.id}`,
      '/v1/records/nope',
      '/v1/records?limit=x',
      '/feed.json',
      '/feed.atom',
      '/healthz',
      '/metrics',
      '/no/such/page',
      '/',
      '/assets/dashboard.css',
    ];
    for (const url of urls) {
      const response = await app.inject({ url });
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['content-security-policy'], url).toMatch(/default-src '(none|self)'/);
    }
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode,
    ).toBe(401);
    const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('finfaq_feed_head');
    // Without a token /metrics stays open (as before).
    expect((await (await server()).inject({ url: '/metrics' })).statusCode).toBe(200);

    // The event stream is hijacked from Fastify: its headers are set by hand.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const headers = await new Promise<IncomingMessage['headers']>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/stream' }, (response) => {
        resolve(response.headers);
        response.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
  });
});
