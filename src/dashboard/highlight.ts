/**
 * Where each repair sits in a paragraph, for the record page's highlights.
 *
 * A repair says what changed (`before` → `after`, in the page's own script) and in which
 * paragraph, not at which offset: later stages and the script conversion move offsets. So the
 * dashboard finds each repair's `after` (converted to the script shown) in the shown paragraph.
 * Repairs of one kind come in reading order, so each kind searches on from where its previous
 * repair was found; a `missing-word` repair carries a few characters of context either side, which
 * makes it unambiguous, and only the inserted word is highlighted. A repair that cannot be found
 * (a boilerplate line removed, text the conversion changed) is listed under the paragraph instead.
 *
 * Cost: the characters already highlighted are marked in a byte per character, so a check is as
 * long as the highlight, and the occurrences scanned over a paragraph are capped (past the cap,
 * repairs go unplaced): a record of 130,000 repairs is placed in well under a second. Only the
 * repairs `shown` (the record page's current page of repairs) become highlights.
 * Runs the normalizer left as they came (`unresolved`) carry their own offsets and are marked too;
 * a possible gap (a place where a deleted word may be missing, start = end) becomes an empty
 * segment, which the page shows as an insertion mark.
 */
import type { Repair, Unresolved } from '../records/repairs.js';

/**
 * A run of a paragraph's text, and the repair (index into the record's repairs) it shows, if any,
 * or whether it is a run the normalizer left as it came (`unresolved`, listed in the record).
 */
export interface Segment {
  text: string;
  repair?: number;
  unresolved?: Unresolved['kind'];
}

export interface PlacedParagraph {
  segments: Segment[];
  /** Repairs of this paragraph that could not be placed in its text. */
  unplaced: number[];
}

interface Span {
  start: number;
  end: number;
  repair?: number;
  unresolved?: Unresolved['kind'];
}

/** UTF-16 index of the code point `codePoint` of `text`. */
function utf16Index(text: string, codePoint: number): number {
  let index = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === codePoint) break;
    index += ch.length;
    seen++;
  }
  return index;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: string, b: string, limit: number): number {
  let n = 0;
  while (n < limit && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The part of `after` that is new: a missing word without its context. */
function changedPart(before: string, after: string): { from: number; to: number } {
  const prefix = commonPrefix(before, after);
  const suffix = commonSuffix(before, after, Math.min(before.length, after.length) - prefix);
  const from = prefix;
  const to = after.length - suffix;
  // A pure deletion (`導(dǎo)` → `導`) changes nothing visible: show the whole `after`.
  return to > from ? { from, to } : { from: 0, to: after.length };
}

/** Which characters of a paragraph are highlighted already, and the scanning left to do. */
interface Taken {
  chars: Uint8Array;
  /** Occurrences `findFree` may still look at in this paragraph. */
  budget: number;
}

function overlaps(taken: Taken, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (taken.chars[i]) return true;
  return false;
}

/** The first occurrence of `needle` from `from` whose highlighted `part` is not taken yet. */
function findFree(
  text: string,
  needle: string,
  from: number,
  part: { from: number; to: number },
  taken: Taken,
): number {
  for (let at = text.indexOf(needle, from); at !== -1; at = text.indexOf(needle, at + 1)) {
    if (taken.budget-- <= 0) return -1;
    if (!overlaps(taken, at + part.from, at + part.to)) return at;
  }
  return -1;
}

/** Occurrences looked at per paragraph: a few per character, then the rest go unplaced. */
function scanBudget(text: string): number {
  return 8 * text.length + 10_000;
}

interface Found {
  at: number;
  needle: string;
  /** The highlighted part of `needle`. */
  part: { from: number; to: number };
}

/**
 * Where a repair's `after` is. A missing word's context was taken before its neighbours were
 * restored, so a word restored close to another one is looked for with one side of its context.
 */
function locate(
  text: string,
  kind: Repair['kind'],
  before: string,
  after: string,
  from: number,
  taken: Taken,
): Found | null {
  const part = kind === 'missing-word' ? changedPart(before, after) : { from: 0, to: after.length };
  const candidates: Found[] = [{ at: 0, needle: after, part }];
  if (kind === 'missing-word' && part.to - part.from < after.length) {
    const word = after.slice(part.from, part.to);
    if (part.from > 0)
      candidates.push({ at: 0, needle: after.slice(0, part.to), part: { from: part.from, to: part.to } });
    if (part.to < after.length)
      candidates.push({ at: 0, needle: after.slice(part.from), part: { from: 0, to: word.length } });
  }
  for (const candidate of candidates) {
    let at = findFree(text, candidate.needle, from, candidate.part, taken);
    if (at === -1) at = findFree(text, candidate.needle, 0, candidate.part, taken);
    if (at !== -1) return { ...candidate, at };
  }
  return null;
}

/**
 * Places the repairs `indexes` (of `repairs`, all of this paragraph) in `text`.
 * `toShown` converts a repair's strings into the script `text` is shown in. Every repair is
 * placed (so each finds its own occurrence), but only those `shown` become highlights or are
 * listed as unplaced (default: all).
 */
export function placeRepairs(
  text: string,
  repairs: readonly Repair[],
  indexes: readonly number[],
  toShown: (s: string) => string,
  shown: (index: number) => boolean = () => true,
  unresolved: readonly Unresolved[] = [],
): PlacedParagraph {
  const unplaced: number[] = [];
  const cursor = new Map<string, number>();
  const taken: Taken = { chars: new Uint8Array(text.length), budget: scanBudget(text) };
  // Runs left as they came are placed first, by their offsets (code points): no repair is inside one.
  const spans: Span[] = unresolved.map((u) => {
    const span = { start: utf16Index(text, u.start), end: utf16Index(text, u.end), unresolved: u.kind };
    taken.chars.fill(1, span.start, span.end);
    return span;
  });
  for (const index of indexes) {
    const repair = repairs[index] as Repair;
    const after = toShown(repair.after);
    if (after.length === 0) {
      if (shown(index)) unplaced.push(index);
      continue;
    }
    const found = locate(
      text,
      repair.kind,
      toShown(repair.before),
      after,
      cursor.get(repair.kind) ?? 0,
      taken,
    );
    if (!found) {
      if (shown(index)) unplaced.push(index);
      continue;
    }
    const { at, part, needle } = found;
    taken.chars.fill(1, at + part.from, at + part.to);
    if (shown(index)) spans.push({ start: at + part.from, end: at + part.to, repair: index });
    cursor.set(repair.kind, at + needle.length);
  }
  // A possible gap is a place, not a run (start = end): it comes before a span starting there, and
  // one inside a repair's highlight (the space a gap left, closed by a punctuation repair) is shown
  // right after it.
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  const segments: Segment[] = [];
  let position = 0;
  for (const span of spans) {
    if (span.start === span.end && span.unresolved) {
      if (span.start > position) segments.push({ text: text.slice(position, span.start) });
      segments.push({ text: '', unresolved: span.unresolved });
      position = Math.max(position, span.start);
      continue;
    }
    if (span.start > position) segments.push({ text: text.slice(position, span.start) });
    const segment: Segment = { text: text.slice(span.start, span.end) };
    if (span.repair !== undefined) segment.repair = span.repair;
    if (span.unresolved) segment.unresolved = span.unresolved;
    segments.push(segment);
    position = span.end;
  }
  if (position < text.length || segments.length === 0) segments.push({ text: text.slice(position) });
  return { segments, unplaced };
}

/** Indexes of `repairs` by paragraph (-1: the title and the document as a whole). */
export function repairsByParagraph(repairs: readonly Repair[]): Map<number, number[]> {
  const byParagraph = new Map<number, number[]>();
  repairs.forEach((repair, index) => {
    const list = byParagraph.get(repair.paragraph) ?? [];
    list.push(index);
    byParagraph.set(repair.paragraph, list);
  });
  return byParagraph;
}
