/**
 * `POST /actions/retry` (a failed job) and `POST /actions/crawl` (a source now): need the admin
 * token (disabled without FINFAQ_ADMIN_TOKEN), a same-origin form, and the queues.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { QUEUE_NAMES } from '../../queue/jobs.js';
import { crossSite } from '../auth.js';
import type { QueueAdmin } from '../queue-admin.js';
import type { DashboardContext } from './context.js';

const retryForm = z.object({ queue: z.enum(QUEUE_NAMES), id: z.string().min(1).max(200) });
const crawlForm = z.object({ source: z.string().min(1).max(200) });

export function registerActions(ctx: DashboardContext): void {
  const { scope, auth, queues, message, badRequest } = ctx;
  /** Why this request may not act, or null when it may: a token configured and carried. */
  const refusal = (request: FastifyRequest) => {
    const state = auth.state(request);
    if (state === 'disabled')
      return {
        status: 403,
        title: 'Actions are disabled',
        text: 'Set FINFAQ_ADMIN_TOKEN on the server to enable actions.',
      };
    if (state !== 'signed-in' || crossSite(request))
      return {
        status: 401,
        title: 'Sign in first',
        text: 'This action needs the admin token.',
        login: true,
      };
    if (!queues?.available)
      return {
        status: 503,
        title: 'Queues unavailable',
        text: 'Redis does not answer; try again when it is back.',
      };
    return null;
  };

  /**
   * A POST action on the queues: refused without the token, its form checked, then `run`; an
   * error of `run` (unknown job or source) is shown, success goes back to `done`.
   */
  const action = <T>(
    path: string,
    form: z.ZodType<T>,
    texts: { invalid: string; failed: string; done: string },
    run: (queues: QueueAdmin, data: T) => Promise<unknown>,
  ) =>
    scope.post(path, async (request, reply) => {
      const refused = refusal(request);
      if (refused) return message(request, reply, refused.status, refused.title, refused.text, refused.login);
      const parsed = form.safeParse(request.body);
      if (!parsed.success) return badRequest(request, reply, texts.invalid);
      try {
        await run(queues as QueueAdmin, parsed.data);
      } catch (error) {
        return message(request, reply, 409, texts.failed, (error as Error).message);
      }
      request.log.info({ action: path, form: parsed.data as object }, 'dashboard action');
      return reply.redirect(texts.done, 303);
    });

  action(
    '/actions/retry',
    retryForm,
    {
      invalid: 'Which job? The form needs a queue and an id.',
      failed: 'Not retried',
      done: '/queues?done=retried',
    },
    (q, { queue, id }) => q.retry(queue, id),
  );
  action(
    '/actions/crawl',
    crawlForm,
    { invalid: 'Which source? The form needs its name.', failed: 'Not queued', done: '/?done=crawling' },
    (q, { source }) => q.crawlNow(source),
  );
}
