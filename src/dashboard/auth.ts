/**
 * Who may change things from the dashboard. Actions (retry a job, crawl a source now) need the
 * token of `FINFAQ_ADMIN_TOKEN`: sent as `Authorization: Bearer TOKEN` by scripts, or signed in
 * once through the login form, which sets an HttpOnly, SameSite=Strict cookie holding an HMAC of
 * the token (never the token itself). Without a configured token every action is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'finfaq_admin';

export type AdminState = 'disabled' | 'signed-out' | 'signed-in';

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class AdminAuth {
  constructor(private readonly token: string | undefined) {}

  get enabled(): boolean {
    return this.token !== undefined && this.token.length > 0;
  }

  /** The cookie value of a signed-in browser: changes when the token does. */
  sessionValue(): string {
    return createHmac('sha256', this.token ?? '')
      .update('finfaq dashboard session')
      .digest('base64url');
  }

  /** Whether `candidate` is the configured token. */
  checkToken(candidate: string): boolean {
    return this.enabled && sameSecret(candidate, this.token as string);
  }

  state(request: FastifyRequest): AdminState {
    if (!this.enabled) return 'disabled';
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ') && this.checkToken(header.slice('Bearer '.length).trim()))
      return 'signed-in';
    const cookie = request.cookies[SESSION_COOKIE];
    return cookie !== undefined && sameSecret(cookie, this.sessionValue()) ? 'signed-in' : 'signed-out';
  }
}

/**
 * A form posted from another site carries its own Origin: refuse it (the SameSite cookie already
 * stops it; this also covers browsers that ignore SameSite).
 */
export function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  // No Origin: not a browser's cross-site form (those always send one). `null`: an opaque origin.
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

/** An origin no request ever has: what `safeNext` resolves a path against. */
const NOWHERE = 'http://finfaq.invalid';

/**
 * Where to go after signing in: a path of this server only, else `/`. The value is parsed as a
 * browser would resolve it against this server (tabs and newlines dropped, `\` read as `/`), and
 * kept only when it stays on the same origin; what is returned is the parsed path, query and
 * fragment, percent-encoded, so no control character reaches the `Location` header.
 *
 *   safeNext('/records?q=1') → '/records?q=1'
 *   safeNext('//evil.example/'), safeNext('/\tevil'), safeNext('/%09/evil.example/' decoded) → '/'
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, NOWHERE);
  } catch {
    return '/';
  }
  if (url.origin !== NOWHERE) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `path` (from `safeNext`) with `done=CODE` added to its query. */
export function withDone(path: string, code: string): string {
  const url = new URL(path, NOWHERE);
  url.searchParams.set('done', code);
  return `${url.pathname}${url.search}${url.hash}`;
}
