import { describe, expect, it } from 'vitest';
import { toRawRecord } from '../../src/crawl/index.js';
import { parseRawRecordLine, rawRecordSchema } from '../../src/records/raw.js';

describe('the raw record: one schema for what the crawl writes and the normalizer reads', () => {
  const page = {
    url: 'https://example.test/faq/1',
    body: new TextEncoder().encode('<p>你好</p>'),
    contentType: 'text/html; charset=utf-8',
    fetchedAt: new Date('2026-01-02T03:04:05Z'),
  };
  const source = { name: 'example', charset: 'gbk', selectors: { body: '.content' } };

  it('accepts every record the crawl writes, and reads its body back byte for byte', () => {
    const record = toRawRecord(page, source);
    expect(rawRecordSchema.safeParse(record).success).toBe(true);
    const document = parseRawRecordLine(JSON.stringify(record));
    expect(new TextDecoder().decode(document.body)).toBe('<p>你好</p>');
    expect(document).toMatchObject({
      url: page.url,
      source: 'example',
      contentType: page.contentType,
      fetchedAt: '2026-01-02T03:04:05.000Z',
      charset: 'gbk',
      selectors: { body: '.content' },
    });
  });

  it('refuses a record with no body, or with two', () => {
    expect(() => parseRawRecordLine(JSON.stringify({ url: page.url }))).toThrow(/exactly one of/);
    expect(() => parseRawRecordLine(JSON.stringify({ url: page.url, html: '<p>a</p>', text: 'a' }))).toThrow(
      /exactly one of/,
    );
  });
});
