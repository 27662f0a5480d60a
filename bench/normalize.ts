/**
 * Throughput of the normalizer on faulty text dumps, against a naive baseline.
 *
 *   npx tsx bench/normalize.ts [megabytes=30] [seed=20240] [--mixed] [--no-profile] [--dumps FILE]
 *
 * Generates at least `megabytes` MB (UTF-8) of faulty text dumps with the test suite's article
 * generator and fault injector (not timed; `--dumps FILE` keeps them in FILE, and a later run
 * with the same FILE reads them instead, so that two runs compare on the same dumps). By default the dumps are rich in faults (issue 14):
 * every page carries leaked pinyin, a site filter's deleted words and one to three garbled GBK
 * runs, besides the other fault classes at random (all but `charset`: byte-level, the baseline
 * cannot read bytes), spread over `SOURCES` content-farm sites so that the deleted-word cycle has
 * sources to learn. `--mixed` gives the earlier mix instead: each fault class on 60 % of the pages,
 * each page a source of its own. Two thirds Taiwan Traditional like the seeds, one third Simplified.
 *
 * Then, in a fresh child process (so that neither the generator's memory nor its warm caches
 * count), measures:
 *   - the time to the first record: importing the normalizer and its first `normalizeDocument`
 *     (module, model and table loading), and loading the deleted-word dictionary index;
 *   (a) baseline: a regex pinyin strip and opencc-js `Converter({ from: 'tw', to: 'cn' })` over
 *       each dump: what a first attempt at cleaning these pages would do;
 *   (b) the full normalizer as `finfaq normalize` runs it on one thread, to Simplified: each dump
 *       drafted, sampled and spooled to a file, each source's deleted words learned, each draft
 *       read back, restored and finalized (`DeletionCycle`);
 * and prints MB/s, documents/s, the ratio between the two, each pass's share and the peak RSS.
 * Then, in another fresh process, the product as it ships (`dist/`, `npm run bench` builds it):
 * the time to its first record (import and first `normalizeDocument`), and `finfaq normalize
 * --threads 2` over the same dumps (the command's own code, `runNormalize`: threads, spooling,
 * learning, writing), against the baseline again in that process: MB/s, the ratio, CPU time and
 * the peak RSS of the process with its threads (issue 14: on 2 cores).
 * Last, in another fresh process, (b) again on the first `PROFILE_MB` MB under the CPU profiler:
 * the ten functions with the most self time (share, function, file:line of the TypeScript source).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DraftDocument } from '../src/records/draft.js';

const MB = 1_000_000;
/** Content-farm sites the rich dumps are spread over (each learns its own deleted words). */
const SOURCES = 8;
/** Megabytes of dumps the profiled run reads. */
const PROFILE_MB = 5;
/** Functions listed from the profile. */
const PROFILE_TOP = 10;

interface Dump {
  url: string;
  text: string;
  contentType?: string;
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Parent: generate the dumps, hand them to fresh processes to measure and to profile. */
async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a, k, all) => !a.startsWith('--') && all[k - 1] !== '--dumps');
  const targetMb = Number(args[0] ?? 30);
  const seed = Number(args[1] ?? 20240);
  const mixed = process.argv.includes('--mixed');
  const { generateArticle, Rng } = await import('../tests/support/article-generator.js');
  const { FAULT_KINDS, injectFaults } = await import('../tests/support/fault-injector.js');
  type Fault = (typeof FAULT_KINDS)[number];
  const ALWAYS: readonly Fault[] = ['pinyin', 'gbk-tail', 'deleted-words'];

  // `--dumps FILE`: the dumps of an earlier run (the same ones for runs compared), else made and kept there.
  const kept = process.argv.indexOf('--dumps');
  const keptFile = kept >= 0 ? process.argv[kept + 1] : undefined;
  const dumps: Dump[] = keptFile && existsSync(keptFile) ? JSON.parse(readFileSync(keptFile, 'utf8')) : [];
  let total = dumps.reduce((sum, d) => sum + Buffer.byteLength(d.text, 'utf8'), 0);
  if (dumps.length > 0) console.log(`read ${dumps.length} faulty dumps, ${mb(total)} MB, from ${keptFile}`);
  else {
    const started = performance.now();
    const rng = new Rng(seed);
    while (total < targetMb * MB) {
      const index = dumps.length;
      const faults = FAULT_KINDS.filter(
        (k) => k !== 'charset' && ((!mixed && ALWAYS.includes(k)) || rng.chance(0.6)),
      );
      const script = rng.chance(2 / 3) ? 'tw' : 'hans';
      const doc = injectFaults(generateArticle(seed + index), {
        seed: seed + index,
        faults,
        script,
        format: 'text',
      });
      dumps.push(
        mixed
          ? { url: doc.raw.url, text: doc.text }
          : {
              url: `https://farm${index % SOURCES}.example/article/${index}.txt`,
              text: doc.text,
              contentType: 'text/plain',
            },
      );
      total += Buffer.byteLength(doc.text, 'utf8');
    }
    console.log(
      `generated ${dumps.length} ${mixed ? 'mixed' : `rich (every page with pinyin, deleted words and garbled runs; ${SOURCES} sources)`} faulty dumps, ${mb(total)} MB, in ${seconds(performance.now() - started)} s (seed ${seed}, not timed)`,
    );
    if (keptFile) writeFileSync(keptFile, JSON.stringify(dumps));
  }

  const dir = mkdtempSync(join(tmpdir(), 'finfaq-bench-'));
  const file = join(dir, 'dumps.json');
  try {
    writeFileSync(file, JSON.stringify(dumps));
    await child(['--measure', file]);
    await child(['--first', file]);
    await child(['--pool', file]);
    if (!process.argv.includes('--no-profile')) await child(['--profile', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs this file again in a fresh process, with the same loader flags (tsx) as this one. */
async function child(args: string[]): Promise<void> {
  const forked = fork(fileURLToPath(import.meta.url), args, { execArgv: process.execArgv });
  const code = await new Promise<number | null>((resolve) => forked.on('exit', resolve));
  if (code !== 0) throw new Error(`the child process (${args[0]}) exited with ${code}`);
}

/**
 * The full normalizer over `dumps`, as `finfaq normalize` runs it: drafts spooled to a file (so
 * memory stays flat), each source learned, each draft read back, restored and finalized. Times of
 * its passes in ms.
 */
async function normalizeAll(dumps: Dump[], spool: string) {
  const { draftDocument, finalizeRecord } = await import('../src/normalize/pipeline.js');
  const { DeletionCycle } = await import('../src/normalize/deleted-words/cycle.js');
  const cycle = DeletionCycle.inMemory();
  let started = performance.now();
  const out = createWriteStream(spool);
  for (const dump of dumps) {
    const draft = draftDocument(dump, { to: 'hans' });
    await cycle.observe(draft);
    if (!out.write(`${JSON.stringify(draft)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const draftMs = performance.now() - started;
  started = performance.now();
  const profiles = await cycle.learnAll();
  const learnMs = performance.now() - started;
  started = performance.now();
  let paragraphs = 0;
  const lines = createInterface({ input: createReadStream(spool), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const draft = JSON.parse(line) as DraftDocument;
    paragraphs += finalizeRecord(await cycle.restore(draft), 'hans').paragraphs.length;
  }
  const restoreMs = performance.now() - started;
  const words = profiles.reduce((n, p) => n + p.words.length, 0);
  return { draftMs, learnMs, restoreMs, paragraphs, sources: profiles.length, words };
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
  normalizeDocument(first, { to: 'hans' });
  const firstRecordMs = performance.now() - started;
  started = performance.now();
  normalizeDocument(first, { to: 'hans' });
  const nextRecordMs = performance.now() - started;
  // Restoring deleted words also needs the dictionary index (built at build time).
  started = performance.now();
  const { dictionaryIndex } = await import('../src/normalize/deleted-words/dictionary-index.js');
  dictionaryIndex().usualNext('问');
  const indexMs = performance.now() - started;

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
  started = performance.now();
  const run = await normalizeAll(dumps, join(dirname(file), 'drafts.jsonl'));
  const fullS = (performance.now() - started) / 1000;

  const baselineMbs = total / MB / baselineS;
  const fullMbs = total / MB / fullS;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const share = (ms: number) => `${((ms / 1000 / fullS) * 100).toFixed(0)} %`;
  console.log(
    `time to first record: ${firstRecordMs.toFixed(0)} ms (import + model load; the next record took ${nextRecordMs.toFixed(1)} ms); dictionary index loaded in ${indexMs.toFixed(0)} ms`,
  );
  console.log(
    `baseline (regex pinyin strip + opencc tw→cn): ${baselineMbs.toFixed(2)} MB/s, ${(dumps.length / baselineS).toFixed(0)} docs/s (${baselineS.toFixed(2)} s)`,
  );
  console.log(
    `full normalizer (finfaq normalize, 1 thread): ${fullMbs.toFixed(2)} MB/s, ${(dumps.length / fullS).toFixed(0)} docs/s (${fullS.toFixed(2)} s: drafts ${share(run.draftMs)}, learning ${run.sources} sources ${share(run.learnMs)}, restoring and finalizing ${share(run.restoreMs)})`,
  );
  console.log(
    `ratio full/baseline: ${(fullMbs / baselineMbs).toFixed(3)} of the baseline's throughput (${(fullS / baselineS).toFixed(1)}× its time)`,
  );
  console.log(
    `peak RSS: ${mb(peakRss)} MB (measuring process; ${mb(rssAtStart)} MB before loading the normalizer, with the ${mb(total)} MB of dumps read in)`,
  );
  console.log(`(${run.paragraphs} paragraphs out, ${run.words} deleted words learned; checksum ${sink})`);
}

/** The baseline (a): regex pinyin strip and opencc tw→cn over every dump; seconds. */
async function baselineSeconds(dumps: Dump[]): Promise<number> {
  const OpenCC = await import('opencc-js');
  const PINYIN = /(\p{Script=Han})[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\s*[)）]/gu;
  const twToCn = OpenCC.Converter({ from: 'tw', to: 'cn' });
  twToCn((dumps[0] as Dump).text); // builds the dictionary trie first
  let sink = 0;
  const started = performance.now();
  for (const dump of dumps) sink += twToCn(dump.text.replace(PINYIN, '$1')).length;
  if (sink < 0) throw new Error('unreachable');
  return (performance.now() - started) / 1000;
}

/** Threads of the pooled run: issue 14's two cores. */
const POOL_THREADS = 2;

const DIST = new URL('../dist/', import.meta.url);

/** Child: the built product's time to its first record (import and first call, from `dist/`). */
async function firstRecord(file: string): Promise<void> {
  const dumps = JSON.parse(readFileSync(file, 'utf8')) as Dump[];
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const { normalizeDocument } = (await import(
    new URL('normalize/pipeline.js', DIST).href
  )) as typeof import('../src/normalize/pipeline.js');
  normalizeDocument(dumps[0] as Dump, { to: 'hans' });
  const firstMs = performance.now() - started;
  const firstCpu = process.cpuUsage(cpuAtStart);
  console.log(
    `built product (dist/): time to first record ${firstMs.toFixed(0)} ms (import + first call; ${((firstCpu.user + firstCpu.system) / 1000).toFixed(0)} ms of CPU)`,
  );
}

/** Child: `finfaq normalize --threads 2` over the dumps (from `dist/`), against the baseline. */
async function pool(file: string): Promise<void> {
  const dumps = JSON.parse(readFileSync(file, 'utf8')) as Dump[];
  const total = dumps.reduce((sum, d) => sum + Buffer.byteLength(d.text, 'utf8'), 0);
  const input = join(dirname(file), 'dumps.jsonl');
  writeFileSync(
    input,
    dumps.map((d) => JSON.stringify({ url: d.url, text: d.text, content_type: d.contentType })).join('\n'),
  );
  const { runNormalize } = (await import(
    new URL('cli/normalize-command.js', DIST).href
  )) as typeof import('../src/cli/normalize-command.js');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const code = await runNormalize([input], {
    threads: POOL_THREADS,
    to: 'hans',
    output: join(dirname(file), 'records.jsonl'),
  });
  const poolS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (code !== 0) throw new Error(`finfaq normalize exited with ${code}`);
  // After the pool, so that its peak RSS is the command's alone (the threads have ended).
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const baselineS = await baselineSeconds(dumps);
  const poolMbs = total / MB / poolS;
  const baselineMbs = total / MB / baselineS;
  console.log(
    `finfaq normalize --threads ${POOL_THREADS}: ${poolMbs.toFixed(2)} MB/s, ${(dumps.length / poolS).toFixed(0)} docs/s (${poolS.toFixed(2)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU in all threads); baseline in this process ${baselineMbs.toFixed(2)} MB/s; ratio ${(poolMbs / baselineMbs).toFixed(3)}`,
  );
  console.log(
    `peak RSS of the process and its ${POOL_THREADS} threads: ${mb(peakRss)} MB (the ${mb(total)} MB of dumps read in)`,
  );
}

/** Child: the full normalizer on the first `PROFILE_MB` MB under the CPU profiler, top functions. */
async function profile(file: string): Promise<void> {
  const all = JSON.parse(readFileSync(file, 'utf8')) as Dump[];
  const dumps: Dump[] = [];
  let bytes = 0;
  for (const dump of all) {
    if (bytes >= PROFILE_MB * MB) break;
    dumps.push(dump);
    bytes += Buffer.byteLength(dump.text, 'utf8');
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await normalizeAll(dumps, join(dirname(file), 'profiled-drafts.jsonl'));
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  console.log(
    `CPU profile of the full normalizer on ${dumps.length} dumps (${mb(bytes)} MB, loading included), top ${PROFILE_TOP} by self time:`,
  );
  for (const row of topSelfTime(profile, PROFILE_TOP))
    console.log(`  ${row.share.toFixed(1).padStart(5)} %  ${row.name}  ${row.where}`);
}

/** Functions by self time, summed over the profile's call paths, with their place in the source. */
function topSelfTime(
  profile: Profiler.Profile,
  count: number,
): { share: number; name: string; where: string }[] {
  const selfTime = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  const samples = profile.samples ?? [];
  for (let k = 0; k < samples.length; k++) {
    const id = samples[k] as number;
    selfTime.set(id, (selfTime.get(id) ?? 0) + (deltas[k] ?? 0));
  }
  const byFunction = new Map<string, { name: string; where: string; time: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const time = selfTime.get(node.id) ?? 0;
    total += time;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const key = `${functionName}@${url}:${lineNumber}:${columnNumber}`;
    const known = byFunction.get(key);
    if (known) known.time += time;
    else byFunction.set(key, { name: functionName || '(anonymous)', where: place(node.callFrame), time });
  }
  return [...byFunction.values()]
    .sort((a, b) => b.time - a.time)
    .slice(0, count)
    .map(({ name, where, time }) => ({ share: (time / total) * 100, name, where }));
}

/** file:line of a profiled function in its TypeScript source (tsx's source maps), else as run. */
function place(frame: Profiler.ProfileNode['callFrame']): string {
  if (!frame.url) return '(native)';
  const entry = frame.url.startsWith('file:')
    ? findSourceMap(fileURLToPath(frame.url))?.findEntry(frame.lineNumber, frame.columnNumber)
    : undefined;
  const mapped =
    entry && 'originalSource' in entry
      ? (entry as { originalSource: string; originalLine: number })
      : undefined;
  const url = mapped?.originalSource ?? frame.url;
  const line = mapped?.originalLine ?? frame.lineNumber;
  const path = url.startsWith('file:') ? relative(process.cwd(), fileURLToPath(url)) : url;
  return `${path}:${line + 1}`;
}

const at = process.argv.findIndex((a) => ['--measure', '--first', '--pool', '--profile'].includes(a));
if (at < 0) await main();
else if (process.argv[at] === '--measure') await measure(process.argv[at + 1] as string);
else if (process.argv[at] === '--first') await firstRecord(process.argv[at + 1] as string);
else if (process.argv[at] === '--pool') await pool(process.argv[at + 1] as string);
else await profile(process.argv[at + 1] as string);
