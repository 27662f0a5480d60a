/**
 * The store as the commands open it: `DATABASE_URL` (see `../publish/store/index.ts`), plus
 * `FINFAQ_DATABASE_SCHEMA`, a PostgreSQL schema to use instead of the URL's own (so that several
 * pipelines, or test runs, can share one database).
 */
import { openStore, type Store } from '../publish/store/index.js';

export interface StoreSettings {
  url?: string;
  schema?: string;
}

export function storeSettings(env: NodeJS.ProcessEnv = process.env): StoreSettings {
  const settings: StoreSettings = {};
  if (env.DATABASE_URL) settings.url = env.DATABASE_URL;
  if (env.FINFAQ_DATABASE_SCHEMA) settings.schema = env.FINFAQ_DATABASE_SCHEMA;
  return settings;
}

/** Opens (and migrates) the store; a `StoreError` says which store and why it cannot be used. */
export async function openAppStore(settings: StoreSettings, poolSize?: number): Promise<Store> {
  const store = await openStore({ url: settings.url, schema: settings.schema, poolSize });
  await store.ping();
  return store;
}
