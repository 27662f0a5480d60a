/**
 * Garbled runs that no stage may touch. The mojibake stage reports the runs it leaves as they are;
 * each is swapped for one placeholder character while the other stages run (so no punctuation,
 * script or gap repair reaches inside garbage) and put back when the record is finalized, where
 * its offsets in the published paragraph become the record's `unresolved` entries.
 */
import type { ProtectedRun } from '../records/draft.js';
import type { Unresolved, UnresolvedKind, UnresolvedSpan } from './types.js';

export type { ProtectedRun } from '../records/draft.js';

/** U+FFFC OBJECT REPLACEMENT CHARACTER: "an object stands here". A page's own are removed first. */
export const PLACEHOLDER = '\uFFFC';

/**
 * Replaces each span of `text` with the placeholder and inserts the spans' texts into `runs` (the
 * runs already held out of `text`, in order), keeping them in order of appearance.
 */
export function holdOut(
  text: string,
  spans: readonly UnresolvedSpan[],
  runs: readonly ProtectedRun[],
): { text: string; runs: ProtectedRun[] } {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: ProtectedRun[] = [];
  let rest = [...runs];
  let result = '';
  let at = 0;
  for (const span of sorted) {
    if (span.start < at || span.end <= span.start) continue;
    const kept = text.slice(at, span.start);
    const before = countPlaceholders(kept);
    out.push(...rest.slice(0, before));
    rest = rest.slice(before);
    out.push({ kind: span.kind, text: text.slice(span.start, span.end) });
    result += kept + PLACEHOLDER;
    at = span.end;
  }
  out.push(...rest);
  return { text: result + text.slice(at), runs: out };
}

function countPlaceholders(text: string): number {
  let n = 0;
  for (let i = text.indexOf(PLACEHOLDER); i >= 0; i = text.indexOf(PLACEHOLDER, i + 1)) n++;
  return n;
}

/**
 * Puts the held-out runs back, in order, after `convert` has run on the text between them (the
 * runs themselves are never converted). Returns each run's place in code points of the result.
 */
export function putBack(
  text: string,
  runs: readonly ProtectedRun[],
  convert: (piece: string) => string = (piece) => piece,
): { text: string; places: { kind: UnresolvedKind; start: number; end: number }[] } {
  const pieces = text.split(PLACEHOLDER);
  const places: { kind: UnresolvedKind; start: number; end: number }[] = [];
  let out = '';
  let length = 0;
  pieces.forEach((piece, k) => {
    const converted = convert(piece);
    out += converted;
    length += codePoints(converted);
    const run = runs[k];
    if (k === pieces.length - 1) return;
    // A run the text has a placeholder for but the list lacks cannot happen; keep the text whole.
    const runText = run?.text ?? '';
    places.push({
      kind: run?.kind ?? 'unrepaired-mojibake',
      start: length,
      end: length + codePoints(runText),
    });
    out += runText;
    length += codePoints(runText);
  });
  return { text: out, places };
}

/**
 * Places (code points of `text`, which still holds a `PLACEHOLDER` per run) moved to where they
 * land once `putBack` has put the runs in: each run before a place moves it by its length less one.
 */
export function placesAfterPutBack(
  text: string,
  runs: readonly ProtectedRun[],
  places: readonly number[],
): number[] {
  if (runs.length === 0 || !text.includes(PLACEHOLDER)) return [...places];
  const shifts: [number, number][] = [];
  let k = 0;
  let cp = 0;
  let shift = 0;
  for (const ch of text) {
    if (ch === PLACEHOLDER) {
      shift += codePoints(runs[k]?.text ?? '') - 1;
      k++;
      shifts.push([cp + 1, shift]);
    }
    cp++;
  }
  return places.map((place) => {
    let moved = 0;
    for (const [from, by] of shifts) if (place >= from) moved = by;
    return place + moved;
  });
}

export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdbff) n++;
  }
  return n;
}

/**
 * `convert` applied to `text`, with zero-width places in it (code points, ascending) carried to
 * where they land. The text is converted whole, so that a place never changes how its
 * neighbours convert; only when the conversion changed the text's length is it converted piece by
 * piece between the places, to know where each lands.
 */
export function convertKeepingPlaces(
  text: string,
  places: readonly number[],
  convert: (piece: string) => string,
  /** `convert(text)`, when the caller has it already. */
  whole = convert(text),
): { text: string; places: number[] } {
  if (places.length === 0 || codePoints(whole) === codePoints(text))
    return { text: whole, places: [...places] };
  const chars = [...text];
  let out = '';
  let at = 0;
  const moved: number[] = [];
  for (const place of places) {
    out += convert(chars.slice(at, place).join(''));
    moved.push(codePoints(out));
    at = Math.max(at, place);
  }
  return { text: out + convert(chars.slice(at).join('')), places: moved };
}

/**
 * A record's text in another script, its unresolved runs kept as they are: each paragraph (and the
 * title, paragraph -1) is converted between its unresolved spans only, and the spans' offsets are
 * moved to where they land (conversion may change a paragraph's length). A zero-width entry (a
 * possible gap: a place, not a run) does not cut the text; it moves with it.
 */
export function convertKeepingUnresolved(
  record: { title: string | null; paragraphs: readonly string[]; unresolved?: readonly Unresolved[] },
  convertLines: (lines: string[]) => string[],
): { title: string | null; paragraphs: string[]; unresolved: Unresolved[] } {
  const spans = record.unresolved ?? [];
  if (spans.length === 0) {
    const lines = record.title === null ? [...record.paragraphs] : [record.title, ...record.paragraphs];
    const converted = convertLines(lines);
    return record.title === null
      ? { title: null, paragraphs: converted, unresolved: [] }
      : { title: converted[0] as string, paragraphs: converted.slice(1), unresolved: [] };
  }
  const unresolved: Unresolved[] = [];
  const convertOne = (text: string, paragraph: number): string => {
    const own = spans
      .filter((s) => s.paragraph === paragraph)
      .sort((a, b) => a.start - b.start || a.end - b.end);
    if (own.length === 0) return convertLines([text])[0] as string;
    const chars = [...text];
    // Converts chars[at, end) with the places (zero-width entries) inside it.
    const convertStretch = (at: number, end: number, places: Unresolved[], length: number): string => {
      const converted = convertKeepingPlaces(
        chars.slice(at, end).join(''),
        places.map((p) => p.start - at),
        (piece) => convertLines([piece])[0] as string,
      );
      places.forEach((p, k) => {
        const start = length + (converted.places[k] as number);
        unresolved.push({ ...p, start, end: start });
      });
      return converted.text;
    };
    let out = '';
    let length = 0;
    let at = 0;
    let places: Unresolved[] = [];
    for (const span of own) {
      if (span.start < at || span.end > chars.length) continue;
      if (span.end === span.start) {
        places.push(span);
        continue;
      }
      const converted = convertStretch(at, span.start, places, length);
      places = [];
      out += converted;
      length += codePoints(converted);
      const run = chars.slice(span.start, span.end).join('');
      unresolved.push({ ...span, start: length, end: length + (span.end - span.start) });
      out += run;
      length += span.end - span.start;
      at = span.end;
    }
    return out + convertStretch(at, chars.length, places, length);
  };
  return {
    title: record.title === null ? null : convertOne(record.title, -1),
    paragraphs: record.paragraphs.map(convertOne),
    unresolved,
  };
}
