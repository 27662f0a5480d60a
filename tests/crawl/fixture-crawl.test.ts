/**
 * Crawling the fixture web, one source at a time, and scoring the crawl against the web's truth:
 * coverage, robots.txt, staying on the source's host, problems reported, raw bytes kept,
 * extraction, and the clean text the normalizer makes of the crawled pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/normalize/encoding/decode-bytes.js';
import { extractArticle } from '../../src/normalize/html.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import { parseRawRecordLine } from '../../src/records/raw.js';
import type { Script } from '../../src/records/scripts.js';
import {
  type FixtureWeb,
  SITE_NAMES,
  type SiteName,
  sameText,
  scoreParagraphs,
  startFixtureWeb,
  type TruthArticle,
} from '../support/fixture-web/index.js';
import { crawlSite, type SiteCrawl } from './helpers.js';

let web: FixtureWeb;
const crawls = new Map<SiteName, SiteCrawl>();

beforeAll(async () => {
  web = await startFixtureWeb({ articlesPerSite: 16, slowMs: 6_000 });
  // One source at a time, so every request each server sees belongs to that source's crawl.
  for (const site of SITE_NAMES) crawls.set(site, await crawlSite(web, site));
}, 90_000);

afterAll(async () => {
  await web?.close();
});

const crawlOf = (site: SiteName) => crawls.get(site) as SiteCrawl;
const truthOf = (site: SiteName) => web.truth.filter((t) => t.site === site);
const recordFor = (article: TruthArticle) => crawlOf(article.site).records.find((r) => r.url === article.url);

describe.each(SITE_NAMES)('crawling %s', (site) => {
  it('finds every allowed article, once, under its final URL', () => {
    const { records } = crawlOf(site);
    const expected = truthOf(site).filter((t) => t.allowed && t.reachable);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(records.map((r) => r.url).sort()).toEqual(expected.map((t) => t.url).sort());
  });

  it('never fetches what robots.txt disallows', () => {
    const hidden = truthOf(site).filter((t) => !t.allowed);
    expect(hidden.length).toBeGreaterThan(0);
    const { requests, report } = crawlOf(site);
    const hiddenPaths = new Set(hidden.map((t) => new URL(t.url).pathname));
    expect(requests.filter((r) => hiddenPaths.has(r.path))).toEqual([]);
    for (const article of hidden)
      expect(report.skipped).toContainEqual(expect.objectContaining({ url: article.url, kind: 'robots' }));
  });

  it("never leaves the source's host", () => {
    const { requests } = crawlOf(site);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.site !== site)).toEqual([]);
  });

  it('fetches robots.txt first, and nothing twice', () => {
    const { requests } = crawlOf(site);
    expect(requests[0]?.path).toBe('/robots.txt');
    const paths = requests.map((r) => r.path);
    const twice = new Set(paths.filter((p, i) => paths.indexOf(p) !== i));
    // Only what failed is asked again: the page that answered 503 once, and the retried failures.
    const retried = new Set(
      requests.filter((r) => r.status === 503 || r.status === 500 || r.status === 0).map((r) => r.path),
    );
    expect([...twice].filter((p) => !retried.has(p))).toEqual([]);
  });

  it('retries transient failures after a backoff', () => {
    const { requests } = crawlOf(site);
    const failing = requests.filter((r) => r.status >= 500);
    const firsts = failing.filter((r, i) => failing.findIndex((f) => f.path === r.path) === i);
    expect(firsts.length).toBe(site === 'big5-portal' ? 2 : 0);
    for (const first of firsts) {
      const retry = requests.find((r) => r.path === first.path && r.at > first.at);
      expect(retry, first.path).toBeDefined();
      // 503 with Retry-After: 0 may come back at once; a 500 waits retry_backoff_secs (0.05 s).
      if (first.status === 500) expect((retry?.at ?? 0) - first.at).toBeGreaterThanOrEqual(45);
    }
  });

  it('reports each bad URL with its reason, and goes on', () => {
    const { report } = crawlOf(site);
    const problems = [...report.failed, ...report.skipped];
    for (const expected of web.problems.filter((p) => p.site === site)) {
      const found = problems.find((p) => p.url === expected.url);
      expect(found, expected.url).toBeDefined();
      expect(found?.kind, expected.url).toBe(expected.kind);
      expect(found?.reason.length).toBeGreaterThan(5);
    }
    expect(report.records).toBe(crawlOf(site).records.length);
  });

  it('writes raw records the normalizer reads, with the bytes as served', () => {
    const { records } = crawlOf(site);
    for (const record of records) {
      const raw = parseRawRecordLine(JSON.stringify(record));
      expect(raw.source).toBe(site);
      expect(raw.body?.length).toBeGreaterThan(1000);
      expect(Number.isNaN(Date.parse(record.fetched_at))).toBe(false);
    }
    const decoded = decodeBytes(Buffer.from(records[0]?.body_base64 ?? '', 'base64'));
    const charset = { 'gbk-farm': /^(gbk|gb18030)$/, 'big5-portal': /^big5/, 'ruby-blog': /^utf-8$/ }[site];
    expect(decoded.charset).toMatch(charset);
  });
});

describe.each(SITE_NAMES)('crawling %s: what the normalizer reads of it', (site) => {
  it('extracts body paragraphs with precision and recall of at least 98%', () => {
    let matched = 0;
    let found = 0;
    let expected = 0;
    for (const article of truthOf(site).filter((t) => t.allowed && t.reachable)) {
      const record = recordFor(article);
      if (!record) continue;
      const { text } = decodeBytes(Buffer.from(record.body_base64, 'base64'), {
        contentType: record.content_type,
        declared: record.charset,
      });
      const score = scoreParagraphs(extractArticle(text, { url: record.url }).paragraphs, article.served);
      matched += score.matched;
      found += score.found;
      expected += score.expected;
    }
    expect(expected).toBeGreaterThan(100);
    expect(matched / found).toBeGreaterThanOrEqual(0.98);
    expect(matched / expected).toBeGreaterThanOrEqual(0.98);
  });

  it('gets titles and times right on at least 98% of pages, and cleans as well as from dumps', () => {
    const articles = truthOf(site).filter((t) => t.allowed && t.reachable && recordFor(t));
    let titles = 0;
    let times = 0;
    let crawledClean = 0;
    let dumpClean = 0;
    let paragraphs = 0;
    for (const article of articles) {
      const record = recordFor(article);
      if (!record) continue;
      const to = article.script as Script;
      const clean = normalizeDocument(parseRawRecordLine(JSON.stringify(record)), { to });
      if (sameText(clean.title ?? '') === sameText(article.title)) titles++;
      if (clean.published_at === article.publishedAt) times++;
      const dump = normalizeDocument(
        { url: `file:///dumps/${site}/${article.seed}.txt`, text: article.dump },
        { to },
      );
      crawledClean += scoreParagraphs(clean.paragraphs, article.clean).matched;
      dumpClean += scoreParagraphs(dump.paragraphs, article.clean).matched;
      paragraphs += article.clean.length;
    }
    expect(titles / articles.length).toBeGreaterThanOrEqual(0.98);
    expect(times / articles.length).toBeGreaterThanOrEqual(0.98);
    // The crawl must not cost the normalizer anything: pages clean as well as text dumps do.
    expect(crawledClean / paragraphs).toBeGreaterThanOrEqual(dumpClean / paragraphs - 0.01);
  });
});

describe('the same article on two sites', () => {
  it('is crawled from both, Simplified from gbk-farm and Traditional from big5-portal', () => {
    const simplified = truthOf('gbk-farm').filter((t) => t.allowed && t.reachable);
    const pairs = simplified
      .map((s) => [s, truthOf('big5-portal').find((t) => t.seed === s.seed && t.reachable)] as const)
      .filter((pair): pair is readonly [TruthArticle, TruthArticle] => pair[1] !== undefined);
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    for (const [hans, tw] of pairs) {
      const a = normalizeDocument(parseRawRecordLine(JSON.stringify(recordFor(hans))), { to: 'hans' });
      const b = normalizeDocument(parseRawRecordLine(JSON.stringify(recordFor(tw))), { to: 'hans' });
      expect(a.script).toBe('hans');
      expect(a.published_at?.slice(0, 16)).toBe(b.published_at?.slice(0, 16));
      expect(scoreParagraphs(b.paragraphs, a.paragraphs).matched).toBeGreaterThanOrEqual(
        a.paragraphs.length * 0.9,
      );
    }
  });
});
