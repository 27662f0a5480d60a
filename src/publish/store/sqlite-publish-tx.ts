/**
 * One publish's steps (publish-tx.ts `PublishTx`) on SQLite, inside the store's `BEGIN IMMEDIATE`
 * transaction: statements prepared once on the writer connection, run one at a time.
 */
import type Database from 'better-sqlite3';
import {
  type Candidate,
  type Head,
  type IndexEntries,
  type LookupQuery,
  type LookupResult,
  type PublishTx,
  type VersionWrite,
  versionColumns,
} from './publish-tx.js';

export class SqlitePublishTx implements PublishTx {
  /** `w(sql)`: the writer connection's prepared statement for `sql`. */
  constructor(private readonly w: (sql: string) => Database.Statement) {}

  // BEGIN IMMEDIATE holds the only write lock: the record and the dedupe keys are locked already.
  async lockKeys(): Promise<void> {}

  async head(id: string): Promise<Head | null> {
    const row = this.w(
      `SELECT r.doc, r.id, r.version, r.seq, r.first_seq, r.feed_seq, r.duplicate_of, v.similarity,
              r.content_hash, r.title, r.category, r.published_at, v.paragraphs, v.script,
              coalesce(v.feed_script, v.script) AS feed_script
       FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version WHERE r.id = ?`,
    ).get(id) as (Omit<Head, 'paragraphs'> & { paragraphs: string }) | undefined;
    return row ? { ...row, paragraphs: JSON.parse(row.paragraphs) as string[] } : null;
  }

  async lookup({ exactHash, keys, excludeId, excludeDoc, limit }: LookupQuery): Promise<LookupResult> {
    const exact = this.w(
      'SELECT e.id, r.first_seq FROM dedupe_exact e JOIN records r ON r.id = e.id WHERE e.hash = ? AND e.id <> ?',
    ).get(exactHash, excludeId) as { id: string; first_seq: number } | undefined;
    if (exact || keys.length === 0) return { exact: exact ?? null, candidates: [] };
    const candidates = this.w(
      `WITH c AS (
         SELECT doc, count(*) AS shared FROM dedupe_bands
         WHERE key IN (SELECT value FROM json_each(?)) AND doc <> ?
         GROUP BY doc ORDER BY shared DESC, doc LIMIT ?)
       SELECT r.doc, r.id, r.first_seq, r.exact_hash, c.shared
       FROM c JOIN records r ON r.doc = c.doc
       WHERE r.duplicate_of IS NULL AND r.exact_hash IS NOT NULL ORDER BY c.shared DESC, r.first_seq`,
    ).all(JSON.stringify(keys), excludeDoc, limit) as Candidate[];
    return { exact: null, candidates };
  }

  async paragraphs(docs: readonly number[]): Promise<Map<number, string[]>> {
    const rows = this.w(
      `SELECT r.doc, v.paragraphs FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
       WHERE r.doc IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(docs)) as { doc: number; paragraphs: string }[];
    return new Map(rows.map((r) => [r.doc, JSON.parse(r.paragraphs) as string[]]));
  }

  async reindex(known: number | null, id: string, remove: IndexEntries, add: IndexEntries): Promise<number> {
    const doc =
      known ?? (this.w('SELECT coalesce(max(doc), 0) + 1 AS doc FROM records').get() as { doc: number }).doc;
    const del = this.w('DELETE FROM dedupe_bands WHERE key = ? AND doc = ?');
    for (const key of remove.keys) del.run(key, doc);
    if (remove.exactHash)
      this.w('DELETE FROM dedupe_exact WHERE hash = ? AND id = ?').run(remove.exactHash, id);
    const insert = this.w('INSERT OR IGNORE INTO dedupe_bands (key, doc) VALUES (?, ?)');
    for (const key of add.keys) insert.run(key, doc);
    if (add.exactHash)
      this.w('INSERT OR IGNORE INTO dedupe_exact (hash, id) VALUES (?, ?)').run(add.exactHash, id);
    return doc;
  }

  async writeVersion(write: VersionWrite): Promise<number> {
    const { version: row, raw, doc, firstSeq, listed, previousFeedSeq, exactHash, stats } = write;
    const { last_seq: seq } = this.w(
      'UPDATE feed_counter SET last_seq = last_seq + 1 WHERE singleton = 1 RETURNING last_seq',
    ).get() as { last_seq: number };
    this.w(
      `INSERT INTO record_versions (id, version, seq, url, source, title, category, published_at, script,
         paragraphs, repairs, flags, content_hash, duplicate_of, similarity, stored_at, unresolved, feed_script)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.id,
      row.version,
      seq,
      ...versionColumns(row),
      JSON.stringify(row.unresolved ?? []),
      row.feed_script,
    );
    if (raw)
      this.w(
        'INSERT INTO record_raw (id, version, text, content_type, fetched_at) VALUES (?, ?, ?, ?, ?)',
      ).run(row.id, row.version, raw.text, raw.content_type ?? null, raw.fetched_at ?? null);
    this.w(
      `INSERT INTO records (doc, id, version, seq, first_seq, feed_seq, duplicate_of, url, source, title, category,
         published_at, content_hash, exact_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, seq = excluded.seq, feed_seq = excluded.feed_seq,
         duplicate_of = excluded.duplicate_of, url = excluded.url, source = excluded.source, title = excluded.title,
         category = excluded.category, published_at = excluded.published_at,
         content_hash = excluded.content_hash, exact_hash = excluded.exact_hash`,
    ).run(
      doc,
      row.id,
      row.version,
      seq,
      firstSeq ?? seq,
      listed ? seq : previousFeedSeq,
      row.duplicate_of,
      row.url,
      row.source,
      row.title,
      row.category,
      row.published_at,
      row.content_hash,
      exactHash,
    );
    const upsert = this.w(
      'INSERT INTO store_stats (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
    );
    for (const [name, delta] of stats) upsert.run(name, delta);
    return seq;
  }

  async repoint(from: string, to: string): Promise<number> {
    this.w(
      `UPDATE record_versions SET duplicate_of = ?
       WHERE (id, version) IN (SELECT id, version FROM records WHERE duplicate_of = ?)`,
    ).run(to, from);
    return this.w('UPDATE records SET duplicate_of = ? WHERE duplicate_of = ?').run(to, from).changes;
  }
}
