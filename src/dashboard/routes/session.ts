/** `GET /login`, `POST /login` (throttled), `POST /logout`: the admin's session cookie. */
import { z } from 'zod';
import { crossSite, SESSION_COOKIE, safeNext, withDone } from '../auth.js';
import type { DashboardContext } from './context.js';

/** Sign-in attempts allowed per client address and minute (`POST /login`); then 429. */
export const LOGIN_ATTEMPTS = 10;
const LOGIN_RATE_LIMIT = { max: LOGIN_ATTEMPTS, timeWindow: 60_000 };

const loginForm = z.object({ token: z.string().max(1000), next: z.string().optional() });

export function registerSession(ctx: DashboardContext): void {
  const { scope, auth, page, badRequest } = ctx;
  scope.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    return page(request, reply, 'login', { title: 'Sign in', next, failed: false });
  });

  // Guessing the token is throttled: LOGIN_ATTEMPTS a minute per client address.
  scope.post('/login', { config: { rateLimit: LOGIN_RATE_LIMIT } }, async (request, reply) => {
    const parsed = loginForm.safeParse(request.body);
    if (!parsed.success || crossSite(request)) return badRequest(request, reply, 'Bad sign-in form.');
    const next = safeNext(parsed.data.next);
    if (!auth.enabled) return page(request, reply, 'login', { title: 'Sign in', next, failed: false }, 403);
    if (!auth.checkToken(parsed.data.token))
      return page(request, reply, 'login', { title: 'Sign in', next, failed: true }, 401);
    reply.setCookie(SESSION_COOKIE, auth.sessionValue(), {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
    return reply.redirect(withDone(next, 'signed-in'), 303);
  });

  scope.post('/logout', async (request, reply) => {
    // Like every action: a form posted from another site does nothing.
    if (crossSite(request)) return badRequest(request, reply, 'Sign out from this dashboard only.');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/?done=signed-out', 303);
  });
}
