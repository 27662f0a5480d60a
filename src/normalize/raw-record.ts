/** The raw record of CONTRACT.md (a line of a `.jsonl` dump, a normalize job's payload), validated. */
import { z } from 'zod';
import type { RawDocument } from './pipeline.js';

export const rawRecordSchema = z
  .object({
    url: z.string().min(1),
    body_base64: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    content_type: z.string().optional(),
    fetched_at: z.string().optional(),
    source: z.string().optional(),
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

export type RawRecord = z.infer<typeof rawRecordSchema>;

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
