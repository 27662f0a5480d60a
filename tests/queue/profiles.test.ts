/**
 * Deleted-word profiles through the queues: pages of simulated filtered sites go through a
 * `finfaq worker`; after 20 and 40 pages of a source, `learn` jobs learn its profile from the
 * samples and save it in the store; pages normalized after that get their deleted words back, the
 * pages published before it get them back as new versions (`restore` jobs), and a site that
 * deletes nothing keeps an empty profile and unchanged text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeletionProfile } from '../../src/normalize/deleted-words/profile.js';
import type { Store } from '../../src/publish/index.js';
import { queueSettings } from '../../src/queue/connection.js';
import { normalizeJobId, type RestoreJob } from '../../src/queue/jobs.js';
import type { StoredProfile } from '../../src/queue/profiles.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { waitUntilDrained } from '../../src/queue/runs.js';
import { makeSites, renderPage, type SiteSpec } from '../support/filtered-sites.js';
import { type Child, finfaq, isolatedPipeline, type Pipeline, recordsByUrl, stopAll } from './helpers.js';

// farm0 deletes 题, 客服, 利息, 短信; farm1 利息, 电话, 同时; farm3 nothing.
const sites = makeSites(11, 4, 45).filter((_, i) => i !== 2);
const [farm0, farm1, farm3] = sites as [SiteSpec, SiteSpec, SiteSpec];

let pipeline: Pipeline;
let store: Store;
let client: QueueClient;
let worker: Child;

beforeAll(async () => {
  pipeline = isolatedPipeline();
  store = await pipeline.store();
  client = connectQueues(queueSettings(pipeline.env));
  worker = finfaq(['worker', '--only', 'normalize,publish', '--concurrency', '1'], pipeline.env);
  await worker.waitForStderr(/working on publish, normalize/);
});

afterAll(async () => {
  await stopAll(worker ? [worker] : []);
  await client?.close();
  await pipeline?.cleanup();
});

/** Queues pages `from`..`to - 1` of every site as crawled raw records, site after site per page. */
async function enqueuePages(from: number, to: number): Promise<string[]> {
  const urls: string[] = [];
  for (let i = from; i < to; i++)
    for (const site of sites) {
      const page = renderPage(site, i);
      const raw = {
        url: page.raw.url,
        body_base64: Buffer.from(page.raw.text ?? '').toString('base64'),
        content_type: 'text/plain; charset=utf-8',
        fetched_at: new Date().toISOString(),
        source: site.name,
      };
      await client.queues.normalize.add(
        'normalize',
        { raw, to: 'hans' },
        { jobId: normalizeJobId(raw, 'hans') },
      );
      urls.push(raw.url);
    }
  return urls;
}

async function profileOf(site: SiteSpec): Promise<DeletionProfile | undefined> {
  return (await store.getProfile<StoredProfile>(site.name))?.profile.profile;
}

describe('deleted-word profiles in the pipeline', () => {
  it('learns each source profile from its pages, saves it in the store, and restores later pages with it', async () => {
    const first = await enqueuePages(0, 40);
    await waitUntilDrained(client.queues, []);
    const learned = await client.queues.normalize.getCompleted(0, -1);
    expect(learned.filter((j) => j.name === 'learn').map((j) => j.data)).toHaveLength(6);
    // A learned profile with new words re-finalizes the pages already published without it.
    const restored = learned
      .filter((j) => j.name === 'restore')
      .map((j) => (j.data as unknown as RestoreJob).source);
    expect(restored).toContain(farm0.name);
    expect(restored).not.toContain(farm3.name);
    const early = await recordsByUrl(store, first.slice(0, 3 * 20));
    const restoredEarly = [...early.values()].filter(
      (r) => r.source === farm0.name && r.repairs.some((repair) => repair.kind === 'missing-word'),
    );
    expect(restoredEarly.length).toBeGreaterThan(0);
    expect(restoredEarly.every((r) => r.version >= 2)).toBe(true);
    // The new version keeps the page it was made from (read by the publish worker from the store).
    for (const r of restoredEarly) {
      const raw = await store.getRaw(r.id, r.version);
      expect(raw?.text).toContain('\n');
      expect(raw).toEqual(await store.getRaw(r.id, 1));
    }

    const filtered = (site: SiteSpec) => site.words.map((w) => w.word);
    const words0 = (await profileOf(farm0))?.words.map((w) => w.word) ?? [];
    expect(words0.length).toBeGreaterThanOrEqual(2);
    for (const word of words0) expect(filtered(farm0)).toContain(word);
    const words1 = (await profileOf(farm1))?.words.map((w) => w.word) ?? [];
    expect(words1.filter((w) => filtered(farm1).includes(w)).length).toBeGreaterThanOrEqual(2);
    expect((await profileOf(farm3))?.words).toEqual([]);
    expect((await store.getProfile<StoredProfile>(farm0.name))?.profile.pages).toBe(40);

    // Pages normalized from now on are restored with the stored profiles.
    const urls = await enqueuePages(40, 45);
    await waitUntilDrained(client.queues, []);
    const records = await recordsByUrl(store, urls);
    expect(records.size).toBe(urls.length);
    const inserted = (site: SiteSpec) =>
      [...records.values()]
        .filter((r) => r.source === site.name)
        .flatMap((r) => r.repairs.filter((repair) => repair.kind === 'missing-word'));
    expect(inserted(farm0).length).toBeGreaterThan(0);
    expect(inserted(farm3)).toEqual([]);
  }, 120_000);
});
