/**
 * The entry of a normalize thread (`normalize-threads.ts`): warms up (opens the connections, builds
 * the language model), says `ready`, then runs the jobs the main thread sends, one at a time, with
 * `normalize-processor.ts`, answering each with its result or its error.
 */
import { parentPort } from 'node:worker_threads';
import normalizeProcessor, { warmUp } from './normalize-processor.js';
import type { ThreadMessage, ThreadRequest } from './normalize-threads.js';

const port = parentPort;
if (!port) throw new Error('normalize-thread.js runs as a worker thread only');

const send = (message: ThreadMessage) => port.postMessage(message);

port.on('message', async (request: ThreadRequest) => {
  try {
    const value = await normalizeProcessor({ name: request.name, data: request.data });
    send({ type: 'done', id: request.id, ok: true, value });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({
      type: 'done',
      id: request.id,
      ok: false,
      error: { name: e.name, message: e.message, stack: e.stack },
    });
  }
});

await warmUp();
send({ type: 'ready' });
