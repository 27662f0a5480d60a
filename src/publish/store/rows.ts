/** Row ↔ object mapping shared by both backends (JSON columns are TEXT in both). */

import type { Unresolved } from '../../records/repairs.js';
import type { Script } from '../../records/scripts.js';
import type { AlsoOn, SourceProfile, StoredRecord } from '../types.js';

/**
 * Columns of `record_versions` as selected by both backends (`v.*`): a stored record with its
 * JSON columns as text, `seq` as PostgreSQL's bigint arrives (a string), and no `also_on`.
 */
export type VersionDbRow = Omit<
  StoredRecord,
  'script' | 'feed_script' | 'paragraphs' | 'repairs' | 'flags' | 'unresolved' | 'seq' | 'also_on'
> & {
  script: string;
  /** NULL in versions stored before migration 4: read in the script their text is in. */
  feed_script: string | null;
  paragraphs: string;
  repairs: string;
  flags: string;
  unresolved: string;
  seq: number | string;
};

export const VERSION_COLUMNS =
  'v.id, v.version, v.seq, v.url, v.source, v.title, v.category, v.published_at, v.script, v.feed_script, ' +
  'v.paragraphs, v.repairs, v.flags, v.unresolved, v.content_hash, v.duplicate_of, v.similarity, v.stored_at';

export function toStoredRecord(row: VersionDbRow): StoredRecord {
  return {
    id: row.id,
    url: row.url,
    source: row.source,
    title: row.title,
    category: row.category,
    published_at: row.published_at,
    script: row.script as Script,
    feed_script: (row.feed_script ?? row.script) as Script,
    paragraphs: JSON.parse(row.paragraphs) as string[],
    repairs: JSON.parse(row.repairs),
    flags: JSON.parse(row.flags) as string[],
    unresolved: JSON.parse(row.unresolved) as Unresolved[],
    content_hash: row.content_hash,
    duplicate_of: row.duplicate_of,
    similarity: row.similarity === null ? null : Number(row.similarity),
    version: Number(row.version),
    seq: Number(row.seq),
    stored_at: row.stored_at,
    also_on: [],
  };
}

/** A `source_profiles` row: the profile is JSON text. */
export interface ProfileDbRow {
  source: string;
  profile: string;
  revision: number;
  updated_at: string;
}

export function toProfile<T>(row: ProfileDbRow): SourceProfile<T> {
  return {
    source: row.source,
    profile: JSON.parse(row.profile) as T,
    revision: row.revision,
    updated_at: row.updated_at,
  };
}

export interface AlsoOnDbRow extends AlsoOn {
  duplicate_of: string;
}

/** Fills `also_on` of each item from rows of (duplicate_of, id, url, source), in row order. */
export function attachAlsoOn(items: StoredRecord[], rows: readonly AlsoOnDbRow[]): StoredRecord[] {
  const byCanonical = new Map<string, AlsoOn[]>();
  for (const row of rows) {
    const list = byCanonical.get(row.duplicate_of) ?? [];
    list.push({ id: row.id, url: row.url, source: row.source });
    byCanonical.set(row.duplicate_of, list);
  }
  for (const item of items) if (item.duplicate_of === null) item.also_on = byCanonical.get(item.id) ?? [];
  return items;
}

export function statsFromRows(rows: readonly { name: string; value: number | string }[], head: number) {
  const values = new Map(rows.map((r) => [r.name, Number(r.value)]));
  const prefixed = (prefix: string) =>
    Object.fromEntries(
      [...values]
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, v]) => [name.slice(prefix.length), v]),
    );
  return {
    records: values.get('records') ?? 0,
    duplicates: values.get('duplicates') ?? 0,
    versions: values.get('versions') ?? 0,
    head,
    published: prefixed('published.'),
    repairs: prefixed('repairs.'),
  };
}
