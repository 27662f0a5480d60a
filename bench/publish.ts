/**
 * `npm run bench:publish`: the publish side's numbers.
 *
 * 1. Dedupe quality on generated pairs (tests/publish/support/dedupe-eval.ts): shingles of 4 and
 *    5 characters, LSH 42×3 (the default) and 24×5 (the previous one). Rewrites and the fixture
 *    web: `npm run eval:dedupe` (bench/dedupe.ts).
 * 2. Dedupe index size and lookup time at 100,000 and 1,000,000 documents, in the store's own
 *    `dedupe_bands` table, on SQLite and PostgreSQL. Signatures are generated cheaply: each
 *    document's band keys are hashes of (document, band), as unrelated documents' would be; a
 *    lookup is either a near copy of a stored document (5 of its band keys shared) or a new one;
 *    each is timed again with its first 24 keys only, the previous shape's count.
 * 3. Publish rate (today's dedupe, and the previous shape in the same run) and feed read throughput over HTTP (`/v1/records` pages, `.ndjson`, with and
 *    without `script=` conversion), on both stores.
 *
 * PostgreSQL on 127.0.0.1:5432 (`TEST_DATABASE_URL` to change; a schema of its own, dropped
 * afterwards); without it those rows are left out. Options:
 *
 *   npm run bench:publish -- [--sizes 100000,1000000] [--pg-sizes 100000,1000000] [--records 2000]
 *                            [--lookups 2000] [--no-postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEDUPE_DEFAULTS, type DedupeOptions, fingerprint } from '../src/publish/dedupe/fingerprint.js';
import { BAND_SPAN, fmix32 } from '../src/publish/dedupe/minhash.js';
import { buildFeedServer } from '../src/publish/feed/server.js';
import { createPublisher } from '../src/publish/publisher.js';
import { openStore } from '../src/publish/store/index.js';
import type { Store } from '../src/publish/store/store.js';
import { evaluateDedupe, formatDedupeEval } from '../tests/publish/support/dedupe-eval.js';
import { makeRecord } from '../tests/publish/support/records.js';
import { benchPostgres, PG_URL } from '../tests/publish/support/stores.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const SIZES = option('sizes', '100000,1000000').split(',').map(Number);
/** PostgreSQL loads 24 M rows in ~2–4 minutes on 2 cores: 1,000,000 only on request. */
const PG_SIZES = option('pg-sizes', '100000').split(',').map(Number);
const RECORDS = Number(option('records', '2000'));
const LOOKUPS = Number(option('lookups', '2000'));
const BANDS = DEDUPE_DEFAULTS.bands;

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MB`;

/** Band key `band` of generated document `doc`. */
function keyOf(doc: number, band: number): number {
  return band * BAND_SPAN + fmix32(Math.imul(doc, 0x9e3779b1) ^ (band * 0x85ebca6b) ^ 0x5eed);
}

/** Lookup `i`: even ones share 5 bands with a stored document, odd ones are new documents. */
function lookupKeys(i: number, docs: number): number[] {
  const target = 1 + (fmix32(i) % docs);
  return Array.from({ length: BANDS }, (_, b) =>
    i % 2 === 0 && b % 5 === 0 && b < 25 ? keyOf(target, b) : b * BAND_SPAN + fmix32(i * 7919 + b + 0x51ed),
  );
}

/** One band's (key, doc) pairs, sorted by key: hash * 2^21 + doc stays exact below 2^53. */
function sortedBand(band: number, docs: number): Float64Array {
  const packed = new Float64Array(docs);
  for (let d = 1; d <= docs; d++) packed[d - 1] = (keyOf(d, band) - band * BAND_SPAN) * 2 ** 21 + d;
  return packed.sort();
}

interface IndexRow {
  backend: string;
  docs: number;
  loadMs: number;
  bytes: number;
  lookupUs: number;
  /** The same lookups with the first 24 keys only: what the previous shape (24×5) asks. */
  lookup24Us: number;
  hits: number;
}

async function sqliteIndex(docs: number): Promise<IndexRow> {
  const dir = mkdtempSync(join(tmpdir(), 'finfaq-bench-'));
  try {
    const path = join(dir, 'index.sqlite');
    await (await openStore({ url: `sqlite:${path}` })).close();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const t0 = performance.now();
    const insert = db.prepare('INSERT INTO dedupe_bands (key, doc) VALUES (?, ?)');
    const load = db.transaction((band: number, packed: Float64Array) => {
      for (const value of packed) {
        const doc = value % 2 ** 21;
        insert.run(band * BAND_SPAN + (value - doc) / 2 ** 21, doc);
      }
    });
    for (let band = 0; band < BANDS; band++) load(band, sortedBand(band, docs));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const loadMs = ms(t0);
    const bytes = (
      db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = 'dedupe_bands'").get() as {
        bytes: number;
      }
    ).bytes;
    const lookup = db.prepare(
      `SELECT doc, count(*) AS shared FROM dedupe_bands WHERE key IN (SELECT value FROM json_each(?))
       GROUP BY doc ORDER BY shared DESC, doc LIMIT 64`,
    );
    for (let i = 0; i < 200; i++) lookup.all(JSON.stringify(lookupKeys(i, docs)));
    let hits = 0;
    const t1 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) if (lookup.all(JSON.stringify(lookupKeys(i, docs))).length > 0) hits++;
    const lookupUs = (ms(t1) * 1000) / LOOKUPS;
    const t2 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) lookup.all(JSON.stringify(lookupKeys(i, docs).slice(0, 24)));
    const lookup24Us = (ms(t2) * 1000) / LOOKUPS;
    db.close();
    return { backend: 'sqlite', docs, loadMs, bytes, lookupUs, lookup24Us, hits };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresIndex(docs: number, schema: string): Promise<IndexRow> {
  await (await openStore({ url: PG_URL, schema: `${schema}_${docs}` })).close();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}_${docs}`);
    const t0 = performance.now();
    // Bulk load as a restore would: rows first, then the primary key.
    await client.query('ALTER TABLE dedupe_bands DROP CONSTRAINT dedupe_bands_pkey');
    const CHUNK = 200_000;
    for (let band = 0; band < BANDS; band++) {
      const packed = sortedBand(band, docs);
      for (let start = 0; start < packed.length; start += CHUNK) {
        const keys: number[] = [];
        const ids: number[] = [];
        for (const value of packed.subarray(start, start + CHUNK)) {
          const doc = value % 2 ** 21;
          keys.push(band * BAND_SPAN + (value - doc) / 2 ** 21);
          ids.push(doc);
        }
        await client.query(
          'INSERT INTO dedupe_bands (key, doc) SELECT * FROM unnest($1::bigint[], $2::bigint[])',
          [keys, ids],
        );
      }
    }
    await client.query('ALTER TABLE dedupe_bands ADD PRIMARY KEY (key, doc)');
    await client.query('VACUUM ANALYZE dedupe_bands');
    const loadMs = ms(t0);
    const bytes = Number(
      (await client.query("SELECT pg_total_relation_size('dedupe_bands') AS bytes")).rows[0].bytes,
    );
    const sql = `SELECT doc, count(*) AS shared FROM dedupe_bands WHERE key = ANY($1::bigint[])
                 GROUP BY doc ORDER BY shared DESC, doc LIMIT 64`;
    await client.query({ name: 'lookup', text: sql, values: [lookupKeys(0, docs)] });
    for (let i = 0; i < 200; i++)
      await client.query({ name: 'lookup', text: sql, values: [lookupKeys(i, docs)] });
    let hits = 0;
    const t1 = performance.now();
    for (let i = 0; i < LOOKUPS; i++)
      if ((await client.query({ name: 'lookup', text: sql, values: [lookupKeys(i, docs)] })).rowCount) hits++;
    const lookupUs = (ms(t1) * 1000) / LOOKUPS;
    const t2 = performance.now();
    for (let i = 0; i < LOOKUPS; i++)
      await client.query({ name: 'lookup', text: sql, values: [lookupKeys(i, docs).slice(0, 24)] });
    const lookup24Us = (ms(t2) * 1000) / LOOKUPS;
    return { backend: 'postgres', docs, loadMs, bytes, lookupUs, lookup24Us, hits };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema}_${docs} CASCADE`).catch(() => {});
    await client.end();
  }
}

interface FeedRow {
  backend: string;
  publishPerSec: number;
  previousPublishPerSec: number;
  json: number;
  jsonTw: number;
  ndjson: number;
  ndjsonTw: number;
  mbPerSec: number;
}

async function readAll(base: string, path: string): Promise<{ items: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  let items = 0;
  let bytes = 0;
  if (path.includes('.ndjson')) {
    const text = await (await fetch(`${base}${path}`)).text();
    bytes = Buffer.byteLength(text);
    items = text.split('\n').filter(Boolean).length;
    return { items, bytes, ms: ms(t0) };
  }
  let after = '0';
  for (;;) {
    const response = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}after=${after}&limit=1000`);
    const text = await response.text();
    bytes += Buffer.byteLength(text);
    const body = JSON.parse(text) as { items: unknown[]; next: string };
    if (body.items.length === 0) break;
    items += body.items.length;
    after = body.next;
  }
  return { items, bytes, ms: ms(t0) };
}

/** The dedupe shape before issue 14 (LSH 24×5, Jaccard ≥ 0.5 only): publish rate's baseline. */
const PREVIOUS_DEDUPE: Partial<DedupeOptions> = { bands: 24, rows: 5, rewriteThreshold: 0.5 };

/** Publishes RECORDS generated records, eight in flight, as several workers would; per second. */
async function publishAll(store: Store, dedupe: Partial<DedupeOptions> = {}): Promise<number> {
  const publisher = await createPublisher(store, dedupe);
  const records = Array.from({ length: RECORDS }, (_, i) =>
    makeRecord({ seed: 10_000 + i, site: `farm${i % 5}.example`, script: i % 4 === 3 ? 'tw' : 'hans' }),
  );
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < records.length) await publisher.publish(records[next++] as (typeof records)[number]);
    }),
  );
  return RECORDS / (ms(t0) / 1000);
}

async function feedBench(store: Store, backend: string, previous: Store): Promise<FeedRow> {
  // The baseline first, into a store of its own: the same records, the previous dedupe shape.
  const previousPublishPerSec = await publishAll(previous, PREVIOUS_DEDUPE);
  const publishPerSec = await publishAll(store);
  const app = buildFeedServer(store, { metrics: { processMetrics: false } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    await readAll(base, '/v1/records');
    // The median of three reads of everything: the machine's other load makes single runs noisy.
    const median = async (path: string) => {
      const runs = [await readAll(base, path), await readAll(base, path), await readAll(base, path)];
      return runs.sort((a, b) => a.ms - b.ms)[1] as Awaited<ReturnType<typeof readAll>>;
    };
    const json = await median('/v1/records');
    const jsonTw = await median('/v1/records?script=tw');
    const ndjson = await median('/v1/records.ndjson');
    const ndjsonTw = await median('/v1/records.ndjson?script=tw');
    const rate = (r: { items: number; ms: number }) => r.items / (r.ms / 1000);
    return {
      backend,
      publishPerSec,
      previousPublishPerSec,
      json: rate(json),
      jsonTw: rate(jsonTw),
      ndjson: rate(ndjson),
      ndjsonTw: rate(ndjsonTw),
      mbPerSec: json.bytes / 2 ** 20 / (json.ms / 1000),
    };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const withPg = await benchPostgres();
  const schema = `finfaq_bench_${Date.now().toString(36)}`;

  console.log('1. Dedupe on generated pairs (300 originals, one copy of each kind, 300 unrelated)\n');
  const t0 = performance.now();
  for (const variant of [
    { shingle: 5, bands: 42, rows: 3 },
    { shingle: 5, bands: 24, rows: 5 },
    { shingle: 4, bands: 42, rows: 3 },
  ])
    console.log(`${formatDedupeEval(evaluateDedupe(300, 300, { ...DEDUPE_DEFAULTS, ...variant }))}\n`);
  const sample = Array.from({ length: 300 }, (_, i) => makeRecord({ seed: 20_000 + i }).paragraphs);
  const t1 = performance.now();
  for (const paragraphs of sample) fingerprint(paragraphs);
  console.log(
    `fingerprint (canonical text, 128 MinHash permutations, band keys): ${fmt(ms(t1) / sample.length, 3)} ms per article`,
  );
  console.log(`(section 1: ${fmt(ms(t0) / 1000, 1)} s)\n`);

  console.log(
    `2. Dedupe index (${BANDS} band keys per document), ${fmt(LOOKUPS)} lookups, half of them near copies\n`,
  );
  const rows: IndexRow[] = [];
  for (const docs of SIZES) rows.push(await sqliteIndex(docs));
  if (withPg) for (const docs of PG_SIZES) rows.push(await postgresIndex(docs, schema));
  console.log('backend     documents   load      index size   bytes/doc   lookup     hits        24 keys');
  for (const r of rows)
    console.log(
      `${r.backend.padEnd(10)} ${fmt(r.docs).padStart(10)}  ${`${fmt(r.loadMs / 1000, 1)} s`.padStart(7)}  ${mb(r.bytes).padStart(11)}  ${fmt(r.bytes / r.docs).padStart(9)}  ${`${fmt(r.lookupUs)} µs`.padStart(9)}  ${fmt(r.hits)}/${fmt(LOOKUPS)}  ${`${fmt(r.lookup24Us)} µs`.padStart(9)}`,
    );
  for (const backend of ['sqlite', 'postgres']) {
    const mine = rows.filter((r) => r.backend === backend);
    const [small, large] = [mine[0], mine.at(-1)];
    if (small && large && small !== large)
      console.log(
        `${backend}: ${fmt(large.docs / small.docs)}× the documents → ${fmt(large.bytes / small.bytes, 2)}× the size, ${fmt(large.lookupUs / small.lookupUs, 2)}× the lookup time`,
      );
  }
  for (const r of rows)
    console.log(
      `${r.backend} ${fmt(r.docs)}: a lookup with ${BANDS} keys takes ${fmt(r.lookupUs / r.lookup24Us, 2)}× one with 24 (the previous shape's count) in the same run`,
    );

  console.log(
    `\n3. Publish and feed reads: ${fmt(RECORDS)} generated records, 8 publishes in flight, pages of 1,000\n`,
  );
  const feeds: FeedRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'finfaq-bench-'));
  try {
    const sqlite = await openStore({ url: `sqlite:${join(dir, 'feed.sqlite')}` });
    const sqlitePrevious = await openStore({ url: `sqlite:${join(dir, 'previous.sqlite')}` });
    feeds.push(await feedBench(sqlite, 'sqlite', sqlitePrevious));
    await sqlite.close();
    await sqlitePrevious.close();
    if (withPg) {
      const store = await openStore({ url: PG_URL, schema: `${schema}_feed` });
      const previous = await openStore({ url: PG_URL, schema: `${schema}_previous` });
      try {
        feeds.push(await feedBench(store, 'postgres', previous));
      } finally {
        await store.close();
        await previous.close();
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_feed CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_previous CASCADE`);
        await client.end();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('backend     publish/s   /v1/records   script=tw   .ndjson   .ndjson tw   MB/s (json)');
  for (const f of feeds)
    console.log(
      `${f.backend.padEnd(10)} ${fmt(f.publishPerSec).padStart(9)}   ${fmt(f.json).padStart(11)}   ${fmt(f.jsonTw).padStart(9)}   ${fmt(f.ndjson).padStart(7)}   ${fmt(f.ndjsonTw).padStart(10)}   ${fmt(f.mbPerSec, 1).padStart(11)}`,
    );
  console.log('(items per second)');
  for (const f of feeds)
    console.log(
      `${f.backend}: publish with today's dedupe ${fmt(f.publishPerSec)}/s, with the previous shape (24×5) ${fmt(f.previousPublishPerSec)}/s in the same run: ${fmt(f.publishPerSec / f.previousPublishPerSec, 2)}×`,
    );
  for (const f of feeds)
    console.log(
      `${f.backend}: script conversion costs ${fmt(f.json / f.jsonTw, 2)}× (json), ndjson/json ${fmt(f.ndjson / f.json, 2)}×`,
    );
  const [s, p] = feeds;
  if (s && p)
    console.log(
      `postgres/sqlite: publish ${fmt(p.publishPerSec / s.publishPerSec, 2)}×, feed reads ${fmt(p.json / s.json, 2)}×`,
    );
  console.log(`\ntotal ${fmt(ms(started) / 1000, 1)} s`);
}

await main();
