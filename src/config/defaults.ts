/**
 * Every default of the sources file (CONTRACT.md, "Sources file"), in one place. The schema in
 * `sources.ts` applies them; the README documents them from here.
 */
export const CONFIG_DEFAULTS = {
  output: {
    /** Script of published records. */
    script: 'hans',
  },
  crawl: {
    /** Crawl private, loopback and link-local addresses (tests that crawl 127.0.0.1 set it). */
    allow_private_networks: false,
    /** Sent as `User-Agent`, and the token robots.txt groups are matched against. */
    user_agent: 'finfaq-crawler/0.1',
    /** One request, from connecting to the last byte of the body. */
    timeout_secs: 20,
    /** Further attempts after a timeout, a network error, HTTP 408, 429 or 5xx. */
    retries: 2,
    /** Wait before the first retry; each later one waits twice as long (a `Retry-After` wins). */
    retry_backoff_secs: 1,
    /** Bodies larger than this (after decompression) are abandoned and reported. */
    max_body_bytes: 5 * 1024 * 1024,
    /** Redirect hops followed for one request; each hop is checked like a link. */
    max_redirects: 5,
    /** Requests in flight at once for one source (politeness may allow fewer). */
    concurrency: 8,
  },
  source: {
    follow: [] as string[],
    /** Cron expression of the scheduled crawl (the queue's scheduler reads it). */
    schedule: '0 */6 * * *',
    /** Time zone of `schedule`. */
    tz: 'Asia/Shanghai',
    /** Requests per crawl of the source, sitemaps included, robots.txt not. */
    max_pages: 5000,
    /** Requests per minute to each of the source's hosts; a robots.txt Crawl-delay can lower it. */
    per_minute: 60,
  },
} as const;
