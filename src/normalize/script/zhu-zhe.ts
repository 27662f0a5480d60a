/**
 * 著 or 着 in Simplified, decided by the word the character belongs to.
 *
 * Simplified writes 著 in words about writing and renown (著作, 著名, 显著, 土著, 卓著, 杂著) and 着
 * everywhere else: the aspect particle (看着, 随着) and the verb "touch, apply" (着急, 着手, 着陆).
 * Taiwan writes both 著; OpenCC's standard and Hong Kong's write the particle 着 and keep 著 for
 * the rest. A character-by-character fold or conversion cannot tell them apart
 * (`雜著` → `杂着`, `隨著` → `随著`), so each 著 of the source is decided here:
 *
 *   chooseZhu('雜著與隨著', '杂着与随着', '着', lm)  →  '杂著与随着'
 *
 * A spelling is a word when the character sits in one of OpenCC's phrases written that way (its
 * `s2t` and `tw2s` phrase dictionaries), one of the project's particle words (`overrides.ts`), or an
 * attested word of jieba's dictionary in the clause's best segmentation (through the language
 * model). The other spelling than the source's own wins when it is a word and, should the source's
 * spelling be one too, segments the clause better (`隨著名義` is `随着名义`, not `随著名义`).
 * Otherwise the source's reading of 著 stands: 着 from Taiwan text, 著 from OpenCC-standard and
 * Hong Kong text, as OpenCC's own conversions have it.
 */
import * as OpenCC from 'opencc-js';
import { toSimplifiedChars } from './char-fold.js';
import { dictEntries } from './opencc-dicts.js';
import { PARTICLE_ZHE_WORDS } from './overrides.js';

export const ZHU = '著';
export const ZHE = '着';
type Zhu = typeof ZHU | typeof ZHE;

/**
 * What deciding needs from the language model: words of Simplified text as it stands (declared
 * here, not imported: the model itself uses `foldZhu`).
 */
export interface SimplifiedWords {
  segmentSimplified(simplified: string): { words: string[]; logP: number };
  simplifiedWordFrequency(simplified: string): number;
}

/** Characters read on each side of a 著: the model's longest words are eight characters. */
const REACH = 7;
/**
 * jieba's dictionary lists words it saw only in odd text with a count of 3 (`着作`, `显着`, `意味著`):
 * such a count is no evidence of how a word is written.
 */
const UNATTESTED_COUNT = 3;
/** Longest phrase looked up around a 著. */
const MAX_PHRASE = 8;

let phrases: Record<Zhu, Set<string>> | undefined;

/** Simplified form of a Traditional phrase, keeping its 著 and 着 as they are. */
function simplifiedKeeping(phrase: string): string {
  return [...phrase].map((ch) => (ch === ZHU || ch === ZHE ? ch : toSimplifiedChars(ch))).join('');
}

/** Phrases OpenCC (and the project) write with 著, and with 着, in Simplified. */
function knownPhrases(): Record<Zhu, Set<string>> {
  if (phrases) return phrases;
  const found: Record<Zhu, Set<string>> = { [ZHU]: new Set(), [ZHE]: new Set(PARTICLE_ZHE_WORDS) };
  const { Locale } = OpenCC;
  // Simplified → Traditional phrases: the key is the Simplified spelling (显著, 关系着, 着手于).
  for (const group of Locale.from.cn ?? [])
    for (const dict of group)
      for (const [simplified] of dictEntries(dict)) {
        if ([...simplified].length < 2) continue;
        if (simplified.includes(ZHU)) found[ZHU].add(simplified);
        if (simplified.includes(ZHE)) found[ZHE].add(simplified);
      }
  // Taiwan → standard phrases: 著作 stays 著作, 待著 becomes 待着.
  for (const group of Locale.from.tw ?? [])
    for (const dict of group)
      for (const [, standard] of dictEntries(dict)) {
        if ([...standard].length < 2) continue;
        if (standard.includes(ZHU)) found[ZHU].add(simplifiedKeeping(standard));
        if (standard.includes(ZHE)) found[ZHE].add(simplifiedKeeping(standard));
      }
  phrases = found;
  return found;
}

function isHan(ch: string | undefined): boolean {
  return ch !== undefined && /\p{Script=Han}/u.test(ch);
}

/** True when a phrase of `known` holding `chars[at]` occurs in `chars`. */
function inPhrase(chars: readonly string[], at: number, known: ReadonlySet<string>): boolean {
  for (let start = Math.max(0, at - MAX_PHRASE + 1); start <= at; start++)
    for (let end = at + 1; end <= Math.min(chars.length, start + MAX_PHRASE); end++)
      if (end - start >= 2 && known.has(chars.slice(start, end).join(''))) return true;
  return false;
}

/** True when the dictionary attests a word of two characters or more inside `word` holding `at`. */
function attested(word: readonly string[], at: number, words: SimplifiedWords): boolean {
  for (let start = 0; start <= at; start++)
    for (let end = Math.max(at + 1, start + 2); end <= word.length; end++)
      if (words.simplifiedWordFrequency(word.slice(start, end).join('')) > UNATTESTED_COUNT) return true;
  return false;
}

/** True when the word holding `chars[at]` in `segmented` (cut out of `chars` in order) is attested. */
function inAttestedWord(segmented: readonly string[], at: number, words: SimplifiedWords): boolean {
  let start = 0;
  for (const word of segmented) {
    const length = [...word].length;
    if (at < start + length) return length >= 2 && attested([...word], at - start, words);
    start += length;
  }
  return false;
}

/**
 * True when `chars[at]`, spelled `spelling`, belongs to a word (a known phrase, or an attested
 * word of the clause's best segmentation) and the same clause spelled the other way (`rival`)
 * either has no word there or segments worse (`随着名义` beats `随著名义`).
 */
function inWord(
  chars: readonly string[],
  rival: readonly string[],
  at: number,
  spelling: Zhu,
  words: SimplifiedWords,
): boolean {
  const known = knownPhrases();
  const mine = words.segmentSimplified(chars.join(''));
  if (!inPhrase(chars, at, known[spelling]) && !inAttestedWord(mine.words, at, words)) return false;
  const theirs = words.segmentSimplified(rival.join(''));
  const rivalSpelling = spelling === ZHU ? ZHE : ZHU;
  if (!inPhrase(rival, at, known[rivalSpelling]) && !inAttestedWord(theirs.words, at, words)) return true;
  return mine.logP > theirs.logP;
}

/** Decisions by clause and spelling: the same clause is often scored many times over. */
const decided = new Map<string, Zhu>();
const DECIDED_LIMIT = 50_000;

/** 著 or 着 for `chars[at]`, every other character of `chars` being Simplified already. */
function decide(chars: readonly string[], at: number, fallback: Zhu, words: SimplifiedWords): Zhu {
  let start = at;
  while (start > 0 && at - start < REACH && isHan(chars[start - 1])) start--;
  let end = at + 1;
  while (end < chars.length && end - at <= REACH && isHan(chars[end])) end++;
  const withZhu = [...chars.slice(start, at), ZHU, ...chars.slice(at + 1, end)];
  const key = `${fallback}${at - start}${withZhu.join('')}`;
  const known = decided.get(key);
  if (known) return known;
  const withZhe = [...chars.slice(start, at), ZHE, ...chars.slice(at + 1, end)];
  const other: Zhu = fallback === ZHE ? ZHU : ZHE;
  const [mine, rival] = other === ZHU ? [withZhu, withZhe] : [withZhe, withZhu];
  const choice = inWord(mine, rival, at - start, other, words) ? other : fallback;
  if (decided.size >= DECIDED_LIMIT) decided.clear();
  decided.set(key, choice);
  return choice;
}

/**
 * `simplified` (a character-for-character conversion or fold of `source`) with each character that
 * was 著 in `source` written 著 or 着 by its word; `fallback` is the reading of a 著 that belongs to
 * no known word. Returns `simplified` unchanged when the two do not match character for character.
 */
export function chooseZhu(source: string, simplified: string, fallback: Zhu, words: SimplifiedWords): string {
  if (!source.includes(ZHU)) return simplified;
  const from = [...source];
  const chars = [...simplified];
  if (from.length !== chars.length) return simplified;
  let changed = false;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== ZHU) continue;
    const choice = decide(chars, i, fallback, words);
    if (choice !== chars[i]) {
      chars[i] = choice;
      changed = true;
    }
  }
  return changed ? chars.join('') : simplified;
}

/**
 * The fold of `source` (`toSimplifiedChars`, which makes every 著 a 着) with 著 kept where it is
 * part of a word Simplified writes with it: `顯著` folds to `显著`, `看著` to `看着`.
 */
export function foldZhu(source: string, folded: string, words: SimplifiedWords): string {
  return folded === source ? folded : chooseZhu(source, folded, ZHE, words);
}
