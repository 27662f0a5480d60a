/**
 * The fixture web: one real `node:http` server per site, each on its own port of 127.0.0.1, so a
 * crawl that must stay on its source's host (host and port) can be checked by which server saw
 * which request. Every request is logged with its arrival time, which is how tests measure
 * politeness; pages support conditional GET (ETag, Last-Modified) and can be changed (`touch`)
 * between crawls.
 *
 * @example
 * const web = await startFixtureWeb({ articlesPerSite: 12 });
 * web.site('gbk-farm').origin   // → 'http://127.0.0.1:40123'
 * web.truth                     // which articles exist, and their clean text
 * await web.close();
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BuildOptions,
  type BuiltSite,
  buildSites,
  type ExpectedProblem,
  type PageBehaviour,
  refreshPage,
  SITE_NAMES,
  SITES,
  type SiteName,
  type SiteSpec,
  type TruthArticle,
} from './sites.js';

export interface LoggedRequest {
  site: SiteName;
  method: string;
  /** Path and query. */
  path: string;
  /** `performance.now()` at arrival, in milliseconds. */
  at: number;
  status: number;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  userAgent?: string;
}

export interface FixtureSite {
  name: SiteName;
  spec: SiteSpec;
  origin: string;
  /** Absolute start URLs for the sources file. */
  startUrls: string[];
}

export interface FixtureWebOptions extends Partial<BuildOptions> {}

export interface FixtureWeb {
  sites: FixtureSite[];
  site(name: SiteName): FixtureSite;
  /** Every article of every site (allowed or not, reachable or not). */
  truth: TruthArticle[];
  /** URLs a crawl must report, with the kind of problem. */
  problems: ExpectedProblem[];
  /** Requests in arrival order. */
  requests: LoggedRequest[];
  clearLog(): void;
  /** Changes an article page: new body, new validators. */
  touch(url: string): void;
  /** A sources file (as data) crawling the given sites of this web. */
  sourcesConfig(options?: SourcesConfigOptions): Record<string, unknown>;
  close(): Promise<void>;
}

export interface SourcesConfigOptions {
  sites?: readonly SiteName[];
  crawl?: Record<string, unknown>;
  /** Extra keys for every source (`per_minute`, `charset`, ...). */
  source?: Record<string, unknown>;
  /** Extra keys per site. */
  perSite?: Partial<Record<SiteName, Record<string, unknown>>>;
}

const DEFAULTS: BuildOptions = {
  articlesPerSite: 16,
  perPage: 8,
  textFaults: true,
  brokenPages: true,
  slowMs: 8_000,
  crawlDelaySecs: undefined,
  seed: 1,
};

type Page = Extract<PageBehaviour, { type: 'page' }>;

function notModified(req: http.IncomingMessage, entry: Page): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return entry.etag !== undefined && inm.split(/\s*,\s*/).includes(entry.etag);
  const ims = req.headers['if-modified-since'];
  if (ims === undefined || entry.lastModified === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(entry.lastModified) <= since;
}

type Send = (status: number, headers: http.OutgoingHttpHeaders, body?: Buffer) => void;

/** Streams a page of `bytes` bytes, stopping when the client goes away. */
function sendHuge(res: http.ServerResponse, page: Extract<PageBehaviour, { type: 'huge' }>): void {
  const chunk = Buffer.alloc(64 * 1024, '<p>大</p>');
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html; charset=utf-8' };
  if (!page.chunked) headers['content-length'] = page.bytes;
  res.writeHead(200, headers);
  let left = page.bytes;
  const pump = () => {
    while (left > 0) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => {
    left = 0;
  });
  pump();
}

/** An article or list page's answer: its set failure, 304 to a matching validator, else the page. */
function answerPage(req: http.IncomingMessage, page: Page, send: Send): void {
  page.hits++;
  if (page.alwaysStatus) {
    const body = Buffer.from('<html><body>Internal Server Error</body></html>');
    send(page.alwaysStatus, { 'content-type': 'text/html', 'content-length': body.length }, body);
    return;
  }
  if (page.failFirst && page.hits <= page.failFirst) {
    send(503, { 'retry-after': '0', 'content-length': 0 });
    return;
  }
  const headers: http.OutgoingHttpHeaders = { 'content-type': page.contentType };
  if (page.etag) headers.etag = page.etag;
  if (page.lastModified) headers['last-modified'] = page.lastModified;
  if (notModified(req, page)) {
    send(304, headers);
    return;
  }
  const gzip = page.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? (page.gzipped as Buffer) : page.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  send(200, headers, body);
}

/** One request to site `name`, logged in `requests`; a delayed answer's timer is kept in `timers`. */
function serveRequest(
  name: SiteName,
  site: BuiltSite | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requests: LoggedRequest[],
  timers: Set<NodeJS.Timeout>,
): void {
  const path = req.url ?? '/';
  const entry: LoggedRequest = {
    site: name,
    method: req.method ?? 'GET',
    path,
    at: performance.now(),
    status: 0,
    ifNoneMatch: req.headers['if-none-match'],
    ifModifiedSince: req.headers['if-modified-since'],
    userAgent: req.headers['user-agent'],
  };
  requests.push(entry);
  const send: Send = (status, headers, body) => {
    entry.status = status;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const pageEntry = site?.pages.get(path.split('#')[0] ?? path);
  if (!site || !pageEntry) {
    send(404, { 'content-type': 'text/html', 'content-length': site?.notFound.length ?? 0 }, site?.notFound);
    return;
  }
  if (pageEntry.type === 'redirect') {
    send(pageEntry.status, { location: pageEntry.location, 'content-length': 0 });
    return;
  }
  if (pageEntry.type === 'huge') {
    entry.status = 200;
    sendHuge(res, pageEntry);
    return;
  }
  if (!pageEntry.delayMs) {
    answerPage(req, pageEntry, send);
    return;
  }
  const timer = setTimeout(() => {
    timers.delete(timer);
    if (!res.destroyed) answerPage(req, pageEntry, send);
  }, pageEntry.delayMs);
  timers.add(timer);
  res.on('close', () => {
    clearTimeout(timer);
    timers.delete(timer);
  });
}

/** Starts the servers, builds the sites for their ports, and serves until `close()`. */
export async function startFixtureWeb(options: FixtureWebOptions = {}): Promise<FixtureWeb> {
  const build: BuildOptions = { ...DEFAULTS, ...options };
  if (build.brokenPages && build.articlesPerSite < 8)
    throw new Error('the broken pages need at least 8 articles per site');
  const requests: LoggedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let built: Record<SiteName, BuiltSite> | undefined;
  const handle = (name: SiteName, req: http.IncomingMessage, res: http.ServerResponse) =>
    serveRequest(name, built?.[name], req, res, requests, timers);

  const servers = new Map<SiteName, http.Server>();
  const origins = {} as Record<SiteName, string>;
  for (const name of SITE_NAMES) {
    const server = http.createServer((req, res) => handle(name, req, res));
    server.keepAliveTimeout = 10_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.set(name, server);
    origins[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const { sites, truth, problems } = buildSites(origins, build);
  built = sites;

  const fixtureSites: FixtureSite[] = SITE_NAMES.map((name) => ({
    name,
    spec: SITES[name],
    origin: origins[name],
    startUrls: SITES[name].start.map((p) => origins[name] + p),
  }));

  return {
    sites: fixtureSites,
    site: (name) => fixtureSites.find((s) => s.name === name) as FixtureSite,
    truth,
    problems,
    requests,
    clearLog: () => {
      requests.length = 0;
    },
    touch(url) {
      const parsed = new URL(url);
      const site = fixtureSites.find((s) => s.origin === parsed.origin);
      const entry = site && sites[site.name].pages.get(parsed.pathname);
      if (!site || entry?.type !== 'page' || !entry.rerender) throw new Error(`no article page at ${url}`);
      entry.version++;
      entry.body = entry.rerender(entry.version);
      refreshPage(site.spec, entry, new Date(Date.now() + 1000));
    },
    sourcesConfig(config = {}) {
      const names = config.sites ?? SITE_NAMES;
      return {
        crawl: { allow_private_networks: true, ...config.crawl },
        sources: names.map((name) => {
          const site = fixtureSites.find((s) => s.name === name) as FixtureSite;
          return {
            name,
            start_urls: site.startUrls,
            follow: site.spec.follow,
            articles: site.spec.articles,
            ...config.source,
            ...config.perSite?.[name],
          };
        }),
      };
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(
        [...servers.values()].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
