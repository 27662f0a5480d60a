/**
 * robots.txt (RFC 9309), obeyed on every URL before it is fetched: start URLs, links, sitemap
 * entries and redirect targets. Crawlee leaves robots.txt off by default and fetches it outside
 * the crawl's own client; here it goes through the same client (same address checks, same
 * politeness) and its `Crawl-delay` lowers the host's request rate.
 *
 * What an answer means, per the RFC:
 * - 2xx: the rules apply (only the first 500 KiB are read);
 * - 4xx other than 429: there are no rules, everything is allowed;
 * - 429, 5xx, or no answer at all: the host is unavailable, nothing on it is crawled this time.
 */
import robotsParserModule from 'robots-parser';
import { describeFailure, type FailureKind } from './errors.js';

/** robots-parser is CommonJS, typed as an ES module with a default export: under NodeNext the
 * default import is `module.exports`, the parser function itself. */
const robotsParser = robotsParserModule as unknown as (typeof robotsParserModule)['default'];

/** RFC 9309 §2.5: crawlers must read at least 500 KiB. */
export const ROBOTS_MAX_BYTES = 500 * 1024;

export interface RobotsResponse {
  status: number;
  body: Uint8Array;
}

/** What robots.txt says about one origin. */
export interface RobotsPolicy {
  /** `https://host:port/robots.txt` */
  url: string;
  /** Why this policy: `robots.txt`, `no robots.txt (HTTP 404)`, `robots.txt unavailable (HTTP 503)`. */
  basis: string;
  /** False when the host is unavailable: nothing may be fetched. */
  available: boolean;
  /** Why it is unavailable: `robots` for an HTTP answer, else the fetch's failure (`network`, …). */
  unavailableKind?: FailureKind;
  isAllowed(url: string): boolean;
  /** Crawl-delay for our user agent, in seconds. */
  crawlDelaySecs: number | undefined;
  sitemaps: string[];
}

/** The product token robots.txt groups are matched against: `finfaq-crawler/0.1 (…)` → `finfaq-crawler`. */
export function productToken(userAgent: string): string {
  return (userAgent.trim().split(/[\s/]/)[0] ?? '*').toLowerCase() || '*';
}

/** The robots.txt URL of the origin of `url`. */
export function robotsUrlOf(url: string | URL): string {
  return new URL('/robots.txt', url).href;
}

/** The policy of robots.txt as served (`response`), or of its absence (`failure`). */
export function robotsPolicy(
  robotsUrl: string,
  userAgent: string,
  outcome: { response: RobotsResponse } | { failure: string; kind?: FailureKind },
): RobotsPolicy {
  const token = productToken(userAgent);
  if ('failure' in outcome)
    return unavailable(robotsUrl, `robots.txt unavailable (${outcome.failure})`, outcome.kind ?? 'network');
  const { status, body } = outcome.response;
  if (status === 429 || status >= 500)
    return unavailable(robotsUrl, `robots.txt unavailable (HTTP ${status})`, 'robots');
  if (status >= 400)
    return {
      url: robotsUrl,
      basis: `no robots.txt (HTTP ${status})`,
      available: true,
      isAllowed: () => true,
      crawlDelaySecs: undefined,
      sitemaps: [],
    };
  const text = Buffer.from(body.subarray(0, ROBOTS_MAX_BYTES)).toString('utf8');
  const robots = robotsParser(robotsUrl, text);
  const delay = robots.getCrawlDelay(token);
  return {
    url: robotsUrl,
    basis: 'robots.txt',
    available: true,
    // `undefined` means another origin's URL: this policy says nothing, the caller checks scope.
    isAllowed: (url) => robots.isAllowed(url, token) !== false,
    crawlDelaySecs: typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? delay : undefined,
    sitemaps: robots.getSitemaps(),
  };
}

function unavailable(url: string, basis: string, kind: FailureKind): RobotsPolicy {
  return {
    url,
    basis,
    available: false,
    unavailableKind: kind,
    isAllowed: () => false,
    crawlDelaySecs: undefined,
    sitemaps: [],
  };
}

/** robots.txt policies by origin, each fetched once per crawl (concurrent askers share the fetch). */
export class RobotsCache {
  private readonly policies = new Map<string, Promise<RobotsPolicy>>();

  constructor(
    private readonly userAgent: string,
    /** Fetches a robots.txt URL; rejects (a crawl error) when there is no answer. */
    private readonly fetchRobots: (url: string) => Promise<RobotsResponse>,
  ) {}

  policyFor(url: string | URL): Promise<RobotsPolicy> {
    const robotsUrl = robotsUrlOf(url);
    let policy = this.policies.get(robotsUrl);
    if (!policy) {
      policy = this.fetchRobots(robotsUrl).then(
        (response) => robotsPolicy(robotsUrl, this.userAgent, { response }),
        (error: unknown) => {
          const { kind, reason } = describeFailure(error);
          return robotsPolicy(robotsUrl, this.userAgent, { failure: reason, kind });
        },
      );
      this.policies.set(robotsUrl, policy);
    }
    return policy;
  }
}
