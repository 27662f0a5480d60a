/**
 * What the queue tests share: a fresh BullMQ prefix and PostgreSQL schema per test (so runs never
 * collide, and are removed afterwards), the fixture web with a sources file on disk, `finfaq`
 * child processes, and a private redis-server for the tests that stop and start one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { recordId } from '../../src/normalize/record.js';
import { openStore, type Store, type StoredRecord } from '../../src/publish/index.js';
import { pipelinePattern } from '../../src/queue/keys.js';
import {
  type FixtureWeb,
  type FixtureWebOptions,
  startFixtureWeb,
  type TruthArticle,
} from '../support/fixture-web/index.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/finfaq.js');

export function uniqueName(kind: string): string {
  return `${kind}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes every key of a BullMQ prefix (queues, run tallies, crawl state, profile samples). */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pipelinePattern(prefix), 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function dropSchema(schema: string, databaseUrl = DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** One isolated pipeline: its prefix, its schema, and the environment for `finfaq` children. */
export interface Pipeline {
  prefix: string;
  schema: string;
  env: NodeJS.ProcessEnv;
  store(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function isolatedPipeline(extraEnv: NodeJS.ProcessEnv = {}): Pipeline {
  const prefix = uniqueName('tq');
  const schema = uniqueName('tq');
  const stores: Store[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL,
    DATABASE_URL,
    FINFAQ_QUEUE_PREFIX: prefix,
    FINFAQ_DATABASE_SCHEMA: schema,
    ...extraEnv,
  };
  return {
    prefix,
    schema,
    env,
    async store() {
      const store = await openStore({ url: DATABASE_URL, schema, poolSize: 2 });
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.map((s) => s.close().catch(() => {})));
      await dropPrefix(String(env.REDIS_URL), prefix).catch(() => {});
      await dropSchema(schema).catch(() => {});
    },
  };
}

/** Settings that keep a test crawl quick (as tests/crawl/helpers.ts). */
export const QUICK_CRAWL = {
  timeout_secs: 1.5,
  retries: 1,
  retry_backoff_secs: 0.05,
  max_body_bytes: 1024 * 1024,
};

export interface TestWeb {
  web: FixtureWeb;
  /** The sources file, written to a temporary folder. */
  configPath: string;
  /** Articles a crawl must find: allowed by robots.txt and answering. */
  expected: TruthArticle[];
  close(): Promise<void>;
}

export async function startTestWeb(
  options: FixtureWebOptions = {},
  source: Record<string, unknown> = {},
): Promise<TestWeb> {
  const web = await startFixtureWeb({ articlesPerSite: 8, slowMs: 2_000, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'finfaq-queue-test-'));
  const configPath = join(dir, 'sources.json');
  const config = web.sourcesConfig({ crawl: QUICK_CRAWL, source: { per_minute: 60_000, ...source } });
  await writeFile(configPath, JSON.stringify(config));
  return {
    web,
    configPath,
    expected: web.truth.filter((t) => t.allowed && t.reachable),
    async close() {
      await web.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves when standard error has a line matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function finfaq(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  // Decoded as streams: a chunk may end inside a character (`上` split was read as `��`).
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
    for (const w of [...waiters])
      if (w.pattern.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  const exited = new Promise<number | string>((resolve) => {
    // `close`, not `exit`: the output is read to its end before anyone reads it.
    child.on('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr(pattern, timeoutMs = 30_000) {
      if (pattern.test(err)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(new Error(`exited before ${pattern} appeared on stderr:\n${err}`));
        });
      });
    },
  };
}

/** Kills what is still running (end of a test). */
export async function stopAll(children: Child[]): Promise<void> {
  for (const child of children)
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A redis-server of the test's own on a free port, so that it can be stopped and started without
 * touching the machine's. Append-only file in a temporary folder (no RDB snapshots): a restart
 * keeps the queues, as a production Redis with `--appendonly yes` does. `appendonly: false` makes
 * one without any persistence (a restart comes back empty); `args` are added to its command line.
 */
export async function startPrivateRedis(options: { appendonly?: boolean; args?: string[] } = {}): Promise<{
  url: string;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'finfaq-redis-'));
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        options.appendonly === false ? 'no' : 'yes',
        '--appendfsync',
        'always',
        '--dir',
        dir,
        ...(options.args ?? []),
      ],
      { stdio: 'ignore' },
    );
    const client = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: true });
    client.on('error', () => {});
    for (let i = 0; ; i++) {
      try {
        if (client.status === 'wait') await client.connect();
        await client.ping();
        break;
      } catch (error) {
        if (i > 100) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    client.disconnect();
  };
  const stop = async () => {
    if (!server || server.exitCode !== null) return;
    // SHUTDOWN by signal: redis-server flushes its append-only file and exits.
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The latest stored version of each page (duplicates included), by URL; absent when not stored. */
export async function recordsByUrl(
  store: Store,
  urls: readonly string[],
): Promise<Map<string, StoredRecord>> {
  const byUrl = new Map<string, StoredRecord>();
  for (const url of urls) {
    const record = await store.getRecord(recordId(url));
    if (record) byUrl.set(url, record);
  }
  return byUrl;
}
