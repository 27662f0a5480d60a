/**
 * The backends every store test runs against: SQLite in a temporary file, and PostgreSQL on
 * 127.0.0.1:5432 (database `test`, trust auth; `TEST_DATABASE_URL` to point elsewhere) in a
 * fresh schema per store, dropped afterwards. PostgreSQL being down fails the tests with how to
 * start it: it is not skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../../src/publish/store/index.js';
import type { Store, StoreBackend } from '../../../src/publish/store/store.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const BACKENDS: readonly StoreBackend[] = ['sqlite', 'postgres'];

/** Where a fresh store lives: what `openStore` (in this or another process) needs to open it. */
export interface StoreLocation {
  backend: StoreBackend;
  url: string;
  schema?: string;
}

let checked: Promise<void> | undefined;

/** Throws a clear, actionable error when PostgreSQL cannot be reached. */
export function requirePostgres(): Promise<void> {
  checked ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable at ${PG_URL} (${(error as Error).message}). The store tests need it: ` +
          'start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` ' +
          '(as .ci/run does), or set TEST_DATABASE_URL to a server with trust auth and a `test` database.',
      );
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return checked;
}

/** For the benches: whether to measure PostgreSQL too (not with `--no-postgres`, nor when it is down, said). */
export async function benchPostgres(): Promise<boolean> {
  if (process.argv.includes('--no-postgres')) return false;
  try {
    await requirePostgres();
    return true;
  } catch (error) {
    console.log(`${(error as Error).message.split('. ')[0]}: its rows are left out.\n`);
    return false;
  }
}

function randomName(): string {
  return `finfaq_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates fresh store locations and removes them all in `cleanup()`. */
export class StoreFactory {
  private readonly dirs: string[] = [];
  private readonly schemas: string[] = [];
  private readonly stores: Store[] = [];

  async location(backend: StoreBackend): Promise<StoreLocation> {
    if (backend === 'postgres') {
      await requirePostgres();
      const schema = randomName();
      this.schemas.push(schema);
      return { backend, url: PG_URL, schema };
    }
    const dir = mkdtempSync(join(tmpdir(), 'finfaq-store-'));
    this.dirs.push(dir);
    return { backend, url: `sqlite:${join(dir, 'finfaq.sqlite')}` };
  }

  /** Opens a store at `location`; closed by `cleanup()`. */
  async open(location: StoreLocation): Promise<Store> {
    const store = await openStore({ url: location.url, schema: location.schema });
    this.stores.push(store);
    return store;
  }

  async fresh(backend: StoreBackend): Promise<Store> {
    return this.open(await this.location(backend));
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.stores.splice(0).map((s) => s.close()));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (this.schemas.length === 0) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const schema of this.schemas.splice(0))
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/** Runs a read-only query on the store at `location` directly (for checks the API does not offer). */
export async function rawQuery<T = Record<string, unknown>>(
  location: StoreLocation,
  sql: string,
): Promise<T[]> {
  if (location.backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(location.url.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${location.schema}"`);
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface ProcessJob {
  url: string;
  schema?: string;
  inFlight: number;
  specs: unknown[];
}

/**
 * Starts one publisher process per job (tests/publish/support/publisher-process.ts), lets them all
 * start publishing at the same moment once every one has opened the store, and returns each
 * one's results. `whilePublishing` runs from that moment until all have finished.
 */
export async function runPublisherProcesses<R>(
  jobs: ProcessJob[],
  whilePublishing: (done: () => boolean) => Promise<void> = async () => {},
): Promise<R[][]> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const script = fileURLToPath(new URL('./publisher-process.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const children = jobs.map((job) =>
    spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  const results = children.map(
    (child) =>
      new Promise<R[]>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout?.on('data', (chunk) => {
          out += chunk;
        });
        child.stderr?.on('data', (chunk) => {
          err += chunk;
        });
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code === 0) resolve(JSON.parse(out) as R[]);
          else reject(new Error(`publisher process exited with ${code}: ${err.slice(-2000)}`));
        });
      }),
  );
  // A process that dies before it is ready rejects here instead of leaving us waiting.
  await Promise.race([
    Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve)))),
    Promise.all(results).then(() => {
      throw new Error('a publisher process ended before it was ready');
    }),
  ]);
  for (const child of children) child.send('go');
  let finished = false;
  const all = Promise.all(results).finally(() => {
    finished = true;
  });
  await Promise.all([all, whilePublishing(() => finished)]);
  return all;
}
