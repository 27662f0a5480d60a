/**
 * A small Chinese language model built from jieba's 349,000-word frequency dictionary (shipped in
 * `@node-rs/jieba`). It scores repair candidates: which re-decoding of a garbled run, which
 * charset, which missing byte. Scores are natural-log probabilities; higher is more likely.
 *
 * The model is Simplified: Traditional text is folded character by character before scoring.
 * It is loaded once, lazily, on the first call that needs it (about 0.3 s).
 */
import { createRequire } from 'node:module';
import { toSimplifiedChars } from './script/char-fold.js';

const require = createRequire(import.meta.url);

/** Words longer than this are not looked up while segmenting: longer dictionary entries are rare. */
const MAX_WORD_LENGTH = 8;
/** Cost of a character the dictionary has never seen (a little below its rarest word). */
const UNKNOWN_CHAR_LOGP = -20;
/** Cost of common punctuation, digits and Latin letters: neutral-ish, so they neither help nor hurt. */
const PUNCTUATION_LOGP = -6;
const ASCII_LOGP = -7;

const HAN = /\p{Script=Han}/u;
const COMMON_PUNCTUATION = new Set('，。、；：？！“”‘’（）《》「」『』—…·');

export interface LanguageModel {
  /** Log-probability of the best segmentation of `text` (Traditional is folded first). */
  score(text: string): number;
  /** `score` divided by the number of characters: comparable across lengths. */
  scorePerChar(text: string): number;
  /** Log-probability of one character on its own (unigram over the dictionary's characters). */
  charLogP(char: string): number;
  /** Log-probability of one word, or undefined when the dictionary lacks it. */
  wordLogP(word: string): number | undefined;
}

class JiebaLanguageModel implements LanguageModel {
  private readonly words: Map<string, number>;
  private readonly chars: Map<string, number>;

  constructor(dictText: string) {
    const counts = new Map<string, number>();
    const charCounts = new Map<string, number>();
    let total = 0;
    let charTotal = 0;
    for (const line of dictText.split('\n')) {
      const firstSpace = line.indexOf(' ');
      if (firstSpace <= 0) continue;
      const word = line.slice(0, firstSpace);
      const freq = Number.parseInt(line.slice(firstSpace + 1), 10);
      if (!Number.isFinite(freq) || freq <= 0) continue;
      counts.set(word, (counts.get(word) ?? 0) + freq);
      total += freq;
      for (const ch of word) {
        charCounts.set(ch, (charCounts.get(ch) ?? 0) + freq);
        charTotal += freq;
      }
    }
    const logTotal = Math.log(total);
    this.words = new Map();
    for (const [word, count] of counts) this.words.set(word, Math.log(count) - logTotal);
    const logCharTotal = Math.log(charTotal);
    this.chars = new Map();
    for (const [ch, count] of charCounts) this.chars.set(ch, Math.log(count) - logCharTotal);
  }

  wordLogP(word: string): number | undefined {
    return this.words.get(toSimplifiedChars(word));
  }

  charLogP(char: string): number {
    const simplified = toSimplifiedChars(char);
    const known = this.chars.get(simplified);
    if (known !== undefined) return known;
    if (COMMON_PUNCTUATION.has(char)) return PUNCTUATION_LOGP;
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) return ASCII_LOGP;
    return UNKNOWN_CHAR_LOGP;
  }

  score(text: string): number {
    const simplified = toSimplifiedChars(text);
    let total = 0;
    let run = '';
    for (const ch of simplified) {
      if (HAN.test(ch)) {
        run += ch;
        continue;
      }
      if (run) total += this.segmentScore(run);
      run = '';
      total += this.charLogP(ch);
    }
    if (run) total += this.segmentScore(run);
    return total;
  }

  scorePerChar(text: string): number {
    const length = [...text].length;
    return length === 0 ? 0 : this.score(text) / length;
  }

  /** Viterbi over dictionary words: the best-scoring way to cut a run of Han characters. */
  private segmentScore(run: string): number {
    const chars = [...run];
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      const base = best[start] as number;
      if (base === Number.NEGATIVE_INFINITY) continue;
      let word = '';
      for (let end = start + 1; end <= Math.min(n, start + MAX_WORD_LENGTH); end++) {
        word += chars[end - 1];
        let logp = this.words.get(word);
        if (logp === undefined && end === start + 1) logp = UNKNOWN_CHAR_LOGP;
        if (logp === undefined) continue;
        const candidate = base + logp;
        if (candidate > (best[end] as number)) best[end] = candidate;
      }
    }
    return best[n] as number;
  }
}

let shared: LanguageModel | undefined;

/** The process-wide model, loaded on first use. */
export function languageModel(): LanguageModel {
  if (!shared) {
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    shared = new JiebaLanguageModel(new TextDecoder().decode(dict));
  }
  return shared;
}
