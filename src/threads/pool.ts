/**
 * A pool of worker threads that run tasks each within a time budget: the normalize queue's
 * threads (`../queue/normalize-worker.ts`) and `finfaq normalize`'s (`../cli/normalize-batch.ts`).
 * Repairing a page is CPU work that cannot be interrupted from inside, so a task runs in a thread
 * and the calling thread keeps the clock: past the budget the thread is terminated and the task
 * rejects with the pool's timeout error, while the pool goes on with a fresh thread. The calling
 * thread never blocks (BullMQ keeps renewing its locks; a signal is handled at once).
 *
 * A thread is warmed up before its first task (the language model built: a few seconds), outside
 * any task's budget, then runs one task at a time. At most `size` threads run; a task waits for
 * an idle one. `broadcast` sends every thread, and every thread started later, the same setup
 * (state the tasks read, such as a batch's samples), so a thread that replaces a stopped one
 * knows what the others know. A thread that dies takes its task down with it and is replaced.
 *
 *   const pool = new ThreadPool(builtModule('cli/normalize-thread.js'), {}, { budgetMs: () => 60_000 });
 *   pool.broadcast({ samples });
 *   const draft = await pool.run({ name: 'draft', data: raw });
 *   await pool.close();
 *
 * The thread's side is `serve.ts`.
 */
import { existsSync } from 'node:fs';
import { type ResourceLimits, Worker as Thread } from 'node:worker_threads';

/** What the calling thread sends a thread: a task, or setup to keep. */
export type ThreadRequest =
  | { type: 'task'; id: number; name: string; data: unknown }
  | { type: 'setup'; data: unknown };

/** What a thread answers: `ready` once warmed up, then one `done` per task. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: { name: string; message: string; stack?: string } };

/** A task that ran past its budget; its thread was stopped. */
export class TaskTimeoutError extends Error {
  override readonly name: string = 'TaskTimeoutError';
  constructor(task: string, budgetMs: number) {
    super(`${task} task exceeded its time budget of ${budgetMs / 1000} s and was stopped`);
  }
}

export interface PoolOptions {
  /** The budget of a task, by task name (ms). */
  budgetMs: (name: string) => number;
  /** Threads at most (default: no limit, one per task in flight). */
  size?: number;
  /** How long a new thread may take to warm up before it counts as broken (ms). */
  warmUpMs?: number;
  /** The error a task past its budget rejects with (default `TaskTimeoutError`). */
  timeoutError?: (name: string, budgetMs: number) => Error;
}

/**
 * A thread's young generation: 12 MB, semi-spaces of 4 MB (V8 makes them a third of it), instead
 * of V8's 16 MB semi-spaces (32 MB of new space a thread). A normalizer's task keeps little of
 * what it allocates, so the smaller one costs no CPU time that shows (issue 14, old and new run
 * alternately, load 4–8): `finfaq normalize --threads 2` on 4 MB of rich dumps peaked at 532–612 MB
 * of RSS, 500–569 with it; 1 thread 408–452 → 371–394 MB. 24 MB gave 523–580 MB; 6 and 3 MB no
 * gain beyond the noise (446–521 and 445–499 MB against 501–508 in the same sitting).
 */
const THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };

interface Slot {
  thread: Thread;
  ready: Promise<void>;
  /** Settles the task in hand, if any. */
  settle?: (message: ThreadMessage | Error) => void;
}

const WARM_UP_MS = 120_000;

/**
 * The compiled module at `path` (relative to `src/`, e.g. `cli/normalize-thread.js`): beside this
 * file's folder in `dist/`; when this module runs from `src/` (tests, tsx), the build's copy
 * (`npm run build` makes it; `npm test` builds first). Threads load JavaScript only.
 */
export function builtModule(path: string): URL {
  const sibling = new URL(`../${path}`, import.meta.url);
  if (existsSync(sibling)) return sibling;
  const built = new URL(`../../dist/${path}`, import.meta.url);
  if (existsSync(built)) return built;
  throw new Error(`${built.pathname} is missing: run \`npm run build\` first`);
}

export class ThreadPool {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Slot>();
  /** Tasks waiting for a thread, first come first served. */
  private readonly waiting: { resolve: (slot: Slot) => void; reject: (error: Error) => void }[] = [];
  private readonly setups: unknown[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: URL,
    private readonly workerData: unknown,
    private readonly options: PoolOptions,
  ) {}

  /** Threads the pool may run at once. */
  get size(): number {
    return this.options.size ?? Number.POSITIVE_INFINITY;
  }

  /** Sends every thread, now and later, `data` to keep (handled before the thread's next task). */
  broadcast(data: unknown): void {
    this.setups.push(data);
    for (const slot of this.all) slot.thread.postMessage({ type: 'setup', data } satisfies ThreadRequest);
  }

  /** Runs one task in a thread of the pool; rejects past the task's budget. */
  async run(task: { name: string; data: unknown }, transfer?: readonly ArrayBuffer[]): Promise<unknown> {
    if (this.closed) throw new Error('the thread pool is closed');
    const slot = await this.take();
    try {
      await slot.ready;
    } catch (error) {
      await this.discard(slot);
      throw error;
    }
    const budgetMs = this.options.budgetMs(task.name);
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<ThreadMessage | Error>((resolve) => {
      slot.settle = resolve;
      timer = setTimeout(() => resolve(this.timeoutError(task.name, budgetMs)), budgetMs);
      const request: ThreadRequest = { type: 'task', id, name: task.name, data: task.data };
      slot.thread.postMessage(request, transfer);
    });
    clearTimeout(timer);
    if (answer instanceof Error) {
      // Out of time, or the thread died: it cannot be trusted with another task.
      await this.discard(slot);
      throw answer;
    }
    this.release(slot);
    if (answer.type === 'done' && answer.ok) return answer.value;
    const error =
      answer.type === 'done' && !answer.ok ? answer.error : { name: 'Error', message: 'no answer' };
    throw Object.assign(new Error(error.message), { name: error.name, stack: error.stack });
  }

  /** Terminates every thread (tasks in hand fail). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(new Error('the thread pool is closed'));
    await Promise.all([...this.all].map((slot) => this.discard(slot)));
  }

  private timeoutError(name: string, budgetMs: number): Error {
    return this.options.timeoutError?.(name, budgetMs) ?? new TaskTimeoutError(name, budgetMs);
  }

  /** An idle thread, a new one while fewer than `size` run, or the next one to become idle. */
  private take(): Promise<Slot> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private spawn(): Slot {
    const thread = new Thread(this.file, {
      workerData: this.workerData,
      resourceLimits: THREAD_LIMITS,
    });
    const slot: Slot = { thread, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const warmUpMs = this.options.warmUpMs ?? WARM_UP_MS;
      const timer = setTimeout(
        () => reject(new Error(`a worker thread did not start within ${warmUpMs / 1000} s`)),
        warmUpMs,
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
        this.forget(slot);
      };
      thread.on('message', onMessage);
      thread.on('error', (error) => onEnd(error));
      thread.on('exit', (code) => onEnd(new Error(`worker thread exited (code ${code})`)));
    });
    // A warm-up failure is reported to the task that waits for it.
    slot.ready.catch(() => {});
    for (const data of this.setups) thread.postMessage({ type: 'setup', data } satisfies ThreadRequest);
    this.all.add(slot);
    return slot;
  }

  private release(slot: Slot): void {
    slot.settle = undefined;
    if (this.closed) {
      void this.discard(slot);
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else this.idle.push(slot);
  }

  /** Drops a slot from the pool; a task waiting for a thread gets a new one in its place. */
  private forget(slot: Slot): void {
    const known = this.all.delete(slot);
    const at = this.idle.indexOf(slot);
    if (at >= 0) this.idle.splice(at, 1);
    if (known && !this.closed && this.waiting.length > 0 && this.all.size < this.size)
      this.waiting.shift()?.resolve(this.spawn());
  }

  private async discard(slot: Slot): Promise<void> {
    slot.settle = undefined;
    this.forget(slot);
    await slot.thread.terminate().catch(() => {});
  }
}
