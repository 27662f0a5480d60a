/** `GET /`: each source's crawls, pages, records, errors and learned profile; the charts. */
import type { SourceProfile } from '../../publish/types.js';
import type { StoredProfile } from '../../queue/profiles.js';
import { jsonForScript, publishedOverTime, repairsBySource } from '../charts.js';
import { type DashboardContext, NOTICES } from './context.js';

/** A source's learned deleted words, as the overview lists them. */
function profileView(stored: SourceProfile<StoredProfile> | undefined) {
  if (!stored?.profile?.profile) return null;
  return { pages: stored.profile.pages, updated: stored.updated_at, words: stored.profile.profile.words };
}

export function registerSourcesPage(ctx: DashboardContext): void {
  const { scope, store, page, fromQueues, sourceTotals, publishedBuckets } = ctx;
  scope.get('/', async (request, reply) => {
    const [totals, profiles, activity] = await Promise.all([
      sourceTotals(),
      store.listProfiles<StoredProfile>(),
      fromQueues((q) => q.sources()),
    ]);
    // Days, unless everything so far fits in a couple of them.
    let size: 'hour' | 'day' = 'day';
    let buckets = await publishedBuckets(size);
    if (new Set(buckets.map((b) => b.bucket)).size < 3) {
      size = 'hour';
      buckets = await publishedBuckets(size);
    }
    const names = [
      ...new Set([
        ...totals.map((t) => t.source),
        ...profiles.map((p) => p.source),
        ...(activity ?? []).map((a) => a.source),
      ]),
    ].sort();
    const sources = names.map((name) => ({
      name,
      totals: totals.find((t) => t.source === name) ?? null,
      profile: profileView(profiles.find((p) => p.source === name)),
      activity: activity?.find((a) => a.source === name) ?? null,
    }));
    const query = request.query as { done?: string };
    return page(request, reply, 'sources', {
      title: 'Sources',
      sources,
      queuesAvailable: activity !== null,
      notice: NOTICES[query.done ?? ''],
      charts: jsonForScript({
        repairs: repairsBySource(totals),
        published: publishedOverTime(buckets, size),
      }),
    });
  });
}
