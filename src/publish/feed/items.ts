/**
 * Feed items: the clean record of CONTRACT.md plus `duplicate_of`, and these extensions:
 * `also_on` (records that duplicate this one: id, url, source), `version`, `cursor` (this item's
 * position: pass it as `after` to continue after it; SSE event id), `stored_at`, `similarity`.
 * Text fields are converted from the script they are stored in (`record.script`: Simplified for
 * what the queue publishes) to the requested script, by default the record's `feed_script` (the
 * sources file's `output.script`), here and nowhere before; `repairs[].before/after` stay in the
 * source's script (they describe the page as it was).
 */
import { convertKeepingUnresolved, convertLines, convertScript } from '../../normalize/index.js';
import type { CleanRecord } from '../../records/clean.js';
import type { Script } from '../../records/scripts.js';
import type { AlsoOn, StoredRecord } from '../types.js';

export interface FeedItem extends CleanRecord {
  duplicate_of: string | null;
  also_on: AlsoOn[];
  version: number;
  cursor: string;
  stored_at: string;
  similarity: number | null;
}

export function formatCursor(seq: number): string {
  return String(seq);
}

export function toFeedItem(record: StoredRecord, script?: Script): FeedItem {
  const to = script ?? record.feed_script;
  const convert = (text: string) => convertScript(text, record.script, to);
  // Garbled runs left in place are not text to convert: only what lies between them is.
  const text = convertKeepingUnresolved(record, (lines) => convertLines(lines, convert));
  return {
    id: record.id,
    url: record.url,
    source: record.source,
    title: text.title,
    category: record.category === null ? null : convert(record.category),
    published_at: record.published_at,
    script: to,
    paragraphs: text.paragraphs,
    repairs: record.repairs,
    flags: record.flags,
    unresolved: text.unresolved,
    content_hash: record.content_hash,
    duplicate_of: record.duplicate_of,
    also_on: record.also_on,
    version: record.version,
    cursor: formatCursor(record.seq),
    stored_at: record.stored_at,
    similarity: record.similarity,
  };
}
