/** `GET /records`: search by text, filter by source, flag and repair kind; throttled per client. */
import { z } from 'zod';
import { REPAIR_KINDS } from '../../records/repairs.js';
import { type DashboardContext, emptyToUndefined, PAGE_SIZE } from './context.js';

/** Record searches allowed per client address and minute: each may scan the store. */
export const SEARCHES_PER_MINUTE = 120;
const SEARCH_RATE_LIMIT = { max: SEARCHES_PER_MINUTE, timeWindow: 60_000 };

const recordsQuery = z.object({
  q: z.string().max(200).optional(),
  source: z.string().max(200).optional(),
  flag: z.string().max(100).optional(),
  kind: z.enum(REPAIR_KINDS).or(z.literal('')).optional(),
  duplicates: z.enum(['include', 'exclude', 'only']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** The query string of the records list, for pagination links. */
function recordsLink(query: z.infer<typeof recordsQuery>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, page: String(page) }))
    if (value !== undefined && value !== '') params.set(key, String(value));
  return `/records?${params}`;
}

export function registerRecordsPage(ctx: DashboardContext): void {
  const { scope, store, reads, page, badRequest, sourceTotals, sizeOf } = ctx;
  scope.get('/records', { config: { rateLimit: SEARCH_RATE_LIMIT } }, async (request, reply) => {
    const parsed = recordsQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(request, reply, 'Bad search parameters.');
    const query = parsed.data;
    const pageNumber = query.page ?? 1;
    const search = {
      text: emptyToUndefined(query.q),
      source: emptyToUndefined(query.source),
      flag: emptyToUndefined(query.flag),
      repairKind: emptyToUndefined(query.kind),
      duplicates: query.duplicates ?? 'include',
      limit: PAGE_SIZE,
      offset: (pageNumber - 1) * PAGE_SIZE,
    } as const;
    const [result, totals] = await Promise.all([
      reads.cached(`dashboard:search:${JSON.stringify(search)}`, () => store.searchRecords(search), sizeOf),
      sourceTotals(),
    ]);
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    return page(request, reply, 'records', {
      title: 'Records',
      query: {
        q: query.q ?? '',
        source: query.source ?? '',
        flag: query.flag ?? '',
        kind: query.kind ?? '',
        duplicates: query.duplicates ?? 'include',
      },
      result,
      sources: totals.map((t) => t.source),
      flags: [...new Set(totals.flatMap((t) => Object.keys(t.flags)))].sort(),
      kinds: REPAIR_KINDS,
      pageNumber,
      pages,
      previous: pageNumber > 1 ? recordsLink(query, pageNumber - 1) : null,
      next: pageNumber < pages ? recordsLink(query, pageNumber + 1) : null,
    });
  });
}
