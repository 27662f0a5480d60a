/**
 * `npm run bench:normalize-pool`: `finfaq normalize` with its worker-thread pool against one
 * thread, on the same dumps in the same run, printed as a ratio.
 *
 *   npm run bench:normalize-pool -- [--megabytes 3] [--threads N] [--rounds 2] [--seed 14]
 *
 * Generates (not timed) a folder of dumps made by the test suite's generators: content-farm sites
 * whose filters delete words (`tests/support/filtered-sites.ts`: the batch learns their profiles,
 * and some pages copy each other), and single documents with pinyin, garbled runs, gaps and the
 * other faults (`tests/support/fault-injector.ts`). Then runs the built command over the folder,
 * `--threads 1` and `--threads N` (default: one per CPU) in turn, `rounds` times each (the machine
 * is shared: the best round of each counts), wall time from start to exit (thread start-up,
 * learning and writing included), and checks that both wrote the same bytes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArticle, Rng } from '../tests/support/article-generator.js';
import { FAULT_KINDS, injectFaults } from '../tests/support/fault-injector.js';
import { makeSites, sitePages } from '../tests/support/filtered-sites.js';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const MB = 1_000_000;
/** Every single document has pinyin, garbled runs and gaps; the other faults now and then. */
const ALWAYS = new Set<string>(['pinyin', 'gbk-tail', 'deleted-words']);
const MEGABYTES = Number(argument('megabytes', '3'));
const THREADS = Number(argument('threads', String(availableParallelism())));
const ROUNDS = Number(argument('rounds', '2'));
const SEED = Number(argument('seed', '14'));
const BIN = fileURLToPath(new URL('../bin/finfaq.js', import.meta.url));

/** Writes the dumps: half the bytes from filtering sites, half single faulty documents. */
function writeDumps(dir: string): { documents: number; bytes: number } {
  let bytes = 0;
  let documents = 0;
  const farm: string[] = [];
  // Sites of 60 pages until half the bytes: the more pages, the more sites.
  for (let round = 0; bytes < (MEGABYTES * MB) / 2; round++)
    for (const page of sitePages(makeSites(SEED * 100 + round, 4, 60))) {
      const line = JSON.stringify({ url: page.raw.url, text: page.raw.text, content_type: 'text/plain' });
      farm.push(line);
      bytes += Buffer.byteLength(line) + 1;
      documents++;
    }
  writeFileSync(join(dir, 'farm.jsonl'), `${farm.join('\n')}\n`);
  mkdirSync(join(dir, 'single'));
  const rng = new Rng(SEED);
  for (let i = 0; bytes < MEGABYTES * MB; i++) {
    const faults = FAULT_KINDS.filter((kind) => ALWAYS.has(kind) || rng.chance(0.6));
    const doc = injectFaults(generateArticle(SEED * 10_000 + i), {
      seed: SEED + i,
      faults,
      script: rng.chance(2 / 3) ? 'tw' : 'hans',
    });
    const body = doc.bytes ?? Buffer.from(doc.text);
    writeFileSync(
      join(dir, 'single', `${String(i).padStart(6, '0')}.${doc.format === 'html' ? 'html' : 'txt'}`),
      body,
    );
    bytes += body.length;
    documents++;
  }
  return { documents, bytes };
}

/** One run of the command; its wall time in seconds. */
function normalize(dir: string, threads: number, output: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'normalize', dir, '--threads', String(threads), '-o', output],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`finfaq normalize --threads ${threads} exited ${code}:\n${stderr}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'finfaq-bench-pool-'));
  try {
    const dir = join(work, 'dumps');
    mkdirSync(dir);
    const { documents, bytes } = writeDumps(dir);
    console.log(
      `bench:normalize-pool: ${documents} documents, ${(bytes / MB).toFixed(1)} MB (seed ${SEED}), ${availableParallelism()} CPUs, ${THREADS} threads against 1, best of ${ROUNDS} rounds`,
    );
    const best = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round++)
      for (const threads of [1, THREADS]) {
        const seconds = await normalize(dir, threads, join(work, `out-${threads}.jsonl`));
        console.log(
          `  round ${round + 1}, ${threads} thread${threads === 1 ? ' ' : 's'}: ${seconds.toFixed(1)} s`,
        );
        best.set(threads, Math.min(best.get(threads) ?? Number.POSITIVE_INFINITY, seconds));
      }
    const same = readFileSync(join(work, 'out-1.jsonl')).equals(
      readFileSync(join(work, `out-${THREADS}.jsonl`)),
    );
    const one = best.get(1) as number;
    console.log('\nthreads  documents/s  MB/s  ratio to 1 thread');
    for (const [threads, seconds] of best)
      console.log(
        `${String(threads).padStart(7)}  ${(documents / seconds).toFixed(1).padStart(11)}  ${(bytes / MB / seconds).toFixed(2).padStart(4)}  ${(one / seconds).toFixed(2).padStart(17)}`,
      );
    console.log(`output with ${THREADS} threads byte-identical to 1 thread: ${same ? 'yes' : 'NO'}`);
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
