/**
 * Raw record output: one fetched article page as the raw record of CONTRACT.md, and a JSON Lines
 * writer for them. The body is the bytes exactly as served (base64); the normalizer decodes them
 * (`decodeBytes`, with the source's `charset` hint) and extracts the article.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { SelectorsConfig } from '../config/sources.js';
import type { CrawledRawRecord } from '../records/raw.js';

export interface FetchedPage {
  /** The page's final URL, after redirects. */
  url: string;
  body: Uint8Array;
  contentType: string | undefined;
  fetchedAt: Date;
}

export function toRawRecord(
  page: FetchedPage,
  source: { name: string; charset?: string; selectors?: SelectorsConfig },
): CrawledRawRecord {
  const record: CrawledRawRecord = {
    url: page.url,
    body_base64: Buffer.from(page.body.buffer, page.body.byteOffset, page.body.byteLength).toString('base64'),
    fetched_at: page.fetchedAt.toISOString(),
    source: source.name,
  };
  if (page.contentType) record.content_type = page.contentType;
  if (source.charset) record.charset = source.charset;
  if (source.selectors && Object.keys(source.selectors).length > 0) record.selectors = source.selectors;
  return record;
}

/**
 * Writes records as JSON Lines, waiting when the disk is slower than the crawl. A file is written
 * under a temporary name and renamed into place by `commit()`, so a crawl that dies leaves the
 * previous output alone; `-` writes to standard output.
 */
export class JsonlWriter {
  private readonly out: WriteStream | NodeJS.WriteStream;
  private readonly temporary: string | undefined;
  private count = 0;

  private constructor(private readonly path: string) {
    if (path === '-') {
      this.out = process.stdout;
      this.temporary = undefined;
    } else {
      this.temporary = `${path}.${process.pid}.partial`;
      this.out = createWriteStream(this.temporary);
    }
  }

  /** Opens the output; rejects when it cannot be written. */
  static async open(path: string): Promise<JsonlWriter> {
    const writer = new JsonlWriter(path);
    if (writer.temporary) await once(writer.out, 'open');
    return writer;
  }

  get written(): number {
    return this.count;
  }

  async write(record: CrawledRawRecord): Promise<void> {
    this.count++;
    if (!this.out.write(`${JSON.stringify(record)}\n`)) await once(this.out, 'drain');
  }

  /** Flushes and moves the output into place. */
  async commit(): Promise<void> {
    if (!this.temporary) return;
    this.out.end();
    await once(this.out, 'finish');
    await rename(this.temporary, this.path);
  }

  /** Drops a file output that will not be committed. */
  async abort(): Promise<void> {
    if (!this.temporary) return;
    (this.out as WriteStream).destroy();
    await rm(this.temporary, { force: true });
  }
}
