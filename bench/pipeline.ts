/**
 * `npm run bench:pipeline`: documents per second through crawl → normalize → publish on the fixture
 * web, with 1 and 2 `finfaq worker` processes (each with one normalize thread), printed with their
 * ratio to the 1-worker run and to the crawl alone (`crawlSources` in this process, no Redis, on
 * the same web, before and after the pipeline runs: the faster counts), and what the jobs carried
 * through Redis per page (the JSON of each normalize and publish job, and the drafts held as
 * deleted-word samples), each worker's peak resident memory (`VmHWM`, its threads included) and the
 * machine's load average before and after (the 2 cores may be shared: ratios within one run
 * matter more than absolutes).
 *
 * Each run gets a fresh queue prefix and a fresh store (an SQLite file, or a fresh schema when
 * DATABASE_URL is a postgres:// URL), so each one crawls and publishes everything. The workers are
 * warmed first on a small web of its own (threads started, language model loaded); the time
 * measured runs from queueing the three crawls to the last publish (the queues drained), learn
 * jobs of the deleted-word profiles included. The fixture web's servers run in this process.
 *
 *   npm run bench:pipeline -- [--articles N] [--workers 1,2,4] [--script hans|hant|tw|hk]
 *
 * `--script` is the sources file's `output.script` (default `hans`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseSourcesConfig } from '../src/config/sources.js';
import { crawlSources } from '../src/crawl/index.js';
import { openStore } from '../src/publish/index.js';
import { queueSettings } from '../src/queue/connection.js';
import { redisKeys } from '../src/queue/keys.js';
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
const WORKER_COUNTS = argument('workers', '1,2').split(',').map(Number);
const SCRIPT = argument('script', 'hans');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BIN = new URL('../bin/finfaq.js', import.meta.url).pathname;
const CRAWL = { timeout_secs: 5, retries: 1, retry_backoff_secs: 0.05, max_body_bytes: 1024 * 1024 };

interface Result {
  workers: number;
  /** Pages published (records). */
  documents: number;
  /** Versions written: a page's first, and the new ones of pages restored with a new profile. */
  versions: number;
  seconds: number;
  /** Seconds of job time (processing start to finish, summed over jobs) per kind of job. */
  busy: Record<string, number>;
  /** Bytes of job data per job name, and jobs. */
  carried: Record<string, { bytes: number; jobs: number }>;
  /** Bytes of the drafts held as samples in Redis, and how many. */
  samples: { bytes: number; drafts: number };
  /** Each worker process's peak resident memory (MB). */
  peakMb: number[];
}

/** Peak resident memory of a process, MB (`VmHWM` of /proc/PID/status), NaN when unknown. */
async function peakMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The crawl alone on the same web: article pages per second (no Redis, records dropped). */
async function crawlAlone(web: FixtureWeb): Promise<number> {
  let pages = 0;
  const started = performance.now();
  await crawlSources(configOf(web), {
    onRecord: () => {
      pages++;
    },
  });
  return pages / ((performance.now() - started) / 1000);
}

async function samplesHeld(redis: Redis, prefix: string): Promise<{ bytes: number; drafts: number }> {
  let bytes = 0;
  let drafts = 0;
  for (const source of await redis.smembers(redisKeys.profileSources(prefix)))
    for (const draft of await redis.hvals(redisKeys.profileSamples(prefix, source))) {
      bytes += Buffer.byteLength(draft);
      drafts++;
    }
  return { bytes, drafts };
}

function configOf(web: FixtureWeb) {
  const config = web.sourcesConfig({ crawl: CRAWL, source: { per_minute: 1_000_000 } });
  return parseSourcesConfig({ ...config, output: { script: SCRIPT } });
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
    const warmed = await store.stats();

    const started = performance.now();
    const startedAt = Date.now();
    const crawls = await enqueueCrawls(client.queues.crawl, configOf(web), newRunId());
    await waitUntilDrained(client.queues, crawls, { pollMs: 50 });
    const seconds = (performance.now() - started) / 1000;
    // Pages published (records); restored pages add versions, counted apart.
    const done = await store.stats();
    const documents = done.records - warmed.records;
    const versions = done.versions - warmed.versions;
    const failed = await client.queues.normalize.getFailedCount();
    if (failed > 0) process.stderr.write(`bench: ${failed} normalize jobs failed\n`);
    const busy: Record<string, number> = {};
    const carried: Result['carried'] = {};
    for (const queue of [client.queues.crawl, client.queues.normalize, client.queues.publish] as Queue[])
      for (const job of await queue.getCompleted(0, -1))
        if (job.timestamp >= startedAt && job.processedOn && job.finishedOn) {
          busy[job.name] = (busy[job.name] ?? 0) + (job.finishedOn - job.processedOn) / 1000;
          const sum = carried[job.name] ?? { bytes: 0, jobs: 0 };
          sum.bytes += Buffer.byteLength(JSON.stringify(job.data));
          sum.jobs++;
          carried[job.name] = sum;
        }
    return {
      workers,
      documents,
      versions,
      seconds,
      busy,
      carried,
      samples: await samplesHeld(client.redis, prefix),
      peakMb: await Promise.all(children.map((child) => peakMb(child.pid))),
    };
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
    `bench:pipeline: ${pages} article pages (${ARTICLES_PER_SITE} per site, 3 sites), ${availableParallelism()} CPUs, store ${/^postgres/.test(process.env.DATABASE_URL ?? '') ? 'PostgreSQL' : 'SQLite'}, output.script ${SCRIPT}, load average ${load()}`,
  );
  const results: Result[] = [];
  const crawlRates: number[] = [];
  try {
    await crawlAlone(warmWeb); // module loading and JIT
    crawlRates.push(await crawlAlone(web));
    console.log(`  crawl alone: ${(crawlRates[0] as number).toFixed(1)} pages/s`);
    for (const workers of WORKER_COUNTS) {
      const result = await benchOne(workers, web, warmWeb, dir);
      results.push(result);
      const busy = Object.entries(result.busy)
        .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
        .join(', ');
      console.log(
        `  ${workers} worker${workers === 1 ? ' ' : 's'}: ${result.documents} documents (${result.versions} versions) in ${result.seconds.toFixed(1)} s (job time: ${busy})`,
      );
      const kb = (bytes: number, n: number) => (n > 0 ? `${(bytes / n / 1024).toFixed(1)} KB` : '-');
      const carried = Object.entries(result.carried)
        .map(([name, c]) => `${name} job ${kb(c.bytes, c.jobs)}`)
        .join(', ');
      console.log(
        `    carried through Redis per job: ${carried}; samples held ${result.samples.drafts} drafts, ${kb(result.samples.bytes, result.samples.drafts)} each`,
      );
      console.log(
        `    peak RSS per worker: ${result.peakMb.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}; load average ${load()}`,
      );
    }
    crawlRates.push(await crawlAlone(web));
    console.log(`  crawl alone again: ${(crawlRates[1] as number).toFixed(1)} pages/s`);
  } finally {
    await web.close();
    await warmWeb.close();
    await rm(dir, { recursive: true, force: true });
  }
  const base = results[0];
  const crawl = Math.max(...crawlRates);
  console.log(`\ncrawl alone: ${crawl.toFixed(1)} pages/s (the faster of its two runs)`);
  console.log('workers  documents/s  ratio to 1 worker  ratio to the crawl alone');
  for (const r of results) {
    const rate = r.documents / r.seconds;
    const ratio = base ? rate / (base.documents / base.seconds) : 1;
    console.log(
      `${String(r.workers).padStart(7)}  ${rate.toFixed(1).padStart(11)}  ${ratio.toFixed(2).padStart(17)}  ${(rate / crawl).toFixed(3).padStart(24)}`,
    );
  }
}

await main();
