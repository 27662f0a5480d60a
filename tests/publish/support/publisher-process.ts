/**
 * A publisher in a process of its own, as a worker on another machine would be: opens the store
 * (running migrations if it is first), says `ready` and waits for `go` on its IPC channel (so that
 * all processes start publishing at once), publishes its records with a few publishes in flight,
 * and prints the results as JSON on stdout.
 *
 *   spawn(node, ['--import', 'tsx', 'publisher-process.ts', JSON.stringify(job)], { stdio: [.., 'ipc'] })
 */
import { createPublisher } from '../../../src/publish/publisher.js';
import { openStore } from '../../../src/publish/store/index.js';
import type { PublishResult } from '../../../src/publish/types.js';
import { makeRecord, type RecordSpec } from './records.js';

interface Job {
  url: string;
  schema?: string;
  inFlight: number;
  specs: RecordSpec[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const records = job.specs.map(makeRecord);
const store = await openStore({ url: job.url, schema: job.schema, poolSize: job.inFlight + 1 });
const publisher = await createPublisher(store);
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.('ready');
});
const results: PublishResult[] = new Array(records.length);
let next = 0;
await Promise.all(
  Array.from({ length: job.inFlight }, async () => {
    while (next < records.length) {
      const index = next++;
      results[index] = await publisher.publish(records[index] as (typeof records)[number]);
    }
  }),
);
await store.close();
process.stdout.write(JSON.stringify(results));
process.disconnect?.();
