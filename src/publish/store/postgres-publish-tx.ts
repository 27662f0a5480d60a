/**
 * One publish's steps (publish-tx.ts `PublishTx`) on PostgreSQL, as few round trips: BEGIN + id
 * lock, head, key locks, lookup, reindex, write, COMMIT (the store sends BEGIN and COMMIT).
 */
import type pg from 'pg';
import {
  type Candidate,
  type Head,
  type IndexEntries,
  type LockKey,
  type LookupQuery,
  type LookupResult,
  type PublishTx,
  type VersionWrite,
  versionColumns,
} from './publish-tx.js';

/** A bigint or numeric column (which `pg` reads as a string) as a number. */
export function num(value: unknown): number {
  return Number(value);
}

export class PostgresPublishTx implements PublishTx {
  constructor(private readonly client: pg.PoolClient) {}

  async lockKeys(keys: readonly LockKey[]): Promise<void> {
    if (keys.length === 0) return;
    // unnest yields the rows in array order, so the locks are taken in the sorted order given.
    await this.client.query(
      'SELECT count(pg_advisory_xact_lock(c, o)) FROM unnest($1::int[], $2::int[]) AS k(c, o)',
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
  }

  async head(id: string): Promise<Head | null> {
    const { rows } = await this.client.query(
      `SELECT r.doc, r.id, r.version, r.seq, r.first_seq, r.feed_seq, r.duplicate_of, v.similarity,
              r.content_hash, r.title, r.category, r.published_at, v.paragraphs, v.script,
              coalesce(v.feed_script, v.script) AS feed_script
       FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version WHERE r.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      ...row,
      doc: num(row.doc),
      seq: num(row.seq),
      first_seq: num(row.first_seq),
      feed_seq: row.feed_seq === null ? null : num(row.feed_seq),
      paragraphs: JSON.parse(row.paragraphs) as string[],
    } as Head;
  }

  async lookup({ exactHash, keys, excludeId, excludeDoc, limit }: LookupQuery): Promise<LookupResult> {
    // The exact match, or (only when there is none) the near candidates, in one statement.
    const { rows } = await this.client.query(
      `WITH exact AS (
         SELECT e.id, r.first_seq FROM dedupe_exact e JOIN records r ON r.id = e.id
         WHERE e.hash = $1 AND e.id <> $2),
       c AS (
         SELECT doc, count(*) AS shared FROM dedupe_bands
         WHERE key = ANY($3::bigint[]) AND doc <> $4 AND NOT EXISTS (SELECT 1 FROM exact)
         GROUP BY doc ORDER BY shared DESC, doc LIMIT $5)
       SELECT true AS exact, NULL::bigint AS doc, id, first_seq, NULL AS exact_hash, 0::bigint AS shared FROM exact
       UNION ALL
       SELECT false, r.doc, r.id, r.first_seq, r.exact_hash, c.shared
       FROM c JOIN records r ON r.doc = c.doc
       WHERE r.duplicate_of IS NULL AND r.exact_hash IS NOT NULL`,
      [exactHash, excludeId, keys, excludeDoc, limit],
    );
    const exact = rows.find((r) => r.exact);
    if (exact) return { exact: { id: exact.id as string, first_seq: num(exact.first_seq) }, candidates: [] };
    const candidates = rows
      .map(
        (r): Candidate => ({
          doc: num(r.doc),
          id: r.id,
          first_seq: num(r.first_seq),
          shared: num(r.shared),
          exact_hash: r.exact_hash,
        }),
      )
      .sort((a, b) => b.shared - a.shared || a.first_seq - b.first_seq);
    return { exact: null, candidates };
  }

  async paragraphs(docs: readonly number[]): Promise<Map<number, string[]>> {
    const { rows } = await this.client.query(
      `SELECT r.doc, v.paragraphs FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
       WHERE r.doc = ANY($1::bigint[])`,
      [docs],
    );
    return new Map(rows.map((r) => [num(r.doc), JSON.parse(r.paragraphs) as string[]]));
  }

  async reindex(doc: number | null, id: string, remove: IndexEntries, add: IndexEntries): Promise<number> {
    // Disjoint removals and additions (see `minus` in publish-tx.ts): no row is both deleted
    // and inserted by this one statement.
    const { rows } = await this.client.query(
      `WITH d AS MATERIALIZED (SELECT coalesce($1::bigint, nextval('record_doc_seq')) AS doc),
       del_bands AS (DELETE FROM dedupe_bands WHERE doc = (SELECT doc FROM d) AND key = ANY($2::bigint[])),
       del_exact AS (DELETE FROM dedupe_exact WHERE hash = $3::text AND id = $4::text),
       add_bands AS (INSERT INTO dedupe_bands (key, doc) SELECT k, d.doc FROM unnest($5::bigint[]) AS k, d
                     ON CONFLICT DO NOTHING),
       add_exact AS (INSERT INTO dedupe_exact (hash, id) SELECT $6::text, $4::text WHERE $6::text IS NOT NULL
                     ON CONFLICT (hash) DO NOTHING)
       SELECT doc FROM d`,
      [doc, remove.keys, remove.exactHash, id, add.keys, add.exactHash],
    );
    return num(rows[0].doc);
  }

  async writeVersion(write: VersionWrite): Promise<number> {
    const { version: row, raw, doc, firstSeq, listed, previousFeedSeq, exactHash, stats } = write;
    // The counter row's lock is the last lock taken, held until COMMIT: see publish-tx.ts.
    const { rows } = await this.client.query(
      `WITH c AS (UPDATE feed_counter SET last_seq = last_seq + 1 WHERE singleton = 1 RETURNING last_seq),
       v AS (
         INSERT INTO record_versions (id, version, seq, url, source, title, category, published_at, script,
           paragraphs, repairs, flags, content_hash, duplicate_of, similarity, stored_at, unresolved, feed_script)
         SELECT $1::text, $2::int, c.last_seq, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,
           $9::text, $10::text, $11::text, $12::text, $13::text, $14::double precision, $15::text,
           $26::text, $27::text FROM c),
       raw AS (
         INSERT INTO record_raw (id, version, text, content_type, fetched_at)
         SELECT $1::text, $2::int, $16::text, $17::text, $18::text WHERE $16::text IS NOT NULL),
       h AS (
         INSERT INTO records (doc, id, version, seq, first_seq, feed_seq, duplicate_of, url, source, title,
           category, published_at, content_hash, exact_hash)
         SELECT $19::bigint, $1::text, $2::int, c.last_seq, coalesce($20::bigint, c.last_seq),
           CASE WHEN $21::boolean THEN c.last_seq ELSE $22::bigint END, $13::text, $3::text, $4::text,
           $5::text, $6::text, $7::text, $12::text, $23::text FROM c
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, seq = excluded.seq,
           feed_seq = excluded.feed_seq, duplicate_of = excluded.duplicate_of, url = excluded.url,
           source = excluded.source, title = excluded.title, category = excluded.category,
           published_at = excluded.published_at, content_hash = excluded.content_hash,
           exact_hash = excluded.exact_hash),
       s AS (
         INSERT INTO store_stats (name, value) SELECT * FROM unnest($24::text[], $25::bigint[])
         ON CONFLICT (name) DO UPDATE SET value = store_stats.value + excluded.value)
       SELECT last_seq FROM c`,
      [
        row.id,
        row.version,
        ...versionColumns(row),
        raw?.text ?? null,
        raw?.content_type ?? null,
        raw?.fetched_at ?? null,
        doc,
        firstSeq,
        listed,
        previousFeedSeq,
        exactHash,
        [...stats.keys()],
        [...stats.values()],
        JSON.stringify(row.unresolved ?? []),
        row.feed_script,
      ],
    );
    return num(rows[0].last_seq);
  }

  async repoint(from: string, to: string): Promise<number> {
    const { rows } = await this.client.query(
      `WITH r AS (UPDATE records SET duplicate_of = $2 WHERE duplicate_of = $1 RETURNING id, version),
       v AS (UPDATE record_versions v SET duplicate_of = $2 FROM r WHERE v.id = r.id AND v.version = r.version)
       SELECT count(*) AS n FROM r`,
      [from, to],
    );
    return num(rows[0]?.n ?? 0);
  }
}
