/**
 * The places in a page where a word may have been deleted, and what the dictionary says could
 * fill each. Shared by the profile learner (which counts them over a source) and the filler.
 */
import { type LanguageModel, languageModel } from '../language-model.js';
import { type DictionaryIndex, dictionaryIndex } from './dictionary-index.js';

const HAN_CHAR = /\p{Script=Han}/u;
/** Characters of context either side that the model sees when scoring an insertion. */
export const CONTEXT = 6;
/** Longest deleted word looked for, in characters. */
const MAX_WORD = 4;
/** A compound must beat the words on their own by this many nats to count as a bond. */
export const MIN_BOND = 1;

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
 * Can a character that usually has a partner (`问` of `问题`) stand as a word of its own before
 * `next`: is `next` something it could take as its object (a noun, a verb phrase, a name the
 * dictionary does not know, as in `网上问_消费贷`)? Before an adverb or a particle (`问_日益`,
 * `问_也`, `问_的`) it cannot, and the partner was lost.
 */
export function mayStandAlone(next: string, lm: LanguageModel = languageModel()): boolean {
  const tag = lm.partOfSpeech(next);
  return tag === undefined || tag.startsWith('n') || tag.startsWith('v') || tag === 'eng';
}
