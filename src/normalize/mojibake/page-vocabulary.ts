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
  /** Pairs of BMP characters as one number (asked about thousands of times a page)… */
  private readonly bmpPairs = new Set<number>();
  /** …and pairs with a character outside the BMP as strings. */
  private readonly pairs = new Set<string>();

  constructor(lines: Iterable<string>) {
    for (const line of lines) {
      let previous = '';
      for (const ch of line) {
        if (HAN.test(ch)) {
          if (previous) this.add(previous, ch);
          previous = ch;
        } else previous = '';
      }
    }
  }

  private add(first: string, second: string): void {
    if (first.length === 1 && second.length === 1)
      this.bmpPairs.add(first.charCodeAt(0) * 0x10000 + second.charCodeAt(0));
    else this.pairs.add(first + second);
  }

  private has(first: string, second: string): boolean {
    if (first.length === 1 && second.length === 1)
      return this.bmpPairs.has(first.charCodeAt(0) * 0x10000 + second.charCodeAt(0));
    return this.pairs.has(first + second);
  }

  /** Log-odds for `char` between `left` and `right` (either may be '') from pairs the page shows. */
  bonus(left: string, char: string, right: string): number {
    let bonus = 0;
    if (left && this.has(left, char)) bonus += SEEN_PAIR_BONUS;
    if (right && this.has(char, right)) bonus += SEEN_PAIR_BONUS;
    return bonus;
  }
}

/** A page with nothing on it: no character gets a bonus. */
export const EMPTY_VOCABULARY = new PageVocabulary([]);
