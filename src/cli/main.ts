/** The `finfaq` command line (CONTRACT.md). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SCRIPTS, type Script } from '../normalize/types.js';
import { runCrawlOnce } from './crawl-command.js';
import { runNormalize } from './normalize-command.js';

function parseScript(value: string): Script {
  if (!(SCRIPTS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${SCRIPTS.join(', ')}`);
  return value as Script;
}

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
  .action(async (paths: string[], options: { to?: Script; output?: string; report?: boolean }) => {
    process.exitCode = await runNormalize(paths, options);
  });

program
  .command('crawl')
  .description('crawl the configured sources (with --out: in this process, no Redis, raw records as JSON Lines)')
  .requiredOption('--config <file>', 'sources file (YAML or JSON)')
  .option('--once', 'one immediate crawl of each source')
  .option('--out <file>', 'crawl in this process and write raw records to FILE (- for standard output)')
  .action(async (options: { config: string; once?: boolean; out?: string }) => {
    if (!options.out) {
      // Scheduling on the queue comes with the pipeline (BullMQ); until then only --out runs.
      process.stderr.write('finfaq: crawl without --out needs the queue pipeline, which is not built yet; use --once --out FILE\n');
      process.exitCode = 2;
      return;
    }
    process.exitCode = await runCrawlOnce(options.config, options.out);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`finfaq: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
