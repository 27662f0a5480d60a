/**
 * Look-ups into jieba's dictionary that restoring deleted words needs: the words that start with
 * a given text or end with it (does the gap complete a compound, as `騷擾` + `電話`?), and the
 * usual next character of a character (`問` is mostly `問題`). Built once, on first use.
 */
import { type LanguageModel, languageModel } from '../language-model.js';

const HAN = /^\p{Script=Han}+$/u;
/** Two-character words rarer than this do not count as a character's usual continuation. */
const MIN_CONTINUATION_FREQUENCY_LOGP = Math.log(1000 / 60_000_000);

export interface DictionaryIndex {
  /** Dictionary words (2–8 Han characters) that begin with `prefix`, with their log-probability. */
  startingWith(prefix: string): [string, number][];
  /** Dictionary words that end with `suffix`. */
  endingWith(suffix: string): [string, number][];
  /** The most frequent second character of two-character words that start with `char`. */
  usualNext(char: string): { char: string; logP: number } | undefined;
}

function range(sorted: string[], prefix: string): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && (sorted[end] as string).startsWith(prefix)) end++;
  return [lo, end];
}

const reverse = (text: string) => [...text].reverse().join('');

class JiebaDictionaryIndex implements DictionaryIndex {
  private readonly forward: string[] = [];
  private readonly backward: string[] = [];
  private readonly logP = new Map<string, number>();
  private readonly next = new Map<string, { char: string; logP: number }>();

  constructor(lm: LanguageModel) {
    for (const [word, logP] of lm.words()) {
      const length = [...word].length;
      if (length < 2 || length > 8 || !HAN.test(word)) continue;
      this.forward.push(word);
      this.backward.push(reverse(word));
      this.logP.set(word, logP);
      if (length === 2 && logP >= MIN_CONTINUATION_FREQUENCY_LOGP) {
        const [first, second] = [...word] as [string, string];
        const known = this.next.get(first);
        if (!known || known.logP < logP) this.next.set(first, { char: second, logP });
      }
    }
    this.forward.sort();
    this.backward.sort();
  }

  startingWith(prefix: string): [string, number][] {
    const [from, to] = range(this.forward, prefix);
    return this.forward.slice(from, to).map((w) => [w, this.logP.get(w) as number]);
  }

  endingWith(suffix: string): [string, number][] {
    const [from, to] = range(this.backward, reverse(suffix));
    return this.backward.slice(from, to).map((r) => {
      const w = reverse(r);
      return [w, this.logP.get(w) as number];
    });
  }

  usualNext(char: string) {
    return this.next.get(char);
  }
}

let shared: DictionaryIndex | undefined;

export function dictionaryIndex(): DictionaryIndex {
  shared ??= new JiebaDictionaryIndex(languageModel());
  return shared;
}
