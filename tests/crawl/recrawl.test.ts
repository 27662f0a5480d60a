/**
 * Recrawl without waste: conditional GET (ETag on gbk-farm, Last-Modified on big5-portal) and,
 * for ruby-blog's server that sends neither, the body hash. A crawl started again must fetch
 * again (Crawlee's default queue would remember: crawlee#1979, #2133).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryValidatorStore } from '../../src/crawl/index.js';
import {
  type FixtureWeb,
  SITE_NAMES,
  SITES,
  type SiteName,
  startFixtureWeb,
} from '../support/fixture-web/index.js';
import { crawlSite, type SiteCrawl } from './helpers.js';

let web: FixtureWeb;
const store = new MemoryValidatorStore();
const first = new Map<SiteName, SiteCrawl>();
const second = new Map<SiteName, SiteCrawl>();

beforeAll(async () => {
  web = await startFixtureWeb({ articlesPerSite: 10, brokenPages: false, seed: 7 });
  for (const site of SITE_NAMES) first.set(site, await crawlSite(web, site, { validators: store }));
  for (const site of SITE_NAMES) second.set(site, await crawlSite(web, site, { validators: store }));
}, 60_000);

afterAll(async () => {
  await web?.close();
});

const isArticle = (site: SiteName, path: string) =>
  path.startsWith(SITES[site].articlePath('').replace(/\.html$/, ''));

describe.each(SITE_NAMES)('recrawling %s', (site) => {
  it('writes every article the first time', () => {
    const crawl = first.get(site) as SiteCrawl;
    expect(crawl.records).toHaveLength(10);
    expect(crawl.report.unchanged).toBe(0);
  });

  it('writes nothing the second time, when nothing changed', () => {
    const crawl = second.get(site) as SiteCrawl;
    expect(crawl.records).toEqual([]);
    expect(crawl.report.unchanged).toBe(10);
    expect(crawl.report.articlesFetched).toBe(10);
  });

  it('asks with the validators the server gave, and lists are fetched in full', () => {
    const articles = (second.get(site) as SiteCrawl).requests.filter((r) => isArticle(site, r.path));
    expect(articles).toHaveLength(10);
    const { etag, lastModified } = SITES[site].validators;
    for (const request of articles) {
      expect(request.ifNoneMatch !== undefined).toBe(etag);
      expect(request.ifModifiedSince !== undefined).toBe(lastModified);
      expect(request.status).toBe(etag || lastModified ? 304 : 200);
    }
    const others = (second.get(site) as SiteCrawl).requests.filter((r) => !isArticle(site, r.path));
    expect(others.every((r) => r.ifNoneMatch === undefined && r.ifModifiedSince === undefined)).toBe(true);
  });
});

describe('after a page changes', () => {
  it('writes exactly the changed pages', async () => {
    const changed = SITE_NAMES.map((site) => (first.get(site) as SiteCrawl).records[3]?.url as string);
    for (const url of changed) web.touch(url);
    for (const [i, site] of SITE_NAMES.entries()) {
      const crawl = await crawlSite(web, site, { validators: store });
      expect(crawl.records.map((r) => r.url)).toEqual([changed[i]]);
      expect(crawl.report.unchanged).toBe(9);
    }
  });

  it('a crawl without the state fetches everything again', async () => {
    const crawl = await crawlSite(web, 'gbk-farm');
    expect(crawl.records).toHaveLength(10);
    expect(crawl.requests.filter((r) => r.status === 304)).toEqual([]);
  });
});
