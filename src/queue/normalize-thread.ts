/**
 * The entry of a normalize thread (`normalize-worker.ts`, through `../threads/pool.ts`): reads the
 * language model's table, the dictionary index and the bigram model from the bytes the worker read once for all its
 * threads, warms up (opens the connections, builds the language model), says `ready`, then runs
 * the jobs the worker sends, one at a time, with `normalize-processor.ts`.
 */
import { workerData } from 'node:worker_threads';
import { useSharedFileBytes } from '../normalize/index.js';
import { serveTasks } from '../threads/serve.js';
import normalizeProcessor, { type ProcessorSettings, warmUp } from './normalize-processor.js';

useSharedFileBytes((workerData as ProcessorSettings | undefined)?.files);

await serveTasks({ warmUp, run: (name, data) => normalizeProcessor({ name, data }) });
