/**
 * The content farms of the fixture web: what each site is (template, charset, what its `<meta>`
 * claims, script, faults, URL layout, robots.txt) and everything it serves, generated from clean
 * articles (`generateArticle`) put through the fault injector (`injectFaults`) and rendered with
 * the page templates of `../html-templates.ts`. All text is made here; nothing is copied.
 *
 * | site | template | bytes | `<meta>` says | script | faults on the page |
 * | --- | --- | --- | --- | --- | --- |
 * | gbk-farm | farm-table | GBK | gbk (true) | Simplified | leaked pinyin as text, ASCII punctuation |
 * | big5-portal | portal | Big5 | gb2312 (a lie) | Traditional (Taiwan) | ASCII punctuation |
 * | ruby-blog | ruby-blog | UTF-8 | utf-8 (true) | Traditional | `<ruby>` readings, garbled GBK tails, half-converted |
 *
 * gbk-farm and big5-portal carry the same articles, one Simplified and one Traditional.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pinyin } from 'pinyin-pro';
import type { FailureKind } from '../../../src/crawl/errors.js';
import { generateArticle, Rng } from '../article-generator.js';
import { type FaultKind, injectFaults, type PageScript, toScript } from '../fault-injector.js';
import { escapeHtml, renderArticlePage, type TemplateName } from '../html-templates.js';
import { encodeHtml } from './encode.js';

export const SITE_NAMES = ['gbk-farm', 'big5-portal', 'ruby-blog'] as const;
export type SiteName = (typeof SITE_NAMES)[number];

export interface SiteSpec {
  name: SiteName;
  template: TemplateName;
  charset: 'gbk' | 'big5' | 'utf-8';
  metaCharset: string;
  /** The `charset` parameter of the HTTP Content-Type; none when undefined. */
  headerCharset?: string;
  script: PageScript;
  faults: FaultKind[];
  /** Sources-file globs and start paths. */
  start: string[];
  follow: string[];
  articles: string[];
  listPath: (n: number) => string;
  articlePath: (id: string) => string;
  /** Article paths robots.txt disallows. */
  hiddenPath: (id: string) => string;
  disallow: string;
  /** Which validators the server sends for pages. */
  validators: { etag: boolean; lastModified: boolean };
  /** Content-Encoding gzip when the client accepts it. */
  gzip: boolean;
}

export const SITES: Record<SiteName, SiteSpec> = {
  'gbk-farm': {
    name: 'gbk-farm',
    template: 'farm-table',
    charset: 'gbk',
    metaCharset: 'gbk',
    script: 'hans',
    faults: ['pinyin', 'ascii-punctuation'],
    start: ['/class/1.html'],
    follow: ['/class/**'],
    articles: ['/show/**'],
    listPath: (n) => `/class/${n}.html`,
    articlePath: (id) => `/show/${id}.html`,
    hiddenPath: (id) => `/show/vip/${id}.html`,
    disallow: '/show/vip/',
    validators: { etag: true, lastModified: true },
    gzip: false,
  },
  'big5-portal': {
    name: 'big5-portal',
    template: 'portal',
    charset: 'big5',
    metaCharset: 'gb2312',
    script: 'tw',
    faults: ['ascii-punctuation'],
    start: ['/list/1.html'],
    follow: ['/list/**'],
    articles: ['/a/**'],
    listPath: (n) => `/list/${n}.html`,
    articlePath: (id) => `/a/${id}.html`,
    hiddenPath: (id) => `/a/members/${id}.html`,
    disallow: '/a/members/',
    validators: { etag: false, lastModified: true },
    gzip: false,
  },
  'ruby-blog': {
    name: 'ruby-blog',
    template: 'ruby-blog',
    charset: 'utf-8',
    metaCharset: 'utf-8',
    headerCharset: 'utf-8',
    script: 'hant',
    faults: ['gbk-tail', 'half-converted'],
    start: ['/sitemap.xml'],
    follow: ['/page/**'],
    articles: ['/post/**'],
    listPath: (n) => `/page/${n}.html`,
    articlePath: (id) => `/post/${id}.html`,
    hiddenPath: (id) => `/post/draft/${id}.html`,
    disallow: '/post/draft/',
    validators: { etag: false, lastModified: false },
    gzip: true,
  },
};

/** An article as one site serves it, and what a crawl and the normalizer should make of it. */
export interface TruthArticle {
  site: SiteName;
  /** Where the page is (after redirects). */
  url: string;
  /** Where the site links it, when that is a redirect to `url`. */
  linkedAs?: string;
  /** False when robots.txt disallows it: a crawl must neither fetch nor record it. */
  allowed: boolean;
  /** False when the page never answers with the article (always 500, too slow). */
  reachable: boolean;
  seed: number;
  script: PageScript;
  /** In the page's script, as shown. */
  title: string;
  category: string;
  /** ISO 8601 of the time the page shows (a page without seconds means :00). */
  publishedAt: string;
  /** Body paragraphs and headings exactly as the page shows them (faults included). */
  served: string[];
  /** The clean body in the page's script (the injector's truth). */
  clean: string[];
  /** The clean body, Simplified. */
  hans: string[];
  /** The same faulty body as a text dump: what the normalizer does on dumps is the baseline. */
  dump: string;
}

/** A URL a crawl must report, and the kind of problem. */
export interface ExpectedProblem {
  site: SiteName;
  url: string;
  kind: FailureKind;
}

export type PageBehaviour =
  | {
      type: 'page';
      contentType: string;
      body: Buffer;
      gzipped?: Buffer;
      etag?: string;
      lastModified?: string;
      /** Answer only after this long. */
      delayMs?: number;
      /** Answer the first N requests with 503. */
      failFirst?: number;
      /** Always answer with this status. */
      alwaysStatus?: number;
      hits: number;
      /** For `touch`: re-renders the page with a new version. */
      rerender?: (version: number) => Buffer;
      version: number;
    }
  | { type: 'redirect'; status: number; location: string }
  | { type: 'huge'; bytes: number; chunked: boolean };

export interface BuiltSite {
  spec: SiteSpec;
  origin: string;
  pages: Map<string, PageBehaviour>;
  notFound: Buffer;
}

export interface BuildOptions {
  articlesPerSite: number;
  perPage: number;
  /** Put each site's text faults into its articles (off: clean text, same markup). */
  textFaults: boolean;
  /** Serve the 404/500/slow/redirect/oversized/non-HTML pages and the robots-disallowed articles. */
  brokenPages: boolean;
  slowMs: number;
  crawlDelaySecs?: number;
  seed: number;
  /**
   * Words gbk-farm's filter deletes on every page, leaving a space (FAULTS.md §3), so a profile
   * can be learned and the words restored; none by default.
   */
  filteredWords?: readonly string[];
  /** Give ruby-blog's first article a paragraph of markup as text (`<script>` and friends). */
  hostileText?: boolean;
}

/** What `hostileText` adds: markup a page shows as text, which the dashboard must never run. */
export const HOSTILE_PARAGRAPH =
  '有读者留言：<script>window.__finfaqInjected = true</script><img src=x onerror="window.__finfaqInjected = true">请问这是什么意思？';

const HTML = 'text/html';
const CHINA_DATE = (time: string) => new Date(`${time.replace(' ', 'T')}+08:00`);

function contentType(spec: SiteSpec): string {
  return spec.headerCharset ? `${HTML}; charset=${spec.headerCharset}` : HTML;
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
}

/** The ISO time a template shows for `time` (`YYYY-MM-DD HH:MM:SS`, China time). */
function shownIso(time: string, template: TemplateName): string {
  const [date, clock = ''] = time.split(' ');
  const seconds = template === 'farm-table' ? '00' : clock.slice(6, 8);
  return `${date}T${clock.slice(0, 5)}:${seconds}+08:00`;
}

interface Rendered {
  truth: TruthArticle;
  render: (version: number) => Buffer;
}

/** The characters a ruby site annotates: a fixed, seeded set of common Han characters. */
function rubyReadings(texts: string[], rng: Rng): Map<string, string> {
  const counts = new Map<string, number>();
  for (const text of texts)
    for (const ch of text) if (/\p{Script=Han}/u.test(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 60);
  const readings = new Map<string, string>();
  for (const [ch] of rng.shuffle(common).slice(0, 12)) {
    const reading = pinyin(ch, { toneType: 'symbol' });
    if (reading && /[^\x20-\x7e]/.test(reading)) readings.set(ch, reading);
  }
  return readings;
}

function renderArticle(
  spec: SiteSpec,
  seed: number,
  url: string,
  related: string[],
  rng: Rng,
  faults: boolean,
  extra: { filteredWords?: readonly string[]; hostile?: boolean } = {},
): Rendered {
  const article = generateArticle(seed);
  // The site's filter works on its own text, before its pages get their faults: a word it deletes
  // is gone even where the page would have annotated or half-converted it.
  const filter = (line: string) =>
    (extra.filteredWords ?? []).reduce((text, word) => text.replaceAll(word, ' '), line);
  const filtered = { ...article, paragraphs: article.paragraphs.map(filter) };
  const faulty = injectFaults(filtered, {
    seed: seed * 31 + SITE_NAMES.indexOf(spec.name),
    faults: faults ? spec.faults : [],
    script: spec.script,
    format: 'text',
  });
  let served = faulty.text.split(/\n+/).map((line) => line.trim());
  if (served.length !== article.paragraphs.length)
    throw new Error(
      `${spec.name} ${seed}: ${served.length} served lines for ${article.paragraphs.length} paragraphs`,
    );
  if (extra.hostile) served = [...served, HOSTILE_PARAGRAPH];
  const title = toScript(article.title, spec.script);
  const category = toScript(article.category, spec.script);
  const headingIndexes = article.kinds.flatMap((kind, i) => (kind === 'paragraph' ? [] : [i]));
  const readings = spec.template === 'ruby-blog' ? rubyReadings([title, ...served], rng) : undefined;
  const render = (version: number) => {
    const paragraphs =
      version === 0 ? served : [...served, toScript(`（本文已于第${version}次修订时更新。）`, spec.script)];
    const html = renderArticlePage(
      { title, category, publishedAt: article.time, paragraphs, headingIndexes },
      spec.template,
      { charsetMeta: spec.metaCharset, relatedTitles: related, rubyReadings: readings },
    );
    return encodeHtml(html, spec.charset);
  };
  return {
    truth: {
      site: spec.name,
      url,
      allowed: true,
      reachable: true,
      seed,
      script: spec.script,
      title,
      category,
      publishedAt: shownIso(article.time, spec.template),
      served,
      clean: faulty.truth.paragraphs,
      hans: article.paragraphs,
      dump: faulty.text,
    },
    render,
  };
}

interface ListItem {
  href: string;
  title: string;
}

function listPage(spec: SiteSpec, n: number, pages: number, items: ListItem[], extra: ListItem[]): string {
  const title = spec.script === 'hans' ? '理财问答' : '理財問答';
  const links = [...items, ...(n === 1 ? extra : [])]
    .map((item) => `<li><a href="${escapeHtml(item.href)}">${escapeHtml(item.title)}</a></li>`)
    .join('\n');
  const pager: string[] = [];
  if (n > 1) pager.push(`<a href="${spec.listPath(n - 1)}">上一页</a>`);
  for (let k = 1; k <= pages; k++)
    pager.push(k === n ? `<b>${k}</b>` : `<a href="${spec.listPath(k)}">${k}</a>`);
  if (n < pages) pager.push(`<a href="${spec.listPath(n + 1)}">下一页</a>`);
  const next = n < pages ? `<link rel="next" href="${spec.listPath(n + 1)}">` : '';
  return `<!DOCTYPE html>
<html><head><meta charset="${spec.metaCharset}"><title>${title}_第${n}页</title>${next}</head>
<body>
<div class="nav"><a href="/">首页</a> <a href="${spec.listPath(1)}">${title}</a> <a href="javascript:void(0)">收藏</a> <a href="mailto:editor@example.com">投稿</a></div>
<ul class="list">
${links}
</ul>
<div class="pages">${pager.join(' ')}</div>
<div class="footer">Copyright © 2024 <a href="http://www.example.com/about">关于我们</a></div>
</body></html>
`;
}

function homePage(spec: SiteSpec): string {
  return `<!DOCTYPE html>
<html><head><meta charset="${spec.metaCharset}"><title>首页</title></head>
<body><h1>欢迎光临</h1><p><a href="${spec.listPath(1)}">最新文章</a></p></body></html>
`;
}

function robotsTxt(spec: SiteSpec, origin: string, crawlDelaySecs: number | undefined): string {
  const lines = [
    '# robots.txt',
    'User-agent: EvilScraper',
    'Disallow: /',
    '',
    'User-agent: *',
    `Disallow: ${spec.disallow}`,
  ];
  if (crawlDelaySecs !== undefined) lines.push(`Crawl-delay: ${crawlDelaySecs}`);
  if (spec.start[0]?.endsWith('.xml')) lines.push('', `Sitemap: ${origin}/sitemap.xml`);
  return `${lines.join('\n')}\n`;
}

function urlset(urls: { loc: string; lastmod: string }[]): string {
  const entries = urls.map(
    (u) => `  <url><loc>${escapeHtml(u.loc)}</loc><lastmod>${u.lastmod}</lastmod></url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</urlset>\n`;
}

function sitemapIndex(locs: string[]): string {
  const entries = locs.map((loc) => `  <sitemap><loc>${escapeHtml(loc)}</loc></sitemap>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</sitemapindex>\n`;
}

function page(spec: SiteSpec, body: Buffer, extra: Partial<Extract<PageBehaviour, { type: 'page' }>> = {}) {
  const entry: Extract<PageBehaviour, { type: 'page' }> = {
    type: 'page',
    contentType: contentType(spec),
    body,
    hits: 0,
    version: 0,
    ...extra,
  };
  return entry;
}

/** Validators and compressed form of a page's current body. */
export function refreshPage(
  spec: SiteSpec,
  entry: Extract<PageBehaviour, { type: 'page' }>,
  modified: Date,
): void {
  if (spec.validators.etag) entry.etag = etagOf(entry.body);
  if (spec.validators.lastModified) entry.lastModified = modified.toUTCString();
  entry.gzipped = spec.gzip ? gzipSync(entry.body) : undefined;
}

/**
 * Every page of the three sites for the given origins, and the truth: which articles exist where,
 * and which URLs a crawl must report as problems.
 */
export function buildSites(
  origins: Record<SiteName, string>,
  options: BuildOptions,
): { sites: Record<SiteName, BuiltSite>; truth: TruthArticle[]; problems: ExpectedProblem[] } {
  const truth: TruthArticle[] = [];
  const problems: ExpectedProblem[] = [];
  const sites = {} as Record<SiteName, BuiltSite>;
  const n = options.articlesPerSite;
  const hiddenCount = options.brokenPages ? 2 : 0;
  // gbk-farm and big5-portal share seeds; ruby-blog has its own.
  const seedsOf = (name: SiteName) => {
    const base = options.seed * 10_000 + (name === 'ruby-blog' ? 5_000 : 0);
    return Array.from({ length: n + hiddenCount }, (_, i) => base + i + 1);
  };

  for (const name of SITE_NAMES) {
    const spec = SITES[name];
    const origin = origins[name];
    const rng = new Rng(options.seed ^ ((SITE_NAMES.indexOf(name) + 1) * 0x5bd1e995));
    const pages = new Map<string, PageBehaviour>();
    const seeds = seedsOf(name);
    const ids = seeds.map((s) => String(s));
    const titles = seeds.map((s) => toScript(generateArticle(s).title, spec.script));
    const listed: ListItem[] = [];
    const extra: ListItem[] = [];

    seeds.forEach((seed, i) => {
      const id = ids[i] as string;
      const hidden = i >= n;
      const path = hidden ? spec.hiddenPath(id) : spec.articlePath(id);
      const related = [1, 2, 3, 4].map((k) => titles[(i + k) % titles.length] as string);
      const { truth: article, render } = renderArticle(
        spec,
        seed,
        origin + path,
        related,
        rng,
        options.textFaults,
        {
          filteredWords: name === 'gbk-farm' ? options.filteredWords : undefined,
          hostile: options.hostileText === true && name === 'ruby-blog' && i === 0,
        },
      );
      article.allowed = !hidden;
      const modified = CHINA_DATE(generateArticle(seed).time);
      const entry = page(spec, render(0), { rerender: render });
      refreshPage(spec, entry, modified);
      pages.set(path, entry);
      truth.push(article);
      listed.push({ href: path, title: titles[i] as string });
    });

    if (options.brokenPages)
      addBrokenPages({
        name,
        spec,
        origin,
        origins,
        pages,
        ids,
        n,
        truth,
        problems,
        listed,
        extra,
        seedsOf,
        slowMs: options.slowMs,
      });
    addIndexPages({ name, spec, origin, pages, listed, extra, options });
    const notFound = encodeHtml(
      `<!DOCTYPE html><html><head><meta charset="${spec.metaCharset}"><title>404</title></head><body><h1>页面不存在</h1></body></html>`,
      spec.charset,
    );
    sites[name] = { spec, origin, pages, notFound };
  }
  return { sites, truth, problems };
}

/** One site's pages being built, as the steps of `buildSites` share them. */
interface SiteBuild {
  name: SiteName;
  spec: SiteSpec;
  origin: string;
  pages: Map<string, PageBehaviour>;
  /** The articles the list pages link to, and the other links they carry. */
  listed: ListItem[];
  extra: ListItem[];
}

/** The broken and odd pages (404, 500, 503 once, slow, redirects, huge, PDF, off-site links). */
function addBrokenPages(
  site: SiteBuild & {
    origins: Record<SiteName, string>;
    ids: string[];
    n: number;
    truth: TruthArticle[];
    problems: ExpectedProblem[];
    seedsOf: (name: SiteName) => number[];
    slowMs: number;
  },
): void {
  const { name, spec, origin, origins, pages, ids, n, truth, problems, listed, extra, seedsOf, slowMs } =
    site;
  /** The k-th article of this site: its id, page and truth. */
  const nth = (k: number) => {
    const id = ids[k] as string;
    const entry = pages.get(spec.articlePath(id)) as Extract<PageBehaviour, { type: 'page' }>;
    const article = truth.find((t) => t.url === origin + spec.articlePath(id)) as TruthArticle;
    return { id, entry, article };
  };
  extra.push({ href: spec.articlePath('9999999'), title: '已删除的文章' });
  problems.push({ site: name, url: origin + spec.articlePath('9999999'), kind: 'http-status' });
  if (name === 'gbk-farm') {
    const other =
      origins['big5-portal'] + SITES['big5-portal'].articlePath(String(seedsOf('big5-portal')[0]));
    extra.push(
      { href: other, title: '友情链接' },
      { href: 'http://www.example.com/show/1.html', title: '外部链接' },
    );
  }
  if (name === 'big5-portal') {
    // Always 500: never reachable.
    const broken = nth(0);
    broken.entry.alwaysStatus = 500;
    broken.article.reachable = false;
    problems.push({ site: name, url: broken.article.url, kind: 'http-status' });
    // 503 once, then fine: found after a retry.
    nth(1).entry.failFirst = 1;
    // Slow, but within any sane timeout.
    nth(2).entry.delayMs = 300;
    // Slower than the crawl's timeout: reported.
    const slow = nth(3);
    slow.entry.delayMs = slowMs;
    slow.article.reachable = false;
    problems.push({ site: name, url: slow.article.url, kind: 'timeout' });
    // Linked only through a redirect, and through a chain of two.
    for (const [k, hops] of [
      [4, 1],
      [5, 2],
    ] as const) {
      const target = nth(k);
      const old = `/a/old-${target.id}.html`;
      pages.set(old, { type: 'redirect', status: 301, location: spec.articlePath(target.id) });
      let linked = old;
      if (hops === 2) {
        linked = `/a/older-${target.id}.html`;
        pages.set(linked, { type: 'redirect', status: 302, location: origin + old });
      }
      target.article.linkedAs = origin + linked;
      const index = listed.findIndex((l) => l.href === spec.articlePath(target.id));
      if (index >= 0) (listed[index] as ListItem).href = linked;
    }
    const offsite = origins['gbk-farm'] + SITES['gbk-farm'].articlePath(String(seedsOf('gbk-farm')[1]));
    pages.set('/a/away.html', { type: 'redirect', status: 302, location: offsite });
    pages.set('/a/gone.html', { type: 'redirect', status: 301, location: '/' });
    pages.set('/a/sneaky.html', {
      type: 'redirect',
      status: 302,
      location: spec.hiddenPath(ids[n] as string),
    });
    pages.set('/a/huge.html', { type: 'huge', bytes: 3 * 1024 * 1024, chunked: false });
    pages.set('/a/huge-stream.html', { type: 'huge', bytes: 3 * 1024 * 1024, chunked: true });
    pages.set(
      '/a/report.pdf',
      page(spec, Buffer.from('%PDF-1.4\n% fixture\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'), {
        contentType: 'application/pdf',
      }),
    );
    for (const [path, kind] of [
      ['/a/away.html', 'off-site'],
      ['/a/gone.html', 'redirect'],
      ['/a/sneaky.html', 'robots'],
      ['/a/huge.html', 'too-large'],
      ['/a/huge-stream.html', 'too-large'],
      ['/a/report.pdf', 'not-html'],
    ] as const) {
      extra.push({ href: path, title: '特别推荐' });
      problems.push({ site: name, url: origin + path, kind });
    }
  }
}

/** List pages, sitemaps, the home page and robots.txt. */
function addIndexPages(site: SiteBuild & { options: BuildOptions }): void {
  const { name, spec, origin, pages, listed, extra, options } = site;
  // List pages: the hidden (robots-disallowed) articles are listed like the others.
  const listPages = Math.max(1, Math.ceil(listed.length / options.perPage));
  for (let k = 1; k <= listPages; k++) {
    const items = listed.slice((k - 1) * options.perPage, k * options.perPage);
    pages.set(
      spec.listPath(k),
      page(spec, encodeHtml(listPage(spec, k, listPages, items, extra), spec.charset)),
    );
  }

  // Sitemaps: an index of two urlsets, the second one gzipped.
  // Sitemaps list every post, the robots-disallowed drafts and a deleted one too.
  const entries = [...pages.entries()]
    .filter(([path, p]) => p.type === 'page' && /^\/post\//.test(path))
    .map(([path]) => path);
  if (options.brokenPages) entries.push(spec.articlePath('9999999'));
  if (spec.start[0] === '/sitemap.xml') {
    const half = Math.ceil(entries.length / 2);
    const lastmod = '2024-11-01';
    const xml = (part: string[]) => Buffer.from(urlset(part.map((p) => ({ loc: origin + p, lastmod }))));
    pages.set(
      '/sitemaps/posts-1.xml',
      page(spec, xml(entries.slice(0, half)), { contentType: 'application/xml' }),
    );
    pages.set(
      '/sitemaps/posts-2.xml.gz',
      page(spec, gzipSync(xml(entries.slice(half))), { contentType: 'application/gzip' }),
    );
    pages.set(
      '/sitemap.xml',
      page(
        spec,
        Buffer.from(sitemapIndex([`${origin}/sitemaps/posts-1.xml`, `${origin}/sitemaps/posts-2.xml.gz`])),
        {
          contentType: 'application/xml',
        },
      ),
    );
  }
  pages.set('/', page(spec, encodeHtml(homePage(spec), spec.charset)));
  pages.set(
    '/robots.txt',
    page(
      spec,
      Buffer.from(robotsTxt(spec, origin, name === 'ruby-blog' ? options.crawlDelaySecs : undefined)),
      {
        contentType: 'text/plain',
      },
    ),
  );
}
