/**
 * Worker threads for the normalize queue, each job with a time budget. Repairing a page is CPU
 * work that cannot be interrupted from inside, so the job runs in a thread of its own and the
 * main thread keeps the clock: past the budget the thread is terminated and the job fails with a
 * reason that says so (`NormalizeTimeoutError`, not retried: the same page would take as long
 * again), while the worker goes on with the next job in a fresh thread. The main thread never
 * blocks, so BullMQ keeps renewing the locks of every job in hand.
 *
 * A thread is warmed up before its first job (its Redis connection and store opened, the
 * language model built: a few seconds), outside any job's budget; it then serves jobs one at a
 * time, as many threads as jobs in flight (the worker's concurrency). A thread that dies takes
 * its job down with it (that job fails and is retried as any failure) and is replaced.
 *
 *   const threads = new NormalizeThreads(file, workerData, { budgetMs: (name) => 60_000 });
 *   const result = await threads.run({ name: 'normalize', data });  // in a BullMQ processor
 *   await threads.close();
 */
import { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';

/** What the main thread sends a thread: one job. */
export interface ThreadRequest {
  id: number;
  name: string;
  data: unknown;
}

/** What a thread answers: `ready` once warmed up, then one `done` per job. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: { name: string; message: string; stack?: string } };

/** A job that ran past its budget; its thread was stopped. */
export class NormalizeTimeoutError extends UnrecoverableError {
  override readonly name = 'NormalizeTimeoutError';
  constructor(job: string, budgetMs: number) {
    super(
      `${job} job exceeded its time budget of ${budgetMs / 1000} s and was stopped (FINFAQ_NORMALIZE_TIMEOUT_MS)`,
    );
  }
}

export interface ThreadOptions {
  /** The budget of a job, by job name (ms). */
  budgetMs: (name: string) => number;
  /** How long a new thread may take to warm up before it counts as broken (ms). */
  warmUpMs?: number;
}

interface Slot {
  thread: Thread;
  ready: Promise<void>;
  /** Settles the job in hand, if any. */
  settle?: (message: ThreadMessage | Error) => void;
}

const WARM_UP_MS = 120_000;

export class NormalizeThreads {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Slot>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: URL,
    private readonly workerData: unknown,
    private readonly options: ThreadOptions,
  ) {}

  /** Runs one job in a thread of its own; rejects past the job's budget. */
  async run(job: { name: string; data: unknown }): Promise<unknown> {
    if (this.closed) throw new Error('normalize threads are closed');
    const slot = this.idle.pop() ?? this.spawn();
    try {
      await slot.ready;
    } catch (error) {
      this.discard(slot);
      throw error;
    }
    const budgetMs = this.options.budgetMs(job.name);
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<ThreadMessage | Error>((resolve) => {
      slot.settle = resolve;
      timer = setTimeout(() => resolve(new NormalizeTimeoutError(job.name, budgetMs)), budgetMs);
      slot.thread.postMessage({ id, name: job.name, data: job.data } satisfies ThreadRequest);
    });
    clearTimeout(timer);
    if (answer instanceof Error) {
      // Out of time, or the thread died: it cannot be trusted with another job.
      await this.discard(slot);
      throw answer;
    }
    this.release(slot);
    if (answer.type === 'done' && answer.ok) return answer.value;
    const error =
      answer.type === 'done' && !answer.ok ? answer.error : { name: 'Error', message: 'no answer' };
    throw Object.assign(new Error(error.message), { name: error.name, stack: error.stack });
  }

  /** Terminates every thread (jobs in hand fail). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((slot) => this.discard(slot)));
  }

  private spawn(): Slot {
    const thread = new Thread(this.file, { workerData: this.workerData });
    const slot: Slot = { thread, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`a normalize thread did not start within ${WARM_UP_MS / 1000} s`)),
        this.options.warmUpMs ?? WARM_UP_MS,
      );
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        const settle = slot.settle;
        slot.settle = undefined;
        settle?.(message);
      };
      const onEnd = (error: Error) => {
        clearTimeout(timer);
        reject(error);
        const settle = slot.settle;
        slot.settle = undefined;
        settle?.(error);
        this.all.delete(slot);
        const at = this.idle.indexOf(slot);
        if (at >= 0) this.idle.splice(at, 1);
      };
      thread.on('message', onMessage);
      thread.on('error', (error) => onEnd(error));
      thread.on('exit', (code) => onEnd(new Error(`normalize thread exited (code ${code})`)));
    });
    // A warm-up failure is reported to the job that waits for it.
    slot.ready.catch(() => {});
    this.all.add(slot);
    return slot;
  }

  private release(slot: Slot): void {
    slot.settle = undefined;
    if (this.closed) void this.discard(slot);
    else this.idle.push(slot);
  }

  private async discard(slot: Slot): Promise<void> {
    slot.settle = undefined;
    this.all.delete(slot);
    const at = this.idle.indexOf(slot);
    if (at >= 0) this.idle.splice(at, 1);
    await slot.thread.terminate().catch(() => {});
  }
}
