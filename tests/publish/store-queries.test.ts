/**
 * The dashboard queries (`searchRecords`, `sourceTotals`, `publishedOverTime`, `listProfiles`,
 * `duplicatesOf`), run against SQLite and PostgreSQL alike on a handful of records published
 * through the publisher at fixed clock times (only `Date` is faked: `stored_at` comes from it).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { convertScript } from '../../src/normalize/script/convert.js';
import { createPublisher, type Publisher } from '../../src/publish/publisher.js';
import type { Store } from '../../src/publish/store/store.js';
import type { PublishResult, RecordSearch } from '../../src/publish/types.js';
import type { CleanRecord } from '../../src/records/clean.js';
import type { Repair } from '../../src/records/repairs.js';
import { makeRecord } from './support/records.js';
import { BACKENDS, StoreFactory } from './support/stores.js';

const NOTICE = '关于贷款逾期记录的说明。';
const RATE = '特别提示：年化费率9%，逾期3天起算。';
const missingWord = (paragraph: number): Repair => ({
  kind: 'missing-word',
  paragraph,
  before: '',
  after: '电话',
  confidence: 0.8,
});

/** Adds flags and repairs to a generated record. */
function withExtras(record: CleanRecord, flags: string[], repairs: Repair[] = []): CleanRecord {
  return { ...record, flags, repairs: [...record.repairs, ...repairs] };
}

const A = makeRecord({ seed: 1, site: 'a.example', extraParagraph: NOTICE });
/** A's copy in Taiwan Traditional on another site: a cross-script duplicate. */
const B = makeRecord({ seed: 1, site: 'b.example', script: 'tw', extraParagraph: NOTICE });
const C = withExtras(
  makeRecord({ seed: 2, site: 'a.example', extraParagraph: RATE }),
  ['possible-gap'],
  [missingWord(3)],
);
const D = withExtras(
  makeRecord({ seed: 3, site: 'c.example' }),
  ['possible-gap', 'unrepaired-mojibake'],
  [missingWord(2), missingWord(5)],
);
/** E's first version carries a flag and a repair kind that its second (current) version does not. */
const E1 = withExtras(
  makeRecord({ seed: 4, site: 'c.example' }),
  ['possible-gap'],
  [{ kind: 'boilerplate', paragraph: -1, before: '本站声明', after: '', confidence: 1 }],
);
const E2 = makeRecord({ seed: 4, site: 'c.example', titleSuffix: '（修订版）' });

/** What is published when (`stored_at`). */
const TIMELINE: [string, CleanRecord][] = [
  ['2024-05-01T10:15:00.000Z', A],
  ['2024-05-01T10:20:00.000Z', B],
  ['2024-05-01T10:59:59.999Z', C],
  ['2024-05-01T11:00:00.000Z', D],
  ['2024-05-02T00:30:00.000Z', E1],
  ['2024-05-02T09:00:00.000Z', E2],
];

/** Publishes each record with the clock set to its time. */
async function publishTimeline(publisher: Publisher): Promise<PublishResult[]> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    const results: PublishResult[] = [];
    for (const [time, record] of TIMELINE) {
      vi.setSystemTime(new Date(time));
      results.push(await publisher.publish(record));
    }
    return results;
  } finally {
    vi.useRealTimers();
  }
}

/** A store on `backend` holding `TIMELINE`, set up before the calling block, dropped after it. */
function timelineStore(backend: (typeof BACKENDS)[number]) {
  const factory = new StoreFactory();
  const timeline = { store: undefined as unknown as Store };
  afterAll(() => factory.cleanup());

  beforeAll(async () => {
    timeline.store = await factory.fresh(backend);
    const results = await publishTimeline(await createPublisher(timeline.store));
    expect(results.map((r) => [r.id, r.version, r.duplicateOf])).toEqual([
      [A.id, 1, null],
      [B.id, 1, A.id],
      [C.id, 1, null],
      [D.id, 1, null],
      [E1.id, 1, null],
      [E1.id, 2, null],
    ]);
  }, 60_000);

  const search = async (query: Partial<RecordSearch>) => {
    const result = await timeline.store.searchRecords({ limit: 50, offset: 0, ...query });
    return { total: result.total, ids: result.items.map((i) => i.id) };
  };

  return { factory, timeline, search };
}

describe.each(BACKENDS)('store queries on %s: search', (backend) => {
  const { timeline, search } = timelineStore(backend);
  let store: Store;
  beforeAll(() => {
    store = timeline.store;
  });

  it('lists current versions newest first, a page at a time, with their summary', async () => {
    expect(await search({})).toEqual({ total: 5, ids: [E2.id, D.id, C.id, B.id, A.id] });
    expect(await search({ limit: 2, offset: 1 })).toEqual({ total: 5, ids: [D.id, C.id] });
    expect(await search({ limit: 2, offset: 10 })).toEqual({ total: 5, ids: [] });

    const { items } = await store.searchRecords({ limit: 10, offset: 0 });
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(A.id)).toEqual({
      id: A.id,
      version: 1,
      url: A.url,
      source: 'a.example',
      title: A.title,
      category: A.category,
      published_at: A.published_at,
      script: 'hans',
      stored_at: '2024-05-01T10:15:00.000Z',
      duplicate_of: null,
      flags: [],
      repairs: { punctuation: 1 },
      excerpt: [...A.paragraphs.join(' ')].slice(0, 80).join(''),
    });
    expect(byId.get(A.id)?.excerpt).toHaveLength(80);
    expect(byId.get(B.id)).toMatchObject({ script: 'tw', duplicate_of: A.id });
    expect(byId.get(C.id)).toMatchObject({
      flags: ['possible-gap'],
      repairs: { punctuation: 1, pinyin: 1, 'missing-word': 1 },
    });
    expect(byId.get(D.id)?.repairs).toEqual({ punctuation: 1, 'missing-word': 2 });
    // E: its current version only.
    expect(byId.get(E2.id)).toMatchObject({
      version: 2,
      title: E2.title,
      flags: [],
      repairs: { punctuation: 1, pinyin: 1 },
      stored_at: '2024-05-02T09:00:00.000Z',
    });
  });

  it('finds text typed in either script, in records of either script', async () => {
    const typedTraditional = '關於貸款逾期記錄';
    expect(convertScript(typedTraditional, 'tw', 'hans')).toBe('关于贷款逾期记录');
    // A is stored in Simplified, B in Traditional: both are found whichever script is typed.
    expect(await search({ text: typedTraditional })).toEqual({ total: 2, ids: [B.id, A.id] });
    expect(await search({ text: '关于贷款逾期记录' })).toEqual({ total: 2, ids: [B.id, A.id] });
    // In the title too (E's current title only).
    expect(await search({ text: '（修訂版）' })).toEqual({ total: 1, ids: [E2.id] });
    expect(await search({ text: '没有这样的句子' })).toEqual({ total: 0, ids: [] });
  });

  it('matches %, _ and \\ literally', async () => {
    expect(await search({ text: '费率9%，逾' })).toEqual({ total: 1, ids: [C.id] });
    // As wildcards these would match C's '9%，逾'.
    expect(await search({ text: '9%逾' })).toEqual({ total: 0, ids: [] });
    expect(await search({ text: '9%_逾' })).toEqual({ total: 0, ids: [] });
    expect(await search({ text: '费率_%' })).toEqual({ total: 0, ids: [] });
    expect(await search({ text: '费率\\9%' })).toEqual({ total: 0, ids: [] });
    expect(await search({ text: "'); DROP TABLE records; --" })).toEqual({ total: 0, ids: [] });
    expect((await search({})).total).toBe(5);
  });

  it('combines the source, flag, repair-kind and duplicate filters', async () => {
    expect(await search({ source: 'c.example' })).toEqual({ total: 2, ids: [E2.id, D.id] });
    // E's first version was flagged and had a boilerplate repair; its current version has neither.
    expect(await search({ flag: 'possible-gap' })).toEqual({ total: 2, ids: [D.id, C.id] });
    expect(await search({ flag: 'unrepaired-mojibake' })).toEqual({ total: 1, ids: [D.id] });
    expect(await search({ repairKind: 'missing-word' })).toEqual({ total: 2, ids: [D.id, C.id] });
    expect(await search({ repairKind: 'boilerplate' })).toEqual({ total: 0, ids: [] });
    expect(await search({ repairKind: 'pinyin' })).toEqual({ total: 2, ids: [E2.id, C.id] });
    expect(await search({ source: 'a.example', flag: 'possible-gap', repairKind: 'missing-word' })).toEqual({
      total: 1,
      ids: [C.id],
    });
    expect(await search({ source: 'c.example', flag: 'possible-gap', repairKind: 'pinyin' })).toEqual({
      total: 0,
      ids: [],
    });
    expect(await search({ duplicates: 'only' })).toEqual({ total: 1, ids: [B.id] });
    expect(await search({ duplicates: 'exclude' })).toEqual({
      total: 4,
      ids: [E2.id, D.id, C.id, A.id],
    });
    expect(await search({ duplicates: 'include', source: 'b.example' })).toEqual({ total: 1, ids: [B.id] });
    expect(await search({ duplicates: 'exclude', text: '關於貸款' })).toEqual({ total: 1, ids: [A.id] });
    expect(await search({ duplicates: 'only', text: '关于贷款' })).toEqual({ total: 1, ids: [B.id] });
    expect(await search({ duplicates: 'only', source: 'a.example' })).toEqual({ total: 0, ids: [] });
    expect(await search({ source: "a.example' OR '1'='1" })).toEqual({ total: 0, ids: [] });
    // Empty filters filter nothing.
    expect((await search({ text: '', source: '', flag: '', repairKind: '' })).total).toBe(5);
  });
});

describe.each(BACKENDS)('store queries on %s: totals and buckets', (backend) => {
  const { timeline } = timelineStore(backend);
  let store: Store;
  beforeAll(() => {
    store = timeline.store;
  });

  it('totals each source: current records, duplicates, all versions, current repairs and flags', async () => {
    expect(await store.sourceTotals()).toEqual([
      {
        source: 'a.example',
        records: 2,
        duplicates: 0,
        versions: 2,
        last_stored_at: '2024-05-01T10:59:59.999Z',
        repairs: { punctuation: 2, pinyin: 1, 'missing-word': 1 },
        flags: { 'possible-gap': 1 },
      },
      {
        source: 'b.example',
        records: 1,
        duplicates: 1,
        versions: 1,
        last_stored_at: '2024-05-01T10:20:00.000Z',
        repairs: { punctuation: 1 },
        flags: {},
      },
      {
        source: 'c.example',
        records: 2,
        duplicates: 0,
        versions: 3,
        last_stored_at: '2024-05-02T09:00:00.000Z',
        repairs: { punctuation: 2, pinyin: 1, 'missing-word': 2 },
        flags: { 'possible-gap': 1, 'unrepaired-mojibake': 1 },
      },
    ]);
  });

  it('counts versions written per hour and per day and source, oldest first', async () => {
    expect(await store.publishedOverTime({ bucket: 'hour' })).toEqual([
      { bucket: '2024-05-01T10:00:00.000Z', source: 'a.example', versions: 2 },
      { bucket: '2024-05-01T10:00:00.000Z', source: 'b.example', versions: 1 },
      { bucket: '2024-05-01T11:00:00.000Z', source: 'c.example', versions: 1 },
      { bucket: '2024-05-02T00:00:00.000Z', source: 'c.example', versions: 1 },
      { bucket: '2024-05-02T09:00:00.000Z', source: 'c.example', versions: 1 },
    ]);
    expect(await store.publishedOverTime({ bucket: 'day' })).toEqual([
      { bucket: '2024-05-01T00:00:00.000Z', source: 'a.example', versions: 2 },
      { bucket: '2024-05-01T00:00:00.000Z', source: 'b.example', versions: 1 },
      { bucket: '2024-05-01T00:00:00.000Z', source: 'c.example', versions: 1 },
      { bucket: '2024-05-02T00:00:00.000Z', source: 'c.example', versions: 2 },
    ]);
    // `since` keeps versions stored at or after it, in whatever ISO form or offset it is given.
    expect(await store.publishedOverTime({ bucket: 'day', since: '2024-05-01T19:00:00+08:00' })).toEqual([
      { bucket: '2024-05-01T00:00:00.000Z', source: 'c.example', versions: 1 },
      { bucket: '2024-05-02T00:00:00.000Z', source: 'c.example', versions: 2 },
    ]);
    expect(await store.publishedOverTime({ bucket: 'hour', since: '2024-05-02' })).toEqual([
      { bucket: '2024-05-02T00:00:00.000Z', source: 'c.example', versions: 1 },
      { bucket: '2024-05-02T09:00:00.000Z', source: 'c.example', versions: 1 },
    ]);
    expect(await store.publishedOverTime({ bucket: 'hour', since: '2030-01-01T00:00:00Z' })).toEqual([]);
    await expect(store.publishedOverTime({ bucket: 'hour', since: 'yesterday' })).rejects.toThrow(RangeError);
    await expect(store.publishedOverTime({ bucket: 'week' as 'day' })).rejects.toThrow(/bucket must be/);
  });
});

describe.each(BACKENDS)('store queries on %s: duplicates, profiles, hostile JSON', (backend) => {
  const { factory, timeline } = timelineStore(backend);
  let store: Store;
  beforeAll(() => {
    store = timeline.store;
  });

  it('lists the current duplicates of a record, across scripts', async () => {
    expect(await store.duplicatesOf(A.id)).toEqual([{ id: B.id, url: B.url, source: 'b.example' }]);
    expect(await store.duplicatesOf(C.id)).toEqual([]);
    expect(await store.duplicatesOf('no-such-id')).toEqual([]);
  });

  it('lists every source profile, sorted by source', async () => {
    const empty = await factory.fresh(backend);
    expect(await empty.listProfiles()).toEqual([]);
    for (const source of ['z.example', 'a.example', 'B.example'])
      await empty.updateProfile<{ words: string[] }>(source, () => ({ words: [source.slice(0, 1)] }));
    await empty.updateProfile<{ words: string[] }>('a.example', (old) => ({
      words: [...(old?.words ?? []), '电话'],
    }));
    await expect(
      empty.updateProfile('new.example', () => {
        throw new Error('bad profile');
      }),
    ).rejects.toThrow('bad profile');
    const profiles = await empty.listProfiles<{ words: string[] }>();
    expect(profiles.map((p) => [p.source, p.revision, p.profile])).toEqual([
      ['B.example', 1, { words: ['B'] }],
      ['a.example', 2, { words: ['a', '电话'] }],
      ['z.example', 1, { words: ['z'] }],
    ]);
    expect(profiles[1]).toEqual(await empty.getProfile('a.example'));
    // The empty store's queries answer with nothing rather than failing.
    expect(await empty.searchRecords({ limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
    expect(await empty.sourceTotals()).toEqual([]);
    expect(await empty.publishedOverTime({ bucket: 'day' })).toEqual([]);
  });

  // The paragraph's NUL and lone surrogate are taken out as the record is published (two more
  // repairs), the repair's stay escaped in its JSON.
  it('reads records whose JSON holds NUL and lone-surrogate escapes', async () => {
    const hostile = await factory.fresh(backend);
    const base = makeRecord({ seed: 5, site: 'evil.example' });
    const record: CleanRecord = {
      ...base,
      paragraphs: ['危险字符前\u0000后\ud800尾', ...base.paragraphs],
      repairs: [{ kind: 'html', paragraph: 0, before: '\u0000\udfff', after: '', confidence: 1 }],
      flags: ['possible-gap'],
    };
    await (await createPublisher(hostile)).publish(record);
    const { items } = await hostile.searchRecords({ text: '危险字符前', limit: 5, offset: 0 });
    expect(items.map((i) => [i.id, i.repairs])).toEqual([[record.id, { html: 2, charset: 1 }]]);
    expect(items[0]?.excerpt.startsWith('危险字符前')).toBe(true);
    expect(
      (await hostile.searchRecords({ repairKind: 'html', flag: 'possible-gap', limit: 5, offset: 0 })).total,
    ).toBe(1);
    expect(await hostile.sourceTotals()).toMatchObject([
      { source: 'evil.example', records: 1, repairs: { html: 2, charset: 1 }, flags: { 'possible-gap': 1 } },
    ]);
  });
});
