/**
 * Safety and bad input: private addresses refused unless allowed, unreachable servers reported,
 * and Crawlee's own text decoding replaced by bytes (crawlee#2317).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CheerioCrawler, Configuration, Log, LogLevel } from '@crawlee/cheerio';
import { MemoryStorage } from '@crawlee/memory-storage';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSourcesConfig } from '../../src/config/sources.js';
import { crawlSource, crawlSources } from '../../src/crawl/index.js';
import { BytesCheerioCrawler, rawBody } from '../../src/crawl/page-crawler.js';
import { type FixtureWeb, startFixtureWeb } from '../support/fixture-web/index.js';
import { crawlSite, QUICK_CRAWL } from './helpers.js';

let web: FixtureWeb;

beforeAll(async () => {
  web = await startFixtureWeb({ articlesPerSite: 8, brokenPages: false, seed: 11 });
}, 30_000);

afterAll(async () => {
  await web?.close();
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sourcesFile(sources: Record<string, unknown>[], crawl: Record<string, unknown> = {}) {
  return parseSourcesConfig({
    crawl: { ...QUICK_CRAWL, allow_private_networks: true, ...crawl },
    sources: sources.map((s) => ({ per_minute: 6000, ...s })),
  });
}

describe('private networks', () => {
  it('are refused unless crawl.allow_private_networks is set, before any request', async () => {
    const site = web.site('gbk-farm');
    web.clearLog();
    const port = new URL(site.origin).port;
    const config = sourcesFile(
      [
        { name: 'literal', start_urls: site.startUrls, articles: site.spec.articles },
        {
          name: 'by-name',
          start_urls: [`http://localhost:${port}/class/1.html`],
          articles: site.spec.articles,
        },
      ],
      { allow_private_networks: false },
    );
    const reports = await crawlSources(config, { onRecord: () => {} });
    expect(web.requests).toEqual([]);
    for (const report of reports) {
      expect(report.pagesFetched).toBe(0);
      expect(report.skipped).toHaveLength(1);
      expect(report.skipped[0]?.kind).toBe('private-address');
    }
    expect(reports[0]?.skipped[0]?.reason).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(reports[1]?.skipped[0]?.reason).toMatch(/localhost resolves to/);
  });
});

describe('an unreachable server', () => {
  it('is reported with its URL and reason, and the other sources are crawled', async () => {
    const port = await closedPort();
    const site = web.site('big5-portal');
    const config = sourcesFile([
      { name: 'gone', start_urls: [`http://127.0.0.1:${port}/list/1.html`], articles: ['/a/**'] },
      {
        name: 'fine',
        start_urls: site.startUrls,
        follow: site.spec.follow,
        articles: site.spec.articles,
      },
    ]);
    let records = 0;
    const [gone, fine] = await crawlSources(config, { onRecord: () => void records++ });
    expect(gone?.pagesFetched).toBe(0);
    expect(gone?.failed).toEqual([
      {
        url: `http://127.0.0.1:${port}/list/1.html`,
        kind: 'network',
        reason: expect.stringMatching(/robots\.txt unavailable \(connection refused \(ECONNREFUSED/),
      },
    ]);
    expect(fine?.records).toBe(8);
    expect(records).toBe(8);
  });
});

describe('a start URL disallowed by robots.txt', () => {
  it('is skipped, with the reason', async () => {
    const site = web.site('gbk-farm');
    const [start] = site.startUrls;
    const hidden = `${site.origin}${site.spec.hiddenPath('1')}`;
    const config = sourcesFile([{ name: 'x', start_urls: [hidden, start], articles: site.spec.articles }]);
    const report = await crawlSource({
      source: config.sources[0] as never,
      settings: config.crawl,
      onRecord: () => {},
    });
    expect(report.skipped).toEqual([
      { url: hidden, kind: 'robots', reason: `disallowed by ${site.origin}/robots.txt` },
    ]);
  });
});

describe('bytes, not Crawlee text (crawlee#2317)', () => {
  const title = '信用卡逾期一天会上征信吗';
  const page = iconv.encode(
    `<html><head><meta charset="gbk"><title>${title}</title></head><body><p>${title}。</p></body></html>`,
    'gbk',
  );
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gbk.html`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const memory = () =>
    new Configuration({ persistStorage: false, storageClient: new MemoryStorage({ persistStorage: false }) });

  it('stock CheerioCrawler reads a GBK page declared in <meta> as UTF-8', async () => {
    let seen = '';
    const crawler = new CheerioCrawler(
      {
        log: new Log({ level: LogLevel.OFF }),
        requestHandler: async ({ $ }) => {
          seen = $('title').text();
        },
      },
      memory(),
    );
    await crawler.run([url]);
    expect(seen).not.toBe(title);
    expect(seen).toContain('\ufffd');
  });

  it('BytesCheerioCrawler keeps the bytes and decodes $ with decodeBytes', async () => {
    let bytes: Buffer = Buffer.alloc(0);
    let seen = '';
    const crawler = new BytesCheerioCrawler(
      {
        log: new Log({ level: LogLevel.OFF }),
        requestHandler: async (context) => {
          bytes = rawBody(context);
          seen = context.$('title').text();
        },
      },
      memory(),
    );
    await crawler.run([url]);
    expect(bytes.equals(page)).toBe(true);
    expect(seen).toBe(title);
  });
});

describe('stopping a crawl', () => {
  it('starts nothing new once the signal fires, and says so', async () => {
    const controller = new AbortController();
    let records = 0;
    const { report } = await crawlSite(web, 'gbk-farm', {
      source: { per_minute: 600 },
      signal: controller.signal,
      onRecord: () => {
        if (++records === 2) controller.abort();
      },
    });
    expect(report.aborted).toBe(true);
    expect(records).toBeGreaterThanOrEqual(2);
    expect(records).toBeLessThan(8);
  });
});

describe('max_pages', () => {
  it('caps the requests of a crawl and counts the links left over', async () => {
    const { report, requests } = await crawlSite(web, 'gbk-farm', { source: { max_pages: 4 } });
    const pages = requests.filter((r) => r.path !== '/robots.txt');
    expect(pages).toHaveLength(4);
    expect(report.pagesFetched).toBe(4);
    expect(report.overLimit).toBeGreaterThan(0);
  });
});
