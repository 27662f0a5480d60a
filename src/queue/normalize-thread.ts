/**
 * The entry of a normalize thread (`normalize-worker.ts`, through `../threads/pool.ts`): warms up
 * (opens the connections, builds the language model), says `ready`, then runs the jobs the worker
 * sends, one at a time, with `normalize-processor.ts`.
 */
import { serveTasks } from '../threads/serve.js';
import normalizeProcessor, { warmUp } from './normalize-processor.js';

await serveTasks({ warmUp, run: (name, data) => normalizeProcessor({ name, data }) });
