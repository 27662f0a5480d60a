/**
 * `npm run bench:normalize-worker`: what a `finfaq worker --only normalize --concurrency N` process
 * costs to start and to hold. The worker is spawned with a fresh queue prefix and SQLite store, N
 * normalize jobs (the seeds' pages, one per thread) are queued at once, and it prints:
 *
 * - start-up: spawn → the worker says it is working; spawn → all N jobs done (each thread started,
 *   warmed up — connections, language model, dictionary index — and ran one page);
 * - memory: the process's resident set (threads included) once those jobs are done, and its peak
 *   (`VmHWM`), from /proc.
 *
 *   npm run bench:normalize-worker -- [--threads 2] [--rounds 2] [--to hans|hant|tw|hk]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { queueSettings } from '../src/queue/connection.js';
import { JOB_NAMES, normalizeJobId } from '../src/queue/jobs.js';
import { connectQueues } from '../src/queue/queues.js';
import type { CrawledRawRecord } from '../src/records/raw.js';
import type { Script } from '../src/records/scripts.js';
import { dropPrefix } from '../tests/queue/helpers.js';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const THREADS = Number(argument('threads', '2'));
const ROUNDS = Number(argument('rounds', '2'));
const TO = argument('to', 'hans') as Script;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BIN = new URL('../bin/finfaq.js', import.meta.url).pathname;
const SEEDS = new URL('../../shared/seeds/', import.meta.url).pathname;

/** kB of a /proc/PID/status line (`VmRSS`, `VmHWM`). */
async function procKb(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

async function pages(): Promise<CrawledRawRecord[]> {
  const files = (await readdir(SEEDS)).filter((f) => f.endsWith('.txt')).sort();
  const out: CrawledRawRecord[] = [];
  for (const file of files) {
    const bytes = await readFile(join(SEEDS, file));
    out.push({
      url: `https://bench.example/${file}`,
      body_base64: bytes.toString('base64'),
      content_type: 'text/plain; charset=utf-8',
      fetched_at: new Date().toISOString(),
      source: 'bench',
    });
  }
  return out;
}

interface Round {
  readySeconds: number;
  doneSeconds: number;
  rssMb: number;
  peakMb: number;
}

async function round(k: number, seeds: CrawledRawRecord[], dir: string): Promise<Round> {
  const prefix = `benchw_${Date.now().toString(36)}_${k}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL,
    FINFAQ_QUEUE_PREFIX: prefix,
    DATABASE_URL: join(dir, `${prefix}.sqlite`),
  };
  const client = connectQueues(queueSettings(env));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--only', 'normalize', '--concurrency', String(THREADS)],
    {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (/working on/.test(err)) resolve();
      });
      child.once('exit', () => reject(new Error(`worker exited:\n${err}`)));
    });
    const readySeconds = (performance.now() - started) / 1000;
    // One page a thread, each a distinct job (the URL differs), queued at once.
    const ids: string[] = [];
    for (let i = 0; i < THREADS; i++) {
      const seed = seeds[i % seeds.length] as CrawledRawRecord;
      const raw = { ...seed, url: `${seed.url}?${k}-${i}` };
      const id = normalizeJobId(raw, TO);
      ids.push(id);
      await client.queues.normalize.add(JOB_NAMES.normalize, { raw, to: TO }, { jobId: id });
    }
    for (;;) {
      const states = await Promise.all(ids.map((id) => client.queues.normalize.getJobState(id)));
      if (states.includes('failed')) throw new Error('a normalize job failed');
      if (states.every((s) => s === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const doneSeconds = (performance.now() - started) / 1000;
    const pid = child.pid as number;
    return {
      readySeconds,
      doneSeconds,
      rssMb: (await procKb(pid, 'VmRSS')) / 1024,
      peakMb: (await procKb(pid, 'VmHWM')) / 1024,
    };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    await client.close();
    await dropPrefix(REDIS_URL, prefix);
  }
}

async function main(): Promise<void> {
  const seeds = await pages();
  const dir = await mkdtemp(join(tmpdir(), 'finfaq-bench-worker-'));
  console.log(
    `bench:normalize-worker: finfaq worker --only normalize --concurrency ${THREADS}, ${THREADS} jobs at once (to ${TO}); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  try {
    for (let k = 0; k < ROUNDS; k++) {
      const r = await round(k, seeds, dir);
      console.log(
        `  round ${k + 1}: working after ${r.readySeconds.toFixed(2)} s, ${THREADS} jobs done after ${r.doneSeconds.toFixed(2)} s; RSS ${r.rssMb.toFixed(0)} MB, peak ${r.peakMb.toFixed(0)} MB`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
