/**
 * Character n-gram counts (orders 1 to 4) of the batch's text: which strings the sources write
 * and how often. The learner takes its candidate words from them (`frequentGrams`), the filler
 * asks whether two characters ever stand side by side, and a frame gap's closer is counted after
 * 的. (They are not used to score insertions: over a batch of similar sites a character model
 * finds `客服_进行` wanting because the others write `客服电话` often, not because anything was cut.)
 *
 * `without(own)` gives the counts of every source but one, the intact text for the words that
 * source deletes. Memory is bounded by `maxChars`.
 */

const MAX_ORDER = 4;

/** What the filler and the learner ask of the counts. */
export interface NgramView {
  /** Characters counted. */
  readonly size: number;
  /** How often an exact string of up to MAX_ORDER characters occurred. */
  count(gram: string): number;
}

export class CharNgramModel implements NgramView {
  private readonly counts = new Map<string, number>();
  private chars = 0;

  constructor(private readonly maxChars = 600_000) {}

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
        gram = (units[i - order + 1] as string) + gram;
        this.counts.set(gram, (this.counts.get(gram) ?? 0) + 1);
      }
    }
    return true;
  }

  count(gram: string): number {
    return this.counts.get(gram) ?? 0;
  }

  /** Every counted n-gram with its count. */
  *grams(): Generator<[string, number]> {
    yield* this.counts;
  }

  /** This model's counts less another's: the text of every source but one. */
  without(own: CharNgramModel): NgramView {
    const all = this;
    return {
      get size() {
        return all.size - own.size;
      },
      count: (gram) => all.count(gram) - own.count(gram),
    };
  }
}
