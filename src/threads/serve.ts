/**
 * The thread's side of `pool.ts`: warms up, says `ready`, then keeps each setup it is sent and
 * runs each task, one at a time in the order they come, answering with its result or its error.
 *
 *   serveTasks({ warmUp, setup: (data) => keep(data), run: (name, data) => handlers[name](data) });
 */
import { parentPort } from 'node:worker_threads';
import type { ThreadMessage, ThreadRequest } from './pool.js';

export interface TaskHandlers {
  /** Builds what the tasks need (the language model…) before the thread says `ready`. */
  warmUp?: () => Promise<void> | void;
  /** Keeps state sent with `ThreadPool.broadcast`. */
  setup?: (data: unknown) => Promise<void> | void;
  run: (name: string, data: unknown) => Promise<unknown> | unknown;
}

/** Results whose buffers are moved to the calling thread, not copied (`transferring`). */
const transfers = new WeakMap<object, ArrayBuffer[]>();

/**
 * `value` as a task's result, with `buffers` (its own, used by nothing else after) moved to the
 * calling thread instead of copied: a copy of a large result costs both threads.
 */
export function transferring<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  transfers.set(value, buffers);
  return value;
}

export async function serveTasks(handlers: TaskHandlers): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('this module runs as a worker thread only');
  const send = (message: ThreadMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
  // Requests are handled one after the other, setups included, so a task sees every setup sent
  // before it even when handling one awaits.
  let previous: Promise<void> = Promise.resolve();
  // A setup that failed fails every task after it, with its reason.
  let setupError: Error | undefined;
  const handle = async (request: ThreadRequest) => {
    if (request.type === 'setup') {
      try {
        await handlers.setup?.(request.data);
      } catch (error) {
        setupError = error instanceof Error ? error : new Error(String(error));
      }
      return;
    }
    try {
      if (setupError) throw setupError;
      const value = await handlers.run(request.name, request.data);
      const transfer = typeof value === 'object' && value !== null ? transfers.get(value) : undefined;
      send({ type: 'done', id: request.id, ok: true, value }, transfer);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      send({
        type: 'done',
        id: request.id,
        ok: false,
        error: { name: e.name, message: e.message, stack: e.stack },
      });
    }
  };
  port.on('message', (request: ThreadRequest) => {
    previous = previous.then(() => handle(request));
  });
  await handlers.warmUp?.();
  send({ type: 'ready' });
}
