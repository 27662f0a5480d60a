/** `finfaq normalize [PATH...] [--to SCRIPT] [-o FILE]`: clean raw dumps, no Redis, no store. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { normalizeDocument } from '../normalize/pipeline.js';
import type { Script } from '../normalize/types.js';
import { expandPaths, type InputProblem, readDocuments, readStdin } from './inputs.js';

export interface NormalizeCommandOptions {
  to?: Script;
  output?: string;
}

/** Inputs below this size finish before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

async function write(out: Writable, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

/** Runs the command; resolves to the process exit code. */
export async function runNormalize(paths: string[], options: NormalizeCommandOptions): Promise<number> {
  let failed = false;
  const report = (problem: InputProblem) => {
    if (problem.fatal) failed = true;
    process.stderr.write(`finfaq: ${problem.where}: ${problem.message}\n`);
  };

  const files = await expandPaths(paths, report);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const bar =
    process.stderr.isTTY && totalBytes >= PROGRESS_MIN_BYTES
      ? new cliProgress.SingleBar(
          { format: 'normalize |{bar}| {percentage}% {value}/{total} MB {docs} docs', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let bytesDone = 0;
  let documents = 0;
  bar?.start(Math.ceil(totalBytes / 1e6), 0, { docs: 0 });
  const onBytes = (n: number) => {
    bytesDone += n;
  };

  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout;
  if (options.output) {
    // An unwritable output is a bad argument: fail before reading anything.
    try {
      await once(out, 'open');
    } catch (error) {
      process.stderr.write(`finfaq: cannot write ${options.output}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const inputs = paths.length > 0 ? readDocuments(files, report, onBytes) : readStdin(process.stdin, report);
  for await (const raw of inputs) {
    try {
      const record = normalizeDocument(raw, { to: options.to });
      await write(out, `${JSON.stringify(record)}\n`);
    } catch (error) {
      // A bug on one document must not lose the others; say which one.
      failed = true;
      process.stderr.write(`finfaq: ${raw.url}: normalize failed: ${(error as Error).stack ?? error}\n`);
    }
    documents++;
    bar?.update(Math.floor(bytesDone / 1e6), { docs: documents });
  }
  bar?.stop();
  if (options.output) {
    out.end();
    await once(out, 'finish');
  }
  return failed ? 1 : 0;
}
