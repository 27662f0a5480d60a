/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against
 * `finfaq up` filled by the fixture web, on real Redis and PostgreSQL. gbk-farm's filter deletes
 * 电话 (so its learned profile restores words), and one ruby-blog article shows markup as text.
 *
 * Screenshots of the main pages go to artifacts/screenshots/ (rendered with Noto CJK from
 * Debian's fonts-noto-cjk).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/publish/index.js';
import { queueSettings } from '../../src/queue/connection.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { waitUntilDrained } from '../../src/queue/runs.js';
import {
  type Child,
  finfaq,
  freePort,
  isolatedPipeline,
  type Pipeline,
  startTestWeb,
  stopAll,
  type TestWeb,
} from '../queue/helpers.js';
import { HOSTILE_PARAGRAPH } from '../support/fixture-web/sites.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'browser-test-token-9d2e';
const SCREENSHOTS = new URL('../../artifacts/screenshots/', import.meta.url).pathname;

let testWeb: TestWeb;
let pipeline: Pipeline;
let store: Store;
let client: QueueClient;
let up: Child;
let browser: Browser;
let origin: string;
let failedJobId: string;

async function until<T>(
  what: string,
  read: () => Promise<T | null | undefined | false>,
  timeoutMs = 150_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${up?.stderr() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A paragraph's text without the tooltips inside its highlights. */
function paragraphText(page: Page, index: number): Promise<string> {
  return page.locator(`p.paragraph[data-paragraph="${index}"]`).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const tip of copy.querySelectorAll('.repair-tip')) tip.remove();
    return copy.textContent ?? '';
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk), or set CHROMIUM_PATH`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  testWeb = await startTestWeb({
    // 40 pages: gbk-farm's profile is learned again at 40, when the other sites' samples show
    // what its pages lack.
    articlesPerSite: 40,
    brokenPages: false,
    filteredWords: ['电话'],
    hostileText: true,
  });
  pipeline = isolatedPipeline({ FINFAQ_ADMIN_TOKEN: TOKEN });
  store = await pipeline.store();
  client = connectQueues(queueSettings(pipeline.env));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  up = finfaq(['up', '--config', testWeb.configPath, '--port', String(port)], pipeline.env);
  await up.waitForStderr(/dashboard at/, 60_000);

  // Every source crawled once, everything normalized and published, profiles learned and the
  // pages published before them restored (the restore job waits for workers' profile caches).
  await until('three crawls', async () => {
    const counts = await client.queues.crawl.getJobCounts('waiting', 'active', 'completed', 'failed');
    return counts.waiting === 0 && counts.active === 0 && (counts.completed ?? 0) + (counts.failed ?? 0) >= 3;
  });
  await waitUntilDrained(client.queues, []);
  await until(
    'a restored word',
    async () => (await store.searchRecords({ repairKind: 'missing-word', limit: 1, offset: 0 })).total > 0,
  );

  // A malformed raw record on the normalize queue, with one attempt: the real worker fails it.
  const job = await client.queues.normalize.add(
    'normalize',
    { raw: { url: 'not a page' }, to: 'hans' } as never,
    {
      attempts: 1,
      jobId: 'bad-raw-record-1',
    },
  );
  failedJobId = job.id as string;
  await until(
    'the bad job to fail',
    async () => (await client.queues.normalize.getJobState(failedJobId)) === 'failed',
    30_000,
  );

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (up) {
    up.process.kill('SIGTERM');
    await Promise.race([up.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    await stopAll([up]);
  }
  await client?.close();
  await pipeline?.cleanup();
  await testWeb?.close();
}, 60_000);

describe('the dashboard in a browser', () => {
  it('shows the sources with their learned profile and draws both charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${origin}/`);
    await expect.poll(() => page.locator('tr[data-source]').count()).toBe(3);
    const farm = page.locator('tr[data-source="gbk-farm"]');
    await expect.poll(() => farm.locator('.word').allTextContents()).toContain('电话');
    expect(await farm.locator('.badge.ok').count()).toBe(1);
    const charts = await page.evaluate(() => {
      const chart = (
        window as unknown as {
          Chart: { getChart(id: string): { data: { datasets: unknown[] } } | undefined };
        }
      ).Chart;
      return ['repairs-chart', 'published-chart'].map((id) => chart.getChart(id)?.data.datasets.length ?? -1);
    });
    expect(charts[0]).toBeGreaterThan(0);
    expect(charts[1]).toBe(3);
    // Screenshots show Chinese text in a CJK font, not boxes.
    expect(await page.evaluate(() => document.fonts.check('16px "Noto Sans CJK SC"', '电话'))).toBe(true);
    await shot(page, 'sources');
    await page.close();
  });

  it('lists the records and filters them by repair kind', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${origin}/records`);
    const total = Number((await page.locator('p.count').textContent())?.replace(/\D/g, ''));
    expect(total).toBeGreaterThanOrEqual(3 * 40);
    expect(await page.locator('table.records tbody tr').count()).toBe(50);
    await shot(page, 'records');
    await page.selectOption('select[name="kind"]', 'missing-word');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/kind=missing-word/);
    const restored = await page.locator('table.records tbody tr').count();
    expect(restored).toBeGreaterThan(0);
    expect(restored).toBeLessThan(50);
    await page.close();
  });

  it('highlights a restored word with its before and after, and switches script', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${origin}/records?kind=missing-word&source=gbk-farm&q=${encodeURIComponent('电话')}`);
    await page.locator('table.records tbody tr a').first().click();
    await page.waitForURL(/\/records\/[^?]+$/);
    // The first highlight that put 电话 back (the text inside a mark, before its tooltip).
    const marks = page.locator('mark.kind-missing-word');
    const words = await marks.evaluateAll((all) => all.map((m) => m.firstChild?.textContent));
    expect(words).toContain('电话');
    const mark = marks.nth(words.indexOf('电话'));
    const tip = mark.locator('.repair-tip');
    expect(await tip.isVisible()).toBe(false);
    await mark.hover();
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.locator('.tip-after').textContent()).toContain('电话');
    expect(await tip.locator('.tip-before').textContent()).not.toContain('电话');
    expect(await tip.locator('.tip-confidence').textContent()).toMatch(/confidence 0\.\d+|confidence 1/);
    // Keyboard users get the same: focus shows it.
    await page.mouse.move(0, 0);
    await mark.focus();
    expect(await tip.isVisible()).toBe(true);
    await shot(page, 'record');

    const paragraph = Number(
      await mark.evaluate((m) => m.closest('p.paragraph')?.getAttribute('data-paragraph')),
    );
    const simplified = await paragraphText(page, paragraph);
    await page.click('nav.scripts a[data-script="tw"]');
    await page.waitForURL(/script=tw/);
    const taiwan = await paragraphText(page, paragraph);
    expect(taiwan).not.toBe(simplified);
    expect(taiwan).toContain('電話');
    const shownWords = await page
      .locator('mark.kind-missing-word')
      .evaluateAll((all) => all.map((m) => m.firstChild?.textContent));
    expect(shownWords[words.indexOf('电话')]).toBe('電話');
    await page.close();
  });
});

describe('the dashboard in a browser: hostile text and admin actions', () => {
  it('never runs markup that came in crawled text', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${origin}/records?q=${encodeURIComponent('有读者留言')}`);
    await page.locator('table.records tbody tr a').first().click();
    await page.waitForURL(/\/records\/[^?]+$/);
    const shown = await page.locator('section.clean').textContent();
    expect(shown).toContain('<script>window.__finfaqInjected = true</script>');
    expect(HOSTILE_PARAGRAPH).toContain('<img src=x');
    expect(await page.locator('section.clean img, section.clean script').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { __finfaqInjected?: boolean }).__finfaqInjected),
    ).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('retries a failed job and crawls a source now with the admin token, not without it', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const finishedOn = async () => (await client.queues.normalize.getJob(failedJobId))?.finishedOn ?? 0;
    const failedAt = await finishedOn();

    await page.goto(`${origin}/queues?queue=normalize`);
    const row = page.locator(`tr[data-job="${failedJobId}"]`);
    expect(await row.locator('.reason').textContent()).toContain('not a raw record');
    expect(await row.locator('button').isDisabled()).toBe(true);
    await shot(page, 'queues');
    // The form posted without signing in (as a script would, bypassing the disabled button).
    const refused = await page.request.post(`${origin}/actions/retry`, {
      form: { queue: 'normalize', id: failedJobId },
    });
    expect(refused.status()).toBe(401);
    expect(await client.queues.normalize.getJobState(failedJobId)).toBe('failed');
    expect(await finishedOn()).toBe(failedAt);

    await page.goto(`${origin}/login?next=${encodeURIComponent('/queues?queue=normalize')}`);
    await page.fill('input[name="token"]', 'wrong-token');
    await page.click('form.login button');
    expect(await page.locator('.error').textContent()).toContain('not the admin token');
    await page.fill('input[name="token"]', TOKEN);
    await page.click('form.login button');
    await page.waitForURL(/\/queues\?queue=normalize&done=signed-in/);
    await page.locator(`tr[data-job="${failedJobId}"] button`).click();
    await page.waitForURL(/done=retried/);
    expect(await page.locator('.notice').textContent()).toContain('back in its queue');
    // The worker ran it again (and, the record being malformed still, it failed again).
    await until('the retried job to run again', async () => (await finishedOn()) > failedAt, 30_000);

    // Signed in, "Crawl now" queues a crawl of that source (built from its scheduler's settings).
    const crawlsBefore = (await client.queues.crawl.getJobs(['waiting', 'active', 'completed', 'failed']))
      .length;
    await page.goto(`${origin}/`);
    await page.locator('tr[data-source="ruby-blog"] form button').click();
    await page.waitForURL(/done=crawling/);
    expect(await page.locator('.notice').textContent()).toContain('crawl of the source is queued');
    const crawls = await client.queues.crawl.getJobs(['waiting', 'active', 'completed', 'failed']);
    expect(crawls.length).toBe(crawlsBefore + 1);
    expect(crawls.some((job) => job.data.source.name === 'ruby-blog' && !job.data.run)).toBe(true);
    await context.close();
  });
});
