/**
 * The parts of the dashboard queries (`searchRecords`, `sourceTotals`, `publishedOverTime`) that
 * both backends share: search text → literal LIKE patterns in every script, the search filters
 * (each dialect supplies its JSON SQL), row mapping and merging. Everything the user typed goes
 * into parameters; only the fixed SQL fragments below are ever concatenated.
 */
import { convertScript } from '../../normalize/index.js';
import type { Script } from '../../records/scripts.js';
import type { PublishedBucket, RecordSearch, RecordSummary, SourceTotals } from '../types.js';
import { storableText } from './text.js';

/** Characters of body in `RecordSummary.excerpt`. */
export const EXCERPT_CHARS = 80;

/** Escapes LIKE's wildcards and its escape character (`\`, given as `ESCAPE '\'`) so input is literal. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

const TRADITIONAL: readonly Script[] = ['hant', 'tw', 'hk'];

/**
 * The text as typed, in Simplified, and in each Traditional standard (they differ: 台/臺, 着/著):
 * stored text is in the script it was stored in (Simplified for what the queue publishes; any
 * script in versions stored before, or given to the publisher directly), whichever script the
 * user typed.
 */
export function scriptForms(text: string): string[] {
  const hans = convertScript(text, 'hant', 'hans');
  return [...new Set([text, hans, ...TRADITIONAL.map((script) => convertScript(hans, 'hans', script))])];
}

/** `%…%` LIKE patterns (escape `\`) matching any script form of `text` literally. */
export function searchPatterns(text: string): string[] {
  return scriptForms(text).map((form) => `%${escapeLike(form)}%`);
}

/** One dialect's SQL for the search filters over `records r` joined with its current version `v`. */
export interface SearchDialect {
  /** The n-th parameter's placeholder (1-based). */
  placeholder: (n: number) => string;
  /** `patterns` as the one parameter of `text` (a JSON array, an SQL array). */
  patterns: (list: string[]) => unknown;
  /** The title or any paragraph is LIKE one of the patterns in `p`. */
  text: (p: string) => string;
  /** `v.flags` includes `p`. */
  flag: (p: string) => string;
  /** `v.repairs` has a repair of kind `p`. */
  repairKind: (p: string) => string;
}

/** The WHERE clause (or '') and its parameters for a search; empty filters filter nothing. */
export function searchWhere(
  query: RecordSearch,
  dialect: SearchDialect,
): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(dialect.placeholder(params.length)));
  };
  // Stored text has no control characters (store/text.ts): neither has what is looked for.
  const text = query.text && storableText(query.text);
  if (text) add(dialect.text, dialect.patterns(searchPatterns(text)));
  if (query.source) add((p) => `r.source = ${p}`, storableText(query.source));
  if (query.flag) add(dialect.flag, storableText(query.flag));
  if (query.repairKind) add(dialect.repairKind, storableText(query.repairKind));
  if (query.duplicates === 'exclude') clauses.push('r.duplicate_of IS NULL');
  if (query.duplicates === 'only') clauses.push('r.duplicate_of IS NOT NULL');
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Columns of a summary row, before `repairs` (JSON object text) and `excerpt`, which differ by dialect. */
export const SUMMARY_COLUMNS =
  'r.id, r.version, r.url, r.source, v.title, v.category, v.published_at, v.script, ' +
  'coalesce(v.feed_script, v.script) AS feed_script, v.stored_at, r.duplicate_of, v.flags';

/**
 * A summary row: `RecordSummary` with its JSON columns as text and the count as it arrives; its
 * text in `script`, the script it is stored in, to be shown in `feed_script`.
 */
export type SummaryDbRow = Omit<RecordSummary, 'version' | 'flags' | 'repairs' | 'excerpt'> & {
  feed_script: string;
  version: number | string;
  /** JSON array text. */
  flags: string;
  /** JSON object text: kind → count. */
  repairs: string;
  excerpt: string | null;
};

/** The summary, its title, category and excerpt in the script the record is read in by default. */
export function toSummary(row: SummaryDbRow): RecordSummary {
  const { feed_script, ...rest } = row;
  const from = row.script as Script;
  const to = feed_script as Script;
  const shown = (text: string | null) =>
    text === null || from === to ? text : convertScript(text, from, to);
  return {
    ...rest,
    title: shown(row.title),
    category: shown(row.category),
    script: to,
    version: Number(row.version),
    flags: JSON.parse(row.flags) as string[],
    repairs: counts(JSON.parse(row.repairs) as Record<string, number | string>),
    excerpt: shown(row.excerpt) ?? '',
  };
}

/** Counts as numbers (PostgreSQL's bigint arrives as a string). */
function counts(values: Record<string, number | string>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, n]) => [key, Number(n)]));
}

/** Rows of the four per-source aggregates, merged by `mergeSourceTotals`. */
export interface SourceTotalsRows {
  records: readonly { source: string; records: number | string; duplicates: number | string }[];
  versions: readonly { source: string; versions: number | string; last_stored_at: string | null }[];
  /** (source, repair kind, count) over current versions. */
  repairs: readonly { source: string; key: string; n: number | string }[];
  /** (source, flag, versions carrying it) over current versions. */
  flags: readonly { source: string; key: string; n: number | string }[];
}

/** One entry per source seen in any of the rows, sorted by source (code units, as both backends agree). */
export function mergeSourceTotals(rows: SourceTotalsRows): SourceTotals[] {
  const bySource = new Map<string, SourceTotals>();
  const entry = (source: string): SourceTotals => {
    let totals = bySource.get(source);
    if (!totals) {
      totals = {
        source,
        records: 0,
        duplicates: 0,
        versions: 0,
        last_stored_at: null,
        repairs: {},
        flags: {},
      };
      bySource.set(source, totals);
    }
    return totals;
  };
  for (const r of rows.records)
    Object.assign(entry(r.source), { records: Number(r.records), duplicates: Number(r.duplicates) });
  for (const r of rows.versions)
    Object.assign(entry(r.source), { versions: Number(r.versions), last_stored_at: r.last_stored_at });
  for (const r of rows.repairs) entry(r.source).repairs[r.key] = Number(r.n);
  for (const r of rows.flags) entry(r.source).flags[r.key] = Number(r.n);
  return [...bySource.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/**
 * `stored_at` is always `Date#toISOString()` (publish-tx.ts), so a bucket's start is a prefix of
 * it (`length` characters) plus the rest of a start time: one SQL expression for both backends.
 */
export const BUCKETS = {
  hour: { length: 13, rest: ':00:00.000Z' },
  day: { length: 10, rest: 'T00:00:00.000Z' },
} as const;

/** The bucket's prefix length and suffix; throws for an unknown bucket. */
export function bucketOf(bucket: 'hour' | 'day'): { length: number; rest: string } {
  const spec = Object.hasOwn(BUCKETS, bucket) ? BUCKETS[bucket] : undefined;
  if (!spec) throw new RangeError(`bucket must be 'hour' or 'day', not ${JSON.stringify(bucket)}`);
  return spec;
}

/** `since` in `stored_at`'s format, for a string comparison ('' when absent); throws when unparsable. */
export function sinceOf(since: string | undefined): string {
  if (since === undefined) return '';
  const time = Date.parse(since);
  if (Number.isNaN(time)) throw new RangeError(`since is not a date: ${JSON.stringify(since)}`);
  return new Date(time).toISOString();
}

export function toBucket(row: {
  bucket: string;
  source: string;
  versions: number | string;
}): PublishedBucket {
  return { bucket: row.bucket, source: row.source, versions: Number(row.versions) };
}
