/**
 * Whether the crawl may fetch a URL: on one of the source's hosts, and allowed by that host's
 * robots.txt (fetched once per origin through the crawl's own client, so with its address checks
 * and at its pace, and retried like a page). Private addresses are refused by the client itself,
 * on every request and every redirect hop (`http-client.ts`, `address-guard.ts`).
 */
import { describeFailure, PermanentFetchError } from './errors.js';
import type { SafeHttpClient } from './http-client.js';
import { sleep } from './politeness.js';
import { ROBOTS_MAX_BYTES, RobotsCache, type RobotsPolicy, type RobotsResponse } from './robots.js';
import type { SourceScope } from './scope.js';

export interface AdmissionOptions {
  scope: SourceScope;
  userAgent: string;
  /** Further attempts at a robots.txt after a retryable failure. */
  retries: number;
  /** The wait before retry `attempt` (0-based). */
  backoff: (attempt: number) => number;
}

export class Admission {
  private readonly robots: RobotsCache;
  private client: SafeHttpClient | undefined;

  constructor(private readonly options: AdmissionOptions) {
    this.robots = new RobotsCache(options.userAgent, (url) => this.fetchRobots(url));
  }

  /** The client robots.txt is fetched with (it checks redirects with `admit`, hence set later). */
  useClient(client: SafeHttpClient): void {
    this.client = client;
  }

  /** The host's robots.txt policy; throws when the crawl may not fetch `url`. */
  async admit(url: URL): Promise<RobotsPolicy> {
    const { scope } = this.options;
    if (!scope.contains(url))
      throw new PermanentFetchError(
        'off-site',
        `refused: ${url.host} is not one of the source's hosts (${[...scope.hosts].join(', ')})`,
      );
    const policy = await this.robots.policyFor(url);
    if (!policy.available) throw new PermanentFetchError(policy.unavailableKind ?? 'robots', policy.basis);
    if (!policy.isAllowed(url.href)) throw new PermanentFetchError('robots', `disallowed by ${policy.url}`);
    return policy;
  }

  private async fetchRobots(url: string): Promise<RobotsResponse> {
    const client = this.client;
    if (!client) throw new Error('admission: no HTTP client set before the first robots.txt');
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await client.stream({ url, headers: { accept: 'text/plain,*/*;q=0.5' } });
        const chunks: Buffer[] = [];
        let length = 0;
        for await (const chunk of response.stream) {
          chunks.push(chunk as Buffer);
          length += (chunk as Buffer).length;
          if (length >= ROBOTS_MAX_BYTES) {
            response.stream.destroy();
            break;
          }
        }
        return { status: response.statusCode, body: Buffer.concat(chunks) };
      } catch (error) {
        if (!describeFailure(error).retryable || attempt >= this.options.retries) throw error;
        await sleep(this.options.backoff(attempt));
      }
    }
  }
}
