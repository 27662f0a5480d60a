/**
 * The SQLite backend (better-sqlite3): one file, WAL mode, a writer and a reader connection.
 *
 * Writes run in `BEGIN IMMEDIATE` transactions: one writer at a time across every process that
 * opens the file (others wait up to `busy_timeout`), so a publish's read-decide-write is atomic
 * and publish sequence numbers follow commit order. Within one process, writes are queued
 * because better-sqlite3 has one connection per handle. Reads use their own connection and so
 * see committed data only, never a write transaction in progress.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import { publishInTransaction } from './publish-tx.js';
import {
  bucketOf,
  EXCERPT_CHARS,
  mergeSourceTotals,
  type SearchDialect,
  type SourceTotalsRows,
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
import { SqlitePublishTx } from './sqlite-publish-tx.js';
import { type BandRebuild, type PublishInput, type Store, StoreError } from './store.js';
import { storableText } from './text.js';

type Db = Database.Database;

const BUSY_TIMEOUT_MS = 30_000;

/**
 * One write queue per database file in this process. A write transaction spans `await`s, and
 * better-sqlite3 waits for a busy lock by blocking the thread: a second connection to the same
 * file in the same process must not try `BEGIN IMMEDIATE` while the first is between two
 * statements of its transaction, or both would wait for each other until the busy timeout.
 */
// Kept for the life of the process: a few bytes per file ever opened.
const writeQueues = new Map<string, { tail: Promise<unknown> }>();

function queueFor(path: string): { tail: Promise<unknown> } {
  const key = path === ':memory:' ? `:memory:${writeQueues.size}` : resolve(path);
  let queue = writeQueues.get(key);
  if (!queue) {
    queue = { tail: Promise.resolve() };
    writeQueues.set(key, queue);
  }
  return queue;
}

/** Runs `fn` after everything already queued on `queue`. */
function enqueue<T>(queue: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  const result = queue.tail.then(fn, fn);
  queue.tail = result.catch(() => undefined);
  return result;
}

/** The search filters in SQLite's JSON functions; the patterns go in as one JSON array. */
const SEARCH: SearchDialect = {
  placeholder: () => '?',
  patterns: (list) => JSON.stringify(list),
  text: (p) =>
    `EXISTS (SELECT 1 FROM json_each(${p}) f WHERE v.title LIKE f.value ESCAPE '\\'
       OR EXISTS (SELECT 1 FROM json_each(v.paragraphs) b WHERE b.value LIKE f.value ESCAPE '\\'))`,
  flag: (p) => `EXISTS (SELECT 1 FROM json_each(v.flags) WHERE value = ${p})`,
  repairKind: (p) => `EXISTS (SELECT 1 FROM json_each(v.repairs) WHERE json_extract(value, '$.kind') = ${p})`,
};

/** A summary row: repairs counted by kind and the excerpt are computed here, not in JS. */
const SUMMARY_SELECT = `SELECT ${SUMMARY_COLUMNS},
  (SELECT json_group_object(kind, n) FROM
     (SELECT json_extract(value, '$.kind') AS kind, count(*) AS n FROM json_each(v.repairs) GROUP BY 1)) AS repairs,
  (SELECT substr(group_concat(value, ' ' ORDER BY key), 1, ${EXCERPT_CHARS}) FROM json_each(v.paragraphs)) AS excerpt`;

/** Records joined with their current version. */
const CURRENT = 'records r JOIN record_versions v ON v.seq = r.seq';

function configure(db: Db): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

function migrate(db: Db): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(MIGRATIONS_TABLE_SQL);
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sqlite);
      insert.run(migration.version, migration.name, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly writer: Db,
    private readonly reader: Db,
    private readonly queue: { tail: Promise<unknown> },
  ) {}

  /** Opens (creating the file and its folder if missing) and migrates the store. */
  static async open(path: string): Promise<SqliteStore> {
    const queue = queueFor(path);
    return enqueue(queue, async () => {
      let writer: Db | undefined;
      try {
        if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        writer = new Database(path);
        configure(writer);
        if (path !== ':memory:') writer.pragma('journal_mode = WAL');
        writer.pragma('synchronous = NORMAL');
        migrate(writer);
        // An in-memory database has one connection; a file gets a separate, read-only one for reads.
        const reader = path === ':memory:' ? writer : new Database(path, { readonly: true });
        configure(reader);
        return new SqliteStore(path, writer, reader, queue);
      } catch (error) {
        writer?.close();
        throw new StoreError(`cannot open SQLite store ${path}: ${(error as Error).message}`);
      }
    });
  }

  private stmt(db: Db, sql: string): Database.Statement {
    const key = `${db === this.writer ? 'w' : 'r'}:${sql}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = db.prepare(sql);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction, after the writes already queued. */
  private write<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new StoreError('store is closed');
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn();
        this.writer.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        throw error;
      }
    };
    return enqueue(this.queue, run);
  }

  publish(input: PublishInput): Promise<PublishResult> {
    return this.write(() =>
      publishInTransaction(new SqlitePublishTx((sql) => this.stmt(this.writer, sql)), input),
    );
  }

  ensureIndexFormat(format: string, rebuild?: BandRebuild): Promise<number> {
    return this.write(() => {
      const row = this.stmt(this.writer, "SELECT value FROM store_meta WHERE key = 'dedupe_index'").get() as
        | { value: string }
        | undefined;
      if (!row) {
        this.stmt(this.writer, "INSERT INTO store_meta (key, value) VALUES ('dedupe_index', ?)").run(format);
        return 0;
      }
      if (row.value === format) return 0;
      if (!rebuild?.from.includes(row.value))
        throw new StoreError(
          `the dedupe index in ${this.location} was built as ${row.value}, this build uses ${format}`,
        );
      // BEGIN IMMEDIATE keeps every other writer out until the new rows and format are in.
      const w = (sql: string) => this.stmt(this.writer, sql);
      w('DELETE FROM dedupe_bands').run();
      const page = w(
        `SELECT r.doc, v.paragraphs FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
         WHERE r.duplicate_of IS NULL AND r.doc > ? ORDER BY r.doc LIMIT 500`,
      );
      const insert = w('INSERT OR IGNORE INTO dedupe_bands (key, doc) VALUES (?, ?)');
      let records = 0;
      for (let after = 0; ; ) {
        const rows = page.all(after) as { doc: number; paragraphs: string }[];
        if (rows.length === 0) break;
        for (const { doc, paragraphs } of rows) {
          for (const key of rebuild.bandKeysOf(JSON.parse(paragraphs) as string[])) insert.run(key, doc);
          after = doc;
          records++;
        }
      }
      w("UPDATE store_meta SET value = ? WHERE key = 'dedupe_index'").run(format);
      return records;
    });
  }

  private alsoOn(items: StoredRecord[]): StoredRecord[] {
    const ids = items.filter((i) => i.duplicate_of === null).map((i) => i.id);
    if (ids.length === 0) return items;
    const rows = this.stmt(
      this.reader,
      `SELECT duplicate_of, id, url, source FROM records
       WHERE duplicate_of IN (SELECT value FROM json_each(?)) ORDER BY first_seq`,
    ).all(JSON.stringify(ids)) as AlsoOnDbRow[];
    return attachAlsoOn(items, rows);
  }

  /** Runs reads in one read transaction: one snapshot for the page and its `also_on`. */
  private read<T>(fn: () => T): Promise<T> {
    try {
      if (this.closed) throw new StoreError('store is closed');
      return Promise.resolve(this.reader.transaction(fn).deferred());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getRecord(id: string, version?: number): Promise<StoredRecord | null> {
    id = storableText(id); // as stored: see text.ts
    return this.read(() => {
      const row = this.stmt(
        this.reader,
        `SELECT ${VERSION_COLUMNS} FROM records r
         JOIN record_versions v ON v.id = r.id AND v.version = coalesce(?, r.version) WHERE r.id = ?`,
      ).get(version ?? null, id) as VersionDbRow | undefined;
      return row ? (this.alsoOn([toStoredRecord(row)])[0] ?? null) : null;
    });
  }

  listFeed(after: number, limit: number): Promise<FeedPage> {
    return this.read(() => {
      const rows = this.stmt(
        this.reader,
        `SELECT ${VERSION_COLUMNS} FROM records r JOIN record_versions v ON v.seq = r.feed_seq
         WHERE r.feed_seq > ? ORDER BY r.feed_seq LIMIT ?`,
      ).all(after, limit) as VersionDbRow[];
      const items = this.alsoOn(rows.map(toStoredRecord));
      return { items, next: items.at(-1)?.seq ?? after };
    });
  }

  latest(limit: number, before = Number.MAX_SAFE_INTEGER): Promise<StoredRecord[]> {
    return this.read(() => {
      const rows = this.stmt(
        this.reader,
        `SELECT ${VERSION_COLUMNS} FROM records r JOIN record_versions v ON v.seq = r.feed_seq
         WHERE r.feed_seq IS NOT NULL AND r.feed_seq < ? AND v.duplicate_of IS NULL
         ORDER BY r.feed_seq DESC LIMIT ?`,
      ).all(before, limit) as VersionDbRow[];
      return this.alsoOn(rows.map(toStoredRecord));
    });
  }

  getRaw(id: string, version: number): Promise<RawSnapshot | null> {
    id = storableText(id); // as stored: see text.ts
    return this.read(() => {
      const row = this.stmt(
        this.reader,
        'SELECT text, content_type, fetched_at FROM record_raw WHERE id = ? AND version = ?',
      ).get(id, version) as RawSnapshot | undefined;
      return row ?? null;
    });
  }

  getProfile<T = unknown>(source: string): Promise<SourceProfile<T> | null> {
    source = storableText(source); // as stored: see text.ts
    return this.read(() => {
      const row = this.stmt(
        this.reader,
        'SELECT source, profile, revision, updated_at FROM source_profiles WHERE source = ?',
      ).get(source) as ProfileDbRow | undefined;
      return row ? toProfile<T>(row) : null;
    });
  }

  updateProfile<T = unknown>(source: string, update: (current: T | null) => T): Promise<SourceProfile<T>> {
    source = storableText(source); // as stored: see text.ts
    return this.write(() => {
      const row = this.stmt(
        this.writer,
        'SELECT profile, revision FROM source_profiles WHERE source = ?',
      ).get(source) as { profile: string; revision: number } | undefined;
      const profile = update(row ? (JSON.parse(row.profile) as T) : null);
      const saved = {
        source,
        profile,
        revision: (row?.revision ?? 0) + 1,
        updated_at: new Date().toISOString(),
      };
      this.stmt(
        this.writer,
        `INSERT INTO source_profiles (source, profile, revision, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET profile = excluded.profile, revision = excluded.revision,
           updated_at = excluded.updated_at`,
      ).run(source, JSON.stringify(profile), saved.revision, saved.updated_at);
      return saved;
    });
  }

  stats(): Promise<StoreStats> {
    return this.read(() => {
      const rows = this.stmt(this.reader, 'SELECT name, value FROM store_stats').all() as {
        name: string;
        value: number;
      }[];
      return statsFromRows(rows, this.headSync());
    });
  }

  searchRecords(query: RecordSearch): Promise<RecordSearchResult> {
    return this.read(() => {
      const { where, params } = searchWhere(query, SEARCH);
      const { total } = this.stmt(this.reader, `SELECT count(*) AS total FROM ${CURRENT} ${where}`).get(
        ...params,
      ) as { total: number };
      const rows = this.stmt(
        this.reader,
        `${SUMMARY_SELECT} FROM ${CURRENT} ${where} ORDER BY r.seq DESC LIMIT ? OFFSET ?`,
      ).all(...params, query.limit, query.offset) as SummaryDbRow[];
      return { total, items: rows.map(toSummary) };
    });
  }

  sourceTotals(): Promise<SourceTotals[]> {
    // Four small GROUP BYs in one read transaction; repairs and flags unnested with json_each.
    return this.read(() => {
      const all = <R>(sql: string) => this.stmt(this.reader, sql).all() as R[];
      const rows: SourceTotalsRows = {
        records: all(
          'SELECT source, count(*) AS records, count(duplicate_of) AS duplicates FROM records GROUP BY source',
        ),
        versions: all(
          'SELECT source, count(*) AS versions, max(stored_at) AS last_stored_at FROM record_versions GROUP BY source',
        ),
        repairs: all(
          `SELECT r.source, json_extract(j.value, '$.kind') AS key, count(*) AS n
           FROM ${CURRENT}, json_each(v.repairs) j GROUP BY 1, 2`,
        ),
        flags: all(
          `SELECT r.source, j.value AS key, count(DISTINCT r.doc) AS n
           FROM ${CURRENT}, json_each(v.flags) j GROUP BY 1, 2`,
        ),
      };
      return mergeSourceTotals(rows);
    });
  }

  publishedOverTime(options: { bucket: 'hour' | 'day'; since?: string }): Promise<PublishedBucket[]> {
    return this.read(() => {
      const { length, rest } = bucketOf(options.bucket);
      // A bucket is a prefix of stored_at (see BUCKETS in queries.ts); `since` compares as a string.
      const rows = this.stmt(
        this.reader,
        `SELECT substr(stored_at, 1, ?) || ? AS bucket, source, count(*) AS versions FROM record_versions
         WHERE stored_at >= ? GROUP BY 1, 2 ORDER BY 1, 2`,
      ).all(length, rest, sinceOf(options.since)) as { bucket: string; source: string; versions: number }[];
      return rows.map(toBucket);
    });
  }

  listProfiles<T = unknown>(): Promise<SourceProfile<T>[]> {
    return this.read(() => {
      const rows = this.stmt(
        this.reader,
        'SELECT source, profile, revision, updated_at FROM source_profiles ORDER BY source',
      ).all() as ProfileDbRow[];
      return rows.map(toProfile<T>);
    });
  }

  duplicatesOf(id: string): Promise<AlsoOn[]> {
    id = storableText(id); // as stored: see text.ts
    return this.read(
      () =>
        this.stmt(
          this.reader,
          'SELECT id, url, source FROM records WHERE duplicate_of = ? ORDER BY first_seq',
        ).all(id) as AlsoOn[],
    );
  }

  private headSync(): number {
    return (this.stmt(this.reader, 'SELECT last_seq FROM feed_counter').get() as { last_seq: number })
      .last_seq;
  }

  head(): Promise<number> {
    return this.read(() => this.headSync());
  }

  async ping(): Promise<void> {
    await this.head();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await enqueue(this.queue, async () => {
      this.closed = true;
      if (this.reader !== this.writer) this.reader.close();
      this.writer.close();
    });
  }
}
