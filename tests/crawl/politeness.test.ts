/**
 * Politeness as the servers measure it: with `per_minute` set, no host sees requests faster than
 * that, and a robots.txt `Crawl-delay` slows the crawl down further.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../support/fixture-web/index.js';
import { type FixtureWeb, startFixtureWeb } from '../support/fixture-web/index.js';
import { crawlSite } from './helpers.js';

let web: FixtureWeb;

beforeAll(async () => {
  web = await startFixtureWeb({
    articlesPerSite: 9,
    perPage: 5,
    brokenPages: false,
    crawlDelaySecs: 0.25,
    seed: 3,
  });
}, 30_000);

afterAll(async () => {
  await web?.close();
});

/** Arrival gaps in milliseconds, and the most requests seen in any window of `windowMs`. */
function measure(requests: LoggedRequest[], windowMs: number): { gaps: number[]; busiest: number } {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - windowMs) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  return { gaps, busiest };
}

describe('politeness', () => {
  it('keeps to per_minute, measured by the server', async () => {
    const perMinute = 600;
    const { requests, records } = await crawlSite(web, 'gbk-farm', { source: { per_minute: perMinute } });
    expect(records).toHaveLength(9);
    expect(requests.length).toBeGreaterThanOrEqual(12);
    const interval = 60_000 / perMinute;
    const { gaps, busiest } = measure(requests, 1000);
    // Requests leave one interval apart; arrival times carry some scheduling jitter on a busy machine.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval * 0.6);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThanOrEqual(interval * 0.98);
    expect(busiest).toBeLessThanOrEqual(perMinute / 60 + 1);
    const span = (requests.at(-1)?.at ?? 0) - (requests[0]?.at ?? 0);
    expect(span).toBeGreaterThanOrEqual((requests.length - 1) * interval * 0.95);
  });

  it("obeys robots.txt's Crawl-delay when it is slower than per_minute", async () => {
    const { requests, records, report } = await crawlSite(web, 'ruby-blog', { source: { per_minute: 6000 } });
    expect(records).toHaveLength(9);
    expect(report.robots[0]?.crawlDelaySecs).toBe(0.25);
    const { gaps } = measure(requests, 1000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250 * 0.6);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThanOrEqual(250 * 0.98);
  });
});
