/**
 * `finfaq crawl --config FILE --once --out FILE`: crawl every configured source once, in this
 * process (no Redis), and write raw records as JSON Lines for `finfaq normalize`.
 *
 * - Records: one per new or changed article page; the file is written under a temporary name and
 *   moved into place when the crawl ends (`--out -` streams to standard output instead).
 * - Recrawl state: `FILE.state.json` beside the output remembers each article's ETag,
 *   Last-Modified and hash, so the next crawl to the same output asks with conditional GET and
 *   writes only pages that changed. Delete it to fetch everything again. No state with `--out -`.
 * - Standard error: one line per URL not crawled (`finfaq crawl: SOURCE: URL: reason`), then one
 *   summary line per source.
 * - Exit code: 0 when every source was crawled (some pages may have failed: they are reported);
 *   1 when a source could not be crawled at all (nothing fetched); 2 for a bad sources file or an
 *   output that cannot be written.
 */
import { ConfigError, loadSourcesFile, type SourcesConfig } from '../config/sources.js';
import { type CrawlReport, crawlSources, JsonFileValidatorStore, JsonlWriter } from '../crawl/index.js';

function say(line: string): void {
  process.stderr.write(`finfaq crawl: ${line}\n`);
}

function summary(report: CrawlReport): string {
  const parts = [
    `${report.pagesFetched} pages fetched`,
    `${report.records} records`,
    `${report.unchanged} unchanged`,
    `${report.failed.length} failed`,
    `${report.skipped.length} skipped`,
  ];
  if (report.overLimit > 0) parts.push(`${report.overLimit} links over max_pages`);
  return `${report.source}: ${parts.join(', ')} in ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** The state file kept beside an output file. */
export function stateFileFor(outPath: string): string | undefined {
  return outPath === '-' ? undefined : `${outPath}.state.json`;
}

/** Runs the command; resolves to the process exit code. */
export async function runCrawlOnce(configPath: string, outPath: string): Promise<number> {
  let config: SourcesConfig;
  try {
    config = await loadSourcesFile(configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) say(`${error.file}: ${problem}`);
    return 2;
  }

  const statePath = stateFileFor(outPath);
  let validators: JsonFileValidatorStore | undefined;
  let writer: JsonlWriter;
  try {
    validators = statePath ? await JsonFileValidatorStore.open(statePath) : undefined;
    writer = await JsonlWriter.open(outPath);
  } catch (error) {
    say(`cannot write ${outPath}: ${(error as Error).message}`);
    return 2;
  }

  let reports: CrawlReport[];
  try {
    reports = await crawlSources(config, {
      validators,
      onRecord: (record) => writer.write(record),
      onProblem: (source, problem, skipped) =>
        say(`${source}: ${problem.url}: ${skipped ? 'skipped: ' : ''}${problem.reason}`),
      onReport: (report) => say(summary(report)),
    });
    await writer.commit();
    await validators?.save();
  } catch (error) {
    await writer.abort().catch(() => {});
    say(`crawl failed: ${(error as Error).stack ?? error}`);
    return 1;
  }
  const dead = reports.filter((r) => r.pagesFetched === 0);
  for (const report of dead) say(`${report.source}: nothing could be crawled`);
  return dead.length > 0 ? 1 : 0;
}
