/**
 * The record page's model: the record in the script asked for, each paragraph cut into plain runs
 * and highlighted repairs, and what goes beside it (raw page, duplicates, versions). Pure: the
 * route reads the store, this arranges what it read.
 */
import {
  convertKeepingUnresolved,
  convertLines,
  convertScript,
  fromHans,
  toHans,
} from '../normalize/index.js';
import type { Repair } from '../records/repairs.js';
import { SCRIPTS, type Script } from '../records/scripts.js';
import type { AlsoOn, RawSnapshot, StoredRecord } from '../records/stored.js';
import { type PlacedParagraph, placeRepairs, repairsByParagraph } from './highlight.js';

export const SCRIPT_LABELS: Record<Script, string> = {
  hans: '简体',
  hant: '繁體',
  tw: '臺灣',
  hk: '香港',
};

export interface RepairView {
  index: number;
  kind: Repair['kind'];
  paragraph: number;
  before: string;
  after: string;
  confidence: number;
  /** What a highlight's tooltip says. */
  summary: string;
}

export interface RecordView {
  id: string;
  url: string;
  /** The URL when it is safe to link (http or https): a dump may carry any string. */
  link: string | null;
  source: string;
  version: number;
  versions: number[];
  stored_at: string;
  published_at: string | null;
  category: string | null;
  flags: string[];
  script: Script;
  scripts: { script: Script; label: string; current: boolean }[];
  title: PlacedParagraph | null;
  paragraphs: PlacedParagraph[];
  /** The repairs of the current page (highlighted, listed), in order. */
  repairs: RepairView[];
  /** The same, by repair index (what highlights and unplaced lists refer to). */
  repairById: Record<number, RepairView>;
  /** All repairs of the record, and the page of them shown. */
  repairCount: number;
  repairsPage: { page: number; pages: number; first: number; last: number; size: number };
  raw: RawSnapshot | null;
  duplicateOf: { id: string; similarity: number | null } | null;
  duplicates: AlsoOn[];
}

/** `before → after`, with the empty side shown as ∅ so a pure insertion or removal reads. */
export function repairSummary(repair: Repair): string {
  const side = (s: string) => (s.length === 0 ? '∅' : s);
  return `${repair.kind}: ${side(repair.before)} → ${side(repair.after)} (confidence ${repair.confidence})`;
}

/** Repairs shown (highlighted and listed) per page of the record page. */
export const REPAIRS_PAGE = 500;

export function buildRecordView(
  record: StoredRecord,
  script: Script,
  extras: { raw: RawSnapshot | null; duplicates: AlsoOn[]; latestVersion: number; repairsPage?: number },
): RecordView {
  const convert = (text: string) => convertScript(text, record.script, script);
  // Repairs describe the page in its own script, which the record does not name: read it as
  // Traditional (a no-op on Simplified text) and show it in the chosen script. Many repairs
  // repeat the same strings (`,` → `，`): each is converted once.
  const shownForms = new Map<string, string>();
  const toShown = (text: string) => {
    let form = shownForms.get(text);
    if (form === undefined) {
      form = fromHans(toHans(text, 'hant'), script);
      shownForms.set(text, form);
    }
    return form;
  };
  // A record may carry 100,000 repairs: the page shows (highlights, lists) one page of them.
  const count = record.repairs.length;
  const pages = Math.max(1, Math.ceil(count / REPAIRS_PAGE));
  const page = Math.min(Math.max(1, extras.repairsPage ?? 1), pages);
  const first = (page - 1) * REPAIRS_PAGE;
  const last = Math.min(count, first + REPAIRS_PAGE);
  const shown = (index: number) => index >= first && index < last;
  const byParagraph = repairsByParagraph(record.repairs);
  // Runs left as they came stay unconverted, and their offsets follow the conversion.
  const converted = convertKeepingUnresolved(record, (lines) => convertLines(lines, convert));
  const place = (text: string, paragraph: number) =>
    placeRepairs(
      text,
      record.repairs,
      byParagraph.get(paragraph) ?? [],
      toShown,
      shown,
      converted.unresolved.filter((u) => u.paragraph === paragraph),
    );
  const repairs = record.repairs
    .slice(first, last)
    .map((repair, k) => ({ index: first + k, ...repair, summary: repairSummary(repair) }));
  return {
    id: record.id,
    url: record.url,
    link: /^https?:\/\//i.test(record.url) ? record.url : null,
    source: record.source,
    version: record.version,
    versions: Array.from({ length: extras.latestVersion }, (_, i) => i + 1),
    stored_at: record.stored_at,
    published_at: record.published_at,
    category: record.category === null ? null : convert(record.category),
    flags: record.flags,
    script,
    scripts: SCRIPTS.map((s) => ({ script: s, label: SCRIPT_LABELS[s], current: s === script })),
    title: converted.title === null ? null : place(converted.title, -1),
    paragraphs: converted.paragraphs.map((text, i) => place(text, i)),
    repairs,
    repairById: Object.fromEntries(repairs.map((r) => [r.index, r])),
    repairCount: count,
    repairsPage: { page, pages, first, last, size: REPAIRS_PAGE },
    raw: extras.raw,
    duplicateOf: record.duplicate_of ? { id: record.duplicate_of, similarity: record.similarity } : null,
    duplicates: extras.duplicates,
  };
}
