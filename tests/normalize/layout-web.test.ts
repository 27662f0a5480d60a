/**
 * The layout families served over real HTTP on 127.0.0.1, crawled by the project's crawler and
 * normalized from the raw bytes it fetched, the way a run reads them: issue 12's figures on a
 * fixture web of the new layouts (chrome left ≤ 2 %, no body line lost, title, time and category
 * right on ≥ 98 % of pages).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSourcesConfig, type SourcesConfig } from '../../src/config/sources.js';
import { crawlSource } from '../../src/crawl/index.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import type { CrawledRawRecord } from '../../src/records/raw.js';
import { QUICK_CRAWL } from '../crawl/helpers.js';
import { emptyScore, scorePage } from '../support/layout-eval.js';
import { type LayoutPage, layoutPages } from '../support/layouts.js';

const pages = layoutPages(2, 3);
let server: http.Server;
let origin = '';
const records: CrawledRawRecord[] = [];

beforeAll(async () => {
  const byPath = new Map(pages.map((page, i) => [`/a/${i}.html`, page]));
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
      return;
    }
    if (path === '/list.html') {
      const links = [...byPath.keys()].map((p) => `<li><a href="${p}">${p}</a></li>`).join('');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<html><body><ul>${links}</ul></body></html>`);
      return;
    }
    const page = byPath.get(path);
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = parseSourcesConfig({
    crawl: { allow_private_networks: true, ...QUICK_CRAWL },
    sources: [
      {
        name: 'layouts',
        start_urls: [`${origin}/list.html`],
        follow: ['/list.html'],
        articles: ['/a/**'],
        per_minute: 6000,
      },
    ],
  });
  await crawlSource({
    source: config.sources[0] as SourcesConfig['sources'][number],
    settings: config.crawl,
    onRecord: (record) => {
      records.push(record);
    },
  });
}, 120_000);

afterAll(async () => {
  server?.close();
});

describe('the layout families on a fixture web', () => {
  it('are crawled and normalized with their chrome gone, body whole, title, time and category right', () => {
    expect(records).toHaveLength(pages.length);
    const score = emptyScore();
    for (const record of records) {
      const index = Number(/\/a\/(\d+)\.html$/.exec(record.url)?.[1]);
      const page = pages[index] as LayoutPage;
      const clean = normalizeDocument({
        url: record.url,
        body: Buffer.from(record.body_base64, 'base64'),
        contentType: record.content_type,
        source: record.source,
      });
      scorePage(score, page, clean);
    }
    expect(score.misses).toEqual([]);
    expect(score.bodyLost).toBe(0);
    expect(score.chromeLeft / score.chromeLines).toBeLessThanOrEqual(0.02);
    for (const right of [score.titleRight, score.timeRight, score.categoryRight])
      expect(right / score.pages).toBeGreaterThanOrEqual(0.98);
  });
});
