/**
 * `GET /records/:id`: clean text with every repair highlighted, the raw page beside it,
 * duplicates, versions, and the script switch.
 */
import { z } from 'zod';
import { SCRIPTS, type Script } from '../../records/scripts.js';
import { buildRecordView } from '../record-view.js';
import type { DashboardContext } from './context.js';

const recordQuery = z.object({
  script: z.enum(SCRIPTS).optional(),
  version: z.coerce.number().int().min(1).optional(),
  /** Page of the record's repairs to highlight and list (REPAIRS_PAGE each). */
  repairs: z.coerce.number().int().min(1).max(10_000_000).optional(),
});

export function registerRecordPage(ctx: DashboardContext): void {
  const { scope, store, reads, page, message, badRequest } = ctx;
  scope.get<{ Params: { id: string } }>('/records/:id', async (request, reply) => {
    const parsed = recordQuery.safeParse(request.query);
    if (!parsed.success) return badRequest(request, reply, 'Unknown script or version.');
    // Through the feed's reads (a few at a time, shared): a record may be 10 MB of JSON.
    const latest = await reads.stored(request.params.id);
    if (!latest) return message(request, reply, 404, 'Not found', 'No record has this id.');
    const version = parsed.data.version ?? latest.version;
    const record = version === latest.version ? latest : await reads.stored(latest.id, version);
    if (!record) return message(request, reply, 404, 'Not found', 'The record has no such version.');
    const script: Script = parsed.data.script ?? record.feed_script;
    const [raw, duplicates] = await Promise.all([
      store.getRaw(record.id, record.version),
      store.duplicatesOf(record.id),
    ]);
    const view = buildRecordView(record, script, {
      raw,
      duplicates,
      latestVersion: latest.version,
      repairsPage: parsed.data.repairs,
    });
    return page(request, reply, 'record', {
      title: view.title ? view.title.segments.map((s) => s.text).join('') : record.id,
      record: view,
    });
  });
}
