/**
 * The PostgreSQL backend (`pg` pool). Publishes run in READ COMMITTED transactions that take
 * advisory locks (record id, dedupe keys) and the feed counter's row lock, in that order; see
 * publish-tx.ts for why this keeps versions unique, duplicates decided one at a time and the
 * cursor free of late commits. A transaction that still fails on a deadlock, serialization or
 * unique-key error is retried from the start.
 */
import pg from 'pg';
import { redactUrl } from '../../config/redact.js';
import type {
  AlsoOn,
  FeedPage,
  PublishedBucket,
  PublishResult,
  RawSnapshot,
  RecordSearch,
  RecordSearchResult,
  SourceProfile,
  SourceTotals,
  StoredRecord,
  StoreStats,
} from '../types.js';
import { MIGRATION_LOCK_CLASS, MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import { num, PostgresPublishTx } from './postgres-publish-tx.js';
import { hashKey, LOCK_RECORD, publishInTransaction } from './publish-tx.js';
import {
  bucketOf,
  EXCERPT_CHARS,
  mergeSourceTotals,
  type SearchDialect,
  SUMMARY_COLUMNS,
  type SummaryDbRow,
  searchWhere,
  sinceOf,
  toBucket,
  toSummary,
} from './queries.js';
import {
  type AlsoOnDbRow,
  attachAlsoOn,
  type ProfileDbRow,
  statsFromRows,
  toProfile,
  toStoredRecord,
  VERSION_COLUMNS,
  type VersionDbRow,
} from './rows.js';
import { type BandRebuild, type PublishInput, type Store, StoreError } from './store.js';
import { storableText } from './text.js';

export interface PostgresOptions {
  /** Schema to create (if missing) and use through `search_path`; default: the URL's own. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 5;

type Client = pg.PoolClient;

/**
 * A TEXT column of JSON as `json` that is safe to read as text: PostgreSQL refuses to turn a
 * `\u0000` or lone-surrogate escape into text (JSON.stringify writes both, e.g. for the NUL byte
 * a repair removed from a page), so those become `\ufffd`; an escaped backslash before a `u` is
 * left alone. Rows without any `\u` skip the regexp.
 */
function json(column: string): string {
  return String.raw`(CASE WHEN strpos(${column}, '\u') > 0
    THEN regexp_replace(${column}, '(?<!\\)((?:\\\\)*)\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})', '\1\\ufffd', 'g')
    ELSE ${column} END)::json`;
}

/**
 * The search filters with PostgreSQL's json functions. ILIKE ANY takes the patterns as an array;
 * its escape character is the default, `\`. ILIKE matches ASCII letters in either case, as
 * SQLite's LIKE does.
 */
const SEARCH: SearchDialect = {
  placeholder: (n) => `$${n}`,
  patterns: (list) => list,
  text: (p) =>
    `(v.title ILIKE ANY (${p}::text[]) OR EXISTS (
       SELECT 1 FROM json_array_elements_text(${json('v.paragraphs')}) b(t) WHERE b.t ILIKE ANY (${p}::text[])))`,
  flag: (p) =>
    `EXISTS (SELECT 1 FROM json_array_elements_text(${json('v.flags')}) f(t) WHERE f.t = ${p}::text)`,
  repairKind: (p) =>
    `EXISTS (SELECT 1 FROM json_array_elements(${json('v.repairs')}) e(value) WHERE e.value->>'kind' = ${p}::text)`,
};

/** A summary row: repairs counted by kind and the excerpt are computed here, not in JS. */
const SUMMARY_SELECT = `SELECT ${SUMMARY_COLUMNS},
  (SELECT coalesce(json_object_agg(kind, n), '{}')::text FROM
     (SELECT e.value->>'kind' AS kind, count(*) AS n FROM json_array_elements(${json('v.repairs')}) e(value) GROUP BY 1) k)
    AS repairs,
  (SELECT left(string_agg(p.t, ' ' ORDER BY p.i), ${EXCERPT_CHARS})
     FROM json_array_elements_text(${json('v.paragraphs')}) WITH ORDINALITY p(t, i)) AS excerpt`;

/** Records joined with their current version. */
const CURRENT = 'records r JOIN record_versions v ON v.seq = r.seq';

/** Sent with BEGIN for reads that need one snapshot across statements. */
const SNAPSHOT = 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY';

export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
  ) {}

  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
      throw new StoreError(`invalid schema name ${JSON.stringify(schema)}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle connection dropped by the server: the pool discards it, the next query reconnects.
    pool.on('error', () => {});
    const store = new PostgresStore(redactUrl(url), pool);
    try {
      await store.migrate(schema);
    } catch (error) {
      await pool.end().catch(() => {});
      const reason = (error as Error).message || String(error);
      throw new StoreError(`cannot open PostgreSQL store ${redactUrl(url)}: ${reason}`);
    }
    return store;
  }

  private async migrate(schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    const lock = [MIGRATION_LOCK_CLASS, hashKey(schema ?? 'public')];
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', lock);
      try {
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query(MIGRATIONS_TABLE_SQL);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((r) => r.version));
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(migration.postgres);
            await client.query(
              'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
              [migration.version, migration.name, new Date().toISOString()],
            );
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', lock);
      }
    } finally {
      client.release();
    }
  }

  /**
   * Runs `fn` in a transaction, retried from the start on deadlock/serialization/unique errors.
   * `first` is sent with BEGIN in one round trip (simple protocol: literals only, no parameters).
   */
  private async transaction<T>(fn: (client: Client) => Promise<T>, first = ''): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(`BEGIN;${first}`);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }

  publish(input: PublishInput): Promise<PublishResult> {
    // The record's lock goes with BEGIN: `head` then reads in a snapshot taken after it.
    const lock = `SELECT pg_advisory_xact_lock(${LOCK_RECORD}, ${hashKey(input.record.id)})`;
    return this.transaction((client) => publishInTransaction(new PostgresPublishTx(client), input), lock);
  }

  async ensureIndexFormat(format: string, rebuild?: BandRebuild): Promise<number> {
    await this.pool.query(
      "INSERT INTO store_meta (key, value) VALUES ('dedupe_index', $1) ON CONFLICT (key) DO NOTHING",
      [format],
    );
    const { rows } = await this.pool.query("SELECT value FROM store_meta WHERE key = 'dedupe_index'");
    const stored = rows[0]?.value as string | undefined;
    if (stored === format) return 0;
    if (!stored || !rebuild?.from.includes(stored))
      throw new StoreError(
        `the dedupe index in ${this.location} was built as ${stored}, this build uses ${format}`,
      );
    return this.transaction(async (client) => {
      // Publishers write band rows: this lock waits for those running and keeps new ones out
      // until the rebuild commits; a second rebuilder waits here, then finds the work done.
      await client.query('LOCK TABLE dedupe_bands IN SHARE ROW EXCLUSIVE MODE');
      const meta = await client.query("SELECT value FROM store_meta WHERE key = 'dedupe_index' FOR UPDATE");
      if (meta.rows[0]?.value === format) return 0;
      await client.query('DELETE FROM dedupe_bands');
      let records = 0;
      for (let after = 0; ; ) {
        const page = await client.query(
          `SELECT r.doc, v.paragraphs FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
           WHERE r.duplicate_of IS NULL AND r.doc > $1 ORDER BY r.doc LIMIT 500`,
          [after],
        );
        if (page.rows.length === 0) break;
        const keys: number[] = [];
        const docs: number[] = [];
        for (const row of page.rows) {
          after = num(row.doc);
          for (const key of rebuild.bandKeysOf(JSON.parse(row.paragraphs) as string[])) {
            keys.push(key);
            docs.push(after);
          }
          records++;
        }
        await client.query(
          `INSERT INTO dedupe_bands (key, doc) SELECT * FROM unnest($1::bigint[], $2::bigint[])
           ON CONFLICT DO NOTHING`,
          [keys, docs],
        );
      }
      await client.query("UPDATE store_meta SET value = $1 WHERE key = 'dedupe_index'", [format]);
      return records;
    });
  }

  private async alsoOn(items: StoredRecord[]): Promise<StoredRecord[]> {
    const ids = items.filter((i) => i.duplicate_of === null).map((i) => i.id);
    if (ids.length === 0) return items;
    const { rows } = await this.pool.query<AlsoOnDbRow>(
      'SELECT duplicate_of, id, url, source FROM records WHERE duplicate_of = ANY($1::text[]) ORDER BY first_seq',
      [ids],
    );
    return attachAlsoOn(items, rows);
  }

  async getRecord(id: string, version?: number): Promise<StoredRecord | null> {
    id = storableText(id); // as stored: see text.ts
    const { rows } = await this.pool.query<VersionDbRow>(
      `SELECT ${VERSION_COLUMNS} FROM records r
       JOIN record_versions v ON v.id = r.id AND v.version = coalesce($2::int, r.version) WHERE r.id = $1`,
      [id, version ?? null],
    );
    const row = rows[0];
    return row ? ((await this.alsoOn([toStoredRecord(row)]))[0] ?? null) : null;
  }

  async listFeed(after: number, limit: number): Promise<FeedPage> {
    const { rows } = await this.pool.query<VersionDbRow>(
      `SELECT ${VERSION_COLUMNS} FROM records r JOIN record_versions v ON v.seq = r.feed_seq
       WHERE r.feed_seq > $1 ORDER BY r.feed_seq LIMIT $2`,
      [after, limit],
    );
    const items = await this.alsoOn(rows.map(toStoredRecord));
    return { items, next: items.at(-1)?.seq ?? after };
  }

  async latest(limit: number, before = Number.MAX_SAFE_INTEGER): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<VersionDbRow>(
      `SELECT ${VERSION_COLUMNS} FROM records r JOIN record_versions v ON v.seq = r.feed_seq
       WHERE r.feed_seq IS NOT NULL AND r.feed_seq < $2 AND v.duplicate_of IS NULL
       ORDER BY r.feed_seq DESC LIMIT $1`,
      [limit, before],
    );
    return this.alsoOn(rows.map(toStoredRecord));
  }

  async getRaw(id: string, version: number): Promise<RawSnapshot | null> {
    id = storableText(id); // as stored: see text.ts
    const { rows } = await this.pool.query<RawSnapshot>(
      'SELECT text, content_type, fetched_at FROM record_raw WHERE id = $1 AND version = $2',
      [id, version],
    );
    return rows[0] ?? null;
  }

  async getProfile<T = unknown>(source: string): Promise<SourceProfile<T> | null> {
    source = storableText(source); // as stored: see text.ts
    const { rows } = await this.pool.query<ProfileDbRow>(
      'SELECT source, profile, revision, updated_at FROM source_profiles WHERE source = $1 AND revision > 0',
      [source],
    );
    const row = rows[0];
    return row ? toProfile<T>(row) : null;
  }

  updateProfile<T = unknown>(source: string, update: (current: T | null) => T): Promise<SourceProfile<T>> {
    source = storableText(source); // as stored: see text.ts
    return this.transaction(async (client) => {
      // Make sure the row exists, then lock it: concurrent updates queue on the row lock.
      await client.query(
        `INSERT INTO source_profiles (source, profile, revision, updated_at) VALUES ($1, 'null', 0, '')
         ON CONFLICT (source) DO NOTHING`,
        [source],
      );
      const { rows } = await client.query(
        'SELECT profile, revision FROM source_profiles WHERE source = $1 FOR UPDATE',
        [source],
      );
      const row = rows[0] as { profile: string; revision: number };
      const profile = update(row.revision > 0 ? (JSON.parse(row.profile) as T) : null);
      const saved = {
        source,
        profile,
        revision: num(row.revision) + 1,
        updated_at: new Date().toISOString(),
      };
      await client.query(
        'UPDATE source_profiles SET profile = $2, revision = $3, updated_at = $4 WHERE source = $1',
        [source, JSON.stringify(profile), saved.revision, saved.updated_at],
      );
      return saved;
    });
  }

  async stats(): Promise<StoreStats> {
    const [stats, head] = await Promise.all([
      this.pool.query<{ name: string; value: string }>('SELECT name, value FROM store_stats'),
      this.head(),
    ]);
    return statsFromRows(stats.rows, head);
  }

  async searchRecords(query: RecordSearch): Promise<RecordSearchResult> {
    const { where, params } = searchWhere(query, SEARCH);
    const page = params.length;
    // The count and the page from one snapshot.
    return this.transaction(async (client) => {
      const count = await client.query(`SELECT count(*) AS total FROM ${CURRENT} ${where}`, params);
      const { rows } = await client.query<SummaryDbRow>(
        `${SUMMARY_SELECT} FROM ${CURRENT} ${where} ORDER BY r.seq DESC LIMIT $${page + 1} OFFSET $${page + 2}`,
        [...params, query.limit, query.offset],
      );
      return { total: num(count.rows[0]?.total ?? 0), items: rows.map(toSummary) };
    }, SNAPSHOT);
  }

  sourceTotals(): Promise<SourceTotals[]> {
    // Four small GROUP BYs in one snapshot; repairs and flags unnested with json functions.
    return this.transaction(async (client) => {
      const all = async <R extends pg.QueryResultRow>(sql: string) => (await client.query<R>(sql)).rows;
      return mergeSourceTotals({
        records: await all(
          'SELECT source, count(*) AS records, count(duplicate_of) AS duplicates FROM records GROUP BY source',
        ),
        versions: await all(
          'SELECT source, count(*) AS versions, max(stored_at) AS last_stored_at FROM record_versions GROUP BY source',
        ),
        repairs: await all(
          `SELECT r.source, j.value->>'kind' AS key, count(*) AS n
           FROM ${CURRENT} CROSS JOIN LATERAL json_array_elements(${json('v.repairs')}) j(value) GROUP BY 1, 2`,
        ),
        flags: await all(
          `SELECT r.source, j.value AS key, count(DISTINCT r.doc) AS n
           FROM ${CURRENT} CROSS JOIN LATERAL json_array_elements_text(${json('v.flags')}) j(value) GROUP BY 1, 2`,
        ),
      });
    }, SNAPSHOT);
  }

  async publishedOverTime(options: { bucket: 'hour' | 'day'; since?: string }): Promise<PublishedBucket[]> {
    const { length, rest } = bucketOf(options.bucket);
    // A bucket is a prefix of stored_at (see BUCKETS in queries.ts); "C" orders sources as SQLite does.
    const { rows } = await this.pool.query(
      `SELECT substr(stored_at, 1, $1::int) || $2::text AS bucket, source, count(*) AS versions
       FROM record_versions WHERE stored_at >= $3::text GROUP BY 1, 2 ORDER BY bucket, source COLLATE "C"`,
      [length, rest, sinceOf(options.since)],
    );
    return rows.map(toBucket);
  }

  async listProfiles<T = unknown>(): Promise<SourceProfile<T>[]> {
    // As getProfile: a row of revision 0 is `updateProfile`'s placeholder, not a profile.
    const { rows } = await this.pool.query<ProfileDbRow>(
      `SELECT source, profile, revision, updated_at FROM source_profiles WHERE revision > 0
       ORDER BY source COLLATE "C"`,
    );
    return rows.map(toProfile<T>);
  }

  async duplicatesOf(id: string): Promise<AlsoOn[]> {
    id = storableText(id); // as stored: see text.ts
    const { rows } = await this.pool.query<AlsoOn>(
      'SELECT id, url, source FROM records WHERE duplicate_of = $1 ORDER BY first_seq',
      [id],
    );
    return rows;
  }

  async head(): Promise<number> {
    const { rows } = await this.pool.query('SELECT last_seq FROM feed_counter');
    return num(rows[0]?.last_seq ?? 0);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
