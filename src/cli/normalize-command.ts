/**
 * `finfaq normalize [PATH...] [--to SCRIPT] [-o FILE] [--report]`: clean raw dumps, no Redis, no
 * store. Two passes, so that each source's deleted words are learned from the whole batch: pass
 * one repairs every document into a draft (spooled to a temporary file, so memory stays flat) and
 * keeps it as a sample of its source (`deleted-words/cycle.ts`, the same cycle as the queue's);
 * each source's profile is learned; pass two restores deleted words in each draft and writes the
 * records in input order. `-o FILE` is written to a temporary file beside FILE and renamed over it at the end;
 * SIGTERM/SIGINT remove the temporary file and the spool folder before exiting.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { formatProfiles } from '../normalize/deleted-words/batch.js';
import { DeletionCycle } from '../normalize/deleted-words/cycle.js';
import { SourceTemplates } from '../normalize/layout/templates.js';
import { type DraftDocument, draftDocument, finalizeRecord } from '../normalize/pipeline.js';
import type { CleanRecord } from '../normalize/record.js';
import type { Script } from '../normalize/types.js';
import { expandPaths, type InputProblem, readDocuments, readStdin } from './inputs.js';

export interface NormalizeCommandOptions {
  to?: Script;
  output?: string;
  /** Print each source's learned deleted words with their evidence on standard error. */
  report?: boolean;
}

/** Inputs below this size finish before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

async function write(out: Writable, line: string): Promise<void> {
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

async function normalizeFiles(
  paths: string[],
  options: NormalizeCommandOptions,
  leftovers: Set<string>,
): Promise<number> {
  let failed = false;
  const report = (problem: InputProblem) => {
    if (problem.fatal) failed = true;
    process.stderr.write(`finfaq: ${problem.where}: ${problem.message}\n`);
  };

  const files = await expandPaths(paths, report);
  // `-o FILE` is written to a temporary file renamed over FILE at the end: a stopped or failed
  // run never leaves a partial FILE (nor an empty one).
  const temporary = options.output ? temporaryOutput(options.output) : undefined;
  let out: Writable = process.stdout;
  if (options.output && temporary) {
    // An unwritable output is a bad argument: fail before reading anything.
    try {
      if ((await stat(options.output).catch(() => null))?.isDirectory()) throw new Error('is a directory');
      leftovers.add(temporary);
      out = createWriteStream(temporary);
      await once(out, 'open');
    } catch (error) {
      process.stderr.write(`finfaq: cannot write ${options.output}: ${(error as Error).message}\n`);
      return 2;
    }
  }

  const spoolDir = await mkdtemp(join(tmpdir(), 'finfaq-normalize-'));
  leftovers.add(spoolDir);
  const spoolPath = join(spoolDir, 'drafts.jsonl');
  try {
    // Pass one: repair, sample, spool.
    const cycle = DeletionCycle.inMemory();
    // Lines a source repeats on most of its pages are its template (`layout/templates.ts`).
    const templates = new SourceTemplates();
    const spool = createWriteStream(spoolPath);
    const bar = progressBar(files.reduce((sum, f) => sum + f.size, 0));
    let bytesDone = 0;
    let documents = 0;
    const inputs =
      paths.length > 0
        ? readDocuments(files, report, (n) => (bytesDone += n))
        : readStdin(process.stdin, report);
    for await (const raw of inputs) {
      try {
        const draft = draftDocument(raw);
        await cycle.observe(draft);
        templates.observe(draft);
        await write(spool, `${JSON.stringify(draft)}\n`);
      } catch (error) {
        // A bug on one document must not lose the others; say which one.
        failed = true;
        process.stderr.write(`finfaq: ${raw.url}: normalize failed: ${(error as Error).stack ?? error}\n`);
      }
      documents++;
      bar?.update(Math.floor(bytesDone / 1e6), { docs: documents });
    }
    bar?.stop();
    await close(spool);
    // Each source's profile, learned from its samples and the pages related to them.
    const profiles = await cycle.learnAll();
    if (options.report) process.stderr.write(formatProfiles(profiles));

    // Pass two: restore deleted words and write the records.
    const drafts = createInterface({
      input: createReadStream(spoolPath),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of drafts) {
      const draft = templates.strip(JSON.parse(line) as DraftDocument);
      let record: CleanRecord;
      try {
        record = finalizeRecord(await cycle.restore(draft), options.to);
      } catch (error) {
        failed = true;
        process.stderr.write(
          `finfaq: ${draft.url}: restoring deleted words failed: ${(error as Error).stack ?? error}\n`,
        );
        record = finalizeRecord(draft, options.to);
      }
      await write(out, `${JSON.stringify(record)}\n`);
    }
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
    leftovers.delete(spoolDir);
  }
  if (options.output && temporary) {
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
