/**
 * `finfaq normalize [PATH...] [--to SCRIPT] [-o FILE] [--report] [--threads N]`: clean raw dumps,
 * no Redis, no store. Two passes, so that each source's deleted words are learned from the whole
 * batch: pass one repairs every document into a draft (spooled to a temporary file, so memory
 * stays flat) and keeps it as a sample of its source (`deleted-words/cycle.ts`, the same cycle as
 * the queue's); each source's profile is learned; pass two restores deleted words in each draft
 * and writes the records in input order.
 *
 * The work runs in a pool of worker threads (`normalize-tasks.ts`; one per CPU by default), each
 * document within the time budget of a queued page (`FINFAQ_NORMALIZE_TIMEOUT_MS`; a source's
 * learning gets ten times as long). This thread reads, samples and writes in input order, so the
 * output is the same with any number of threads. A document that fails or runs out of time in
 * pass one is reported and has no record; in pass two it gets its record without restored words,
 * and is reported. Either way the exit code is 1. `-o FILE` is written to a temporary file beside FILE and renamed over it at the end;
 * SIGTERM/SIGINT remove the temporary file and the spool folder before exiting.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import {
  DeletionCycle,
  finalizeRecord,
  flagRepairFailed,
  formatProfiles,
  pageChars,
  REPAIR_FAILED,
  type Sample,
  type StoredProfile,
} from '../normalize/index.js';
// Not from connection.ts or normalize-worker.ts: those load the Redis and BullMQ clients.
import { BATCH_BUDGET_FACTOR, normalizeTimeoutMs } from '../queue/budgets.js';
import type { DraftDocument } from '../records/draft.js';
import type { RawDocument } from '../records/raw.js';
import type { Script } from '../records/scripts.js';
import { inOrder } from '../threads/ordered.js';
import { builtModule, TaskTimeoutError, ThreadPool } from '../threads/pool.js';
import { expandPaths, type InputProblem, readDocuments, readStdin } from './inputs.js';
import {
  type BatchSetup,
  type BatchTaskName,
  type DraftTask,
  type Finished,
  type FinishTask,
  threadData,
} from './normalize-tasks.js';

export interface NormalizeCommandOptions {
  to?: Script;
  output?: string;
  /** Print each source's learned deleted words with their evidence on standard error. */
  report?: boolean;
  /** Worker threads that normalize (default: one per CPU). */
  threads?: number;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A task's failure as reported: the thread's stack for a bug, the reason for a timeout. */
function describeFailure(error: unknown): string {
  if (error instanceof TaskTimeoutError) return error.message;
  return (error as Error)?.stack ?? String(error);
}

/** Inputs below this size finish before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

async function write(out: Writable, line: string | Uint8Array): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

async function close(out: Writable): Promise<void> {
  out.end();
  await once(out, 'finish');
}

function progressBar(totalBytes: number) {
  if (!process.stderr.isTTY || totalBytes < PROGRESS_MIN_BYTES) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: 'normalize |{bar}| {percentage}% {value}/{total} MB {docs} docs', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(totalBytes / 1e6), 0, { docs: 0 });
  return bar;
}

/** Runs the command; resolves to the process exit code. */
export async function runNormalize(paths: string[], options: NormalizeCommandOptions): Promise<number> {
  // What a stop leaves behind is removed: on SIGTERM/SIGINT (exit 128 + the signal's number), on
  // `process.exit` (a closed standard output), and at the end.
  const leftovers = new Set<string>();
  const removeLeftovers = () => {
    for (const path of leftovers) rmSync(path, { recursive: true, force: true });
    leftovers.clear();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `finfaq: ${signal}: stopped${options.output ? `, ${options.output} left as it was` : ''}\n`,
    );
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  process.on('exit', removeLeftovers);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await normalizeFiles(paths, options, leftovers);
  } finally {
    removeLeftovers();
    process.off('exit', removeLeftovers);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** `-o FILE`'s temporary file: beside it (same file system, so the rename is atomic), hidden. */
function temporaryOutput(output: string): string {
  return join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
}

/** What the passes of one `finfaq normalize` share: its thread pool and its failures. */
interface BatchRun {
  run: <R>(name: BatchTaskName, data: unknown) => Promise<R>;
  /** Tasks in flight: enough to keep every thread busy while the answers are taken in order. */
  window: number;
  /** Says what failed on stderr; the command then exits 1. */
  fail: (message: string) => void;
}

/**
 * Where the records go: stdout, or `-o FILE` written to a temporary file renamed over FILE at the
 * end (a stopped or failed run never leaves a partial FILE, nor an empty one). Undefined, said on
 * stderr, when FILE cannot be written: a bad argument, found before anything is read.
 */
async function openOutput(
  options: NormalizeCommandOptions,
  leftovers: Set<string>,
): Promise<{ out: Writable; temporary?: string } | undefined> {
  if (!options.output) return { out: process.stdout };
  const temporary = temporaryOutput(options.output);
  try {
    if ((await stat(options.output).catch(() => null))?.isDirectory()) throw new Error('is a directory');
    leftovers.add(temporary);
    const out = createWriteStream(temporary);
    await once(out, 'open');
    return { out, temporary };
  } catch (error) {
    process.stderr.write(`finfaq: cannot write ${options.output}: ${(error as Error).message}
`);
    return undefined;
  }
}

/** Pass one: each document repaired in the threads; here, in input order, sampled and spooled. */
async function draftPass(
  batch: BatchRun,
  inputs: AsyncIterable<RawDocument>,
  to: Script | undefined,
  cycle: DeletionCycle,
  spoolPath: string,
  onDocument: () => void,
): Promise<void> {
  const spool = createWriteStream(spoolPath);
  const decoder = new TextDecoder();
  for await (const { item: raw, result } of inOrder(inputs, batch.window, (raw) =>
    batch.run<Uint8Array>('draft', { raw, to } satisfies DraftTask),
  )) {
    if (result.ok) {
      // The draft comes as its line of JSON (UTF-8): spooled as it is, read here for the samples.
      await cycle.observe(JSON.parse(decoder.decode(result.value)) as DraftDocument);
      await write(spool, result.value);
    } else {
      // A bug on one document, or one past its time budget, must not lose the others; say which.
      batch.fail(`${raw.url}: normalize failed: ${describeFailure(result.error)}`);
    }
    onDocument();
  }
  await close(spool);
}

/**
 * Each source's profile, learned once (sources shared among the threads) from the batch's samples
 * and the pages related to them; the samples and then the profiles are given to every thread.
 */
async function learnPass(batch: BatchRun, pool: ThreadPool, cycle: DeletionCycle): Promise<StoredProfile[]> {
  const sources = await cycle.samples.sources();
  const samples: Sample[] = [];
  const chars = new Map<string, number>();
  for (const source of sources)
    for (const sample of await cycle.samples.samples(source)) {
      samples.push(sample);
      chars.set(source, (chars.get(source) ?? 0) + pageChars(sample));
    }
  pool.broadcast({ samples } satisfies BatchSetup);
  // The largest sources first, so that no thread is left with a large one at the end.
  const learning = new Map(
    [...sources]
      .sort((a, b) => (chars.get(b) ?? 0) - (chars.get(a) ?? 0))
      .map((source) => [source, batch.run<StoredProfile>('learn', source)]),
  );
  const learned = await Promise.allSettled(
    sources.map((source) => learning.get(source) as Promise<StoredProfile>),
  );
  const profiles: [string, StoredProfile][] = [];
  learned.forEach((outcome, i) => {
    const source = sources[i] as string;
    if (outcome.status === 'fulfilled') profiles.push([source, outcome.value]);
    else batch.fail(`${source}: learning deleted words failed: ${describeFailure(outcome.reason)}`);
  });
  pool.broadcast({ profiles } satisfies BatchSetup);
  return profiles.map(([, stored]) => stored);
}

/**
 * The spool's lines (drafts as JSON, which holds no raw line break), read as the tasks take them.
 * Not readline's iterator: it reads up to 1,024 lines ahead of its reader (the whole spool of 4 MB
 * of rich dumps, ~20 MB of drafts), and this thread's heap grew from 58 to 96 MB in pass two; now
 * it stays at ~60 MB (issue 14; the process's peak RSS moved within the noise).
 */
async function* spoolLines(path: string): AsyncGenerator<string> {
  let pieces: string[] = [];
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      pieces.push(chunk.slice(start, end));
      yield pieces.join('');
      pieces = [];
      start = end + 1;
    }
    pieces.push(chunk.slice(start));
  }
  const last = pieces.join('');
  if (last !== '') yield last;
}

/** Pass two: deleted words restored and records finished in the threads; here, written in order. */
async function finishPass(batch: BatchRun, spoolPath: string, to: Script | undefined, out: Writable) {
  // The drafts go to the threads, and the records come back, as lines of JSON (`FinishTask`).
  const finishTasks = (async function* () {
    for await (const draftJson of spoolLines(spoolPath)) yield { draftJson, to } satisfies FinishTask;
  })();
  for await (const { item, result } of inOrder(finishTasks, batch.window, (task) =>
    batch.run<Finished>('finish', task),
  )) {
    let recordLine: string | Uint8Array;
    let restoreError: string | undefined;
    if (result.ok) ({ recordLine, restoreError } = result.value);
    else {
      // The thread died or ran out of time: the record without its deleted words, made here.
      const draft = JSON.parse(item.draftJson) as DraftDocument;
      recordLine = `${JSON.stringify(finalizeRecord(flagRepairFailed(draft), item.to))}\n`;
      restoreError = describeFailure(result.error);
    }
    if (restoreError !== undefined)
      batch.fail(
        `${(JSON.parse(item.draftJson) as DraftDocument).url}: restoring deleted words failed, kept without (flagged ${REPAIR_FAILED}): ${restoreError}`,
      );
    await write(out, recordLine);
  }
}

async function normalizeFiles(
  paths: string[],
  options: NormalizeCommandOptions,
  leftovers: Set<string>,
): Promise<number> {
  let budgetMs: number;
  try {
    budgetMs = normalizeTimeoutMs();
  } catch (error) {
    process.stderr.write(`finfaq: ${(error as Error).message}\n`);
    return 2;
  }
  let failed = false;
  const fail = (message: string) => {
    failed = true;
    process.stderr.write(`finfaq: ${message}\n`);
  };
  const report = (problem: InputProblem) => {
    if (problem.fatal) failed = true;
    process.stderr.write(`finfaq: ${problem.where}: ${problem.message}\n`);
  };

  const files = await expandPaths(paths, report);
  const output = await openOutput(options, leftovers);
  if (!output) return 2;
  const { out, temporary } = output;

  const spoolDir = await mkdtemp(join(tmpdir(), 'finfaq-normalize-'));
  leftovers.add(spoolDir);
  const spoolPath = join(spoolDir, 'drafts.jsonl');
  const threads = options.threads ?? defaultThreads();
  // The dictionary files are read once here and shared: not a copy in every thread.
  const pool = new ThreadPool(builtModule('cli/normalize-thread.js'), threadData(), {
    size: threads,
    budgetMs: (name) => (name === 'learn' ? budgetMs * BATCH_BUDGET_FACTOR : budgetMs),
  });
  const batch: BatchRun = {
    run: <R>(name: BatchTaskName, data: unknown) => pool.run({ name, data }) as Promise<R>,
    window: threads * 2 + 2,
    fail,
  };
  try {
    const cycle = DeletionCycle.inMemory();
    const bar = progressBar(files.reduce((sum, f) => sum + f.size, 0));
    let bytesDone = 0;
    let documents = 0;
    const inputs =
      paths.length > 0
        ? readDocuments(files, report, (n) => (bytesDone += n))
        : readStdin(process.stdin, report);
    await draftPass(batch, inputs, options.to, cycle, spoolPath, () => {
      documents++;
      bar?.update(Math.floor(bytesDone / 1e6), { docs: documents });
    });
    bar?.stop();
    const profiles = await learnPass(batch, pool, cycle);
    if (options.report) process.stderr.write(formatProfiles(profiles.map((stored) => stored.profile)));
    await finishPass(batch, spoolPath, options.to, out);
  } finally {
    await pool.close();
    await rm(spoolDir, { recursive: true, force: true });
    leftovers.delete(spoolDir);
  }
  if (temporary && options.output) {
    await close(out);
    try {
      await rename(temporary, options.output);
      leftovers.delete(temporary);
    } catch (error) {
      process.stderr.write(`finfaq: cannot write ${options.output}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return failed ? 1 : 0;
}
