/**
 * Fault 6, boilerplate and metadata, line by line: what a single line is by its shape
 * (`layout/line-shapes.ts`), the time and category a byline shows (`layout/fields.ts`), and the
 * contact a takedown line names. Where a line stands on its page (the title, the header above
 * it) is the page model's business (`layout/page-model.ts`); lines a source repeats on most of
 * its pages are its template (`layout/templates.ts`).
 */
import { readMetaLine } from './layout/fields.js';
import { lineShape, type Shape } from './layout/line-shapes.js';

export { isGenericHeading, sameLine } from './layout/page-model.js';

export type LineRole = Shape | 'content';

export function classifyLine(line: string): LineRole {
  return lineShape(line) ?? 'content';
}

export interface Byline {
  category: string | null;
  time: string;
}

/** A byline's time (and category) when the line is one that shows a dated time. */
export function parseByline(line: string): Byline | undefined {
  const meta = readMetaLine(line);
  return meta?.time ? { category: meta.category, time: meta.time } : undefined;
}

/** A contact that identifies the site behind a text dump: the takedown line's phone, QQ or mail. */
export function siteContact(line: string): string | undefined {
  const contact = /[\w.+-]+@[\w-]+\.[\w.]+|\d{7,}/.exec(line);
  return contact?.[0];
}
