/** The `finfaq` command line (CONTRACT.md). */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { isQueueName, parseQueueList, QUEUE_NAMES, type QueueName } from '../queue/jobs.js';
import { SCRIPTS, type Script } from '../records/scripts.js';
import { runNormalize } from './normalize-command.js';

function parseScript(value: string): Script {
  if (!(SCRIPTS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${SCRIPTS.join(', ')}`);
  return value as Script;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('expected a port number (0 to 65535)');
  return n;
}

function parseCursor(value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new InvalidArgumentError('expected a cursor (digits, as the feed gives them)');
  return Number(value);
}

function parseQueues(value: string): QueueName[] {
  try {
    return parseQueueList(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function parseQueue(value: string): QueueName {
  if (!isQueueName(value)) throw new InvalidArgumentError(`expected one of ${QUEUE_NAMES.join(', ')}`);
  return value;
}

/** `--concurrency` of `worker`, `up` and `run`. */
const concurrencyOption = () =>
  new Option('--concurrency <n>', 'normalize jobs in flight (default: one per CPU)').argParser(parseCount);

const program = new Command()
  .name('finfaq')
  .description('Crawl Chinese finance-FAQ sites, repair their text, and publish a clean feed.')
  .configureOutput({
    outputError: (message, write) => write(`${message.replace(/\n+$/, '').replace(/\n/g, ' ')}\n`),
  });

// A reader that stops early (`finfaq normalize … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

program
  .command('normalize')
  .description(
    'clean raw dumps (.txt, .html, .jsonl files or folders; standard input when none) to JSON Lines',
  )
  .argument('[paths...]', 'files or folders')
  .addOption(new Option('--to <script>', 'script of the output: hans, hant, tw or hk').argParser(parseScript))
  .option('-o, --output <file>', 'write to FILE instead of standard output')
  .option('--report', "print each source's learned deleted words, with their evidence, on standard error")
  .addOption(
    new Option('--threads <n>', 'worker threads that normalize (default: one per CPU)').argParser(parseCount),
  )
  .action(
    async (
      paths: string[],
      options: { to?: Script; output?: string; report?: boolean; threads?: number },
    ) => {
      process.exitCode = await runNormalize(paths, options);
    },
  );

program
  .command('crawl')
  .description(
    "schedule the configured sources' crawls on the queue (--once: one immediate crawl each; --out: crawl here, no Redis)",
  )
  .requiredOption('--config <file>', 'sources file (YAML or JSON)')
  .option('--once', 'one immediate crawl of each source')
  .option('--out <file>', 'crawl in this process and write raw records to FILE (- for standard output)')
  .action(async (options: { config: string; once?: boolean; out?: string }) => {
    if (options.out) {
      // Loaded when asked for, as every other command's module (Crawlee takes about a second).
      const { runCrawlOnce } = await import('./crawl-command.js');
      process.exitCode = await runCrawlOnce(options.config, options.out);
      return;
    }
    const { runCrawlQueue } = await import('./crawl-queue-command.js');
    process.exitCode = await runCrawlQueue(options.config, options.once ?? false);
  });

program
  .command('worker')
  .description('run queue workers until SIGTERM/SIGINT, then finish or hand back the jobs in hand and exit 0')
  .addOption(
    new Option('--only <queues>', 'comma-separated queues to work on: crawl, normalize, publish').argParser(
      parseQueues,
    ),
  )
  .addOption(concurrencyOption())
  .action(async (options: { only?: QueueName[]; concurrency?: number }) => {
    const { runWorker } = await import('./worker-command.js');
    process.exitCode = await runWorker(options);
  });

program
  .command('serve')
  .description('the feed and dashboard HTTP server (PORT, default 8080)')
  .addOption(new Option('--port <n>', 'port to listen on (default: PORT, else 8080)').argParser(parsePort))
  .option('--host <host>', 'address to listen on (default: HOST, else 127.0.0.1)')
  .action(async (options: { port?: number; host?: string }) => {
    const { runServe } = await import('./serve-command.js');
    process.exitCode = await runServe(options);
  });

program
  .command('up')
  .description('everything in one process: scheduled crawls, all workers and the feed server')
  .requiredOption('--config <file>', 'sources file (YAML or JSON)')
  .addOption(
    new Option('--port <n>', 'port of the feed server (default: PORT, else 8080)').argParser(parsePort),
  )
  .option('--host <host>', 'address of the feed server (default: HOST, else 127.0.0.1)')
  .addOption(concurrencyOption())
  .option('--crawl-now', 'crawl every source at once too (by default only sources never crawled are)')
  .action(
    async (options: {
      config: string;
      port?: number;
      host?: string;
      concurrency?: number;
      crawlNow?: boolean;
    }) => {
      const { runUp } = await import('./up-command.js');
      process.exitCode = await runUp(options);
    },
  );

program
  .command('run')
  .description('crawl every source once, wait until every queue is drained, print a summary and exit')
  .requiredOption('--config <file>', 'sources file (YAML or JSON)')
  .option('--no-workers', 'only enqueue and wait: `finfaq worker` processes do the work')
  .option('--json', 'print the summary as one JSON object')
  .addOption(concurrencyOption())
  .action(async (options: { config: string; workers: boolean; json?: boolean; concurrency?: number }) => {
    const { runRun } = await import('./run-command.js');
    process.exitCode = await runRun(options);
  });

program
  .command('feed')
  .description('print the cleaned feed as JSON Lines (from the store named by DATABASE_URL)')
  .addOption(
    new Option('--after <cursor>', "start after this cursor (an item's `cursor`)").argParser(parseCursor),
  )
  .option('--follow', 'keep printing new items as they are published')
  .addOption(new Option('--to <script>', 'script of the text: hans, hant, tw or hk').argParser(parseScript))
  .action(async (options: { after?: number; follow?: boolean; to?: Script }) => {
    const { runFeed } = await import('./feed-command.js');
    process.exitCode = await runFeed(options);
  });

const jobs = program.command('jobs').description('failed jobs of the queues: list them, retry them');

jobs
  .command('failed')
  .description('list failed jobs, newest first: queue, id, subject, reason (tab-separated)')
  .addOption(
    new Option('--queue <name>', 'only this queue: crawl, normalize or publish').argParser(parseQueue),
  )
  .addOption(new Option('--limit <n>', 'list at most N jobs (default 100)').argParser(parseCount))
  .action(async (options: { queue?: QueueName; limit?: number }) => {
    const { runJobsFailed } = await import('./jobs-command.js');
    process.exitCode = await runJobsFailed(options);
  });

jobs
  .command('retry')
  .description('move a failed job (or, with --all, every failed job) back to waiting')
  .addArgument(new Argument('[queue]', 'queue of the job: crawl, normalize or publish').argParser(parseQueue))
  .argument('[id]', 'id of the job (as `jobs failed` lists it)')
  .option('--all', 'every failed job (of --queue, else of every queue)')
  .addOption(new Option('--queue <name>', 'with --all: only this queue').argParser(parseQueue))
  .action(
    async (
      queue: QueueName | undefined,
      id: string | undefined,
      options: { all?: boolean; queue?: QueueName },
    ) => {
      if (queue && options.queue && queue !== options.queue) program.error('two different queues given');
      const { runJobsRetry } = await import('./jobs-command.js');
      process.exitCode = await runJobsRetry({ queue: queue ?? options.queue, id, all: options.all });
    },
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`finfaq: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
