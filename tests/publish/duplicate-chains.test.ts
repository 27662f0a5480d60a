/**
 * No page is ever hidden from the feed by dedupe: whatever order pages are published in, however
 * often their content changes and whoever copies whom, reading the feed from the start shows
 * every record, as an item of its own or in a canonical item's `also_on`, and every
 * `duplicate_of` names a canonical record (no chains). Property-tested with fast-check over
 * random publish sequences, on SQLite and PostgreSQL, sequentially and with publishes in flight
 * together; plus the one sequence that used to lose a page, spelled out.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createPublisher, type Publisher } from '../../src/publish/publisher.js';
import type { Store } from '../../src/publish/store/store.js';
import type { StoredRecord } from '../../src/records/stored.js';
import { makeRecord, type RecordSpec } from './support/records.js';
import { BACKENDS, rawQuery, StoreFactory, type StoreLocation } from './support/stores.js';

/** Every item of the feed from the start, as a consumer reads it. */
async function wholeFeed(store: Store): Promise<StoredRecord[]> {
  const items: StoredRecord[] = [];
  let after = 0;
  for (;;) {
    const page = await store.listFeed(after, 100);
    if (page.items.length === 0) return items;
    items.push(...page.items);
    after = page.next;
  }
}

/** The ids a consumer reading the whole feed learns about: canonical items and their `also_on`. */
async function reachable(store: Store): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const item of await wholeFeed(store)) {
    if (item.duplicate_of !== null) continue;
    seen.add(item.id);
    for (const copy of item.also_on) seen.add(copy.id);
  }
  return seen;
}

/**
 * Records (of `ids`, else all) whose `duplicate_of` names a record that is itself a duplicate or
 * does not exist.
 */
async function chains(
  location: StoreLocation,
  ids?: Iterable<string>,
): Promise<{ id: string; duplicate_of: string }[]> {
  const rows = await rawQuery<{ id: string; duplicate_of: string }>(
    location,
    `SELECT r.id, r.duplicate_of FROM records r LEFT JOIN records t ON t.id = r.duplicate_of
     WHERE r.duplicate_of IS NOT NULL AND (t.id IS NULL OR t.duplicate_of IS NOT NULL)`,
  );
  const only = ids ? new Set(ids) : null;
  return rows.filter((r) => !only || only.has(r.id));
}

/** One publish: page `page` of the run now carries article `article`, possibly edited or converted. */
interface Step {
  page: number;
  article: number;
  script: 'hans' | 'tw';
  edit: 'none' | 'truncated' | 'deleted-words';
  /** Publishes of one batch run at the same time. */
  batch: number;
}

const PAGES = 5;
const ARTICLES = 3;

const stepArb = fc.record({
  page: fc.integer({ min: 0, max: PAGES - 1 }),
  article: fc.integer({ min: 0, max: ARTICLES - 1 }),
  script: fc.constantFrom<'hans' | 'tw'>('hans', 'tw'),
  edit: fc.constantFrom<Step['edit']>('none', 'none', 'truncated', 'deleted-words'),
  batch: fc.integer({ min: 0, max: 3 }),
});

/** Each run gets articles and page URLs of its own, so runs in one store never meet. */
function specOf(run: number, step: Step): RecordSpec {
  return {
    seed: 10_000 + run * ARTICLES + step.article,
    site: `p${step.page}.run${run}.example`,
    path: '/faq.html',
    script: step.script,
    edit: step.edit,
  };
}

describe.each(BACKENDS)('duplicate chains on %s', (backend) => {
  const factory = new StoreFactory();
  afterAll(() => factory.cleanup());

  async function open(): Promise<{ location: StoreLocation; store: Store; publisher: Publisher }> {
    const location = await factory.location(backend);
    const store = await factory.open(location);
    return { location, store, publisher: await createPublisher(store) };
  }

  it('re-points the copies of a record that becomes a copy of its own former copy', async () => {
    const { location, store, publisher } = await open();
    const a = makeRecord({ seed: 501, site: 'a.example', path: '/x.html' });
    const b = makeRecord({ seed: 501, site: 'b.example', path: '/x.html', script: 'tw' });
    const c = makeRecord({ seed: 501, site: 'c.example', path: '/x.html', edit: 'deleted-words' });
    expect((await publisher.publish(a)).duplicateOf).toBeNull();
    expect((await publisher.publish(b)).duplicateOf).toBe(a.id);
    // b's page changes to another article: canonical on its own.
    expect(
      (await publisher.publish(makeRecord({ seed: 502, site: 'b.example', path: '/x.html' }))).duplicateOf,
    ).toBeNull();
    expect((await publisher.publish(c)).duplicateOf).toBe(a.id);
    // a's page now carries b's new article: a copy of its former copy; c pointed at a.
    const moved = await publisher.publish(
      makeRecord({ seed: 502, site: 'a.example', path: '/x.html', script: 'tw' }),
    );
    expect(moved.duplicateOf).toBe(b.id);

    expect(await chains(location)).toEqual([]);
    expect((await store.getRecord(c.id))?.duplicate_of).toBe(b.id);
    expect((await store.getRecord(b.id))?.also_on.map((d) => d.id).sort()).toEqual([a.id, c.id].sort());
    expect(await reachable(store)).toEqual(new Set([a.id, b.id, c.id]));
  });

  it('keeps every page reachable over random publish orders, versions and copies', async () => {
    const { location, store, publisher } = await open();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), async (steps) => {
        // Each run (shrinking included) has pages and articles of its own in the shared store,
        // and checks its own pages only.
        run++;
        const published = new Set<string>();
        // Consecutive steps of one batch number go out together.
        const batches: Step[][] = [];
        for (const step of steps) {
          const last = batches.at(-1);
          if (last && last[0]?.batch === step.batch) last.push(step);
          else batches.push([step]);
        }
        for (const batch of batches) {
          const records = batch.map((step) => makeRecord(specOf(run, step)));
          await Promise.all(records.map((record) => publisher.publish(record)));
          for (const record of records) published.add(record.id);
        }
        expect(await chains(location, published)).toEqual([]);
        const seen = await reachable(store);
        expect([...published].filter((id) => !seen.has(id))).toEqual([]);
      }),
      { numRuns: backend === 'postgres' ? 40 : 60 },
    );
  });
});
