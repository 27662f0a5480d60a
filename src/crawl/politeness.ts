/**
 * Politeness: how often the crawl may ask one host for something. Each host gets slots at least
 * `60 / per_minute` seconds apart, or a robots.txt `Crawl-delay` when that is longer; requests
 * queue for them in order and each waits one interval after the previous one was let through, so
 * requests to a host never bunch up, whatever the crawler's concurrency or the machine's load:
 * over any minute a host sees at most `per_minute` requests (plus the one at the window's edge).
 *
 * Everything the crawl sends to a host goes through here: robots.txt, sitemaps, pages and every
 * redirect hop.
 */

import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
  });

export class HostPacer {
  /** When each host last got a slot, on the `now` clock. */
  private readonly lastGrant = new Map<string, number>();
  /** The last booking of each host: the next one waits for it, so grants keep their order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, number>();
  private readonly minIntervals = new Map<string, number>();

  /**
   * @param intervalMs spacing between two requests to one host (`60_000 / per_minute`)
   * @param now a monotonic clock in milliseconds
   */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Makes a host's spacing at least `ms` (a robots.txt Crawl-delay), from its last slot on. */
  setMinInterval(host: string, ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.minIntervals.set(host, ms);
  }

  /** The spacing in force for a host, in milliseconds. */
  intervalOf(host: string): number {
    return Math.max(this.intervalMs, this.minIntervals.get(host) ?? 0);
  }

  /** Requests waiting for a slot of this host. */
  queued(host: string): number {
    return this.waiting.get(host) ?? 0;
  }

  /**
   * Waits for the host's next slot: one interval after the previous grant, measured when that
   * grant actually happened (a timer that fires late pushes the next slots back, never closer).
   * Rejects when `signal` aborts first; the slot then goes to the next in line.
   */
  acquire(host: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.waiting.set(host, this.queued(host) + 1);
    const previous = this.queues.get(host) ?? Promise.resolve();
    const grant = previous.then(async () => {
      const last = this.lastGrant.get(host);
      const due = last === undefined ? Number.NEGATIVE_INFINITY : last + this.intervalOf(host);
      // Timers may fire a fraction of a millisecond early by this clock: wait until really due.
      for (let wait = due - this.now(); wait > 0; wait = due - this.now())
        await sleep(Math.ceil(wait), signal);
      if (signal?.aborted) throw signal.reason;
      this.lastGrant.set(host, this.now());
    });
    const settled = grant.then(
      () => this.waiting.set(host, this.queued(host) - 1),
      () => this.waiting.set(host, this.queued(host) - 1),
    );
    this.queues.set(
      host,
      settled.then(() => undefined),
    );
    return grant;
  }
}
