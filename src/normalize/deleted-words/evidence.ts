/**
 * The places in a page where a word may have been deleted, and what the dictionary says could
 * fill each. Shared by the profile learner (which counts them over a source) and the filler.
 */
import { type LanguageModel, languageModel } from '../language-model.js';
import type { NgramView } from './char-ngram.js';
import { type DictionaryIndex, dictionaryIndex } from './dictionary-index.js';

const HAN_CHAR = /\p{Script=Han}/u;
/** Characters of context either side that the model sees when scoring an insertion. */
export const CONTEXT = 6;
/** Longest deleted word looked for, in characters. */
const MAX_WORD = 4;
/** A compound must beat the words on their own by this many nats to count as a bond. */
export const MIN_BOND = 1;
/** Characters either side that the character model of intact text sees. */
const NGRAM_CONTEXT = 5;

export interface Site {
  paragraph: number;
  offset: number;
  left: string;
  right: string;
}

/** The Han characters just before `offset` (at most `n`), and those just after. */
export function hanContext(text: string, offset: number, n = CONTEXT): { left: string; right: string } {
  let start = offset;
  while (start > 0 && offset - start < n && HAN_CHAR.test(text[start - 1] as string)) start--;
  let end = offset;
  while (end < text.length && end - offset < n && HAN_CHAR.test(text[end] as string)) end++;
  return { left: text.slice(start, offset), right: text.slice(offset, end) };
}

/** What inserting `word` between `left` and `right` gains under the dictionary model, in nats. */
export function insertionGain(
  left: string,
  word: string,
  right: string,
  lm: LanguageModel = languageModel(),
): number {
  return lm.score(left + word + right) - lm.score(left + right);
}

/**
 * How much better `word` fits between `left` and `right` than its frequency alone predicts: the
 * bonus of the dictionary compounds it completes (`騷擾` + `電話` → `騷擾電話`). Zero or less when it
 * completes none.
 */
export function bond(left: string, word: string, right: string, lm: LanguageModel = languageModel()): number {
  const own = lm.wordLogP(word) ?? lm.score(word);
  return insertionGain(left, word, right, lm) - own;
}

/**
 * log P gain of `word` at `offset` under the character model of intact text, or 0 without one.
 * Punctuation counts as context here (`的同时，`), unlike for the dictionary model.
 */
export function ngramGain(view: NgramView | undefined, text: string, offset: number, word: string): number {
  if (!view || view.size === 0) return 0;
  const before = text.slice(Math.max(0, offset - NGRAM_CONTEXT), offset);
  const after = text.slice(offset, offset + NGRAM_CONTEXT);
  return view.score(word + after, before) - view.score(after, before);
}

/**
 * A one-character context that is itself a very common word (的, 是, 了) completes so many
 * compounds (的话, 的确, 小小的) that completing one says nothing about what was deleted.
 */
const MAX_CONTEXT_CHAR_LOGP = -8;

function informative(context: string, lm: LanguageModel): boolean {
  return context.length > 1 || (lm.wordLogP(context) ?? Number.NEGATIVE_INFINITY) < MAX_CONTEXT_CHAR_LOGP;
}

/** Words that complete a dictionary compound with the context of a gap. */
export function compoundCandidates(
  left: string,
  right: string,
  index: DictionaryIndex = dictionaryIndex(),
  lm: LanguageModel = languageModel(),
): Set<string> {
  const candidates = new Set<string>();
  const add = (word: string) => {
    const length = [...word].length;
    if (length >= 1 && length <= MAX_WORD && HAN_CHAR.test(word)) candidates.add(word);
  };
  for (let k = 1; k <= Math.min(3, left.length); k++) {
    const l = left.slice(-k);
    if (!informative(l, lm)) continue;
    for (const [compound] of index.startingWith(l)) {
      const rest = compound.slice(k);
      add(rest);
      for (let j = 1; j <= Math.min(rest.length - 1, right.length); j++)
        if (rest.endsWith(right.slice(0, j))) add(rest.slice(0, -j));
    }
  }
  for (let j = 1; j <= Math.min(3, right.length); j++) {
    const r = right.slice(0, j);
    if (!informative(r, lm)) continue;
    for (const [compound] of index.endingWith(r)) add(compound.slice(0, -j));
  }
  return candidates;
}

/**
 * Does intact text say that this place had `word`? Counts of the exact strings, one character of
 * context either side (as many as the model's order allows): intact text must have the string
 * with the word at least twice, and three times as often as the same context without it
 * (`人征信报` against `人报`).
 */
export function intactTextHasWordHere(
  view: { count(gram: string): number },
  text: string,
  offset: number,
  word: string,
  maxOrder: number,
): boolean {
  const room = maxOrder - word.length;
  if (room < 1) return false;
  const leftLength = room >= 3 && word.length === 1 ? 2 : 1;
  const left = text.slice(Math.max(0, offset - leftLength), offset);
  const right = text.slice(offset, offset + Math.min(1, room - left.length) || 0);
  if (left.length === 0 || (room - left.length >= 1 && right.length === 0)) return false;
  const withWord = view.count(left + word + right);
  if (withWord < 2 || withWord < 3 * view.count(left + right)) return false;
  // The word must also sit well with a wider view of each side, as far as the model's order
  // reaches: `安逸` before `花` is a product name (安逸花), before `花呗` it is not.
  const side = maxOrder - word.length;
  const wideLeft = text.slice(Math.max(0, offset - side), offset);
  const wideRight = text.slice(offset, offset + side);
  return view.count(wideLeft + word) >= 1 && view.count(word + wideRight) >= 1;
}
