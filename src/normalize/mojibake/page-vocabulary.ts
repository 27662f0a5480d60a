/**
 * What the rest of the page says, for picking a lost character. A unigram word model cannot tell
 * `分期偿还` from `分泌偿还` (both are words before 偿还, and 分泌 is the commoner); the page can: an
 * article about instalments writes 分期 again elsewhere. This is a cache model in the old sense of
 * speech recognition: pairs of Han characters seen on the page make a candidate that forms them
 * likelier. Built once per document from its lines as they came (the garbled runs in them are
 * rare pairs that no candidate re-forms).
 */
const HAN = /\p{Script=Han}/u;
/** Log-odds for each neighbour a candidate forms a pair with that the page shows elsewhere. */
const SEEN_PAIR_BONUS = 3;

export class PageVocabulary {
  private readonly pairs = new Set<string>();

  constructor(lines: Iterable<string>) {
    for (const line of lines) {
      let previous = '';
      for (const ch of line) {
        if (HAN.test(ch)) {
          if (previous) this.pairs.add(previous + ch);
          previous = ch;
        } else previous = '';
      }
    }
  }

  /** Log-odds for `char` between `left` and `right` (either may be '') from pairs the page shows. */
  bonus(left: string, char: string, right: string): number {
    let bonus = 0;
    if (left && this.pairs.has(left + char)) bonus += SEEN_PAIR_BONUS;
    if (right && this.pairs.has(char + right)) bonus += SEEN_PAIR_BONUS;
    return bonus;
  }
}

/** A page with nothing on it: no character gets a bonus. */
export const EMPTY_VOCABULARY = new PageVocabulary([]);
