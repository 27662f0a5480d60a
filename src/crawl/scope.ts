/**
 * What a source's crawl may touch and what it does with a URL. The hosts are those of the
 * source's start URLs (host and port, exactly): a link, sitemap entry or redirect to any other
 * host is never fetched. Within them, a URL is an `article` (fetched, written as a raw record,
 * its links followed) when it matches one of `articles`, a `follow` page (fetched for its links
 * only) when it matches one of `follow`, and ignored otherwise.
 *
 * Globs (picomatch) match the URL's path, `/list/**`; a glob that starts with a scheme matches
 * the whole URL without its fragment instead, `https://example.cn/list/*.html?page=*`.
 */
import picomatch from 'picomatch';

export type PageRole = 'article' | 'follow';

export interface ScopeSpec {
  start_urls: readonly string[];
  follow: readonly string[];
  articles: readonly string[];
}

type Matcher = (url: URL) => boolean;

function compile(globs: readonly string[]): Matcher {
  const onPath = globs.filter((g) => g.startsWith('/'));
  const onUrl = globs.filter((g) => !g.startsWith('/'));
  const pathMatch = onPath.length > 0 ? picomatch(onPath, { dot: true }) : undefined;
  const urlMatch = onUrl.length > 0 ? picomatch(onUrl, { dot: true }) : undefined;
  return (url) => {
    if (pathMatch?.(decodePath(url.pathname))) return true;
    if (!urlMatch) return false;
    const whole = new URL(url.href);
    whole.hash = '';
    return urlMatch(whole.href);
  };
}

/** `/%E6%96%87/1.html` → `/文/1.html`, so that globs may be written in characters. */
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

export class SourceScope {
  /** `host:port` of every start URL. */
  readonly hosts: ReadonlySet<string>;
  private readonly isArticle: Matcher;
  private readonly isFollow: Matcher;

  constructor(spec: ScopeSpec) {
    this.hosts = new Set(spec.start_urls.map((u) => new URL(u).host));
    this.isArticle = compile(spec.articles);
    this.isFollow = compile(spec.follow);
  }

  /** Whether the crawl may fetch this URL at all: http(s) on one of the source's hosts. */
  contains(url: URL): boolean {
    return (url.protocol === 'http:' || url.protocol === 'https:') && this.hosts.has(url.host);
  }

  /** What the crawl does with an in-scope URL; undefined when it is not to be fetched. */
  roleOf(url: URL): PageRole | undefined {
    if (!this.contains(url)) return undefined;
    if (this.isArticle(url)) return 'article';
    if (this.isFollow(url)) return 'follow';
    return undefined;
  }
}
