/** The entry of a `finfaq normalize` worker thread (`normalize-batch.ts`): runs `normalize-tasks.ts`. */
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../threads/serve.js';
import {
  BATCH_TASKS,
  type BatchSetup,
  type BatchTaskName,
  setupBatch,
  type ThreadData,
  useThreadData,
  warmUpNormalizer,
} from './normalize-tasks.js';

useThreadData(workerData as ThreadData | undefined);

await serveTasks({
  warmUp: warmUpNormalizer,
  setup: (data) => setupBatch(data as BatchSetup),
  run: (name, data) => {
    const task = BATCH_TASKS[name as BatchTaskName];
    if (!task) throw new Error(`unknown task ${name}`);
    return task(data);
  },
});
