/**
 * A Traditional page's own characters through the round trip to Simplified and back.
 *
 * A record is repaired in Simplified and converted back to the page's script at the end. The way
 * back is one to many and decided by opencc-js's phrases, so it does not always give the page's
 * character: a Taiwan bank's `先瞭解` came back `先了解` (OpenCC converts 了解 to 瞭解 alone, but its
 * longest-match scan takes 先了 first), and on real Taiwan pages `只需` came back `隻需`, `系統`
 * `係統`, `所借` `所藉`, all silently. Where the record is written in the page's own script, each
 * such character is kept where its word converted on its own gives it (the scan had run in from
 * outside the word), or else the change is recorded as a `script` repair (`伙伴` → `夥伴`, `吃瞭` →
 * `吃了`): nothing the page said is changed without a record.
 */
import type { PageForm } from '../../records/draft.js';
import { languageModel } from '../language-model.js';
import type { Script, TextRepair } from '../types.js';
import { fromHans } from './convert.js';

/** Where one paragraph's round trip does not give the page's character. */
export type ParagraphForm = Omit<PageForm, 'paragraph'>;

/** Confidence of a recorded round-trip change: a standard's choice, as `half-converted.ts`'s. */
const ROUND_TRIP_CONFIDENCE = 0.95;

/** Han characters of context segmented on each side of a form to find its word. */
const REACH = 8;

const HAN = /\p{Script=Han}/u;

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

/**
 * The places where `roundTrip` (`hans` converted back) differs from `page` (the page's text that
 * `hans` was converted from). The three are one character for one; otherwise nothing is said.
 */
export function pageForms(page: string, hans: string, roundTrip: string): ParagraphForm[] {
  if (page === roundTrip || page.length !== hans.length || page.length !== roundTrip.length) return [];
  const forms: ParagraphForm[] = [];
  for (let i = 0; i < page.length; i++) {
    const code = page.charCodeAt(i);
    if (code === roundTrip.charCodeAt(i) || isSurrogate(code)) continue;
    forms.push({ offset: i, page: page[i] as string, hans: hans[i] as string });
  }
  return forms;
}

/** `hans[offset]`'s word, as the language model segments the Han text around it. */
function wordAt(hans: string, offset: number): { start: number; word: string } {
  let from = offset;
  while (from > 0 && offset - from < REACH && HAN.test(hans[from - 1] as string)) from--;
  let to = offset + 1;
  while (to < hans.length && to - offset <= REACH && HAN.test(hans[to] as string)) to++;
  let at = from;
  for (const word of languageModel().segmentSimplified(hans.slice(from, to)).words) {
    if (offset < at + word.length) return { start: at, word };
    at += word.length;
  }
  return { start: offset, word: hans[offset] as string };
}

/** Whether `text`, converted on its own to `script`, writes its character `at` as `page`. */
function writesAlone(text: string, at: number, script: Script, page: string): boolean {
  const alone = fromHans(text, script);
  return alone.length === text.length && alone[at] === page;
}

/**
 * Whether the page's character is what the converter writes for it where nothing outside its word
 * reaches: its word converted on its own, and each pair of the word's characters it stands in.
 * The pairs keep a phrase of the page's region that the word's own entry lacks: Taiwan writes
 * `夥伴`, and `合作伙伴` on its own stays 伙 (the seeds expect `合作夥伴`).
 */
function convertsAloneTo(hans: string, offset: number, script: Script, page: string): boolean {
  const { start, word } = wordAt(hans, offset);
  const at = offset - start;
  if (!writesAlone(word, at, script, page)) return false;
  for (const from of [at - 1, at])
    if (
      from >= 0 &&
      from + 2 <= word.length &&
      !writesAlone(word.slice(from, from + 2), at - from, script, page)
    )
      return false;
  return true;
}

/**
 * `converted` (`hans` in the page's script `script`) with each of the page's forms kept where the
 * converter writes it so within its word (`convertsAloneTo`), and a repair for every other change.
 * Forms whose place no longer holds their Simplified character (the text moved) are passed over.
 */
export function keepPageForms(
  converted: string,
  hans: string,
  forms: readonly ParagraphForm[],
  script: Script,
): { text: string; repairs: TextRepair[] } {
  if (forms.length === 0 || converted.length !== hans.length) return { text: converted, repairs: [] };
  const chars = converted.split('');
  const repairs: TextRepair[] = [];
  for (const { offset, page, hans: simplified } of forms) {
    const now = chars[offset];
    if (hans[offset] !== simplified || now === undefined || now === page || isSurrogate(now.charCodeAt(0)))
      continue;
    if (convertsAloneTo(hans, offset, script, page)) chars[offset] = page;
    else repairs.push({ kind: 'script', before: page, after: now, confidence: ROUND_TRIP_CONFIDENCE });
  }
  return { text: chars.join(''), repairs };
}
