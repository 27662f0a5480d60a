/**
 * A character n-gram model of intact text (Witten-Bell interpolation, orders 1 to 4): the
 * statistics a word-frequency list lacks. Inserting `同时` into `服务的保护` costs 7.6 nats under
 * jieba's unigram model, but text where `的同时` is common makes the insertion likely.
 *
 * Counts come from text of sources that do not delete the word in question: a batch of pages, or
 * the profiles the pipeline keeps. Memory is bounded by `maxChars` (text past it is not counted).
 */

export const MAX_ORDER = 4;

export class CharNgramModel {
  /** n-gram → count, for every order; the empty history is ''. */
  private readonly counts = new Map<string, number>();
  /** history → number of distinct characters seen after it. */
  private readonly followers = new Map<string, number>();
  private chars = 0;
  private vocabulary = 0;

  constructor(private readonly maxChars = 4_000_000) {}

  get size(): number {
    return this.chars;
  }

  /** Counts one stretch of text; n-grams never cross its ends. */
  add(text: string): void {
    if (this.chars >= this.maxChars) return;
    const units = [...text];
    this.chars += units.length;
    for (let i = 0; i < units.length; i++) {
      let gram = '';
      for (let order = 1; order <= MAX_ORDER && i - order + 1 >= 0; order++) {
        const history = gram;
        gram = (units[i - order + 1] as string) + gram;
        const seen = this.counts.get(gram) ?? 0;
        if (seen === 0) {
          this.followers.set(history, (this.followers.get(history) ?? 0) + 1);
          if (order === 1) this.vocabulary++;
        }
        this.counts.set(gram, seen + 1);
        // history counts: total occurrences of `history` followed by anything
        const key = `\u0000${history}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    }
  }

  /** log P(char | history), Witten-Bell interpolated down to an add-one unigram. */
  logProb(history: string, char: string): number {
    const units = [...history].slice(-(MAX_ORDER - 1));
    let p = ((this.counts.get(char) ?? 0) + 1) / (this.chars + this.vocabulary + 1);
    for (let start = units.length - 1; start >= 0; start--) {
      const h = units.slice(start).join('');
      const historyCount = this.counts.get(`\u0000${h}`) ?? 0;
      if (historyCount === 0) continue;
      const types = this.followers.get(h) ?? 0;
      const lambda = historyCount / (historyCount + types);
      p = lambda * ((this.counts.get(h + char) ?? 0) / historyCount) + (1 - lambda) * p;
    }
    return Math.log(p);
  }

  /** log P of `text` given the `context` before it. */
  score(text: string, context = ''): number {
    let history = context;
    let total = 0;
    for (const ch of text) {
      total += this.logProb(history, ch);
      history = (history + ch).slice(-(MAX_ORDER - 1) * 2);
    }
    return total;
  }

  /** How often an exact string of up to MAX_ORDER characters occurred. */
  count(gram: string): number {
    return this.counts.get(gram) ?? 0;
  }
}
