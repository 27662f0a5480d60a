/**
 * `npm run bench:crawl`: pages per second crawling the fixture web (three generated content farms
 * in GBK, Big5 and UTF-8, at least 2,000 pages) with finfaq's crawl, beside a bare CheerioCrawler
 * that only fetches the same HTML pages, in the same run, against the same servers.
 *
 * finfaq's crawl does everything a real crawl does: robots.txt, sitemaps, link discovery with
 * scope and glob checks, politeness slots (per_minute set out of the way), raw bytes kept, hashes
 * and raw records written to a JSON Lines file. finfaq crawls its three sources at once, each with
 * `--concurrency` requests in flight; the bare crawler gets as many in flight in total.
 *
 *   npm run bench:crawl -- [--articles N] [--concurrency N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheerioCrawler, Configuration, Log, LogLevel } from '@crawlee/cheerio';
import { MemoryStorage } from '@crawlee/memory-storage';
import { parseSourcesConfig } from '../src/config/sources.js';
import { crawlSources, JsonlWriter } from '../src/crawl/index.js';
import { startFixtureWeb } from '../tests/support/fixture-web/index.js';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const ARTICLES_PER_SITE = argument('articles', 680);
const CONCURRENCY = argument('concurrency', 16);

const inMemory = () =>
  new Configuration({ persistStorage: false, storageClient: new MemoryStorage({ persistStorage: false }) });

async function bareCrawl(
  urls: string[],
  concurrency: number,
): Promise<{ pages: number; ms: number; failed: number }> {
  let pages = 0;
  let failed = 0;
  const crawler = new CheerioCrawler(
    {
      log: new Log({ level: LogLevel.OFF }),
      maxConcurrency: concurrency,
      autoscaledPoolOptions: { desiredConcurrency: concurrency },
      maxRequestRetries: 0,
      requestHandler: async () => {
        pages++;
      },
      failedRequestHandler: async () => {
        failed++;
      },
    },
    inMemory(),
  );
  const started = performance.now();
  await crawler.run(urls);
  return { pages, ms: performance.now() - started, failed };
}

async function main(): Promise<void> {
  let t = performance.now();
  const web = await startFixtureWeb({
    articlesPerSite: ARTICLES_PER_SITE,
    perPage: 20,
    brokenPages: false,
    seed: 42,
  });
  const buildMs = performance.now() - t;
  const dir = await mkdtemp(join(tmpdir(), 'finfaq-bench-'));
  try {
    const config = parseSourcesConfig(
      web.sourcesConfig({
        crawl: { concurrency: CONCURRENCY, timeout_secs: 30 },
        source: { per_minute: 1_000_000, max_pages: 100_000 },
      }),
    );

    // Warm-up: module loading (got-scraping, the language model) and JIT, for both crawlers.
    const warmUrls = web.truth.slice(0, 30).map((a) => a.url);
    await bareCrawl(warmUrls, CONCURRENCY);
    const warm = parseSourcesConfig(
      web.sourcesConfig({ sites: ['gbk-farm'], source: { per_minute: 1_000_000, max_pages: 30 } }),
    );
    await crawlSources(warm, { onRecord: () => {} });
    web.clearLog();

    // finfaq's crawl, writing raw records.
    const writer = await JsonlWriter.open(join(dir, 'raw.jsonl'));
    t = performance.now();
    const reports = await crawlSources(config, { onRecord: (record) => writer.write(record) });
    await writer.commit();
    const oursMs = performance.now() - t;
    const htmlPaths = web.requests.filter((r) => r.status === 200 && /\.html$/.test(r.path));
    const fetched = htmlPaths.map((r) => web.site(r.site).origin + r.path);
    const failures = reports.reduce((n, r) => n + r.failed.length, 0);
    const records = reports.reduce((n, r) => n + r.records, 0);

    // The bare crawler, on exactly the HTML pages finfaq's crawl fetched, with as many requests in
    // flight as finfaq's three source crawls together.
    web.clearLog();
    const bare = await bareCrawl(fetched, CONCURRENCY * config.sources.length);

    const ours = fetched.length / (oursMs / 1000);
    const theirs = bare.pages / (bare.ms / 1000);
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(
      `fixture web: ${web.truth.length} articles on 3 sites, built in ${(buildMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `concurrency: ${CONCURRENCY} per source (finfaq), ${CONCURRENCY * config.sources.length} (bare, one crawler)\n`,
    );
    console.log(`${pad('crawler', 34)}${pad('pages', 8)}${pad('seconds', 10)}pages/s`);
    console.log(
      `${pad('finfaq crawl (3 sources)', 34)}${pad(String(fetched.length), 8)}${pad((oursMs / 1000).toFixed(2), 10)}${ours.toFixed(0)}`,
    );
    console.log(
      `${pad('bare CheerioCrawler', 34)}${pad(String(bare.pages), 8)}${pad((bare.ms / 1000).toFixed(2), 10)}${theirs.toFixed(0)}`,
    );
    console.log(`\nratio finfaq / bare: ${(ours / theirs).toFixed(2)} (aim: >= 0.80)`);
    console.log(`records written: ${records}, pages failed: ${failures} (finfaq), ${bare.failed} (bare)`);
    if (fetched.length < 2000)
      console.log(`warning: only ${fetched.length} pages; use --articles to crawl more`);
  } finally {
    await web.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
