/**
 * Pairs dropped from a shifted run (FAULTS.md §9). A decoder one byte off reads (trail of one
 * character, lead of the next); where that trail byte is in GBK's user-defined rows (AA–AF, F8–FE:
 * 原 D4 AD, 生 C9 FA), the pair is a private-use character, which browsers print and stores and
 * scrapers drop. About one character in seven has such a trail byte, so most long runs on real
 * pages lost a pair: read as they stand, the two characters around the gap merge into one that the
 * bytes allow (`日常生活中` → `日常深中`, `特殊原因無` → `特殊则無`), and the text loses a character.
 *
 * At each character of the middle, the hypothesis "a pair was dropped here" gives two characters
 * instead of one: the first keeps its lead byte and takes a user-defined trail byte, the second
 * keeps its trail byte and takes any lead. Where the model reads such a pair much better than the
 * one character, it is put back; where it reads it about as well, the decoding is not trusted (the
 * run is listed rather than repaired as `日常深中` at 0.997).
 */
import {
  type BytePair,
  charactersEndingIn,
  charactersStartingWith,
  charactersWithUserDefinedTrail,
} from '../encoding/gbk-table.js';
import type { LanguageModel } from '../language-model.js';
import { softmax } from '../probability.js';

/** The pair must read this many nats better than the one character (as `GARBLED_GAIN`) to be
 * put back… */
const DROPPED_PAIR_GAIN = 6;
/**
 * …and a pair that reads about as well makes the plain decoding unsure: the run is listed. The
 * unigram model barely prefers the right pair (`生活` over `深` by 1.3 nats, `原因` over `则` by
 * -0.9), so this is low; on generated runs it lists 0.8 % more readable runs and no clean text.
 */
const SUSPECT_GAIN = -1;
const CONTEXT_CHARS = 4;
/** Characters tried first and second at each place (by their words with a neighbour): 3 × 4 did
 * no better than 2 × 3 on generated runs (three seeds), at twice the model's reading. */
const FIRST_CANDIDATES = 2;
const SECOND_CANDIDATES = 3;

/** A candidate character by the dictionary: alone, or in `word` with its neighbour. */
function wordScore(lm: LanguageModel, candidate: string, word: string): number {
  const logP = word.length > 1 ? lm.wordLogP(word) : undefined;
  return Math.max(lm.charLogP(candidate), logP === undefined ? Number.NEGATIVE_INFINITY : logP / 2);
}

/** The `count` of `options` likeliest by `wordScore` with their neighbour (`wordOf` makes the word). */
function likeliestByWord(
  lm: LanguageModel,
  options: readonly string[],
  wordOf: (option: string) => string,
  count: number,
): string[] {
  return options
    .map((option) => ({ option, s: wordScore(lm, option, wordOf(option)) }))
    .sort((x, y) => y.s - x.s)
    .slice(0, count)
    .map(({ option }) => option);
}

/** Words of two characters, the first from `firsts` and the second from `seconds`, commonest first. */
const PAIR_WORDS = 3;
function pairWords(firsts: readonly string[], seconds: readonly string[], lm: LanguageModel): string[] {
  const words: { text: string; logP: number }[] = [];
  for (const a of firsts)
    for (const b of seconds) {
      const logP = lm.wordLogP(a + b);
      if (logP !== undefined) words.push({ text: a + b, logP });
    }
  return words
    .sort((x, y) => y.logP - x.logP)
    .slice(0, PAIR_WORDS)
    .map((w) => w.text);
}

/**
 * Whether two characters where the decoding shows one read about as well, the first with any trail
 * byte: a pair lost in capture whatever its bytes (`怎么回事` read as `怎秘事`). Not evidence enough to
 * put the pair back, only to doubt the decoding.
 */
function lostAnyPairReadsAsWell(
  lm: LanguageModel,
  pair: BytePair,
  seconds: readonly string[],
  left: string,
  right: string,
  plain: number,
): boolean {
  const firsts = likeliestByWord(
    lm,
    charactersStartingWith(pair[1]),
    (a) => left.slice(-1) + a,
    FIRST_CANDIDATES,
  );
  for (const a of firsts)
    for (const b of seconds) if (lm.score(left + a + b + right) - plain >= SUSPECT_GAIN) return true;
  return false;
}

export interface RestoredPairs {
  text: string;
  /** How sure the choice of the put-back characters is (1 when nothing was put back). */
  confidence: number;
  restored: number;
}

/**
 * `decoded` is a run's decoding: its first character, then `pairs.length - 1` middle characters
 * (middle `k` is `pairs[k][1]`, `pairs[k + 1][0]`), then its last. `before` and `after` are the
 * text around the run.
 */
export function restoreDroppedPairs(
  decoded: string,
  pairs: readonly BytePair[],
  before: string,
  after: string,
  lm: LanguageModel,
): RestoredPairs {
  const chars = [...decoded];
  let confidence = 1;
  let restored = 0;
  let suspect = false;
  // Middle k sits at index 1 + k + restored in `chars` (each put-back pair adds one).
  for (let k = 0; k + 1 < pairs.length; k++) {
    const at = 1 + k + restored;
    const left = (before + chars.slice(0, at).join('')).slice(-CONTEXT_CHARS);
    const right = (chars.slice(at + 1).join('') + after).slice(0, CONTEXT_CHARS);
    const plain = lm.score(left + (chars[at] as string) + right);
    const firsts = charactersWithUserDefinedTrail((pairs[k] as BytePair)[1]);
    if (firsts.length === 0) continue;
    // Each character by dictionary look-ups with its neighbour first, then the few best together.
    const topFirsts = likeliestByWord(lm, firsts, (a) => left.slice(-1) + a, FIRST_CANDIDATES);
    const allSeconds = charactersEndingIn((pairs[k + 1] as BytePair)[0]);
    const seconds = likeliestByWord(lm, allSeconds, (b) => b + right.slice(0, 1), SECOND_CANDIDATES);
    const options: { text: string; score: number }[] = [];
    for (const a of topFirsts)
      for (const b of seconds) options.push({ text: a + b, score: lm.score(left + a + b + right) });
    // The two put back are often one word (`机构` for `还`): the likeliest such words too.
    for (const text of pairWords(topFirsts, allSeconds, lm))
      if (!options.some((o) => o.text === text)) options.push({ text, score: lm.score(left + text + right) });
    if (options.length === 0) continue;
    options.sort((x, y) => y.score - x.score);
    const best = options[0] as { text: string; score: number };
    if (best.score - plain >= SUSPECT_GAIN) suspect = true;
    else if (lostAnyPairReadsAsWell(lm, pairs[k] as BytePair, seconds, left, right, plain)) suspect = true;
    if (best.score - plain < DROPPED_PAIR_GAIN) continue;
    const shares = softmax([plain, ...options.map((o) => o.score)]);
    confidence *= shares[1] as number;
    chars.splice(at, 1, ...best.text);
    restored++;
  }
  return { text: chars.join(''), confidence: suspect && restored === 0 ? 0 : confidence, restored };
}
