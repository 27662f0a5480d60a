/**
 * The normalizer: one raw document in, one clean record out. Each step is a pure function from
 * text to text plus repairs (one module per fault of FAULTS.md); this file only orders them,
 * threads the repairs into paragraph numbers, and builds the record.
 *
 *   bytes ─ charset ─┬─ html: extract article ─┐
 *                    └─ text: split lines ─────┴─ per line: control codes, mis-decoded text,
 *   pinyin, GBK tails ─ detect script ─ title / byline / boilerplate ─ per paragraph: punctuation,
 *   half-converted script, spacing gaps ─ convert to Simplified ─ gaps grammar shows ─ convert to
 *   the target script
 */

import type { PageForm } from '../records/draft.js';
import type { RawDocument } from '../records/raw.js';
import { siteContact } from './boilerplate.js';
import { removeControlResidue } from './control-chars.js';
import { unclosedFrames } from './deleted-words/frames.js';
import type { DeletionProfile } from './deleted-words/profile.js';
import { restoreDeletedWords } from './deleted-words/restore.js';
import type { DraftDocument } from './draft.js';
import { decodeBytes } from './encoding/decode-bytes.js';
import { closeMarkedGaps } from './gaps.js';
import { type ExtractedArticle, extractArticle } from './html.js';
import { languageModel } from './language-model.js';
import { readPageLayout } from './layout/page-model.js';
import { LIMIT_FLAGS, LIMITS, limitRepairs, RepairBudget, splitLongParagraphs } from './limits.js';
import { type PageContext, repairMisdecodedDocument, repairMojibake } from './mojibake/index.js';
import type { Misdecoding } from './mojibake/misdecodings.js';
import { PageVocabulary } from './mojibake/page-vocabulary.js';
import { stripPinyinLeaks } from './pinyin.js';
import {
  codePoints,
  convertKeepingPlaces,
  holdOut,
  PLACEHOLDER,
  type ProtectedRun,
  placesAfterPutBack,
  putBack,
} from './protected-runs.js';
import { fixAsciiPunctuation } from './punctuation.js';
import { type CleanRecord, contentHash, recordId } from './record.js';
import { convertLines, fromHans, toHans } from './script/convert.js';
import { detectScript } from './script/detect.js';
import { fixHalfConverted } from './script/half-converted.js';
import { keepPageForms, pageForms } from './script/page-forms.js';
import { datedByFetch, parsePublishedAt } from './time.js';
import type { Gap, Repair, Script, StageOutput, TextRepair, Unresolved } from './types.js';

export type { RawDocument } from '../records/raw.js';
export type { DraftDocument } from './draft.js';

export interface NormalizeOptions {
  /** Script of the record's text; by default the script the source is written in. */
  to?: Script;
  /** Per-source selectors for pages the generic extractor gets wrong. */
  selectors?: { title?: string; body?: string; category?: string; time?: string };
  /** The source's deleted words, learned from its other pages (see `deleted-words/`). */
  profile?: DeletionProfile;
}

/** Document-level repairs (charset) and the title's repairs carry this paragraph number. */
export const DOCUMENT_LEVEL = -1;
/** The paragraph number of the title in `unresolved`. */
export const TITLE = -1;

type TextStage = (text: string, script: Script) => StageOutput;

/** Repairs that need only the line itself, before anything is known about the document. */
// Pinyin goes before the mojibake engine (tone letters look like Latin-1 mojibake, and readings
// inside a shifted run would hide its bytes) and again after (a reading inside mojibake appears only
// once it is repaired); likewise control codes. Runs the engine leaves are held out of the text
// from then on (`protected-runs.ts`).
// The mojibake engine reads the rest of the page (`page-vocabulary.ts`) to pick lost characters.
function lineStages(page: PageContext): TextStage[] {
  return [
    (text) => removeControlResidue(text),
    (text) => stripPinyinLeaks(text),
    (text) => repairMojibake(text, languageModel(), page),
    (text) => removeControlResidue(text),
    (text) => stripPinyinLeaks(text),
  ];
}
/** Repairs that need the document's script, run on the lines that survive as paragraphs. */
const PARAGRAPH_STAGES: TextStage[] = [
  (text) => fixAsciiPunctuation(text),
  (text, script) => fixHalfConverted(text, script),
  (text) => closeMarkedGaps(text),
];

interface Line {
  original: string;
  /** The text, with a `PLACEHOLDER` for each garbled run held out of it. */
  text: string;
  repairs: TextRepair[];
  flags: string[];
  gaps: Gap[];
  /** The garbled runs held out of `text`, in order. */
  runs: ProtectedRun[];
  /** Past the page's repair budget (`limits.ts`): kept as it came, no stage runs on it. */
  unrepaired?: true;
}

/**
 * Flag of a record one of whose repair steps failed (a bug, not bad input): the step's text was
 * kept as it came to that step, and the rest of the record repaired as usual.
 */
export const REPAIR_FAILED = 'repair-failed';

/**
 * `step()`, or `keep()` flagged when the step throws: one failing repair must not lose a record
 * (the error is returned for the caller to report where it has a log).
 */
export function keepOnFailure<T>(step: () => T, keep: () => T): { value: T; error?: unknown } {
  try {
    return { value: step() };
  } catch (error) {
    return { value: keep(), error };
  }
}

function runStages(line: Line, stages: TextStage[], script: Script): void {
  for (const stage of stages) {
    const text = line.text;
    const attempt = keepOnFailure(
      () => stage(text, script),
      (): StageOutput => ({ text, repairs: [], flags: [REPAIR_FAILED] }),
    );
    const result = attempt.value;
    line.text = result.text;
    // One at a time: spreading a hostile page's hundred thousand repairs overflows the stack.
    for (const repair of result.repairs) line.repairs.push(repair);
    for (const flag of result.flags) line.flags.push(flag);
    if (result.gaps) line.gaps = result.gaps;
    if (result.unresolved?.length) {
      const held = holdOut(line.text, result.unresolved, line.runs);
      line.text = held.text;
      line.runs = held.runs;
    }
  }
  // Removing residue can leave a space at either end (`_x0008_ 的`).
  if (!line.gaps.length) line.text = line.text.trim();
}

function newLine(text: string): Line {
  const line: Line = { original: text, text: text.trim(), repairs: [], flags: [], gaps: [], runs: [] };
  // The page's own object-replacement characters are not text, and would pass for held-out runs.
  if (line.text.includes(PLACEHOLDER)) {
    line.text = line.text.split(PLACEHOLDER).join('');
    line.repairs.push({ kind: 'html', before: PLACEHOLDER, after: '', confidence: 1 });
  }
  return line;
}

/** A line's text with its held-out runs put back as they came (metadata, dropped lines). */
function plainText(line: Line): string {
  return putBack(line.text, line.runs).text;
}

function cleanLine(text: string): Line {
  const line = newLine(text);
  runStages(line, lineStages({ vocabulary: new PageVocabulary([line.text]) }), 'hans');
  return line;
}

function looksLikeHtml(raw: RawDocument, text: string): boolean {
  if (raw.contentType && /html|xml/i.test(raw.contentType)) return true;
  if (/\.html?(?:[?#]|$)/i.test(raw.url)) return true;
  // A BOM, an XML declaration or comments may come before the markup (`<!-- cached -->`).
  const head = text
    .slice(0, 4096)
    .replace(/^\uFEFF/, '')
    .replace(/^\s*(<\?xml[^>]*>|<!--[\s\S]*?-->)\s*/gi, '');
  return /^\s*(<!doctype html|<html|<head|<body)/i.test(head);
}

interface Decoded {
  /** The page as text: decoded bytes, or the HTML or text as given. */
  page: string;
  lines: Line[];
  article?: ExtractedArticle;
  documentRepairs: TextRepair[];
  flags: string[];
  /** The page was read with the wrong charset and lost bytes: its lines are undone one by one. */
  lineMisdecoding?: Misdecoding;
}

function decode(raw: RawDocument, options: NormalizeOptions): Decoded {
  const documentRepairs: TextRepair[] = [];
  const flags: string[] = [];
  let page = raw.text ?? raw.html ?? '';
  let isHtml = raw.html !== undefined;
  if (raw.body) {
    const hints = { contentType: raw.contentType, declared: raw.charset };
    const decoded = decodeBytes(raw.body, hints);
    page = decoded.text;
    for (const repair of decoded.repairs) documentRepairs.push(repair);
    for (const flag of decoded.flags) flags.push(flag);
    isHtml = looksLikeHtml(raw, page);
  }
  // A page read wholly with the wrong charset before it reached us (`ÊµÆÚ¼ä`) is read again as a
  // whole: its short lines alone would be too short to be sure of. Not past `wholePageChars`: that
  // reading copies the page several times over (its lines are still read one by one).
  const whole = page.length <= LIMITS.wholePageChars;
  if (!whole) flags.push(LIMIT_FLAGS.notRepaired);
  const redecoded = whole ? repairMisdecodedDocument(page) : { text: page, repairs: [] };
  const text = redecoded.text;
  for (const repair of redecoded.repairs) documentRepairs.push(repair);
  const lineMisdecoding = redecoded.lineMisdecoding;
  // Paragraphs longer than the limit are cut into pieces (`limits.ts`): every stage is then
  // bounded per paragraph.
  const split = (paragraphs: string[]) => {
    const pieces = splitLongParagraphs(paragraphs);
    if (pieces.split) flags.push(LIMIT_FLAGS.paragraphSplit);
    return pieces.paragraphs.map(newLine);
  };
  if (!isHtml)
    return { page, lines: split(text.split(/\r\n|\r|\n/)), documentRepairs, flags, lineMisdecoding };
  const article = extractArticle(text, { url: raw.url, selectors: raw.selectors ?? options.selectors });
  for (const removed of article.removed)
    documentRepairs.push({ kind: 'html', before: removed.text, after: '', confidence: 1 });
  for (const flag of article.flags) flags.push(flag);
  return { page, lines: split(article.paragraphs), article, documentRepairs, flags, lineMisdecoding };
}

interface Structure {
  title: Line | null;
  category: Line | null;
  time: string | null;
  /** A time printed relative to the fetch (`01-17`, `3天前`), dated by it when there is no full one. */
  relativeTime?: string | null;
  /** Lines kept as paragraphs, and what was dropped just before each (boilerplate repairs). */
  paragraphs: Line[];
  dropped: { beforeParagraph: number; line: Line }[];
  contact: string | undefined;
}

function findStructure(lines: Line[], article: ExtractedArticle | undefined): Structure {
  const structure: Structure = {
    title: null,
    category: null,
    time: null,
    paragraphs: [],
    dropped: [],
    contact: undefined,
  };
  const content = lines.filter((l) => l.text.length > 0);
  if (article) {
    // Cleaned before it is compared with the body (a leaked reading in the <h1> only).
    structure.title = article.title ? cleanLine(article.title) : null;
    structure.category = article.category ? cleanLine(article.category) : null;
    structure.time = article.publishedAt;
  }
  // Lines are read with their held-out runs put back (a `?` the mojibake engine held is still a
  // character of the line); lines kept as they came (past the repair budget) are never chrome.
  const plains = content.map((l) => (l.unrepaired ? '' : plainText(l)));
  const layout = readPageLayout(plains, plains, {
    knownTitle: article ? (structure.title ? plainText(structure.title) : '') : undefined,
    garbled: content.map((l) => l.runs.length > 0),
  });
  if (!article && layout.title !== null) structure.title = content[layout.title] as Line;
  if (structure.title && layout.titleText !== null && structure.title.runs.length === 0)
    structure.title.text = layout.titleText;
  structure.time ??= layout.time;
  if (structure.time === null) structure.relativeTime = layout.relativeTime;
  if (!structure.category && layout.category) structure.category = newLine(layout.category);
  content.forEach((line, index) => {
    if (index === layout.title && !article) return;
    const drop = line.unrepaired ? undefined : layout.drops[index];
    if (drop === 'takedown') structure.contact ??= siteContact(line.text);
    if (drop) structure.dropped.push({ beforeParagraph: structure.paragraphs.length, line });
    else structure.paragraphs.push(line);
  });
  return structure;
}

/**
 * The source a page's deleted words are learned with: the configured source, the URL's host, or
 * the takedown contact a text dump names. A page with none of these is a source of its own
 * (`page:` and its URL): pages of unknown origin are never pooled with strangers.
 */
function sourceOf(raw: RawDocument, contact: string | undefined): string {
  if (raw.source) return raw.source;
  try {
    const url = new URL(raw.url);
    if (url.hostname) return url.hostname;
  } catch {
    // not a URL: fall through to the contact or the page itself
  }
  return contact ? `contact:${contact}` : `page:${raw.url}`;
}

/** A line's repairs placed at `paragraph`, with any held-out run they quote put back. */
function placeLine(line: Line, paragraph: number): Repair[] {
  const placed = place(line.repairs, paragraph);
  if (line.runs.length === 0) return placed;
  for (const repair of placed) {
    if (repair.before.includes(PLACEHOLDER)) repair.before = putBack(repair.before, line.runs).text;
    if (repair.after.includes(PLACEHOLDER)) repair.after = putBack(repair.after, line.runs).text;
  }
  return placed;
}

function place(repairs: TextRepair[], paragraph: number): Repair[] {
  return repairs.map((r) => ({
    kind: r.kind,
    paragraph,
    before: r.before,
    after: r.after,
    confidence: r.confidence,
  }));
}

/** Pass one: decode, extract and repair a raw document; never throws on bad content. */
export function draftDocument(
  raw: RawDocument,
  options: Pick<NormalizeOptions, 'selectors' | 'to'> = {},
): DraftDocument {
  return readDocument(raw, options).draft;
}

/**
 * `draftDocument`, and the page as the normalizer read it (the decoded bytes), for callers that
 * keep it beside the record (the queue, for the dashboard) without decoding the bytes again.
 */
export function readDocument(
  raw: RawDocument,
  options: Pick<NormalizeOptions, 'selectors' | 'to'> = {},
): { draft: DraftDocument; page: string } {
  return keepOnFailure(
    () => repairDocument(raw, options),
    () => unrepairedDocument(raw),
  ).value;
}

/**
 * The draft of a page whose repair failed: its text as it came (markup dropped, bytes read as
 * UTF-8), each line a paragraph, flagged. A record the feed can show beats a page lost.
 */
function unrepairedDocument(raw: RawDocument): { draft: DraftDocument; page: string } {
  const page = raw.text ?? raw.html ?? (raw.body ? new TextDecoder().decode(raw.body) : '');
  const text = raw.text === undefined ? page.replace(/<[^>]*>/g, '\n') : page;
  const paragraphs = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const script = keepOnFailure(
    () => detectScript(paragraphs.join('\n')),
    (): Script => 'hans',
  ).value;
  const draft: DraftDocument = {
    id: recordId(raw.url),
    url: raw.url,
    source: sourceOf(raw, undefined),
    script,
    title: null,
    category: null,
    published_at: null,
    paragraphs,
    repairs: [],
    flags: paragraphs.length ? [REPAIR_FAILED] : ['empty', REPAIR_FAILED],
    gaps: [],
    runs: [],
  };
  return { draft, page };
}

function repairDocument(
  raw: RawDocument,
  options: Pick<NormalizeOptions, 'selectors' | 'to'>,
): { draft: DraftDocument; page: string } {
  const decoded = decode(raw, options);
  // The page is repaired up to its budget; the lines after are kept as they came (`limits.ts`).
  // Empty lines need no stage (and never become paragraphs).
  const budget = new RepairBudget();
  const repaired = decoded.lines.filter((line) => {
    if (line.text.length === 0) return false;
    if (budget.take(line.text.length)) return true;
    line.unrepaired = true;
    return false;
  });
  const stages = lineStages({
    vocabulary: new PageVocabulary(repaired.map((l) => l.text)),
    misdecoding: decoded.lineMisdecoding,
  });
  for (const line of repaired) runStages(line, stages, 'hans');
  const script = detectScript(repaired.map((l) => l.text).join('\n'));

  const structure = findStructure(decoded.lines, decoded.article);
  const meta = [structure.title, structure.category].filter((l): l is Line => l !== null);
  for (const line of [...meta, ...structure.paragraphs])
    if (!line.unrepaired) runStages(line, PARAGRAPH_STAGES, script);

  const repairs: Repair[] = place(decoded.documentRepairs, DOCUMENT_LEVEL);
  for (const line of meta) for (const repair of placeLine(line, DOCUMENT_LEVEL)) repairs.push(repair);
  const runs: DraftDocument['runs'] = [];
  if (structure.title) for (const run of structure.title.runs) runs.push({ paragraph: TITLE, ...run });
  const flags = new Set(decoded.flags);
  if (budget.exhausted) flags.add(LIMIT_FLAGS.notRepaired);
  const paragraphs: string[] = [];
  const gaps: DraftDocument['gaps'] = [];
  let dropIndex = 0;
  const pageParagraphs = structure.paragraphs.map((l) => l.text);
  const hansParagraphs = convertLines(pageParagraphs, (text) => toHans(text, script));
  const hansTitle = structure.title ? toHans(structure.title.text, script) : null;
  // Only a record in the page's own script reads them (`finalizeRecord`).
  const forms =
    (options.to ?? script) === script
      ? roundTripForms(pageParagraphs, hansParagraphs, structure.title?.text ?? null, hansTitle, script)
      : [];
  structure.paragraphs.forEach((line, index) => {
    while (
      dropIndex < structure.dropped.length &&
      (structure.dropped[dropIndex]?.beforeParagraph ?? 0) <= index
    ) {
      const { line: dropped } = structure.dropped[dropIndex++] as { line: Line };
      repairs.push({
        kind: 'boilerplate',
        paragraph: index,
        before: dropped.original.trim(),
        after: '',
        confidence: 1,
      });
    }
    for (const repair of placeLine(line, index)) repairs.push(repair);
    for (const run of line.runs) runs.push({ paragraph: index, ...run });
    for (const flag of line.flags) flags.add(flag);
    const hans = hansParagraphs[index] as string;
    paragraphs.push(hans);
    // Conversion is character for character, so offsets carry over; if it ever is not, the gap
    // stays flagged but is not offered for filling.
    const marked = new Map<number, DraftDocument['gaps'][number]>();
    if (hans.length === line.text.length)
      for (const gap of line.gaps) {
        const placed = { paragraph: index, ...gap };
        gaps.push(placed);
        if (!marked.has(gap.offset)) marked.set(gap.offset, placed);
      }
    if (line.unrepaired) return;
    // Gaps only grammar shows (`在…的_保护用户`) are found on the Simplified text.
    for (const offset of unclosedFrames(hans, languageModel())) {
      const gap = marked.get(offset);
      if (gap) gap.inFrame = true;
      else {
        const frame = { paragraph: index, offset, evidence: 'frame' as const };
        gaps.push(frame);
        marked.set(offset, frame);
      }
      flags.add('possible-gap');
    }
  });
  for (const { line } of structure.dropped.slice(dropIndex))
    repairs.push({
      kind: 'boilerplate',
      paragraph: paragraphs.length,
      before: line.original.trim(),
      after: '',
      confidence: 1,
    });
  if (paragraphs.length === 0) flags.add('empty');
  const limited = limitRepairs(repairs);
  if (limited.summarised) flags.add(LIMIT_FLAGS.repairsSummarised);

  const draft: DraftDocument = {
    id: recordId(raw.url),
    url: raw.url,
    source: sourceOf(raw, structure.contact),
    script,
    title: hansTitle,
    category: structure.category ? toHans(plainText(structure.category), script) : null,
    published_at: parsePublishedAt(structure.time) ?? datedByFetch(structure.relativeTime, raw.fetchedAt),
    paragraphs,
    repairs: limited.repairs,
    flags: [...flags].sort(),
    gaps,
    runs,
    ...(forms.length > 0 ? { forms } : {}),
  };
  return { draft, page: decoded.page };
}

/**
 * Where the page's Traditional text does not come back from its Simplified text (`page-forms.ts`):
 * the lines converted back once more. Nothing on a Simplified page.
 */
function roundTripForms(
  page: readonly string[],
  hans: readonly string[],
  pageTitle: string | null,
  hansTitle: string | null,
  script: Script,
): PageForm[] {
  if (script === 'hans') return [];
  const back = convertLines(hans, (text) => fromHans(text, script));
  const forms: PageForm[] = [];
  page.forEach((text, paragraph) => {
    for (const form of pageForms(text, hans[paragraph] as string, back[paragraph] as string))
      forms.push({ paragraph, ...form });
  });
  if (pageTitle !== null && hansTitle !== null)
    for (const form of pageForms(pageTitle, hansTitle, fromHans(hansTitle, script)))
      forms.push({ paragraph: TITLE, ...form });
  return forms;
}

/** A draft's held-out runs or page forms by paragraph (`TITLE` for the title), each in order. */
function byParagraph<T extends { paragraph: number }>(items: readonly T[]): (paragraph: number) => T[] {
  const grouped = new Map<number, T[]>();
  for (const item of items) {
    const list = grouped.get(item.paragraph);
    if (list) list.push(item);
    else grouped.set(item.paragraph, [item]);
  }
  return (paragraph) => grouped.get(paragraph) ?? [];
}

/**
 * The clean record of a draft, in the target script (by default the page's own). Held-out runs go
 * back in as they came, never converted, and their places become `unresolved`.
 */
export function finalizeRecord(draft: DraftDocument, to: Script = draft.script): CleanRecord {
  return keepOnFailure(
    () => convertRecord(draft, to),
    () => unconvertedRecord(draft),
  ).value;
}

/** The record of a draft whose conversion failed: its Simplified text, runs put back, flagged. */
function unconvertedRecord(draft: DraftDocument): CleanRecord {
  const runsOf = byParagraph(draft.runs ?? []);
  const restore = (text: string, paragraph: number) =>
    keepOnFailure(
      () => putBack(text, runsOf(paragraph)).text,
      () => text.split(PLACEHOLDER).join(''),
    ).value;
  const paragraphs = (draft.paragraphs ?? []).map((text, index) => restore(String(text), index));
  return {
    id: draft.id,
    url: draft.url,
    source: draft.source,
    title: draft.title === null ? null : restore(draft.title, TITLE),
    category: draft.category,
    published_at: draft.published_at,
    script: 'hans',
    paragraphs,
    repairs: Array.isArray(draft.repairs) ? draft.repairs : [],
    flags: [...new Set([...(draft.flags ?? []), REPAIR_FAILED])].sort(),
    unresolved: [],
    content_hash: contentHash(paragraphs),
  };
}

function convertRecord(draft: DraftDocument, to: Script): CleanRecord {
  const convert = (text: string) => fromHans(text, to);
  const runsOf = byParagraph(draft.runs ?? []);
  const unresolved: Unresolved[] = [];
  const finish = (text: string, paragraph: number) => {
    const restored = putBack(text, runsOf(paragraph));
    for (const place of restored.places) unresolved.push({ paragraph, ...place });
    return restored.text;
  };
  // In the page's own script, the page's characters the way back does not give are kept or
  // their change recorded (`page-forms.ts`).
  const formsOf = byParagraph(to === draft.script ? (draft.forms ?? []) : []);
  const formRepairs: Repair[] = [];
  const withPageForms = (converted: string, hans: string, paragraph: number) => {
    const forms = formsOf(paragraph);
    if (forms.length === 0) return converted;
    const kept = keepPageForms(converted, hans, forms, to);
    for (const repair of kept.repairs) formRepairs.push({ paragraph, ...repair });
    return kept.text;
  };
  const title =
    draft.title === null ? null : finish(withPageForms(convert(draft.title), draft.title, TITLE), TITLE);
  const converted = convertLines(draft.paragraphs, convert).map((text, paragraph) =>
    withPageForms(text, draft.paragraphs[paragraph] as string, paragraph),
  );
  // Gaps no word filled keep their place: listed as zero-width `possible-gap` entries.
  const gapPlaces = new Map<number, number[]>();
  for (const gap of draft.gaps) {
    const list = gapPlaces.get(gap.paragraph);
    if (list) list.push(gap.offset);
    else gapPlaces.set(gap.paragraph, [gap.offset]);
  }
  const paragraphs = converted.map((text, paragraph) => {
    const offsets = gapPlaces.get(paragraph);
    if (!offsets) return finish(text, paragraph);
    const hans = draft.paragraphs[paragraph] as string;
    const inHans = [...new Set(offsets)].sort((a, b) => a - b).map((o) => codePoints(hans.slice(0, o)));
    const moved = convertKeepingPlaces(hans, inHans, convert, text);
    for (const start of placesAfterPutBack(moved.text, runsOf(paragraph), moved.places))
      unresolved.push({ kind: 'possible-gap', paragraph, start, end: start });
    return finish(moved.text, paragraph);
  });
  unresolved.sort((a, b) => a.paragraph - b.paragraph || a.start - b.start || a.end - b.end);
  // Restoring deleted words adds repairs to a draft already within the limit.
  const limited = limitRepairs(formRepairs.length > 0 ? [...draft.repairs, ...formRepairs] : draft.repairs);
  const flags = limited.summarised
    ? [...new Set([...draft.flags, LIMIT_FLAGS.repairsSummarised])].sort()
    : draft.flags;
  return {
    id: draft.id,
    url: draft.url,
    source: draft.source,
    title,
    category: draft.category === null ? null : convert(draft.category),
    published_at: draft.published_at,
    script: to,
    paragraphs,
    repairs: limited.repairs,
    flags,
    unresolved,
    content_hash: contentHash(draft.paragraphs.map((p, index) => putBack(p, runsOf(index)).text)),
  };
}

/**
 * Normalizes one raw document into a clean record. Never throws on bad content. Deleted words are
 * restored only with a profile; a batch learns profiles with `DeletionCycle` (`deleted-words/cycle.ts`).
 */
export function normalizeDocument(raw: RawDocument, options: NormalizeOptions = {}): CleanRecord {
  const draft = draftDocument(raw, options);
  const { profile } = options;
  const restored = profile ? keepRestoring(draft, () => restoreDeletedWords(draft, profile)).draft : draft;
  return finalizeRecord(restored, options.to);
}

/**
 * The draft with its deleted words restored by `restore`, or as it was, flagged, when restoring
 * throws (the error returned for the caller's log).
 */
export function keepRestoring(
  draft: DraftDocument,
  restore: () => DraftDocument,
): { draft: DraftDocument; error?: unknown } {
  const attempt = keepOnFailure(restore, () => flagRepairFailed(draft));
  return { draft: attempt.value, error: attempt.error };
}

/** The draft as it is, flagged `repair-failed` (a later step on it threw). */
export function flagRepairFailed(draft: DraftDocument): DraftDocument {
  return { ...draft, flags: [...new Set([...draft.flags, REPAIR_FAILED])].sort() };
}
