/**
 * Opens the store named by `DATABASE_URL` (CONTRACT.md): a `postgres://` or `postgresql://` URL
 * selects PostgreSQL; anything else is an SQLite file (`sqlite:PATH`, a plain path, or by default
 * `./data/finfaq.sqlite`, created with its folder if missing). Migrations run at open.
 */
import { join } from 'node:path';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import { type Store, StoreError } from './store.js';

export { PostgresStore } from './postgres.js';
export { SqliteStore } from './sqlite.js';
export type {
  AdminQueries,
  FeedStore,
  ProfileStore,
  PublishInput,
  PublishStore,
  Store,
  StoreBackend,
} from './store.js';
export { StoreError } from './store.js';

export interface OpenStoreOptions {
  /** Default: `process.env.DATABASE_URL`, else the SQLite file under `dataDir`. */
  url?: string;
  /** Folder of the default SQLite file (default `./data`). */
  dataDir?: string;
  /** PostgreSQL only: a schema to create if missing and use (tests use a fresh one per run). */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10). */
  poolSize?: number;
}

export const DEFAULT_SQLITE_FILE = 'finfaq.sqlite';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.url ?? process.env.DATABASE_URL ?? '';
  if (isPostgresUrl(url))
    return PostgresStore.open(url, { schema: options.schema, poolSize: options.poolSize });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('sqlite:') && !url.startsWith('file:'))
    throw new StoreError(
      `DATABASE_URL ${JSON.stringify(url)}: expected a postgres:// URL or an SQLite file path`,
    );
  const path = url.startsWith('file:')
    ? new URL(url).pathname
    : url.startsWith('sqlite:')
      ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
      : url || join(options.dataDir ?? 'data', DEFAULT_SQLITE_FILE);
  return SqliteStore.open(path);
}
