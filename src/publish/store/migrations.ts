/**
 * Numbered schema migrations, applied at open by each backend, in a transaction together with
 * their rows in `schema_migrations` (PostgreSQL: one per migration; SQLite: one for all that are
 * pending). Two processes opening the same store at once are serialized (PostgreSQL: a session
 * advisory lock; SQLite: `BEGIN IMMEDIATE`), and the second finds the work done. Append new
 * migrations; never edit one that has shipped.
 *
 * Tables:
 * - `records`: one row per record id, its current state (version, feed position, duplicate_of).
 * - `record_versions`: every version's clean record; `seq` is its publish sequence number.
 * - `record_raw`: the raw page each version came from (for the dashboard).
 * - `dedupe_exact`, `dedupe_bands`: the dedupe index over canonical records (exact hash → id,
 *   LSH band key → record number); see dedupe/.
 * - `feed_counter`: the one-row counter of publish sequence numbers (see publish-tx.ts).
 * - `source_profiles`: per-source deleted-word profiles, a JSON document per source.
 * - `store_stats`: running totals for /metrics; `store_meta`: the dedupe index format.
 *
 * Migration 2 adds indexes for the dashboard queries (`Store.searchRecords`, `publishedOverTime`);
 * migration 3 the `unresolved` column of `record_versions` (CONTRACT.md's record field);
 * migration 4 its `feed_script`: the script a version is read in by default, its text being stored
 * in `script` (Simplified, from the queue; NULL in versions stored before it, whose text was stored
 * in the script they are read in, so NULL reads as `script`: no row is rewritten).
 */

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, versions, dedupe index, feed counter, profiles',
    sqlite: `
      CREATE TABLE records (
        doc INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        seq INTEGER NOT NULL UNIQUE,
        first_seq INTEGER NOT NULL,
        feed_seq INTEGER UNIQUE,
        duplicate_of TEXT,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        category TEXT,
        published_at TEXT,
        content_hash TEXT NOT NULL,
        exact_hash TEXT
      );
      CREATE INDEX records_duplicate_of ON records (duplicate_of) WHERE duplicate_of IS NOT NULL;
      CREATE TABLE record_versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq INTEGER NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        category TEXT,
        published_at TEXT,
        script TEXT NOT NULL,
        paragraphs TEXT NOT NULL,
        repairs TEXT NOT NULL,
        flags TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        duplicate_of TEXT,
        similarity REAL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE record_raw (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        content_type TEXT,
        fetched_at TEXT,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE dedupe_exact (hash TEXT PRIMARY KEY, id TEXT NOT NULL);
      CREATE TABLE dedupe_bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
      CREATE TABLE feed_counter (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), last_seq INTEGER NOT NULL);
      INSERT INTO feed_counter (singleton, last_seq) VALUES (1, 0);
      CREATE TABLE source_profiles (
        source TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE store_stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
    postgres: `
      CREATE SEQUENCE record_doc_seq;
      CREATE TABLE records (
        doc BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        seq BIGINT NOT NULL UNIQUE,
        first_seq BIGINT NOT NULL,
        feed_seq BIGINT UNIQUE,
        duplicate_of TEXT,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        category TEXT,
        published_at TEXT,
        content_hash TEXT NOT NULL,
        exact_hash TEXT
      );
      CREATE INDEX records_duplicate_of ON records (duplicate_of) WHERE duplicate_of IS NOT NULL;
      CREATE TABLE record_versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq BIGINT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        category TEXT,
        published_at TEXT,
        script TEXT NOT NULL,
        paragraphs TEXT NOT NULL,
        repairs TEXT NOT NULL,
        flags TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        duplicate_of TEXT,
        similarity DOUBLE PRECISION,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE record_raw (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        content_type TEXT,
        fetched_at TEXT,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE dedupe_exact (hash TEXT PRIMARY KEY, id TEXT NOT NULL);
      CREATE TABLE dedupe_bands (key BIGINT NOT NULL, doc BIGINT NOT NULL, PRIMARY KEY (key, doc));
      CREATE TABLE feed_counter (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), last_seq BIGINT NOT NULL);
      INSERT INTO feed_counter (singleton, last_seq) VALUES (1, 0);
      CREATE TABLE source_profiles (
        source TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE store_stats (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'dashboard indexes: records by source, versions by time',
    // Searching one source newest first walks (source, seq); `publishedOverTime({ since })` reads
    // a range of stored_at.
    sqlite: `
      CREATE INDEX records_source_seq ON records (source, seq);
      CREATE INDEX record_versions_stored_at ON record_versions (stored_at);
    `,
    postgres: `
      CREATE INDEX records_source_seq ON records (source, seq);
      CREATE INDEX record_versions_stored_at ON record_versions (stored_at);
    `,
  },
  {
    version: 3,
    name: 'unresolved: where each flagged problem of a version is',
    // Versions stored before it have none listed: '[]', as CONTRACT.md says for a record without.
    sqlite: `ALTER TABLE record_versions ADD COLUMN unresolved TEXT NOT NULL DEFAULT '[]';`,
    postgres: `ALTER TABLE record_versions ADD COLUMN unresolved TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    version: 4,
    name: 'feed_script: the script a version is read in by default, its text stored in script',
    // NULL in the versions stored before it: their text is in the script they are read in.
    sqlite: 'ALTER TABLE record_versions ADD COLUMN feed_script TEXT;',
    postgres: 'ALTER TABLE record_versions ADD COLUMN feed_script TEXT;',
  },
];

export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Advisory-lock key (class, object) of the migration step: one per schema. */
export const MIGRATION_LOCK_CLASS = 0x66660000;
