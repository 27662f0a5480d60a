/**
 * Throughput of the normalizer on faulty text dumps, against a naive baseline.
 *
 *   npx tsx bench/normalize.ts [megabytes=20] [seed=20240]
 *
 * Generates at least `megabytes` MB (UTF-8) of faulty text dumps with the test suite's article
 * generator and fault injector (not timed), then measures, in a fresh child process so that
 * neither the generator's memory nor its warm caches count:
 *   (a) baseline: a regex pinyin strip and opencc-js `Converter({ from: 'tw', to: 'cn' })` over
 *       each dump: what a first attempt at cleaning these pages would do;
 *   (b) the full normalizer, `normalizeDocument` per dump, to Simplified;
 * and prints MB/s, documents/s, the ratio between the two, the time to the first record (module,
 * model and table loading) and the peak RSS.
 *
 * The dumps carry every fault class except `charset` (byte-level: the baseline cannot read
 * bytes), two thirds of them Taiwan Traditional like the seeds, one third Simplified.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1_000_000;

interface Dump {
  url: string;
  text: string;
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** Parent: generate the dumps, hand them to a fresh process to measure. */
async function main(): Promise<void> {
  const targetMb = Number(process.argv[2] ?? 20);
  const seed = Number(process.argv[3] ?? 20240);
  const { generateArticle, Rng } = await import('../tests/support/article-generator.js');
  const { FAULT_KINDS, injectFaults } = await import('../tests/support/fault-injector.js');

  const started = performance.now();
  const rng = new Rng(seed);
  const dumps: Dump[] = [];
  let total = 0;
  while (total < targetMb * MB) {
    const index = dumps.length;
    const faults = FAULT_KINDS.filter((k) => k !== 'charset' && rng.chance(0.6));
    const script = rng.chance(2 / 3) ? 'tw' : 'hans';
    const doc = injectFaults(generateArticle(seed + index), { seed: seed + index, faults, script });
    dumps.push({ url: doc.raw.url, text: doc.text });
    total += Buffer.byteLength(doc.text, 'utf8');
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `generated ${dumps.length} faulty dumps, ${mb(total)} MB, in ${seconds.toFixed(1)} s (seed ${seed}, not timed)`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'finfaq-bench-'));
  const file = join(dir, 'dumps.json');
  try {
    writeFileSync(file, JSON.stringify(dumps));
    // Same loader flags (tsx) as this process, so that the child can import the TypeScript sources.
    const child = fork(fileURLToPath(import.meta.url), ['--measure', file], { execArgv: process.execArgv });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`the measuring process exited with ${code}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Child: time the first record, the baseline and the normalizer over the same dumps. */
async function measure(file: string): Promise<void> {
  const dumps = JSON.parse(readFileSync(file, 'utf8')) as Dump[];
  const total = dumps.reduce((sum, d) => sum + Buffer.byteLength(d.text, 'utf8'), 0);
  const rssAtStart = process.memoryUsage().rss;

  // Time to the first record: importing the normalizer, then its first call, which loads the
  // language model, the GBK table and the conversion dictionaries.
  let started = performance.now();
  const { normalizeDocument } = await import('../src/normalize/pipeline.js');
  const first = dumps[0] as Dump;
  normalizeDocument({ url: first.url, text: first.text }, { to: 'hans' });
  const firstRecordMs = performance.now() - started;
  started = performance.now();
  normalizeDocument({ url: first.url, text: first.text }, { to: 'hans' });
  const nextRecordMs = performance.now() - started;

  // (a) Baseline: strip `X(reading)` and convert Traditional to Simplified.
  const OpenCC = await import('opencc-js');
  const PINYIN = /(\p{Script=Han})[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\s*[)）]/gu;
  const twToCn = OpenCC.Converter({ from: 'tw', to: 'cn' });
  twToCn(first.text); // builds the dictionary trie, as the normalizer's first call did its tables
  let sink = 0;
  started = performance.now();
  for (const dump of dumps) sink += twToCn(dump.text.replace(PINYIN, '$1')).length;
  const baselineS = (performance.now() - started) / 1000;

  // (b) The full normalizer.
  let paragraphs = 0;
  started = performance.now();
  for (const dump of dumps)
    paragraphs += normalizeDocument({ url: dump.url, text: dump.text }, { to: 'hans' }).paragraphs.length;
  const fullS = (performance.now() - started) / 1000;

  const baselineMbs = total / MB / baselineS;
  const fullMbs = total / MB / fullS;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `time to first record: ${firstRecordMs.toFixed(0)} ms (import + model load; the next record took ${nextRecordMs.toFixed(1)} ms)`,
  );
  console.log(
    `baseline (regex pinyin strip + opencc tw→cn): ${baselineMbs.toFixed(2)} MB/s, ${(dumps.length / baselineS).toFixed(0)} docs/s (${baselineS.toFixed(2)} s)`,
  );
  console.log(
    `full normalizer (normalizeDocument):          ${fullMbs.toFixed(2)} MB/s, ${(dumps.length / fullS).toFixed(0)} docs/s (${fullS.toFixed(2)} s)`,
  );
  console.log(
    `ratio full/baseline: ${(fullMbs / baselineMbs).toFixed(3)} of the baseline's throughput (${(fullS / baselineS).toFixed(1)}× its time)`,
  );
  console.log(
    `peak RSS: ${mb(peakRss)} MB (measuring process; ${mb(rssAtStart)} MB before loading the normalizer, with the ${mb(total)} MB of dumps read in)`,
  );
  console.log(`(${paragraphs} paragraphs out; checksum ${sink})`);
}

const at = process.argv.indexOf('--measure');
await (at >= 0 ? measure(process.argv[at + 1] as string) : main());
