/**
 * Both stores accept the same text and keep it the same way: a page holding NUL and other C0
 * control characters (or lone surrogates) is stored by PostgreSQL as by SQLite, the characters
 * removed (surrogates replaced) and each change recorded as a repair. The pages are made here:
 * generated articles with control bytes put into the title, the body and the raw page.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeDocument, readDocument } from '../../src/normalize/pipeline.js';
import { createPublisher } from '../../src/publish/publisher.js';
import type { Store } from '../../src/publish/store/store.js';
import { storableText } from '../../src/publish/store/text.js';
import type { CleanRecord } from '../../src/records/clean.js';
import type { StoredRecord } from '../../src/records/stored.js';
import { generateArticle } from '../support/article-generator.js';
import { makeRecord } from './support/records.js';
import { StoreFactory } from './support/stores.js';

/** Every C0 control but tab, line feed and carriage return, DEL, and a lone surrogate of each kind. */
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter(
  (c) => !'\t\n\r'.includes(c),
);

/** A generated article as an HTML page with NUL and other control bytes in its title and body. */
function hostilePage(seed: number): { url: string; body: Buffer } {
  const article = generateArticle(seed);
  const dirty = (text: string, i: number) =>
    `${text.slice(0, 3)}${CONTROLS[i % CONTROLS.length]}\u0000${text.slice(3)}`;
  const html = [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<title>${dirty(article.title, 0)}</title></head><body><article>`,
    `<h1>${dirty(article.title, 1)}</h1>`,
    ...article.paragraphs.map((p, i) => `<p>${dirty(p, i + 2)}</p>`),
    '</article></body></html>',
  ].join('\n');
  return { url: `https://nul.example/article/${seed}.html`, body: Buffer.from(html, 'utf8') };
}

/** What both stores must agree on (the cursor and the time of storing aside). */
function comparable(record: StoredRecord | null | undefined) {
  if (!record) return null;
  const { seq: _seq, stored_at: _at, ...rest } = record;
  return rest;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const HAS_UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udfff]/;

describe('hostile text in both stores', () => {
  const factory = new StoreFactory();
  afterAll(() => factory.cleanup());

  async function both(): Promise<Store[]> {
    return [await factory.fresh('sqlite'), await factory.fresh('postgres')];
  }

  it('stores a page with NUL bytes in either store, the same way, with the raw page', async () => {
    const stores = await both();
    const { url, body } = hostilePage(71);
    const raw = { url, body, contentType: 'text/html' };
    const record = normalizeDocument(raw);
    const { page } = readDocument(raw);
    expect(page).toContain('\u0000');
    for (const store of stores) {
      const result = await (await createPublisher(store)).publish(record, {
        text: page,
        content_type: 'text/html',
      });
      expect(result).toMatchObject({ outcome: 'created', version: 1 });
    }
    const [sqlite, postgres] = await Promise.all(stores.map((s) => s.getRecord(record.id)));
    expect(comparable(postgres)).toEqual(comparable(sqlite));
    const [rawSqlite, rawPostgres] = await Promise.all(stores.map((s) => s.getRaw(record.id, 1)));
    expect(rawPostgres).toEqual(rawSqlite);
    expect(rawPostgres?.text).toBe(storableText(page));
    expect(rawPostgres?.text).not.toMatch(HAS_UNSTORABLE);
    expect(postgres?.paragraphs.join('')).not.toMatch(HAS_UNSTORABLE);
  });

  it('removes control characters as recorded repairs, replaces lone surrogates, the same in both', async () => {
    const stores = await both();
    const base = makeRecord({ seed: 72, site: 'ctl.example' });
    const record: CleanRecord = {
      ...base,
      url: 'https://ctl.example/a\u0000b.html',
      title: `标\u0000题\u001f${base.title}`,
      category: `分类\u0007\ud800`,
      paragraphs: [`第一段\u0000\u0001内容\udc00。`, ...base.paragraphs.slice(1), `尾\u000b段\t正常\r\n`],
    };
    const last = record.paragraphs.length - 1;
    const results = [];
    for (const store of stores) {
      const publisher = await createPublisher(store);
      results.push(await publisher.publish(record, { text: 'raw\u0000page\ud800' }));
      // The same record again is the same stored record: nothing written.
      expect((await publisher.publish(record)).outcome).toBe('unchanged');
    }
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    const [sqlite, postgres] = await Promise.all(stores.map((s) => s.getRecord(record.id)));
    expect(comparable(postgres)).toEqual(comparable(sqlite));
    expect(postgres).toMatchObject({
      url: 'https://ctl.example/a%00b.html',
      title: `标题${base.title}`,
      category: '分类\ufffd',
      content_hash: record.content_hash,
    });
    expect(postgres?.paragraphs[0]).toBe('第一段内容\ufffd。');
    expect(postgres?.paragraphs[last]).toBe('尾段\t正常\r\n');
    expect(postgres?.repairs.slice(base.repairs.length)).toEqual([
      { kind: 'html', paragraph: -1, before: '\u0000\u001f', after: '', confidence: 1 },
      { kind: 'html', paragraph: -1, before: '\u0007', after: '', confidence: 1 },
      { kind: 'charset', paragraph: -1, before: '\ud800', after: '\ufffd', confidence: 1 },
      { kind: 'html', paragraph: 0, before: '\u0000\u0001', after: '', confidence: 1 },
      { kind: 'charset', paragraph: 0, before: '\udc00', after: '\ufffd', confidence: 1 },
      { kind: 'html', paragraph: last, before: '\u000b', after: '', confidence: 1 },
    ]);
    const [rawSqlite, rawPostgres] = await Promise.all(stores.map((s) => s.getRaw(record.id, 1)));
    expect(rawPostgres).toEqual(rawSqlite);
    expect(rawPostgres?.text).toBe('rawpage\ufffd');

    // Looking things up with control characters in them answers alike, never an error.
    for (const store of stores) {
      expect((await store.getRecord(`${record.id}\u0000`))?.id).toBe(record.id);
      expect(await store.getRaw('\u0000', 1)).toBeNull();
      expect(await store.duplicatesOf('\u0000')).toEqual([]);
      expect(await store.getProfile('a\u0000')).toBeNull();
      const found = await store.searchRecords({
        text: '第一\u0000段',
        source: 'ctl\u0000.example',
        limit: 5,
        offset: 0,
      });
      expect(found.items.map((i) => i.id)).toEqual([record.id]);
    }
  });
});
