/**
 * One publish, written once for both backends against `PublishTx` (the few statements that
 * differ between SQLite and PostgreSQL).
 *
 * Order of a publish transaction, and why it is safe with many publishers on many machines:
 *
 *  1. lock the record's id, which the backend does as it opens the transaction. PostgreSQL: a
 *     transaction-level advisory lock on the id's hash, sent with BEGIN; SQLite: the whole
 *     transaction is `BEGIN IMMEDIATE` (one writer at a time, across processes). Two publishes
 *     of one id run one after the other, so the second sees the first's version: the same input
 *     twice writes once, and each version number is written once (also enforced by the primary
 *     key (id, version)).
 *  2. read the record's head; unchanged content, title, category and date: done, nothing written.
 *  3. lock the dedupe keys: the exact hash and every LSH band key, as advisory locks, taken in
 *     one sorted order (no deadlock). Two near-duplicates that could find each other share a
 *     band key, so they are decided one after the other and the second sees the first: two
 *     copies published at the same moment never both become canonical.
 *  4. look up exact then near duplicates (only canonical records are indexed), verify each
 *     candidate (real Jaccard, and the order of what is shared: dedupe/verify.ts), keep the
 *     first-seen copy.
 *  5. move the record's index entries to the new version (when it is canonical).
 *  6. take the next publish sequence number from the one-row `feed_counter` table
 *     (`UPDATE … SET last_seq = last_seq + 1`): the last lock taken, held until commit.
 *  7. write the version, its raw page, the head row and the totals.
 *  8. when the record is now a duplicate, re-point the records that duplicated it to the record
 *     it duplicates; commit. So `duplicate_of` always names a canonical record and no page drops
 *     out of the feed: a record that pointed at a page which later became a copy (of anything,
 *     its own former copy included) would otherwise be in no item's `also_on`. Step 3 locks the
 *     record's old index keys too, so a publish that found the record as canonical commits
 *     before this one re-points (and is re-pointed), or runs after it and finds the new target.
 *     This runs after the counter's lock: a concurrent publish of a re-pointed record takes the
 *     counter before its head row, so the two cannot wait for each other.
 *
 * The cursor. A PostgreSQL sequence hands out numbers at `nextval`, not at commit: a transaction
 * that took 41 can commit after the one that took 42, and a consumer that read up to 42 in
 * between would never see 41. Here the counter is a row whose lock is held from the increment to
 * the commit, so sequence numbers are handed out in commit order, with no gaps: whenever a reader
 * sees `seq = n`, every `seq < n` is already committed and visible. The price is that step 7's
 * few inserts and the commit of concurrent publishers run one at a time (nothing waits on the
 * counter while holding it: it is always the last lock). The alternative — exposing only rows
 * below the oldest in-flight transaction id (`pg_snapshot_xmin`) — lets any long transaction in
 * the database, even an unrelated one, hold the whole feed back, and needs a two-part cursor.
 * On SQLite the single writer makes commit order and counter order the same anyway.
 *
 * The feed is compacted: `records.feed_seq` points at the record's current feed entry, so a
 * consumer reading from the start sees each record once, in its latest listed version, and a
 * consumer holding a cursor sees a record again exactly when it got a newer version.
 */
import { convertScript } from '../../normalize/index.js';
import type { CleanRecord } from '../../records/clean.js';
import type { Script } from '../../records/scripts.js';
import { BAND_SPAN, fmix32 } from '../dedupe/minhash.js';
import { copySimilarity } from '../dedupe/verify.js';
import type { PublishResult, RawSnapshot } from '../types.js';
import type { PublishInput } from './store.js';

/** The current state of a record (the `records` row and its current version's paragraphs). */
export interface Head {
  doc: number;
  id: string;
  version: number;
  seq: number;
  first_seq: number;
  feed_seq: number | null;
  duplicate_of: string | null;
  similarity: number | null;
  content_hash: string;
  title: string | null;
  category: string | null;
  published_at: string | null;
  paragraphs: string[];
  /** The script the current version's text is stored in, and the one it is read in by default. */
  script: Script;
  feed_script: Script;
}

export interface Candidate {
  doc: number;
  id: string;
  first_seq: number;
  /** The hash of its canonical text (`records.exact_hash`): the key of its cached fingerprint. */
  exact_hash: string;
  /** Band keys shared with the document looked up. */
  shared: number;
}

/** A version to write; the store fills in `seq` (and the head's sequence columns) from the counter. */
export interface VersionWrite {
  version: CleanRecord & {
    feed_script: Script;
    version: number;
    duplicate_of: string | null;
    similarity: number | null;
    stored_at: string;
  };
  raw: RawSnapshot | null;
  doc: number;
  /** `records.first_seq` of an existing record; null for a new one (its first seq is this one). */
  firstSeq: number | null;
  /** Whether the version gets a feed position; else the record keeps `previousFeedSeq`. */
  listed: boolean;
  previousFeedSeq: number | null;
  exactHash: string | null;
  stats: ReadonlyMap<string, number>;
}

/**
 * A version's `record_versions` columns from `url` to `stored_at`, in table order (the JSON
 * columns as text), as both backends insert them.
 */
export function versionColumns(row: VersionWrite['version']): unknown[] {
  return [
    row.url,
    row.source,
    row.title,
    row.category,
    row.published_at,
    row.script,
    JSON.stringify(row.paragraphs),
    JSON.stringify(row.repairs),
    JSON.stringify(row.flags),
    row.content_hash,
    row.duplicate_of,
    row.similarity,
    row.stored_at,
  ];
}

export interface IndexEntries {
  exactHash: string | null;
  keys: readonly number[];
}

export interface LookupQuery {
  exactHash: string;
  keys: readonly number[];
  excludeId: string;
  excludeDoc: number;
  limit: number;
}

export interface LookupResult {
  exact: { id: string; first_seq: number } | null;
  candidates: Candidate[];
}

/** An advisory lock: PostgreSQL's two-integer key space (class, object). */
export type LockKey = readonly [number, number];

/**
 * What one publish asks of a backend, in this order, inside one transaction that already holds
 * the record's lock (step 1 above: PostgreSQL takes it with BEGIN, SQLite's BEGIN IMMEDIATE is it).
 */
export interface PublishTx {
  /** The record's current state, read under the record's lock (a snapshot taken after it). */
  head(id: string): Promise<Head | null>;
  /** Keys arrive sorted; take them in that order. */
  lockKeys(keys: readonly LockKey[]): Promise<void>;
  /**
   * After `lockKeys`: the canonical record with this exact hash (other than `excludeId`), else
   * the canonical records sharing a band key (other than `excludeDoc`), most keys shared first.
   */
  lookup(query: LookupQuery): Promise<LookupResult>;
  /** The current paragraphs of these records (those whose fingerprint is not at hand). */
  paragraphs(docs: readonly number[]): Promise<Map<number, string[]>>;
  /** Removes and adds index entries (disjoint) of record `id`; returns its doc number, a new one for null. */
  reindex(doc: number | null, id: string, remove: IndexEntries, add: IndexEntries): Promise<number>;
  /**
   * Takes the next publish sequence number from the counter (the last lock of the transaction)
   * and writes the version, its raw page, the head row and the totals. Returns the number.
   */
  writeVersion(write: VersionWrite): Promise<number>;
  /**
   * After `writeVersion`: every record whose `duplicate_of` is `from` gets `to` instead, in its
   * head row and its current version's row (step 8 above). Returns how many were re-pointed.
   */
  repoint(from: string, to: string): Promise<number>;
}

/** 32-bit hash of a string (FNV-1a, then murmur3's finalizer `fmix32`), as a signed int4. */
export function hashKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h) | 0;
}

/** Advisory-lock classes; the migration lock uses its own (see migrations.ts). */
export const LOCK_RECORD = 0x66660001;
const LOCK_EXACT = 0x66660002;
/** Band b locks in class LOCK_BAND + b. */
const LOCK_BAND = 0x66661000;

export function dedupeLockKeys(exactHash: string | null, bandKeys: readonly number[]): LockKey[] {
  const keys: LockKey[] = [];
  if (exactHash) keys.push([LOCK_EXACT, Number.parseInt(exactHash.slice(0, 8), 16) | 0]);
  for (const key of bandKeys) keys.push([LOCK_BAND + Math.floor(key / BAND_SPAN), (key % BAND_SPAN) | 0]);
  keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return keys;
}

/** `dedupeLockKeys` of several hashes and key lists, each lock once. */
function lockKeysOf(hashes: readonly (string | null)[], bandKeys: readonly number[]): LockKey[] {
  const keys = [...new Set(hashes)].flatMap((hash) => (hash ? dedupeLockKeys(hash, []) : []));
  keys.push(...dedupeLockKeys(null, [...new Set(bandKeys)]));
  const seen = new Set<string>();
  return keys
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .filter((key) => {
      const name = `${key[0]}:${key[1]}`;
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    });
}

/**
 * Whether `record`, read in `feedScript` by default, is what the head already holds. The title and
 * category are compared in the script the head's text is stored in: a version stored before the
 * queue stored Simplified holds them in the script it is read in, which is what the normalizer
 * would have written from the same Simplified text (`convertScript` from `hans` is that step).
 */
function sameContent(head: Head, record: CleanRecord, feedScript: Script): boolean {
  const inHeadScript = (text: string | null) =>
    text === null || head.script === record.script ? text : convertScript(text, record.script, head.script);
  return (
    head.content_hash === record.content_hash &&
    head.feed_script === feedScript &&
    head.published_at === record.published_at &&
    head.title === inHeadScript(record.title) &&
    head.category === inHeadScript(record.category)
  );
}

interface Match {
  id: string;
  first_seq: number;
  similarity: number;
}

async function findDuplicate(tx: PublishTx, input: PublishInput, head: Head | null): Promise<Match | null> {
  const { fingerprint, record, dedupe } = input;
  if (!fingerprint.exactHash) return null;
  const { exact, candidates } = await tx.lookup({
    exactHash: fingerprint.exactHash,
    keys: fingerprint.bandKeys,
    excludeId: record.id,
    excludeDoc: head?.doc ?? -1,
    limit: dedupe.maxCandidates,
  });
  if (exact) return { ...exact, similarity: 1 };
  const cache = input.candidates;
  const missing = candidates.filter((c) => c.id !== record.id && !cache.get(c.exact_hash));
  const texts = missing.length > 0 ? await tx.paragraphs(missing.map((c) => c.doc)) : new Map();
  let best: Match | null = null;
  for (const candidate of candidates) {
    if (candidate.id === record.id) continue;
    const text = texts.get(candidate.doc);
    const other = text
      ? cache.set(candidate.exact_hash, input.fingerprintOf(text))
      : cache.get(candidate.exact_hash);
    if (!other) continue;
    const similarity = copySimilarity(fingerprint, other, dedupe);
    if (similarity === null) continue;
    if (!best || candidate.first_seq < best.first_seq)
      best = { id: candidate.id, first_seq: candidate.first_seq, similarity };
  }
  return best;
}

/** Entries of `a` that are not in `b`. */
function minus(a: IndexEntries, b: IndexEntries): IndexEntries {
  const inB = new Set(b.keys);
  return {
    exactHash: a.exactHash === b.exactHash ? null : a.exactHash,
    keys: a.keys.filter((k) => !inB.has(k)),
  };
}

function statDeltas(record: CleanRecord, head: Head | null, duplicateOf: string | null): Map<string, number> {
  const deltas = new Map<string, number>();
  const add = (name: string, n: number) => {
    if (n !== 0) deltas.set(name, (deltas.get(name) ?? 0) + n);
  };
  add('versions', 1);
  add(head ? 'published.updated' : 'published.created', 1);
  if (duplicateOf) add('published.duplicate', 1);
  if (!head) add('records', 1);
  const wasDuplicate = head ? head.duplicate_of !== null : false;
  add('duplicates', (duplicateOf !== null ? 1 : 0) - (wasDuplicate ? 1 : 0));
  for (const repair of record.repairs) add(`repairs.${repair.kind}`, 1);
  return deltas;
}

/** Runs one publish inside an open transaction holding the record's lock (see the top of this file). */
export async function publishInTransaction(tx: PublishTx, input: PublishInput): Promise<PublishResult> {
  const { record, fingerprint } = input;
  const feedScript = input.feedScript ?? record.script;
  const head = await tx.head(record.id);
  if (head && sameContent(head, record, feedScript)) {
    return {
      id: record.id,
      version: head.version,
      duplicateOf: head.duplicate_of,
      changed: false,
      outcome: 'unchanged',
      seq: head.seq,
      similarity: head.similarity,
    };
  }

  // Only canonical records are indexed: the record's entries move from its old text to the new.
  const none: IndexEntries = { exactHash: null, keys: [] };
  const old = head && head.duplicate_of === null ? input.fingerprintOf(head.paragraphs) : null;
  const before: IndexEntries = old ? { exactHash: old.exactHash, keys: old.bandKeys } : none;

  // The old entries' keys as well: whoever found this record by them is decided before or after.
  await tx.lockKeys(
    lockKeysOf([fingerprint.exactHash, before.exactHash], [...fingerprint.bandKeys, ...before.keys]),
  );
  const match = await findDuplicate(tx, input, head);
  const duplicateOf = match?.id ?? null;

  const after: IndexEntries =
    duplicateOf === null ? { exactHash: fingerprint.exactHash, keys: fingerprint.bandKeys } : none;
  const doc = await tx.reindex(head?.doc ?? null, record.id, minus(before, after), minus(after, before));

  const version = (head?.version ?? 0) + 1;
  const similarity = match?.similarity ?? null;
  const seq = await tx.writeVersion({
    version: {
      ...record,
      feed_script: feedScript,
      version,
      duplicate_of: duplicateOf,
      similarity,
      stored_at: new Date().toISOString(),
    },
    raw: input.raw ?? null,
    doc,
    firstSeq: head?.first_seq ?? null,
    // Listed: a canonical version, or the version that turns a listed canonical record into a
    // duplicate (so that consumers learn to drop it).
    listed: duplicateOf === null || (head !== null && head.duplicate_of === null && head.feed_seq !== null),
    previousFeedSeq: head?.feed_seq ?? null,
    exactHash: fingerprint.exactHash,
    stats: statDeltas(record, head, duplicateOf),
  });
  // No chains: the records that duplicated this one now duplicate what it duplicates.
  if (duplicateOf !== null) await tx.repoint(record.id, duplicateOf);
  return {
    id: record.id,
    version,
    duplicateOf,
    changed: true,
    outcome: head ? 'updated' : 'created',
    seq,
    similarity,
  };
}
