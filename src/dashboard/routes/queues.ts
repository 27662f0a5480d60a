/** `GET /queues`: jobs per queue and state; failed jobs with their reason, paged. */
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from '../../queue/jobs.js';
import { type DashboardContext, emptyToUndefined, NOTICES, PAGE_SIZE } from './context.js';

const queuesQuery = z.object({
  queue: z.enum(QUEUE_NAMES).or(z.literal('')).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  done: z.string().optional(),
});

export function registerQueuesPage(ctx: DashboardContext): void {
  const { scope, page, badRequest, fromQueues } = ctx;
  scope.get('/queues', async (request, reply) => {
    const parsed = queuesQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(request, reply, 'Unknown queue or page.');
    const queue = emptyToUndefined(parsed.data.queue) as QueueName | undefined;
    const pageNumber = parsed.data.page ?? 1;
    const [depths, failed] = await Promise.all([
      fromQueues((q) => q.depths()),
      fromQueues((q) => q.failed({ queue, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE })),
    ]);
    const states = [...new Set((depths ?? []).map((d) => d.state))];
    const table = QUEUE_NAMES.map((name) => ({
      name,
      counts: states.map((state) => depths?.find((d) => d.queue === name && d.state === state)?.count ?? 0),
    }));
    return page(request, reply, 'queues', {
      title: 'Queues',
      available: depths !== null,
      states,
      table,
      failed,
      queue: queue ?? '',
      queueNames: QUEUE_NAMES,
      pageNumber,
      pages: failed ? Math.max(1, Math.ceil(failed.total / PAGE_SIZE)) : 1,
      notice: NOTICES[parsed.data.done ?? ''],
    });
  });
}
