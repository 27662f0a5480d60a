/**
 * The store suite, run against SQLite and PostgreSQL alike, through the publisher (the way the
 * pipeline uses the store): migrations, versioning, idempotence, dedupe marks, the feed cursor,
 * profiles, and concurrent publishers in separate processes with a consumer paging meanwhile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPublisher, type Publisher } from '../../src/publish/publisher.js';
import { MIGRATIONS } from '../../src/publish/store/migrations.js';
import { type Store, StoreError } from '../../src/publish/store/store.js';
import type { PublishResult } from '../../src/publish/types.js';
import type { StoredRecord } from '../../src/records/stored.js';
import { makeRecord, type RecordSpec } from './support/records.js';
import { BACKENDS, rawQuery, runPublisherProcesses, StoreFactory } from './support/stores.js';

/**
 * Reads the feed from the start, page by page, as a consumer keeping its cursor: until a page
 * comes back empty, or, while publishers run, until one does after `finished()` turned true
 * (an empty page before that waits `pauseMs` and reads on).
 */
async function drain(
  store: Store,
  {
    limit = 50,
    finished = () => true,
    pauseMs = 2,
  }: { limit?: number; finished?: () => boolean; pauseMs?: number } = {},
): Promise<StoredRecord[]> {
  const items: StoredRecord[] = [];
  let after = 0;
  for (;;) {
    const done = finished();
    const page = await store.listFeed(after, limit);
    items.push(...page.items);
    after = page.next;
    if (page.items.length === 0) {
      if (done) return items;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** A describe block's stores on `backend`, dropped after it; `fresh()` opens an empty one. */
function storesOn(backend: (typeof BACKENDS)[number]) {
  const factory = new StoreFactory();
  afterAll(() => factory.cleanup());
  async function fresh(): Promise<{ store: Store; publisher: Publisher }> {
    const store = await factory.fresh(backend);
    return { store, publisher: await createPublisher(store) };
  }
  return { factory, fresh };
}

describe.each(BACKENDS)('store on %s: versions and dedupe', (backend) => {
  const { factory, fresh } = storesOn(backend);

  it('migrates at open, once, also when several open the same new store at once', async () => {
    const location = await factory.location(backend);
    const stores = await Promise.all([1, 2, 3].map(() => factory.open(location)));
    expect(await Promise.all(stores.map((s) => s.head()))).toEqual([0, 0, 0]);
    await factory.open(location);
    const rows = await rawQuery<{ version: number }>(
      location,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('versions a record only when its content, title, category or date changes', async () => {
    const { store, publisher } = await fresh();
    const spec: RecordSpec = { seed: 11 };
    const first = await publisher.publish(makeRecord(spec), {
      text: '<html>v1</html>',
      content_type: 'text/html',
    });
    expect(first).toMatchObject({ version: 1, changed: true, outcome: 'created', duplicateOf: null, seq: 1 });

    // Same record again (a recrawl of an unchanged page, or the same job run twice): nothing written.
    const again = await publisher.publish(makeRecord(spec), { text: '<html>v1 again</html>' });
    expect(again).toMatchObject({ version: 1, changed: false, outcome: 'unchanged', seq: 1 });
    // Only other fields (flags, repairs) differ: not a new version either.
    const reflagged = { ...makeRecord(spec), flags: ['possible-gap'] };
    expect((await publisher.publish(reflagged)).changed).toBe(false);

    const retitled = await publisher.publish(makeRecord({ ...spec, titleSuffix: '（更新）' }));
    expect(retitled).toMatchObject({ version: 2, changed: true, outcome: 'updated', seq: 2 });
    const redated = await publisher.publish({
      ...makeRecord({ ...spec, titleSuffix: '（更新）' }),
      published_at: null,
    });
    expect(redated).toMatchObject({ version: 3, seq: 3 });
    const extended = await publisher.publish(
      makeRecord({ ...spec, extraParagraph: '补充说明：以上内容仅供参考。' }),
    );
    expect(extended).toMatchObject({ version: 4, seq: 4, id: first.id });

    const latest = await store.getRecord(first.id);
    expect(latest?.version).toBe(4);
    expect(latest?.paragraphs.at(-1)).toBe('补充说明：以上内容仅供参考。');
    const v1 = await store.getRecord(first.id, 1);
    expect(v1).toMatchObject({ version: 1, seq: 1, title: makeRecord(spec).title });
    expect(await store.getRecord(first.id, 9)).toBeNull();
    expect(await store.getRecord('no-such-id')).toBeNull();

    expect(await store.getRaw(first.id, 1)).toEqual({
      text: '<html>v1</html>',
      content_type: 'text/html',
      fetched_at: null,
    });
    expect(await store.getRaw(first.id, 2)).toBeNull();

    // The feed is compacted: the record once, in its latest version.
    const feed = await drain(store);
    expect(feed.map((r) => [r.id, r.version, r.seq])).toEqual([[first.id, 4, 4]]);
    // A consumer that had read version 1 (cursor 1) sees the record again, once.
    expect((await store.listFeed(1, 10)).items.map((r) => r.version)).toEqual([4]);
    expect(await store.listFeed(4, 10)).toEqual({ items: [], next: 4 });

    const stats = await store.stats();
    expect(stats).toMatchObject({ records: 1, duplicates: 0, versions: 4, head: 4 });
    expect(stats.published).toEqual({ created: 1, updated: 3 });
    expect(stats.repairs.punctuation).toBe(4);
    expect(publisher.counts).toEqual({ created: 1, updated: 3, unchanged: 2, duplicates: 0, failed: 0 });
  });

  it('stores every clean-record field as given', async () => {
    const { store, publisher } = await fresh();
    const record = {
      ...makeRecord({ seed: 12, script: 'tw' }),
      flags: ['possible-gap', 'unrepaired-mojibake'],
    };
    await publisher.publish(record);
    const stored = await store.getRecord(record.id);
    expect(stored).toMatchObject({
      ...record,
      duplicate_of: null,
      similarity: null,
      version: 1,
      also_on: [],
    });
    expect(Date.parse(stored?.stored_at ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe.each(BACKENDS)('store on %s: duplicates', (backend) => {
  const { fresh } = storesOn(backend);

  it('marks copies as duplicates of the first-seen record and offers them on its feed item', async () => {
    const { store, publisher } = await fresh();
    const original = await publisher.publish(makeRecord({ seed: 21, site: 'a.example' }));
    const traditional = await publisher.publish(makeRecord({ seed: 21, site: 'b.example', script: 'tw' }));
    const trimmed = await publisher.publish(
      makeRecord({ seed: 21, site: 'c.example', edit: 'deleted-words' }),
    );
    const unrelated = await publisher.publish(makeRecord({ seed: 22, site: 'a.example' }));

    expect(traditional).toMatchObject({ duplicateOf: original.id, similarity: 1 });
    expect(trimmed.duplicateOf).toBe(original.id);
    expect(trimmed.similarity).toBeGreaterThan(0.5);
    expect(trimmed.similarity).toBeLessThan(1);
    expect(unrelated.duplicateOf).toBeNull();

    const feed = await drain(store);
    expect(feed.map((r) => r.id)).toEqual([original.id, unrelated.id]);
    expect(feed[0]?.also_on).toEqual([
      { id: traditional.id, url: 'https://b.example/article/21.html', source: 'b.example' },
      { id: trimmed.id, url: 'https://c.example/article/21.html', source: 'c.example' },
    ]);
    expect(feed.every((r) => r.duplicate_of === null)).toBe(true);
    expect(await store.getRecord(traditional.id)).toMatchObject({ duplicate_of: original.id, also_on: [] });
    expect((await store.getRecord(original.id))?.also_on).toHaveLength(2);
    expect(await store.stats()).toMatchObject({
      records: 4,
      duplicates: 2,
      published: { created: 4, duplicate: 2 },
    });
  });

  it('follows records whose content moves: a canonical one turning into a copy is listed once more', async () => {
    const { store, publisher } = await fresh();
    const y = await publisher.publish(makeRecord({ seed: 31, site: 'y.example' }));
    const x = await publisher.publish(makeRecord({ seed: 32, site: 'x.example' }));
    const cursor = (await store.listFeed(0, 10)).next;

    // x's page now carries a copy of y: x is a duplicate, listed again so consumers drop it.
    const demoted = await publisher.publish(
      makeRecord({ seed: 31, site: 'x.example', path: '/article/32.html' }),
    );
    expect(demoted).toMatchObject({ id: x.id, version: 2, duplicateOf: y.id });
    const after = await store.listFeed(cursor, 10);
    expect(after.items.map((r) => [r.id, r.duplicate_of])).toEqual([[x.id, y.id]]);
    expect((await store.getRecord(y.id))?.also_on.map((d) => d.id)).toEqual([x.id]);
    // JSON Feed and Atom show only canonical records.
    expect((await store.latest(10)).map((r) => r.id)).toEqual([y.id]);

    // Still a duplicate in its next version: nothing new to tell consumers.
    await publisher.publish(
      makeRecord({ seed: 31, site: 'x.example', path: '/article/32.html', titleSuffix: '!' }),
    );
    expect((await store.listFeed(after.next, 10)).items).toEqual([]);

    // Its own content again: canonical, listed again.
    const back = await publisher.publish(makeRecord({ seed: 32, site: 'x.example', titleSuffix: '?' }));
    expect(back).toMatchObject({ id: x.id, version: 4, duplicateOf: null });
    expect((await store.listFeed(after.next, 10)).items.map((r) => [r.id, r.version])).toEqual([[x.id, 4]]);

    // A canonical record's new version moves its index entries: copies of the new text find it.
    const edited = await publisher.publish(
      makeRecord({ seed: 31, site: 'y.example', extraParagraph: '新增段落。' }),
    );
    expect(edited).toMatchObject({ id: y.id, version: 2, duplicateOf: null });
    const copy = await publisher.publish(
      makeRecord({ seed: 31, site: 'z.example', extraParagraph: '新增段落。' }),
    );
    expect(copy).toMatchObject({ duplicateOf: y.id, similarity: 1 });
  });

  it('keeps short and empty texts out of the near index but still matches exact copies', async () => {
    const { publisher } = await fresh();
    const short = (url: string, text: string[]) => ({
      ...makeRecord({ seed: 41 }),
      id: url,
      url,
      paragraphs: text,
    });
    expect((await publisher.publish(short('https://a/1', ['页面不存在']))).duplicateOf).toBeNull();
    expect((await publisher.publish(short('https://b/1', ['頁面不存在']))).duplicateOf).toBe('https://a/1');
    expect((await publisher.publish(short('https://a/2', []))).duplicateOf).toBeNull();
    expect((await publisher.publish(short('https://b/2', []))).duplicateOf).toBeNull();
  });
});

describe.each(BACKENDS)('store on %s: profiles, index format, concurrency', (backend) => {
  const { factory, fresh } = storesOn(backend);

  it('keeps per-source profiles, applying concurrent updates one after the other', async () => {
    const location = await factory.location(backend);
    const [a, b] = await Promise.all([factory.open(location), factory.open(location)]);
    if (!a || !b) throw new Error('stores not opened');
    expect(await a.getProfile('farm.example')).toBeNull();
    type Profile = { pages: number; words: string[] };
    const bump = (store: Store) =>
      store.updateProfile<Profile>('farm.example', (old) => ({
        pages: (old?.pages ?? 0) + 1,
        words: [...new Set([...(old?.words ?? []), '电话'])],
      }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
    const saved = await b.getProfile<Profile>('farm.example');
    expect(saved).toMatchObject({
      source: 'farm.example',
      revision: 20,
      profile: { pages: 20, words: ['电话'] },
    });
    // An update that throws changes nothing.
    await expect(
      a.updateProfile('farm.example', () => {
        throw new Error('bad profile');
      }),
    ).rejects.toThrow('bad profile');
    expect((await a.getProfile('farm.example'))?.revision).toBe(20);
    await expect(
      a.updateProfile('new.example', () => {
        throw new Error('bad profile');
      }),
    ).rejects.toThrow('bad profile');
    expect(await a.getProfile('new.example')).toBeNull();
  });

  it('refuses a dedupe index built with other parameters', async () => {
    const { store } = await fresh();
    await expect(createPublisher(store, { bands: 16, rows: 8 })).rejects.toThrow(StoreError);
    await expect(createPublisher(store, { bands: 16, rows: 8 })).rejects.toThrow(/built as .*b42x3/);
  });
});

describe.each(BACKENDS)('store on %s: concurrent publishers', (backend) => {
  const { factory } = storesOn(backend);

  it('with concurrent publisher processes: one row per version, dense cursor, every record seen once', async () => {
    const location = await factory.location(backend);
    const originals: RecordSpec[] = Array.from({ length: 30 }, (_, i) => ({
      seed: 100 + i,
      site: 'a.example',
    }));
    const copiesB: RecordSpec[] = originals
      .slice(0, 10)
      .map((s) => ({ seed: s.seed, site: 'b.example', script: 'tw' as const }));
    const copiesC: RecordSpec[] = originals
      .slice(10, 15)
      .map((s) => ({ seed: s.seed, site: 'c.example', edit: 'deleted-words' as const }));
    const all = [...originals, ...copiesB, ...copiesC];
    const jobs = [
      [...originals.slice(0, 20), ...copiesB.slice(0, 5)],
      [...copiesC, ...originals.slice(10)],
      [...all].reverse(),
      [...copiesB, ...originals.slice(15), ...originals.slice(0, 15)],
    ].map((specs) => ({ url: location.url, schema: location.schema, inFlight: 4, specs }));

    // A consumer pages with its cursor while the processes publish (no store of its own yet:
    // the processes create it, all at once).
    let seen: StoredRecord[] = [];
    let consumer: Store | undefined;
    const results = await runPublisherProcesses<PublishResult>(jobs, async (done) => {
      consumer = await factory.open(location);
      seen = await drain(consumer, { limit: 3, finished: done, pauseMs: 5 });
    });
    if (!consumer) throw new Error('consumer did not start');

    // Each record written exactly once, by exactly one of the processes.
    const byId = new Map<string, PublishResult[]>();
    for (const result of results.flat()) byId.set(result.id, [...(byId.get(result.id) ?? []), result]);
    expect(byId.size).toBe(all.length);
    for (const [, list] of byId) {
      expect(list.filter((r) => r.changed)).toHaveLength(1);
      expect(new Set(list.map((r) => r.seq)).size).toBe(1);
    }
    const versions = await rawQuery<{ id: string; version: number; seq: number }>(
      location,
      'SELECT id, version, seq FROM record_versions ORDER BY seq',
    );
    expect(versions).toHaveLength(all.length);
    expect(versions.map((v) => Number(v.version))).toEqual(all.map(() => 1));
    expect(versions.map((v) => Number(v.seq))).toEqual(all.map((_, i) => i + 1));
    expect(await consumer.head()).toBe(all.length);

    // Each original and its copy: exactly one canonical, the other pointing at it.
    const idOf = (spec: RecordSpec) => makeRecord(spec).id;
    const state = new Map(
      (await Promise.all(all.map((s) => consumer?.getRecord(idOf(s))))).map((r) => [r?.id, r]),
    );
    for (const copy of [...copiesB, ...copiesC]) {
      const a = state.get(idOf({ seed: copy.seed, site: 'a.example' }));
      const c = state.get(idOf(copy));
      const canonical = [a, c].filter((r) => r?.duplicate_of === null);
      expect(canonical).toHaveLength(1);
      const other = a === canonical[0] ? c : a;
      expect(other?.duplicate_of).toBe(canonical[0]?.id);
    }
    const canonicalIds = [...state.values()].filter((r) => r?.duplicate_of === null).map((r) => r?.id);
    expect(canonicalIds).toHaveLength(originals.length);

    // The consumer saw every canonical record exactly once, in cursor order.
    expect(seen.map((r) => r.seq)).toEqual([...seen.map((r) => r.seq)].sort((x, y) => x - y));
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    expect(seen.map((r) => r.id).sort()).toEqual([...canonicalIds].sort());
  }, 120_000);

  it('a consumer paging while records are published and updated misses nothing', async () => {
    const location = await factory.location(backend);
    const publishers = await Promise.all(
      [1, 2, 3].map(async () => createPublisher(await factory.open(location))),
    );
    const consumer = await factory.open(location);
    const specs = Array.from({ length: 45 }, (_, i) => ({ seed: 200 + i, site: `s${i % 3}.example` }));
    const updates = specs.slice(0, 9).map((s) => ({ ...s, titleSuffix: '（修订版）' }));
    let finished = false;
    const publishing = (async () => {
      await Promise.all(
        publishers.map(async (publisher, p) => {
          for (const spec of specs.filter((_, i) => i % 3 === p)) await publisher.publish(makeRecord(spec));
          for (const spec of updates.filter((_, i) => i % 3 === p)) await publisher.publish(makeRecord(spec));
        }),
      );
      finished = true;
    })();
    const seen = await drain(consumer, { limit: 4, finished: () => finished });
    await publishing;

    expect(seen.map((r) => r.seq)).toEqual([...seen.map((r) => r.seq)].sort((x, y) => x - y));
    const updated = new Set(updates.map((s) => makeRecord(s).id));
    for (const spec of specs) {
      const id = makeRecord(spec).id;
      const times = seen.filter((r) => r.id === id);
      // Seen once; a record that changed may be seen twice, the last time in its latest version.
      if (updated.has(id)) {
        expect(times.length).toBeGreaterThanOrEqual(1);
        expect(times.length).toBeLessThanOrEqual(2);
        expect(times.at(-1)?.version).toBe(2);
      } else expect(times.map((r) => r.version)).toEqual([1]);
    }
    expect(await consumer.head()).toBe(specs.length + updates.length);
  }, 120_000);
});
