/**
 * `npm run soak:run`: `finfaq run` on the fixture web several times in a row, each on a fresh queue
 * prefix and PostgreSQL schema, and after each run a check that every article the crawl must find
 * is reachable in the feed: its record is a feed item, or it duplicates a record that is one and
 * is listed in that item's `also_on`. A page that is neither (a record hidden by a duplicate
 * chain, or no record at all) is named and the script exits 1.
 *
 *   npm run soak:run -- [--runs 12] [--articles 20]
 *
 * Needs the machine's Redis and PostgreSQL (REDIS_URL, DATABASE_URL as the tests use them) and a
 * built `dist/` (`npm run build`). It takes minutes: it is not part of `npm test`.
 */
import type { Store } from '../src/publish/index.js';
import { finfaq, isolatedPipeline, recordsByUrl, startTestWeb } from '../tests/queue/helpers.js';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const RUNS = Number(argument('runs', '12'));
const ARTICLES_PER_SITE = Number(argument('articles', '20'));

/** Every feed item's id, and the ids its `also_on` lists, paging the whole feed. */
async function feedReach(store: Store): Promise<{ items: Set<string>; alsoOn: Map<string, Set<string>> }> {
  const items = new Set<string>();
  const alsoOn = new Map<string, Set<string>>();
  let after = 0;
  for (;;) {
    const page = await store.listFeed(after, 200);
    for (const item of page.items) {
      items.add(item.id);
      alsoOn.set(item.id, new Set(item.also_on.map((copy) => copy.id)));
    }
    if (page.items.length === 0 || page.next === after) return { items, alsoOn };
    after = page.next;
  }
}

/** The article URLs of one run that the feed does not reach, with why. */
async function unreachable(store: Store, urls: readonly string[]): Promise<string[]> {
  const records = await recordsByUrl(store, urls);
  const { items, alsoOn } = await feedReach(store);
  const lost: string[] = [];
  for (const url of urls) {
    const record = records.get(url);
    if (!record) lost.push(`${url}: no record`);
    else if (record.duplicate_of === null) {
      if (!items.has(record.id)) lost.push(`${url}: canonical record ${record.id} not in the feed`);
    } else if (!items.has(record.duplicate_of))
      lost.push(`${url}: duplicate of ${record.duplicate_of}, which is not in the feed`);
    else if (!alsoOn.get(record.duplicate_of)?.has(record.id))
      lost.push(`${url}: duplicate of ${record.duplicate_of}, whose also_on does not list it`);
  }
  return lost;
}

async function main(): Promise<void> {
  const web = await startTestWeb({ articlesPerSite: ARTICLES_PER_SITE });
  const urls = web.expected.map((t) => t.url);
  let failedRuns = 0;
  try {
    for (let run = 1; run <= RUNS; run++) {
      const pipeline = isolatedPipeline();
      const started = performance.now();
      try {
        const child = finfaq(['run', '--config', web.configPath, '--json'], pipeline.env);
        const code = await child.exited;
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const lost = code === 0 ? await unreachable(await pipeline.store(), urls) : [];
        if (code !== 0 || lost.length > 0) failedRuns++;
        const verdict =
          code !== 0
            ? `finfaq run exited ${code}: ${child.stderr().trim().split('\n').slice(-3).join(' | ')}`
            : lost.length === 0
              ? `all ${urls.length} pages reachable`
              : `${lost.length} of ${urls.length} pages unreachable:\n    ${lost.join('\n    ')}`;
        console.log(`run ${run}/${RUNS} (${seconds} s): ${verdict}`);
      } finally {
        await pipeline.cleanup();
      }
    }
  } finally {
    await web.close();
  }
  console.log(`${RUNS - failedRuns} of ${RUNS} runs left every page reachable`);
  process.exitCode = failedRuns === 0 ? 0 : 1;
}

await main();
