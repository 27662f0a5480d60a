/** The entry of a `finfaq normalize` worker thread (`normalize-batch.ts`): runs `normalize-tasks.ts`. */
import { serveTasks } from '../threads/serve.js';
import {
  BATCH_TASKS,
  type BatchSetup,
  type BatchTaskName,
  setupBatch,
  warmUpNormalizer,
} from './normalize-tasks.js';

await serveTasks({
  warmUp: warmUpNormalizer,
  setup: (data) => setupBatch(data as BatchSetup),
  run: (name, data) => {
    const task = BATCH_TASKS[name as BatchTaskName];
    if (!task) throw new Error(`unknown task ${name}`);
    return task(data);
  },
});
