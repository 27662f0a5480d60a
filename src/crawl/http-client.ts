/**
 * Fetching bytes: the HTTP client the crawler's Crawlee instance uses (Crawlee's `httpClient`
 * option), on `node:http`/`node:https`. It returns the body exactly as served (decompressed from
 * gzip/deflate/br, never re-encoded) and enforces, on every request and every redirect hop:
 *
 * - http(s) only; IP literals and resolved addresses checked by `address-guard.ts`;
 * - redirects followed by hand, each hop shown to `beforeRedirect` (scope, robots.txt) before
 *   it is fetched, at most `maxRedirects` of them;
 * - `beforeRequest` (politeness) right before every request and hop goes out;
 * - one deadline from connecting to the last body byte (`timeoutMs`, or the request's own);
 * - a body size limit, from `Content-Length` before reading and by counting while reading.
 *
 * Failures are `PermanentFetchError` (not retried) or `TransientFetchError` (retried).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { pipeline, type Readable, Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import zlib from 'node:zlib';
import type {
  BaseHttpClient,
  BaseHttpResponseData,
  HttpRequest,
  HttpResponse,
  RedirectHandler,
  ResponseTypes,
  StreamingHttpResponse,
} from '@crawlee/cheerio';
import { checkHostLiteral, guardedLookup } from './address-guard.js';
import { PermanentFetchError, TransientFetchError } from './errors.js';

export interface SafeHttpClientOptions {
  allowPrivateNetworks: boolean;
  userAgent: string;
  /** Deadline of one request, from connecting to the end of the body (a request may set a shorter one). */
  timeoutMs: number;
  /** Decompressed body bytes allowed; more fails the request with `too-large`. */
  maxBodyBytes: number;
  maxRedirects: number;
  /** Sockets kept per origin (keep-alive). */
  maxSockets?: number;
  /** Called before each redirect hop is fetched; throw to refuse it. */
  beforeRedirect?: (from: URL, to: URL) => Promise<void> | void;
  /**
   * Called right before each request goes out, redirect hops included: the politeness gate. The
   * first request's deadline starts after it.
   */
  beforeRequest?: (url: URL) => Promise<void> | void;
}

const DEFAULT_HEADERS: Record<string, string> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'zh-CN,zh;q=0.9,zh-TW;q=0.8,en;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
};

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from now. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function checkScheme(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PermanentFetchError(
      'scheme',
      `refused: ${url.protocol} URLs are not crawled (http and https only)`,
    );
}

function timeoutOf(request: HttpRequest): number | undefined {
  const timeout = request.timeout as { request?: number } | undefined;
  return typeof timeout?.request === 'number' && timeout.request > 0 ? timeout.request : undefined;
}

function flatHeaders(headers: HttpRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === '') continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export class SafeHttpClient implements BaseHttpClient {
  private readonly lookup: LookupFunction;
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(private readonly options: SafeHttpClientOptions) {
    this.lookup = guardedLookup(options.allowPrivateNetworks);
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 16,
      scheduling: 'lifo' as const,
    };
    this.agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  }

  /** Closes kept-alive sockets; the client stays usable. */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  async stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    let url = new URL(String(request.url));
    checkScheme(url);
    checkHostLiteral(url.hostname, this.options.allowPrivateNetworks);
    await this.options.beforeRequest?.(url);
    const timeoutMs = Math.min(timeoutOf(request) ?? Number.POSITIVE_INFINITY, this.options.timeoutMs);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new TransientFetchError('timeout', `timed out after ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const outer = request.signal;
    const forward = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', forward, { once: true });
    const done = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    };
    const tls = request.https as { rejectUnauthorized?: boolean } | undefined;
    const rejectUnauthorized = tls?.rejectUnauthorized ?? true;
    let method = String(request.method ?? 'GET').toUpperCase();
    const headers = {
      'user-agent': this.options.userAgent,
      ...DEFAULT_HEADERS,
      ...flatHeaders(request.headers),
    };
    const redirectUrls: URL[] = [];
    try {
      for (;;) {
        const response = await this.send(url, method, headers, controller.signal, rejectUnauthorized);
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && status !== 304 && location && request.followRedirect !== false) {
          response.resume();
          if (redirectUrls.length >= this.options.maxRedirects)
            throw new PermanentFetchError('redirect', `more than ${this.options.maxRedirects} redirects`);
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            throw new PermanentFetchError('redirect', `HTTP ${status} to an invalid Location "${location}"`);
          }
          next.hash = '';
          checkScheme(next);
          checkHostLiteral(next.hostname, this.options.allowPrivateNetworks);
          await this.options.beforeRedirect?.(url, next);
          await this.options.beforeRequest?.(next);
          if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) method = 'GET';
          redirectUrls.push(next);
          onRedirect?.(this.describe(response, url, redirectUrls), { url: next, headers });
          url = next;
          continue;
        }
        return this.wrap(response, url, redirectUrls, request, method, controller.signal, done);
      }
    } catch (error) {
      done();
      throw controller.signal.aborted && !(error instanceof PermanentFetchError)
        ? controller.signal.reason
        : error;
    }
  }

  async sendRequest<TResponseType extends keyof ResponseTypes = 'text'>(
    request: HttpRequest<TResponseType>,
  ): Promise<HttpResponse<TResponseType>> {
    const response = await this.stream(request as HttpRequest);
    const bytes = await buffer(response.stream);
    const type = request.responseType ?? 'text';
    const body =
      type === 'buffer'
        ? bytes
        : type === 'json'
          ? JSON.parse(bytes.toString('utf8'))
          : bytes.toString('utf8');
    return { ...response, body } as unknown as HttpResponse<TResponseType>;
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    rejectUnauthorized: boolean,
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const agent = this.agents[url.protocol as 'http:' | 'https:'];
      const req = lib.request(
        url,
        { method, headers, agent, lookup: this.lookup, signal, rejectUnauthorized },
        resolve,
      );
      req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      req.end();
    });
  }

  private describe(response: http.IncomingMessage, url: URL, redirectUrls: URL[]): BaseHttpResponseData {
    return {
      redirectUrls: [...redirectUrls],
      url: url.href,
      ip: response.socket?.remoteAddress,
      statusCode: response.statusCode ?? 0,
      statusMessage: response.statusMessage,
      headers: response.headers,
      trailers: {},
      complete: response.complete,
    };
  }

  /** The response with its body decompressed, counted against the size limit and the deadline. */
  private wrap(
    response: http.IncomingMessage,
    url: URL,
    redirectUrls: URL[],
    request: HttpRequest,
    method: string,
    signal: AbortSignal,
    done: () => void,
  ): StreamingHttpResponse {
    const max = this.options.maxBodyBytes;
    const encoding = String(response.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    const declared = Number(response.headers['content-length']);
    if (method !== 'HEAD' && Number.isFinite(declared) && declared > max) {
      response.destroy();
      done();
      throw new PermanentFetchError('too-large', `body of ${declared} bytes is over max_body_bytes (${max})`);
    }
    let transferred = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        transferred += chunk.length;
        if (transferred > max)
          callback(
            new PermanentFetchError('too-large', `body is over max_body_bytes (${max}) while reading`),
          );
        else callback(null, chunk);
      },
    });
    const decoder =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? zlib.createGunzip()
        : encoding === 'deflate'
          ? zlib.createInflate()
          : encoding === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    const stages: (Readable | Transform)[] = decoder ? [response, decoder, limiter] : [response, limiter];
    pipeline(stages as [Readable, Transform], () => done());
    const onAbort = () => limiter.destroy(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    limiter.once('close', () => signal.removeEventListener('abort', onAbort));
    const total = Number.isFinite(declared) ? declared : undefined;
    const data = this.describe(response, url, redirectUrls);
    return {
      ...data,
      request,
      stream: limiter,
      get downloadProgress() {
        return { percent: total ? Math.min(1, transferred / total) : 0, transferred, total };
      },
      get uploadProgress() {
        return { percent: 1, transferred: 0, total: 0 };
      },
    };
  }
}
