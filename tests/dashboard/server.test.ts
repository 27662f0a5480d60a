/**
 * The dashboard over HTTP (Fastify's inject), on a real SQLite store filled by the real normalizer
 * (`finfaq normalize` over the seeds, whose deleted words it restores) and a real Redis holding a
 * failed job: pages, escaping, and who may retry.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectQueueAdmin, type QueueAdmin, registerDashboard } from '../../src/dashboard/index.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import { buildFeedServer, createPublisher, openStore, type Store } from '../../src/publish/index.js';
import type { CleanRecord } from '../../src/records/clean.js';
import { BIN, dropPrefix, REDIS_URL, uniqueName } from '../queue/helpers.js';
import { seedPath } from '../support/seeds.js';

const TOKEN = 'test-admin-token-5f1c';
const HOSTILE_URL = 'https://evil.example/post/1';

let dir: string;
let store: Store;
let admin: QueueAdmin;
let prefix: string;
let seedRecords: CleanRecord[];
let failedJobId: string;
type App = ReturnType<typeof buildFeedServer>;
const apps: App[] = [];

async function dashboard(adminToken?: string) {
  const app = buildFeedServer(store);
  await registerDashboard(app, { store, queues: admin, adminToken });
  apps.push(app);
  return app;
}

/** A job that really failed in a real BullMQ worker (attempts: 1), left in the failed set. */
async function failAJob(): Promise<string> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('publish', { connection: redis, prefix });
  const job = await queue.add('publish', { record: { url: 'https://example.cn/a/1.html' } }, { attempts: 1 });
  const worker = new Worker(
    'publish',
    async () => {
      throw new Error('store refused the record: test');
    },
    { connection: redis, prefix },
  );
  await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
  await worker.close();
  await queue.close();
  redis.disconnect();
  return job.id as string;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finfaq-dashboard-'));
  store = await openStore({ url: join(dir, 'store.db') });
  const publisher = await createPublisher(store);
  const out = spawnSync(
    process.execPath,
    [BIN, 'normalize', seedPath('000_825b8516aba863a0'), seedPath('002_2a05bec762618cc7'), '--to', 'hans'],
    {
      encoding: 'utf8',
    },
  );
  expect(out.status).toBe(0);
  seedRecords = out.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CleanRecord);
  for (const record of seedRecords)
    await publisher.publish(record, { text: 'raw page text', content_type: 'text/plain' });
  const hostile = normalizeDocument({
    url: HOSTILE_URL,
    source: 'evil.example',
    html: '<html><head><title>标题&lt;script&gt;window.__pwned=1&lt;/script&gt;</title></head><body><article><h1>标题&lt;script&gt;window.__pwned=1&lt;/script&gt;</h1><p>正文里有&lt;img src=x onerror=alert(1)&gt;这样的文字，还有一些别的内容。</p></article></body></html>',
  });
  await publisher.publish(hostile, { text: '<script>window.__pwned=1</script>', content_type: 'text/html' });
  prefix = uniqueName('dash');
  failedJobId = await failAJob();
  admin = connectQueueAdmin(REDIS_URL, prefix);
  for (let i = 0; i < 50 && !admin.available; i++) await new Promise((r) => setTimeout(r, 20));
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await admin?.close();
  await store?.close();
  if (prefix) await dropPrefix(REDIS_URL, prefix);
  rmSync(dir, { recursive: true, force: true });
});

const seed000 = () =>
  seedRecords.find((r) => r.repairs.some((x) => x.kind === 'missing-word')) as CleanRecord;

async function failedState(): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const queue = new Queue('publish', { connection: redis, prefix });
  const state = await queue.getJobState(failedJobId);
  await queue.close();
  redis.disconnect();
  return state;
}

describe('dashboard pages', () => {
  it('serves the sources overview with a strict Content-Security-Policy and the chart data', async () => {
    const app = await dashboard(TOKEN);
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(response.body).toContain('evil.example');
    expect(response.body).toMatch(/<script type="application\/json" id="chart-data">\{"repairs"/);
    expect((await app.inject('/assets/vendor/chart.umd.js')).statusCode).toBe(200);
    expect((await app.inject('/assets/vendor/chart.js')).statusCode).toBe(404);
  });

  it('searches records in either script and filters by repair kind', async () => {
    const app = await dashboard();
    const all = await app.inject('/records');
    expect(all.body).toContain('3 records');
    // The seeds are stored in Simplified; a Traditional query finds them.
    const traditional = await app.inject(`/records?q=${encodeURIComponent('電話')}`);
    expect(traditional.body).toContain(`/records/${seed000().id}`);
    const restored = await app.inject('/records?kind=missing-word');
    expect(restored.body).toContain(`/records/${seed000().id}`);
    expect(restored.body).not.toContain('evil.example/post');
    expect((await app.inject('/records?kind=nonsense')).statusCode).toBe(400);
  });

  it('highlights a restored word with its before/after, in the script asked for', async () => {
    const app = await dashboard();
    const record = seed000();
    const hans = await app.inject(`/records/${record.id}`);
    expect(hans.statusCode).toBe(200);
    const marks = [
      ...hans.body.matchAll(/<mark class="repair kind-missing-word"[^>]*>([^<]*)<span class="repair-tip"/g),
    ];
    expect(marks.length).toBe(record.repairs.filter((r) => r.kind === 'missing-word').length);
    expect(new Set(marks.map((m) => m[1]))).toEqual(new Set(['电话', '题']));
    expect(hans.body).toContain('class="tip-before"');
    const tw = await app.inject(`/records/${record.id}?script=tw`);
    expect(tw.body).toMatch(/<mark class="repair kind-missing-word"[^>]*>電話</);
    expect(tw.body).not.toMatch(/<mark class="repair kind-missing-word"[^>]*>电话</);
    expect((await app.inject(`/records/${record.id}?script=xx`)).statusCode).toBe(400);
    expect((await app.inject('/records/no-such-id')).statusCode).toBe(404);
  });

  it('escapes crawled text everywhere it is shown', async () => {
    const app = await dashboard();
    const list = await app.inject(`/records?q=${encodeURIComponent('标题')}`);
    expect(list.body).not.toContain('<script>window.__pwned');
    expect(list.body).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    const id = /href="\/records\/([^"]+)"/.exec(list.body)?.[1] as string;
    const page = await app.inject(`/records/${id}`);
    expect(page.body).not.toMatch(/<script>window|<img src=x/);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows the queues and the failed job with its reason', async () => {
    const app = await dashboard();
    const page = await app.inject('/queues');
    expect(page.body).toContain(`data-job="${failedJobId}"`);
    expect(page.body).toContain('store refused the record: test');
    expect(page.body).toMatch(/<button type="submit" disabled>Retry<\/button>/);
  });
});

describe('actions need the admin token', () => {
  const retryForm = () => `queue=publish&id=${encodeURIComponent(failedJobId)}`;
  /** A form posted to the dashboard, with extra headers (a cookie, an Origin, a Bearer token). */
  const post = (app: App, url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload,
    });

  it('are disabled when no token is configured', async () => {
    const app = await dashboard();
    const response = await post(app, '/actions/retry', retryForm());
    expect(response.statusCode).toBe(403);
    expect(await failedState()).toBe('failed');
  });

  it('are refused without the token, with a wrong one, and from another site', async () => {
    const app = await dashboard(TOKEN);
    const none = await post(app, '/actions/retry', retryForm());
    expect(none.statusCode).toBe(401);
    const wrong = await post(app, '/actions/retry', retryForm(), { authorization: 'Bearer not-the-token' });
    expect(wrong.statusCode).toBe(401);
    const login = await post(app, '/login', 'token=guess');
    expect(login.statusCode).toBe(401);
    expect(login.headers['set-cookie']).toBeUndefined();
    const signedIn = await post(app, '/login', `token=${TOKEN}&next=//evil.example/`);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);
    expect(signedIn.headers.location).toBe('/?done=signed-in');
    const crossSite = await post(app, '/actions/retry', retryForm(), {
      cookie: cookie.split(';')[0] as string,
      origin: 'https://evil.example',
    });
    expect(crossSite.statusCode).toBe(401);
    expect(await failedState()).toBe('failed');
  });

  it('retry a failed job with the token', async () => {
    const app = await dashboard(TOKEN);
    const signedIn = await post(app, '/login', `token=${TOKEN}`);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0] as string;
    const queues = await app.inject({ url: '/queues', headers: { cookie } });
    expect(queues.body).toMatch(
      new RegExp(`data-job="${failedJobId}"[\\s\\S]*?<button type="submit" >Retry`),
    );
    const retried = await post(app, '/actions/retry', retryForm(), { cookie });
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe('/queues?done=retried');
    expect(await failedState()).toBe('waiting');
    // Crawl now: the same rule; a source no scheduler knows is refused with the reason.
    expect((await post(app, '/actions/crawl', 'source=nowhere')).statusCode).toBe(401);
    const unknown = await post(app, '/actions/crawl', 'source=nowhere', { cookie });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.body).toContain('no crawl scheduler knows the source &quot;nowhere&quot;');
    const again = await post(app, '/actions/retry', retryForm(), { cookie });
    expect(again.statusCode).toBe(409);
  });
});
