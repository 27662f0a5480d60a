/**
 * The raw record of CONTRACT.md: one page as fetched (a line of a `.jsonl` dump, a normalize job's
 * payload). One zod schema; every other shape of it is derived from the schema: what the crawl
 * writes (`CrawledRawRecord`) and what the normalizer reads (`RawDocument`, the body decoded from
 * base64).
 */
import { z } from 'zod';

export const rawRecordSchema = z
  .object({
    url: z.string().min(1),
    body_base64: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    content_type: z.string().optional(),
    /** ISO 8601. */
    fetched_at: z.string().optional(),
    source: z.string().optional(),
    /** The source's charset hint (sources file `charset`), for sites that lie about theirs. */
    charset: z.string().optional(),
    /** The source's extraction selectors (sources file `selectors`). */
    selectors: z
      .object({ title: z.string(), body: z.string(), category: z.string(), time: z.string() })
      .partial()
      .optional(),
  })
  .refine((r) => [r.body_base64, r.html, r.text].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one of body_base64, html, text',
  });

/** A raw record as read back and validated: exactly one of `body_base64`, `html`, `text`. */
export type RawRecord = z.infer<typeof rawRecordSchema>;

/** A raw record as the crawl writes it: the bytes as served, when and from which source. */
export type CrawledRawRecord = Omit<RawRecord, 'body_base64' | 'html' | 'text' | 'fetched_at' | 'source'> &
  Required<Pick<RawRecord, 'body_base64' | 'fetched_at' | 'source'>>;

/** A raw record as the normalizer reads it: the body decoded from base64, camelCase names. */
export interface RawDocument {
  url: RawRecord['url'];
  source?: RawRecord['source'];
  body?: Uint8Array;
  html?: RawRecord['html'];
  text?: RawRecord['text'];
  contentType?: RawRecord['content_type'];
  fetchedAt?: RawRecord['fetched_at'];
  /** The sources file's charset hint for sites that lie about theirs. */
  charset?: RawRecord['charset'];
  /** The sources file's extraction selectors for this source. */
  selectors?: RawRecord['selectors'];
}

/** Parses one JSON line; throws an Error whose message says what is wrong with it. */
export function parseRawRecordLine(line: string): RawDocument {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  const parsed = rawRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new Error(`not a raw record (${where}${issue?.message ?? 'invalid'})`);
  }
  return toRawDocument(parsed.data);
}

export function toRawDocument(record: RawRecord): RawDocument {
  return {
    url: record.url,
    source: record.source,
    body: record.body_base64 !== undefined ? Buffer.from(record.body_base64, 'base64') : undefined,
    html: record.html,
    text: record.text,
    contentType: record.content_type,
    fetchedAt: record.fetched_at,
    charset: record.charset,
    selectors: record.selectors,
  };
}
