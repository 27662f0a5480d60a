/**
 * Why a page was not crawled. Every failure the crawl reports has a `kind` (for counting) and a
 * one-line `reason` (for people); permanent ones extend Crawlee's `NonRetryableError`, so the
 * crawler does not retry them, and transient ones are plain errors that it retries with backoff.
 */
import { NonRetryableError } from '@crawlee/cheerio';

export type FailureKind =
  /** HTTP status that is not a page: 404, 410, 500 after the retries, ... */
  | 'http-status'
  | 'timeout'
  /** Connection refused or reset, DNS failure, TLS error. */
  | 'network'
  | 'too-large'
  | 'not-html'
  /** robots.txt disallows the URL (or could not be read, which disallows the host). */
  | 'robots'
  /** A redirect or link to a host outside the source's. */
  | 'off-site'
  /** A private, loopback or link-local address while `crawl.allow_private_networks` is false. */
  | 'private-address'
  /** Not http(s). */
  | 'scheme'
  | 'redirect'
  | 'internal';

/** A failure that will not go away by asking again. */
export class PermanentFetchError extends NonRetryableError {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentFetchError';
  }
}

/** A failure worth retrying: timeouts, network errors, HTTP 408, 429 and 5xx. */
export class TransientFetchError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** From `Retry-After`, when the server said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientFetchError';
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  HPE_INVALID_CONSTANT: 'invalid HTTP response',
  HPE_INVALID_HEADER_TOKEN: 'invalid HTTP response header',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  CERT_HAS_EXPIRED: 'expired TLS certificate',
};

/** The kind and one-line reason of any error a crawl can meet. */
export function describeFailure(error: unknown): { kind: FailureKind; reason: string; retryable: boolean } {
  if (error instanceof PermanentFetchError)
    return { kind: error.kind, reason: error.message, retryable: false };
  if (error instanceof TransientFetchError)
    return { kind: error.kind, reason: error.message, retryable: true };
  const e = error as NodeJS.ErrnoException & { code?: string };
  const code = e?.code;
  if (code && NETWORK_CODES[code]) {
    const where = (e as { hostname?: string }).hostname;
    return {
      kind: 'network',
      reason: `${NETWORK_CODES[code]} (${code}${where ? ` ${where}` : ''})`,
      retryable: true,
    };
  }
  const message = String(e?.message ?? error).split('\n')[0] ?? 'unknown error';
  if (/timed? ?out/i.test(message)) return { kind: 'timeout', reason: message, retryable: true };
  return { kind: 'internal', reason: message, retryable: true };
}
