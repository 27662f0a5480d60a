/**
 * The crawl engine: Crawlee's `CheerioCrawler` (queue, concurrency, retries, hooks), changed in
 * the one place where it loses information. Crawlee 3.18 decodes a body by the HTTP header's
 * charset only, reading a GBK page that declares its charset in `<meta>` as UTF-8 (crawlee#2317),
 * and hands the handler that text. Here:
 *
 * - the body is never re-encoded (`_encodeResponse` passes the bytes through);
 * - `context.body` is the raw `Buffer`, exactly as served (decompressed), which is what raw
 *   records carry and what the normalizer's `decodeBytes` reads;
 * - `context.$` is built on first use from the bytes decoded by `decodeBytes` (declarations are
 *   only hints there; the language model picks), with the source's charset hint. The crawl itself
 *   reads links with `links.ts` and never builds it.
 */
import type { IncomingMessage } from 'node:http';
import { buffer } from 'node:stream/consumers';
import {
  CheerioCrawler,
  type CheerioCrawlerOptions,
  type CheerioCrawlingContext,
  type Configuration,
} from '@crawlee/cheerio';
import { type CheerioAPI, load } from 'cheerio';
import { decodeBytes } from '../normalize/index.js';

export interface BytesCheerioCrawlerOptions extends CheerioCrawlerOptions {
  /** The source's charset hint (sources file `charset`), passed to `decodeBytes` for `$`. */
  charsetHint?: string;
}

/** The raw body of the page in a handler's context. */
export function rawBody(context: CheerioCrawlingContext): Buffer {
  const body = context.body as unknown;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : '', 'latin1');
}

export class BytesCheerioCrawler extends CheerioCrawler {
  private readonly charsetHint: string | undefined;

  constructor(options: BytesCheerioCrawlerOptions, config?: Configuration) {
    const { charsetHint, ...crawlerOptions } = options;
    super(crawlerOptions, config);
    this.charsetHint = charsetHint;
  }

  /** Never re-encode: the bytes go through as served. */
  protected override _encodeResponse(
    _request: unknown,
    response: IncomingMessage,
  ): { response: IncomingMessage; encoding: BufferEncoding } {
    return { response, encoding: 'utf8' };
  }

  /** Keeps the raw bytes as `body` and makes `$` a lazy view of them decoded by `decodeBytes`. */
  protected override async _parseHTML(
    response: IncomingMessage,
    isXml: boolean,
    context: CheerioCrawlingContext,
  ) {
    const body = await buffer(response);
    const declared = this.charsetHint;
    let parsed: CheerioAPI | undefined;
    Object.defineProperty(context, '$', {
      configurable: true,
      enumerable: true,
      get: () => {
        if (!parsed) {
          const contentType = String(response.headers['content-type'] ?? '');
          const { text } = decodeBytes(body, { contentType, declared });
          parsed = load(text, { xml: isXml });
        }
        return parsed;
      },
    });
    // The declared type says `body: string` and `dom`: this crawler's contract is the Buffer above,
    // and `dom` is never built. Nothing in Crawlee reads either after this point.
    return { body } as never;
  }
}
