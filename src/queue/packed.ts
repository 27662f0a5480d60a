/**
 * JSON values as they are kept in Redis when they are large (a publish job's record and page, a
 * sampled draft): gzipped, base64, behind a `gz:` mark. Their repairs (every change, with its
 * text) and pages compress to about a third; Redis holds them in memory (retained jobs, 150
 * samples per source). A value that packing would not make smaller (short, or already dense
 * text: base64 adds a third) is kept as plain JSON, which is also what earlier releases wrote.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const MARK = 'gz:';

export function packJson(value: unknown): string {
  const json = JSON.stringify(value);
  const packed = MARK + gzipSync(json).toString('base64');
  return packed.length < Buffer.byteLength(json) ? packed : json;
}

/** A value `packJson` wrote, or plain JSON. */
export function unpackJson<T>(text: string): T {
  const json = text.startsWith(MARK)
    ? gunzipSync(Buffer.from(text.slice(MARK.length), 'base64')).toString('utf8')
    : text;
  return JSON.parse(json) as T;
}
