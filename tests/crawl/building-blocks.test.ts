/**
 * The crawl's building blocks on their own: address checks, robots.txt semantics, politeness
 * slots, link discovery, sitemaps, scope and globs.
 */
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { addressRange, checkHost, isAllowedAddress } from '../../src/crawl/address-guard.js';
import { describeFailure } from '../../src/crawl/errors.js';
import { retryAfterMs } from '../../src/crawl/http-client.js';
import { discoverLinks } from '../../src/crawl/links.js';
import { HostPacer } from '../../src/crawl/politeness.js';
import { productToken, RobotsCache, robotsPolicy } from '../../src/crawl/robots.js';
import { SourceScope } from '../../src/crawl/scope.js';
import { looksLikeSitemap, parseSitemap } from '../../src/crawl/sitemaps.js';

describe('address guard', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.1.1.1', 'private'],
    ['8.8.8.8', 'unicast'],
    ['2400:3200::1', 'unicast'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isAllowedAddress(address, false)).toBe(range === 'unicast');
    expect(isAllowedAddress(address, true)).toBe(true);
  });

  it('never allows multicast or garbage', () => {
    expect(isAllowedAddress('224.0.0.1', true)).toBe(false);
    expect(isAllowedAddress('not-an-ip', true)).toBe(false);
  });

  it('refuses names that resolve to private addresses unless allowed', async () => {
    const error = await checkHost('localhost', false).catch((e: unknown) => e);
    expect(describeFailure(error)).toMatchObject({ kind: 'private-address', retryable: false });
    expect(describeFailure(error).reason).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    await expect(checkHost('localhost', true)).resolves.toBeUndefined();
    await expect(checkHost('[::1]', false)).rejects.toThrow(/loopback/);
  });
});

describe('robots.txt', () => {
  const url = 'https://farm.example/robots.txt';
  const text = [
    'User-agent: finfaq-crawler',
    'Disallow: /private/',
    'Crawl-delay: 2',
    '',
    'User-agent: *',
    'Disallow: /',
    'Sitemap: https://farm.example/sitemap.xml',
  ].join('\n');
  const ua = 'finfaq-crawler/0.1 (+contact)';

  it('applies the group of our product token, its Crawl-delay and sitemaps', () => {
    expect(productToken(ua)).toBe('finfaq-crawler');
    const policy = robotsPolicy(url, ua, { response: { status: 200, body: Buffer.from(text) } });
    expect(policy.available).toBe(true);
    expect(policy.isAllowed('https://farm.example/list/1.html')).toBe(true);
    expect(policy.isAllowed('https://farm.example/private/a.html')).toBe(false);
    expect(policy.crawlDelaySecs).toBe(2);
    expect(policy.sitemaps).toEqual(['https://farm.example/sitemap.xml']);
    const other = robotsPolicy(url, 'SomeBot/1.0', { response: { status: 200, body: Buffer.from(text) } });
    expect(other.isAllowed('https://farm.example/list/1.html')).toBe(false);
  });

  it('follows RFC 9309 on missing and unavailable files', () => {
    const missing = robotsPolicy(url, ua, { response: { status: 404, body: Buffer.alloc(0) } });
    expect(missing).toMatchObject({ available: true, basis: 'no robots.txt (HTTP 404)' });
    expect(missing.isAllowed('https://farm.example/anything')).toBe(true);
    for (const status of [429, 500, 503]) {
      const down = robotsPolicy(url, ua, { response: { status, body: Buffer.alloc(0) } });
      expect(down).toMatchObject({ available: false, unavailableKind: 'robots' });
      expect(down.isAllowed('https://farm.example/')).toBe(false);
    }
    const unreachable = robotsPolicy(url, ua, { failure: 'connection refused', kind: 'network' });
    expect(unreachable).toMatchObject({ available: false, unavailableKind: 'network' });
  });

  it('fetches each origin once, however many ask at the same time', async () => {
    let fetches = 0;
    const cache = new RobotsCache(ua, async () => {
      fetches++;
      return { status: 200, body: Buffer.from(text) };
    });
    const policies = await Promise.all(
      ['https://farm.example/a', 'https://farm.example/b', 'https://farm.example/c?x=1'].map((u) =>
        cache.policyFor(u),
      ),
    );
    expect(fetches).toBe(1);
    expect(new Set(policies).size).toBe(1);
  });
});

describe('politeness', () => {
  it('spaces requests to one host, measured from when each was let through', async () => {
    const pacer = new HostPacer(40);
    const started = performance.now();
    const granted: Record<string, number[]> = { a: [], b: [] };
    await Promise.all(
      ['a', 'a', 'b', 'a', 'b'].map((host) =>
        pacer.acquire(host).then(() => granted[host]?.push(performance.now() - started)),
      ),
    );
    for (const times of Object.values(granted))
      for (let i = 1; i < times.length; i++)
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(39);
    // Hosts do not wait for each other: b's first slot is immediate.
    expect(granted.b?.[0]).toBeLessThan(30);
    expect(pacer.queued('a')).toBe(0);
  });

  it('takes a Crawl-delay from the next slot on, and lets an aborted wait go', async () => {
    const pacer = new HostPacer(10);
    pacer.setMinInterval('slow', 60);
    expect(pacer.intervalOf('slow')).toBe(60);
    expect(pacer.intervalOf('fast')).toBe(10);
    await pacer.acquire('slow');
    const controller = new AbortController();
    const aborted = pacer.acquire('slow', controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const before = performance.now();
    await pacer.acquire('slow');
    // One interval (60 ms) after the first grant; had the aborted wait taken the slot, two (120
    // ms). The bound sits between them so that a loaded machine's timer lag does not decide.
    expect(performance.now() - before).toBeLessThan(95);
  });

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('link discovery', () => {
  it('resolves links against <base> and the page, dropping fragments and non-http(s)', () => {
    const html = `<html><head><base href="/list/"><link rel="next" href="3.html"></head><body>
      <a href="2.html#top">下一页</a> <a href='../show/9.html'>文章</a> <a href="#">top</a>
      <a href="javascript:void(0)">x</a> <a href="mailto:a@b.cn">m</a> <a href="https://other.example/p?a=1&amp;b=2">o</a>
      <area href="/map.html"><a>no href</a><a href="2.html">again</a></body></html>`;
    expect(discoverLinks(Buffer.from(html), 'https://farm.example/list/1.html')).toEqual([
      'https://farm.example/list/3.html',
      'https://farm.example/list/2.html',
      'https://farm.example/show/9.html',
      'https://other.example/p?a=1&b=2',
      'https://farm.example/map.html',
    ]);
  });

  it('follows a meta refresh', () => {
    const html = '<meta http-equiv="Refresh" content="0; URL=/show/1.html">';
    expect(discoverLinks(Buffer.from(html), 'http://a.example/old.html')).toEqual([
      'http://a.example/show/1.html',
    ]);
  });

  it('reads non-ASCII hrefs in the page charset, whatever the page claims', () => {
    const html =
      '<meta charset="utf-8"><a href="/标签/贷款.html">贷款</a><p>这是一个关于贷款和信用卡的问题。</p>';
    const gbk = iconv.encode(html, 'gbk');
    const [link] = discoverLinks(gbk, 'http://a.example/');
    expect(decodeURI(link as string)).toBe('http://a.example/标签/贷款.html');
  });
});

describe('sitemaps', () => {
  const index = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://a.example/s1.xml</loc></sitemap>
  <sitemap><loc> https://a.example/s2.xml.gz </loc><lastmod>2024-01-01</lastmod></sitemap>
</sitemapindex>`;
  const urlset = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://a.example/p/1.html?a=1&amp;b=2</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>https://a.example/p/2.html</loc></url></urlset>`;

  it('reads sitemap indexes and urlsets, plain or gzipped', () => {
    expect(parseSitemap(Buffer.from(index))).toEqual({
      sitemaps: ['https://a.example/s1.xml', 'https://a.example/s2.xml.gz'],
      pages: [],
    });
    const expected = {
      sitemaps: [],
      pages: ['https://a.example/p/1.html?a=1&b=2', 'https://a.example/p/2.html'],
    };
    expect(parseSitemap(Buffer.from(urlset))).toEqual(expected);
    expect(parseSitemap(gzipSync(urlset))).toEqual(expected);
  });

  it('tells sitemaps from pages', () => {
    expect(looksLikeSitemap(Buffer.from(index), 'application/xml')).toBe(true);
    expect(looksLikeSitemap(Buffer.from(urlset), 'text/html')).toBe(true);
    expect(looksLikeSitemap(gzipSync(urlset), 'application/octet-stream')).toBe(true);
    expect(looksLikeSitemap(Buffer.from('<html><body>x</body></html>'), 'text/html')).toBe(false);
  });
});

describe('scope', () => {
  const scope = new SourceScope({
    start_urls: ['https://farm.example/list/1.html', 'https://m.farm.example:8443/'],
    follow: ['/list/**'],
    articles: ['/show/**', '/标签/*.html', 'https://m.farm.example:8443/a/*.html?id=*'],
  });

  it("keeps to the start URLs' hosts, ports included", () => {
    expect([...scope.hosts]).toEqual(['farm.example', 'm.farm.example:8443']);
    expect(scope.contains(new URL('https://farm.example/anything'))).toBe(true);
    expect(scope.contains(new URL('https://farm.example:444/anything'))).toBe(false);
    expect(scope.contains(new URL('https://www.farm.example/show/1.html'))).toBe(false);
    expect(scope.roleOf(new URL('https://evil.example/show/1.html'))).toBeUndefined();
  });

  it('gives each URL its role by glob', () => {
    expect(scope.roleOf(new URL('https://farm.example/show/2024/1.html'))).toBe('article');
    expect(scope.roleOf(new URL('https://farm.example/list/2.html'))).toBe('follow');
    expect(scope.roleOf(new URL('https://farm.example/about.html'))).toBeUndefined();
    expect(scope.roleOf(new URL('https://farm.example/%E6%A0%87%E7%AD%BE/x.html'))).toBe('article');
    expect(scope.roleOf(new URL('https://m.farm.example:8443/a/1.html?id=7'))).toBe('article');
    expect(scope.roleOf(new URL('https://m.farm.example:8443/a/1.html'))).toBeUndefined();
  });
});
