/**
 * Text both stores keep alike. PostgreSQL refuses a NUL character in a TEXT value, and the two
 * drivers turn a lone UTF-16 surrogate into different replacement characters (pg one U+FFFD,
 * better-sqlite3 three), so what reaches a text column is made storable first, the same way for
 * both backends:
 *
 * - C0 control characters other than tab, line feed and carriage return are removed;
 * - a lone surrogate becomes U+FFFD.
 *
 * In a record's title, category and paragraphs each change is recorded as a repair (`html` for
 * removed controls, as the normalizer's control-code stage records them; `charset` for replaced
 * surrogates), one per field and kind, whose `before` holds what was removed or replaced. JSON
 * columns (`repairs`, `flags`) keep their strings escaped, identically in both stores, and need
 * nothing. Removing controls never changes `content_hash` (it hashes letters and digits only).
 *
 *   storableText('a\u0000b\ud800')  → 'ab\ufffd'
 */
import type { CleanRecord } from '../../records/clean.js';
import type { Repair } from '../../records/repairs.js';
import type { RawSnapshot } from '../types.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether `text` holds anything `storableText` would change. */
export function needsCleaning(text: string): boolean {
  CONTROLS.lastIndex = 0;
  LONE_SURROGATE.lastIndex = 0;
  return CONTROLS.test(text) || LONE_SURROGATE.test(text);
}

/** `text` without C0 controls (but tab, LF, CR) and with lone surrogates as U+FFFD. */
export function storableText(text: string): string {
  return text.replace(CONTROLS, '').replace(LONE_SURROGATE, '\ufffd');
}

/** `storableText` for nullable columns. */
function storable(text: string | null): string | null {
  return text === null ? null : storableText(text);
}

/** Repairs for making one field storable, and the field's new text. */
function cleanField(text: string, paragraph: number, repairs: Repair[]): string {
  if (!needsCleaning(text)) return text;
  const controls = text.match(CONTROLS);
  if (controls)
    repairs.push({ kind: 'html', paragraph, before: controls.join(''), after: '', confidence: 1 });
  const surrogates = text.match(LONE_SURROGATE);
  if (surrogates)
    repairs.push({
      kind: 'charset',
      paragraph,
      before: surrogates.join(''),
      after: '\ufffd'.repeat(surrogates.length),
      confidence: 1,
    });
  return storableText(text);
}

/**
 * The record as both stores keep it: title, category and paragraphs cleaned with recorded
 * repairs; url, source and date cleaned silently (a URL's controls are percent-encoded). The
 * same record when nothing needed cleaning.
 */
export function storableRecord(record: CleanRecord): CleanRecord {
  const plain = [
    record.url,
    record.source,
    record.published_at ?? '',
    record.title ?? '',
    record.category ?? '',
  ];
  if (!plain.some(needsCleaning) && !record.paragraphs.some(needsCleaning)) return record;
  const repairs: Repair[] = [];
  const title = record.title === null ? null : cleanField(record.title, -1, repairs);
  const category = record.category === null ? null : cleanField(record.category, -1, repairs);
  const paragraphs = record.paragraphs.map((text, i) => cleanField(text, i, repairs));
  return {
    ...record,
    url: record.url
      .replace(CONTROLS, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`)
      .replace(LONE_SURROGATE, '%EF%BF%BD'),
    source: storableText(record.source),
    published_at: storable(record.published_at),
    title,
    category,
    paragraphs,
    repairs: repairs.length > 0 ? [...record.repairs, ...repairs] : record.repairs,
  };
}

/** The raw page as both stores keep it (its text cleaned as `storableText` does). */
export function storableRaw(raw: RawSnapshot): RawSnapshot {
  return {
    ...raw,
    text: storableText(raw.text),
    ...(raw.content_type != null ? { content_type: storableText(raw.content_type) } : {}),
    ...(raw.fetched_at != null ? { fetched_at: storableText(raw.fetched_at) } : {}),
  };
}
