/**
 * The tasks `finfaq normalize` hands its worker threads (`normalize-batch.ts`), and what a thread
 * keeps between them. Each is a pure step of the single-threaded batch, so the records come out
 * the same whichever thread runs which task:
 *
 * - `draft`: pass one of a raw document (every repair but deleted words).
 * - setup `samples`: the batch's samples, as the calling thread's cycle kept them; the thread
 *   holds a copy of the cycle over them.
 * - `learn`: one source's profile, learned from those samples (each source once, in one thread).
 * - setup `profiles`: every source's learned profile, so that any thread restores any page.
 * - `finish`: pass two of a draft (its deleted words restored, the record in the target script).
 */
import { Buffer } from 'node:buffer';
import {
  DeletionCycle,
  draftDocument,
  finalizeRecord,
  flagRepairFailed,
  normalizeDocument,
  type Sample,
  SHARED_MODEL_FILES,
  type StoredProfile,
  sharedFileBytes,
  useSharedFileBytes,
} from '../normalize/index.js';
import type { CleanRecord } from '../records/clean.js';
import type { DraftDocument } from '../records/draft.js';
import type { RawDocument } from '../records/raw.js';
import type { Script } from '../records/scripts.js';
import { transferring } from '../threads/serve.js';

/** What each thread is started with: the dictionary files' bytes, read once for all threads. */
export interface ThreadData {
  files: Record<string, Uint8Array>;
}

/** The language model's table, the dictionary index and the bigram model: read here, shared by every thread. */
export function threadData(): ThreadData {
  return { files: sharedFileBytes(SHARED_MODEL_FILES) };
}

/** In a thread: its tables are read from the shared bytes, not from the files. */
export function useThreadData(data: ThreadData | undefined): void {
  useSharedFileBytes(data?.files);
}

export type BatchSetup = { samples: Sample[] } | { profiles: [string, StoredProfile][] };

/**
 * A draft as the spool holds it (a line of JSON) and the script of its record. Drafts and records
 * cross between threads as JSON, not as objects: the calling thread reads and writes JSON lines
 * anyway, and cloning a record's many small objects for `postMessage` cost more than the JSON.
 * Those a thread sends back are lines of UTF-8, moved, not copied (`jsonLine`).
 */
export interface FinishTask {
  draftJson: string;
  to?: Script;
}

/** A finished record as its line of JSON (`jsonLine`), and why its deleted words could not be restored, if they could not. */
export interface Finished {
  recordLine: Uint8Array;
  restoreError?: string;
}

const encoder = new TextEncoder();

/**
 * `value` as a line of JSON in UTF-8, newline included, as the calling thread writes it: moved to
 * it with the answer. Sent as a string, the JSON was copied by `postMessage` (UTF-16, twice the
 * bytes) and encoded again by the calling thread's write.
 */
function jsonLine(value: unknown): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${JSON.stringify(value)}\n`);
}

/** What a thread keeps: the batch's learning cycle, once it has been sent the samples. */
let cycle = DeletionCycle.inMemory();

export async function setupBatch(setup: BatchSetup): Promise<void> {
  if ('samples' in setup) {
    cycle = DeletionCycle.inMemory();
    for (const sample of setup.samples) await cycle.samples.keep(sample);
  } else for (const [source, stored] of setup.profiles) await cycle.profiles.save(source, stored);
}

/** Pass one's task: a document, and the script its record is to be written in (the page's own
 * when not given). */
export interface DraftTask {
  raw: RawDocument;
  to: Script | undefined;
}

/** Pass one. A body sent to a thread arrives as a plain `Uint8Array`: made a `Buffer` again. */
export function draftTask({ raw, to }: DraftTask): DraftDocument {
  const body = raw.body && !Buffer.isBuffer(raw.body) ? Buffer.from(raw.body) : raw.body;
  return draftDocument(body === raw.body ? raw : { ...raw, body }, { to });
}

export async function learnTask(source: string): Promise<StoredProfile> {
  return (await cycle.learn(source)).saved;
}

/** Pass two; a failure to restore is reported with the record, finished without its deleted words. */
export async function finishTask({ draftJson, to }: FinishTask): Promise<Finished> {
  const draft = JSON.parse(draftJson) as DraftDocument;
  let record: CleanRecord;
  try {
    record = finalizeRecord(await cycle.restore(draft), to);
  } catch (error) {
    const recordLine = jsonLine(finalizeRecord(flagRepairFailed(draft), to));
    return transferring({ recordLine, restoreError: (error as Error).stack ?? String(error) }, [
      recordLine.buffer,
    ]);
  }
  const recordLine = jsonLine(record);
  return transferring({ recordLine }, [recordLine.buffer]);
}

export const BATCH_TASKS = {
  // As a line of JSON, as the calling thread spools it (see `FinishTask`).
  draft: (data: unknown) => {
    const line = jsonLine(draftTask(data as DraftTask));
    return transferring(line, [line.buffer]);
  },
  learn: (data: unknown) => learnTask(data as string),
  finish: (data: unknown) => finishTask(data as FinishTask),
} as const;

export type BatchTaskName = keyof typeof BATCH_TASKS;

/** Builds the language model and tables before the first task. */
export function warmUpNormalizer(): void {
  normalizeDocument({ url: 'warm-up:', text: '银行贷款逾期了怎么办？\n逾期以后，征信会受到影响。' });
}
