/**
 * A character n-gram model of intact text (Witten-Bell interpolation, orders 1 to 4): the
 * statistics a word-frequency list lacks. Inserting `同时` into `服务的保护` costs 7.6 nats under
 * jieba's unigram model, but text where `的同时` is common makes the insertion likely.
 *
 * Counts come from text of the batch; `without(own)` gives the view of every source but one, the
 * intact text for the words that source deletes. Memory is bounded by `maxChars`.
 */

export const MAX_ORDER = 4;

/** What the filler and the learner ask of character statistics. */
export interface NgramView {
  /** Characters counted. */
  readonly size: number;
  /** How often an exact string of up to MAX_ORDER characters occurred. */
  count(gram: string): number;
  /** log P of `text` given the `context` before it. */
  score(text: string, context?: string): number;
}

const HISTORY = '\u0000';

abstract class InterpolatedModel implements NgramView {
  abstract readonly size: number;
  abstract count(gram: string): number;
  protected abstract historyCount(history: string): number;
  protected abstract followerTypes(history: string): number;
  protected abstract vocabularySize(): number;

  /** log P(char | history), Witten-Bell interpolated down to an add-one unigram. */
  logProb(history: string, char: string): number {
    const units = [...history].slice(-(MAX_ORDER - 1));
    let p = (this.count(char) + 1) / (this.size + this.vocabularySize() + 1);
    for (let start = units.length - 1; start >= 0; start--) {
      const h = units.slice(start).join('');
      const seen = this.historyCount(h);
      if (seen <= 0) break;
      const types = this.followerTypes(h);
      const lambda = seen / (seen + Math.max(1, types));
      p = lambda * (Math.max(0, this.count(h + char)) / seen) + (1 - lambda) * p;
    }
    return Math.log(p);
  }

  score(text: string, context = ''): number {
    let history = [...context].slice(-(MAX_ORDER - 1)).join('');
    let total = 0;
    for (const ch of text) {
      total += this.logProb(history, ch);
      history = [...(history + ch)].slice(-(MAX_ORDER - 1)).join('');
    }
    return total;
  }
}

export class CharNgramModel extends InterpolatedModel {
  /** n-gram → count for every order; `\0` + history → times the history was followed by anything. */
  private readonly counts = new Map<string, number>();
  /** history → number of distinct characters seen after it. */
  private readonly followers = new Map<string, number>();
  private chars = 0;
  private vocabulary = 0;

  constructor(private readonly maxChars = 600_000) {
    super();
  }

  get size(): number {
    return this.chars;
  }

  get full(): boolean {
    return this.chars >= this.maxChars;
  }

  /** Counts one stretch of text (n-grams never cross its ends); false when the model is full. */
  add(text: string): boolean {
    if (this.full) return false;
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
        const key = HISTORY + history;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    }
    return true;
  }

  count(gram: string): number {
    return this.counts.get(gram) ?? 0;
  }

  protected historyCount(history: string): number {
    return this.counts.get(HISTORY + history) ?? 0;
  }

  protected followerTypes(history: string): number {
    return this.followers.get(history) ?? 0;
  }

  protected vocabularySize(): number {
    return this.vocabulary;
  }

  /** Every counted n-gram of Han characters with its count. */
  *grams(): Generator<[string, number]> {
    for (const [gram, count] of this.counts) if (gram[0] !== HISTORY) yield [gram, count];
  }

  /** This model's counts less another's: the text of every source but one. */
  without(own: CharNgramModel): NgramView {
    return new ExcludingView(this, own);
  }

  /** @internal for ExcludingView */
  rawHistoryCount(history: string): number {
    return this.historyCount(history);
  }

  /** @internal for ExcludingView */
  rawFollowerTypes(history: string): number {
    return this.followerTypes(history);
  }

  /** @internal for ExcludingView */
  rawVocabulary(): number {
    return this.vocabulary;
  }
}

/** Counts of `all` minus `own`; follower types are `all`'s (an upper bound, which only smooths more). */
class ExcludingView extends InterpolatedModel {
  constructor(
    private readonly all: CharNgramModel,
    private readonly own: CharNgramModel,
  ) {
    super();
  }

  get size(): number {
    return this.all.size - this.own.size;
  }

  count(gram: string): number {
    return this.all.count(gram) - this.own.count(gram);
  }

  protected historyCount(history: string): number {
    return this.all.rawHistoryCount(history) - this.own.rawHistoryCount(history);
  }

  protected followerTypes(history: string): number {
    return this.all.rawFollowerTypes(history);
  }

  protected vocabularySize(): number {
    return this.all.rawVocabulary();
  }
}
