/**
 * Store once, convert on read (src/publish/README.md, "Scripts: stored once, converted on read"):
 * the queue stores a record's text in Simplified, the normalizer's own form, with the script it is
 * read in by default (`feed_script`), and the feed, the dashboard and search convert it when they
 * read it. On SQLite and PostgreSQL:
 *
 * - a Traditional page (seed 000, a Taiwan-style farm page with pinyin, garbled runs and gaps) is
 *   stored once and read in every script exactly as the normalizer writes it in that script;
 * - a version stored by an earlier release (text in the script it is read in, no `feed_script`) is
 *   read as before, and the same page published again in Simplified writes no version;
 * - search finds the Simplified text by what a reader types in Traditional, and lists its title in
 *   the record's script;
 * - over HTTP, the feed serves it in the record's script by default and in any `script=` asked.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { draftDocument, finalizeRecord } from '../../src/normalize/index.js';
import { type FeedItem, toFeedItem } from '../../src/publish/feed/items.js';
import { buildFeedServer } from '../../src/publish/feed/server.js';
import { createPublisher } from '../../src/publish/publisher.js';
import type { CleanRecord } from '../../src/records/clean.js';
import { SCRIPTS } from '../../src/records/scripts.js';
import { BACKENDS, PG_URL, StoreFactory, type StoreLocation } from './support/stores.js';

const SEED = new URL('../../../shared/seeds/000_825b8516aba863a0.txt', import.meta.url);
const draft = draftDocument({ url: 'https://farm.example/000.html', body: readFileSync(SEED) });

/** The text fields of a record, as a reader compares them. */
function textOf(record: CleanRecord) {
  const { title, category, paragraphs, unresolved, content_hash, script } = record;
  return { title, category, paragraphs, unresolved, content_hash, script };
}

/** Runs `sql` against the store at `location` (a write: what an earlier release left behind). */
async function execute(location: StoreLocation, sql: string): Promise<void> {
  if (location.backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(location.url.slice('sqlite:'.length));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${location.schema}"`);
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.each(BACKENDS)('scripts on %s: stored once, converted on read', (backend) => {
  const factory = new StoreFactory();
  afterAll(() => factory.cleanup());

  it('stores a Traditional page in Simplified and reads it in every script as the normalizer writes it', async () => {
    expect(draft.script).not.toBe('hans');
    const store = await factory.fresh(backend);
    const publisher = await createPublisher(store);
    const hans = finalizeRecord(draft, 'hans');
    const published = await publisher.publish(hans, null, { feedScript: 'tw' });
    expect(published.outcome).toBe('created');

    const stored = await store.getRecord(hans.id);
    if (!stored) throw new Error('not stored');
    // Stored once, in Simplified, with the script it is read in.
    expect(stored.script).toBe('hans');
    expect(stored.feed_script).toBe('tw');
    expect(stored.paragraphs).toEqual(hans.paragraphs);
    // Read in every script: what `finfaq normalize --to SCRIPT` writes for the page.
    for (const script of SCRIPTS)
      expect(textOf(toFeedItem(stored, script)), script).toEqual(textOf(finalizeRecord(draft, script)));
    // With no script asked for: the record's own.
    expect(textOf(toFeedItem(stored))).toEqual(textOf(finalizeRecord(draft, 'tw')));
    // The content hash is over the canonical Simplified text, whatever the script.
    expect(stored.content_hash).toBe(finalizeRecord(draft, 'tw').content_hash);

    // Again: nothing changed. Read in another script by default: a new version (and feed position).
    expect((await publisher.publish(hans, null, { feedScript: 'tw' })).outcome).toBe('unchanged');
    const moved = await publisher.publish(hans, null, { feedScript: 'hk' });
    expect(moved.outcome).toBe('updated');
    const now = await store.getRecord(hans.id);
    expect(now?.feed_script).toBe('hk');
    expect(now && textOf(toFeedItem(now))).toEqual(textOf(finalizeRecord(draft, 'hk')));
  });

  it('reads a version an earlier release stored (text in its script, no feed_script) as before', async () => {
    const location = await factory.location(backend);
    const store = await factory.open(location);
    const publisher = await createPublisher(store);
    // What an earlier release stored: the record converted to the configured script before publish.
    const old = finalizeRecord(draft, 'tw');
    await publisher.publish(old);
    await execute(location, 'UPDATE record_versions SET feed_script = NULL');

    const stored = await store.getRecord(old.id);
    if (!stored) throw new Error('not stored');
    expect(stored.script).toBe('tw');
    expect(stored.feed_script).toBe('tw');
    expect(textOf(toFeedItem(stored))).toEqual(textOf(old));
    expect(toFeedItem(stored, 'hk').script).toBe('hk');
    expect(toFeedItem(stored, 'hans').paragraphs.join('')).toContain('随着互联网金融');

    // The same page again, from this release's queue: Simplified, read in tw. Nothing changed.
    const again = await publisher.publish(finalizeRecord(draft, 'hans'), null, { feedScript: 'tw' });
    expect(again.outcome).toBe('unchanged');
    expect(again.version).toBe(1);
    // A real change is a new version, stored in Simplified from then on.
    const changed = finalizeRecord({ ...draft, title: `${draft.title ?? ''}（更新）` }, 'hans');
    expect((await publisher.publish(changed, null, { feedScript: 'tw' })).outcome).toBe('updated');
    const now = await store.getRecord(old.id);
    expect(now?.script).toBe('hans');
    expect(now && toFeedItem(now).title).toBe(finalizeRecord({ ...draft, title: changed.title }, 'tw').title);
  });

  it('is served over HTTP in its script by default, and in the script= asked for', async () => {
    const store = await factory.fresh(backend);
    const publisher = await createPublisher(store);
    await publisher.publish(finalizeRecord(draft, 'hans'), null, { feedScript: 'tw' });
    const app = buildFeedServer(store, { publisher });
    try {
      const items = async (query: string) =>
        ((await app.inject({ method: 'GET', url: `/v1/records${query}` })).json() as { items: FeedItem[] })
          .items;
      const [plain] = await items('');
      expect(plain?.script).toBe('tw');
      expect(plain?.paragraphs).toEqual(finalizeRecord(draft, 'tw').paragraphs);
      for (const script of SCRIPTS) {
        const [item] = await items(`?script=${script}`);
        expect(item?.script).toBe(script);
        expect(item?.paragraphs).toEqual(finalizeRecord(draft, script).paragraphs);
      }
      const feed = (await app.inject({ method: 'GET', url: '/feed.json' })).json() as {
        items: { language: string }[];
      };
      expect(feed.items[0]?.language).toBe('zh-Hant-TW');
    } finally {
      await app.close();
    }
  });

  it('finds Simplified text typed in Traditional, and lists it in the script it is read in', async () => {
    const store = await factory.fresh(backend);
    const publisher = await createPublisher(store);
    const hans = finalizeRecord(draft, 'hans');
    await publisher.publish(hans, null, { feedScript: 'tw' });
    const found = await store.searchRecords({ text: '隨著互聯網金融', limit: 10, offset: 0 });
    expect(found.total).toBe(1);
    const [summary] = found.items;
    expect(summary?.script).toBe('tw');
    expect(summary?.title).toBe(finalizeRecord(draft, 'tw').title);
    expect(summary?.excerpt).toBe(finalizeRecord(draft, 'tw').paragraphs.join(' ').slice(0, 80));
  });
});
