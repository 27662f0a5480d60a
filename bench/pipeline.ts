/**
 * `npm run bench:pipeline`: documents per second through crawl → normalize → publish on the fixture
 * web, with 1, 2 and 4 `finfaq worker` processes (each with one normalize thread), printed with
 * their ratio to the 1-worker run.
 *
 * Each run gets a fresh queue prefix and a fresh store (an SQLite file, or a fresh schema when
 * DATABASE_URL is a postgres:// URL), so each one crawls and publishes everything. The workers are
 * warmed first on a small web of its own (threads started, language model loaded); the time
 * measured runs from queueing the three crawls to the last publish (the queues drained), learn
 * jobs of the deleted-word profiles included. The fixture web's servers run in this process.
 *
 *   npm run bench:pipeline -- [--articles N] [--workers 1,2,4]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { parseSourcesConfig } from '../src/config/sources.js';
import { openStore } from '../src/publish/index.js';
import { queueSettings } from '../src/queue/connection.js';
import { connectQueues } from '../src/queue/queues.js';
import { waitUntilDrained } from '../src/queue/runs.js';
import { enqueueCrawls, newRunId } from '../src/queue/schedule.js';
import { dropPrefix, dropSchema } from '../tests/queue/helpers.js';
import { type FixtureWeb, startFixtureWeb } from '../tests/support/fixture-web/index.js';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const ARTICLES_PER_SITE = Number(argument('articles', '100'));
const WORKER_COUNTS = argument('workers', '1,2,4').split(',').map(Number);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BIN = new URL('../bin/finfaq.js', import.meta.url).pathname;
const CRAWL = { timeout_secs: 5, retries: 1, retry_backoff_secs: 0.05, max_body_bytes: 1024 * 1024 };

interface Result {
  workers: number;
  documents: number;
  seconds: number;
  /** Seconds of job time (processing start to finish, summed over jobs) per kind of job. */
  busy: Record<string, number>;
}

function configOf(web: FixtureWeb) {
  return parseSourcesConfig(web.sourcesConfig({ crawl: CRAWL, source: { per_minute: 1_000_000 } }));
}

async function benchOne(workers: number, web: FixtureWeb, warmWeb: FixtureWeb, dir: string): Promise<Result> {
  const prefix = `bench_${Date.now().toString(36)}_${workers}`;
  const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL,
    FINFAQ_QUEUE_PREFIX: prefix,
    DATABASE_URL: postgres ? process.env.DATABASE_URL : join(dir, `${prefix}.sqlite`),
  };
  if (postgres) env.FINFAQ_DATABASE_SCHEMA = prefix;
  const store = await openStore({ url: env.DATABASE_URL, schema: env.FINFAQ_DATABASE_SCHEMA });
  const client = connectQueues(queueSettings(env));
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, [BIN, 'worker', '--concurrency', '1'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            let err = '';
            child.stderr?.on('data', (chunk: Buffer) => {
              err += chunk.toString();
              if (/working on/.test(err)) resolve();
            });
            child.once('exit', () => reject(new Error(`worker exited:\n${err}`)));
          }),
      ),
    );
    // Warm-up on a web of its own: every thread started and its language model loaded.
    await waitUntilDrained(
      client.queues,
      await enqueueCrawls(client.queues.crawl, configOf(warmWeb), newRunId()),
    );
    const warmed = (await store.stats()).versions;

    const started = performance.now();
    const startedAt = Date.now();
    const crawls = await enqueueCrawls(client.queues.crawl, configOf(web), newRunId());
    await waitUntilDrained(client.queues, crawls, { pollMs: 50 });
    const seconds = (performance.now() - started) / 1000;
    const documents = (await store.stats()).versions - warmed;
    const failed = await client.queues.normalize.getFailedCount();
    if (failed > 0) process.stderr.write(`bench: ${failed} normalize jobs failed\n`);
    const busy: Record<string, number> = {};
    for (const queue of [client.queues.crawl, client.queues.normalize, client.queues.publish] as Queue[])
      for (const job of await queue.getCompleted(0, -1))
        if (job.timestamp >= startedAt && job.processedOn && job.finishedOn)
          busy[job.name] = (busy[job.name] ?? 0) + (job.finishedOn - job.processedOn) / 1000;
    return { workers, documents, seconds, busy };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)),
    );
    await client.close();
    await store.close();
    await dropPrefix(REDIS_URL, prefix);
    if (postgres) await dropSchema(prefix, process.env.DATABASE_URL);
  }
}

async function main(): Promise<void> {
  const web = await startFixtureWeb({ articlesPerSite: ARTICLES_PER_SITE, brokenPages: false, seed: 1 });
  const warmWeb = await startFixtureWeb({ articlesPerSite: 4, brokenPages: false, seed: 7 });
  const dir = await mkdtemp(join(tmpdir(), 'finfaq-bench-pipeline-'));
  await writeFile(join(dir, 'README'), 'finfaq bench:pipeline scratch\n');
  const pages = web.truth.length;
  console.log(
    `bench:pipeline: ${pages} article pages (${ARTICLES_PER_SITE} per site, 3 sites), ${availableParallelism()} CPUs, store ${/^postgres/.test(process.env.DATABASE_URL ?? '') ? 'PostgreSQL' : 'SQLite'}`,
  );
  const results: Result[] = [];
  try {
    for (const workers of WORKER_COUNTS) {
      const result = await benchOne(workers, web, warmWeb, dir);
      results.push(result);
      const busy = Object.entries(result.busy)
        .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
        .join(', ');
      console.log(
        `  ${workers} worker${workers === 1 ? ' ' : 's'}: ${result.documents} documents in ${result.seconds.toFixed(1)} s (job time: ${busy})`,
      );
    }
  } finally {
    await web.close();
    await warmWeb.close();
    await rm(dir, { recursive: true, force: true });
  }
  const base = results[0];
  console.log('\nworkers  documents/s  ratio to 1 worker');
  for (const r of results) {
    const rate = r.documents / r.seconds;
    const ratio = base ? rate / (base.documents / base.seconds) : 1;
    console.log(
      `${String(r.workers).padStart(7)}  ${rate.toFixed(1).padStart(11)}  ${ratio.toFixed(2).padStart(17)}`,
    );
  }
}

await main();
